"""Opening a test's data folder the way the app does: encrypted unless a test says otherwise."""

from __future__ import annotations

from pathlib import Path

from facilitator.core.clock import SYSTEM_CLOCK, Clock
from facilitator.core.paths import DATABASE_NAME
from facilitator.store import Store
from facilitator.store.key_file import KeyFile, is_new, needs_key, new_data_key

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
