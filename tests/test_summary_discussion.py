"""The discussion in the session summary and the report: names changed, themes ranked, quotes attributed.

One small consultation of three sessions is built once and exported in every
format; the tests read what was written.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from facilitator.cli import main
from facilitator.core.statements import load_statement_set
from facilitator.discussion import notes as discussion
from facilitator.discussion import roster
from facilitator.discussion.anonymity import Anonymiser, set_pseudonym
from facilitator.outputs.findings import speaker_descriptor
from facilitator.store import NewPostit, SessionDetails, Store
from tests.five_sessions import SET_PATH
from tests.folders import open_folder
from tests.test_summary import parse

CONSULTATION = "Listening 2024"
# Real names as they may be written (any case, possessive, plural); never in an export.
LEAKS = {
    "A": re.compile(r"(?<!\w)(darren|sharon)(?:['’]s|s)?(?!\w)", re.IGNORECASE),
    "B": re.compile(r"(?<!\w)(darren|kyle)(?:['’]s|s)?(?!\w)", re.IGNORECASE),
}
EVERY_NAME = re.compile(r"(?<!\w)(darren|sharon|kyle)(?:['’]s|s)?(?!\w)", re.IGNORECASE)
CODE = re.compile(r"(?<![\w-])P\d+(?!\w)")


def build(store: Store) -> dict[str, str]:
    """Three sessions of one statement: two with rosters and pseudonym maps, one with neither.

    The notes are tagged so that the themes rank, by sessions then notes:
    Listening (3 sessions, 5 notes), Change (2, 3), then a tie at 3 for
    Darren's case, Placements, Trust and Workload (1, 1 each).
    """
    full = load_statement_set(SET_PATH)
    one = replace(full, statements=full.statements[:1], themes=())

    def session(label: str, cohort: str, date: str, people: int, male: int, female: int) -> str:
        details = SessionDetails(
            label=label,
            cohort=cohort,
            setting="community",
            consultation=CONSULTATION,
            date=date,
            participants=people,
            male=male,
            female=female,
        )
        return store.sessions.create(one, details).id

    a = session("Adult focus group 1", "adults", "2024-05-01", 10, 8, 2)
    b = session("Young offender focus group 2", "young offenders", "2024-05-08", 3, 3, 0)
    c = session("Adult focus group 3", "adults", "2024-05-15", 6, 4, 2)

    set_pseudonym(store, a, "Darren", "Dave")
    set_pseudonym(store, a, "Sharon", "Sue")
    roster.add_participant(store, a, "P1", "male", wants_interview=True)
    roster.add_participant(store, a, "P2", "female")
    roster.add_participant(store, a, "P3", "female", wants_interview=True)
    roster.add_participant(store, a, "P4", "other")
    store.postits.add_many(
        a,
        [
            NewPostit(1, "agree", "Darren's worker never came"),
            NewPostit(1, "agree", "DARREN said no; Darrenby is a village"),
            NewPostit(1, "disagree", "two Darrens, and sharon listened"),
            NewPostit(1, "neutral", "<b>bold</b> Sharon"),
        ],
    )
    add = discussion.add_note
    add(
        store,
        a,
        "Darren's social worker changed 5 times",
        kind="quote",
        speaker="P1",
        themes=["Listening", "Change"],
    )
    add(store, a, "They never listen to Sharon", kind="quote", speaker="P2", themes=["Listening"])
    add(store, a, "Nobody asked me", kind="quote", themes=["Listening"])
    add(
        store,
        a,
        "Darren was moved a dozen times; Sharon's too",
        kind="case_study",
        themes=["Placements", "Darren's case"],
    )
    add(store, a, "Workers change a lot", themes=["Change"])
    add(store, a, "Sharon's mum came from Darrenby")
    add(store, a, "<script>alert('Darren')</script> *stars* # =HYPERLINK(\"x\")")

    # Another group maps the same name differently: its text takes its own map.
    set_pseudonym(store, b, "Darren", "Dan")
    set_pseudonym(store, b, "Kyle", "Kev")
    roster.add_participant(store, b, "P1", "male", wants_interview=True)
    roster.add_participant(store, b, "P2", "male")
    store.postits.add_many(
        b, [NewPostit(1, "strongly_agree", "Kyle and Darren agree"), NewPostit(1, "agree", "")]
    )
    add(store, b, "Kyle's worker never listens", kind="quote", speaker="P1", themes=["Listening"])
    add(store, b, "Darren lied to us", kind="quote", speaker="P2", themes=["Trust"])
    add(store, b, "Workers keep changing", themes=["Change"])
    # A name only another group's map holds is changed in the report too.
    add(store, b, "Sharon from group 1 was right", kind="quote", speaker="P2")

    store.postits.add_many(c, [NewPostit(1, "agree", "fine"), NewPostit(1, "disagree", "")])
    add(store, c, "Social workers are overloaded", kind="quote", themes=["Workload"])
    add(store, c, "Nobody hears us", themes=["listening"])
    return {"A": a, "B": b, "C": c}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("data")
    with open_folder(data) as store:
        ids = build(store)
    out = tmp_path_factory.mktemp("out")
    runner = CliRunner()

    def run(*args: str) -> None:
        result = runner.invoke(main, [*args, "--data-dir", str(data)])
        assert result.exit_code == 0, result.output

    (out / "a").mkdir()
    (out / "b").mkdir()
    a = ids["A"]
    run("export", a, "--format", "md", "--out", str(out / "a" / "summary.md"))
    run("export", a, "--format", "html", "--out", str(out / "a" / "summary.html"))
    run("export", a, "--format", "json", "--out", str(out / "a" / "session.json"))
    run("export", a, "--format", "csv", "--out", str(out / "a" / "postits.csv"))
    run("export", a, "--format", "csv", "--table", "notes", "--out", str(out / "a" / "notes.csv"))
    run("export", ids["B"], "--format", "html", "--out", str(out / "b" / "summary.html"))
    run("report", "--consultation", CONSULTATION, "--format", "svg", "--out", str(out / "report"))

    def visible(path: Path) -> str:
        return re.sub(r"\s+", " ", " ".join(parse(path.read_text("utf-8")).text))

    markdown = (out / "a" / "summary.md").read_text("utf-8")
    return {
        "data": data,
        "out": out,
        "ids": ids,
        "a_html": visible(out / "a" / "summary.html"),
        "a_md": re.sub(
            r"\s+", " ", " ".join(parse(MarkdownIt("commonmark").enable("table").render(markdown)).text)
        ),
        "b_html": visible(out / "b" / "summary.html"),
        "report": visible(out / "report" / "report.html"),
    }


def test_no_mapped_name_appears_in_any_file_written_in_any_format(written: dict[str, Any]) -> None:
    out: Path = written["out"]
    files = sorted(p for p in out.rglob("*") if p.is_file())
    names = {p.relative_to(out).as_posix() for p in files}
    assert {"a/summary.md", "a/summary.html", "a/session.json", "a/postits.csv", "a/notes.csv"} <= names
    assert {"b/summary.html", "report/report.html", "report/index.json", "report/figure-01.svg"} <= names
    assert any(n.startswith("a/summary-statement-1") and n.endswith(".png") for n in names)

    for path in files:
        if path.suffix == ".png":
            continue
        text = path.read_text("utf-8")
        where = path.relative_to(out).parts[0]
        leak = (EVERY_NAME if where == "report" else LEAKS[where.upper()]).search(text)
        assert leak is None, (path.name, leak)
        if where != "b" and path.suffix in {".md", ".html", ".json", ".csv"} and path.name != "index.json":
            assert "Darrenby" in text, path.name  # a longer word is left alone
    # The map itself is never written: no file pairs a real name with its change.
    assert not any(
        "pseudonym" in p.read_text("utf-8", errors="ignore").lower() for p in files if p.suffix != ".png"
    )


def test_names_are_changed_whole_word_keeping_case_possessive_and_plural(written: dict[str, Any]) -> None:
    for text in (written["a_html"], written["a_md"]):
        assert "Dave's worker never came" in text
        assert "DAVE said no; Darrenby is a village" in text
        assert "two Daves, and sue listened" in text
        assert "Dave's social worker changed 5 times" in text
        assert "Dave was moved a dozen times; Sue's too" in text
        assert "Sue's mum came from Darrenby" in text
        assert "<b>bold</b> Sue" in text  # still escaped, shown as text
        assert "<script>alert('Dave')</script> *stars* # =HYPERLINK(\"x\")" in text
    assert "<script" not in (written["out"] / "a" / "summary.html").read_text("utf-8")
    assert "<script" not in (written["out"] / "report" / "report.html").read_text("utf-8")


def test_the_report_applies_each_sessions_own_map(written: dict[str, Any]) -> None:
    text = written["report"]
    assert "Dave's worker never came (Adult focus group 1)" in text
    assert "Kev and Dan agree (Young offender focus group 2)" in text
    assert "Dan lied to us" in text and "Kev's worker never listens" in text
    # Sharon is only in group 1's map; group 2's mention of her is changed too.
    assert "Sue from group 1 was right" in text
    # Group 2's own summary uses its own map alone, like its JSON and CSV.
    assert "Kev and Dan agree" in written["b_html"]


def test_themes_are_ranked_as_counted_by_hand_ties_included(written: dict[str, Any]) -> None:
    report = written["report"]
    table = report[report.index("Themes raised, in order of frequency of occurrence") :]
    assert table.startswith(
        "Themes raised, in order of frequency of occurrence: Rank Theme Sessions Notes "
        "1 Listening 3 5 2 Change 2 3 3 Dave's case 1 1 3 Placements 1 1 3 Trust 1 1 3 Workload 1 1 "
    )
    for text in (written["a_html"], written["a_md"]):
        summary = text[text.index("Themes raised") :]
        assert summary.startswith(
            "Themes raised, in order of frequency of occurrence: Rank Theme Notes "
            "1 Listening 3 2 Change 2 3 Dave's case 1 3 Placements 1 "
        )


def test_notes_sit_under_their_first_ranked_theme_and_untagged_ones_last(written: dict[str, Any]) -> None:
    for text in (written["a_html"], written["a_md"]):
        listening = text.index("1. Listening")
        change = text.index("2. Change")
        assert listening < text.index("Dave's social worker changed 5 times") < change
        assert change < text.index("Workers change a lot") < text.index("3. Dave's case")
        assert text.index("Not tagged with a theme") < text.index("Sue's mum came from Darrenby")
        assert "Also: Change" in text  # the quote's second theme
        assert "Case study Dave was moved" in text.replace("Case study.", "Case study")


def test_quotes_carry_only_a_descriptor_in_the_reports_form(written: dict[str, Any]) -> None:
    for text in (written["a_html"], written["a_md"]):
        assert "Dave's social worker changed 5 times (Male adult)" in text
        assert "They never listen to Sue (Female adult)" in text
        assert "Nobody asked me (Adult)" in text  # unknown speaker, everyone an adult
    report = written["report"]
    assert "Kev's worker never listens (Male young offender)" in report
    assert "Social workers are overloaded (Adult)" in report  # no roster: the session's cohort


def test_an_unknown_speaker_in_a_mixed_roster_gets_no_descriptor(tmp_path: Path) -> None:
    with open_folder(tmp_path / "data") as store:
        session = store.sessions.create(
            load_statement_set(SET_PATH), SessionDetails(label="Mixed", cohort="adults", setting="prison")
        )
        roster.add_participant(store, session.id, "P1", "female")
        roster.add_participant(store, session.id, "P2", "male", cohort="young offenders")
        people = roster.participants(store, session.id)

        assert speaker_descriptor("P2", people, session) == "Male young offender"
        assert speaker_descriptor(None, people, session) == ""
        assert speaker_descriptor("P9", people, session) == ""
        assert speaker_descriptor(None, [], session) == "Adult"


def test_the_interview_count_is_given_and_never_who(written: dict[str, Any]) -> None:
    assert "2 participants asked for a one-to-one interview." in written["a_html"]
    assert "2 participants asked for a one-to-one interview." in written["a_md"]
    assert (
        "3 participants asked for a one-to-one interview (no roster was kept for Adult focus group 3)."
        in written["report"]
    )
    # No post-it here carries a code, so no code may appear at all: nobody is pointed at.
    for key in ("a_html", "a_md", "b_html", "report"):
        assert CODE.search(written[key]) is None, key


def test_typed_numbers_stay_and_a_partial_roster_is_said_beside_them(written: dict[str, Any]) -> None:
    # Group 1 typed in 10 (8 male, 2 female) and its roster lists the 4 who spoke: a roster of
    # speakers never replaces the numbers, and a reader sees both.
    assert "10 took part: 8 male, 2 female; 4 are on the speakers' roster." in written["a_html"]
    assert "3 took part: 3 male, 0 female; 2 are on the speakers' roster." in written["b_html"]
    report = written["report"]
    assert "19 participants: 15 male, 4 female 16 adults, 3 young offenders" in report
    assert "6 are on the speakers' roster" in report
    assert "Adult focus group 1 adults community 2024-05-01 10 (8 male, 2 female)" in report


def test_without_typed_numbers_the_roster_counts(tmp_path: Path) -> None:
    from facilitator.outputs.findings import headcount, participants_sentence

    with open_folder(tmp_path / "data") as store:
        session = store.sessions.create(
            load_statement_set(SET_PATH), SessionDetails(label="Rostered", cohort="adults", setting="prison")
        )
        roster.add_participant(store, session.id, "P1", "female")
        roster.add_participant(store, session.id, "P2", "male", cohort="young offenders")
        counted = headcount(store, store.sessions.get(session.id))

    assert counted.from_roster and counted.total == 2
    assert participants_sentence([counted]) == "2 took part: 1 male, 1 female; 1 adults, 1 young offenders."


def test_per_session_anonymisers_prefer_each_sessions_own_map(written: dict[str, Any]) -> None:
    ids = written["ids"]
    with open_folder(written["data"]) as store:
        anonymisers = Anonymiser.per_session(store, [ids["A"], ids["B"], ids["C"]])
    assert anonymisers[ids["A"]]("Darren, Kyle, Sharon") == "Dave, Kev, Sue"
    assert anonymisers[ids["B"]]("Darren, Kyle, Sharon") == "Dan, Kev, Sue"
    assert anonymisers[ids["C"]]("darren") == "dave"  # no map of its own: the first session's


def test_a_themes_notes_read_narrative_then_quotes_then_titled_case_studies(tmp_path: Path) -> None:
    from facilitator.outputs.findings import session_discussion

    with open_folder(tmp_path / "data") as store:
        session = store.sessions.create(
            load_statement_set(SET_PATH), SessionDetails(label="Ordered", cohort="adults", setting="prison")
        )
        set_pseudonym(store, session.id, "Darren", "Dave")
        add = discussion.add_note
        case = add(store, session.id, "Darren was moved", kind="case_study", title="Darren", themes=["Care"])
        quote = add(store, session.id, "Nobody came", kind="quote", themes=["Care"])
        first = add(store, session.id, "Care came up first", themes=["Care"])
        second = add(store, session.id, "Then care again", themes=["Care"])
        discussion.move_note(store, second.id, -1)  # the author puts it before the first
        found = session_discussion(store, session, Anonymiser.for_session(store, session.id))
        ((theme, said),) = found.by_theme
        assert theme.name == "Care"
        assert [(s.kind, s.text, s.title) for s in said] == [
            ("note", "Then care again", ""),
            ("note", "Care came up first", ""),
            ("quote", "Nobody came", ""),
            ("case_study", "Dave was moved", "Dave"),
        ]
        assert {case.id, quote.id, first.id} <= {n.id for n in discussion.notes(store, session.id)}
