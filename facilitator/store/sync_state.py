"""What sync reads and writes in the database, as `store.sync`.

The rules of sync live in `facilitator.sync`: which rows a bundle carries, which
version of a row wins a merge, which conflicts a person sees. Every SQL statement
they need is here: the synced tables and their columns, the rows this device
changed since a mark, the bundle log (`sync_bundles`), the sync marks in `meta`,
rows merged from another device, and the versions that lost (`sync_conflicts`).
The versions that lost stay on the device that recorded them: they never travel.

Rows from another device are written as they come, with the stamps they carry:
those stamps are copied, never made here. A person resolving a conflict is a local
write, stamped by the `Writer` like any other.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from facilitator.core.errors import NotFound
from facilitator.store.connection import Database, quote
from facilitator.store.migrations import SYNCED_TABLES
from facilitator.store.writer import CONFLICTS, Writer

if TYPE_CHECKING:
    from facilitator.store.database import Store

# A value of one column, as SQLite holds it and a bundle carries it.
Value = str | int | float | None
# One row, its columns in the order the caller asked for (the id first).
Row = tuple[Value, ...]

BUNDLES = "sync_bundles"
META_LAST_EXPORT = "last_export_at"
META_CLOCK_FLOOR = "clock_floor"
META_SEQUENCE = "sync_export_sequence"
META_SINCE = "sync_export_since"
# Values bound per query: well under SQLite's limit on bound parameters.
CHUNK = 500
# Columns the Writer stamps: a resolution never copies them from the other version.
STAMPED = frozenset({"id", "created_at", "updated_at", "device_id"})
CONFLICT_COLUMNS = (
    "id",
    "table_name",
    "row_id",
    "version",
    "created_at",
    "updated_at",
    "device_id",
    "deleted_at",
)

# What the schema queries read through: the database, or a write transaction open on it.
Connection = Database | Writer


def _listed(columns: Iterable[str]) -> str:
    return ", ".join(quote(c) for c in columns)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def table_columns(db: Connection, table: str) -> list[str]:
    """A table's columns as the database has them now (empty if there is no such table)."""
    return [row[1] for row in db.execute(f"PRAGMA table_info({quote(table)})").fetchall()]


def synced_tables(db: Connection) -> list[str]:
    """The synced tables this database has, parents first."""
    existing = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [t for t in SYNCED_TABLES if t in existing]


def _foreign_keys(db: Connection, table: str) -> list[tuple[str, str, str]]:
    """(parent table, column here, column there) for each synced parent of a table."""
    keys = []
    for row in db.execute(f"PRAGMA foreign_key_list({quote(table)})").fetchall():
        parent, here, there = row[2], row[3], row[4] or "id"
        if parent in SYNCED_TABLES:
            keys.append((parent, here, there))
    return keys


