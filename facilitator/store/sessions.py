"""Sessions and the consultations that group them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.core.statements import Scale, Statement, StatementSet
from facilitator.store.anonymiser import map_key
from facilitator.store.free_text import mentioned, restamp_mentions
from facilitator.store.records import (
    SESSION_PREFIX_MIN,
    Consultation,
    DamagedRow,
    Session,
    SessionDetails,
    SessionSummary,
)
from facilitator.store.writer import Writer

if TYPE_CHECKING:
    from facilitator.store.database import Store

# Session ids per query: well under SQLite's limit on bound parameters.
QUERY_CHUNK = 500

SESSION_SELECT = """
    SELECT sessions.*, consultations.title AS consultation_title
    FROM sessions LEFT JOIN consultations ON consultations.id = sessions.consultation_id
"""


def session_from_row(row: Mapping[str, Any]) -> Session:
    """A session record from its row, or DamagedRow saying which stored column does not parse."""
    facilitators = _json_column(row, "facilitators")
    if not isinstance(facilitators, list) or not all(isinstance(f, str) for f in facilitators):
        raise DamagedRow("session", row["id"], "its facilitators are not a list of text")
    scale = _scale(row)
    statements = _json_column(row, "statements")
    try:
        frozen = tuple(Statement.from_dict(s) for s in statements)
    except (TypeError, KeyError, ValueError, AttributeError):
        frozen = ()
    if not frozen or any(
        type(s.number) is not int or s.number != n or not isinstance(s.text, str)
        for n, s in enumerate(frozen, start=1)
    ):
        raise DamagedRow("session", row["id"], "its statements are not a numbered list of statements")
    return Session(
        id=row["id"],
        label=row["label"],
        cohort=row["cohort"],
        setting=row["setting"],
        location=row["location"],
        date=row["date"],
        consultation_id=row["consultation_id"],
        consultation=row.get("consultation_title") or "",
        facilitators=tuple(facilitators),
        participants=row["participants"],
        male=row["male"],
        female=row["female"],
        statement_set_id=row["statement_set_id"],
        statement_set_title=row["statement_set_title"],
        scale=scale,
        statements=frozen,
        closed_at=row["closed_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        device_id=row["device_id"],
        example=bool(row.get("example")),
    )


def _json_column(row: Mapping[str, Any], column: str) -> Any:
    try:
        return json.loads(row[column])
    except (TypeError, ValueError, RecursionError):
        verb = "is" if column == "scale" else "are"
        raise DamagedRow("session", row["id"], f"its {column} {verb} not JSON") from None


def _scale(row: Mapping[str, Any]) -> Scale:
    items = _json_column(row, "scale")
    try:
        scale = Scale.from_list(items)
    except (TypeError, KeyError, AttributeError):
        scale = Scale(())
    keys = scale.keys
    if not 2 <= len(keys) <= 9 or len(set(keys)) != len(keys):
        raise DamagedRow("session", row["id"], "its scale is not a list of 2 to 9 categories")
    return scale


class ConsultationRepository:
    """Consultations: the projects that group sessions."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def all(self) -> list[Consultation]:
        rows = self._store.db.query(
            "SELECT id, title FROM consultations WHERE deleted_at IS NULL ORDER BY created_at"
        )
        return [Consultation(r["id"], r["title"]) for r in rows]

    def find(self, title: str) -> Consultation | None:
        """The consultation with this title (ignoring case and spacing), if any."""
        wanted = " ".join(title.split()).casefold()
        for consultation in self.all():
            if consultation.title.casefold() == wanted:
                return consultation
        return None

    def named(self, title: str) -> Consultation:
        """The consultation with this title (as `find`), or NotFound naming the ones there are."""
        found = self.find(title)
        if found is None:
            known = ", ".join(repr(c.title) for c in self.all()) or "none yet"
            raise NotFound(f"unknown consultation {title!r} (known: {known})")
        return found

    def ensure(self, writer: Writer, title: str) -> str | None:
        """The id of the consultation with this title, created if new; None for no title."""
        title = " ".join(title.split())
        if not title:
            return None
        existing = self.find(title)
        if existing:
            return existing.id
        return str(writer.insert("consultations", {"title": title})["id"])

    def delete_if_unused(self, consultation_id: str) -> bool:
        """Tombstone a consultation with its codebook and pools once no live session belongs to it."""
        with self._store.write() as writer:
            used = writer.execute(
                "SELECT 1 FROM sessions WHERE consultation_id = ? AND deleted_at IS NULL LIMIT 1",
                [consultation_id],
            ).fetchone()
            if used is not None:
                return False
            for table in ("chart_pools", "themes"):
                writer.tombstone_where(table, "consultation_id = ? AND deleted_at IS NULL", [consultation_id])
            writer.tombstone("consultations", consultation_id)
        return True


