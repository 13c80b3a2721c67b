"""Encrypting a plain data folder's database in place, and checking a data key opens one.

`encrypt_in_place` never leaves the folder without a whole, readable database. The
plain file stays where it is until an encrypted copy beside it has been written,
read back and found to hold the same rows; one rename then puts the copy in its
place. Killed at any moment, the folder holds either the plain database (perhaps
with a key file and a half-made copy that the next attempt removes) or the
encrypted one with its key file. Whether a folder is encrypted is read from the
database file's first bytes, so a key file written before the rename is harmless.

While it works it holds the database's only connection, with an exclusive lock:
a program that had the database open (a second window writing post-its) would
write into the file being replaced, so it is refused rather than waited for.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from facilitator.core.errors import FacilitatorError
from facilitator.core.files import create_private
from facilitator.store.connection import DatabaseError, connect, quote
from facilitator.store.key_file import is_encrypted

# The encrypted copy, beside the database until it replaces it.
ENCRYPTING_SUFFIX = ".encrypting"
# What SQLite may keep beside a database file: its write-ahead log, the log's index, its journal.
SIDE_FILES = ("-wal", "-shm", "-journal")

# The steps, in order, named for progress and for tests that stop the work after each one.
LOCKED = "locked"  # the only connection, the log folded into the file, the lock held
PREPARED = "prepared"  # the caller's part done (the key file written)
EXPORTED = "exported"  # the encrypted copy written
VERIFIED = "verified"  # the copy read back with the key: the same schema and rows
SYNCED = "synced"  # the copy on disk (fsync)
CLEARED = "cleared"  # the plain database's side files removed
REPLACED = "replaced"  # the copy renamed over the database
DONE = "done"  # the folder's entry on disk (fsync)
STEPS = (LOCKED, PREPARED, EXPORTED, VERIFIED, SYNCED, CLEARED, REPLACED, DONE)

# How long to wait for a write of another connection to finish before refusing.
LOCK_WAIT_MS = 2000
BATCH = 500


class InUse(FacilitatorError):
    """Another program has the database open."""


def encrypting_path(database: Path) -> Path:
    return database.with_name(database.name + ENCRYPTING_SUFFIX)


def leftovers(database: Path) -> list[Path]:
    """The files an earlier, stopped attempt may have left: the half-made copy and its journal."""
    copy = encrypting_path(database)
    found = [copy, copy.with_name(copy.name + "-journal")]
    return [path for path in found if path.exists()]


def encrypt_in_place(
    database: Path,
    key: bytes,
    *,
    prepare: Callable[[], None] = lambda: None,
    step: Callable[[str], None] = lambda _name: None,
) -> None:
    """Replace the plain database file with an encrypted copy under `key`, holding the same rows.

    `prepare` runs once the database is locked and before anything is written (the
    caller writes the key file there); `step` is told each step as it ends. InUse if
    another program has the database open; FacilitatorError if the copy does not read
    back the same (the plain database is then left as it was).
    """
    refuse_a_link(database)
    if not database.is_file() or database.stat().st_size == 0:
        raise FacilitatorError(f"there is no database in {database.parent} to encrypt")
    if is_encrypted(database):
        raise FacilitatorError(f"the database {database} is already encrypted")
    copy = encrypting_path(database)
    conn = _take_alone(database)
    try:
        step(LOCKED)
        for leftover in leftovers(database):
            leftover.unlink()
        prepare()
        step(PREPARED)
        _export(conn, copy, key)
        step(EXPORTED)
        _verify(conn, copy, key)
        step(VERIFIED)
        _fsync(copy)
        step(SYNCED)
        for suffix in SIDE_FILES:
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        step(CLEARED)
        if os.name == "nt":
            conn.close()  # Windows renames nothing over a file that is open
        os.replace(copy, database)
        step(REPLACED)
        _fsync_folder(database.parent)
        step(DONE)
    except OSError as error:
        if is_encrypted(database):  # only the folder's fsync is left: the rename happened
            raise FacilitatorError(
                f"{database} is encrypted, but the system could not confirm it is on disk: {error.strerror}"
            ) from None
        _remove_leftovers(database)
        raise FacilitatorError(f"cannot encrypt {database}: {error.strerror}; it is unchanged") from None
    except BaseException:
        if not is_encrypted(database):
            _remove_leftovers(database)
        raise
    finally:
        conn.close()


def refuse_a_link(database: Path) -> None:
    """FacilitatorError if the database is a symbolic link: the encrypted copy would replace the
    link, and the plain file it points to would stay where it is, every word readable."""
    if database.is_symlink():
        raise FacilitatorError(
            f"{database} is a link to {os.readlink(database)}: move the database itself into the "
            "data folder, then run this again; nothing was changed"
        )


def _remove_leftovers(database: Path) -> None:
    for leftover in leftovers(database):
        with suppress(OSError):
            leftover.unlink()


def _take_alone(database: Path) -> sqlite3.Connection:
    """A connection holding the database's exclusive lock, with its log folded into the file.

    Leaving WAL mode (the database's own journal then) is refused by SQLite while any
    other connection has the file open, which is how another program is noticed.
    """
    in_use = InUse(
        f"another program (a facilitator window?) has {database} open: close it, then run this again"
    )
    conn = connect(database, None)
    try:
        conn.isolation_level = None
        conn.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except DatabaseError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise in_use from None
            raise
        if str(mode).lower() != "delete":
            raise in_use
        # Held from the first write until the connection closes: nobody else reads or writes.
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        try:
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except DatabaseError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise in_use from None
            raise
        if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "delete":
            raise in_use  # another program put it back in WAL mode in between
    except DatabaseError as error:
        conn.close()
        raise FacilitatorError(f"cannot use the database {database}: {error}") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _export(conn: sqlite3.Connection, copy: Path, key: bytes) -> None:
    """Write every table, index and the schema version into `copy`, encrypted under `key`."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    literal = str(copy).replace("'", "''")
    try:
        # Owner-only from the start (SQLite gives its journal the same modes).
        create_private(copy)
        conn.execute(f"ATTACH DATABASE '{literal}' AS encrypted KEY \"x'{key.hex()}'\"")
        try:
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("SELECT sqlcipher_export('encrypted')").fetchall()
            conn.execute(f"PRAGMA encrypted.user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.execute("DETACH DATABASE encrypted")
    except (DatabaseError, OSError) as error:
        reason = error.strerror if isinstance(error, OSError) else error
        raise FacilitatorError(f"cannot write the encrypted copy {copy}: {reason}") from None


def _verify(conn: sqlite3.Connection, copy: Path, key: bytes) -> None:
    """Read the copy back with the key alone: it must pass SQLite's and SQLCipher's checks and
    hold the same schema, schema version and rows (each table's count and digest)."""
    before = contents(conn)
    try:
        check = connect(copy, key)
        try:
            problems = check.execute("PRAGMA cipher_integrity_check").fetchall()
            integrity = check.execute("PRAGMA integrity_check").fetchall()
            after = contents(check)
        finally:
            check.close()
    except DatabaseError as error:
        raise FacilitatorError(
            f"the encrypted copy could not be read back ({error}), so it was removed; "
            "the database is unchanged"
        ) from None
    if problems or integrity != [("ok",)]:
        raise FacilitatorError("the encrypted copy was damaged, so it was removed; the database is unchanged")
    if after != before:
        raise FacilitatorError(
            "the encrypted copy did not hold the same rows, so it was removed; the database is unchanged"
        )


def contents(conn: sqlite3.Connection) -> dict[str, object]:
    """What a database holds, to compare two: its schema, version, and each table's rows
    (their count and a digest that does not depend on their order)."""
    schema = sorted(
        conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    )
    found: dict[str, object] = {
        "schema": schema,
        "version": conn.execute("PRAGMA user_version").fetchone()[0],
    }
    for kind, name, _table, _sql in schema:
        if kind != "table":
            continue
        count, total = 0, 0
        cursor = conn.execute(f"SELECT * FROM {quote(name)}")
        while rows := cursor.fetchmany(BATCH):
            for row in rows:
                digest = hashlib.sha256(repr(tuple(row)).encode("utf-8", "surrogatepass")).digest()
                total = (total + int.from_bytes(digest, "big")) % (1 << 256)
            count += len(rows)
        found[name] = (count, total)
    return found


def key_opens(database: Path, key: bytes) -> bool:
    """Whether `key` opens the encrypted database (read only: nothing is written)."""
    try:
        conn = connect(database, key)
    except DatabaseError:
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except DatabaseError:
        return False
    finally:
        conn.close()
    return True


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; elsewhere the rename is all there is)."""
    if os.name == "nt":
        return
    _fsync(folder)
