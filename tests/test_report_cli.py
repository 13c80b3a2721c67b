"""The report and chart commands' options: --format html|docx, --charts, --template, --organisation,
the old `--format png,svg` that scripts still use, and output folders made as needed."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from facilitator.exercise.charts import Selection
from facilitator.store import Store
from tests.conftest import Cli
from tests.test_cli import assert_refused, new_session
from tests.test_render_docx import bad_templates, organisation_template


def private(path: Path) -> bool:
    return os.name == "nt" or stat.S_IMODE(path.stat().st_mode) == 0o700


@pytest.fixture
def session_id(cli: Cli) -> str:
    session = new_session(cli)
    for statement, response in (("1", "agree"), ("2", "strongly_agree"), ("3", "disagree")):
        assert cli("record", session, statement, response).exit_code == 0
    return session


class ReportWriter:
    """Stands in for the report writer, to see what the command line asks of it."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self, store: Store, selection: Selection, out: Path, chart_formats: Sequence[str], **options: Any
    ) -> list[dict[str, Any]]:
        self.calls.append({"out": out, "charts": tuple(chart_formats), **options})
        return [{}] * 8


@pytest.fixture
def writer(monkeypatch: pytest.MonkeyPatch) -> ReportWriter:
    from facilitator.outputs import report

    fake = ReportWriter()
    monkeypatch.setattr(report, "write_report", fake)
    return fake


def test_a_chart_cache_that_is_a_link_is_not_used(
    cli: Cli, session_id: str, writer: ReportWriter, tmp_path: Path, data_dir: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("someone else's file")
    (data_dir / "cache").mkdir(exist_ok=True)
    (data_dir / "cache" / "charts").symlink_to(elsewhere, target_is_directory=True)

    result = cli("report", "--out", str(tmp_path / "report"))

    assert result.exit_code == 0, result.stderr
    [call] = writer.calls
    assert call["cache"] is None  # drawn afresh, nothing written through the link
    assert [p.name for p in elsewhere.iterdir()] == ["keep.txt"]


# ---------------------------------------------------------------- the report's formats


@pytest.mark.parametrize(
    ("given", "document", "charts"),
    [
        ((), "html", ("png", "svg")),
        (("--format", "html"), "html", ("png", "svg")),
        (("--format", "html", "--charts", "svg"), "html", ("svg",)),
        (("--format", "docx"), "docx", ("png", "svg")),
        (("--format", "DOCX", "--charts", "svg"), "docx", ("png", "svg")),
        (("--format", "png"), "html", ("png",)),
        (("--format", "svg"), "html", ("svg",)),
        (("--format", "png,svg"), "html", ("png", "svg")),
    ],
)
def test_the_report_is_html_or_word_and_the_old_chart_formats_still_mean_html(
    cli: Cli,
    session_id: str,
    writer: ReportWriter,
    tmp_path: Path,
    given: tuple[str, ...],
    document: str,
    charts: tuple[str, ...],
) -> None:
    out = tmp_path / "report"

    result = cli("report", "--out", str(out), *given)

    assert result.exit_code == 0, result.stderr
    [call] = writer.calls
    assert (call["document_format"], call["charts"]) == (document, charts)
    assert call["template"] is None and call["organisation"] == ""
    assert result.stderr.splitlines()[0] == f"wrote {out / f'report.{document}'} with 8 charts"


def test_a_word_report_gets_the_template_the_organisation_and_the_chart_cache(
    cli: Cli, session_id: str, writer: ReportWriter, tmp_path: Path, data_dir: Path
) -> None:
    template = organisation_template(tmp_path / "ours.docx")
    out = tmp_path / "new" / "folder" / "report"

    result = cli(
        "report",
        "--out",
        str(out),
        "--format",
        "docx",
        "--template",
        str(template),
        "--organisation",
        "User Voice",
    )

    assert result.exit_code == 0, result.stderr
    [call] = writer.calls
    assert (call["template"], call["organisation"]) == (template, "User Voice")
    assert call["cache"] == data_dir / "cache" / "charts"
    assert call["cache"].is_dir() and private(call["cache"])
    assert (tmp_path / "new" / "folder").is_dir() and private(tmp_path / "new")


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (("--format", "pdf"), "--format 'pdf' must be html or docx"),
        (("--format", "html,png"), "must be html or docx (or, as before, the chart formats"),
        (("--format", "png", "--charts", "svg"), "give the chart formats once"),
        (("--charts", "gif"), "--charts 'gif' must be png, svg or png,svg"),
    ],
)
def test_a_format_that_means_nothing_is_refused_in_one_line(
    cli: Cli, session_id: str, writer: ReportWriter, tmp_path: Path, given: tuple[str, ...], said: str
) -> None:
    out = tmp_path / "report"

    assert_refused(cli("report", "--out", str(out), *given), said)
    assert writer.calls == [] and not out.exists()


