"""Drawing a chart spec with matplotlib, as PNG and/or SVG bytes.

This runs in the app's process or in a drawing process (`chart_files.draw_all`), so it
takes plain data (a spec) and returns bytes. matplotlib is imported inside the functions.
SVG output is reproducible byte for byte: no date, a fixed hash salt, and text kept as
text (`svg.fonttype = "none"`), so screen readers and searches find it.
"""

from __future__ import annotations

import io
import math
import textwrap
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from facilitator.core.literal import visible
from facilitator.outputs.chart_spec import BarSpec, DivergingSpec, Spec
from facilitator.outputs.chart_style import (
    BAR_HEIGHT_IN,
    BAR_WIDTH_IN,
    EDGE,
    FIGURE_WIDTH_IN,
    LABEL_PT,
    RC,
    BarStyle,
    luma,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

TITLE_WIDTH = 72  # characters per title line at 11 pt across the figure
LINE_IN = 0.19  # one 10 pt line of text, with its spacing
ROW_IN = 0.5  # one group's row in a diverging chart
ROW_LABEL_WIDTH = 30
LEGEND_LABEL_WIDTH = 12


def plain(text: str) -> str:
    """Text that matplotlib draws literally: control characters shown (as everywhere else),
    and a `$` escaped, which would otherwise start mathematics."""
    # Outside mathematics matplotlib keeps backslashes as typed; only `\$` is read as `$`.
    return visible(text, multiline=True).replace("$", r"\$")


def _title_lines(title: str | None) -> list[str]:
    return textwrap.wrap(title, TITLE_WIDTH) if title else []


def _margins(figure: Figure, *, left: float, right: float, top: float, bottom: float) -> None:
    """Fixed margins in inches (rather than tight_layout(): each chart is drawn once, not twice)."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height
    )


def _fill(patch: Any, style: BarStyle) -> None:
    patch.set_facecolor(style.colour)
    patch.set_hatch(style.hatch)
    patch.set_edgecolor(EDGE)
    patch.set_linewidth(0.6)


def _title(axes: Axes, lines: list[str]) -> None:
    if lines:
        axes.set_title(plain("\n".join(lines)), loc="left", pad=16)


def draw_bars(spec: BarSpec) -> Figure:
    """One group's chart: a bar per category on a 0-100% axis, each labelled with count and percent."""
    from matplotlib.figure import Figure

    title = _title_lines(spec.title)
    label_lines = max((c.count("\n") + 1 for c in spec.categories), default=1)
    figure = Figure(figsize=(BAR_WIDTH_IN, BAR_HEIGHT_IN + LINE_IN * (len(title) + label_lines - 2)))
    axes = figure.add_subplot()
    positions = list(range(len(spec.heights)))
    bars = axes.bar(positions, spec.heights, width=0.7)
    for bar, style in zip(bars, spec.styles, strict=True):
        _fill(bar, style)
    axes.bar_label(bars, labels=[plain(t) for t in spec.labels], padding=2, fontsize=LABEL_PT)
    axes.set_xticks(positions, [plain(c) for c in spec.categories])
    low, high = spec.ylim
    ticks = [low + (high - low) * step / 4 for step in range(5)]
    axes.set_yticks(ticks, [f"{t:g}%" for t in ticks])
    axes.set_ylim(low, high)
    axes.set_xlim(-0.6, len(positions) - 0.4)
    axes.set_ylabel(plain(spec.ylabel))
    axes.set_xlabel(plain(spec.xlabel))
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.grid(True, color="#DDDDDD", linewidth=0.6)
    axes.set_axisbelow(True)
    if spec.empty:
        axes.text(0.5, 0.5, "No post-its recorded", transform=axes.transAxes, ha="center")
    _title(axes, title)
    top = 0.3 + (LINE_IN * len(title) + 0.2 if title else 0)
    _margins(figure, left=0.75, right=0.1, top=top, bottom=0.2 + LINE_IN * (label_lines + 1))
    return figure


def _legend_order(count: int, columns: int) -> list[int]:
    """Entries in the order matplotlib fills a legend (down each column), so it reads across."""
    rows = math.ceil(count / columns)
    return [r * columns + c for c in range(columns) for r in range(rows) if r * columns + c < count]


def row_label(label: str, n: str) -> str:
    """A diverging chart's row label: the group's name on at most two lines (a long name
    must not run into the next row), then its n."""
    return "\n".join([*textwrap.wrap(label, ROW_LABEL_WIDTH, max_lines=2, placeholder=" …"), n])


def draw_diverging(spec: DivergingSpec) -> Figure:
    """Groups' answers to one statement, one stacked row each, agree left and disagree right."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    title = _title_lines(spec.title)
    columns = len(spec.categories) if len(spec.categories) <= 6 else math.ceil(len(spec.categories) / 2)
    legend_rows = math.ceil(len(spec.categories) / columns)
    legend_in = legend_rows * 2 * LINE_IN + 0.15
    top = 0.15 + (LINE_IN * len(title) + 0.2 if title else 0)
    bottom = 0.6 + legend_in
    figure = Figure(figsize=(FIGURE_WIDTH_IN, top + bottom + ROW_IN * max(1, len(spec.rows))))
    axes = figure.add_subplot()
    for y, row in enumerate(spec.rows):
        for segment, style in zip(row.segments, spec.styles, strict=True):
            if segment.width <= 0:
                continue
            (bar,) = axes.barh(y, segment.width, left=segment.left, height=0.7)
            _fill(bar, style)
            if segment.text:
                dark = luma(style.colour) < 110
                axes.text(
                    segment.left + segment.width / 2,
                    y,
                    plain(segment.text),
                    ha="center",
                    va="center",
                    fontsize=LABEL_PT,
                    color="white" if dark else "black",
                    # On hatching, the label sits on a patch of the plain colour.
                    bbox={"facecolor": style.colour, "edgecolor": "none", "pad": 1} if style.hatch else None,
                )
    axes.set_yticks(range(len(spec.rows)), [plain(row_label(r.label, r.n)) for r in spec.rows])
    axes.set_ylim(len(spec.rows) - 0.5, -0.5)  # first group on top
    low, high = spec.xlim
    ticks = [low + (high - low) * step / 4 for step in range(5)]
    axes.set_xticks(ticks, [f"{abs(t):g}%" if t else "0" for t in ticks])
    axes.set_xlim(low, high)
    axes.axvline(0, color=EDGE, linewidth=0.8)
    axes.set_xlabel(plain(spec.xlabel))
    axes.spines[["top", "right", "left"]].set_visible(False)
    axes.tick_params(axis="y", length=0)
    handles = [Patch(facecolor=s.colour, hatch=s.hatch, edgecolor=EDGE, linewidth=0.6) for s in spec.styles]
    names = [
        plain("\n".join(textwrap.wrap(c, LEGEND_LABEL_WIDTH, max_lines=3, placeholder=" …")))
        for c in spec.categories
    ]
    order = _legend_order(len(names), columns)
    figure.legend(
        [handles[i] for i in order],
        [names[i] for i in order],
        loc="lower center",
        ncol=columns,
        frameon=False,
        bbox_to_anchor=(0.5, 0.02),
        handlelength=2.2,
        handleheight=1.4,
    )
    _title(axes, title)
    _margins(figure, left=2.25, right=0.3, top=top, bottom=bottom)
    return figure


def render_spec(spec: Spec, formats: Sequence[str]) -> dict[str, bytes]:
    """A spec drawn once and saved in each format (PNG and/or SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    with matplotlib.rc_context(RC), warnings.catch_warnings():  # type: ignore[arg-type]
        # A control character is shown as its symbol (␛), which the PNG's font may lack: a box then.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure = draw_bars(spec) if isinstance(spec, BarSpec) else draw_diverging(spec)
        saved = {}
        for fmt in formats:
            buffer = io.BytesIO()
            if fmt == "svg":
                metadata = {
                    "Date": None,
                    "Creator": None,
                    **({"Title": visible(spec.title)} if spec.title else {}),
                }
                figure.savefig(buffer, format="svg", metadata=metadata)
            else:
                # Light compression: a third faster to write, still lossless.
                figure.savefig(
                    buffer,
                    format="png",
                    dpi=200,
                    metadata={"Software": None},
                    pil_kwargs={"compress_level": 1},
                )
            saved[fmt] = buffer.getvalue()
    return saved
