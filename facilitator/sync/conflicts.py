"""Conflicts in words a facilitator reads: which record it is, and what each version says.

`sync.conflicts` works on rows of any synced table; this names the record ("post-it
on statement 2 of 'Adult focus group 1'") and lists the fields that differ, with
values as plain strings. The UI shows them literally.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from facilitator.store import Store
from facilitator.sync.bundle import Value
from facilitator.sync.merge import STAMP_COLUMNS, Conflict

# Friendlier names for the columns a person may see in a conflict.
FIELD_NAMES = {
    "comment": "comment",
    "response_key": "response",
    "statement_number": "statement",
    "participant": "participant",
    "deleted_at": "deleted",
    "closed_at": "closed",
    "label": "label",
    "text": "text",
    "kind": "kind",
    "name": "name",
    "merged_into": "merged into",
    "wants_interview": "wants an interview",
}
# Columns not worth showing on their own (ids of other rows, frozen statement sets).
HIDDEN = frozenset({"id", "created_at", "statements", "scale"})


def _session_label(store: Store, session_id: Value) -> str:
    label = store.sync.session_label(session_id)
    return f"'{label}'" if label is not None else "an unknown session"


def _short(value: Value, limit: int = 40) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(store: Store, conflict: Conflict) -> str:
    """Which record a conflict is about, e.g. `post-it on statement 2 of 'Adult focus group 1'`."""
    row: Mapping[str, Value] = conflict.current
    table = conflict.table
    if table == "sessions":
        return f"session '{row.get('label')}' ({row.get('date')})"
    if table == "postits":
        said = f" '{_short(row.get('comment'), 24)}'" if row.get("comment") else " (no comment)"
        return (
            f"post-it{said} on statement {row.get('statement_number')} of "
            f"{_session_label(store, row.get('session_id'))}"
        )
    if table == "participants":
        return f"participant {row.get('code')} of {_session_label(store, row.get('session_id'))}"
    if table == "notes":
        kind = str(row.get("kind") or "note").replace("_", " ")
        return f"{kind} '{_short(row.get('text'), 24)}' in {_session_label(store, row.get('session_id'))}"
    if table == "themes":
        return f"theme '{row.get('name')}'"
    if table == "note_themes":
        session_id = store.sync.session_of_note(row.get("note_id"))
        theme = store.sync.theme_name(row.get("theme_id"))
        return f"theme tag '{theme}' on a note in {_session_label(store, session_id)}"
    if table == "consultations":
        return f"consultation '{row.get('title')}'"
    if table == "devices":
        return f"device {str(row.get('id'))[:8]}"
    return f"{table} row {conflict.row_id[:8]}"


def show_value(column: str, value: Value) -> str:
    """A field's value as text: `—` for nothing, deletion and closing as yes/no with the time."""
    if column in {"deleted_at", "closed_at"}:
        return "no" if value is None else f"yes ({value})"
    if value is None:
        return "—"
    if column in {"consent", "wants_interview"}:
        return "yes" if value else "no"
    if column == "facilitators" and isinstance(value, str):
        try:
            return ", ".join(str(v) for v in json.loads(value))
        except ValueError:
            return value
    return str(value)


def differences(conflict: Conflict) -> list[tuple[str, str, str]]:
    """(field, value here, the other device's value) for each field that differs."""
    return [
        (
            FIELD_NAMES.get(column, column.replace("_", " ")),
            show_value(column, conflict.current.get(column)),
            show_value(column, conflict.other.get(column)),
        )
        for column in conflict.differs
        if column not in HIDDEN and column not in STAMP_COLUMNS
    ]


def changed_at(conflict: Conflict, this_device: str) -> tuple[str, str]:
    """When each version was written and by which device: `2010-03-01 10:02:03 UTC, this device`."""

    def written(version: Mapping[str, Value]) -> str:
        stamp, device = str(version.get("updated_at")), str(version.get("device_id"))
        by = "this device" if device == this_device else f"device {device[:8]}"
        return f"{stamp[:10]} {stamp[11:19]} UTC, {by}"

    return written(conflict.current), written(conflict.other)
