"""The Excel workbook for analysts: the chosen sessions in sheets, with a data dictionary.

Sheets, in order: Sessions, Post-its, Counts, Notes, Themes, Participants, and a
Dictionary that explains every column of every sheet. Column names are the CSV
export's, so a script reads both alike; numbers are numbers, and dates and times are
Excel dates (times in UTC), so that date filters and grouping by month work.

Privacy, as in every export: comments and notes pass through their own session's
pseudonym map, then those of the other sessions exported or of their consultation;
theme names and the consultation through all those maps at once, as a bundle to
the office does (`findings.consultation_maps`). The map itself is never written,
and neither is who consented or asked for an interview.

Safety: every text cell is a string, never a formula. Text that a spreadsheet would
run (starting with = + - @ or a tab) carries Excel's quote prefix, so it stays text
even when edited. Characters XML cannot hold show as their control picture (ESC
as ␛, a lone carriage return as ␍), as on screen; a Windows line end is a newline.
The same data gives the same bytes: the file's date is the newest change in the data.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from facilitator.core.clock import STAMP_FORMAT, parse_stamp
from facilitator.core.errors import FacilitatorError
from facilitator.core.literal import visible
from facilitator.core.percent import whole_percent
from facilitator.discussion import codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.discussion.anonymity import Anonymiser
from facilitator.exercise import charts
from facilitator.outputs.export import CSV_COLUMNS, FORMULA_STARTS, NOTE_CSV_COLUMNS
from facilitator.outputs.findings import consultation_maps, theme_key
from facilitator.store import SETTINGS, Postit, Session, Store

# A datetime is written as an Excel date and time, a date as an Excel date.
Cell = str | int | date | None

TEXT, WHOLE, FLAG = "text", "whole number", "0/1"
DATE, STAMP = "date", "date and time (UTC)"
DATE_SHOWN, STAMP_SHOWN = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
# Excel counts 1900 as a leap year, so its dates are right from March 1900 on.
FIRST_EXCEL_DAY = date(1900, 3, 1)

# Excel's most characters in a cell (counted as UTF-16 units, as Excel counts them).
CELL_LIMIT = 32_767
CUT_MARK = " [… cut here: an Excel cell holds 32,767 characters; the session's JSON export has it all]"
# XML cannot hold these: C0 controls other than tab and newline, and two non-characters.
NOT_IN_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
WIDEST, NUMBER_WIDTH = 60, 10
DATE_WIDTH, STAMP_WIDTH = len("2010-03-04"), len("2010-03-04 09:30:00")
# A row of wrapped text is given its height (LibreOffice does not work it out), in points.
LINE_HEIGHT, MOST_LINES = 15, 15
NO_FILE_DATE = datetime(2000, 1, 1)


@dataclass(frozen=True)
class Column:
    """One column of a sheet, as the Dictionary explains it; `wide` text wraps."""

    name: str
    kind: str
    meaning: str
    values: str = ""
    wide: bool = False


@dataclass(frozen=True)
class Recorded:
    """What one session holds, read once: its post-its, notes and roster."""

    session: Session
    postits: list[Postit]
    notes: list[discussion.Note]
    people: list[roster.Participant]

    @classmethod
    def read(cls, store: Store, session: Session) -> Recorded:
        """The session's live post-its, notes and roster, in the order they were recorded."""
        return cls(
            session,
            store.postits.of(session.id),
            discussion.notes(store, session.id),
            roster.participants(store, session.id),
        )


@dataclass
class Sheet:
    """A sheet's columns and its rows, one value per column."""

    name: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)


def cell_text(text: str) -> str:
    """Text as a cell holds it: the text itself, but for what XML or Excel cannot hold.

    A Windows line end becomes a plain newline; other controls show as their control
    picture (ESC as ␛); text too long for a cell is cut, with a mark saying so.
    """
    text = text.replace("\r\n", "\n")
    if NOT_IN_XML.search(text):
        text = NOT_IN_XML.sub(lambda m: "\ufffd" if m.group() in "\ufffe\uffff" else visible(m.group()), text)
    if len(text) <= CELL_LIMIT // 2:
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * CELL_LIMIT:
        return text
    kept = units[: 2 * (CELL_LIMIT - len(CUT_MARK))].decode("utf-16-le", errors="ignore")
    return kept + CUT_MARK


def day_cell(text: str) -> date | str | None:
    """A session's date as an Excel date; empty when there is none or it is no real day.

    A day before Excel's dates begin stays text, so that nothing is lost.
    """
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if day >= FIRST_EXCEL_DAY else text


