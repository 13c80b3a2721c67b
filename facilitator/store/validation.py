"""The rules every synced row keeps, whether a local write made it or a bundle brought it.

Each synced table has a `Field` per column: its SQLite type (text or a whole number,
never a bool or a float), whether it may be NULL, and the check a local write uses
(`records.check_comment`, the roster's `check_code` and `check_gender`, the notes'
`check_kind` …), so a rule lives once. A few rules span a row or a table: a session's
counts add up, a post-it's statement and response belong to its session's frozen
statements and scale (the session may come in the same rows or be stored already), a
stored session's statements never change, and no stamp is more than a day ahead of
this machine's clock. A tombstone (a row whose `deleted_at` is set) may hold the
blanks of `facilitator.store.tombstones` where a live row could not.

`check_rows` checks a set of incoming rows column by column, over distinct values and
with C-level passes where it can, so that 100,000 post-its are checked quickly; only a
column that fails is looked at value by value, to name the row at fault.

`sync_conflicts` has no rules here: it is local only, and a bundle holding it is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as date_type
from datetime import datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from facilitator.core.clock import MAX_AHEAD, STAMP_FORMAT
from facilitator.core.errors import FacilitatorError
from facilitator.store.codebook import MAX_THEME, check_name
from facilitator.store.notes import check_kind, check_position, check_text, check_title
from facilitator.store.pools import check_label, check_session_ids
from facilitator.store.records import (
    MAX_COMMENT,
    MAX_LABEL,
    MAX_SHORT_TEXT,
    ROW_ID,
    STAMP,
    UNSAFE_TEXT,
    check_comment,
    check_count,
    check_counts,
    check_date,
    check_facilitators,
    check_frozen_scale,
    check_frozen_statements,
    check_participant_code,
    check_row_id,
    check_setting,
    check_short_text,
    check_stamp,
)
from facilitator.store.roster import MAX_COHORT, check_age_band, check_code, check_cohort, check_gender
from facilitator.store.tombstones import is_blank

if TYPE_CHECKING:
    from facilitator.store.database import Store

Value = str | int | float | None
Check = Callable[[Any], object]
Bulk = Callable[[list[Any]], bool]
# A table's incoming rows: its column names, and rows of values in that order.
Rows = tuple[Sequence[str], Sequence[Sequence[Value]]]
# Stored sessions by id: (scale, statements) as stored, for the sessions of incoming post-its.
StoredSessions = Callable[[Sequence[str]], Mapping[str, tuple[str, str]]]

STAMPED = ("created_at", "updated_at", "deleted_at", "closed_at")


class RowInvalid(FacilitatorError):
    """A row that breaks a rule: its table, id and what is wrong."""

    def __init__(self, table: str, row_id: object, reason: str) -> None:
        self.table = table
        self.row_id = row_id if isinstance(row_id, str) else repr(row_id)
        self.reason = reason if len(reason) <= 300 else reason[:299] + "…"
        super().__init__(f"{table} row {short_id(self.row_id)}: {self.reason}")


def short_id(row_id: str) -> str:
    """A row id for a message: the first eight characters of a UUID, escaped if it is not one."""
    if ROW_ID.match(row_id):
        return row_id[:8]
    shown = ascii(row_id)
    return shown if len(shown) <= 40 else shown[:39] + "…"


# ---------------------------------------------------------------- bulk checks


# Whole columns are checked with a few C-level passes rather than a call per value:
# fixed-width values are joined, their digits mapped to '0' and compared with the shape.
_AS_ZERO = bytes.maketrans(b"0123456789abcdef", b"0" * 16)
_ID_SHAPE = b"00000000-0000-0000-0000-000000000000"
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_STAMP_SHAPE = b"0000-00-00T00:00:00.000000Z"
_TO_SECOND = itemgetter(slice(0, 19))


def _shaped(values: list[str], table: bytes, shape: bytes) -> bool:
    """Whether every value, an ASCII string, maps through `table` to exactly `shape`."""
    joined = "".join(values)
    if len(joined) != len(shape) * len(values) or not joined.isascii():
        return False
    return joined.encode("ascii").translate(table) == shape * len(values)


def _ids_ok(values: list[Any]) -> bool:
    return _shaped(values, _AS_ZERO, _ID_SHAPE)


def _stamps_ok(values: list[Any]) -> bool:
    if not _shaped(values, _DIGITS_AS_ZERO, _STAMP_SHAPE):
        return False
    # Stamps written together share their second: each distinct second is checked once.
    for second in set(map(_TO_SECOND, values)):
        if not STAMP.match(f"{second}.000000Z"):
            return False
        try:
            date_type.fromisoformat(second[:10])
        except ValueError:
            return False
    return True


def _text_ok(limit: int) -> Bulk:
    def ok(values: list[Any]) -> bool:
        return max(map(len, values), default=0) <= limit and UNSAFE_TEXT.search("".join(values)) is None

    return ok


def _within(allowed: Iterable[object]) -> Bulk:
    chosen = frozenset(allowed)

    def ok(values: list[Any]) -> bool:
        return set(values) <= chosen

    return ok


# ---------------------------------------------------------------- per-value checks


def _text(what: str, limit: int = MAX_SHORT_TEXT, *, required: bool = False) -> Check:
    def check(value: str) -> str:
        return check_short_text(value, what, limit, required=f"{what} is empty" if required else "")

    return check


def _flag(what: str) -> Check:
    def check(value: int) -> int:
        if value not in (0, 1):
            raise FacilitatorError(f"{what} {value!r} must be 0 or 1")
        return value

    return check


def _never_example(value: int) -> int:
    if value != 0:
        raise FacilitatorError("an example session never travels in a bundle")
    return value


def _count(name: str) -> Check:
    def check(value: int) -> int | None:
        return check_count(name, value)

    return check


def _code(value: str) -> str | None:
    return check_participant_code(value)


@dataclass(frozen=True)
class Field:
    """What one column holds.

    `check` is the local write's check (raises FacilitatorError); with `exact`, the
    value must be as that check stores it (a key, a code, never an alias). `bulk`, when
    given, accepts a whole column's values (NULLs left out) at once, and must accept
    only values that `check` accepts and that hold no NUL or lone surrogate; a column it
    rejects, or a column without one, is checked value by value.
    """

    kind: type
    check: Check
    nullable: bool = False
    exact: bool = False
    bulk: Bulk | None = None


def _id(column: str, nullable: bool = False) -> Field:
    def check(value: str) -> str:
        return check_row_id(value, column)

    return Field(str, check, nullable, bulk=_ids_ok)


def _stamp(column: str, nullable: bool = False) -> Field:
    def check(value: str) -> str:
        return check_stamp(value, column)

    return Field(str, check, nullable, bulk=_stamps_ok)


ROW_FIELDS: dict[str, Field] = {
    "id": _id("id"),
    "created_at": _stamp("created_at"),
    "updated_at": _stamp("updated_at"),
    "device_id": _id("device_id"),
    "deleted_at": _stamp("deleted_at", nullable=True),
}

RULES: dict[str, dict[str, Field]] = {
    "devices": {"name": Field(str, _text("name", MAX_LABEL), bulk=_text_ok(MAX_LABEL))},
    "consultations": {"title": Field(str, _text("title", required=True))},
    "sessions": {
        "consultation_id": _id("consultation_id", nullable=True),
        "label": Field(str, _text("label", MAX_LABEL, required=True)),
        "cohort": Field(str, _text("cohort", required=True)),
        "setting": Field(str, check_setting, exact=True),
        "location": Field(str, _text("location")),
        "date": Field(str, check_date, exact=True),
        "facilitators": Field(str, check_facilitators),
        "participants": Field(int, _count("participants"), nullable=True),
        "male": Field(int, _count("male"), nullable=True),
        "female": Field(int, _count("female"), nullable=True),
        "statement_set_id": Field(str, _text("statement_set_id", MAX_LABEL, required=True)),
        "statement_set_title": Field(str, _text("statement_set_title", required=True)),
        "scale": Field(str, check_frozen_scale),
        "statements": Field(str, check_frozen_statements),
        "closed_at": _stamp("closed_at", nullable=True),
        # Example sessions stay on the laptop that loaded them: a bundle claiming one is refused.
        "example": Field(int, _never_example, bulk=_within((0,))),
    },
    "postits": {
        "session_id": _id("session_id"),
        # Checked against the session's statements and scale below.
        "statement_number": Field(int, lambda value: value),
        "response_key": Field(str, _text("response_key", MAX_LABEL, required=True)),
        "comment": Field(str, check_comment, bulk=_text_ok(MAX_COMMENT)),
        "participant": Field(str, _code, nullable=True, exact=True),
    },
    "participants": {
        "session_id": _id("session_id"),
        "code": Field(str, check_code, exact=True),
        "gender": Field(str, check_gender, exact=True),
        "cohort": Field(str, check_cohort, bulk=_text_ok(MAX_COHORT)),
        "age_band": Field(str, check_age_band, exact=True),
        "consent": Field(int, _flag("consent"), bulk=_within((0, 1))),
        "wants_interview": Field(int, _flag("wants_interview"), bulk=_within((0, 1))),
    },
    "themes": {
        "consultation_id": _id("consultation_id", nullable=True),
        "session_id": _id("session_id", nullable=True),
        "name": Field(str, check_name, bulk=_text_ok(MAX_THEME)),
        "merged_into": _id("merged_into", nullable=True),
    },
    "notes": {
        "session_id": _id("session_id"),
        "text": Field(str, check_text),
        "kind": Field(str, check_kind, exact=True),
        "participant": Field(str, _code, nullable=True, exact=True),
        "title": Field(str, check_title, exact=True),
        "position": Field(int, check_position, exact=True),
    },
    "note_themes": {"note_id": _id("note_id"), "theme_id": _id("theme_id")},
    "chart_pools": {
        "consultation_id": _id("consultation_id", nullable=True),
        "label": Field(str, check_label),
        "session_ids": Field(str, check_session_ids),
    },
}


def fields_of(table: str) -> dict[str, Field] | None:
    """Every column's rule of a synced table (None for a table without rules)."""
    rules = RULES.get(table)
    return None if rules is None else {**ROW_FIELDS, **rules}


