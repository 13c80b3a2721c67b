"""What the command line and the app share: opening the data folder and its sets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from facilitator.core.files import Tightened
from facilitator.core.paths import resolve_data_dir, statement_dirs
from facilitator.core.statements import Catalogue, load_catalogue
from facilitator.store import Damaged, Store


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

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.data_dir)
            if self._store.tightened and self.tell is not None:
                self.tell(self._store.tightened.sentence())
            elif self._store.tightened:
                self._tightened = self._store.tightened
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
