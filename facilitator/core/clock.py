"""Timestamps and ids for every row."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_last: datetime | None = None


def now() -> str:
    """The current UTC time as ISO 8601 with microseconds, strictly increasing in this process.

    Strictly increasing stamps keep "the later edit wins" meaningful even when two
    edits land within the same microsecond.
    """
    global _last
    with _lock:
        current = datetime.now(UTC)
        if _last is not None and current <= _last:
            current = _last + timedelta(microseconds=1)
        _last = current
    return current.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    """A random UUID for a new row."""
    return str(uuid.uuid4())


# A stamp more than this far ahead of the wall clock is not trusted to move the clock.
MAX_AHEAD = timedelta(days=1)


def observe(stamp: str | None) -> None:
    """Never hand out a stamp at or below `stamp` (one read from disk or another device).

    So an edit made after an import is later than what was imported, even when this
    laptop's clock is behind. A stamp more than a day in the future is ignored.
    """
    global _last
    if not stamp:
        return
    try:
        seen = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return
    with _lock:
        if seen > datetime.now(UTC) + MAX_AHEAD:
            return
        if _last is None or seen > _last:
            _last = seen
