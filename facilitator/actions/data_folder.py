"""What the command line and the app share: opening the data folder and its sets.

A data folder is in one of three states before it is opened (`FolderState`): new
(no database yet), plain (an unencrypted database) or locked (an encrypted one).
A new folder is set up with `create` (a passphrase, or none on purpose); a locked
one is opened with `unlock`. Then `store` is the database, as for a plain folder.
A plain database beside a key file (a `protect` stopped half-way, or a database
swapped in) is not opened: `protect` finishes the job.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from facilitator.core.errors import FacilitatorError
from facilitator.core.files import Tightened, make_private_dir
from facilitator.core.paths import resolve_data_dir, statement_dirs
from facilitator.core.statements import Catalogue, load_catalogue
from facilitator.store import Damaged, LockedError, Store
from facilitator.store.key_file import (
    KeyFile,
    WrongPassphrase,
    check_new_passphrase,
    is_new,
    needs_key,
    new_data_key,
)

# The passphrase of an encrypted folder, for scripts and terminal tests.
PASSPHRASE_ENV = "FACILITATOR_PASSPHRASE"
# The new passphrase of `passphrase change`, `protect` and `recover`.
NEW_PASSPHRASE_ENV = "FACILITATOR_NEW_PASSPHRASE"
# Set to 1: a new data folder is made unencrypted, on purpose.
NO_PASSPHRASE_ENV = "FACILITATOR_NO_PASSPHRASE"


class FolderState(Enum):
    NEW = "new"
    PLAIN = "plain"
    LOCKED = "locked"
    OPEN = "open"


class NotSetUp(FacilitatorError):
    """A new data folder was used before a passphrase (or none) was chosen for it."""


def no_passphrase_wanted() -> bool:
    return os.environ.get(NO_PASSPHRASE_ENV, "").strip().lower() in ("1", "yes", "true")


def passphrase_from_environment() -> str | None:
    return os.environ.get(PASSPHRASE_ENV) or None


@dataclass
class Workspace:
    """A data folder: its database (opened lazily) and the statement sets it can use."""

    data_dir: Path
    _store: Store | None = None
    _tightened: Tightened | None = None
    # Where to say at once what opening the data folder made private (the command line's
    # stderr); without it, that waits for `tightened()` (the app's notification).
    tell: Callable[[str], None] | None = None

    @classmethod
    def at(cls, data_dir: str | Path | None = None) -> Workspace:
        return cls(resolve_data_dir(data_dir))

    _key: bytes | None = None
    # Asked for on the command line (--no-passphrase): a new folder is made unencrypted,
    # whatever FACILITATOR_PASSPHRASE says.
    no_passphrase: bool = False
    # How a front end asks for what opening the folder needs, when the environment does not
    # say (the command line asks in the terminal); it calls `create` or `unlock`.
    ask: Callable[[Workspace], None] | None = None

    def state(self) -> FolderState:
        """What opening the folder needs: nothing (plain), a passphrase (locked), a choice (new)."""
        if self._store is not None:
            return FolderState.OPEN
        if is_new(self.data_dir):
            return FolderState.NEW
        if needs_key(self.data_dir) and self._key is None:
            return FolderState.LOCKED
        return FolderState.PLAIN

    @property
    def encrypted(self) -> bool:
        """Whether the folder's database is encrypted (as far as is known before opening it)."""
        if self._store is not None:
            return self._store.encrypted
        return needs_key(self.data_dir)

    def create(self, passphrase: str | None) -> None:
        """Set up a new data folder: encrypted under `passphrase`, or unencrypted if None.

        The key file is written first, so a folder stopped half-way asks for the
        passphrase it was given and never holds data without its key.
        """
        if self.state() is not FolderState.NEW:
            raise FacilitatorError(f"the data folder {self.data_dir} is already set up")
        if passphrase is None:
            self._open(None)
            return
        check_new_passphrase(passphrase)
        data_key = new_data_key()
        try:
            make_private_dir(self.data_dir)
        except OSError as error:
            reason = error.strerror
            raise FacilitatorError(f"cannot create the data folder {self.data_dir}: {reason}") from None
        KeyFile.new(data_key, passphrase).save(self.data_dir)
        self._open(data_key)

    def locked_error(self) -> LockedError:
        """What is said when the folder needs its passphrase and nobody can type it."""
        return LockedError(
            f"the data folder {self.data_dir} is encrypted: set {PASSPHRASE_ENV}, "
            "or run the command in a terminal to be asked for the passphrase"
        )

    def unlock(self, passphrase: str) -> None:
        """Open a locked folder with its passphrase (WrongPassphrase if it is not right)."""
        state = self.state()
        if state is not FolderState.LOCKED:
            if state is FolderState.OPEN:
                return
            raise FacilitatorError(f"the data folder {self.data_dir} is not encrypted")
        self._open(KeyFile.load(self.data_dir).unwrap(passphrase))

    def check(self, passphrase: str) -> None:
        """Whether `passphrase` is the folder's (WrongPassphrase if not): to unlock the screen
        after the idle lock, when the database is already open.

        The key it unwraps must be the one the database was opened with: a key file put in
        the folder meanwhile, under a passphrase of someone else's choosing, unlocks nothing.
        """
        unwrapped = KeyFile.load(self.data_dir).unwrap(passphrase)
        if self._key is not None and not hmac.compare_digest(unwrapped, self._key):
            raise WrongPassphrase()

    def open_from_environment(self) -> bool:
        """Open the folder as the environment says: FACILITATOR_PASSPHRASE unlocks it (or sets
        up a new folder with it), FACILITATOR_NO_PASSPHRASE=1 (or `no_passphrase`) sets up a
        new one unencrypted.
        Whether it is open now; WrongPassphrase if the passphrase given is not right."""
        state = self.state()
        passphrase = passphrase_from_environment()
        if state is FolderState.NEW and (self.no_passphrase or no_passphrase_wanted()):
            self.create(None)
        elif state is FolderState.NEW and passphrase is not None:
            self.create(passphrase)
        elif state is FolderState.LOCKED and passphrase is not None:
            self.unlock(passphrase)
        elif state is FolderState.PLAIN:
            self._open(None)
        return self.state() is FolderState.OPEN

    def _open(self, key: bytes | None) -> None:
        if key is None and KeyFile.exists(self.data_dir):
            raise FacilitatorError(
                f"the data folder {self.data_dir} has a key file, but its database is not encrypted: "
                "if 'facilitator protect' was stopped, run it again; otherwise the database may have "
                "been put there by someone else, so ask the office before recording into it"
            )
        self._key = key
        store = Store.open(self.data_dir, key=key)
        self._store = store
        if key is not None:
            from facilitator.sync.keys import trusted

            recipient = trusted(store)
            if recipient:
                store.escrow_to(recipient)
        if store.tightened and self.tell is not None:
            self.tell(store.tightened.sentence())
        elif store.tightened:
            self._tightened = store.tightened

    @property
    def store(self) -> Store:
        """The database, opened at first use; LockedError or NotSetUp if it needs a passphrase first."""
        if self._store is None and self.state() in (FolderState.NEW, FolderState.LOCKED):
            self.open_from_environment()
            if self._store is None and self.ask is not None:
                self.ask(self)
        if self._store is None:
            state = self.state()
            if state is FolderState.LOCKED:
                raise self.locked_error()
            if state is FolderState.NEW:
                raise NotSetUp(
                    f"the data folder {self.data_dir} is new: set {PASSPHRASE_ENV} to protect it with a "
                    f"passphrase, or {NO_PASSPHRASE_ENV}=1 (or --no-passphrase) to leave it unencrypted"
                )
            self._open(self._key)
        assert self._store is not None
        return self._store

    def tightened(self) -> Tightened | None:
        """What opening the data folder made private (readable by others until then), once:
        None after it was asked, or when nothing needed it."""
        tightened, self._tightened = self._tightened, None
        return tightened

    def catalogue(self) -> Catalogue:
        """The statement sets as they are on disk now (a new file shows up at once)."""
        return load_catalogue(statement_dirs(self.data_dir))

    def damaged(self) -> list[Damaged]:
        """The stored rows that did not parse and were left out since this was last asked."""
        return self._store.damaged.take() if self._store is not None else []

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
