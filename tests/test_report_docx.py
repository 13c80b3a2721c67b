"""The Word report, end to end: five focus groups and their discussion, through the command line,
into a `report.docx` an author can publish once the marked places are written."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from facilitator.exercise import charts
from facilitator.exercise.charts import Chart, Counts, Diverging, percent_text
from tests.conftest import Cli
from tests.five_sessions import (
    CHANGED_NAME,
    CONSULTATION,
    REAL_NAME,
    THEMES,
    add_discussion,
    build,
    pool_option,
)
from tests.folders import open_folder
from tests.test_document import TOP_LEVEL
from tests.test_render_docx import organisation_template, printed_by_libreoffice

ORGANISATION = "User Voice"
CASE_STUDY = f"{REAL_NAME} was moved three times in a year."
# What LibreOffice prints the five-group report on (A4), plus one page of slack.
MOST_PAGES = 21


@dataclass(frozen=True)
class Reported:
    data: Path
    out: Path
    cli: Cli
    pool: str
    session: str  # one session's id, for its summary
    figures: list[Chart]
    comparisons: list[Diverging]
    appendix: list[Chart]


def report_args(reported: Reported, out: Path, *more: str) -> list[str]:
    return [
        "report",
        "--consultation",
        CONSULTATION,
        "--pool",
        reported.pool,
        "--format",
        "docx",
        "--organisation",
        ORGANISATION,
        "--out",
        str(out),
        *more,
    ]


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> Reported:
    from facilitator.discussion import notes

    data = tmp_path_factory.mktemp("data")
    with open_folder(data) as store:
        five = build(store)
        add_discussion(store, five)
        first = five["Adult focus group 1"]
        notes.add_note(store, first.id, CASE_STUDY, kind="case_study", title=REAL_NAME, themes=[THEMES[2]])
        selection = charts.select(store, consultation=CONSULTATION, pools=[pool_option(five)])
        counts = Counts(store, selection.sessions)
        drawn = (
            charts.figure_charts(counts, selection),
            charts.diverging_charts(counts, selection),
            charts.appendix_charts(counts, selection),
        )
    cli = Cli(data)
    done = Reported(
        data, tmp_path_factory.mktemp("report") / "report", cli, pool_option(five), first.id, *drawn
    )
    result = cli(*report_args(done, done.out))
    assert result.exit_code == 0, result.output
    return done


@pytest.fixture(scope="module")
def word(reported: Reported) -> Any:
    import docx

    return docx.Document(str(reported.out / "report.docx"))


def body(word: Any) -> Iterator[Any]:
    """The document's paragraphs and tables, in reading order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for element in word.element.body.iterchildren():
        if element.tag.endswith("}p"):
            yield Paragraph(element, word)
        elif element.tag.endswith("}tbl"):
            yield Table(element, word)


def figure_tables(word: Any) -> list[tuple[str, list[list[str]]]]:
    """Each caption with the table that follows it (its counts), in order."""
    from docx.table import Table

    found: list[tuple[str, list[list[str]]]] = []
    caption = None
    for block in body(word):
        if isinstance(block, Table):
            if caption is not None:
                found.append((caption, [[cell.text for cell in row.cells] for row in block.rows]))
            caption = None
        elif block.style.name == "Caption":
            caption = block.text
    return found


def all_text(word: Any) -> str:
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def captions_of(reported: Reported) -> list[str]:
    comparisons = [f"Figure {n}: {d.statement.text}, by group" for n, d in enumerate(reported.comparisons, 5)]
    return [c.title for c in reported.figures] + comparisons + [c.title for c in reported.appendix]


# ---------------------------------------------------------------- what the document holds


def test_the_report_is_written_with_the_published_reports_headings_in_order(
    reported: Reported, word: Any
) -> None:
    assert (reported.out / "report.docx").is_file()
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings == TOP_LEVEL
    assert word.paragraphs[0].style.name == "Title" and word.paragraphs[0].text == CONSULTATION
    assert ORGANISATION in [p.text for p in word.paragraphs[:4]]


def test_every_chart_is_a_captioned_picture_with_its_exact_title(reported: Reported, word: Any) -> None:
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert len(reported.figures) == 4 and len(reported.appendix) == 16
    assert captions == captions_of(reported)
    numbered = [p for p in word.paragraphs if p.style.name == "Caption" and p.text.startswith("Figure ")]
    assert len(numbered) == 8 and all("SEQ Figure" in p._p.xml for p in numbered)
    assert len(word.inline_shapes) == len(captions) == 24


