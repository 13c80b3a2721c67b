"""The percentages shown beside counts: one rule for the wall, the charts, the summaries and the report.

Each share is rounded on its own (Python's `round`, so a share of exactly
12.5% shows as 12%), which means equal counts always show equal percentages.
The shown percentages of a chart may therefore not add up to exactly 100: that is
the honest price of never showing two equal counts as different shares.
"""

from __future__ import annotations


def whole_percent(count: int, n: int) -> int:
    """`count` as a whole-number percentage of `n` (0 when `n` is 0)."""
    return round(100 * count / n) if n else 0


def percent_text(count: int, n: int) -> str:
    """A whole-number percentage as printed beside a count, e.g. "12%"."""
    return f"{whole_percent(count, n)}%"
