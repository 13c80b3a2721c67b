"""Chart files: PNG for Word documents and SVG with real text, drawn for print.

What each chart shows is a spec (`chart_spec`), drawn by `chart_draw` with the
print style of `chart_style`. `draw_all` takes charts from a cache when it can and
draws the rest across the machine's cores. matplotlib is imported only where drawing
happens (it takes most of a second).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
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
    diverging_charts,
    figure_charts,
    slug,
)
from facilitator.outputs import chart_cache
from facilitator.outputs.chart_spec import Spec, bar_spec, diverging_spec
from facilitator.store import Store

FORMATS = ("png", "svg")
# Fewer charts than this to draw are drawn here: starting drawing processes costs more.
PARALLEL_FROM = 4


def parse_formats(text: str, option: str = "--charts") -> tuple[str, ...]:
    """Read `--charts png,svg` into the formats, in the given order, without repeats."""
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise FacilitatorError(f"{option} {text!r} must be png, svg or png,svg")
    return tuple(dict.fromkeys(wanted))


def render(chart: Chart, fmt: str, *, with_title: bool = False, participants: int | None = None) -> bytes:
    """One chart as PNG or SVG bytes: percent bars in scale order, each with its count."""
    return render_formats(chart, (fmt,), with_title=with_title, participants=participants)[fmt]


def render_formats(
    chart: Chart, formats: Sequence[str], *, with_title: bool = False, participants: int | None = None
) -> dict[str, bytes]:
    """One chart drawn once and saved in each format (PNG and/or SVG)."""
    from facilitator.outputs.chart_draw import render_spec

    return render_spec(bar_spec(chart, participants, with_title=with_title), formats)


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


def index_entry(chart: Chart | Diverging, files: Sequence[str]) -> dict[str, Any]:
    """What `index.json` says about one chart."""
    if isinstance(chart, Diverging):
        return {
            "title": chart.title,
            "kind": "comparison",
            "files": list(files),
            "groups": [row.group.label for row in chart.rows],
            "statement": chart.statement.number,
            "n": [row.n for row in chart.rows],
            "counts": [row.by_key for row in chart.rows],
        }
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


def comparison_stem(number: int) -> str:
    """The file name (without extension) of the comparison chart of statement `number`."""
    return f"comparison-{number:02d}"


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


def spec_of(job: ChartJob) -> Spec:
    """What a job's chart shows, as data."""
    if isinstance(job.chart, Diverging):
        return diverging_spec(job.chart, with_title=job.with_title)
    return bar_spec(job.chart, job.participants, with_title=job.with_title)


def _start_method() -> str:
    import multiprocessing

    # Never fork: the app exports from a thread, and forking a threaded process is unsafe.
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _draw_in_parallel(specs: Sequence[Spec], formats: Sequence[str], workers: int) -> list[dict[str, bytes]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from itertools import repeat

    from facilitator.outputs.chart_draw import render_spec

    context = multiprocessing.get_context(_start_method())
    if context.get_start_method() == "forkserver":
        # Each drawing process then starts with matplotlib loaded, forked from the server.
        context.set_forkserver_preload(
            ["matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.backends.backend_svg",
             "facilitator.outputs.chart_draw"]
        )  # fmt: skip
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(render_spec, specs, repeat(tuple(formats))))


def draw_specs(specs: Sequence[Spec], formats: Sequence[str]) -> list[dict[str, bytes]]:
    """Draw every spec in every format: across the machine's cores when there are several
    to draw, here when there are few (or one core). A drawing error is raised here."""
    from concurrent.futures.process import BrokenProcessPool

    from facilitator.outputs.chart_draw import render_spec

    workers = min(os.cpu_count() or 1, len(specs))
    if len(specs) >= PARALLEL_FROM and workers > 1:
        try:
            return _draw_in_parallel(specs, formats, workers)
        except (BrokenProcessPool, OSError):
            pass  # no drawing processes here (a locked-down machine): draw them in this one
    return [render_spec(spec, formats) for spec in specs]


