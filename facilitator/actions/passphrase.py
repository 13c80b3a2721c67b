"""The passphrase of an encrypted data folder: change it, encrypt a plain folder, recover one.

Each use case checks the folder first and changes nothing when it refuses. The
data key never changes: a new passphrase rewraps it in the key file, and the
database is not touched. Encrypting a plain folder (`protect`) makes a data key,
writes the key file, then replaces the database with an encrypted copy.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facilitator.actions.data_folder import FolderState, Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.store import Store
from facilitator.store.key_file import (
    KeyFile,
    check_new_passphrase,
    database_path,
    is_encrypted,
    new_data_key,
)
from facilitator.store.protect import encrypt_in_place, key_opens, refuse_a_link

NOT_ENCRYPTED = "not encrypted: use 'facilitator protect' to encrypt it under a passphrase"


@dataclass(frozen=True)
class HeldKey:
    """An encrypted folder's data key, unwrapped for one change to its key file."""

    data_dir: Path
    key_file: KeyFile
    data_key: bytes = field(repr=False)


@dataclass(frozen=True)
class Protected:
    """What `protect` did: how big the database was, and whether the office can recover it."""

    size: int
    escrowed: bool


def require_encrypted(ws: Workspace) -> None:
    """Refuse a folder that is not encrypted (or has no database yet), before anything is asked."""
    state = ws.state()
    if state is FolderState.NEW:
        raise FacilitatorError(f"the data folder {ws.data_dir} has no database yet: nothing to change")
    if not ws.encrypted:
        raise FacilitatorError(f"the data folder {ws.data_dir} is {NOT_ENCRYPTED}")


def unlock_key(ws: Workspace, passphrase: str) -> HeldKey:
    """The folder's data key under its current passphrase (WrongPassphrase if it is not right)."""
    require_encrypted(ws)
    key_file = KeyFile.load(ws.data_dir)
    return _checked(ws.data_dir, key_file, key_file.unwrap(passphrase))


def recover_key(ws: Workspace, identities: list[Any]) -> HeldKey:
    """The folder's data key from its escrow, with the office's identity (WrongIdentity if not)."""
    require_encrypted(ws)
    key_file = KeyFile.load(ws.data_dir)
    return _checked(ws.data_dir, key_file, key_file.recover(identities))


def _checked(data_dir: Path, key_file: KeyFile, data_key: bytes) -> HeldKey:
    if not key_opens(database_path(data_dir), data_key):
        raise FacilitatorError(
            f"the key file in {data_dir} does not open its database: it belongs to another data "
            "folder, or the database is damaged; nothing was changed"
        )
    return HeldKey(data_dir, key_file, data_key)


def set_passphrase(held: HeldKey, new_passphrase: str) -> None:
    """Wrap the same data key under a new passphrase; the escrow is kept, the database untouched."""
    check_new_passphrase(new_passphrase)
    held.key_file.rewrapped(held.data_key, new_passphrase).save(held.data_dir)


def protect(ws: Workspace, passphrase: str, *, step: Callable[[str], None] = lambda _name: None) -> Protected:
    """Encrypt a plain data folder in place under a new passphrase.

    The workspace's store is closed first (the conversion needs the database to itself);
    afterwards the folder is locked, and opens with the new passphrase. The key file
    gets the escrow at once if the folder trusts an office. Refused,
    with nothing changed, for a folder that is new or already encrypted, for a
    passphrase too weak, or while another program has the database open.
    """
    size = require_plain(ws)
    check_new_passphrase(passphrase)
    recipient = _office_recipient(ws)
    database = database_path(ws.data_dir)
    data_key = new_data_key()
    key_file = KeyFile.new(data_key, passphrase, recipient)
    try:
        encrypt_in_place(database, data_key, prepare=lambda: key_file.save(ws.data_dir), step=step)
    except BaseException:
        # Stopped before the rename: the database is still plain, and a key file beside it opens nothing.
        if not is_encrypted(database):
            with suppress(OSError):
                KeyFile.path(ws.data_dir).unlink(missing_ok=True)
        raise
    return Protected(size, recipient is not None)


def require_plain(ws: Workspace) -> int:
    """Refuse a folder that `protect` cannot encrypt, before anything is asked; the database's size."""
    state = ws.state()
    if state is FolderState.NEW:
        raise FacilitatorError(
            f"the data folder {ws.data_dir} has no database yet: a new folder is encrypted when it "
            "is first used, so there is nothing to protect"
        )
    if ws.encrypted:
        raise FacilitatorError(f"the data folder {ws.data_dir} is already encrypted")
    database = database_path(ws.data_dir)
    refuse_a_link(database)
    return database.stat().st_size


def _office_recipient(ws: Workspace) -> str | None:
    """The office this plain folder trusts, read before it is encrypted (the store is closed again)."""
    from facilitator.sync.keys import trusted

    ws.close()
    with Store.open(ws.data_dir) as store:
        return trusted(store)