def test_each_counts_table_holds_its_charts_counts(reported: Reported, word: Any) -> None:
    tables = figure_tables(word)
    assert [caption for caption, _ in tables] == captions_of(reported)
    bars = reported.figures + reported.appendix
    bar_tables = tables[:4] + tables[8:]
    for chart, (_, rows) in zip(bars, bar_tables, strict=True):
        assert rows[0] == ["Response", "Post-its", "%"]
        assert rows[1:] == [
            [str(category.label), str(count), percent_text(count, chart.n)]
            for category, count in zip(chart.scale, chart.counts, strict=True)
        ]
    for diverging, (_, rows) in zip(reported.comparisons, tables[4:8], strict=True):
        assert rows[0] == ["Group", *(str(c.label) for c in diverging.scale), "n"]
        assert rows[1:] == [
            [row.group.label, *(str(n) for n in row.counts), str(row.n)] for row in diverging.rows
        ]


def test_the_page_is_a4_and_the_counts_tables_are_compact(word: Any) -> None:
    from docx.shared import Cm, Pt

    page = word.sections[0]
    assert (round(page.page_width.cm, 1), round(page.page_height.cm, 1)) == (21.0, 29.7)
    assert {round(m.cm, 1) for m in (page.left_margin, page.right_margin, page.top_margin)} == {2.0}
    assert "PAGE" in page.footer._element.xml
    counts = next(t for t in word.tables if t.rows[0].cells[0].text == "Response")
    widths = [column.width for column in counts.columns]
    assert Cm(4.5) <= widths[0] <= Cm(6) and all(Cm(1.2) <= w <= Cm(2.5) for w in widths[1:])
    assert counts.rows[1].cells[0].paragraphs[0].runs[0].font.size == Pt(9)
    assert all("w:cantSplit" in row._tr.xml for row in counts.rows)
    comparison = next(t for t in word.tables if t.rows[0].cells[-1].text == "n")
    assert sum(c.width for c in comparison.columns) < Cm(17)
    assert comparison.rows[1].cells[1].paragraphs[0].runs[0].font.size == Pt(9)
    sessions = next(t for t in word.tables if t.rows[0].cells[-1].text == "Participants")
    dates = [row.cells[4] for row in sessions.rows[1:]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", d.text) and "w:noWrap" in d._tc.xml for d in dates)
    assert sum(c.width for c in sessions.columns) <= Cm(17)


def test_no_text_in_the_word_report_is_smaller_than_nine_point(word: Any) -> None:
    from docx.shared import Pt

    paragraphs = [*word.paragraphs, *(c.paragraphs[0] for t in word.tables for r in t.rows for c in r.cells)]
    sizes = {run.font.size for p in paragraphs for run in p.runs if run.font.size is not None}
    styled = {p.style.font.size for p in paragraphs if p.style.font.size is not None}
    assert sizes and min(sizes | styled) >= Pt(9)


def test_a_figure_keeps_together_and_with_its_narrative_but_never_with_the_next_figure(word: Any) -> None:
    from docx.table import Table

    blocks = list(body(word))
    pictures = [i for i, b in enumerate(blocks) if not isinstance(b, Table) and "<pic:pic" in b._p.xml]
    narratives = 0
    for at in pictures:
        end = next(i for i in range(at, len(blocks)) if isinstance(blocks[i], Table))
        picture, caption = blocks[at:end]  # no n line: the chart says its n
        assert caption.style.name == "Caption"
        assert all(p.paragraph_format.keep_with_next for p in (picture, caption))
        rows = blocks[end].rows
        assert all(
            cell.paragraphs[0].paragraph_format.keep_with_next for row in rows[:-1] for cell in row.cells
        )
        spacer, *after = blocks[end + 1 : end + 3]  # the last figure ends the document
        last = [cell.paragraphs[0] for cell in rows[-1].cells] + [spacer]
        # Figures 1..N: the author's narrative follows.
        if after and not isinstance(after[0], Table) and after[0].text.startswith("[Write what Figure"):
            narratives += 1
            assert all(p.paragraph_format.keep_with_next for p in last)
            assert not after[0].paragraph_format.keep_with_next
        else:
            assert not any(p.paragraph_format.keep_with_next for p in last)
    assert narratives == 4


def test_the_author_finds_every_place_to_write_marked(word: Any) -> None:
    marked = [
        p.text
        for p in word.paragraphs
        if p.runs and all(r.bold and r.font.highlight_color is not None for r in p.runs)
    ]
    assert marked == [
        "[Write the executive summary]",
        *(f"[Write what Figure {n} shows, in a few sentences]" for n in range(1, 5)),
        "[Write the recommendations]",
        "[Write how to reach the organisation]",
    ]


def test_quotes_carry_descriptors_and_the_pseudonym_is_applied(word: Any) -> None:
    quotes = [p.text for p in word.paragraphs if p.style.name == "Quote"]
    assert [q.rsplit("\n", 1)[1] for q in quotes] == ["(Male adult)"] * 3 + ["(Male young offender)"] * 2
    assert all(f"when {CHANGED_NAME} asked" in q for q in quotes)
    text = all_text(word)
    assert REAL_NAME not in text and "Darren" not in text
    assert f"{CHANGED_NAME} was moved three times in a year." in text


def test_a_titled_case_study_shows_its_title_and_an_untitled_one_says_case_study_once(word: Any) -> None:
    texts = [p.text for p in word.paragraphs]
    assert f"Case study: {CHANGED_NAME}" in texts
    assert (
        texts[texts.index(f"Case study: {CHANGED_NAME}") + 1]
        == f"{CHANGED_NAME} was moved three times in a year."
    )
    assert texts.count("Case study") == 5
    assert not any("Case study: Case study" in t for t in texts)


# ---------------------------------------------------------------- printed by LibreOffice


def test_libreoffice_prints_the_report_with_its_figures_on_a4(reported: Reported, tmp_path: Path) -> None:
    pdf = printed_by_libreoffice(reported.out / "report.docx", tmp_path)
    data = pdf.read_bytes()
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert sizes and all((round(float(w)), round(float(h))) == (595, 842) for w, h in sizes)
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert 8 <= pages <= MOST_PAGES
    if shutil.which("pdfimages"):
        listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True)
        images = [line for line in listed.stdout.splitlines()[2:] if " image " in line]
        assert len(images) >= 24
    else:
        assert len(re.findall(rb"/Subtype\s*/Image", data)) >= 24


