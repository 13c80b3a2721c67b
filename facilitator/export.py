"""Session exports that scripts rely on: JSON and tidy CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

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
)
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    }


def session_json(store: Store, session: Session) -> dict[str, Any]:
    """The whole session as a JSON-ready dict: details, scale and every statement's post-its."""
    counts = store.counts([session.id])
    by_statement: dict[int, list[dict[str, Any]]] = {s.number: [] for s in session.statements}
    for postit in store.postits(session.id):
        by_statement[postit.statement_number].append(
            {
                "id": postit.id,
                "response": postit.response_key,
                "comment": postit.comment,
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
    }


def to_json(store: Store, session: Session) -> str:
    return json.dumps(session_json(store, session), ensure_ascii=False, indent=2) + "\n"


def neutralise_cell(value: str) -> str:
    """Make a cell that a spreadsheet would run as a formula show as plain text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(store: Store, session: Session) -> str:
    """One row per post-it, UTF-8 with a BOM so that Excel reads accents and emoji right."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for postit in store.postits(session.id):
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
            postit.comment,
            postit.participant or "",
            postit.created_at,
        ]
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue()
