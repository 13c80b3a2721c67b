"""`facilitator charts`: the report's Appendix 1 and Figures as PNG and SVG files, with index.json.

matplotlib is slow, so the five-session charts are drawn once for the module.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from facilitator.cli import main
from facilitator.core.statements import load_statement_set
from facilitator.exercise import charts
from facilitator.outputs import chart_files
from facilitator.store import SessionDetails
from tests.five_sessions import CONSULTATION, SET_PATH, build, expected_counts, pool_option
from tests.folders import open_folder
from tests.test_charts import APPENDIX_TITLES, COMPARISON_TITLES, EVERY_LABEL, FIGURE_TITLES, GROUPS, MEMBERS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("data")
    with open_folder(data) as store:
        sessions = build(store)
    out = tmp_path_factory.mktemp("charts") / "charts"
    args = ["--data-dir", str(data), "--out", str(out), "--consultation", CONSULTATION]
    args += ["--pool", pool_option(sessions)]
    done = subprocess.run(
        [sys.executable, "-m", "facilitator", "charts", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return {"data": data, "out": out, "sessions": sessions, "stderr": done.stderr}


def index(drawn: dict[str, Any]) -> list[dict[str, Any]]:
    charts_listed: list[dict[str, Any]] = json.loads((drawn["out"] / "index.json").read_text("utf-8"))[
        "charts"
    ]
    return charts_listed


def svg_text(path: Path) -> str:
    """Every piece of text an SVG shows (and its title), as a reader or a search finds it."""
    return " ".join(t.strip() for t in ET.parse(path).getroot().itertext() if t.strip())


def test_index_lists_the_figures_then_the_appendix_in_order(drawn: dict[str, Any]) -> None:
    listed = index(drawn)

    assert [c["title"] for c in listed if c["kind"] == "figure"] == FIGURE_TITLES
    assert [c["title"] for c in listed if c["kind"] == "comparison"] == COMPARISON_TITLES
    assert [c["title"] for c in listed if c["kind"] == "appendix"] == APPENDIX_TITLES
    assert [c["title"] for c in listed] == FIGURE_TITLES + COMPARISON_TITLES + APPENDIX_TITLES
    assert "wrote 24 charts and index.json" in drawn["stderr"]


def test_every_count_in_the_index_is_the_post_its_entered(drawn: dict[str, Any]) -> None:
    for entry in index(drawn):
        if entry["kind"] == "comparison":
            assert entry["groups"] == [*GROUPS, "All groups"]
            members = [*(MEMBERS[g] for g in GROUPS), EVERY_LABEL]
            assert entry["counts"] == [expected_counts(m, entry["statement"]) for m in members]
            assert entry["n"] == [sum(c.values()) for c in entry["counts"]]
            continue
        labels = EVERY_LABEL if entry["kind"] == "figure" else MEMBERS[entry["group"]]
        assert entry["counts"] == expected_counts(labels, entry["statement"])
        assert entry["n"] == sum(entry["counts"].values())


def test_every_chart_has_a_png_and_an_svg_whose_text_holds_its_title(drawn: dict[str, Any]) -> None:
    out: Path = drawn["out"]
    listed = index(drawn)
    for entry in listed:
        png, svg = entry["files"]
        assert (out / png).read_bytes().startswith(b"\x89PNG")
        text = svg_text(out / svg)
        assert entry["title"] in text
        if entry["kind"] == "comparison":
            assert all(f"n = {n}" in text for n in entry["n"])  # every group's row says its n
            continue
        assert f"n = {entry['n']}" in text
        for count in entry["counts"].values():
            assert f"{count} (" in text  # every bar carries its count
    assert {p.name for p in out.iterdir()} == {"index.json"} | {f for e in listed for f in e["files"]}
    assert listed[4]["files"] == ["comparison-01.png", "comparison-01.svg"]
    assert listed[8]["files"] == [
        "appendix-01-01-adult-focus-group-1.png",
        "appendix-01-01-adult-focus-group-1.svg",
    ]


def test_the_visible_svg_title_is_real_text(drawn: dict[str, Any]) -> None:
    root = ET.parse(drawn["out"] / "appendix-02-04-adult-focus-groups-2-3.svg").getroot()
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]

    assert "Adult focus groups 2 & 3: Social workers don't understand me" in texts


def test_svg_is_reproducible_byte_for_byte(drawn: dict[str, Any]) -> None:
    with open_folder(drawn["data"]) as store:
        selection = charts.select(store, consultation=CONSULTATION, pools=[pool_option(drawn["sessions"])])
        figure = charts.figure_charts(charts.Counts(store, selection.sessions), selection)[0]

    # `facilitator charts` draws the title in its files: they stand alone.
    again = chart_files.render(figure, "svg", with_title=True)

    # Drawn in this process, equal to what another process wrote.
    assert again == (drawn["out"] / "figure-01.svg").read_bytes()
    assert chart_files.render(figure, "svg", with_title=True) == again


def test_a_dollar_sign_is_drawn_as_text_not_mathematics(drawn: dict[str, Any]) -> None:
    first = index(drawn)[0]
    with open_folder(drawn["data"]) as store:
        selection = charts.select(store, consultation=CONSULTATION)
        chart = charts.figure_charts(charts.Counts(store, selection.sessions), selection)[0]
    costly = charts.Chart("Costs $5 and $6", chart.group, chart.statement, chart.scale, chart.counts)

    root = ET.fromstring(chart_files.render(costly, "svg", with_title=True))
    assert "Costs $5 and $6" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert first["title"] == FIGURE_TITLES[0]


# ---------------------------------------------------------------- refusals: exit 2, nothing written


@pytest.fixture
def five(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    data = tmp_path / "data"
    with open_folder(data) as store:
        return data, build(store)


def run(data: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["charts", "--data-dir", str(data), *args])


def refused(result: Any, out: Path, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir() if p.name != "data"] == []


def test_an_unknown_session_writes_nothing(tmp_path: Path, five: tuple[Path, dict[str, Any]]) -> None:
    data, _ = five
    out = tmp_path / "out"

    refused(run(data, "--out", str(out), "--session", "nonexistent"), out, "unknown session 'nonexistent'")


def test_a_session_pooled_twice_writes_nothing(tmp_path: Path, five: tuple[Path, dict[str, Any]]) -> None:
    data, sessions = five
    out = tmp_path / "out"
    two = sessions["Adult focus group 2"].id

    result = run(data, "--out", str(out), "--pool", pool_option(sessions), "--pool", f"Again={two}")

    refused(result, out, "'Adult focus group 2' is pooled twice")


def test_different_statement_sets_in_one_figure_write_nothing(
    tmp_path: Path, five: tuple[Path, dict[str, Any]]
) -> None:
    data, sessions = five
    other_set = load_statement_set(SET_PATH)
    other_set = type(other_set)(other_set.id + "-2", "Other", other_set.scale, other_set.statements[:2])
    with open_folder(data) as store:
        other = store.sessions.create(
            other_set, SessionDetails(label="Other", cohort="adults", setting="prison")
        )
    out = tmp_path / "out"

    result = run(
        data, "--out", str(out), "--session", sessions["Adult focus group 1"].id, "--session", other.id
    )

    refused(result, out, "use different statements, so they cannot share a figure")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--consultation", "Nope"], "unknown consultation 'Nope'"),
        (["--format", "pdf"], "format 'pdf' must be png, svg or png,svg"),
        (["--pool", "no label"], "must be written LABEL=ID,ID"),
    ],
)
def test_bad_options_write_nothing(
    tmp_path: Path, five: tuple[Path, dict[str, Any]], args: list[str], message: str
) -> None:
    data, _ = five
    out = tmp_path / "out"

    refused(run(data, "--out", str(out), *args), out, message)


def test_an_out_path_that_is_a_file_is_refused(tmp_path: Path, five: tuple[Path, dict[str, Any]]) -> None:
    data, _ = five
    out = tmp_path / "taken"
    out.write_text("keep me")

    result = run(data, "--out", str(out))

    assert result.exit_code == 2 and "it is a file, not a folder" in result.output
    assert out.read_text() == "keep me"


def test_an_existing_folder_receives_the_new_files_and_keeps_others(tmp_path: Path) -> None:
    from facilitator.core.files import staged_dir

    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "index.json").write_text("old")

    with staged_dir(out, last=["index.json"]) as staging:
        (staging / "figure-01.svg").write_text("<svg/>")
        (staging / "index.json").write_text("new")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "notes.txt": "mine",
        "figure-01.svg": "<svg/>",
        "index.json": "new",
    }
