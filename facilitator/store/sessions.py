"""Sessions and the consultations that group them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.core.statements import Scale, Statement, StatementSet
from facilitator.store.records import (
    SESSION_PREFIX_MIN,
    Consultation,
    Session,
    SessionDetails,
    SessionSummary,
)
from facilitator.store.sync_state import unsent_sessions
from facilitator.store.writer import Writer

if TYPE_CHECKING:
    from facilitator.store.database import Store

SESSION_SELECT = """
    SELECT sessions.*, consultations.title AS consultation_title
    FROM sessions LEFT JOIN consultations ON consultations.id = sessions.consultation_id
"""


def session_from_row(row: Mapping[str, Any]) -> Session:
    """A session record from its row, or a clear error if the row does not parse."""
    try:
        return Session(
            id=row["id"],
            label=row["label"],
            cohort=row["cohort"],
            setting=row["setting"],
            location=row["location"],
            date=row["date"],
            consultation_id=row["consultation_id"],
            consultation=row.get("consultation_title") or "",
            facilitators=tuple(json.loads(row["facilitators"])),
            participants=row["participants"],
            male=row["male"],
            female=row["female"],
            statement_set_id=row["statement_set_id"],
            statement_set_title=row["statement_set_title"],
            scale=Scale.from_list(json.loads(row["scale"])),
            statements=tuple(Statement(**s) for s in json.loads(row["statements"])),
            closed_at=row["closed_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            device_id=row["device_id"],
        )
    except (ValueError, KeyError, TypeError, AttributeError, FacilitatorError):
        raise FacilitatorError(
            f"session {str(row.get('id'))[:8]!r} in the database cannot be read: its stored "
            "statements, scale or facilitators are damaged"
        ) from None


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

    def ensure(self, writer: Writer, title: str) -> str | None:
        """The id of the consultation with this title, created if new; None for no title."""
        title = " ".join(title.split())
        if not title:
            return None
        existing = self.find(title)
        if existing:
            return existing.id
        return str(writer.insert("consultations", {"title": title})["id"])


class SessionRepository:
    """Sessions: one focus group each, with its statements frozen when it was created."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, statement_set: StatementSet, details: SessionDetails) -> Session:
        """Create a session, freezing the set's statements and scale as they are now."""
        details = details.validated()
        with self._store.write() as writer:
            row = self._detail_columns(writer, details)
            self._refuse_duplicate_label(writer, row["label"], row["consultation_id"], None)
            row.update(
                statement_set_id=statement_set.id,
                statement_set_title=statement_set.title,
                scale=json.dumps(statement_set.scale.to_list()),
                statements=json.dumps([s.to_dict() for s in statement_set.statements]),
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
            writer.update("sessions", session.id, row)
        return self.get(session.id)

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
        return [session_from_row(r) for r in rows]

    def summaries(self) -> list[SessionSummary]:
        """Every live session with its post-it count and whether its changes have left this device.

        A session is sent when no row of it written here (the session, its post-its,
        roster, notes and their tags) is newer than this device's last export; rows
        imported from other devices never make it unsent.
        """
        counts = {
            row["session_id"]: (row["n"], row["last"])
            for row in self._store.db.query(
                """SELECT session_id, SUM(deleted_at IS NULL) AS n, MAX(updated_at) AS last
                   FROM postits GROUP BY session_id"""
            )
        }
        unsent = unsent_sessions(self._store)
        summaries = []
        for session in self.all():
            n, last = counts.get(session.id, (0, ""))
            last_change = max(session.updated_at, last or "")
            summaries.append(SessionSummary(session, int(n or 0), last_change, session.id not in unsent))
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
            writer.tombstone("sessions", session.id)
            for table in writer.table_names():
                if table != "sessions" and {"session_id", "deleted_at"} <= writer.columns(table):
                    writer.tombstone_where(table, "session_id = ?", [session.id])
        return session
