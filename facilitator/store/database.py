"""The data folder's database: its connection, its migrations and its transactions.

Every write is committed (WAL, synchronous=FULL) before the method returns, so a
post-it that a caller was told is saved is on disk. Every row has a UUID, its
`created_at`, `updated_at` and the `device_id` of the device that last wrote it.
A delete is a tombstone (`deleted_at`), never a removed row, so sync can carry it.

The rows are reached through one repository per aggregate: `store.sessions`,
`store.postits`, `store.meta` and the others.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from facilitator.core.clock import SYSTEM_CLOCK, Clock, new_id
from facilitator.core.errors import FacilitatorError
from facilitator.core.files import Tightened, create_private, make_private_dir, tighten
from facilitator.core.paths import DATABASE_NAME, PRIVATE_FOLDERS
from facilitator.store.codebook import CodebookRepository
from facilitator.store.connection import Database, DatabaseError, OperationalError, connect
from facilitator.store.damage import DamageLog
from facilitator.store.free_text import restamp_mentions
from facilitator.store.key_file import KeyFile, is_encrypted
from facilitator.store.migrations import ERASED_AT, MIGRATIONS, PSEUDONYMISED_AT, SCHEMA_VERSION
from facilitator.store.notes import NoteRepository
from facilitator.store.pools import PoolRepository
from facilitator.store.postits import PostitRepository
from facilitator.store.pseudonyms import PseudonymRepository
from facilitator.store.roster import RosterRepository
from facilitator.store.session_sync import SessionSyncRepository
from facilitator.store.sessions import ConsultationRepository, SessionRepository
from facilitator.store.sync_state import META_CLOCK_FLOOR, SyncRepository
from facilitator.store.trust import TrustRepository, put_seed
from facilitator.store.writer import Writer

META_DEVICE_ID = "device_id"


class LockedError(FacilitatorError):
    """The database is encrypted and no key was given."""


class MetaRepository:
    """Local settings of this database (never synced): device id, keys, sync marks."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str) -> str | None:
        row = self._store.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        with self._store.write() as writer:
            self.put(writer, key, value)

    @staticmethod
    def put(writer: Writer, key: str, value: str) -> None:
        """Set a value inside a write transaction already open."""
        writer.execute(
            """INSERT INTO meta (key, value) VALUES (?, ?)
               ON CONFLICT(key) DO UPDATE SET value = excluded.value""",
            [key, value],
        )


