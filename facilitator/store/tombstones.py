"""What a tombstone keeps: ids, stamps and what merging needs, never the deleted text.

Deleting a row blanks these columns in the same transaction as its `deleted_at`:
its words (a comment, a note, a name in the pseudonym map) and whatever describes
a person or a group (a participant's code and descriptors, a session's label,
location, facilitators and head counts). What stays is what a tombstone needs to
travel and merge: its id, its stamps, its parent's id, and the session's frozen
statements and scale (the published statement set, which post-its are checked
against). Every blank value satisfies the column's NOT NULL constraint, and the
row rules (`facilitator.store.validation`) accept it on a row whose `deleted_at`
is set, so tombstones from other devices arrive blanked and merge.

This table is the one definition: the writer's deletes, merging a received
tombstone, and the migration that blanked older tombstones all read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

Value = str | int | float | None

BLANKS: dict[str, dict[str, Value]] = {
    "sessions": {
        "label": "",
        "cohort": "",
        "location": "",
        "facilitators": "[]",
        "participants": None,
        "male": None,
        "female": None,
    },
    "postits": {"comment": "", "participant": None},
    "participants": {
        "code": "",
        "gender": "not_given",
        "cohort": "",
        "age_band": "",
        "consent": 0,
        "wants_interview": 0,
    },
    "themes": {"name": ""},
    "notes": {"text": "", "title": "", "participant": None},
    "chart_pools": {"label": ""},
    "pseudonyms": {"real": "", "changed": ""},
}


def blanks_of(table: str, columns: Iterable[str]) -> dict[str, Value]:
    """The blank value of each of these columns that a tombstone of `table` blanks."""
    blanks = BLANKS.get(table, {})
    return {column: blanks[column] for column in columns if column in blanks}


def is_blank(table: str, column: str, value: object) -> bool:
    """Whether `value` is the blank a tombstone of `table` holds in `column`."""
    blanks = BLANKS.get(table, {})
    if column not in blanks:
        return False
    blank = blanks[column]
    return type(value) is type(blank) and value == blank


def blanker(table: str, columns: Sequence[str]) -> Callable[[Sequence[Value]], tuple[Value, ...]]:
    """A function that gives a row of these columns as its tombstone keeps it when its
    `deleted_at` is set, and a live row as it is (worked out once for many rows)."""
    blanks = blanks_of(table, columns)
    if "deleted_at" not in columns or not blanks:
        return tuple
    deleted_at = list(columns).index("deleted_at")
    positions = [(list(columns).index(column), value) for column, value in blanks.items()]

    def blank(row: Sequence[Value]) -> tuple[Value, ...]:
        if row[deleted_at] is None:
            return tuple(row)
        values = list(row)
        for position, value in positions:
            values[position] = value
        return tuple(values)

    return blank
