"""The app's idle lock: after how many idle minutes it locks to the unlock screen."""

from __future__ import annotations

from facilitator.core.errors import FacilitatorError
from facilitator.store import Store

IDLE_LOCK_META = "ui.idle_lock_minutes"
DEFAULT_IDLE_LOCK = 10
MAX_IDLE_LOCK = 24 * 60


def idle_lock_minutes(store: Store) -> int | None:
    """Minutes of no keys before the app locks; None when the idle lock is off."""
    value = store.meta.get(IDLE_LOCK_META)
    if value is None:
        return DEFAULT_IDLE_LOCK
    if value == "off":
        return None
    try:
        minutes = int(value)
    except ValueError:
        return DEFAULT_IDLE_LOCK
    return minutes if 1 <= minutes <= MAX_IDLE_LOCK else DEFAULT_IDLE_LOCK


def set_idle_lock(store: Store, minutes: int | None) -> None:
    """Lock after `minutes` idle minutes (1 to 1440), or never (None)."""
    if minutes is not None and not 1 <= minutes <= MAX_IDLE_LOCK:
        raise FacilitatorError(f"the idle lock takes 1 to {MAX_IDLE_LOCK} minutes, or 'off'")
    store.meta.set(IDLE_LOCK_META, "off" if minutes is None else str(minutes))
