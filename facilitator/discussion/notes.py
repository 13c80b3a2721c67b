"""Discussion notes: what was said after the statement exercise.

A note is a point, a verbatim quote or a case study. It may name its speaker
by participant code (never by name) and carries theme tags from the session's
codebook; a theme typed that the codebook lacks is created on the fly. Every
note is committed before the call returns, like a post-it. Deleting a note is a
tombstone without its text; untagging a theme tombstones the tag.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from facilitator.core.errors import FacilitatorError
from facilitator.discussion import codebook
from facilitator.discussion.codebook import Codebook
from facilitator.discussion.roster import resolve_speaker
from facilitator.store import Store

# The note's record and its checks live in the store; re-exported here.
from facilitator.store.notes import KEEP as KEEP
from facilitator.store.notes import KINDS as KINDS
from facilitator.store.notes import NOTE_COLUMNS as NOTE_COLUMNS
from facilitator.store.notes import Keep as Keep
from facilitator.store.notes import Note as Note
from facilitator.store.notes import check_kind as check_kind
from facilitator.store.notes import check_text as check_text
from facilitator.store.notes import check_title as check_title

KIND_LABELS = {"note": "Note", "quote": "Quote", "case_study": "Case study"}


# ---------------------------------------------------------------- reading


def note(store: Store, note_id: str, *, include_deleted: bool = False) -> Note:
    """A note by its id, or a unique start of it (at least four characters)."""
    return store.notes.get(note_id, include_deleted=include_deleted)


def notes(store: Store, session_id: str, *, kind: str | None = None) -> list[Note]:
    """The live notes of a session, in the author's order (the order taken, unless moved)."""
    return store.notes.of(session_id, kind=None if kind is None else check_kind(kind))


def notes_for_theme(store: Store, theme_id: str, session_ids: Sequence[str]) -> list[Note]:
    """Every live note of these sessions tagged with the theme (or one merged into it)."""
    wanted = {n for n, _s, root in codebook.tagged_notes(store, session_ids) if root.id == theme_id}
    if not wanted:
        return []
    return store.notes.with_ids(sorted(wanted))


# ---------------------------------------------------------------- writing


def add_note(
    store: Store,
    session_id: str,
    text: str,
    *,
    kind: str = "note",
    speaker: str | None = None,
    themes: Iterable[str] = (),
    title: str = "",
) -> Note:
    """Record a note with its speaker code, theme tags and (a case study's) title; on disk
    when this returns. It goes last in the session's order.

    `themes` are names in the session's codebook; a new name creates the theme.
    The same theme named twice is tagged once.
    """
    session = store.sessions.get(session_id)
    text = check_text(text)
    kind = check_kind(kind)
    title = _titled(kind, check_title(title))
    participant = resolve_speaker(store, session.id, speaker)
    names = [codebook.check_name(name) for name in themes]
    return store.notes.add(session.id, text, kind, participant, Codebook.of(session), names, title)


def _titled(kind: str, title: str) -> str:
    if title and kind != "case_study":
        raise FacilitatorError("only a case study has a title")
    return title


def edit_note(
    store: Store,
    note_id: str,
    *,
    text: str | None = None,
    kind: str | None = None,
    speaker: str | Keep | None = KEEP,
    themes: Iterable[str] | None = None,
    title: str | None = None,
) -> Note:
    """Change a note. None (or KEEP for the speaker) leaves a field as it is.

    `themes`, when given, is the note's whole new set of tags: missing ones are
    untagged (tombstoned), new ones tagged, new names added to the codebook. Only a
    case study has a title: a note changed to another kind loses its title.
    """
    current = note(store, note_id)
    session = store.sessions.get(current.session_id)
    new_kind = current.kind if kind is None else check_kind(kind)
    if title is not None:
        title = _titled(new_kind, check_title(title))
    elif new_kind != "case_study" and current.title:
        title = ""
    return store.notes.edit(
        current,
        Codebook.of(session),
        text=None if text is None else check_text(text),
        kind=None if kind is None else check_kind(kind),
        participant=speaker if isinstance(speaker, Keep) else resolve_speaker(store, session.id, speaker),
        theme_names=None if themes is None else [codebook.check_name(n) for n in themes],
        title=title,
    )


def move_note(store: Store, note_id: str, step: int) -> Note:
    """Move a note one place up (-1) or down (+1) among its session's notes.

    The first note cannot go up, nor the last down: FacilitatorError says so.
    """
    return store.notes.move(note(store, note_id).id, step)


def tag_note(store: Store, note_id: str, theme_name: str) -> Note:
    """Add one theme tag to a note (the theme is created if new)."""
    current = note(store, note_id)
    return edit_note(store, current.id, themes=[*current.theme_names, theme_name])


def untag_note(store: Store, note_id: str, theme_name: str) -> Note:
    """Remove one theme tag from a note."""
    current = note(store, note_id)
    session = store.sessions.get(current.session_id)
    removed = codebook.theme(store, Codebook.of(session), theme_name)
    if removed.id not in {t.id for t in current.themes}:
        raise FacilitatorError(f"the note is not tagged {removed.name!r}")
    return edit_note(store, current.id, themes=[t.name for t in current.themes if t.id != removed.id])


def delete_note(store: Store, note_id: str) -> Note:
    """Tombstone a note, blanking its text; returns the note as it was, text included.

    Its tags stay. The database no longer holds its words: an undo keeps the returned
    note in memory and gives it to `restore_note`.
    """
    current = note(store, note_id)
    store.notes.delete(current)
    return current


def restore_note(store: Store, deleted: Note) -> Note:
    """Bring back a deleted note with the text and speaker `deleted` holds (kept from its delete)."""
    store.notes.restore(deleted)
    return note(store, deleted.id)
