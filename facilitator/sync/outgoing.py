"""The rows as they leave this device: what the office will hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from facilitator.store import Store
from facilitator.store.sync_state import Row, Value


def outgoing_rows(
    store: Store, table: str, columns: Sequence[str], rows: Mapping[Value, Row]
) -> dict[Value, Row]:
    """The rows as the office will hold them."""
    return dict(rows)
