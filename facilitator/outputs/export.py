"""Session exports that scripts rely on: JSON and tidy CSV.

Comments and notes pass through the session's pseudonym map (`Anonymiser`); the
map itself is never exported.

The post-it CSV can be read back by `facilitator import-postits`: every cell is
neutralised for spreadsheets with `neutralise_cell`, which `restore_cell` undoes
exactly, and `IMPORTED_COLUMNS` names the columns the import reads.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from facilitator.core.example import EXAMPLE_LINE
from facilitator.discussion import codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.discussion.anonymity import Anonymiser
from facilitator.store import Session, Store

CSV_COLUMNS = (
    "session_id",
    "session_label",
    "cohort",
    "setting",
    "statement_number",
    "statement",
    "response_key",
    "response_label",
    "comment",
    "participant",
    "created_at",
    "example",
)
NOTE_CSV_COLUMNS = (
    "session_id",
    "session_label",
    "cohort",
    "setting",
    "note_id",
    "kind",
    "text",
    "title",
    "participant",
    "descriptor",
    "themes",
    "created_at",
    "example",
)
# The post-it CSV's columns that `import-postits` reads, and the field each one
# fills; it ignores the export's other columns (the session's, the statement's
# text, the response's label, the stamp), so a post-it imported into another
# session is a new post-it of that session.
IMPORTED_COLUMNS = {
    "statement_number": "statement",
    "response_key": "response",
    "comment": "comment",
    "participant": "participant",
}
CSV_TABLES = ("postits", "notes")
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The cells `neutralise_cell` marks: formulas, and text that already starts with
# the mark, so that `restore_cell` can tell the two apart.
NEUTRALISED_STARTS = (*FORMULA_STARTS, "'")


def session_header(session: Session) -> dict[str, Any]:
    """The session's details as exported: no names, only what the report uses."""
    return {
        "id": session.id,
        "label": session.label,
        "cohort": session.cohort,
        "setting": session.setting,
        "location": session.location,
        "date": session.date,
        "consultation": session.consultation,
        "participants": session.participants,
        "male": session.male,
        "female": session.female,
        "statement_set": session.statement_set_id,
        # Practice data loaded by `facilitator example`: "Example data, not a real consultation."
        "example": session.example,
        **({"example_note": EXAMPLE_LINE} if session.example else {}),
    }


def example_cell(session: Session) -> str:
    """The CSV's `example` column: the line that says so for an example session, else empty."""
    return EXAMPLE_LINE if session.example else ""


def session_json(store: Store, session: Session) -> dict[str, Any]:
    """The whole session as a JSON-ready dict: details, scale and every statement's post-its."""
    counts = store.postits.counts([session.id])
    anonymiser = Anonymiser.for_session(store, session.id)
    by_statement: dict[int, list[dict[str, Any]]] = {s.number: [] for s in session.statements}
    for postit in store.postits.of(session.id):
        by_statement[postit.statement_number].append(
            {
                "id": postit.id,
                "response": postit.response_key,
                "comment": anonymiser(postit.comment),
                "participant": postit.participant,
                "created_at": postit.created_at,
            }
        )
    statements = []
    for statement in session.statements:
        statement_counts = {key: counts.get(statement.number, {}).get(key, 0) for key in session.scale.keys}
        statements.append(
            {
                "number": statement.number,
                "text": statement.text,
                "counts": statement_counts,
                "total": sum(statement_counts.values()),
                "postits": by_statement[statement.number],
            }
        )
    return {
        "session": session_header(session),
        "scale": [{"key": c.key, "label": c.label} for c in session.scale],
        "statements": statements,
        **discussion_json(store, session, anonymiser),
    }


def discussion_json(store: Store, session: Session, anonymiser: Anonymiser) -> dict[str, Any]:
    """The roster (codes and descriptors, never who asked for an interview), notes and themes.

    `themes` lists the themes this session's notes raised, most notes first.
    """
    people = roster.participants(store, session.id)
    genders = roster.gender_counts(store, session)
    ranked = codebook.rank_for_session(store, session, include_unused=False)
    return {
        "participants": [
            {
                "code": p.code,
                "gender": p.gender,
                "cohort": p.cohort,
                "age_band": p.age_band,
                "descriptor": p.descriptor,
            }
            for p in people
        ],
        "roster": {
            "total": genders.total,
            "male": genders.male,
            "female": genders.female,
            "other": genders.other,
            "from_roster": genders.from_roster,
            "consented": sum(p.consent for p in people),
            "wants_interview": sum(p.wants_interview for p in people),
        },
        "notes": [
            {
                "id": note.id,
                "text": anonymiser(note.text),
                "title": anonymiser(note.title),
                "kind": note.kind,
                "participant": note.participant,
                "descriptor": _descriptor(people, note.participant),
                "themes": [anonymiser(name) for name in note.theme_names],
                "created_at": note.created_at,
            }
            for note in discussion.notes(store, session.id)
        ],
        "themes": [{"rank": r.rank, "name": anonymiser(r.name), "notes": r.notes} for r in ranked],
    }


def _descriptor(people: list[roster.Participant], code: str | None) -> str | None:
    if code is None:
        return None
    for person in people:
        if person.code.casefold() == code.casefold():
            return person.descriptor
    return None


def to_json(store: Store, session: Session) -> str:
    return json.dumps(session_json(store, session), ensure_ascii=False, indent=2) + "\n"


def neutralise_cell(value: str) -> str:
    """Make a cell that a spreadsheet would run as a formula show as plain text.

    An apostrophe goes in front of a cell that starts with = + - @, a tab, a
    carriage return or an apostrophe: `=x` is written `'=x`, `'=x` is written
    `''=x` and `'tis` is written `''tis`. `restore_cell` gives the text back.
    """
    return "'" + value if value.startswith(NEUTRALISED_STARTS) else value


def restore_cell(value: str) -> str:
    """The text of a cell that `neutralise_cell` wrote: `restore_cell(neutralise_cell(t)) == t`.

    Takes off one leading apostrophe when the next character is = + - @, a tab,
    a carriage return or an apostrophe; any other cell is returned as it is, so
    a typed `'quoted'` keeps its apostrophe.
    """
    return value[1:] if value.startswith("'") and value[1:].startswith(NEUTRALISED_STARTS) else value


def to_csv(store: Store, session: Session, table: str = "postits") -> str:
    """One row per post-it (or per note), UTF-8 with a BOM so that Excel reads accents and emoji right."""
    if table == "notes":
        return notes_csv(store, session)
    anonymiser = Anonymiser.for_session(store, session.id)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for postit in store.postits.of(session.id):
        statement = session.statement(postit.statement_number)
        row = [
            session.id,
            session.label,
            session.cohort,
            session.setting,
            str(postit.statement_number),
            statement.text,
            postit.response_key,
            session.scale.get(postit.response_key).label,
            anonymiser(postit.comment),
            postit.participant or "",
            postit.created_at,
            example_cell(session),
        ]
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue()


def notes_csv(store: Store, session: Session) -> str:
    """One row per discussion note, themes joined by '; ', anonymised and formula-safe."""
    anonymiser = Anonymiser.for_session(store, session.id)
    people = roster.participants(store, session.id)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(NOTE_CSV_COLUMNS)
    for note in discussion.notes(store, session.id):
        row = [
            session.id,
            session.label,
            session.cohort,
            session.setting,
            note.id,
            note.kind,
            anonymiser(note.text),
            anonymiser(note.title),
            note.participant or "",
            _descriptor(people, note.participant) or "",
            "; ".join(anonymiser(name) for name in note.theme_names),
            note.created_at,
            example_cell(session),
        ]
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue()