def stamp_cell(stamp: str) -> datetime | str | None:
    """A stamp as an Excel date and time in UTC, to the millisecond (as far as Excel keeps it).

    Empty when it is no stamp; a stamp before Excel's dates begin stays text.
    """
    moment = parse_stamp(stamp)
    if moment is None:
        return None
    if moment.date() < FIRST_EXCEL_DAY:
        return stamp
    return moment.replace(tzinfo=None, microsecond=moment.microsecond // 1000 * 1000)


# ---------------------------------------------------------------- the columns

SESSION_ID = Column("session_id", TEXT, "The session's id: the id column of the Sessions sheet.")
SESSION_LABEL = Column("session_label", TEXT, "The session's label, e.g. Adult focus group 1.")
COHORT = Column("cohort", TEXT, "Who the session was held with, e.g. adults, young offenders.")
SETTING = Column("setting", TEXT, "Where the session was held.", "; ".join(SETTINGS))
CREATED = Column(
    "created_at",
    STAMP,
    "When it was recorded (shown to the second), in UTC: UK winter time, an hour behind UK summer time.",
)
STATEMENT_NUMBER = Column(
    "statement_number", WHOLE, "The statement's number in its statement set: 1 for the first, and so on."
)
STATEMENT = Column("statement", TEXT, "The statement's text.", wide=True)
GENDER_CODES = "male = Male; female = Female; other = another gender; not_given = not given"
KIND_CODES = (
    "note = a point the note-taker recorded; quote = words a participant said; "
    "case_study = one person's story"
)
GROUP_KINDS = (
    "all = every session in this workbook (the report's Figures); cohort = the sessions "
    "of one cohort; pool = sessions charted together under one label (the report's "
    "Appendix 1); session = one session (the report's Appendix 1)"
)
YES_NO = "1 = yes; 0 = no"
EXAMPLE = Column(
    "example",
    FLAG,
    "1 for a session of the example consultation: example data, not a real consultation "
    "(loaded to practise on); 0 for a real session.",
    YES_NO,
)
AS_TYPED = (
    "Written as typed, and never run as a formula, with three exceptions: invisible control "
    "characters show as a visible symbol, such as ␛; a Windows line break becomes an ordinary "
    "line break; and a text longer than an Excel cell holds (32,767 characters) is cut, with a "
    "note at the cut that says so."
)

SESSIONS = [
    Column("id", TEXT, "The session's id, as in every export of it."),
    Column("label", TEXT, "The session's label, e.g. Adult focus group 1."),
    Column(
        "consultation",
        TEXT,
        "The consultation (project) the session belongs to, names changed by every exported "
        "session's pseudonym map; empty when none.",
    ),
    COHORT,
    SETTING,
    Column("location", TEXT, "Where the session met, as typed in; may be empty."),
    Column("date", DATE, "The day the session met; empty when not known."),
    Column("participants", WHOLE, "How many took part, as typed in for the session; empty when not typed."),
    Column("male", WHOLE, "How many men took part, as typed in; empty when not typed."),
    Column("female", WHOLE, "How many women took part, as typed in; empty when not typed."),
    Column("statement_set", TEXT, "The id of the statement set the session used (statements and scale)."),
    Column(
        "roster_total",
        WHOLE,
        "How many are on the session's roster when it has anyone (often only those who spoke), "
        "else the numbers typed in (see from_roster). The report's totals use the typed numbers "
        "when there are any.",
    ),
    Column("roster_male", WHOLE, "Men who took part, counted as roster_total is."),
    Column("roster_female", WHOLE, "Women who took part, counted as roster_total is."),
    Column("roster_other", WHOLE, "Those of another gender or whose gender was not given, counted so."),
    Column("from_roster", FLAG, "1 when the roster_ columns come from the roster, 0 when typed in.", YES_NO),
    Column("postits", WHOLE, "Post-its recorded in the session: its rows in the Post-its sheet."),
    Column("notes", WHOLE, "Discussion notes of the session: its rows in the Notes sheet."),
    EXAMPLE,
]

POSTIT_MEANINGS = {
    "session_id": SESSION_ID,
    "session_label": SESSION_LABEL,
    "cohort": COHORT,
    "setting": SETTING,
    "statement_number": STATEMENT_NUMBER,
    "statement": STATEMENT,
    "response_key": Column("response_key", TEXT, "The category the post-it was placed in (its code)."),
    "response_label": Column(
        "response_label", TEXT, "The category's label, as the session's scale names it."
    ),
    "comment": Column(
        "comment",
        TEXT,
        "What the participant wrote, with names changed (the session's pseudonym map first, "
        "then those of the other sessions exported or of the consultation); empty when none. " + AS_TYPED,
        wide=True,
    ),
    "participant": Column("participant", TEXT, "The participant's code (P1, P2…), when recorded."),
    "created_at": CREATED,
    "example": EXAMPLE,
}
POSTITS = [POSTIT_MEANINGS[name] for name in CSV_COLUMNS]

COUNTS = [
    Column(
        "group",
        TEXT,
        "The chart group counted: all sessions, a cohort, a pool or a session. A session "
        "pooled in the report is counted in its pool only (the Post-its sheet counts it alone).",
    ),
    Column("group_kind", TEXT, "What kind of chart group it is.", GROUP_KINDS),
    Column(
        "sessions", TEXT, "The labels of the sessions the group counts, separated by semicolons.", wide=True
    ),
    STATEMENT_NUMBER,
    STATEMENT,
    Column("category_key", TEXT, "The response category (its code); one row per category, empty ones too."),
    Column("category_label", TEXT, "The category's label."),
    Column("count", WHOLE, "Post-its of the group placed in this category for this statement."),
    Column(
        "percent",
        WHOLE,
        "count as a share of n, a whole percentage rounded as the report shows it "
        "(so a chart's percentages may not add up to exactly 100; count / n gives the exact share). "
        "Empty when nobody answered the statement (n is 0).",
    ),
    Column("n", WHOLE, "Post-its of the group for this statement, in every category."),
    Column("chart", TEXT, "The chart's title, as in the report and in the app's charts.", wide=True),
]
COUNTS_FALLBACK = (
    " These sessions do not share one statement set, so each session is counted on its own: "
    "there are no pooled, cohort or all-session groups."
)

NOTE_MEANINGS = {
    "session_id": SESSION_ID,
    "session_label": SESSION_LABEL,
    "cohort": COHORT,
    "setting": SETTING,
    "note_id": Column("note_id", TEXT, "The note's id."),
    "kind": Column("kind", TEXT, "What kind of note it is.", KIND_CODES),
    "text": Column(
        "text",
        TEXT,
        "What was recorded, with names changed (the session's pseudonym map first, "
        "then those of the other sessions exported or of the consultation). " + AS_TYPED,
        wide=True,
    ),
    "title": Column(
        "title", TEXT, "A case study's title, with names changed as in the text; empty for none."
    ),
    "participant": Column("participant", TEXT, "The speaker's code (P1, P2…); empty when unknown."),
    "descriptor": Column(
        "descriptor",
        TEXT,
        "The speaker as the report attributes a quote, e.g. Male adult; empty when unknown.",
    ),
    "themes": Column(
        "themes",
        TEXT,
        "The themes the note is tagged with, separated by semicolons, named as on the Themes sheet "
        "(names changed by every exported session's pseudonym map at once, so a theme reads "
        "the same on every row).",
        wide=True,
    ),
    "created_at": CREATED,
    "example": EXAMPLE,
}
NOTES = [NOTE_MEANINGS[name] for name in NOTE_CSV_COLUMNS]

THEMES = [
    Column(
        "rank",
        WHOLE,
        "The theme's place by frequency, as the report ranks them: by sessions that raised "
        "it, then by notes; themes with the same counts share a rank.",
    ),
    Column(
        "theme",
        TEXT,
        "The theme's name, as in the consultation's codebook, names changed by every exported "
        "session's pseudonym map. Themes that no note of these sessions raised are left out.",
        wide=True,
    ),
    Column("sessions", WHOLE, "Sessions in this workbook with at least one note tagged with the theme."),
    Column("notes", WHOLE, "Notes in this workbook tagged with the theme."),
]

PARTICIPANTS = [
    SESSION_ID,
    SESSION_LABEL,
    Column(
        "code",
        TEXT,
        "The participant's code in the session (P1, P2…), which stands in for a name: no names are kept.",
    ),
    Column("gender", TEXT, "The participant's gender (its code).", GENDER_CODES),
    Column("cohort", TEXT, "The participant's cohort (the session's unless recorded otherwise)."),
    Column(
        "age_band", TEXT, "The participant's age range, for example 18-24 or 25+; empty when not recorded."
    ),
    Column("descriptor", TEXT, "How the report attributes the participant's quotes, e.g. Female adult."),
]

DICTIONARY = [
    Column("sheet", TEXT, "The sheet the column is on."),
    Column("column", TEXT, "The column's name, as in its header row."),
    Column("meaning", TEXT, "What the column holds.", wide=True),
    Column(
        "type",
        TEXT,
        "How values are written.",
        f"{TEXT} = words, always stored as text; {WHOLE} = a number without decimals; "
        f"{DATE} = a day, which Excel can filter and group by month; {STAMP} = a day and a time of "
        f"day, in UTC (UK winter time); {FLAG} = 1 for yes, 0 for no",
    ),
    Column("values", TEXT, "The codes a coded column holds, each with its meaning.", wide=True),
]


# ---------------------------------------------------------------- the sheets


def _scale_codes(sessions: Sequence[Session]) -> str:
    """Every response key of these sessions' scales with its label(s), in scale order."""
    labels: dict[str, list[str]] = {}
    for session in sessions:
        for category in session.scale:
            found = labels.setdefault(category.key, [])
            if category.label not in found:
                found.append(category.label)
    return "; ".join(f"{key} = {' / '.join(names)}" for key, names in labels.items())


def _sessions_sheet(store: Store, recorded: Sequence[Recorded], names: Anonymiser) -> Sheet:
    sheet = Sheet("Sessions", SESSIONS)
    for item in recorded:
        session = item.session
        genders = roster.gender_counts(store, session)
        sheet.rows.append(
            [
                session.id,
                session.label,
                names(session.consultation),
                session.cohort,
                session.setting,
                session.location,
                day_cell(session.date),
                session.participants,
                session.male,
                session.female,
                session.statement_set_id,
                genders.total,
                genders.male,
                genders.female,
                genders.other,
                int(genders.from_roster),
                len(item.postits),
                len(item.notes),
                int(session.example),
            ]
        )
    return sheet


def _postits_sheet(recorded: Sequence[Recorded], anonymisers: dict[str, Anonymiser]) -> Sheet:
    codes = _scale_codes([item.session for item in recorded])
    columns = [replace(c, values=codes) if c.name == "response_key" else c for c in POSTITS]
    sheet = Sheet("Post-its", columns)
    for item in recorded:
        session, anonymise = item.session, anonymisers[item.session.id]
        for postit in item.postits:
            sheet.rows.append(
                [
                    session.id,
                    session.label,
                    session.cohort,
                    session.setting,
                    postit.statement_number,
                    session.statement(postit.statement_number).text,
                    postit.response_key,
                    session.scale.get(postit.response_key).label,
                    anonymise(postit.comment),
                    postit.participant,
                    stamp_cell(postit.created_at),
                    int(session.example),
                ]
            )
    return sheet


def _chart_groups(store: Store, sessions: Sequence[Session]) -> tuple[list[charts.Chart], bool]:
    """The charts to count, as the report draws them, and whether the sessions could be pooled.

    All sessions (the Figures, when more than one), each cohort (when more than one),
    then the report's Appendix 1 groups with the saved pools. Sessions of different
    statement sets are counted one by one.
    """
    counts = charts.Counts(store, sessions)
    try:
        charts.check_same_statements(sessions)
    except FacilitatorError:
        return [
            counts.chart(charts.ChartGroup(s.label, charts.SESSION, (s,)), statement, s.scale)
            for s in sessions
            for statement in s.statements
        ], False
    selection = charts.select(store, session_refs=[s.id for s in sessions])
    found = charts.figure_charts(counts, selection) if len(selection.sessions) > 1 else []
    cohorts = selection.cohorts()
    for group in cohorts if len(cohorts) > 1 else ():
        found.extend(counts.group_charts(group, selection))
    found.extend(charts.appendix_charts(counts, selection))
    return found, True


def _counts_sheet(store: Store, sessions: Sequence[Session], names: Anonymiser) -> Sheet:
    found, pooled = _chart_groups(store, sessions)
    codes = _scale_codes(sessions)
    columns = []
    for column in COUNTS:
        if column.name == "category_key":
            column = replace(column, values=codes)
        elif column.name == "group_kind" and not pooled:
            column = replace(column, meaning=column.meaning + COUNTS_FALLBACK)
        columns.append(column)
    sheet = Sheet("Counts", columns)
    for chart in found:
        group = chart.group
        label = names(group.label) if group.kind == charts.ALL else group.label
        for index, category in enumerate(chart.scale):
            count = chart.counts[index]
            sheet.rows.append(
                [
                    label,
                    group.kind,
                    "; ".join(s.label for s in group.sessions),
                    chart.statement.number,
                    chart.statement.text,
                    category.key,
                    category.label,
                    count,
                    whole_percent(count, chart.n) if chart.n else None,
                    chart.n,
                    chart.title,
                ]
            )
    return sheet


def _theme_headers(ranked: Sequence[codebook.RankedTheme], names: Anonymiser) -> dict[str, str]:
    """One header per theme (by `theme_key`), its name made unique beside the other columns."""
    taken = {name.casefold() for name in NOTE_CSV_COLUMNS}
    headers: dict[str, str] = {}
    for theme in ranked:
        base = names(theme.name)
        header, number = base, 1
        while header.casefold() in taken:
            number += 1
            header = f"{base} (theme {number})" if number > 2 else f"{base} (theme)"
        taken.add(header.casefold())
        headers[theme_key(theme.name)] = header
    return headers


def _notes_sheet(
    recorded: Sequence[Recorded],
    anonymisers: dict[str, Anonymiser],
    names: Anonymiser,
    headers: dict[str, str],
) -> Sheet:
    flags = [
        Column(
            header,
            FLAG,
            f"1 when the note is tagged with the theme “{header}” (see the Themes sheet), else 0. "
            "One such column per theme, most frequent first.",
            YES_NO,
        )
        for header in headers.values()
    ]
    sheet = Sheet("Notes", [*NOTES, *flags])
    keys = list(headers)
    for item in recorded:
        session, anonymise = item.session, anonymisers[item.session.id]
        descriptors = {p.code.casefold(): p.descriptor for p in item.people}
        for note in item.notes:
            tagged = {theme_key(name) for name in note.theme_names}
            sheet.rows.append(
                [
                    session.id,
                    session.label,
                    session.cohort,
                    session.setting,
                    note.id,
                    note.kind,
                    anonymise(note.text),
                    anonymise(note.title),
                    note.participant,
                    descriptors.get(note.participant.casefold()) if note.participant else None,
                    "; ".join(names(name) for name in note.theme_names),
                    stamp_cell(note.created_at),
                    int(session.example),
                    *(int(key in tagged) for key in keys),
                ]
            )
    return sheet


def _themes_sheet(ranked: Sequence[codebook.RankedTheme], names: Anonymiser) -> Sheet:
    sheet = Sheet("Themes", THEMES)
    for theme in ranked:
        sheet.rows.append([theme.rank, names(theme.name), theme.sessions, theme.notes])
    return sheet


def _participants_sheet(recorded: Sequence[Recorded]) -> Sheet:
    sheet = Sheet("Participants", PARTICIPANTS)
    for item in recorded:
        for person in item.people:
            sheet.rows.append(
                [
                    item.session.id,
                    item.session.label,
                    person.code,
                    person.gender,
                    person.cohort,
                    person.age_band,
                    person.descriptor,
                ]
            )
    return sheet


def _dictionary_sheet(sheets: Sequence[Sheet]) -> Sheet:
    sheet = Sheet("Dictionary", DICTIONARY)
    for described in [*sheets, sheet]:
        for column in described.columns:
            sheet.rows.append([described.name, column.name, column.meaning, column.kind, column.values])
    return sheet


def _sheets(store: Store, recorded: Sequence[Recorded]) -> list[Sheet]:
    """The workbook's sheets, in order, the Dictionary last."""
    sessions = [item.session for item in recorded]
    ids = [s.id for s in sessions]
    anonymisers, names = consultation_maps(store, sessions)
    ranked = codebook.rank_across(store, ids)
    sheets = [
        _sessions_sheet(store, recorded, names),
        _postits_sheet(recorded, anonymisers),
        _counts_sheet(store, sessions, names),
        _notes_sheet(recorded, anonymisers, names, _theme_headers(ranked, names)),
        _themes_sheet(ranked, names),
        _participants_sheet(recorded),
    ]
    return [*sheets, _dictionary_sheet(sheets)]


# ---------------------------------------------------------------- writing


def _newest_change(recorded: Sequence[Recorded]) -> datetime:
    """When the exported data last changed: the file's date, so the same data gives the same bytes."""
    stamps: list[str] = []
    for item in recorded:
        stamps.append(item.session.updated_at)
        stamps += [p.updated_at for p in item.postits] + [n.updated_at for n in item.notes]
        stamps += [p.updated_at for p in item.people]
    for stamp in sorted(stamps, reverse=True):
        try:
            return datetime.strptime(stamp, STAMP_FORMAT).replace(microsecond=0)
        except ValueError:
            continue
    return NO_FILE_DATE


class _Formats:
    """The cell formats: bold headers, text at the top of its cell, wrapped or not, quoted or not."""

    def __init__(self, book: Any) -> None:
        self.header = book.add_format({"bold": True, "valign": "top", "bottom": 1})
        self.header_quoted = book.add_format(
            {"bold": True, "valign": "top", "bottom": 1, "quote_prefix": True}
        )
        self.number = book.add_format({"valign": "top"})
        self.day = book.add_format({"valign": "top", "num_format": DATE_SHOWN})
        self.moment = book.add_format({"valign": "top", "num_format": STAMP_SHOWN})
        self._text = {
            (wide, quoted): book.add_format({"valign": "top", "text_wrap": wide, "quote_prefix": quoted})
            for wide in (False, True)
            for quoted in (False, True)
        }

    def text(self, value: str, wide: bool) -> Any:
        return self._text[(wide, value.startswith(FORMULA_STARTS))]


def _width(column: Column, rows: Sequence[Sequence[Cell]], index: int) -> int:
    """A column's width in characters: its longest line, at most WIDEST."""
    longest = len(column.name)
    for row in rows:
        value = row[index]
        if isinstance(value, str):
            longest = max(longest, *(len(line) for line in value.split("\n")))
        elif isinstance(value, datetime):
            longest = max(longest, STAMP_WIDTH)
        elif isinstance(value, date):
            longest = max(longest, DATE_WIDTH)
        elif value is not None:
            longest = max(longest, NUMBER_WIDTH)
    return min(longest + 2, WIDEST)


def _lines(value: Cell, width: int) -> int:
    """About how many lines a wrapped cell takes in a column `width` characters wide."""
    if not isinstance(value, str):
        return 1
    return sum(max(1, math.ceil(len(line) / width)) for line in value.split("\n"))


def _height(columns: Sequence[Column], row: Sequence[Cell], widths: Sequence[int]) -> int:
    """A row's height in lines: its longest wrapped cell's, at most MOST_LINES."""
    wrapped = [
        _lines(value, width) for column, value, width in zip(columns, row, widths, strict=True) if column.wide
    ]
    return min(max(wrapped, default=1), MOST_LINES)


def _write_sheet(book: Any, formats: _Formats, sheet: Sheet) -> None:
    page = book.add_worksheet(sheet.name)
    for col, column in enumerate(sheet.columns):
        header = cell_text(column.name)
        quoted = header.startswith(FORMULA_STARTS)
        page.write_string(0, col, header, formats.header_quoted if quoted else formats.header)
    rows = [[cell_text(v) if isinstance(v, str) else v for v in row] for row in sheet.rows]
    widths = [_width(column, rows, col) for col, column in enumerate(sheet.columns)]
    for r, row in enumerate(rows, start=1):
        lines = _height(sheet.columns, row, widths)
        if lines > 1:
            page.set_row(r, lines * LINE_HEIGHT)
        for col, (column, value) in enumerate(zip(sheet.columns, row, strict=True)):
            if isinstance(value, str):
                if value:
                    page.write_string(r, col, value, formats.text(value, column.wide))
            elif isinstance(value, datetime):
                page.write_datetime(r, col, value, formats.moment)
            elif isinstance(value, date):
                page.write_datetime(r, col, value, formats.day)
            elif value is not None:
                page.write_number(r, col, value, formats.number)
    for col, width in enumerate(widths):
        page.set_column(col, col, width)
    page.freeze_panes(1, 0)
    page.autofilter(0, 0, max(len(rows), 1), len(sheet.columns) - 1)


def workbook_bytes(store: Store, sessions: Sequence[Session]) -> bytes:
    """The .xlsx file of these sessions (see the module's description), built in memory."""
    import xlsxwriter

    if not sessions:
        raise FacilitatorError("there are no sessions to export")
    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    book = xlsxwriter.Workbook(buffer, options)
    recorded = [Recorded.read(store, s) for s in sessions]
    book.set_properties({"created": _newest_change(recorded)})
    formats = _Formats(book)
    for sheet in _sheets(store, recorded):
        _write_sheet(book, formats, sheet)
    book.close()
    return buffer.getvalue()
