"""Stored rows that do not parse: left out of what is read, and remembered to be reported.

A database may hold a row an older version wrote, or one a bundle brought before
imports were checked. Reading never fails on such a row: the repositories pass
each row through `DamageLog.keep` (or `note` one they found wrong themselves), so
a command shows every good row and then reports each damaged one once, by id.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from facilitator.store.records import Damaged, DamagedRow

R = TypeVar("R")
T = TypeVar("T")


class DamageLog:
    """The damaged rows met since the front end last took them, each once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str], Damaged] = {}
        self._reported: set[tuple[str, str]] = set()

    def note(self, damaged: Damaged) -> None:
        """Remember a damaged row, unless it was already reported."""
        key = (damaged.kind, damaged.id)
        with self._lock:
            if key not in self._reported:
                self._pending.setdefault(key, damaged)

    def keep(self, rows: Iterable[R], parse: Callable[[R], T]) -> list[T]:
        """The records of the rows that parse; the others are noted and left out."""
        records = []
        for row in rows:
            try:
                records.append(parse(row))
            except DamagedRow as error:
                self.note(error.damaged)
        return records

    def take(self) -> list[Damaged]:
        """The damaged rows not yet reported, in the order they were met; each is reported once."""
        with self._lock:
            taken = list(self._pending.values())
            self._reported.update(self._pending)
            self._pending.clear()
        return taken
