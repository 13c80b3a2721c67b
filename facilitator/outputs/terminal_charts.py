"""Charts for the terminal, as Rich renderables (the app's charts screen shows them).

Every bar carries its category's label and its count and percentage as text, so
nothing depends on colour. Labels, titles and statements are shown literally:
they are never read as Rich markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.text import Text

from facilitator.core.literal import visible
from facilitator.core.statements import Scale
from facilitator.exercise.charts import Chart, category_colours, distance, percent_text

EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
# Fill glyphs of the diverging view, one per category so the legend tells every one
# apart without colour: the middle is light, agreement is shaded (darker further out),
# disagreement is chequered. Index 0 is next to the middle.
NEUTRAL_FILL = "░"
AGREE_FILLS = ("▓", "█", "▛", "▙")
DISAGREE_FILLS = ("▒", "▚", "▞", "▟")


def bar_text(length: float, style: str) -> Text:
    """A horizontal bar `length` cells long, drawn to an eighth of a cell."""
    whole = int(length)
    eighths = round((length - whole) * 8)
    if eighths == 8:
        whole, eighths = whole + 1, 0
    return Text(FULL * whole + (EIGHTHS[eighths] if eighths else ""), style=style)


def category_names(scale: Scale) -> list[str]:
    """Each category's label with its symbol, e.g. "Strongly agree ++"."""
    return [f"{c.label} {c.symbol}".strip() for c in scale]


def category_marks(scale: Scale) -> list[str]:
    """The shortest text naming each category: its symbol, or else its entry key."""
    return [c.symbol or c.entry for c in scale]