def draw_all(
    jobs: Sequence[ChartJob], formats: Sequence[str], directory: Path, *, cache: Path | None = None
) -> list[dict[str, str]]:
    """Draw every job into `directory` in every format; per job, format -> file name.

    `cache` is a folder of charts drawn before, kept by a hash of their spec and style:
    a chart found there is copied, not drawn. Nothing is written into `directory` until
    every chart is drawn.
    """
    specs = [spec_of(job) for job in jobs]
    keys = [chart_cache.key(spec) for spec in specs]
    drawn: dict[str, dict[str, bytes]] = {}
    if cache is not None:
        for name in dict.fromkeys(keys):
            found = {fmt: chart_cache.read(cache, name, fmt) for fmt in formats}
            if all(data is not None for data in found.values()):
                drawn[name] = {fmt: data for fmt, data in found.items() if data is not None}
    missing = {name: spec for name, spec in zip(keys, specs, strict=True) if name not in drawn}
    made_now = draw_specs(list(missing.values()), formats) if missing else []
    for name, made in zip(missing, made_now, strict=True):
        drawn[name] = made
        if cache is not None:
            chart_cache.save(cache, name, made)
    if cache is not None and missing:
        chart_cache.prune(cache)
    written = []
    for job, name in zip(jobs, keys, strict=True):
        files = {}
        for fmt in formats:
            files[fmt] = f"{job.stem}.{fmt}"
            write_private(directory / files[fmt], drawn[name][fmt])
        written.append(files)
    return written


def write_index(path: Path, entries: list[dict[str, Any]], scale_keys: Sequence[str]) -> None:
    """Write `index.json`: the scale, then every chart in the order written, one per line.

    Written piece by piece, so a report of thousands of charts never holds the whole text.
    """
    with open_private(path) as file:
        file.write('{\n  "scale": ' + json.dumps(list(scale_keys)) + ',\n  "charts": [')
        for index, entry in enumerate(entries):
            file.write(("," if index else "") + "\n    " + json.dumps(entry, ensure_ascii=False))
        file.write("\n  ]\n}\n")


def chart_jobs(store: Store, selection: Selection, *, with_title: bool = False) -> list[ChartJob]:
    """Every chart of a report, once: Figures, then the comparisons, then Appendix 1, each
    with the number of participants its groups recorded (`findings.participants_of`)."""
    from facilitator.outputs.findings import participants_of

    counts = Counts(store, selection.sessions)
    people = participants_of(store, [selection.everyone(), *selection.groups])
    positions = {id(group): index for index, group in enumerate(selection.groups, start=1)}
    jobs = [
        ChartJob(c, file_stem(c, 0), people[selection.session_ids], with_title)
        for c in figure_charts(counts, selection)
    ]
    jobs += [
        ChartJob(d, comparison_stem(n), None, with_title)
        for n, d in enumerate(diverging_charts(counts, selection), start=1)
    ]
    jobs += [
        ChartJob(c, file_stem(c, positions[id(c.group)]), people[c.group.session_ids], with_title)
        for c in appendix_charts(counts, selection)
    ]
    return jobs


def export_charts(
    store: Store, selection: Selection, out: Path, formats: Sequence[str], *, cache: Path | None = None
) -> list[dict[str, Any]]:
    """`facilitator charts`: the Figures, the comparisons and Appendix 1's charts, and
    `index.json`, into `out`.

    Each file stands alone, so its title is drawn in it. Everything is drawn into a
    temporary folder first, so a failure writes nothing. `cache` is the folder of
    charts drawn before (see `draw_all`).
    """
    jobs = chart_jobs(store, selection, with_title=True)
    with staged_dir(out, last=["index.json"]) as staging:
        written = draw_all(jobs, formats, staging, cache=cache)
        entries = [
            index_entry(job.chart, list(files.values())) for job, files in zip(jobs, written, strict=True)
        ]
        write_index(staging / "index.json", entries, selection.scale.keys)
    return entries
