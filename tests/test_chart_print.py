"""Charts made for print and comparison: what a report's figures show, checked from their specs,
their SVG bytes and the files a cached, parallel `draw_all` writes.

The five sessions of *Does social work care?* are built once for the module.
"""

from __future__ import annotations

import itertools
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from facilitator.exercise import charts
from facilitator.outputs import chart_cache, chart_draw, chart_files, findings
from facilitator.outputs.chart_files import ChartJob, draw_all
from facilitator.outputs.chart_spec import bar_spec, diverging_spec
from facilitator.outputs.chart_style import (
    BAR_WIDTH_IN,
    COLUMN_WIDTH_IN,
    FIGURE_WIDTH_IN,
    RC,
    SMALLEST_PT,
    luma,
    print_style,
)
from tests.five_sessions import CONSULTATION, POOLED, build, pool_option
from tests.folders import open_folder
from tests.test_scale_sizes import scale_of

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("data")
    with open_folder(data) as store:
        sessions = build(store)
        selection = charts.select(store, consultation=CONSULTATION, pools=[pool_option(sessions)])
        counts = charts.Counts(store, selection.sessions)
        return {
            "data": data,
            "selection": selection,
            "figures": charts.figure_charts(counts, selection),
            "appendix": charts.appendix_charts(counts, selection),
            "diverging": charts.diverging_charts(counts, selection),
        }


def svg_texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def jobs_of(five: dict[str, Any]) -> list[ChartJob]:
    """The report's charts: Figures, each statement's diverging chart, then Appendix 1."""
    jobs = [ChartJob(c, f"figure-{c.figure:02d}", 46) for c in five["figures"]]
    jobs += [ChartJob(d, f"diverging-{d.statement.number:02d}") for d in five["diverging"]]
    jobs += [ChartJob(c, f"appendix-{i:02d}") for i, c in enumerate(five["appendix"], start=1)]
    return jobs


# ---------------------------------------------------------------- what a chart shows


def test_every_groups_chart_of_a_statement_shares_one_percent_axis(five: dict[str, Any]) -> None:
    first_statement = [c for c in five["appendix"] if c.statement.number == 1]
    specs = [bar_spec(c) for c in first_statement]

    assert len(specs) == 4 and {s.ylim for s in specs} == {(0.0, 100.0)}
    for chart, spec in zip(first_statement, specs, strict=True):
        assert spec.heights == tuple(100 * c / chart.n for c in chart.counts)
        assert sum(spec.heights) == pytest.approx(100)
    assert bar_spec(five["figures"][0]).ylim == (0.0, 100.0)


def test_every_bar_carries_its_count_and_percent_in_scale_order(five: dict[str, Any]) -> None:
    figure_1 = five["figures"][0]

    spec = bar_spec(figure_1)

    assert figure_1.counts == (5, 24, 4, 6, 7)
    assert spec.labels == ("5 (11%)", "24 (52%)", "4 (9%)", "6 (13%)", "7 (15%)")
    assert [c.replace("\n", " ") for c in spec.categories] == [c.label for c in figure_1.scale]
    texts = svg_texts(chart_files.render(figure_1, "svg"))
    assert all(label in texts for label in spec.labels)


def test_the_n_says_when_it_differs_from_the_participants(five: dict[str, Any]) -> None:
    figure_1 = five["figures"][0]

    assert bar_spec(figure_1, 46).xlabel == "n = 46"
    assert bar_spec(figure_1, 48).xlabel == "n = 46 of 48 participants"
    assert "n = 46 of 48 participants" in svg_texts(chart_files.render(figure_1, "svg", participants=48))


def test_a_groups_participants_are_those_its_sessions_recorded(five: dict[str, Any]) -> None:
    selection = five["selection"]
    with open_folder(five["data"]) as store:
        people = findings.participants_of(store, [selection.everyone(), *selection.groups])

    assert people[selection.everyone().session_ids] == 46
    assert sum(people[g.session_ids] or 0 for g in selection.groups) == 46