# ---------------------------------------------------------------- checking rows


@dataclass(frozen=True)
class _Frozen:
    """What a session's post-its are checked against."""

    statements: int
    keys: frozenset[str]
    scale: list[Any]
    listed: list[Any]


def check_rows(
    tables: Mapping[str, Rows],
    *,
    now: datetime,
    stored_sessions: StoredSessions | None = None,
) -> None:
    """Check incoming rows of synced tables; raise RowInvalid for the first row that breaks a rule.

    `now` is this machine's wall time: a stamp more than a day after it is refused.
    `stored_sessions` gives the stored scale and statements of sessions by id, for
    post-its whose session is not among the rows (and to keep stored sessions frozen).
    """
    latest = (now + MAX_AHEAD).strftime(STAMP_FORMAT)
    sessions: dict[str, _Frozen] = {}
    for table in sorted(tables, key=lambda t: t != "sessions"):
        fields = fields_of(table)
        if fields is None:
            continue
        columns, rows = tables[table]
        if not rows:
            continue
        values = {c: list(map(itemgetter(i), rows)) for i, c in enumerate(columns)}
        ids = values.get("id") or [None] * len(rows)
        deleted = [i for i, stamp in enumerate(values.get("deleted_at") or ()) if stamp is not None]
        for column, field in fields.items():
            if column in values:
                checked, checked_ids = _unblanked(table, column, values[column], ids, deleted)
                present = _check_column(table, column, field, checked, checked_ids)
                if column in STAMPED and present and max(present) > latest:
                    _refuse_ahead(table, column, values[column], ids, max(present), latest)
        if table == "sessions":
            sessions = _check_sessions(values, ids, stored_sessions)
        elif table == "postits":
            _check_postits(values, ids, sessions, stored_sessions)
        elif table == "themes":
            _check_themes(values, ids)


