"""The one write API: every change to a synced row is stamped here, and nowhere else.

A `Writer` is one open write transaction (see `Store.write`). Its `insert`,
`update`, `tombstone` and `restore` stamp `updated_at` (and `created_at` on a new
row) from the store's clock and `device_id` with this device, so that sync's "the
later `(updated_at, device_id)` wins" holds for every row any module writes.

A tombstone blanks the row's text in the same statement (`tombstones.BLANKS`), so
deleted words are gone from the database the moment the delete commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from facilitator.core.clock import Clock, new_id
from facilitator.store.connection import Database, Parameters, quote
from facilitator.store.tombstones import blanks_of

# The local table of versions that lost a merge (see `sync_state`).
CONFLICTS = "sync_conflicts"
# Ids per statement: well under SQLite's limit on bound parameters.
_CHUNK = 500


class Writer:
    """One write transaction, with stamped row operations."""

    def __init__(self, db: Database, clock: Clock, device_id: str) -> None:
        self._db = db
        self.clock = clock
        self.device_id = device_id
        # The latest stamp handed out in this transaction: the store keeps it as the
        # clock's floor, so that no stamp after a restart falls below it.
        self.newest: str | None = None
        # Whether this transaction blanked deleted text: the store then checkpoints the
        # write-ahead log, so the text leaves the log as well as the database.
        self.erased = False

    def _stamp(self) -> str:
        self.newest = self.clock.now()
        return self.newest

    # -------------------------------------------------------- stamped rows

    def now(self) -> str:
        """A stamp from the store's clock, for values such as `closed_at`."""
        return self._stamp()

    def insert(self, table: str, values: Mapping[str, Any], *, row_id: str | None = None) -> dict[str, Any]:
        """Add a row, stamped as created and last written here now; returns the row as written."""
        stamp = self._stamp()
        row = {
            "id": row_id or new_id(),
            **values,
            "created_at": stamp,
            "updated_at": stamp,
            "device_id": self.device_id,
        }
        self._db.execute(
            f"INSERT INTO {quote(table)} ({', '.join(map(quote, row))}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        return row

    def insert_many(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Add many rows with one prepared statement, each stamped; returns how many.

        Each row gives its `id` first, then the values of `columns`.
        """
        names = ["id", *columns, "created_at", "updated_at", "device_id"]
        marks = ", ".join("?" * len(names))
        sql = f"INSERT INTO {quote(table)} ({', '.join(map(quote, names))}) VALUES ({marks})"
        stamped = []
        for row in rows:
            stamp = self._stamp()
            stamped.append((*row, stamp, stamp, self.device_id))
        self._db.executemany(sql, stamped)
        return len(stamped)

    def update(self, table: str, row_id: str, values: Mapping[str, Any]) -> None:
        """Change some columns of a row, stamped as last written here now."""
        self.update_where(table, values, "id = ?", [row_id])

    def update_where(self, table: str, values: Mapping[str, Any], where: str, params: Sequence[Any]) -> int:
        """Change some columns of every row that matches, each stamped; returns how many."""
        row = {**values, "updated_at": self._stamp(), "device_id": self.device_id}
        cursor = self._db.execute(
            f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = ?' for c in row)} WHERE {where}",
            [*row.values(), *params],
        )
        return int(cursor.rowcount)

    def tombstone(self, table: str, row_id: str) -> None:
        """Delete a row the way sync can carry: mark it deleted and blank its text, keep the row.

        The versions of it kept from merges go too: they hold its old text.
        """
        self.tombstone_where(table, "id = ?", [row_id])

    def tombstone_where(self, table: str, where: str, params: Sequence[Any]) -> int:
        """Tombstone every live row that matches, blanking its text; returns how many."""
        live = f"({where}) AND deleted_at IS NULL"
        ids = [str(row[0]) for row in self._db.execute(f"SELECT id FROM {quote(table)} WHERE {live}", params)]
        if not ids:
            return 0
        blanks = blanks_of(table, self.columns(table))
        count = self.update_where(table, {**blanks, "deleted_at": self._stamp()}, live, params)
        if table != CONFLICTS:
            self.forget_versions(table, ids)
        if blanks:
            self.erased = True
        return count

    def forget_versions(self, table: str, row_ids: Sequence[str]) -> None:
        """Drop the versions of these rows kept from merges (local only, never synced)."""
        for start in range(0, len(row_ids), _CHUNK):
            part = list(row_ids[start : start + _CHUNK])
            cursor = self._db.execute(
                f"DELETE FROM {CONFLICTS} WHERE table_name = ? AND row_id IN ({', '.join('?' * len(part))})",
                [table, *part],
            )
            if cursor.rowcount > 0:
                self.erased = True

    def restore(self, table: str, row_id: str, values: Mapping[str, Any] | None = None) -> None:
        """Bring back a tombstoned row, with the `values` (its text) its tombstone no longer holds."""
        self.update(table, row_id, {**(values or {}), "deleted_at": None})

    # -------------------------------------------------------- within the store

    def execute(self, sql: str, params: Parameters = ()) -> sqlite3.Cursor:
        """Run one statement in this transaction: reads, and tables that are never synced."""
        return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        """Run one prepared statement for many rows in this transaction."""
        return self._db.executemany(sql, rows)

    def table_names(self) -> list[str]:
        return list(self._db.table_names())

    def columns(self, table: str) -> set[str]:
        return set(self._db.columns(table))
