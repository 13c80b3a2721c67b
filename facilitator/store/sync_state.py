"""What sync needs to know of the database: its synced tables, and what has not left.

Sync itself (bundles, merging, conflicts) lives in `facilitator.sync`; this module
holds the queries it and the sessions screen make of the schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from facilitator.store.migrations import SYNCED_TABLES
from facilitator.store.sqlite import sqlite_utils
from facilitator.store.writer import Writer

if TYPE_CHECKING:
    from facilitator.store.database import Store

CONFLICTS = "sync_conflicts"
META_LAST_EXPORT = "last_export_at"
META_CLOCK_FLOOR = "clock_floor"

# What the schema queries read through: the database, or a write transaction open on it.
Connection = sqlite_utils.Database | Writer


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_columns(db: Connection, table: str) -> list[str]:
    """A table's columns as the database has them now (empty if there is no such table)."""
    return [row[1] for row in db.execute(f"PRAGMA table_info({_quote(table)})").fetchall()]


def synced_tables(db: Connection) -> list[str]:
    """The synced tables this database has, parents first."""
    existing = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [t for t in SYNCED_TABLES if t in existing]


def _foreign_keys(db: Connection, table: str) -> list[tuple[str, str, str]]:
    """(parent table, column here, column there) for each synced parent of a table."""
    keys = []
    for row in db.execute(f"PRAGMA foreign_key_list({_quote(table)})").fetchall():
        parent, here, there = row[2], row[3], row[4] or "id"
        if parent in SYNCED_TABLES:
            keys.append((parent, here, there))
    return keys


def unsent_sessions(store: Store) -> set[str]:
    """Ids of sessions with changes made on this device that no bundle has carried away yet.

    For the home screen's per-session indicator. A session counts when its own row, a
    row of a synced table with a `session_id` column (post-its, participants, notes, ...),
    or a row whose parent has one (a note's theme tags) was last written here after
    this device's last export. Rows that came from other devices never count.
    """
    since = store.meta.get(META_LAST_EXPORT) or ""
    params = [store.device_id, since]
    found: set[str] = set()
    for query in _session_queries(store.db):
        found.update(row[0] for row in store.db.execute(query, params) if row[0] is not None)
    return found


def _session_queries(db: Connection) -> list[str]:
    """Per synced table, a query for the session ids of its rows written by a device after a stamp."""
    changed = "WHERE t.device_id = ? AND t.updated_at > ?"
    queries = []
    for table in synced_tables(db):
        if table == CONFLICTS:
            continue
        if table == "sessions" or "session_id" in table_columns(db, table):
            column = "id" if table == "sessions" else "session_id"
            queries.append(f"SELECT DISTINCT t.{column} FROM {_quote(table)} AS t {changed}")
            continue
        for parent, here, there in _foreign_keys(db, table):
            if "session_id" in table_columns(db, parent):
                queries.append(
                    f"SELECT DISTINCT p.session_id FROM {_quote(table)} AS t "
                    f"JOIN {_quote(parent)} AS p ON p.{_quote(there)} = t.{_quote(here)} {changed}"
                )
    return queries