class SessionRepository:
    """Sessions: one focus group each, with its statements frozen when it was created."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def create(
        self, statement_set: StatementSet, details: SessionDetails, *, example: bool = False
    ) -> Session:
        """Create a session, freezing the set's statements and scale as they are now.

        `example` marks a session of the example consultation: it never leaves in a bundle.
        """
        details = details.validated()
        with self._store.write() as writer:
            row = self._detail_columns(writer, details)
            self._refuse_duplicate_label(writer, row["label"], row["consultation_id"], None)
            row.update(
                statement_set_id=statement_set.id,
                statement_set_title=statement_set.title,
                scale=json.dumps(statement_set.scale.to_list()),
                statements=json.dumps([s.to_dict() for s in statement_set.statements]),
                example=int(example),
            )
            session_id = writer.insert("sessions", row)["id"]
        return self.get(session_id)

    def _detail_columns(self, writer: Writer, details: SessionDetails) -> dict[str, Any]:
        """The session columns a person edits, from validated details."""
        return {
            "consultation_id": self._store.consultations.ensure(writer, details.consultation),
            "label": details.label,
            "cohort": details.cohort,
            "setting": details.setting,
            "location": details.location,
            "date": details.date,
            "facilitators": json.dumps(list(details.facilitators)),
            "participants": details.participants,
            "male": details.male,
            "female": details.female,
        }

    @staticmethod
    def _refuse_duplicate_label(
        writer: Writer, label: str, consultation_id: str | None, session_id: str | None
    ) -> None:
        """Refuse a label another live session of the same consultation (or of none) has.

        Charts name their groups by session label, so two alike would be indistinguishable.
        """
        rows = writer.execute(
            "SELECT id, label FROM sessions WHERE deleted_at IS NULL AND consultation_id IS ?",
            [consultation_id],
        ).fetchall()
        wanted = label.casefold()
        if any(row[1].casefold() == wanted and row[0] != session_id for row in rows):
            where = "in this consultation" if consultation_id else "without a consultation"
            raise FacilitatorError(
                f"a session labelled {label!r} already exists {where}: give this one another label "
                "(charts tell sessions apart by label)"
            )

    def update(self, session_id: str, details: SessionDetails) -> Session:
        """Change a session's details; its statements and scale stay frozen."""
        details = details.validated()
        session = self.get(session_id)
        with self._store.write() as writer:
            row = self._detail_columns(writer, details)
            self._refuse_duplicate_label(writer, row["label"], row["consultation_id"], session.id)
            moved = (row["consultation_id"], row["date"]) != (session.consultation_id, session.date)
            if moved:
                # Its text and its consultation's leave with the maps of the consultation's
                # sessions, the earliest first: rows whose outgoing text may change go again.
                words = self._mapped_words(session.consultation_id, row["consultation_id"], session.id)
                restamp_mentions(self._store, writer, session.id, words)
            writer.update("sessions", session.id, row)
            if moved:
                restamp_mentions(self._store, writer, session.id, words)
        return self.get(session.id)

    def _hand_over_map(self, writer: Writer, session: Session, own_map: list[tuple[str, str]]) -> None:
        """After a session of a consultation is deleted: its map's words that rows staying
        here still hold go on being changed the same way, so that no such row leaves with
        the real name. The consultation's earliest live session takes each word no live
        session maps; a word another session maps differently stamps those rows again."""
        if session.consultation_id is None or not own_map:
            return
        others = [
            str(row[0])
            for row in self._store.db.execute(
                """SELECT id FROM sessions WHERE consultation_id = ? AND deleted_at IS NULL AND id != ?
                   ORDER BY date, created_at, id""",
                [session.consultation_id, session.id],
            )
        ]
        if not others:
            return
        marks = ", ".join("?" * len(others))
        mapped = {
            map_key(str(real)): (str(sid), str(changed))
            for sid, real, changed in self._store.db.execute(
                f"""SELECT session_id, real, changed FROM pseudonyms
                    WHERE deleted_at IS NULL AND session_id IN ({marks})
                    ORDER BY created_at DESC""",
                others,
            )
        }
        for real, changed in own_map:
            if not mentioned(self._store, session.id, [real]):
                continue
            held = mapped.get(map_key(real))
            if held is None:
                writer.insert("pseudonyms", {"session_id": others[0], "real": real, "changed": changed})
            elif held[1] != changed:
                restamp_mentions(self._store, writer, session.id, [real])

    def _mapped_words(self, before: str | None, after: str | None, session_id: str) -> list[str]:
        """The real words of the maps of a session and of the sessions of two consultations."""
        rows = self._store.db.execute(
            """SELECT real FROM pseudonyms WHERE deleted_at IS NULL AND (session_id = ?
               OR session_id IN (SELECT id FROM sessions WHERE consultation_id IN (?, ?)))""",
            [session_id, before, after],
        ).fetchall()
        return sorted({str(row[0]) for row in rows})

    def get(self, ref: str) -> Session:
        """A live session by its id or a unique prefix of it (at least 4 characters)."""
        ref = ref.strip()
        db = self._store.db
        rows = list(
            db.query(SESSION_SELECT + " WHERE sessions.id = ? AND sessions.deleted_at IS NULL", [ref])
        )
        if not rows and len(ref) >= SESSION_PREFIX_MIN:
            rows = list(
                db.query(
                    SESSION_SELECT + " WHERE sessions.id LIKE ? ESCAPE '\\' AND sessions.deleted_at IS NULL",
                    [ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"],
                )
            )
            if len(rows) > 1:
                raise FacilitatorError(f"session id {ref!r} is ambiguous: give more of it")
        if not rows:
            if 0 < len(ref) < SESSION_PREFIX_MIN:
                raise NotFound(
                    f"unknown session {ref!r}: give at least {SESSION_PREFIX_MIN} characters of its id "
                    "('facilitator session list' shows the ids)"
                )
            raise NotFound(f"unknown session {ref!r}: 'facilitator session list' shows the sessions")
        return session_from_row(rows[0])

    def all(self, consultation_id: str | None = None) -> list[Session]:
        """Live sessions in the order they took place (date, then creation)."""
        where, params = "sessions.deleted_at IS NULL", []
        if consultation_id is not None:
            where += " AND sessions.consultation_id = ?"
            params.append(consultation_id)
        rows = self._store.db.query(
            SESSION_SELECT + f" WHERE {where} ORDER BY sessions.date, sessions.created_at", params
        )
        return self._store.damaged.keep(rows, session_from_row)

    def by_ids(self, session_ids: Sequence[str]) -> dict[str, Session]:
        """The sessions with these ids, deleted ones too; a damaged one is left out (and noted)."""
        ids = list(dict.fromkeys(session_ids))
        found: dict[str, Session] = {}
        for start in range(0, len(ids), QUERY_CHUNK):
            chunk = ids[start : start + QUERY_CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self._store.db.query(SESSION_SELECT + f" WHERE sessions.id IN ({marks})", chunk)
            found.update((s.id, s) for s in self._store.damaged.keep(rows, session_from_row))
        return found

    def examples(self) -> list[Session]:
        """The live sessions marked as examples, in the order they took place."""
        return [s for s in self.all() if s.example]

    def summaries(self) -> list[SessionSummary]:
        """Every live session with its post-it count and its last change.

        Where each stands on its way to the office is `facilitator.sync.status`'s to say.
        """
        last_postit = {
            row["session_id"]: row["last"]
            for row in self._store.db.query(
                "SELECT session_id, MAX(updated_at) AS last FROM postits GROUP BY session_id"
            )
        }
        sessions = self.all()
        # Counted as the charts count them: a damaged post-it is left out (and reported).
        counts = self._store.postits.counts_by_session([s.id for s in sessions])
        stubs = self._store.session_sync.purged_stubs()
        summaries = []
        for session in sessions:
            n = sum(sum(by_key.values()) for by_key in counts.get(session.id, {}).values())
            stub = stubs.get(session.id)
            if stub is not None and isinstance(stub.get("postits"), int):
                n = stub["postits"]
            last_change = max(session.updated_at, last_postit.get(session.id) or "")
            summaries.append(SessionSummary(session, n, last_change, stub))
        return summaries

    def close(self, session_id: str) -> Session:
        """Mark a session closed (its exercise is over); post-its can still be corrected."""
        session = self.get(session_id)
        with self._store.write() as writer:
            writer.update("sessions", session.id, {"closed_at": writer.now()})
        return self.get(session.id)

    def reopen(self, session_id: str) -> Session:
        session = self.get(session_id)
        with self._store.write() as writer:
            writer.update("sessions", session.id, {"closed_at": None})
        return self.get(session.id)

    def delete(self, session_id: str) -> Session:
        """Tombstone a session and every row that belongs to it (post-its, notes, roster …)."""
        session = self.get(session_id)
        with self._store.write() as writer:
            own_map = self._store.db.execute(
                "SELECT real, changed FROM pseudonyms WHERE session_id = ? AND deleted_at IS NULL",
                [session.id],
            ).fetchall()
            writer.tombstone("sessions", session.id)
            for table in writer.table_names():
                if table != "sessions" and {"session_id", "deleted_at"} <= writer.columns(table):
                    writer.tombstone_where(table, "session_id = ?", [session.id])
            self._hand_over_map(writer, session, [(str(r), str(c)) for r, c in own_map])
            self._store.session_sync.blank_purged(writer, session.id)
        return session
