"""Timestamps and ids for every row.

A `Clock` hands out the stamps the store writes. The store is given one (tests give
it a clock that runs ahead or behind); the program uses `SYSTEM_CLOCK`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# A stamp more than this far ahead of the wall clock is not trusted to move the clock.
MAX_AHEAD = timedelta(days=1)
# Month names for dates shown to people, the same in every locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_stamp(text: object) -> datetime | None:
    """A stamp as the Writer makes it (STAMP_FORMAT), in UTC; None for anything else."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text, STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """Strictly increasing UTC stamps, never at or below one already observed.

    Strictly increasing stamps keep "the later edit wins" meaningful even when two
    edits land within the same microsecond; observing the stamps read from disk or
    from another device keeps an edit made after an import later than what was
    imported, even when this laptop's clock is behind.
    """

    def __init__(self, source: Callable[[], datetime] = _utc_now) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._last: datetime | None = None

    def wall(self) -> datetime:
        """The time the source gives, without the increasing guarantee."""
        return self._source()

    def now(self) -> str:
        """The current UTC time as ISO 8601 with microseconds, strictly increasing."""
        with self._lock:
            current = self._source()
            if self._last is not None and current <= self._last:
                current = self._last + timedelta(microseconds=1)
            self._last = current
        return current.strftime(STAMP_FORMAT)

    def observe(self, stamp: str | None) -> None:
        """Never hand out a stamp at or below `stamp`; one more than a day ahead is ignored."""
        if not stamp:
            return
        try:
            seen = datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return
        with self._lock:
            if seen > self._source() + MAX_AHEAD:
                return
            if self._last is None or seen > self._last:
                self._last = seen


SYSTEM_CLOCK = Clock()


def now() -> str:
    """A stamp from the program's clock (for what is not a row: file names, receipts)."""
    return SYSTEM_CLOCK.now()


def new_id() -> str:
    """A random UUID for a new row."""
    return str(uuid.uuid4())
