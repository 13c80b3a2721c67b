"""Opening a test's data folder the way the app does: encrypted unless a test says otherwise.

A test that reaches the database file behind the app's back (to plant a damaged row, count
rows, check the file) uses `connect_to`, which keys the connection when the folder is
encrypted, and `readable_bytes`, which reads the file as someone holding the data key would.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from typing import cast

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlcipher3 import dbapi2 as driver

from facilitator.core.clock import SYSTEM_CLOCK, Clock
from facilitator.core.paths import DATABASE_NAME
from facilitator.store import Store
from facilitator.store.key_file import KeyFile, is_encrypted, is_new, needs_key, new_data_key

TEST_PASSPHRASE = "correct horse battery staple"


def open_folder(data_dir: Path, *, clock: Clock = SYSTEM_CLOCK, passphrase: str = TEST_PASSPHRASE) -> Store:
    """The folder's store: unlocked with `passphrase` if it is encrypted, set up encrypted under
    it if it is new, opened as it is if it is plain."""
    if is_new(data_dir):
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        data_key = new_data_key()
        KeyFile.new(data_key, passphrase).save(data_dir)
        return Store.open(data_dir, key=data_key, clock=clock)
    if needs_key(data_dir):
        return Store.open(data_dir, key=KeyFile.load(data_dir).unwrap(passphrase), clock=clock)
    return Store.open(data_dir, clock=clock)


def data_key(data_dir: Path, passphrase: str = TEST_PASSPHRASE) -> bytes:
    """The folder's data key."""
    return KeyFile.load(data_dir).unwrap(passphrase)


def database(data_dir: Path) -> Path:
    return data_dir / DATABASE_NAME


def connect_to(
    data_dir: Path, *, read_only: bool = False, passphrase: str = TEST_PASSPHRASE
) -> sqlite3.Connection:
    """A DB-API connection straight to the folder's database file, past every check of the app:
    keyed with the folder's data key if the folder is encrypted, plain if it is plain.

    Its errors are SQLCipher's (`sqlcipher3.dbapi2.IntegrityError`...), not sqlite3's.
    """
    path = database(data_dir)
    target, uri = (f"file:{path}?mode=ro", True) if read_only else (str(path), False)
    conn = cast(sqlite3.Connection, driver.connect(target, uri=uri, timeout=30))
    conn.execute("PRAGMA cipher_log_level = NONE")
    if needs_key(data_dir):
        conn.execute(f"PRAGMA key = \"x'{data_key(data_dir, passphrase).hex()}'\"")
    return conn


# SQLCipher 4's page layout: 4096-byte pages, each encrypted with AES-256-CBC under the raw data
# key, ending in 80 reserved bytes (a 16-byte IV, then a 64-byte HMAC-SHA512); the first page
# starts with the 16-byte salt instead of SQLite's header text.
PAGE_SIZE = 4096
RESERVE = 80
SALT = 16
WAL_HEADER = 32
WAL_FRAME_HEADER = 24


def readable_files(data_dir: Path, passphrase: str = TEST_PASSPHRASE) -> tuple[bytes, bytes]:
    """The database file and its write-ahead log, as bytes: as they are on disk for a plain
    folder; for an encrypted one, every page (free pages and freed space in pages too)
    decrypted, as someone holding the data key would read them.

    A test that looks for deleted words byte by byte reads these: the raw bytes of an
    encrypted file never show a word, so looking in them could never fail.
    """
    path = database(data_dir)
    wal = Path(f"{path}-wal")
    main = path.read_bytes() if path.exists() else b""
    log = wal.read_bytes() if wal.exists() else b""
    if not is_encrypted(path):
        return main, log
    key = data_key(data_dir, passphrase)
    pages = [
        _decrypt_page(key, main[at : at + PAGE_SIZE], first=at == 0) for at in range(0, len(main), PAGE_SIZE)
    ]
    # The header of the first page says this is SQLCipher 4's layout (page size, then reserved
    # bytes), so the pages were read right: a wrong key or layout would fail here, not pass.
    header = pages[0]
    assert struct.unpack(">H", header[:2])[0] == PAGE_SIZE and header[4] == RESERVE, "not SQLCipher 4 pages"
    frames = []
    frame = WAL_FRAME_HEADER + PAGE_SIZE
    for at in range(WAL_HEADER, len(log) - frame + 1, frame):
        page_number = struct.unpack(">I", log[at : at + 4])[0]
        frames.append(_decrypt_page(key, log[at + WAL_FRAME_HEADER : at + frame], first=page_number == 1))
    return b"".join(pages), b"".join(frames)


def readable_bytes(data_dir: Path, passphrase: str = TEST_PASSPHRASE) -> bytes:
    """The database file and its write-ahead log together, as `readable_files` reads them."""
    return b"".join(readable_files(data_dir, passphrase))


def _decrypt_page(key: bytes, page: bytes, *, first: bool) -> bytes:
    assert len(page) == PAGE_SIZE, "a torn page"
    iv = page[PAGE_SIZE - RESERVE : PAGE_SIZE - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[SALT if first else 0 : PAGE_SIZE - RESERVE]) + decryptor.finalize()
