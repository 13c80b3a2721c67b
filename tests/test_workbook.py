"""The Excel workbook for analysts: the five groups' data in sheets that agree with the JSON export.

Office staff open it in Excel, so every sheet's rows must say what the JSON export
says, every column must be explained in the Dictionary, nothing in it may run as a
formula, and nothing may carry a real name, the pseudonym map, or who consented
or asked for an interview.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from facilitator.core.clock import parse_stamp
from facilitator.core.percent import whole_percent
from facilitator.core.statements import Statement, load_statement_set
from facilitator.discussion import anonymity, roster
from facilitator.exercise import charts
from facilitator.exercise.pools import save_pool
from facilitator.outputs.export import session_json
from facilitator.outputs.workbook import CELL_LIMIT, CUT_MARK, day_cell, stamp_cell, workbook_bytes
from facilitator.store import Session, SessionDetails, Store
from tests.conftest import Cli
from tests.five_sessions import (
    CHANGED_NAME,
    CONSULTATION,
    FORMULA_NOTE,
    HOSTILE,
    POOLED,
    REAL_NAME,
    SET_PATH,
    THEMES,
    add_discussion,
    build,
    expected_counts,
)
from tests.folders import open_folder
from tests.test_cli import assert_refused

SHEETS = ["Sessions", "Post-its", "Counts", "Notes", "Themes", "Participants", "Dictionary"]
ESCAPED = "\x1b[31mred\x1b[0m & <b>bold</b>"
ESCAPED_SHOWN = "␛[31mred␛[0m & <b>bold</b>"


def five_groups(store: Store) -> dict[str, Session]:
    """The report's five groups with their discussion, groups 2 & 3 saved as one pool."""
    sessions = build(store)
    add_discussion(store, sessions)
    save_pool(store, POOLED, [sessions["Adult focus group 2"].id, sessions["Adult focus group 3"].id])
    return sessions


def another_set(store: Store) -> Session:
    """A session of another consultation whose statement set has one statement of its own."""
    other = replace(
        load_statement_set(SET_PATH), id="other-set", statements=(Statement(1, "Something else"),)
    )
    session = store.sessions.create(
        other,
        SessionDetails(label="Other group", cohort="adults", setting="prison", consultation="Other 2011"),
    )
    store.postits.add(session.id, 1, "agree", "fine")
    return session


def open_book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def records(sheet: Worksheet) -> list[dict[str, Any]]:
    """A sheet's rows as {header: value}; an empty cell reads None."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def column_widths(sheet: Worksheet) -> dict[int, float]:
    """Each column's width (by number), as set in the file."""
    return {
        number: dimension.width
        for dimension in sheet.column_dimensions.values()
        for number in range(dimension.min, dimension.max + 1)
    }


def blank(value: Any) -> Any:
    """How an exported value reads back: an empty text is an empty cell."""
    return None if value == "" else value


def day(text: str) -> datetime:
    """How a session's date reads back: an Excel date, which openpyxl reads as midnight."""
    return datetime.combine(date.fromisoformat(text), datetime.min.time())


