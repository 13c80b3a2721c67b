"""Chart files: PNG for Word documents and SVG with real text, drawn with matplotlib.

matplotlib is imported inside the functions that draw (it takes most of a second).
SVG output is reproducible byte for byte: no date, a fixed hash salt, and text
kept as text (`svg.fonttype = "none"`), so screen readers and searches find titles.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facilitator.core.errors import FacilitatorError
from facilitator.core.files import open_private, staged_dir, write_private
from facilitator.exercise.charts import (
    Chart,
    Counts,
    Diverging,
    Selection,
    appendix_charts,
    category_colours,
    figure_charts,
    percent_text,
    slug,
)
from facilitator.store import Store

FORMATS = ("png", "svg")
TITLE_WIDTH = 80
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "facilitator",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
}


def parse_formats(text: str) -> tuple[str, ...]:
    """Read `--format png,svg` into the formats, in the given order, without repeats."""
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise FacilitatorError(f"format {text!r} must be png, svg or png,svg")
    return tuple(dict.fromkeys(wanted))


def _plain(text: str) -> str:
    """Text that matplotlib draws literally: a `$` would otherwise start mathematics."""
    return text.replace("\\", "\\\\").replace("$", r"\$")


def render(chart: Chart, fmt: str) -> bytes:
    """One chart as PNG or SVG bytes: bars in scale order, each labelled with its count."""
    return render_formats(chart, (fmt,))[fmt]


def render_formats(chart: Chart, formats: Sequence[str]) -> dict[str, bytes]:
    """One chart drawn once and saved in each format (PNG and/or SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        figure = Figure(figsize=(8, 4.2))
        axes = figure.add_subplot()
        labels = [_plain("\n".join(textwrap.wrap(c.label, 14))) for c in chart.scale]
        positions = list(range(len(chart.counts)))
        bars = axes.bar(
            positions,
            chart.counts,
            color=category_colours(chart.scale),
            edgecolor="#333333",
            linewidth=0.6,
        )
        axes.bar_label(
            bars,
            labels=[f"{c} ({percent_text(c, chart.n)})" for c in chart.counts],
            padding=2,
        )
        axes.set_xticks(positions, labels)
        axes.set_ylabel("Post-its")
        axes.set_xlabel(f"n = {chart.n}")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(0, max(1, max(chart.counts, default=0)) * 1.2)
        axes.spines[["top", "right"]].set_visible(False)
        if not chart.n:
            axes.text(0.5, 0.5, "No post-its recorded", transform=axes.transAxes, ha="center")
        title_lines = textwrap.wrap(chart.title, TITLE_WIDTH) or [""]
        axes.set_title(_plain("\n".join(title_lines)), loc="left")
        label_lines = max(len(label.split("\n")) for label in labels)
        # Fixed margins rather than tight_layout(): each chart is drawn once, not twice.
        figure.subplots_adjust(
            left=0.08,
            right=0.98,
            top=1 - (0.06 + 0.05 * len(title_lines)),
            bottom=0.1 + 0.045 * label_lines,
        )
        saved = {}
        for fmt in formats:
            buffer = io.BytesIO()
            if fmt == "svg":
                figure.savefig(buffer, format="svg", metadata={"Date": None, "Title": chart.title})
            else:
                # Light compression: a third faster to write, still lossless.
                figure.savefig(
                    buffer,
                    format="png",
                    dpi=150,
                    metadata={"Software": None},
                    pil_kwargs={"compress_level": 1},
                )
            saved[fmt] = buffer.getvalue()
    return saved


SVG_ID = re.compile(r'(id="|url\(#|href="#)([^")]+)')


def svg_inline(svg: bytes, prefix: str) -> str:
    """An SVG file's markup for inlining in HTML, its ids made unique with `prefix`."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    # The file's RDF metadata (title, creator) is for the file alone; the page labels the figure.
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    return SVG_ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)


def file_stem(chart: Chart, group_position: int) -> str:
    """The file name (without extension) of a chart, sortable in appendix order."""
    if chart.figure is not None:
        return f"figure-{chart.figure:02d}"
    return f"appendix-{group_position:02d}-{chart.statement.number:02d}-{slug(chart.group.label)}"


def index_entry(chart: Chart, files: Sequence[str]) -> dict[str, Any]:
    """What `index.json` says about one chart."""
    return {
        "title": chart.title,
        "kind": "figure" if chart.figure is not None else "appendix",
        "files": list(files),
        "group": chart.group.label,
        "sessions": list(chart.group.session_ids),
        "statement": chart.statement.number,
        "n": chart.n,
        "counts": chart.by_key,
    }


def write_chart(
    chart: Chart, group_position: int, directory: Path, formats: Sequence[str]
) -> tuple[dict[str, Any], bytes | None]:
    """Draw one chart into `directory` in every format.

    `group_position` is its group's place in appendix order (1-based). Returns the
    chart's `index.json` entry and its SVG, if one was drawn (for inlining in HTML).
    """
    stem = file_stem(chart, group_position)
    files = []
    drawn = render_formats(chart, formats)
    svg = drawn.get("svg")
    for fmt, data in drawn.items():
        name = f"{stem}.{fmt}"
        write_private(directory / name, data)
        files.append(name)
    return index_entry(chart, files), svg


@dataclass(frozen=True)
class ChartJob:
    """One chart to draw into a document's folder, as the file `<stem>.<fmt>` per format.

    `participants` (when known) lets the chart say "n = 44 of 46 participants";
    `with_title` draws the title in the image (a document captions it instead).
    """

    chart: Chart | Diverging
    stem: str
    participants: int | None = None
    with_title: bool = False


def draw_all(
    jobs: Sequence[ChartJob], formats: Sequence[str], directory: Path, *, cache: Path | None = None
) -> list[dict[str, str]]:
    """Draw every job into `directory` in every format; per job, format -> file name.

    `cache` is a folder of charts drawn before, kept by a hash of their data and style.
    """
    written = []
    for job in jobs:
        if isinstance(job.chart, Diverging):
            raise NotImplementedError("diverging charts are not drawn yet")
        files = {}
        for fmt, data in render_formats(job.chart, formats).items():
            files[fmt] = f"{job.stem}.{fmt}"
            write_private(directory / files[fmt], data)
        written.append(files)
    return written


def numbered(charts: Sequence[Chart]) -> Iterator[tuple[Chart, int]]:
    """Figures (position 0) and appendix charts with their group's position in appendix order."""
    positions: dict[int, int] = {}
    for chart in charts:
        if chart.figure is not None:
            yield chart, 0
        else:
            yield chart, positions.setdefault(id(chart.group), len(positions) + 1)


def write_index(path: Path, entries: list[dict[str, Any]], scale_keys: Sequence[str]) -> None:
    """Write `index.json`: the scale, then every chart in the order written, one per line.

    Written piece by piece, so a report of thousands of charts never holds the whole text.
    """
    with open_private(path) as file:
        file.write('{\n  "scale": ' + json.dumps(list(scale_keys)) + ',\n  "charts": [')
        for index, entry in enumerate(entries):
            file.write(("," if index else "") + "\n    " + json.dumps(entry, ensure_ascii=False))
        file.write("\n  ]\n}\n")


def export_charts(
    store: Store, selection: Selection, out: Path, formats: Sequence[str], *, cache: Path | None = None
) -> list[dict[str, Any]]:
    """`facilitator charts`: Figures then Appendix 1 charts, and `index.json`, into `out`.

    Everything is drawn into a temporary folder first, so a failure writes nothing.
    `cache` is the folder of charts drawn before (see `draw_all`).
    """
    counts = Counts(store, selection.sessions)
    charts = [*figure_charts(counts, selection), *appendix_charts(counts, selection)]
    with staged_dir(out, last=["index.json"]) as staging:
        jobs = [ChartJob(chart, file_stem(chart, position)) for chart, position in numbered(charts)]
        drawn = draw_all(jobs, formats, staging, cache=cache)
        entries = [
            index_entry(chart, list(files.values())) for chart, files in zip(charts, drawn, strict=True)
        ]
        write_index(staging / "index.json", entries, selection.scale.keys)
    return entries
