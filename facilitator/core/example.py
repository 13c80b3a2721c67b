"""How an example session is marked: the same word on every screen, one line in every export."""

from __future__ import annotations

EXAMPLE_MARK = "EXAMPLE"
EXAMPLE_LINE = "Example data, not a real consultation."