# ---------------------------------------------------------------- the other ways in


def test_a_sessions_summary_in_word_goes_into_a_new_folder_with_its_charts(
    reported: Reported, tmp_path: Path
) -> None:
    import docx

    out = tmp_path / "new" / "dir" / "summary.docx"
    result = reported.cli("export", reported.session, "--format", "docx", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = docx.Document(str(out))
    title, details = summary.paragraphs[:2]
    assert title.style.name == "Title" and title.text.startswith("Session summary: ")
    assert (details.style.name, details.text) == ("Heading 1", "Details")
    captions = [p.text for p in summary.paragraphs if p.style.name == "Caption"]
    assert len(captions) == 4
    assert len(summary.inline_shapes) >= 4
    assert REAL_NAME not in all_text(summary)


def test_an_organisations_template_gives_the_report_its_heading_style(
    reported: Reported, tmp_path: Path
) -> None:
    import docx

    template = organisation_template(tmp_path / "org.docx")
    out = tmp_path / "ours"
    result = reported.cli(*report_args(reported, out, "--template", str(template)))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out / "report.docx"))
    assert document.styles["Heading 1"].font.name == "Georgia"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == TOP_LEVEL
    assert "Delete me" not in all_text(document)


def test_a_second_run_on_the_same_data_draws_nothing_and_says_the_same(
    reported: Reported, word: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docx

    from facilitator.outputs import chart_draw, chart_files

    def no_drawing(*_args: Any) -> Any:
        raise AssertionError("a chart was drawn again for unchanged data")

    monkeypatch.setattr(chart_draw, "render_spec", no_drawing)
    monkeypatch.setattr(chart_files, "draw_specs", no_drawing)
    again = tmp_path / "again"
    result = reported.cli(*report_args(reported, again))
    assert result.exit_code == 0, result.output
    assert all_text(docx.Document(str(again / "report.docx"))) == all_text(word)
