"""The one write API: every change to a synced row is stamped here, and nowhere else.

A `Writer` is one open write transaction (see `Store.write`). Its `insert`,
`update`, `tombstone` and `restore` stamp `updated_at` (and `created_at` on a new
row) from the store's clock and `device_id` with this device, so that sync's "the
later `(updated_at, device_id)` wins" holds for every row any module writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from facilitator.core.clock import Clock, new_id
from facilitator.store.connection import Database, Parameters, quote


class Writer:
    """One write transaction, with stamped row operations."""

    def __init__(self, db: Database, clock: Clock, device_id: str) -> None:
        self._db = db
        self.clock = clock
        self.device_id = device_id
        # The latest stamp handed out in this transaction: the store keeps it as the
        # clock's floor, so that no stamp after a restart falls below it.
        self.newest: str | None = None

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
        """Delete a row the way sync can carry: mark it deleted, keep the row."""
        self.update(table, row_id, {"deleted_at": self._stamp()})

    def tombstone_where(self, table: str, where: str, params: Sequence[Any]) -> int:
        """Tombstone every live row that matches; returns how many."""
        return self.update_where(
            table, {"deleted_at": self._stamp()}, f"({where}) AND deleted_at IS NULL", params
        )

    def restore(self, table: str, row_id: str) -> None:
        """Bring back a tombstoned row."""
        self.update(table, row_id, {"deleted_at": None})

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