@dataclass
class StatementBars:
    """One statement's bars in scale order, each with its label, count and percentage.

    With `percent` the bars share a 0-100% scale (to compare groups); otherwise
    they are scaled to the largest count. With `gap` an empty line separates the
    bars (easier to read from across a room).
    """

    chart: Chart
    percent: bool = False
    show_title: bool = True
    gap: bool = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        chart = self.chart
        width = options.max_width
        names = category_names(chart.scale)
        values = [
            f"{percent_text(c, chart.n)} ({c})" if self.percent else f"{c} ({percent_text(c, chart.n)})"
            for c in chart.counts
        ]
        name_width = min(max(len(n) for n in names), max(8, width // 3))
        value_width = max(len(v) for v in values)
        room = max(1, width - name_width - value_width - 2)
        top = 100.0 if self.percent else float(max(chart.counts, default=0))
        colours = category_colours(chart.scale)
        if self.show_title:
            yield Text(visible(chart.title, multiline=True), style="bold", overflow="fold")
        yield Text(f"n = {chart.n}" + ("" if chart.n else "  (no post-its yet)"), style="italic")
        for index, (name, value) in enumerate(zip(names, values, strict=True)):
            share = chart.percent(index) if self.percent else float(chart.counts[index])
            line = Text(visible(name)[:name_width].ljust(name_width) + " ")
            bar = bar_text(room * share / top if top else 0.0, colours[index])
            line.append_text(bar)
            line.append(" " + value)
            line.no_wrap = True
            if self.gap and index:
                yield Text("")
            yield line


def group_bars(charts: Sequence[Chart], *, percent: bool = False) -> RenderableType:
    """Every statement of one group, one block of bars after another."""
    parts: list[RenderableType] = []
    for index, chart in enumerate(charts):
        if index:
            parts.append(Text(""))
        parts.append(StatementBars(chart, percent=percent))
    return Group(*parts)


@dataclass
class Diverging:
    """A compact diverging view: one row per chart, agreement left, disagreement right.

    The neutral category is split across the centre line. Each row ends with its
    counts as text (e.g. "++3 +4 ?2 -1 --0 n=10"), and a legend names the fills.
    With `percent` each row spans its own n (to compare groups of different sizes);
    otherwise rows share one count scale. With `gap` an empty line separates the rows.
    """

    rows: Sequence[tuple[str, Chart]]
    percent: bool = True
    title: str = ""
    gap: bool = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.rows:
            yield Text("nothing to chart yet", style="italic")
            return
        width = options.max_width
        scale = self.rows[0][1].scale
        marks = category_marks(scale)
        summaries = [
            " ".join(f"{m}{c}" for m, c in zip(marks, chart.counts, strict=True)) + f" n={chart.n}"
            for _, chart in self.rows
        ]
        summary_width = max(len(s) for s in summaries)
        # Labels get what the two halves (at least 10 cells each) leave over.
        label_width = min(max(len(label) for label, _ in self.rows), max(10, width - summary_width - 24))
        half = max(2, (width - label_width - summary_width - 3) // 2)
        sides = [self._sides(chart) for _, chart in self.rows]
        if self.percent:
            scales = [half / chart.n if chart.n else 0.0 for _, chart in self.rows]
        else:
            biggest = max((max(sum(v for _, v in left), sum(v for _, v in right)) for left, right in sides))
            scales = [half / biggest if biggest else 0.0] * len(self.rows)
        if self.title:
            yield Text(visible(self.title, multiline=True), style="bold", overflow="fold")
        yield self._legend(scale)
        for index, ((label, _), summary, (left, right), factor) in enumerate(
            zip(self.rows, summaries, sides, scales, strict=True)
        ):
            if self.gap and index:
                yield Text("")
            line = Text(_fit(visible(label), label_width).ljust(label_width) + " ")
            line.append_text(_side(scale, left, factor, half, reverse=True))
            line.append("│")
            line.append_text(_side(scale, right, factor, half, reverse=False))
            line.append(" " + summary)
            line.no_wrap = True
            yield line

    @staticmethod
    def _sides(chart: Chart) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """(category index, amount) running outwards from the centre, on each side."""
        left: list[tuple[int, float]] = []
        right: list[tuple[int, float]] = []
        for index, count in enumerate(chart.counts):
            d = distance(chart.scale, index)
            if d == 0:
                left.append((index, count / 2))
                right.append((index, count / 2))
            elif d < 0:
                left.append((index, float(count)))
            else:
                right.append((index, float(count)))
        left.sort(key=lambda item: -distance(chart.scale, item[0]))
        right.sort(key=lambda item: distance(chart.scale, item[0]))
        return left, right

    @staticmethod
    def _legend(scale: Scale) -> Text:
        colours = category_colours(scale)
        legend = Text("")
        for index, category in enumerate(scale):
            if index:
                legend.append("  ")
            legend.append(_fill(scale, index) * 2, style=colours[index])
            legend.append(" " + visible(f"{category.symbol or category.entry} {category.short}"))
        return legend


def _fill(scale: Scale, index: int) -> str:
    """The category's own fill glyph: no two categories of a scale (up to 9) share one."""
    d = distance(scale, index)
    if d == 0:
        return NEUTRAL_FILL
    fills = AGREE_FILLS if d < 0 else DISAGREE_FILLS
    return fills[min(int(abs(d) + 0.5), len(fills)) - 1]


def _side(scale: Scale, parts: list[tuple[int, float]], factor: float, half: int, *, reverse: bool) -> Text:
    """One half of a diverging row: segments from the centre outwards, padded to `half` cells."""
    colours = category_colours(scale)
    segments: list[Text] = []
    running, drawn = 0.0, 0
    for index, amount in parts:
        running += amount
        end = min(half, round(running * factor))
        segments.append(Text(_fill(scale, index) * (end - drawn), style=colours[index]))
        drawn = end
    padding = Text(" " * (half - drawn))
    if reverse:
        return Text("").join([padding, *reversed(segments)])
    return Text("").join([*segments, padding])


def _fit(text: str, width: int) -> str:
    """Shorten text to `width`, keeping its start and its end ("Young offender…group 4")."""
    if len(text) <= width:
        return text
    tail = max(0, (width - 1) // 3)
    return text[: width - 1 - tail] + "…" + (text[-tail:] if tail else "")


def statement_rows(charts: Sequence[Chart]) -> list[tuple[str, Chart]]:
    """Diverging rows for every statement of one group, labelled "1 <statement text>"."""
    return [(f"{chart.statement.number} {chart.statement.text}", chart) for chart in charts]


def group_rows(charts: Sequence[Chart]) -> list[tuple[str, Chart]]:
    """Diverging rows for one statement over several groups, labelled with each group's label."""
    return [(chart.group.label, chart) for chart in charts]