def _unblanked(
    table: str, column: str, values: list[Any], ids: list[Any], deleted: list[int]
) -> tuple[list[Any], list[Any]]:
    """A column's values and ids to check, leaving out tombstones that hold its blank.

    A tombstone keeps no text (`facilitator.store.tombstones`): its blanks, which a live
    row could not hold (an empty note, a participant without a code), are accepted on a
    row whose `deleted_at` is set. Any other value is checked as on a live row.
    """
    if not deleted:
        return values, ids
    blank = {i for i in deleted if is_blank(table, column, values[i])}
    if not blank:
        return values, ids
    keep = [i for i in range(len(values)) if i not in blank]
    return [values[i] for i in keep], [ids[i] for i in keep]


def check_incoming(store: Store, tables: Mapping[str, Rows]) -> None:
    """`check_rows` against this store: its clock's wall time and its stored sessions."""

    def stored(ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        found = store.sync.rows_by_id("sessions", ["id", "scale", "statements"], ids)
        return {str(key): (str(row[1]), str(row[2])) for key, row in found.items()}

    check_rows(tables, now=store.clock.wall(), stored_sessions=stored)


def _check_column(table: str, column: str, field: Field, values: list[Any], ids: list[Any]) -> list[Any]:
    """Check a column's values; returns them without NULLs."""
    if field.kind is str and not field.nullable and field.bulk is not None:
        # The common case in one pass: joining the values refuses any that is not text.
        try:
            if field.bulk(values):
                return values
        except TypeError:
            pass
    allowed: set[type] = {field.kind, type(None)} if field.nullable else {field.kind}
    kinds = set(map(type, values))
    if kinds - allowed:
        bad = next(v for v in values if type(v) not in allowed)
        wanted = "text" if field.kind is str else "a whole number"
        if field.nullable:
            wanted += " or nothing"
        raise RowInvalid(table, ids[values.index(bad)], f"{column} {_shown(bad)} must be {wanted}")
    present = [v for v in values if v is not None] if type(None) in kinds else values
    if field.bulk is not None and field.bulk(present):
        return present
    distinct = set(present)
    _first_failure(table, column, values, ids, distinct, field.check, exact=field.exact)
    if field.kind is str:
        # Every text check refuses these already; kept so that no rule can let them through.
        _first_failure(table, column, values, ids, distinct, _clean_check(column))
    return present


def _clean_check(column: str) -> Check:
    def check(value: str) -> str:
        found = UNSAFE_TEXT.search(value)
        if found is not None:
            what = "a NUL character" if found.group() == "\x00" else "a lone surrogate (not UTF-8)"
            raise FacilitatorError(f"{column} holds {what} at position {found.start() + 1}")
        return value

    return check


def _first_failure(
    table: str,
    column: str,
    values: list[Any],
    ids: list[Any],
    distinct: Iterable[Any],
    check: Check,
    *,
    exact: bool = False,
) -> None:
    """Raise RowInvalid for the first row (in the rows' order) whose value fails the check."""
    failures: dict[Any, str] = {}
    for value in distinct:
        try:
            stored = check(value)
        except FacilitatorError as error:
            failures[value] = _reason(column, str(error))
            continue
        if exact and stored != value:
            failures[value] = f"{column} {_shown(value)} is not as a local write stores it ({_shown(stored)})"
    if failures:
        first = min(values.index(v) for v in failures)
        raise RowInvalid(table, ids[first], failures[values[first]])


def _refuse_ahead(table: str, column: str, values: list[Any], ids: list[Any], bad: str, latest: str) -> None:
    raise RowInvalid(
        table,
        ids[values.index(bad)],
        f"{column} {bad} is more than a day ahead of this machine's clock ({latest[:19]}Z at most)",
    )


def _check_sessions(
    values: dict[str, list[Any]], ids: list[Any], stored_sessions: StoredSessions | None
) -> dict[str, _Frozen]:
    found: dict[str, _Frozen] = {}
    counts = [values.get(c) for c in ("participants", "male", "female")]
    for index, row_id in enumerate(ids):
        if all(c is not None for c in counts):
            participants, male, female = (c[index] for c in counts if c is not None)
            try:
                check_counts(participants, male, female)
            except FacilitatorError as error:
                raise RowInvalid("sessions", row_id, str(error)) from None
        if "scale" in values and "statements" in values:
            found[str(row_id)] = _frozen(str(values["scale"][index]), str(values["statements"][index]))
    if stored_sessions is not None and found:
        for session_id, (scale, statements) in stored_sessions(list(found)).items():
            try:
                here, there = _frozen(scale, statements), found[session_id]
            except ValueError:
                continue  # a damaged stored session: the incoming one is checked, and may mend it
            if (here.scale, here.listed) != (there.scale, there.listed):
                raise RowInvalid(
                    "sessions",
                    session_id,
                    "its statements or scale differ from the session stored here: they are frozen "
                    "when a session starts",
                )
    return found


def _frozen(scale: str, statements: str) -> _Frozen:
    listed = json.loads(statements)
    keys = json.loads(scale)
    return _Frozen(
        len(listed) if isinstance(listed, list) else 0,
        frozenset(str(c.get("key")) for c in keys if isinstance(c, dict))
        if isinstance(keys, list)
        else frozenset(),
        keys,
        listed,
    )


def _check_postits(
    values: dict[str, list[Any]],
    ids: list[Any],
    sessions: dict[str, _Frozen],
    stored_sessions: StoredSessions | None,
) -> None:
    if not {"session_id", "statement_number", "response_key"} <= set(values):
        return
    columns = (values["session_id"], values["statement_number"], values["response_key"])
    triples = set(zip(*columns, strict=True))
    wanted = {str(s) for s, _n, _k in triples} - set(sessions)
    known = dict(sessions)
    if wanted and stored_sessions is not None:
        for session_id, (scale, statements) in stored_sessions(sorted(wanted)).items():
            try:
                known[session_id] = _frozen(scale, statements)
            except ValueError:
                continue  # a damaged stored session: nothing to check against
    for session_id, number, key in sorted(triples, key=repr):
        # A session in neither the rows nor the store: the merge refuses the missing parent.
        frozen = known.get(str(session_id))
        if frozen is None:
            continue
        reason = ""
        if not isinstance(number, int) or not 1 <= number <= frozen.statements:
            reason = (
                f"statement_number {_shown(number)} is not a statement of its session (1-{frozen.statements})"
            )
        elif key not in frozen.keys:
            reason = (
                f"response_key {_shown(key)} is not on its session's scale ({', '.join(sorted(frozen.keys))})"
            )
        if reason:
            first = next(
                i for i, row in enumerate(zip(*columns, strict=True)) if row == (session_id, number, key)
            )
            raise RowInvalid("postits", ids[first], reason)


def _check_themes(values: dict[str, list[Any]], ids: list[Any]) -> None:
    if not {"consultation_id", "session_id"} <= set(values):
        return
    for index, pair in enumerate(zip(values["consultation_id"], values["session_id"], strict=True)):
        if pair == (None, None):
            raise RowInvalid(
                "themes", ids[index], "a theme belongs to a consultation or a session: it has neither"
            )


def _reason(column: str, message: str) -> str:
    """A check's message, naming the column when the message does not already."""
    if message.casefold().startswith((column.casefold(), column.replace("_", " ").casefold())):
        return message
    return f"{column}: {message}"


def _shown(value: object, limit: int = 40) -> str:
    text = ascii(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
