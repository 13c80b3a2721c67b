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