def test_an_organisation_name_is_one_line_of_reasonable_length(
    cli: Cli, session_id: str, writer: ReportWriter, tmp_path: Path
) -> None:
    out = tmp_path / "report"

    assert_refused(
        cli("report", "--out", str(out), "--organisation", "W" * 10_000),
        "the organisation's name is too long (10000 characters; 200 at most)",
    )
    assert writer.calls == [] and not out.exists()
    assert cli("report", "--out", str(out), "--organisation", " User\n Voice ").exit_code == 0
    assert writer.calls[0]["organisation"] == "User Voice"


def test_a_template_is_only_for_a_word_report(
    cli: Cli, session_id: str, writer: ReportWriter, tmp_path: Path
) -> None:
    template = organisation_template(tmp_path / "ours.docx")
    out = tmp_path / "report"

    assert_refused(cli("report", "--out", str(out), "--template", str(template)), "add --format docx")
    assert writer.calls == [] and not out.exists()


def test_a_template_that_is_not_a_word_document_is_refused_before_anything_is_written(
    cli: Cli, session_id: str, writer: ReportWriter, tmp_path: Path
) -> None:
    out = tmp_path / "new" / "report"
    for name, (path, said) in bad_templates(tmp_path).items():
        result = cli("report", "--out", str(out), "--format", "docx", "--template", str(path))
        assert_refused(result, said)
        assert str(path) in result.stderr, name
    assert writer.calls == [] and not (tmp_path / "new").exists()


# ---------------------------------------------------------------- charts alone


def test_charts_take_charts_and_still_the_old_format_into_a_new_folder(
    cli: Cli, session_id: str, tmp_path: Path
) -> None:
    png_only = tmp_path / "deep" / "png"
    svg_only = tmp_path / "svg"

    first = cli("charts", "--out", str(png_only), "--charts", "png")
    second = cli("charts", "--out", str(svg_only), "--format", "svg")

    assert first.exit_code == 0 and second.exit_code == 0, first.stderr + second.stderr
    assert first.stderr.strip() == f"wrote 8 charts and index.json to {png_only}"
    assert private(tmp_path / "deep") and private(png_only)
    assert {p.suffix for p in png_only.iterdir()} == {".png", ".json"}
    assert {p.suffix for p in svg_only.iterdir()} == {".svg", ".json"}
    assert len(list(png_only.glob("*.png"))) == 8


def test_charts_refuse_both_ways_of_naming_the_formats(cli: Cli, session_id: str, tmp_path: Path) -> None:
    out = tmp_path / "charts"

    assert_refused(cli("charts", "--out", str(out), "--charts", "png", "--format", "svg"), "once")
    assert not out.exists()


def test_the_charts_help_speaks_of_charts_and_the_report_help_says_which_sessions(cli: Cli) -> None:
    charts_help = " ".join(cli("charts", "--help").stdout.split())
    report_help = " ".join(cli("report", "--help").stdout.split())

    assert "Word" not in charts_help
    assert "a Word report always has png" in report_help
    assert "Sessions: those named, else the consultation's, else all." in report_help


def test_an_output_folder_that_cannot_be_made_is_one_line(cli: Cli, session_id: str, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("in the way")

    result = cli("charts", "--out", str(tmp_path / "a-file" / "charts"))

    assert_refused(result, f"cannot create the folder {tmp_path / 'a-file'}: a file is in the way")


# ---------------------------------------------------------------- a session's Word summary


@pytest.mark.parametrize(
    ("out", "said"),
    [
        ("-", "a Word summary cannot go to the terminal: give --out FILE.docx"),
        ("summary.doc", "a Word summary needs a file name ending in .docx, not 'summary.doc'"),
    ],
)
def test_a_word_summary_needs_a_docx_file(
    cli: Cli, session_id: str, out: str, said: str, tmp_path: Path
) -> None:
    target = out if out == "-" else str(tmp_path / out)

    assert_refused(cli("export", session_id, "--format", "docx", "--out", target), said)
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]


def test_an_export_makes_the_folder_it_writes_into(cli: Cli, session_id: str, tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir" / "postits.csv"

    result = cli("export", session_id, "--format", "csv", "--out", str(out))

    assert result.exit_code == 0, result.stderr
    assert out.is_file() and private(out.parent) and private(tmp_path / "new")
