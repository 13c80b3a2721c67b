"""What this laptop knows of each session's journey to the office, as `store.session_sync`.

Local only, never synced: kept in `meta` under `session_sync:<session id>`, as JSON.
For each session it holds

- `exported`: the digest of the session's rows (as the office will hold them) when a
  bundle last carried them, and when;
- `confirmed`: the digest an acknowledgement signed by the trusted office listed for
  the session, and the stamp of that acknowledgement;
- `purged`: the stub kept after the session's rows were removed from this laptop
  (label, date, counts, and since when the office holds it).

Whether a session is `local`, `exported`, `confirmed` or `purged` is decided in
`facilitator.sync.status`, by comparing these digests with the session's digest now.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from facilitator.store.writer import Writer

if TYPE_CHECKING:
    from facilitator.store.database import Store

PREFIX = "session_sync:"
# What a purge stub keeps once its session is deleted: stamps and ids, never its words.
STUB_KEPT_ON_DELETE = ("purged_at", "confirmed_at", "removed_ids")


@dataclass(frozen=True)
class Mark:
    """A digest of a session's rows, and when it was recorded."""

    digest: str
    at: str


@dataclass(frozen=True)
class SessionRecord:
    """What this laptop recorded of one session's sync."""

    exported: Mark | None = None
    confirmed: Mark | None = None
    purged: Mapping[str, Any] | None = field(default=None)


def _mark(value: object) -> Mark | None:
    if isinstance(value, dict) and isinstance(value.get("digest"), str) and isinstance(value.get("at"), str):
        return Mark(value["digest"], value["at"])
    return None


def _record(text: str) -> SessionRecord:
    """A stored record; a damaged one reads as empty (the session then counts as not sent)."""
    try:
        value = json.loads(text)
    except ValueError:
        return SessionRecord()
    if not isinstance(value, dict):
        return SessionRecord()
    purged = value.get("purged")
    return SessionRecord(
        exported=_mark(value.get("exported")),
        confirmed=_mark(value.get("confirmed")),
        purged=purged if isinstance(purged, dict) else None,
    )


def _text(record: SessionRecord) -> str:
    value: dict[str, Any] = {}
    if record.exported is not None:
        value["exported"] = {"digest": record.exported.digest, "at": record.exported.at}
    if record.confirmed is not None:
        value["confirmed"] = {"digest": record.confirmed.digest, "at": record.confirmed.at}
    if record.purged is not None:
        value["purged"] = dict(record.purged)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class SessionSyncRepository:
    """Per session: last exported digest, last confirmed digest, purge stub."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, session_id: str) -> SessionRecord:
        row = self._store.db.execute("SELECT value FROM meta WHERE key = ?", [PREFIX + session_id]).fetchone()
        return SessionRecord() if row is None else _record(str(row[0]))

    def all(self) -> dict[str, SessionRecord]:
        """Every session with a record, by session id."""
        rows = self._store.db.execute(
            "SELECT key, value FROM meta WHERE key >= ? AND key < ? ORDER BY key",
            [PREFIX, PREFIX[:-1] + chr(ord(PREFIX[-1]) + 1)],
        ).fetchall()
        return {str(key)[len(PREFIX) :]: _record(str(value)) for key, value in rows}

    def purged_stubs(self) -> dict[str, dict[str, Any]]:
        """The stub of every purged session, by session id."""
        return {key: dict(record.purged) for key, record in self.all().items() if record.purged is not None}

    def _put(self, writer: Writer, session_id: str, record: SessionRecord) -> None:
        writer.execute(
            """INSERT INTO meta (key, value) VALUES (?, ?)
               ON CONFLICT(key) DO UPDATE SET value = excluded.value""",
            [PREFIX + session_id, _text(record)],
        )

    def record_exported(self, writer: Writer, digests: Mapping[str, str], at: str) -> None:
        """Inside an export's transaction: these sessions' rows, with these digests, left in a bundle."""
        for session_id, digest in digests.items():
            old = self.get(session_id)
            self._put(
                writer,
                session_id,
                SessionRecord(exported=Mark(digest, at), confirmed=old.confirmed, purged=old.purged),
            )

    def record_confirmed(self, writer: Writer, session_id: str, digest: str, at: str) -> None:
        """The trusted office acknowledged holding the session's rows with this digest, at `at`."""
        old = self.get(session_id)
        if old.confirmed is not None and old.confirmed.digest == digest and old.confirmed.at >= at:
            return
        self._put(
            writer,
            session_id,
            SessionRecord(exported=old.exported, confirmed=Mark(digest, at), purged=old.purged),
        )

    def record_purged(self, writer: Writer, session_id: str, stub: Mapping[str, Any]) -> None:
        """The session's rows were removed from this laptop; keep this stub of it."""
        old = self.get(session_id)
        self._put(
            writer,
            session_id,
            SessionRecord(exported=old.exported, confirmed=old.confirmed, purged=dict(stub)),
        )

    def blank_purged(self, writer: Writer, session_id: str) -> None:
        """The session was deleted: its purge stub keeps no word of it (label, cohort,
        consultation, date, counts), only what a merge needs to go on leaving its rows out."""
        old = self.get(session_id)
        if old.purged is None:
            return
        stub = {key: old.purged[key] for key in STUB_KEPT_ON_DELETE if key in old.purged}
        self._put(
            writer, session_id, SessionRecord(exported=old.exported, confirmed=old.confirmed, purged=stub)
        )

    def forget(self, writer: Writer, session_id: str) -> None:
        """Drop a session's record (the session itself is gone)."""
        writer.execute("DELETE FROM meta WHERE key = ?", [PREFIX + session_id])
