"""Post-its: one response to one statement, recorded the moment it is placed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from facilitator.core.clock import new_id
from facilitator.core.errors import FacilitatorError, ItemError, NotFound
from facilitator.store.records import (
    Damaged,
    NewPostit,
    Postit,
    Session,
    check_comment,
    check_participant_code,
    check_postit,
    postit_fault,
)

if TYPE_CHECKING:
    from facilitator.store.database import Store

POSTIT_FIELDS = tuple(Postit.__dataclass_fields__)
POSTIT_COLUMNS = ", ".join(POSTIT_FIELDS)
# Session ids per query: well under SQLite's limit on bound parameters.
QUERY_CHUNK = 500


class PostitRepository:
    """The post-its of every session."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        session_id: str,
        statement_number: int,
        response: str,
        comment: str = "",
        participant: str | None = None,
        *,
        session: Session | None = None,
    ) -> Postit:
        """Record one post-it; it is committed to disk when this returns.

        `response` may be a scale key, a label or an entry key. Pass `session`
        when the caller already holds it, to skip looking it up.
        """
        if session is None or session.id != session_id:
            session = self._store.sessions.get(session_id)
        number, key, comment, participant = check_postit(
            session, NewPostit(statement_number, response, comment, participant)
        )
        with self._store.write() as writer:
            row = writer.insert(
                "postits",
                {
                    "session_id": session.id,
                    "statement_number": number,
                    "response_key": key,
                    "comment": comment,
                    "participant": participant,
                },
            )
        return Postit(**{name: row[name] for name in POSTIT_FIELDS if name in row})

    def add_many(self, session_id: str, items: Iterable[NewPostit]) -> int:
        """Record many post-its at once, all or nothing.

        Every item is checked before anything is written; a bad item raises
        ItemError with its position.
        """
        session = self._store.sessions.get(session_id)
        rows = []
        for index, item in enumerate(items):
            try:
                number, key, comment, participant = check_postit(session, item)
            except FacilitatorError as error:
                raise ItemError(index, str(error)) from None
            rows.append((new_id(), session.id, number, key, comment, participant))
        with self._store.write() as writer:
            # One prepared statement for every row: the bulk path of a transcribed wall.
            return writer.insert_many(
                "postits", ("session_id", "statement_number", "response_key", "comment", "participant"), rows
            )

    def get(self, postit_id: str, *, include_deleted: bool = False) -> Postit:
        row = self._store.db.execute(
            f"SELECT {POSTIT_COLUMNS} FROM postits WHERE id = ?", [postit_id]
        ).fetchone()
        if row is None or (row[-1] is not None and not include_deleted):
            raise NotFound(f"post-it {postit_id[:8]!r} is gone: it was deleted, perhaps in another window")
        return Postit(*row)

    def of(self, session_id: str, statement_number: int | None = None) -> list[Postit]:
        """Live post-its of a session (or one of its statements), in the order they were placed."""
        sql = f"SELECT {POSTIT_COLUMNS} FROM postits WHERE session_id = ? AND deleted_at IS NULL"
        params: list[Any] = [session_id]
        if statement_number is not None:
            sql += " AND statement_number = ?"
            params.append(statement_number)
        sql += " ORDER BY statement_number, created_at, id"
        rows = self._store.db.execute(sql, params).fetchall()
        return list(self._fitting(rows, self._store.sessions.by_ids([session_id])))

    # -------------------------------------------------------- damaged rows

    def _fitting(self, rows: Iterable[Sequence[Any]], sessions: Mapping[str, Session]) -> Iterator[Postit]:
        """The post-its of these rows that fit their session; the others are noted as damaged.

        A post-it whose statement number or response its session does not have (written
        by an older version, or imported before bundles were checked) is left out alone:
        it never takes its session or the command down with it.
        """
        fits = {sid: (len(s.statements), frozenset(s.scale.keys)) for sid, s in sessions.items()}
        for row in rows:
            postit = Postit(*row)
            fit = fits.get(postit.session_id)
            number = postit.statement_number
            # The same test as postit_fault, inlined for speed (an export reads every post-it).
            if fit is None or (
                type(number) is int and 1 <= number <= fit[0] and postit.response_key in fit[1]
            ):
                yield postit
            else:
                self._note(sessions[postit.session_id], [postit.id], number, postit.response_key)

    def _counted(self, session: Session | None, session_id: str, number: Any, key: Any) -> bool:
        """Whether a GROUP BY count of one session's post-its fits the session; if not, its post-its
        are noted as damaged."""
        if session is None or postit_fault(session, number, key) is None:
            return True
        ids = [
            str(row[0])
            for row in self._store.db.execute(
                """SELECT id FROM postits WHERE session_id = ? AND statement_number IS ?
                   AND response_key IS ? AND deleted_at IS NULL ORDER BY created_at, id""",
                [session_id, number, key],
            )
        ]
        self._note(session, ids, number, key)
        return False

    def _note(self, session: Session, postit_ids: Sequence[str], number: Any, key: Any) -> None:
        fault = postit_fault(session, number, key) or "it does not fit its session"
        for postit_id in postit_ids:
            self._store.damaged.note(Damaged("post-it", postit_id, f"session {session.id[:8]}: {fault}"))

    def _change(self, postit_id: str, changes: dict[str, Any]) -> Postit:
        with self._store.write() as writer:
            writer.update("postits", postit_id, changes)
        return self.get(postit_id, include_deleted=True)

    def edit(self, postit_id: str, comment: str) -> Postit:
        """Replace a post-it's comment."""
        comment = check_comment(comment)
        self.get(postit_id)
        return self._change(postit_id, {"comment": comment})

    def move(self, postit_id: str, response: str) -> Postit:
        """Move a post-it to another category of its session's scale."""
        postit = self.get(postit_id)
        key = self._store.sessions.get(postit.session_id).scale.resolve(response).key
        return self._change(postit_id, {"response_key": key})

    def delete(self, postit_id: str) -> Postit:
        """Tombstone a post-it, blanking its comment and participant code in the same transaction.

        Returns the tombstone with the words it no longer holds: the database has lost them,
        so a caller that offers an undo keeps this, in memory, and gives it to `restore`.
        """
        before = self.get(postit_id)
        with self._store.write() as writer:
            writer.tombstone("postits", postit_id)
        stored = self.get(postit_id, include_deleted=True)
        return replace(stored, comment=before.comment, participant=before.participant)

    def restore(self, deleted: Postit) -> Postit:
        """Bring back a deleted post-it with the comment and participant code held in `deleted`.

        Only what `deleted` holds comes back: a post-it read from the database after its
        delete has a blank comment, and is restored blank. A post-it that is not deleted
        keeps the words it has.
        """
        stored = self.get(deleted.id, include_deleted=True)
        words: dict[str, Any] = {}
        if stored.deleted_at is not None:
            words = {
                "comment": check_comment(deleted.comment),
                "participant": check_participant_code(deleted.participant),
            }
        with self._store.write() as writer:
            writer.restore("postits", deleted.id, words)
        return self.get(deleted.id)

    # -------------------------------------------------------- counts

    def counts(self, session_ids: Sequence[str]) -> dict[int, dict[str, int]]:
        """Post-its per statement number per response key over some sessions (GROUP BY)."""
        if not session_ids:
            return {}
        result: dict[int, dict[str, int]] = {}
        for by_number in self.counts_by_session(session_ids).values():
            for number, by_key in by_number.items():
                for key, n in by_key.items():
                    totals = result.setdefault(number, {})
                    totals[key] = totals.get(key, 0) + n
        return result

    def counts_by_session(self, session_ids: Sequence[str]) -> dict[str, dict[int, dict[str, int]]]:
        """Post-its per session, statement number and response key (GROUP BY, a few queries).

        Chart groups, cohorts and figures add these up, so one pass over the
        post-its serves every chart of a report.
        """
        result: dict[str, dict[int, dict[str, int]]] = {}
        ids = list(dict.fromkeys(session_ids))
        sessions = self._store.sessions.by_ids(ids)
        for start in range(0, len(ids), QUERY_CHUNK):
            chunk = ids[start : start + QUERY_CHUNK]
            marks = ", ".join("?" * len(chunk))
            for session_id, number, key, n in self._store.db.execute(
                f"""SELECT session_id, statement_number, response_key, COUNT(*) FROM postits
                    WHERE session_id IN ({marks}) AND deleted_at IS NULL
                    GROUP BY session_id, statement_number, response_key""",
                chunk,
            ).fetchall():
                if self._counted(sessions.get(session_id), session_id, number, key):
                    result.setdefault(session_id, {}).setdefault(number, {})[key] = n
        return result

    def iter_comments(self, session_ids: Sequence[str], response_keys: Sequence[str]) -> Iterator[Postit]:
        """Live post-its that carry a comment, streamed one by one (never all in memory).

        Ordered by statement, then response in `response_keys` order, then session in
        `session_ids` order, then the order they were placed.
        """
        ids = list(dict.fromkeys(session_ids))
        keys = list(dict.fromkeys(response_keys))
        if not ids or not keys:
            return
        chosen = ", ".join("(?, ?)" for _ in ids)
        scale = ", ".join("(?, ?)" for _ in keys)
        params: list[Any] = [v for pair in enumerate(ids) for v in reversed(pair)]
        params += [v for pair in enumerate(keys) for v in reversed(pair)]
        columns = ", ".join(f"postits.{name}" for name in POSTIT_FIELDS)
        cursor = self._store.db.execute(
            f"""WITH chosen(id, position) AS (VALUES {chosen}),
                     scale(key, position) AS (VALUES {scale})
                SELECT {columns} FROM postits
                JOIN chosen ON chosen.id = postits.session_id
                JOIN scale ON scale.key = postits.response_key
                WHERE postits.deleted_at IS NULL AND TRIM(postits.comment) != ''
                ORDER BY postits.statement_number, scale.position, chosen.position,
                         postits.created_at, postits.id""",
            params,
        )
        try:
            yield from self._fitting(cursor, self._store.sessions.by_ids(ids))
        finally:
            cursor.close()

    def statement_totals(self, session_id: str) -> dict[int, int]:
        """How many post-its each statement of a session has."""
        return {number: sum(by_key.values()) for number, by_key in self.counts([session_id]).items()}