class Store:
    """The data folder's database. Open it with `Store.open(data_dir)`.

    With `key` (the folder's 256-bit data key) the file is a SQLCipher database,
    encrypted page by page; without it, a plain SQLite file. Everything above the
    store sees the same store either way.
    """

    def __init__(self, path: Path, *, key: bytes | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        self.path = path
        self.clock = clock
        self._key = key
        self._lock = threading.RLock()
        # Rows that did not parse, left out by the repositories for the front end to report.
        self.damaged = DamageLog()
        # What `Store.open` made private in the data folder (nothing if it already was).
        self.tightened = Tightened()
        self.meta = MetaRepository(self)
        self.consultations = ConsultationRepository(self)
        self.sessions = SessionRepository(self)
        self.postits = PostitRepository(self)
        self.pools = PoolRepository(self)
        self.roster = RosterRepository(self)
        self.notes = NoteRepository(self)
        self.codebook = CodebookRepository(self)
        self.pseudonyms = PseudonymRepository(self)
        self.sync = SyncRepository(self)
        self.trust = TrustRepository(self)
        self.session_sync = SessionSyncRepository(self)
        if key is None and is_encrypted(path):
            raise LockedError(f"the database {path} is encrypted: it needs the folder's passphrase")
        try:
            conn = connect(path, key)
            self.db = Database(conn)
            # The first read tells whether the key opens the file (SQLCipher reads page 1 then).
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            self.db.execute("PRAGMA busy_timeout = 30000")
            if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.db.execute("PRAGMA journal_mode = WAL")
            # synchronous is per connection, not stored in the file: set it every time.
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute("PRAGMA foreign_keys = ON")
            upgraded_from = self._migrate()
            self.device_id = self._ensure_device()
            # Stamps never go below one already seen or made here, even if the clock went back:
            # after an import from a clock ahead, this device stamps on top of the floor,
            # above its own clock, and a restart must not undo that.
            self.clock.observe(self.meta.get(META_CLOCK_FLOOR))
            if 0 < upgraded_from < PSEUDONYMISED_AT:
                self._send_mapped_rows_again()
        except DatabaseError as error:
            with suppress(AttributeError, DatabaseError):
                self.db.close()
            if key is not None and str(error) == "file is not a database":
                raise FacilitatorError(
                    f"the data key does not open the database {path}: the key file belongs to another "
                    "database, or the file is damaged"
                ) from None
            raise FacilitatorError(f"cannot use the database {path}: {error}") from None

    @property
    def encrypted(self) -> bool:
        """Whether the file is encrypted (SQLCipher) rather than plain SQLite."""
        return self._key is not None

    def escrow_to(self, recipient: str) -> bool:
        """Seal the data key to the office's age recipient in the folder's key file, so the
        office can recover the folder if its passphrase is forgotten. Whether the key file
        changed: not for a plain folder, nor when the escrow already names that recipient."""
        if self._key is None:
            return False
        data_dir = self.path.parent
        key_file = KeyFile.load(data_dir)
        if key_file.escrow_recipient == recipient:
            return False
        key_file.with_escrow(self._key, recipient).save(data_dir)
        return True

    def another(self) -> Store:
        """A second connection to the same database, for a background thread."""
        return Store(self.path, key=self._key, clock=self.clock)

    @classmethod
    def open(cls, data_dir: Path, *, key: bytes | None = None, clock: Clock = SYSTEM_CLOCK) -> Store:
        """Open (creating if needed) the database in a data folder, readable by its owner only.

        A folder made here is 0700 and the database 0600 (SQLite gives its -wal and -shm
        files the database's modes). A data folder found readable by others is made
        private first; `store.tightened` says what was changed, for the front end to say once.
        """
        if data_dir.exists() and not data_dir.is_dir():
            raise FacilitatorError(f"the data folder {data_dir} is a file, not a folder")
        try:
            make_private_dir(data_dir)
        except OSError as error:
            raise FacilitatorError(f"cannot create the data folder {data_dir}: {error.strerror}") from None
        tightened = tighten(data_dir, PRIVATE_FOLDERS)
        path = data_dir / DATABASE_NAME
        try:
            create_private(path)
        except OSError:
            raise FacilitatorError(f"the data folder {data_dir} is not writable") from None
        store = cls(path, key=key, clock=clock)
        store.tightened = tightened
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------- transactions

    @contextmanager
    def write(self) -> Iterator[Writer]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) and committed on exit.

        Other processes wait for the lock (busy timeout) rather than fail.
        """
        with self._lock:
            try:
                self.db.conn.execute("BEGIN IMMEDIATE")
            except OperationalError as error:
                raise FacilitatorError(f"cannot write to {self.path}: {error}") from None
            writer = Writer(self.db, self.clock, getattr(self, "device_id", ""))
            try:
                yield writer
                if writer.newest is not None:
                    self.sync.raise_clock_floor(writer, writer.newest)
            except BaseException:
                self.db.conn.execute("ROLLBACK")
                raise
            try:
                self.db.conn.execute("COMMIT")
            except DatabaseError as error:
                self.db.conn.execute("ROLLBACK")
                raise FacilitatorError(f"cannot write to {self.path}: {error}") from None
            if writer.erased:
                self.checkpoint()

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it.

        After a delete, the deleted text is then in neither file: the database's freed
        space is zeroed (secure_delete) and the log, which still held the pages as they
        were, is truncated. If another connection is reading, the log is emptied at a
        later checkpoint instead.
        """
        # Busy (another connection writing): SQLite checkpoints again as the log grows.
        with suppress(OperationalError):
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    # -------------------------------------------------------- the file

    def file_size(self) -> int:
        """Bytes the database takes on disk: its file and its write-ahead log."""
        total = 0
        for path in (self.path, self.path.with_name(self.path.name + "-wal")):
            with suppress(OSError):
                total += path.stat().st_size
        return total

    def compact(self) -> None:
        """Rebuild the file without its free pages (VACUUM), then fold the log into it.

        After rows were removed for good, this takes their text out of the file and
        shrinks it. Run outside any transaction. If another process is reading at that
        moment, the log cannot be folded in: the file keeps its old pages (the text too)
        until a later checkpoint, and FacilitatorError says so.
        """
        with self._lock:
            try:
                self.db.execute("VACUUM")
                busy = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            except OperationalError as error:
                raise FacilitatorError(f"cannot compact {self.path}: {error}") from None
        if busy is not None and busy[0]:
            # Another process reads the log: the file keeps its old pages, the words too, until it stops.
            raise FacilitatorError(
                f"another program (a second facilitator window?) has {self.path.name} open, so the "
                "removed words stay in the file until it is closed"
            )

    def _migrate(self) -> int:
        """Bring the schema up to date; the version it was at (0 for a new database)."""
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise FacilitatorError(
                f"the database {self.path} was made by a newer facilitator (schema {version}); "
                "update facilitator to open it"
            )
        if version == SCHEMA_VERSION:
            return version
        with self.write():
            # Read again under the lock: another process may have migrated meanwhile.
            version = self.schema_version
            for number in range(version, SCHEMA_VERSION):
                MIGRATIONS[number](self.db)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        if 0 < version < ERASED_AT:
            # Text deleted before deletes blanked it may survive in freed pages of the file:
            # rebuilding the file once leaves only the rows as they are now.
            try:
                self.db.execute("VACUUM")
            except OperationalError:
                pass  # another connection is reading: the rows are blanked, the file not rebuilt
            else:
                self.checkpoint()
        return version

    def _send_mapped_rows_again(self) -> None:
        """After an upgrade from a version whose bundles carried text as typed: stamp again,
        unchanged, this device's rows that the pseudonym maps change on the way out, so the
        next bundle replaces at the office what earlier bundles took there with real names."""
        with self.write() as writer:
            for session_id in self.pseudonyms.session_ids():
                words = [p.real for p in self.pseudonyms.of(session_id)]
                restamp_mentions(self, writer, session_id, words)

    def _ensure_device(self) -> str:
        existing = self.meta.get(META_DEVICE_ID)
        if existing:
            return existing
        with self.write() as writer:
            existing = self.meta.get(META_DEVICE_ID)
            if existing:
                return existing
            device_id = new_id()
            self.meta.put(writer, META_DEVICE_ID, device_id)
            # The device's signing key is made with its identity (random bytes: no crypto import).
            put_seed(writer)
            writer.device_id = device_id
            writer.insert("devices", {"name": ""}, row_id=device_id)
            return device_id

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])