def test_the_title_is_left_to_the_caption_unless_asked_for(five: dict[str, Any]) -> None:
    chart = next(c for c in five["appendix"] if c.group.label == POOLED)

    plain = chart_files.render(chart, "svg")
    titled = chart_files.render(chart, "svg", with_title=True)

    assert bar_spec(chart).title is None
    assert chart.title.encode() not in plain and b"<dc:title>" not in plain
    assert chart.title in svg_texts(titled)


# ---------------------------------------------------------------- print: grey, sizes, fonts


@pytest.mark.parametrize("size", range(2, 10))
def test_every_category_prints_as_its_own_grey_and_the_disagree_side_is_hatched(size: int) -> None:
    scale = scale_of(size)
    styles = print_style(scale)

    for a, b in itertools.combinations(styles, 2):
        assert abs(luma(a.colour) - luma(b.colour)) >= 20, (a, b)
    half = size // 2
    assert all(s.hatch == "" for s in styles[:half])
    assert all(s.hatch for s in styles[size - half :])


def test_agree_and_disagree_no_longer_print_the_same_grey(five: dict[str, Any]) -> None:
    agree, disagree = print_style(five["figures"][0].scale)[1], print_style(five["figures"][0].scale)[3]

    assert abs(luma(agree.colour) - luma(disagree.colour)) >= 20
    assert agree.hatch != disagree.hatch


def drawn_text_sizes(figure: Any) -> list[float]:
    from matplotlib.text import Text

    return [t.get_fontsize() for t in figure.findobj(Text) if t.get_text().strip() and t.get_visible()]


@pytest.mark.parametrize("kind", ["bars", "diverging"])
def test_no_text_is_smaller_than_9_pt_at_a4_column_width(five: dict[str, Any], kind: str) -> None:
    import matplotlib

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        if kind == "bars":
            figure = chart_draw.draw_bars(bar_spec(five["figures"][0], with_title=True))
        else:
            figure = chart_draw.draw_diverging(diverging_spec(five["diverging"][0], with_title=True))
        sizes = drawn_text_sizes(figure)
        width = figure.get_size_inches()[0]

    expected = BAR_WIDTH_IN if kind == "bars" else FIGURE_WIDTH_IN
    assert width == pytest.approx(expected) and width <= COLUMN_WIDTH_IN
    assert len(sizes) > 10
    # Printed 1:1 (a bar chart beside its table in the HTML page) or larger (at column width
    # in Word), no text is smaller than 9 pt.
    assert min(sizes) >= SMALLEST_PT


def test_svg_text_is_real_text_with_a_generic_font_to_fall_back_on(five: dict[str, Any]) -> None:
    svg = chart_files.render(five["figures"][0], "svg")

    families = re.findall(rb"font-family: ([^;\"]+)", svg)
    assert families and all(f.strip().endswith(b"sans-serif") for f in families)
    assert "24 (52%)" in svg_texts(svg)
    assert b"<dc:date>" not in svg
    assert chart_files.render(five["figures"][0], "svg") == svg


# ---------------------------------------------------------------- the diverging chart


def test_the_diverging_chart_centres_the_neutral_category_and_puts_agree_left(five: dict[str, Any]) -> None:
    diverging = five["diverging"][0]
    spec = diverging_spec(diverging)

    assert spec.xlim == (-100.0, 100.0) and spec.title is None
    assert [r.label for r in spec.rows] == [
        "Adult focus group 1",
        POOLED,
        "Young offender focus group 4",
        "Young offender focus group 5",
        "All groups",
    ]
    assert [r.n for r in spec.rows] == [f"n = {c.n}" for c in diverging.rows]
    for chart, row in zip(diverging.rows, spec.rows, strict=True):
        strongly_agree, agree, neutral, disagree, strongly_disagree = row.segments
        assert neutral.left == pytest.approx(-neutral.width / 2)
        assert agree.left + agree.width == pytest.approx(neutral.left)
        assert strongly_agree.left + strongly_agree.width == pytest.approx(agree.left)
        assert disagree.left == pytest.approx(neutral.width / 2)
        assert strongly_disagree.left == pytest.approx(disagree.left + disagree.width)
        assert [s.width for s in row.segments] == pytest.approx([chart.percent(i) for i in range(5)])


