"""The report as a document, in the published report's structure, before any renderer sees it."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from facilitator.core.statements import load_statement_set
from facilitator.exercise import charts
from facilitator.exercise.charts import n_text, percent_text
from facilitator.outputs.document import (
    Block,
    Bullets,
    CaseStudy,
    Document,
    Figure,
    Paragraph,
    Placeholder,
    Quote,
    Section,
)
from facilitator.outputs.report import APPENDIX_TITLE, report_document
from facilitator.store import NewPostit, SessionDetails, Store
from tests.five_sessions import (
    CONSULTATION,
    KEYS,
    SET_PATH,
    add_discussion,
    build,
    expected_counts,
    pool_option,
)
from tests.folders import open_folder
from tests.test_charts import APPENDIX_TITLES, EVERY_LABEL, FIGURE_TITLES, GROUPS, MEMBERS, STATEMENTS

ROOT = Path(__file__).resolve().parent.parent
SCALE = load_statement_set(SET_PATH).scale
TOP_LEVEL = [
    "Executive summary",
    "Our approach",
    "Statement exercise findings",
    "Comments by statement and response",
    "Focus group findings",
    "Recommendations",
    "Contact",
    APPENDIX_TITLE,
]


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Document:
    store = open_folder(tmp_path_factory.mktemp("data"))
    five = build(store)
    add_discussion(store, five)
    selection = charts.select(store, consultation=CONSULTATION, pools=[pool_option(five)])
    return report_document(store, selection, organisation="Voices Heard")


def section(document: Document, title: str) -> Section:
    return next(s for s in document.sections if s.title == title)


def blocks(of: Section) -> Iterator[Block]:
    """Every block in a section and the sections under it, in reading order."""
    yield from of.blocks
    for sub in of.sections:
        yield from blocks(sub)


def figures(of: Section, kind: str) -> list[Figure]:
    return [b for b in blocks(of) if isinstance(b, Figure) and b.kind == kind]


def table_of(counts: dict[str, int]) -> tuple[tuple[str, str, str], ...]:
    n = sum(counts.values())
    return tuple((str(c.label), str(counts[c.key]), percent_text(counts[c.key], n)) for c in SCALE)


def test_the_sections_follow_the_published_report(document: Document) -> None:
    assert [s.title for s in document.sections] == TOP_LEVEL
    assert [s.appendix for s in document.sections] == [False] * 7 + [True]
    assert document.cover is not None
    assert (document.cover.title, document.cover.organisation) == (CONSULTATION, "Voices Heard")
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", document.cover.date)


def test_the_approach_lists_the_statements_by_number(document: Document) -> None:
    statements = next(s for s in section(document, "Our approach").sections if s.title == "Statements")

    assert statements.blocks == (
        Bullets(tuple(f"Statement {n}: {text}" for n, text in enumerate(STATEMENTS, start=1))),
    )


def test_four_figures_and_sixteen_appendix_charts_are_captioned_with_their_chart_titles(
    document: Document,
) -> None:
    found = section(document, "Statement exercise findings")
    appendix = section(document, APPENDIX_TITLE)

    assert [f.caption for f in figures(found, "figure")] == FIGURE_TITLES
    assert [f.caption for f in figures(appendix, "appendix")] == APPENDIX_TITLES
    # The comparisons are numbered figures too, after Figures 1-4.
    assert [f.caption for f in figures(found, "comparison")] == [
        f"Figure {n}: {text}, by group" for n, text in enumerate(STATEMENTS, start=5)
    ]
    assert not figures(appendix, "figure") and not figures(found, "appendix")


def test_every_counts_table_holds_the_post_its_entered(document: Document) -> None:
    found = section(document, "Statement exercise findings")
    for number, figure in enumerate(figures(found, "figure"), start=1):
        assert figure.table is not None
        assert figure.table.rows == table_of(expected_counts(EVERY_LABEL, number))
    appendix = figures(section(document, APPENDIX_TITLE), "appendix")
    expected = [(group, number) for group in GROUPS for number in range(1, 5)]
    for figure, (group, number) in zip(appendix, expected, strict=True):
        assert figure.table is not None
        assert figure.table.rows == table_of(expected_counts(MEMBERS[group], number))


def test_each_comparison_sets_every_group_side_by_side(document: Document) -> None:
    comparisons = figures(section(document, "Statement exercise findings"), "comparison")
    for number, figure in enumerate(comparisons, start=1):
        assert figure.table is not None
        assert figure.table.header == ("Group", *(str(c.label) for c in SCALE), "n")
        rows = {row[0]: row[1:] for row in figure.table.rows}
        # The groups in appendix order, then every session together.
        assert list(rows) == [*GROUPS, "All groups"]
        for group, members in [*MEMBERS.items(), ("All groups", EVERY_LABEL)]:
            counts = expected_counts(members, number)
            assert rows[group] == (*(str(counts[k]) for k in KEYS), str(sum(counts.values())))


def test_figures_count_against_the_typed_participants_not_the_roster_of_speakers(document: Document) -> None:
    # Every session's numbers were typed (46 in all); its roster lists only two speakers.
    assert {f.n_text for f in figures(section(document, "Statement exercise findings"), "figure")} == {
        "n = 46"
    }
    appendix = figures(section(document, APPENDIX_TITLE), "appendix")
    assert [f.n_text for f in appendix[::4]] == ["n = 10", "n = 22", "n = 7", "n = 7"]


def test_the_author_is_left_a_marked_place_for_what_only_they_can_write(document: Document) -> None:
    def prompts(title: str) -> list[str]:
        return [b.prompt for b in blocks(section(document, title)) if isinstance(b, Placeholder)]

    assert prompts("Executive summary") == ["Write the executive summary"]
    assert prompts("Statement exercise findings") == [
        f"Write what Figure {n} shows, in a few sentences" for n in range(1, 5)
    ]
    assert prompts("Recommendations") == ["Write the recommendations"]
    assert prompts("Contact") == ["Write how to reach the organisation"]
    found = section(document, "Statement exercise findings").blocks
    # Each figure's narrative comes straight after it.
    assert [type(b).__name__ for b in found] == ["Figure", "Placeholder"] * 4


def test_quotes_are_attributed_by_descriptor_and_case_studies_carry_a_title(document: Document) -> None:
    said = list(blocks(section(document, "Focus group findings")))
    quotes = [b for b in said if isinstance(b, Quote)]
    assert len(quotes) == 5
    assert [q.descriptor for q in quotes] == ["Male adult"] * 3 + ["Male young offender"] * 2
    assert all("Dave asked" in q.text and "Darren" not in q.text for q in quotes)
    # None of these was given a title: the renderers say "Case study" for them.
    assert [c.title for c in said if isinstance(c, CaseStudy)] == [""] * 5


def test_the_cohort_comparison_is_plain_english_and_its_figures_are_footnotes(document: Document) -> None:
    cohort = next(
        s for s in section(document, "Statement exercise findings").sections if s.title == "Cohort comparison"
    )
    paragraphs = [b for b in cohort.blocks if isinstance(b, Paragraph)]
    assert len(paragraphs) == 4
    for number, paragraph in enumerate(paragraphs, start=1):
        assert re.fullmatch(
            rf"Statement {number}: Adults and young offenders answered "
            r"(much alike \(no clear difference\)|differently: \w[\w ]* leaned more towards agreeing)\.",
            paragraph.text,
        ), paragraph.text
        (footnote,) = paragraph.footnotes
        assert re.match(r"Mann-Whitney U = \d+\.\d, p [=<] 0\.\d{3}, ", footnote), footnote
        assert "adults (n = 32)" in footnote and "young offenders (n = 14)" in footnote


# ---------------------------------------------------------------- a figure's n


def test_n_says_how_the_post_its_compare_with_the_people() -> None:
    assert n_text(46) == "n = 46"
    assert n_text(46, 46) == "n = 46"
    assert n_text(44, 46) == "n = 44 of 46 participants"
    assert n_text(0, 1) == "n = 0 of 1 participant"
    assert n_text(46, 40) == "n = 46 post-its from 40 participants"
    assert n_text(3, 1) == "n = 3 post-its from 1 participant"


def _session(store: Store, label: str, typed: int | None, roster: int, per_statement: int) -> str:
    from facilitator.discussion import roster as people

    session = store.sessions.create(
        load_statement_set(SET_PATH),
        SessionDetails(
            label=label, cohort="adults", setting="community", consultation="Counted", participants=typed
        ),
    )
    for code in range(1, roster + 1):
        people.add_participant(store, session.id, f"P{code}", "female")
    store.postits.add_many(
        session.id, [NewPostit(s, "agree", "") for s in range(1, 5) for _ in range(per_statement)]
    )
    return session.id


def test_typed_numbers_come_first_then_the_roster_and_a_group_without_either_shows_plain_n(
    tmp_path: Path,
) -> None:
    store = open_folder(tmp_path)
    typed = _session(store, "Typed", typed=3, roster=1, per_statement=3)
    rostered = _session(store, "Roster only", typed=None, roster=2, per_statement=4)
    neither = _session(store, "Neither", typed=None, roster=0, per_statement=2)

    def n_texts(pools: list[str], refs: list[str]) -> tuple[list[str], list[str]]:
        selection = charts.select(store, session_refs=refs, pools=pools)
        document = report_document(store, selection)
        found = figures(section(document, "Statement exercise findings"), "figure")
        appendix = figures(section(document, APPENDIX_TITLE), "appendix")
        return sorted({f.n_text for f in found}), [f.n_text for f in appendix[::4]]

    # A roster of one speaker never replaces the three typed in.
    assert n_texts([], [typed, rostered]) == (
        ["n = 7 post-its from 5 participants"],
        ["n = 3", "n = 4 post-its from 2 participants"],
    )
    # One session with neither: the figure cannot say of how many.
    assert n_texts([], [typed, rostered, neither]) == (
        ["n = 9"],
        ["n = 3", "n = 4 post-its from 2 participants", "n = 2"],
    )
    assert n_texts([f"Pooled={typed},{neither}"], [typed, neither])[1] == ["n = 5"]


# ---------------------------------------------------------------- nothing about one consultation


def test_the_code_holds_no_text_about_one_particular_consultation() -> None:
    phrases = ["original report", "little variance", "Does social work care", "social work"]
    found = subprocess.run(
        # The example data names the consultation it follows, on purpose: it is data, not code.
        [
            "grep",
            "-rniI",
            "--exclude=example.toml",
            *(arg for p in phrases for arg in ("-e", p)),
            "facilitator",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 1, found.stdout  # grep: 1 is "nothing found", 2 an error


def test_a_report_of_one_group_has_nothing_to_compare(tmp_path: Path) -> None:
    with open_folder(tmp_path / "data") as store:
        five = build(store)
        selection = charts.select(store, session_refs=[five["Adult focus group 1"].id])
        document = report_document(store, selection)

    found = section(document, "Statement exercise findings")
    assert [s.title for s in found.sections] == ["Cohort comparison"]
    assert figures(found, "comparison") == []