def canonical(columns: Sequence[str], row: Sequence[Value]) -> str:
    """One version of a row as text: the same on every device, whatever its column order."""
    return json.dumps(
        dict(zip(columns, row, strict=True)), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def version_row(table: str, columns: Sequence[str], row: Sequence[Value]) -> list[Value]:
    """The sync_conflicts row for one version of a row: recording the same version twice makes one row.

    Its id is a hash of the version, and its stamps are the version's own (copied).
    """
    version = canonical(columns, row)
    values = dict(zip(columns, row, strict=True))
    key = hashlib.sha256(f"{table}\x00{values['id']}\x00{version}".encode()).hexdigest()
    return [
        key,
        table,
        values["id"],
        version,
        values["updated_at"],
        values["updated_at"],
        values["device_id"],
        None,
    ]


class SyncRepository:
    """The rows, marks and logs that sync reads and writes."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -------------------------------------------------------- the schema

    def tables(self) -> list[str]:
        """The synced tables this database has, parents first."""
        return synced_tables(self._store.db)

    def columns(self, table: str) -> list[str]:
        """A table's columns as the database has them now (empty if there is no such table)."""
        return table_columns(self._store.db, table)

    def parents(self, table: str) -> list[tuple[str, str, str]]:
        """(parent table, column here, column there) for each synced parent of a table."""
        return _foreign_keys(self._store.db, table)

    # -------------------------------------------------------- what this device changed

    def has_changes(self, since: str) -> bool:
        """Whether this device wrote a synced row after `since` that a bundle would carry
        (not one of the example's)."""
        return self.count_changes(since, stop_at_one=True) > 0

    def count_changes(self, since: str, *, stop_at_one: bool = False) -> int:
        """How many synced rows this device wrote after `since` that a bundle would carry:
        the example's rows stay here, so they are not counted."""
        store = self._store
        left_out = self.example_rows()
        count = 0
        for table in self.tables():
            where = f"FROM {quote(table)} WHERE device_id = ? AND updated_at > ?"
            params = [store.device_id, since]
            if left_out.get(table):
                ids = [row[0] for row in store.db.execute(f"SELECT id {where}", params)]
                count += sum(row_id not in left_out[table] for row_id in ids)
            elif stop_at_one:
                count += store.db.execute(f"SELECT 1 {where} LIMIT 1", params).fetchone() is not None
            else:
                count += int(store.db.execute(f"SELECT COUNT(*) {where}", params).fetchone()[0])
            if stop_at_one and count:
                return count
        return count

    def changed_rows(self, table: str, columns: Sequence[str], since: str) -> dict[Value, Row]:
        """Rows of a table this device wrote after `since` (tombstones too), by id.

        Of `devices`, always this device's own row as well.
        """
        device_id = self._store.device_id
        where, params = "device_id = ? AND updated_at > ?", [device_id, since]
        if table == "devices":
            where, params = f"({where}) OR (id = ? AND device_id = ?)", [*params, device_id, device_id]
        return self._select(table, columns, where, params)

    def all_rows(self, table: str, columns: Sequence[str]) -> dict[Value, Row]:
        """Every row of a table, tombstones too, by id."""
        return self._select(table, columns, "1", [])

    def own_rows(self, table: str, columns: Sequence[str]) -> dict[Value, Row]:
        """Every row of a table this device wrote last, tombstones too, by id."""
        return self._select(table, columns, "device_id = ?", [self._store.device_id])

    def rows_of_sessions(self, device_id: str) -> dict[str, list[tuple[str, list[str], Row]]]:
        """Every row (tombstones too) that a device wrote last and that belongs to a session,
        grouped by session id: the session's own row, rows with a `session_id` (post-its,
        roster, notes, session themes, ...) and rows whose parent has one (a note's theme tags).

        Each row comes as (table, its columns in table order, the row), tables parents first.
        """
        grouped: dict[str, list[tuple[str, list[str], Row]]] = {}
        db = self._store.db
        for table in self.tables():
            columns = self.columns(table)
            listed = ", ".join(f"t.{quote(c)}" for c in columns)
            if table == "sessions" or "session_id" in columns:
                column = "id" if table == "sessions" else "session_id"
                queries = [f"SELECT t.{column}, {listed} FROM {quote(table)} AS t WHERE t.device_id = ?"]
            else:
                queries = [
                    f"SELECT p.session_id, {listed} FROM {quote(table)} AS t "
                    f"JOIN {quote(parent)} AS p ON p.{quote(there)} = t.{quote(here)} WHERE t.device_id = ?"
                    for parent, here, there in self.parents(table)
                    if "session_id" in self.columns(parent)
                ]
            for query in queries:
                for found in db.execute(query, [device_id]):
                    if found[0] is not None:
                        grouped.setdefault(str(found[0]), []).append((table, columns, tuple(found[1:])))
        return grouped

    def example_rows(self) -> dict[str, set[Value]]:
        """The ids, by table, of every row (tombstones too) that belongs to an example session
        or to a consultation only example sessions ever had: rows no bundle carries."""
        db = self._store.db
        examples = {row[0] for row in db.execute("SELECT id FROM sessions WHERE example = 1")}
        if not examples:
            return {}
        left: dict[str, set[Value]] = {"sessions": examples}
        left["consultations"] = {
            row[0]
            for row in db.execute(
                """SELECT DISTINCT consultation_id FROM sessions WHERE example = 1
                   AND consultation_id IS NOT NULL AND consultation_id NOT IN (
                       SELECT consultation_id FROM sessions
                       WHERE example = 0 AND consultation_id IS NOT NULL)"""
            )
        }
        for table in self.tables():  # parents first, so a grandchild's parent is known
            if table in left:
                continue
            links = [(here, parent) for parent, here, there in self.parents(table) if there == "id"]
            listed = ", ".join(quote(here) for here, _parent in links)
            found: set[Value] = set()
            if links:
                for row in db.execute(f"SELECT id, {listed} FROM {quote(table)}"):
                    if any(
                        value in left.get(parent, ())
                        for value, (_h, parent) in zip(row[1:], links, strict=True)
                    ):
                        found.add(row[0])
            if table == "chart_pools":
                for pool_id, session_ids in db.execute("SELECT id, session_ids FROM chart_pools"):
                    try:
                        members = set(json.loads(session_ids))
                    except (TypeError, ValueError):
                        continue
                    if members & examples:
                        found.add(pool_id)
            if found:
                left[table] = found
        return left

    def rows_by_id(
        self, table: str, columns: Sequence[str], ids: Iterable[Value], *, own: bool = False
    ) -> dict[Value, Row]:
        """The rows of a table with these ids (those that exist), by id; with `own`, only
        those this device wrote last."""
        wanted = list(ids)
        found: dict[Value, Row] = {}
        mine = " AND device_id = ?" if own else ""
        for start in range(0, len(wanted), CHUNK):
            part: list[Value] = list(wanted[start : start + CHUNK])
            params = [*part, self._store.device_id] if own else part
            found.update(self._select(table, columns, f"id IN ({_marks(len(part))}){mine}", params))
        return found

    def row(self, table: str, row_id: Value) -> dict[str, Value] | None:
        """One row of a table as column: value, or None."""
        columns = self.columns(table)
        found = self._store.db.execute(
            f"SELECT {_listed(columns)} FROM {quote(table)} WHERE id = ?", [row_id]
        ).fetchone()
        return None if found is None else dict(zip(columns, found, strict=True))

    def absent(self, table: str, column: str, values: Iterable[Value]) -> list[Value]:
        """Those of `values` that no row of `table` holds in `column`, in the order given."""
        wanted = list(values)
        name = quote(column)
        missing: list[Value] = []
        for start in range(0, len(wanted), CHUNK):
            part = wanted[start : start + CHUNK]
            sql = f"SELECT {name} FROM {quote(table)} WHERE {name} IN ({_marks(len(part))})"
            found = {row[0] for row in self._store.db.execute(sql, part).fetchall()}
            missing.extend(value for value in part if value not in found)
        return missing

    def dump(self) -> dict[str, list[Row]]:
        """Every synced row, its columns sorted by name, rows by id."""
        dump = {}
        for table in self.tables():
            columns = sorted(self.columns(table))
            dump[table] = [
                tuple(row)
                for row in self._store.db.execute(
                    f"SELECT {_listed(columns)} FROM {quote(table)} ORDER BY id"
                )
            ]
        return dump

    def _select(
        self, table: str, columns: Sequence[str], where: str, params: Sequence[Value]
    ) -> dict[Value, Row]:
        id_at = list(columns).index("id")
        cursor = self._store.db.execute(
            f"SELECT {_listed(columns)} FROM {quote(table)} WHERE {where}", list(params)
        )
        return {row[id_at]: tuple(row) for row in cursor}

    # -------------------------------------------------------- the bundle log and marks

    def bundle_direction(
        self, *, file_sha256: str | None = None, payload_sha256: str | None = None
    ) -> str | None:
        """'out' for a bundle made here, 'in' for one imported, None for one never seen.

        Give the hash of the file, or of its payload (the same rows in another file).
        """
        column, value = (
            ("file_sha256", file_sha256) if file_sha256 is not None else ("payload_sha256", payload_sha256)
        )
        row = self._store.db.execute(
            f"SELECT direction FROM {BUNDLES} WHERE {column} = ? LIMIT 1", [value]
        ).fetchone()
        return None if row is None else str(row[0])

    def sender(self, file_sha256: str) -> str | None:
        """The device a bundle imported here came from, by the hash of its file."""
        row = self._store.db.execute(
            f"SELECT device_id FROM {BUNDLES} WHERE file_sha256 = ? AND direction = 'in' LIMIT 1",
            [file_sha256],
        ).fetchone()
        return None if row is None else str(row[0])

    def record_export(
        self,
        writer: Writer,
        *,
        sequence: int,
        at: str,
        since: str,
        file_sha256: str,
        payload_sha256: str,
        name: str,
    ) -> None:
        """Log a bundle made here and move the marks the next export starts from.

        `at` is the bundle's stamp (the last export); `since` is where the next one
        starts reading.
        """
        self._put(writer, META_SEQUENCE, str(sequence))
        self._put(writer, META_SINCE, since)
        self._put(writer, META_LAST_EXPORT, at)
        self.raise_clock_floor(writer, at)
        writer.execute(
            f"""INSERT OR REPLACE INTO {BUNDLES}
               (file_sha256, payload_sha256, direction, device_id, sequence, name, at)
               VALUES (?, ?, 'out', ?, ?, ?, ?)""",
            [file_sha256, payload_sha256, self._store.device_id, sequence, name, at],
        )

    def record_import(
        self,
        writer: Writer,
        *,
        file_sha256: str,
        payload_sha256: str,
        device_id: str,
        sequence: int,
        name: str,
        counts: tuple[int, int, int, int],
    ) -> None:
        """Log a bundle imported here with what it did: (added, updated, unchanged, conflicted)."""
        writer.execute(
            f"""INSERT OR REPLACE INTO {BUNDLES} (file_sha256, payload_sha256, direction, device_id,
               sequence, name, at, added, updated, unchanged, conflicted)
               VALUES (?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?)""",
            [file_sha256, payload_sha256, device_id, sequence, name, writer.now(), *counts],
        )

    def imports_by_device(self) -> dict[str, tuple[int, str]]:
        """Per device, how many of its bundles were imported here and when the last one was."""
        rows = self._store.db.execute(
            f"SELECT device_id, COUNT(*), MAX(at) FROM {BUNDLES} WHERE direction = 'in' GROUP BY device_id"
        ).fetchall()
        return {str(device): (int(count), str(last)) for device, count, last in rows}

    def raise_clock_floor(self, writer: Writer, stamp: str) -> None:
        """Never let this device stamp below `stamp` again, even after a restart."""
        writer.execute(
            """INSERT INTO meta (key, value) VALUES (?, ?)
               ON CONFLICT(key) DO UPDATE SET value = MAX(value, excluded.value)""",
            [META_CLOCK_FLOOR, stamp],
        )

    def _put(self, writer: Writer, key: str, value: str) -> None:
        self._store.meta.put(writer, key, value)

    # -------------------------------------------------------- merging another device's rows

    def defer_foreign_keys(self, writer: Writer) -> None:
        """Check foreign keys at commit rather than per row (parents may come after children)."""
        writer.execute("PRAGMA defer_foreign_keys = ON")

    def insert_rows(
        self, writer: Writer, table: str, columns: Sequence[str], rows: Iterable[Sequence[Value]]
    ) -> None:
        """Add rows from another device as they are, stamps included."""
        writer.executemany(
            f"INSERT INTO {quote(table)} ({_listed(columns)}) VALUES ({_marks(len(columns))})", rows
        )

    def replace_rows(
        self, writer: Writer, table: str, columns: Sequence[str], rows: Iterable[Sequence[Value]]
    ) -> None:
        """Overwrite rows by id with another device's versions, stamps included."""
        id_at = columns.index("id")
        others = [i for i, c in enumerate(columns) if c != "id"]
        assign = ", ".join(f"{quote(columns[i])} = ?" for i in others)
        writer.executemany(
            f"UPDATE {quote(table)} SET {assign} WHERE id = ?",
            ([row[i] for i in others] + [row[id_at]] for row in rows),
        )

    def record_versions(
        self, writer: Writer, table: str, columns: Sequence[str], versions: Iterable[Sequence[Value]]
    ) -> None:
        """Keep versions of rows that lost a merge, for a person here (once each: the same version
        makes the same row)."""
        self._keep(writer, [version_row(table, columns, v) for v in versions])

    def _keep(self, writer: Writer, rows: Iterable[Sequence[Value]]) -> None:
        writer.executemany(
            f"INSERT OR IGNORE INTO {CONFLICTS} ({_listed(CONFLICT_COLUMNS)}) "
            f"VALUES ({_marks(len(CONFLICT_COLUMNS))})",
            rows,
        )

    # -------------------------------------------------------- conflicts

    def has_open_conflicts(self) -> bool:
        """Whether any recorded version is still unresolved."""
        found = self._store.db.execute(f"SELECT 1 FROM {CONFLICTS} WHERE deleted_at IS NULL LIMIT 1")
        return found.fetchone() is not None

    def conflicted_rows(self) -> list[tuple[str, str]]:
        """(table, row id) of each row with an unresolved version, sorted."""
        return [
            (str(table), str(row_id))
            for table, row_id in self._store.db.execute(
                f"SELECT DISTINCT table_name, row_id FROM {CONFLICTS} "
                "WHERE deleted_at IS NULL ORDER BY table_name, row_id"
            ).fetchall()
        ]

    def versions(self, table: str, row_id: str) -> list[tuple[str, str, str | None]]:
        """(id, recorded version as text, resolved at) of every version recorded for a row."""
        return [
            (str(entry_id), text, deleted)
            for entry_id, text, deleted in self._store.db.execute(
                f"SELECT id, version, deleted_at FROM {CONFLICTS} WHERE table_name = ? AND row_id = ?",
                [table, row_id],
            ).fetchall()
        ]

    def resolve(self, table: str, row_id: str, take: Mapping[str, Value] | None = None) -> None:
        """A person settles a row's conflicts: every open version of it is marked resolved.

        With `take`, the row first gets those values as a new edit made here, and the
        version it had is kept (resolved) so that no device loses it.
        """
        with self._store.write() as writer:
            if take is not None:
                current = self.row(table, row_id)
                if current is None:
                    raise NotFound(f"{table} row {row_id} no longer exists")
                version = version_row(table, list(current), list(current.values()))
                self._keep(writer, [version])
                writer.update(CONFLICTS, str(version[0]), {"deleted_at": writer.now()})
                taken = {c: v for c, v in take.items() if c in current and c not in STAMPED}
                writer.update(table, row_id, taken)
            writer.tombstone_where(CONFLICTS, "table_name = ? AND row_id = ?", [table, row_id])

    # -------------------------------------------------------- what a conflict is about

    def session_label(self, session_id: Value) -> str | None:
        """A session's label, or None if there is no such session."""
        return self._scalar("SELECT label FROM sessions WHERE id = ?", session_id)

    def session_of_note(self, note_id: Value) -> str | None:
        """The session a note belongs to, or None."""
        return self._scalar("SELECT session_id FROM notes WHERE id = ?", note_id)

    def theme_name(self, theme_id: Value) -> str | None:
        """A theme's name, or None."""
        return self._scalar("SELECT name FROM themes WHERE id = ?", theme_id)

    def _scalar(self, query: str, value: Value) -> str | None:
        row = self._store.db.execute(query, [value]).fetchone()
        return None if row is None or row[0] is None else str(row[0])