def test_a_diverging_chart_is_drawn_with_its_rows_and_legend(five: dict[str, Any], tmp_path: Path) -> None:
    diverging = five["diverging"][0]

    written = draw_all([ChartJob(diverging, "diverging-01")], ("png", "svg"), tmp_path)

    assert written == [{"png": "diverging-01.png", "svg": "diverging-01.svg"}]
    assert (tmp_path / "diverging-01.png").read_bytes().startswith(b"\x89PNG")
    texts = " ".join(svg_texts((tmp_path / "diverging-01.svg").read_bytes()))
    # A wrapped label is one text element per line, read in order.
    assert all(category.label in texts for category in diverging.scale)
    assert "Adult focus group 1" in texts and "n = 46" in texts


# ---------------------------------------------------------------- cache and parallel drawing


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_an_unchanged_report_is_copied_from_the_cache_and_draws_nothing(
    five: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs, cache = jobs_of(five), tmp_path / "cache"
    (tmp_path / "cold").mkdir()
    (tmp_path / "warm").mkdir()
    first = draw_all(jobs, ("png", "svg"), tmp_path / "cold", cache=cache)

    def no_drawing(*_args: Any) -> Any:
        raise AssertionError("a cached chart was drawn again")

    monkeypatch.setattr(chart_files, "draw_specs", no_drawing)
    monkeypatch.setattr(chart_draw, "render_spec", no_drawing)
    again = draw_all(jobs, ("png", "svg"), tmp_path / "warm", cache=cache)

    assert again == first and len(first) == 4 + 4 + 16
    assert files_in(tmp_path / "warm") == files_in(tmp_path / "cold")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in cache.iterdir()} == {0o600}
    assert all(re.fullmatch(r"[0-9a-f]{64}\.(png|svg)", p.name) for p in cache.iterdir())


