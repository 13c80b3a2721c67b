"""Where each session stands on its way to the office: local, exported, confirmed or purged.

A session's **digest** is a SHA-256 over the rows of the session that one device
wrote last (tombstones too), in the form the office holds them (`outgoing_rows`:
the pseudonym map applied), each as canonical JSON, sorted by table and id. The
laptop computes it over its own rows; the office computes it, per laptop, over the
rows that laptop sent, and lists it in its signed acknowledgement. The two agree
exactly when the office holds what the laptop has now.

- `local`: the session changed here since a bundle last carried it (or never went);
- `exported`: a bundle carried it as it is now, and no acknowledgement confirmed it yet;
- `confirmed`: the trusted office acknowledged holding exactly this, at `confirmed_at`;
- `purged`: its rows were removed from this laptop (`store.session_sync`); `confirmed_at`
  only if the office had confirmed it as it was then (not one purged by force).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from facilitator.store import Store
from facilitator.store.session_sync import SessionRecord
from facilitator.store.sync_state import Row, Value, canonical
from facilitator.sync.outgoing import outgoing_rows

LOCAL = "local"
EXPORTED = "exported"
CONFIRMED = "confirmed"
PURGED = "purged"


@dataclass(frozen=True)
class SessionSync:
    """One session's sync status, with the stamps that go with it."""

    status: str
    exported_at: str | None = None
    confirmed_at: str | None = None
    purged_at: str | None = None


def session_digests(store: Store, device_id: str | None = None) -> dict[str, str]:
    """Per session id, the digest of the rows `device_id` (this device by default) wrote last.

    This device's own rows are taken as they leave it (`outgoing_rows`: the pseudonym
    maps applied); another device's rows as they are held here, which is as they came.
    So the office's digest of a laptop's rows never depends on maps kept at the office.
    """
    device = device_id or store.device_id
    own = device == store.device_id
    digests = {}
    for session_id, rows in store.sync.rows_of_sessions(device).items():
        lines: list[str] = []
        by_table: dict[str, tuple[list[str], dict[Value, Row]]] = {}
        for table, columns, row in rows:
            by_table.setdefault(table, (columns, {}))[1][row[columns.index("id")]] = row
        for table, (columns, found) in by_table.items():
            shown = outgoing_rows(store, table, columns, found) if own else found
            lines.extend(f"{table}\x00{key}\x00{canonical(columns, row)}" for key, row in shown.items())
        digests[session_id] = hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()
    return digests


def session_statuses(store: Store) -> dict[str, SessionSync]:
    """Every session this device wrote rows of (or purged), by id, with its status."""
    records = store.session_sync.all()
    statuses: dict[str, SessionSync] = {}
    for session_id, digest in session_digests(store).items():
        record = records.get(session_id)
        statuses[session_id] = _status(digest, record)
    for session_id, record in records.items():
        if record.purged is not None:
            # Held at the office only if the session was confirmed as it was when purged (the
            # stub says so); one purged by force may hold edits the office never had.
            confirmed_at = record.purged.get("confirmed_at")
            statuses[session_id] = SessionSync(
                PURGED,
                exported_at=record.exported.at if record.exported else None,
                confirmed_at=confirmed_at if isinstance(confirmed_at, str) and confirmed_at else None,
                purged_at=str(record.purged.get("purged_at") or "") or None,
            )
    return statuses


def session_status(store: Store, session_id: str) -> SessionSync:
    """One session's status (`local` for a session with no rows from this device)."""
    return session_statuses(store).get(session_id, SessionSync(LOCAL))


def _status(digest: str, record: SessionRecord | None) -> SessionSync:
    if record is None:
        return SessionSync(LOCAL)
    exported_at = record.exported.at if record.exported else None
    if record.confirmed is not None and record.confirmed.digest == digest:
        return SessionSync(CONFIRMED, exported_at=exported_at, confirmed_at=record.confirmed.at)
    if record.exported is not None and record.exported.digest == digest:
        return SessionSync(EXPORTED, exported_at=exported_at)
    return SessionSync(LOCAL, exported_at=exported_at)
