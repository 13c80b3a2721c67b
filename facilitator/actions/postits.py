"""Post-its: record, edit, move, delete and restore one.

Each returns once the change is committed to disk, so a front end shows a post-it
as saved only after this returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.store import Postit, Session, Store


@dataclass(frozen=True)
class Recorded:
    """A post-it just recorded, and the session it went into."""

    postit: Postit
    session: Session

    @property
    def into_closed_session(self) -> bool:
        """Whether the session was closed: recorded all the same, but worth a word."""
        return self.session.is_closed


@dataclass(frozen=True)
class Changed:
    """A post-it before and after a change (the same when nothing changed), for undo."""

    before: Postit
    after: Postit

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return self.before != self.after


def record_postit(
    store: Store,
    session: Session,
    statement_number: int,
    response: str,
    comment: str = "",
    participant: str | None = None,
) -> Recorded:
    """Record one post-it under a statement of the session.

    `response` is a scale key, a label or an entry key; `participant` a code, never a name.
    """
    from facilitator.actions.purge import refuse_purged

    refuse_purged(store, session, "recording into")
    postit = store.postits.add(session.id, statement_number, response, comment, participant, session=session)
    return Recorded(postit, session)


def edit_postit(store: Store, postit_id: str, comment: str) -> Changed:
    """Replace a post-it's comment."""
    before = store.postits.get(postit_id)
    return Changed(before, store.postits.edit(postit_id, comment))


def move_postit(store: Store, postit_id: str, response: str) -> Changed:
    """Move a post-it to another category (a key, label or entry key); already there, nothing is written."""
    before = store.postits.get(postit_id)
    key = store.sessions.get(before.session_id).scale.resolve(response).key
    if key == before.response_key:
        return Changed(before, before)
    return Changed(before, store.postits.move(postit_id, key))


def delete_postit(store: Store, postit_id: str) -> Postit:
    """Delete a post-it: a tombstone without its comment, which sync carries.

    Returns the post-it as it was, comment included: the database no longer holds it,
    so an undo keeps this in memory and gives it to `restore_postit`.
    """
    return store.postits.delete(postit_id)


def restore_postit(store: Store, deleted: Postit) -> Postit:
    """Bring back a deleted post-it with the comment and participant code `deleted` holds."""
    return store.postits.restore(deleted)
