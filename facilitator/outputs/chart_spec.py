"""What an exported chart shows, as plain data: the drawing follows it and tests read it.

A spec holds everything drawn (heights, labels, styles, axis limits, title), so
charts can be compared without pixels, sent to another process to be drawn, and
cached by a hash of their content.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from facilitator.exercise.charts import Chart, Diverging, distance, n_text, percent_text
from facilitator.outputs.chart_style import BarStyle, print_style

PERCENT_AXIS = (0.0, 100.0)
DIVERGING_AXIS = (-100.0, 100.0)
Y_LABEL = "Percent of post-its"
DIVERGING_LABEL = "Percent of post-its: agree to the left, disagree to the right"
EMPTY = "No post-its recorded"
# A segment narrower than this (in percent) is too narrow for its label; the legend names it.
SEGMENT_LABEL_MIN = 15.0


@dataclass(frozen=True)
class BarSpec:
    """One chart group's bars: one per category in scale order, heights in percent."""

    title: str | None
    categories: tuple[str, ...]
    heights: tuple[float, ...]
    labels: tuple[str, ...]
    styles: tuple[BarStyle, ...]
    ylim: tuple[float, float]
    xlabel: str
    ylabel: str
    empty: bool


@dataclass(frozen=True)
class Segment:
    """One category's part of a diverging row: where it starts and how wide it is (percent)."""

    left: float
    width: float
    text: str


@dataclass(frozen=True)
class DivergingRow:
    """One chart group's stacked bar, its segments in scale order."""

    label: str
    n: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class DivergingSpec:
    """Several groups' answers to one statement, one row each, the neutral category centred on 0."""

    title: str | None
    categories: tuple[str, ...]
    styles: tuple[BarStyle, ...]
    rows: tuple[DivergingRow, ...]
    xlim: tuple[float, float]
    xlabel: str


Spec = BarSpec | DivergingSpec


def bar_spec(chart: Chart, participants: int | None = None, *, with_title: bool = False) -> BarSpec:
    """What a chart of one group shows: percent bars on a 0-100 axis, each with its count and percent."""
    return BarSpec(
        title=chart.title if with_title else None,
        categories=tuple(
            "\n".join(textwrap.wrap(c.label, 11, max_lines=3, placeholder=" …")) for c in chart.scale
        ),
        heights=tuple(chart.percent(index) for index in range(len(chart.counts))),
        labels=tuple(f"{c} ({percent_text(c, chart.n)})" for c in chart.counts),
        styles=tuple(print_style(chart.scale)),
        ylim=PERCENT_AXIS,
        xlabel=n_text(chart.n, participants),
        ylabel=Y_LABEL,
        empty=chart.n == 0,
    )


def diverging_row(chart: Chart) -> DivergingRow:
    """One group's row: agree categories stacked leftwards from the centre, disagree rightwards,
    the neutral category half on each side."""
    d = [distance(chart.scale, index) for index in range(len(chart.counts))]
    share = [chart.percent(index) for index in range(len(chart.counts))]
    neutral = sum(s for s, dist in zip(share, d, strict=True) if dist == 0)
    left = [0.0] * len(share)
    edge = -neutral / 2
    # Outwards from the centre: the agree side in reverse scale order, each to the left of the last.
    for index in sorted((i for i in range(len(d)) if d[i] < 0), key=lambda i: -d[i]):
        edge -= share[index]
        left[index] = edge
    edge = neutral / 2
    for index in sorted((i for i in range(len(d)) if d[i] > 0), key=lambda i: d[i]):
        left[index] = edge
        edge += share[index]
    for index in range(len(d)):
        if d[index] == 0:
            left[index] = -neutral / 2
    segments = tuple(
        Segment(
            left[index],
            share[index],
            percent_text(count, chart.n) if share[index] >= SEGMENT_LABEL_MIN else "",
        )
        for index, count in enumerate(chart.counts)
    )
    return DivergingRow(chart.group.label, n_text(chart.n), segments)


def diverging_spec(diverging: Diverging, *, with_title: bool = False) -> DivergingSpec:
    """The diverging stacked chart of one statement across groups, on a symmetric percent axis."""
    return DivergingSpec(
        title=diverging.title if with_title else None,
        categories=tuple(c.label for c in diverging.scale),
        styles=tuple(print_style(diverging.scale)),
        rows=tuple(diverging_row(row) for row in diverging.rows),
        xlim=DIVERGING_AXIS,
        xlabel=DIVERGING_LABEL,
    )