def test_a_damaged_cache_entry_is_drawn_again(
    five: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs, cache = jobs_of(five)[:3], tmp_path / "cache"
    (tmp_path / "cold").mkdir()
    (tmp_path / "again").mkdir()
    draw_all(jobs, ("png", "svg"), tmp_path / "cold", cache=cache)
    damaged = cache / f"{chart_cache.key(chart_files.spec_of(jobs[1]))}.png"
    damaged.write_bytes(damaged.read_bytes()[:500])
    drawn: list[int] = []
    real = chart_files.draw_specs

    def counted(specs: Any, formats: Any) -> Any:
        drawn.append(len(specs))
        return real(specs, formats)

    monkeypatch.setattr(chart_files, "draw_specs", counted)
    draw_all(jobs, ("png", "svg"), tmp_path / "again", cache=cache)

    assert drawn == [1]
    assert files_in(tmp_path / "again") == files_in(tmp_path / "cold")
    assert damaged.read_bytes() == (tmp_path / "cold" / "figure-02.png").read_bytes()


def test_a_cache_that_is_a_file_only_costs_time(five: dict[str, Any], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.write_text("not a folder")

    written = draw_all(jobs_of(five)[:1], ("svg",), tmp_path, cache=cache)

    assert written == [{"svg": "figure-01.svg"}]
    assert cache.read_text() == "not a folder"


def test_the_cache_keeps_the_most_recently_used_files(tmp_path: Path) -> None:
    import os

    for age in range(6):
        path = tmp_path / f"{str(age) * 64}.svg"
        path.write_bytes(b"<?xml?><svg></svg>")
        os.utime(path, (1000 + age, 1000 + age))

    chart_cache.prune(tmp_path, limit=4)

    assert sorted(p.name[0] for p in tmp_path.iterdir()) == ["2", "3", "4", "5"]


def test_the_cache_never_drops_files_it_did_not_draw(tmp_path: Path) -> None:
    """The cache folder may be a link to a folder of someone's own files: those stay."""
    import os

    for age in range(6):
        path = tmp_path / f"letter-{age}.txt"
        path.write_text("a facilitator's own file")
        os.utime(path, (1000 + age, 1000 + age))
    drawn = tmp_path / f"{'a' * 64}.png"
    drawn.write_bytes(b"png")

    chart_cache.prune(tmp_path, limit=2)

    assert sorted(p.name for p in tmp_path.iterdir()) == [drawn.name] + [
        f"letter-{age}.txt" for age in range(6)
    ]


def test_a_changed_chart_or_style_is_another_cache_entry(five: dict[str, Any]) -> None:
    figure_1 = five["figures"][0]

    keys = {
        chart_cache.key(bar_spec(figure_1)),
        chart_cache.key(bar_spec(figure_1, with_title=True)),
        chart_cache.key(bar_spec(figure_1, 48)),
        chart_cache.key(bar_spec(five["figures"][1])),
    }

    assert len(keys) == 4
    assert chart_cache.key(bar_spec(figure_1)) == chart_cache.key(bar_spec(figure_1))


def test_charts_drawn_in_parallel_are_the_bytes_drawn_one_by_one(
    five: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = [chart_files.spec_of(job) for job in jobs_of(five)[:6]]
    parallel: list[int] = []
    real = chart_files._draw_in_parallel

    def watched(*args: Any) -> Any:
        parallel.append(len(args[0]))
        return real(*args)

    monkeypatch.setattr(chart_files.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(chart_files, "_draw_in_parallel", watched)
    together = chart_files.draw_specs(specs, ("png", "svg"))

    assert parallel == [6]
    assert chart_files._start_method() != "fork"
    assert together == [chart_draw.render_spec(spec, ("png", "svg")) for spec in specs]


def test_a_chart_that_cannot_be_drawn_writes_nothing(
    five: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    jobs = jobs_of(five)[:5]
    real = chart_files.spec_of

    def one_broken(job: ChartJob) -> Any:
        spec = real(job)
        return dataclasses.replace(spec, styles=()) if job is jobs[2] else spec

    monkeypatch.setattr(chart_files, "spec_of", one_broken)
    monkeypatch.setattr(chart_files.os, "cpu_count", lambda: 2)
    out = tmp_path / "out"
    out.mkdir()

    with pytest.raises(ValueError):
        draw_all(jobs, ("png", "svg"), out, cache=tmp_path / "cache")

    assert list(out.iterdir()) == []


def test_the_chart_modules_load_matplotlib_only_when_drawing() -> None:
    import subprocess
    import sys

    modules = ["chart_style", "chart_spec", "chart_cache", "chart_draw", "chart_files"]
    code = (
        "import sys\n"
        f"for name in {modules!r}: __import__('facilitator.outputs.' + name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'numpy', 'PIL'}))"
    )

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stdout.strip() == "[]"


def test_control_characters_in_a_title_are_drawn_as_visible_text(five: dict[str, Any]) -> None:
    chart = five["figures"][0]
    title = "Costs $5 \\$ \\n\x1b[31m\x00 \u202eevil"
    hostile = charts.Chart(title, chart.group, chart.statement, chart.scale, chart.counts)

    svg = chart_files.render(hostile, "svg", with_title=True)

    assert "Costs $5 \\$ \\n\u241b[31m\u2400 \\u202eevil" in svg_texts(svg)
    assert b"\x1b" not in svg and b"\x00" not in svg


def test_a_long_group_name_takes_two_lines_at_most_in_the_diverging_chart() -> None:
    label = chart_draw.row_label("Adult focus group held in the visits hall " * 5, "n = 3")

    lines = label.split("\n")
    assert len(lines) == 3 and lines[-1] == "n = 3"
    assert lines[1].endswith("…")
    assert chart_draw.row_label("Adult focus group 1", "n = 10") == "Adult focus group 1\nn = 10"
