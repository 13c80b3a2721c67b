"""`facilitator report`: the consultation report in the report's structure, plus a cohort test."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from facilitator.cli import main
from facilitator.core.statements import Statement, load_statement_set
from facilitator.exercise.charts import COHORT, Chart, ChartGroup
from facilitator.outputs.report import APPENDIX_TITLE, compare_cohorts
from tests.five_sessions import CONSULTATION, SET_PATH, build, pool_option
from tests.folders import open_folder
from tests.test_charts import APPENDIX_TITLES, FIGURE_TITLES
from tests.test_summary import parse

SCALE = load_statement_set(SET_PATH).scale
STATEMENT = Statement(1, "I expect my social worker to listen to me")


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("data")
    with open_folder(data) as store:
        sessions = build(store)
    out = tmp_path_factory.mktemp("report") / "report"
    args = [
        "--data-dir",
        str(data),
        "--out",
        str(out),
        "--consultation",
        CONSULTATION,
        "--pool",
        pool_option(sessions),
    ]
    result = CliRunner().invoke(main, ["report", *args])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text("utf-8")
    return {"out": out, "page": page, "text": re.sub(r"\s+", " ", " ".join(parse(page).text))}


def test_the_report_gives_participant_totals_in_the_reports_form(reported: dict[str, Any]) -> None:
    assert "46 participants: 37 male, 9 female 32 adults, 14 young offenders" in reported["text"]


def test_figures_come_first_then_the_appendix_with_every_group_chart_in_order(
    reported: dict[str, Any],
) -> None:
    page: str = reported["page"]
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page)
    captions = [html.unescape(c) for c in captions]
    statements = [title.split(": ", 1)[1] for title in FIGURE_TITLES]
    comparisons = [f"Figure {n}: {text}, by group" for n, text in enumerate(statements, start=5)]

    assert captions == FIGURE_TITLES + comparisons + APPENDIX_TITLES
    appendix = page.index(APPENDIX_TITLE)
    assert (
        page.index("Figure 4:")
        < page.index("Cohort comparison")
        < page.index("Comments by statement")
        < appendix
    )
    assert page.index("<figcaption>Adult focus group 1:") > appendix


def test_a_chart_says_its_n_once_under_its_axis_not_again_beneath_it(reported: dict[str, Any]) -> None:
    page: str = reported["page"]
    figures = re.findall(r"<figure class=\"chart .*?</figure>", page, re.S)

    assert len(figures) == len(FIGURE_TITLES) + 4 + len(APPENDIX_TITLES)
    assert all('<p class="n">' not in figure for figure in figures)
    assert all(">n = " in figure for figure in figures)  # the drawing's own text


def test_the_report_comes_with_its_chart_files_and_index(reported: dict[str, Any]) -> None:
    out: Path = reported["out"]
    listed = json.loads((out / "index.json").read_text("utf-8"))["charts"]

    assert [c["title"] for c in listed if c["kind"] != "comparison"] == FIGURE_TITLES + APPENDIX_TITLES
    assert [c["kind"] for c in listed].count("comparison") == 4
    assert all((out / name).is_file() for c in listed for name in c["files"])


def test_every_comment_is_listed_by_statement_and_response_as_text(reported: dict[str, Any]) -> None:
    text: str = reported["text"]

    assert "<script>alert('x')</script> (Adult focus group 1)" in text
    assert '=HYPERLINK("http://example.org","click") (Adult focus group 1)' in text
    assert "[red]markup[/]" in text
    assert "Adult focus group 3 statement 4 participant 1 (Adult focus groups 2 & 3)" in text
    assert "<script>" not in reported["page"]
    comments = text[text.index("Comments by statement and response") : text.index(APPENDIX_TITLE)]
    assert comments.index("Statement 1:") < comments.index("Statement 2:") < comments.index("Statement 4:")
    # Within a response, in appendix order: the pooled adult groups before young offender group 4.
    agree = comments[comments.index("Statement 1:") : comments.index("Not sure")]
    assert agree.index("Adult focus group 3 statement 1") < agree.index(
        "Young offender focus group 4 statement 1"
    )


def test_the_cohort_comparison_is_plain_english_with_the_figures_in_footnotes(
    reported: dict[str, Any],
) -> None:
    page: str = reported["page"]
    section = page[page.index("<h3>Cohort comparison") : page.index("Comments by statement and response")]
    said = section[: section.index('<aside class="footnotes">')]
    notes = section[section.index('<aside class="footnotes">') :]

    assert said.count("Adults and young offenders answered much alike (no clear difference).") == 4
    assert "Mann-Whitney" not in said and "p =" not in said
    assert notes.count("Mann-Whitney U = ") == 4
    assert notes.count("adults (n = 32) and young offenders (n = 14)") == 4
    assert re.search(r"p = 0\.\d{3}", notes)


# ---------------------------------------------------------------- the test itself


def cohort(label: str, counts: tuple[int, ...]) -> Chart:
    return Chart(f"{label}: x", ChartGroup(label, COHORT, ()), STATEMENT, SCALE, counts)


def test_two_cohorts_that_answer_alike_show_no_clear_difference() -> None:
    result = compare_cohorts(
        STATEMENT, [cohort("adults", (2, 2, 1, 0, 0)), cohort("young offenders", (2, 1, 1, 0, 0))]
    )

    assert result.test == "Mann-Whitney U"
    assert result.p_value is not None and result.p_value > 0.5
    assert result.method == "exact permutation"
    assert [(label, n) for label, n, _ in result.cohorts] == [("adults", 5), ("young offenders", 4)]
    assert result.plain == "Adults and young offenders answered much alike (no clear difference)."
    assert "adults (n = 5) and young offenders (n = 4)" in result.figures


def test_two_cohorts_at_opposite_ends_differ_and_the_sentence_says_which_way() -> None:
    result = compare_cohorts(
        STATEMENT, [cohort("adults", (0, 0, 1, 6, 5)), cohort("young offenders", (7, 5, 0, 0, 0))]
    )

    assert result.p_value is not None and result.p_value < 0.001
    assert (
        result.plain
        == "Adults and young offenders answered differently: young offenders leaned more towards agreeing."
    )
    assert result.figures.startswith("Mann-Whitney U = ")
    assert [median for _, _, median in result.cohorts] == ["Disagree", "Strongly agree"]


def test_large_cohorts_use_the_normal_approximation() -> None:
    result = compare_cohorts(STATEMENT, [cohort("a", (10, 20, 5, 5, 5)), cohort("b", (10, 20, 5, 5, 6))])

    assert result.method == "normal approximation" and result.p_value is not None


def test_three_cohorts_use_kruskal_wallis() -> None:
    result = compare_cohorts(
        STATEMENT, [cohort("a", (3, 2, 1, 0, 0)), cohort("b", (0, 1, 2, 2, 1)), cohort("c", (1, 1, 1, 1, 1))]
    )

    assert result.test == "Kruskal-Wallis H"
    assert result.statistic is not None and result.statistic > 0
    assert result.p_value is not None and 0 < result.p_value <= 1


@pytest.mark.parametrize(
    ("charts", "expected"),
    [
        ([("adults", (1, 2, 0, 0, 0))], "Only one cohort (adults) answered"),
        (
            [("adults", (1, 2, 0, 0, 0)), ("young offenders", (0, 0, 0, 0, 0))],
            "young offenders gave no responses",
        ),
        ([("adults", (0, 4, 0, 0, 0)), ("young offenders", (0, 2, 0, 0, 0))], "Every response was 'Agree'"),
    ],
)
def test_degenerate_cases_are_said_in_words_not_tested(
    charts: list[tuple[str, tuple[int, ...]]], expected: str
) -> None:
    result = compare_cohorts(STATEMENT, [cohort(label, counts) for label, counts in charts])

    assert result.test is None and result.p_value is None
    assert expected in result.plain


def test_an_empty_cohort_is_left_out_of_a_test_of_the_others() -> None:
    result = compare_cohorts(
        STATEMENT, [cohort("a", (3, 2, 1, 0, 0)), cohort("b", (0, 1, 2, 2, 1)), cohort("c", (0, 0, 0, 0, 0))]
    )

    assert result.test == "Mann-Whitney U"
    assert "(c gave no responses and is left out.)" in result.plain


def test_a_failure_while_drawing_leaves_no_report_and_no_partial_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facilitator.core.errors import FacilitatorError
    from facilitator.exercise import charts
    from facilitator.outputs import chart_files, report

    def draw_all(jobs: Any, formats: Any, directory: Path, *, cache: Any = None) -> list[dict[str, str]]:
        (directory / "figure-01.svg").write_text("<svg/>")
        raise FacilitatorError("disk full")

    monkeypatch.setattr(chart_files, "draw_all", draw_all)
    with open_folder(tmp_path / "data") as store:
        build(store)
        selection = charts.select(store, consultation=CONSULTATION)
        with pytest.raises(FacilitatorError, match="disk full"):
            report.write_report(store, selection, tmp_path / "out", ("svg",))

    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_the_five_group_report_prints_on_at_most_sixteen_a4_pages(
    reported: dict[str, Any], tmp_path: Path
) -> None:
    import shutil
    import subprocess

    if not shutil.which("chromium") or not shutil.which("pdfinfo"):
        pytest.skip("chromium and pdfinfo are needed to print the report")
    out: Path = reported["out"]
    pdf = tmp_path / "report.pdf"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", (out / "report.html").as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert pages <= 16
