"""The connection the store works through: a DB-API SQLite connection and a few helpers.

SQLCipher (sqlcipher3, the same interface as sqlite3) does the work, for encrypted
and plain folders alike: without a key it reads and writes plain SQLite files.
This adds rows as dicts, the schema's table and column names, and nothing else.
It replaces sqlite-utils on the way to the first screen, whose import alone cost
more than everything the store does before the sessions screen shows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

from sqlcipher3 import dbapi2 as driver

# The driver's errors: every `except` in the program names these, not sqlite3's.
DatabaseError: type[Exception] = driver.DatabaseError
OperationalError: type[Exception] = driver.OperationalError
IntegrityError: type[Exception] = driver.IntegrityError
InterfaceError: type[Exception] = driver.InterfaceError

Parameters = Sequence[Any] | dict[str, Any]


def quote(name: str) -> str:
    """A table or column name as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def statements(script: str) -> Iterator[str]:
    """The complete statements of a script, split where SQLite says one ends."""
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending
            pending = ""
    if pending.strip(" \t\r\n;"):
        yield pending


def connect(path: Path, key: bytes | None) -> sqlite3.Connection:
    """A connection to the database file, encrypted under `key` when one is given.

    The key is the raw 256-bit data key, so SQLCipher runs no key derivation of its
    own: opening costs no more than opening a plain file.
    """
    conn = cast(sqlite3.Connection, driver.connect(str(path), timeout=30, check_same_thread=False))
    # SQLCipher would print to stderr when a key is wrong; the caller says it in one line instead.
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    # Sorts and temporary tables stay in memory: nothing is written out in plain text.
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


class Database:
    """One open SQLite connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # Freed space is overwritten with zeros, so deleted text cannot be read back from
        # the file. It is a setting of the connection, not of the file: set it on every one.
        self.conn.execute("PRAGMA secure_delete = ON")

    def execute(self, sql: str, params: Parameters = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def executescript(self, script: str) -> sqlite3.Cursor:
        """Run several statements; inside a transaction, as part of it.

        sqlite3's own `executescript` commits an open transaction first, which would
        leave half a migration behind if the next statement failed.
        """
        if not self.conn.in_transaction:
            return self.conn.executescript(script)
        cursor = self.conn.cursor()
        for statement in statements(script):
            cursor.execute(statement)
        return cursor

    def query(self, sql: str, params: Parameters = ()) -> Iterator[dict[str, Any]]:
        """The rows of a query, each as a dict of column name to value."""
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description or ()]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def table_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def columns(self, table: str) -> list[str]:
        """A table's columns as the database has them now (empty if there is no such table)."""
        return [row[1] for row in self.conn.execute(f"PRAGMA table_info({quote(table)})")]

    def close(self) -> None:
        self.conn.close()