def moment(stamp: str) -> datetime:
    """How a stamp reads back: an Excel date and time in UTC, to the millisecond."""
    parsed = parse_stamp(stamp)
    assert parsed is not None
    return parsed.replace(tzinfo=None, microsecond=parsed.microsecond // 1000 * 1000)


def parts(data: bytes) -> dict[str, str]:
    """Every part of the .xlsx file, as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.fixture
def five(store: Store) -> dict[str, Session]:
    return five_groups(store)


@pytest.fixture
def book(store: Store, five: dict[str, Session]) -> openpyxl.Workbook:
    return open_book(workbook_bytes(store, store.sessions.all()))


# ---------------------------------------------------------------- each sheet agrees with the JSON


def test_the_sheets_come_in_order_each_readable_at_once(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        widths = column_widths(sheet)
        assert all(len(cell.value) + 2 <= widths[cell.column] <= 61 for cell in sheet[1]), sheet.title
    comments = book["Post-its"]
    assert comments["I1"].value == "comment" and comments["I2"].alignment.wrap_text


def test_the_sessions_sheet_agrees_with_the_json_export(
    book: openpyxl.Workbook, store: Store, five: dict[str, Session]
) -> None:
    rows = records(book["Sessions"])
    assert [row["label"] for row in rows] == [s.label for s in store.sessions.all()]
    for row in rows:
        exported = session_json(store, store.sessions.get(row["id"]))
        head, counted = exported["session"], exported["roster"]
        expected = {key: blank(value) for key, value in head.items()} | {"date": day(head["date"])}
        assert {key: row[key] for key in head} == expected
        assert (row["roster_total"], row["roster_male"], row["roster_female"], row["roster_other"]) == (
            counted["total"],
            counted["male"],
            counted["female"],
            counted["other"],
        )
        assert row["from_roster"] == 1
        assert row["postits"] == sum(len(s["postits"]) for s in exported["statements"])
        assert row["notes"] == len(exported["notes"])
    assert sum(row["participants"] for row in rows) == 46
    assert (sum(row["male"] for row in rows), sum(row["female"] for row in rows)) == (37, 9)


def test_every_post_it_is_a_row_as_the_json_export_has_it(
    book: openpyxl.Workbook, store: Store, five: dict[str, Session]
) -> None:
    rows = records(book["Post-its"])
    expected = []
    for session in store.sessions.all():
        exported = session_json(store, session)
        labels = {c["key"]: c["label"] for c in exported["scale"]}
        for statement in exported["statements"]:
            for postit in statement["postits"]:
                comment = postit["comment"].replace(ESCAPED, ESCAPED_SHOWN)
                expected.append(
                    {
                        "session_id": session.id,
                        "session_label": session.label,
                        "cohort": session.cohort,
                        "setting": session.setting,
                        "statement_number": statement["number"],
                        "statement": statement["text"],
                        "response_key": postit["response"],
                        "response_label": labels[postit["response"]],
                        "comment": blank(comment),
                        "participant": postit["participant"],
                        "created_at": moment(postit["created_at"]),
                        "example": int(exported["session"]["example"]),
                    }
                )
    assert rows == expected
    assert len(rows) == 46 * 4


def test_counts_are_the_reports_charts_in_long_form(book: openpyxl.Workbook, store: Store) -> None:
    rows = records(book["Counts"])
    by_chart: dict[tuple[str, int], dict[str, int]] = {}
    for row in rows:
        by_chart.setdefault((row["group"], row["statement_number"]), {})[row["category_key"]] = row["count"]
        assert row["n"] > 0 and row["percent"] == whole_percent(row["count"], row["n"])
    groups = list(dict.fromkeys((row["group"], row["group_kind"]) for row in rows))
    assert groups == [
        (CONSULTATION, "all"),
        ("adults", "cohort"),
        ("young offenders", "cohort"),
        ("Adult focus group 1", "session"),
        (POOLED, "pool"),
        ("Young offender focus group 4", "session"),
        ("Young offender focus group 5", "session"),
    ]
    selection = charts.select(store, consultation=CONSULTATION)
    counts = charts.Counts(store, selection.sessions)
    report = [*charts.figure_charts(counts, selection), *charts.appendix_charts(counts, selection)]
    titles = {row["chart"] for row in rows}
    for chart in report:
        assert chart.title in titles
        assert by_chart[(chart.group.label, chart.statement.number)] == chart.by_key
    everyone = [s.label for s in selection.sessions]
    for number in range(1, 5):
        assert by_chart[(CONSULTATION, number)] == expected_counts(everyone, number)
        pooled = expected_counts(["Adult focus group 2", "Adult focus group 3"], number)
        assert by_chart[(POOLED, number)] == pooled
        n = {row["n"] for row in rows if (row["group"], row["statement_number"]) == (POOLED, number)}
        assert n == {sum(pooled.values())}
    pool_row = next(row for row in rows if row["group"] == POOLED)
    assert pool_row["sessions"] == "Adult focus group 2; Adult focus group 3"


def test_a_statement_nobody_answered_has_counts_of_0_and_no_percentage(
    store: Store, session: Session
) -> None:
    store.postits.add(session.id, 1, "agree", "")

    book = open_book(workbook_bytes(store, [session]))

    rows = records(book["Counts"])
    answered = [row for row in rows if row["statement_number"] == 1]
    unanswered = [row for row in rows if row["statement_number"] == 2]
    assert [(row["count"], row["percent"]) for row in answered if row["category_key"] == "agree"] == [
        (1, 100)
    ]
    assert {row["percent"] for row in answered if row["category_key"] != "agree"} == {0}
    assert unanswered and {(row["count"], row["percent"], row["n"]) for row in unanswered} == {(0, None, 0)}
    explained = {(row["sheet"], row["column"]): row["meaning"] for row in records(book["Dictionary"])}
    assert "Empty when nobody answered" in explained[("Counts", "percent")]


def test_sessions_of_different_statements_are_counted_one_by_one(store: Store) -> None:
    five_groups(store)
    another_set(store)

    book = open_book(workbook_bytes(store, store.sessions.all()))

    rows = records(book["Counts"])
    assert {row["group_kind"] for row in rows} == {"session"}
    assert len({row["group"] for row in rows}) == 6
    assert {row["statement"] for row in rows if row["group"] == "Other group"} == {"Something else"}
    explained = {(row["sheet"], row["column"]): row["meaning"] for row in records(book["Dictionary"])}
    assert "do not share one statement set" in explained[("Counts", "group_kind")]


def test_every_note_is_a_row_with_a_column_per_theme(
    book: openpyxl.Workbook, store: Store, five: dict[str, Session]
) -> None:
    rows = records(book["Notes"])
    headers = [cell.value for cell in book["Notes"][1]]
    assert headers[-3:] == list(THEMES)  # most frequent first
    expected = []
    for session in store.sessions.all():
        for note in session_json(store, session)["notes"]:
            expected.append(
                {
                    "session_id": session.id,
                    "session_label": session.label,
                    "cohort": session.cohort,
                    "setting": session.setting,
                    "note_id": note["id"],
                    "kind": note["kind"],
                    "text": note["text"],
                    "title": blank(note["title"]),
                    "participant": note["participant"],
                    "descriptor": note["descriptor"],
                    "themes": blank("; ".join(note["themes"])),
                    "created_at": moment(note["created_at"]),
                    "example": int(session.example),
                    **{theme: int(theme in note["themes"]) for theme in THEMES},
                }
            )
    assert rows == expected
    assert sum(row[THEMES[0]] for row in rows) == 10


def test_themes_are_ranked_over_the_exported_sessions(book: openpyxl.Workbook) -> None:
    assert [tuple(row.values()) for row in records(book["Themes"])] == [
        (1, THEMES[0], 5, 10),
        (2, THEMES[1], 3, 4),
        (3, THEMES[2], 1, 1),
    ]


def test_themes_are_ranked_as_the_themes_command_ranks_the_consultation(
    store: Store, five: dict[str, Session]
) -> None:
    from facilitator.discussion import codebook

    consultation = store.consultations.find(CONSULTATION)
    assert consultation is not None
    store.codebook.ensure_many(codebook.Codebook(consultation.id), ["Never raised"])

    book = open_book(workbook_bytes(store, store.sessions.all()))

    ranked = codebook.rank_for_consultation(store, consultation.id, include_unused=False)
    expected = [(r.rank, r.name, r.sessions, r.notes) for r in ranked]
    assert [tuple(row.values()) for row in records(book["Themes"])] == expected
    explained = {(row["sheet"], row["column"]): row["meaning"] for row in records(book["Dictionary"])}
    assert "no note of these sessions raised are left out" in explained[("Themes", "theme")]


def test_participants_are_codes_and_descriptors_only(
    book: openpyxl.Workbook, store: Store, five: dict[str, Session]
) -> None:
    rows = records(book["Participants"])
    expected = [
        {"session_id": s.id, "session_label": s.label, **{k: blank(v) for k, v in person.items()}}
        for s in store.sessions.all()
        for person in session_json(store, s)["participants"]
    ]
    assert rows == expected
    assert rows[0]["descriptor"] == "Male adult" and rows[0]["age_band"] == "25+"


def test_the_dictionary_explains_every_column_of_every_sheet(book: openpyxl.Workbook) -> None:
    explained = records(book["Dictionary"])
    for sheet in book.worksheets:
        headers = [cell.value for cell in sheet[1]]
        assert [row["column"] for row in explained if row["sheet"] == sheet.title] == headers
    kinds = {row["type"] for row in explained}
    assert kinds == {
        "text",
        "whole number",
        "0/1",
        "date",
        "date and time (UTC)",
    }
    assert all(row["meaning"] for row in explained)
    values = {(row["sheet"], row["column"]): row["values"] for row in explained}
    assert "strongly_agree = Strongly agree" in values[("Post-its", "response_key")]
    assert "neutral = Not sure" in values[("Counts", "category_key")]
    assert "female = Female" in values[("Participants", "gender")]
    assert "case_study = " in values[("Notes", "kind")]
    assert "pool = " in values[("Counts", "group_kind")]
    assert values[("Notes", THEMES[2])] == values[("Sessions", "from_roster")] == "1 = yes; 0 = no"


def test_dates_and_times_are_excel_dates_so_they_filter_and_group_by_month(
    book: openpyxl.Workbook,
) -> None:
    dated = [
        (book["Sessions"], "date", "yyyy-mm-dd"),
        (book["Post-its"], "created_at", "yyyy-mm-dd hh:mm:ss"),
        (book["Notes"], "created_at", "yyyy-mm-dd hh:mm:ss"),
    ]
    for sheet, name, shown in dated:
        headers = [cell.value for cell in sheet[1]]
        cells = [row[headers.index(name)] for row in sheet.iter_rows(min_row=2)]
        assert cells, sheet.title
        assert all(c.is_date and isinstance(c.value, datetime) for c in cells), sheet.title
        assert {c.number_format for c in cells} == {shown}, sheet.title
        widths = column_widths(sheet)
        assert widths[headers.index(name) + 1] >= len(shown) + 2, sheet.title
    explained = {(row["sheet"], row["column"]): row["meaning"] for row in records(book["Dictionary"])}
    assert "UTC" in explained[("Post-its", "created_at")] and "UTC" in explained[("Notes", "created_at")]


def test_a_date_that_is_no_day_is_an_empty_cell_and_one_before_excels_dates_stays_text() -> None:
    assert day_cell("2010-03-04") == date(2010, 3, 4)
    assert day_cell("") is None and day_cell("2010-02-30") is None and day_cell("soon") is None
    assert day_cell("1899-12-31") == "1899-12-31"
    assert stamp_cell("2010-03-04T09:30:00.123456Z") == datetime(2010, 3, 4, 9, 30, 0, 123000)
    assert stamp_cell("") is None and stamp_cell("2010-03-04 09:30") is None
    assert stamp_cell("1899-12-31T09:30:00.000000Z") == "1899-12-31T09:30:00.000000Z"


def test_rows_of_wrapped_text_are_tall_enough_to_show_it_whole(book: openpyxl.Workbook) -> None:
    """LibreOffice does not work out a row's height, so the file gives it: lines of 15 points."""
    sheet = book["Dictionary"]
    widths = column_widths(sheet)
    wrapped = sorted({c.column for row in sheet.iter_rows(min_row=2) for c in row if c.alignment.wrap_text})
    assert [sheet.cell(1, column).value for column in wrapped] == ["meaning", "values"]
    heights = {row: sheet.row_dimensions[row].ht for row in range(2, sheet.max_row + 1)}
    for row, height in heights.items():
        lines = (height or 15) / 15
        longest = max(len(sheet.cell(row, column).value or "") / widths[column] for column in wrapped)
        assert lines - 1 < longest <= lines, sheet.cell(row, 3).value
    assert None in heights.values() and 45 in heights.values()


def test_a_very_long_text_gets_a_tall_row_but_not_an_endless_one(store: Store, session: Session) -> None:
    store.postits.add(session.id, 1, "agree", "They never listen. " * 300)
    store.postits.add(session.id, 1, "agree", "Fine")

    sheet = open_book(workbook_bytes(store, [session]))["Post-its"]

    assert [sheet.row_dimensions[row].ht for row in (1, 2, 3)] == [None, 15 * 15, None]


def test_the_dictionary_speaks_to_office_staff_not_programmers(book: openpyxl.Workbook) -> None:
    words = [value for row in records(book["Dictionary"]) for value in row.values() if value]
    jargon = re.compile(r"\b(ISO|UTF|XML|ESC|1-based|code points?|newline|facilitator \w+)\b|'; '|--")
    assert [w for w in words if jargon.search(w)] == []
    explained = {(row["sheet"], row["column"]): row["meaning"] for row in records(book["Dictionary"])}
    assert "invisible control characters show as a visible symbol, such as ␛" in explained[("Notes", "text")]
    assert "for example 18-24 or 25+" in explained[("Participants", "age_band")]


# ---------------------------------------------------------------- safe to open


def test_a_formula_looking_comment_or_note_arrives_as_text(
    book: openpyxl.Workbook, store: Store, five: dict[str, Session]
) -> None:
    data = workbook_bytes(store, store.sessions.all())
    formula = next(c for row in book["Post-its"].iter_rows() for c in row if c.value == HOSTILE[1])
    note = next(c for row in book["Notes"].iter_rows() for c in row if c.value == FORMULA_NOTE)
    for cell in (formula, note):
        assert cell.data_type == "s" and cell.quotePrefix
    sheets = [text for name, text in parts(data).items() if name.startswith("xl/worksheets/")]
    assert len(sheets) == 7 and not any("<f>" in text or "<f " in text for text in sheets)
    plain = next(c for row in book["Post-its"].iter_rows(min_row=2) for c in row if c.value == HOSTILE[0])
    assert not plain.quotePrefix


def test_control_characters_show_as_their_symbols(book: openpyxl.Workbook) -> None:
    comments = [row["comment"] for row in records(book["Post-its"])]
    assert ESCAPED_SHOWN in comments
    assert not [c for c in comments if c and ("\x1b" in c or "_x001B_" in c)]


def test_line_ends_tabs_and_odd_characters_arrive_as_typed_or_shown(store: Store, session: Session) -> None:
    store.postits.add(session.id, 1, "agree", "one\r\ntwo\rthree\x0bfour\ufffe")
    store.postits.add(session.id, 1, "agree", "\t=1+1 and a\ttab")

    book = open_book(workbook_bytes(store, [session]))

    cells = [row[8] for row in book["Post-its"].iter_rows(min_row=2)]
    assert [c.value for c in cells] == ["one\ntwo␍three␋four\ufffd", "\t=1+1 and a\ttab"]
    assert [c.quotePrefix for c in cells] == [False, True]


def test_names_are_changed_and_nothing_private_is_in_the_file(store: Store, five: dict[str, Session]) -> None:
    data = workbook_bytes(store, store.sessions.all())

    every_part = "\n".join(parts(data).values()).casefold()
    assert REAL_NAME.casefold() not in every_part
    assert CHANGED_NAME.casefold() in every_part
    assert "consent" not in every_part and "interview" not in every_part


def test_the_same_data_gives_the_same_bytes(store: Store, five: dict[str, Session]) -> None:
    sessions = store.sessions.all()
    first = workbook_bytes(store, sessions)
    assert workbook_bytes(store, sessions) == first
    store.postits.add(sessions[0].id, 1, "agree", "one more")
    assert workbook_bytes(store, sessions) != first


def test_a_text_longer_than_a_cell_is_cut_with_a_mark(store: Store, session: Session) -> None:
    long_name = "Jonathan Alexander Smithson-Fotheringay-Whitcombe"
    anonymity.set_pseudonym(store, session.id, "Jo", long_name)
    store.postits.add(session.id, 1, "agree", "Jo 😀 " * 1500)

    book = open_book(workbook_bytes(store, [session]))

    comment = records(book["Post-its"])[0]["comment"]
    assert comment.startswith(f"{long_name} 😀 {long_name}") and comment.endswith(CUT_MARK)
    assert len(comment.encode("utf-16-le")) // 2 <= CELL_LIMIT
    explained = {(row["sheet"], row["column"]): row["meaning"] for row in records(book["Dictionary"])}
    assert "is cut, with a note at the cut" in explained[("Post-its", "comment")]


def test_a_theme_named_like_a_column_gets_a_header_of_its_own(store: Store, session: Session) -> None:
    from facilitator.discussion import notes as discussion

    roster.add_participant(store, session.id, "P1", "female")
    discussion.add_note(store, session.id, "They never came", themes=["Text", "=SUM(A1)"], speaker="P1")

    book = open_book(workbook_bytes(store, [session]))

    headers = book["Notes"][1]
    assert [c.value for c in headers][-2:] == ["=SUM(A1)", "Text (theme)"]
    assert headers[-2].data_type == "s" and headers[-2].quotePrefix
    assert records(book["Notes"])[0]["descriptor"] == "Female adult"


def test_a_theme_reads_the_same_on_every_row_when_two_sessions_change_a_name_differently(
    store: Store, five: dict[str, Session]
) -> None:
    """A theme belongs to the consultation: its name passes through every session's map at
    once, on the Notes rows as on their flag columns and the Themes sheet."""
    from facilitator.discussion import notes as discussion

    anonymity.set_pseudonym(store, five["Adult focus group 2"].id, REAL_NAME, "Dan")
    for session in five.values():
        discussion.add_note(store, session.id, "About him", themes=[f"{REAL_NAME}'s case"])

    book = open_book(workbook_bytes(store, store.sessions.all()))

    theme = f"{CHANGED_NAME}'s case"
    assert theme in [row["theme"] for row in records(book["Themes"])]
    about = [row for row in records(book["Notes"]) if row["text"] == "About him"]
    assert len(about) == 5
    assert all(row["themes"] == theme and row[theme] == 1 for row in about)
    explained = {(row["sheet"], row["column"]): row["meaning"] for row in records(book["Dictionary"])}
    assert "every exported session's pseudonym map" in explained[("Notes", "themes")]
    assert "every exported session's pseudonym map" in explained[("Sessions", "consultation")]


# ---------------------------------------------------------------- the command


def test_the_command_exports_a_consultation_every_session_or_one(
    cli: Cli, data_dir: Path, tmp_path: Path
) -> None:
    with open_folder(data_dir) as store:
        first = five_groups(store)["Adult focus group 1"].id
        another_set(store)

    chosen = {
        "consultation": ("--consultation", "does social work care?  2010"),
        "every": (),
        "one": (first[:8],),
    }
    labels = {}
    for name, args in chosen.items():
        out = tmp_path / f"{name}.xlsx"
        result = cli("export", *args, "--format", "xlsx", "--out", str(out))
        assert result.exit_code == 0, result.stderr
        labels[name] = [row["label"] for row in records(open_book(out.read_bytes())["Sessions"])]
        assert f"wrote {out} ({len(labels[name])} session" in result.stderr
        assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert len(labels["consultation"]) == 5 and "Other group" not in labels["consultation"]
    assert labels["every"] == [*labels["consultation"], "Other group"]
    assert labels["one"] == ["Adult focus group 1"]


def test_a_purged_session_is_left_out_and_said_so(cli: Cli, data_dir: Path, tmp_path: Path) -> None:
    with open_folder(data_dir) as store:
        purged = five_groups(store)["Adult focus group 1"].id
    assert cli("purge", purged, "--force", "--yes").exit_code == 0
    out = tmp_path / "four.xlsx"

    result = cli("export", "--consultation", CONSULTATION, "--format", "xlsx", "--out", str(out))

    assert result.exit_code == 0, result.stderr
    assert "left out 'Adult focus group 1': purged from this laptop" in result.stderr
    data = out.read_bytes()
    assert len(records(open_book(data)["Sessions"])) == 4
    every_part = "".join(parts(data).values())
    assert purged not in every_part and "Adult focus group 1:" not in every_part


def test_the_terminal_and_a_folder_that_cannot_be_made_are_refused(
    cli: Cli, data_dir: Path, tmp_path: Path
) -> None:
    with open_folder(data_dir) as store:
        five_groups(store)
    (tmp_path / "nowhere").write_text("a file where the folder would go")
    before = sorted(tmp_path.iterdir())

    assert_refused(cli("export", "--format", "xlsx", "--out", "-"), "cannot go to the terminal")
    missing = tmp_path / "nowhere" / "five.xlsx"
    assert_refused(cli("export", "--format", "xlsx", "--out", str(missing)), "a file is in the way")

    assert sorted(tmp_path.iterdir()) == before
