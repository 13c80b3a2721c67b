"""The store's records, and the checks a row passes before it is written.

Repositories return these; validation lives here with them, so the command line,
the screens and a bundle's rows are checked by the same rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date as date_type
from typing import Any

from facilitator.core.errors import FacilitatorError, FieldError
from facilitator.core.statements import Language, Scale, Statement, parse_scale, parse_statements

SETTINGS = ("prison", "community")
MAX_COMMENT = 10_000
MAX_LABEL = 200
# A generous cap for short free text that local writes tidy but do not limit
# (cohort, location, a consultation's title, a facilitator's initials …).
MAX_SHORT_TEXT = 1_000
# A generous cap for a session's frozen scale and statements, as stored (JSON).
MAX_FROZEN_JSON = 1_000_000
MAX_COUNT = 10_000
PARTICIPANT_CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9_-]{1,12}$")
SESSION_PREFIX_MIN = 4
# Row ids: UUIDs in their usual lower-case form (uuid4 for new rows, uuid5 for derived ones).
ROW_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
# Stamps as the Writer makes them: `YYYY-MM-DDTHH:MM:SS.ffffffZ` (core.clock.STAMP_FORMAT).
STAMP = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z\Z")
# What SQLite cannot store as text, or stores cut short: NUL, and lone surrogates (not UTF-8).
UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Damaged:
    """A stored row that does not parse, left out of what was read.

    The repositories collect these (`store.damaged`) instead of failing, so a command
    still shows every good row and then says which ones it left out.
    """

    kind: str
    id: str
    reason: str

    def line(self) -> str:
        """One sentence naming the row, e.g. "session 1a2b3c4d is damaged (...): left out"."""
        return f"{self.kind} {self.id[:8]} is damaged ({self.reason}): left out"


class DamagedRow(FacilitatorError):
    """A stored row that does not parse into its record."""

    def __init__(self, kind: str, row_id: object, reason: str) -> None:
        self.damaged = Damaged(kind, str(row_id), reason)
        super().__init__(f"{kind} {str(row_id)[:8]!r} in the database cannot be read: {reason}")


@dataclass(frozen=True)
class Consultation:
    id: str
    title: str


@dataclass(frozen=True)
class Session:
    """One focus group, with the statements and scale frozen when it was created."""

    id: str
    label: str
    cohort: str
    setting: str
    location: str
    date: str
    consultation_id: str | None
    consultation: str
    facilitators: tuple[str, ...]
    participants: int | None
    male: int | None
    female: int | None
    statement_set_id: str
    statement_set_title: str
    scale: Scale
    statements: tuple[Statement, ...]
    closed_at: str | None
    created_at: str
    updated_at: str
    device_id: str
    # A session of the example consultation, loaded to practise on: marked everywhere, never sent.
    example: bool = False

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def language(self) -> Language | None:
        """The second language its statements were frozen with, if any."""
        return self.statements[0].language if self.statements else None

    def statement(self, number: int) -> Statement:
        """The statement with this 1-based number, or a clear error."""
        if not 1 <= number <= len(self.statements):
            raise FacilitatorError(
                f"statement {number} is out of range: session {self.label!r} has "
                f"statements 1 to {len(self.statements)}"
            )
        return self.statements[number - 1]


@dataclass(frozen=True)
class SessionSummary:
    """A session with its post-it count and when it last changed.

    A purged session's rows are gone from this laptop: its count is its stub's.
    """

    session: Session
    postits: int
    last_change: str
    # A purged session's stub (label, date, counts, since when the office holds it), else None.
    purged: dict[str, Any] | None = None


@dataclass(frozen=True)
class Postit:
    id: str
    session_id: str
    statement_number: int
    response_key: str
    comment: str
    participant: str | None
    created_at: str
    updated_at: str
    device_id: str
    deleted_at: str | None = None


@dataclass
class NewPostit:
    """A post-it to record: what `import-postits` and the API validate before writing."""

    statement_number: int
    response: str
    comment: str = ""
    participant: str | None = None


@dataclass
class SessionDetails:
    """The fields a person gives when creating or editing a session."""

    label: str
    cohort: str
    setting: str
    consultation: str = ""
    location: str = ""
    date: str = field(default_factory=lambda: date_type.today().isoformat())
    facilitators: Sequence[str] = ()
    participants: int | None = None
    male: int | None = None
    female: int | None = None

    def validated(self) -> SessionDetails:
        """A cleaned copy, or FacilitatorError naming the first bad field."""
        label = _field(
            "label", self.label, "the label", MAX_LABEL, "Give the session a label, e.g. Adult focus group 1."
        )
        cohort = _field(
            "cohort", self.cohort, "the cohort", required="Give the cohort, e.g. adults or young offenders."
        )
        setting = check_setting(self.setting)
        day = check_date(self.date)
        facilitators = tuple(
            _field("facilitators", f, "a facilitator", MAX_LABEL) for f in self.facilitators if f.strip()
        )
        for name, value in (
            ("participants", self.participants),
            ("male", self.male),
            ("female", self.female),
        ):
            check_count(name, value)
        participants = self.participants
        if participants is None and (self.male is not None or self.female is not None):
            participants = (self.male or 0) + (self.female or 0)
        check_counts(participants, self.male, self.female)
        return replace(
            self,
            label=label,
            cohort=cohort,
            setting=setting,
            consultation=_field("consultation", self.consultation, "the consultation"),
            location=_field("location", self.location, "the location"),
            date=day,
            facilitators=facilitators,
            participants=participants,
        )


def _field(name: str, value: str, what: str, limit: int = MAX_SHORT_TEXT, required: str = "") -> str:
    """A form's free-text field tidied and checked; the error points at the field."""
    try:
        return check_short_text(value, what, limit, required=required)
    except FieldError:
        raise
    except FacilitatorError as error:
        raise FieldError(name, str(error)) from None


# ---------------------------------------------------------------- checks shared by every write


def check_clean(text: str, what: str) -> str:
    """Text SQLite stores whole: no NUL and no lone surrogate (which is not UTF-8)."""
    found = UNSAFE_TEXT.search(text)
    if found is not None:
        character = "a NUL character" if found.group() == "\x00" else "a lone surrogate (not UTF-8)"
        raise FacilitatorError(f"{what} holds {character} at position {found.start() + 1}")
    return text


def check_short_text(text: str, what: str, limit: int = MAX_SHORT_TEXT, *, required: str = "") -> str:
    """Free text with its spacing tidied, clean and at most `limit` characters.

    `required`, when given, is the message for an empty value.
    """
    if not isinstance(text, str):
        raise FacilitatorError(f"{what} must be text")
    cleaned = " ".join(check_clean(text, what).split())
    if required and not cleaned:
        raise FacilitatorError(required)
    if len(cleaned) > limit:
        raise FacilitatorError(f"{what} is too long ({len(cleaned)} characters; {limit} at most)")
    return cleaned


def check_row_id(value: str, what: str = "id") -> str:
    """A row id: a UUID in lower case."""
    if not ROW_ID.match(value):
        raise FacilitatorError(f"{what} {_shown(value)} is not a row id")
    return value


def check_stamp(value: str, what: str = "stamp") -> str:
    """A stamp in the Writer's form, YYYY-MM-DDTHH:MM:SS.ffffffZ, of a real day."""
    if not STAMP.match(value):
        raise FacilitatorError(f"{what} {_shown(value)} is not a stamp such as 2010-03-04T09:30:00.000000Z")
    try:
        date_type.fromisoformat(value[:10])
    except ValueError:
        raise FacilitatorError(f"{what} {_shown(value)} is not a real day") from None
    return value


def check_date(value: str) -> str:
    """A session's date: a real day written year-month-day."""
    day = value.strip()
    how = "write it as year-month-day, e.g. 2010-03-04"
    if not day:
        raise FieldError("date", f"Give the date: {how}.")
    try:
        parsed = date_type.fromisoformat(day)
    except ValueError:
        raise FieldError("date", f"The date {_shown(day)} is not a real date: {how}.") from None
    if len(day) != 10 or parsed.isoformat() != day:
        raise FieldError("date", f"The date {_shown(day)} is not a real date: {how}.")
    return day


def check_setting(value: str) -> str:
    """A session's setting: one of SETTINGS."""
    setting = value.strip().casefold()
    if setting not in SETTINGS:
        given = f" ({_shown(value.strip())} is not one)" if value.strip() else ""
        raise FieldError("setting", f"Choose a setting: prison or community{given}.")
    return setting


def check_count(name: str, value: object) -> int | None:
    """A count of participants: a whole number from 0 to MAX_COUNT, or None."""
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT
    ):
        raise FieldError(name, f"{name.capitalize()}: a whole number from 0 to {MAX_COUNT}, or nothing.")
    return value


def check_counts(participants: int | None, male: int | None, female: int | None) -> None:
    """Male and female add up to no more than the participants."""
    gendered = (male or 0) + (female or 0)
    if participants is not None and gendered > participants:
        raise FieldError(
            "participants",
            f"Male ({male or 0}) and female ({female or 0}) add up to more than "
            f"the {participants} participants.",
        )


def check_facilitators(text: str) -> list[str]:
    """A session's stored facilitators: a JSON list of tidied initials or names."""
    names = _json(text, "facilitators")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise FacilitatorError("facilitators must be a JSON list of text")
    for name in names:
        if check_short_text(name, "a facilitator", MAX_LABEL) != name or not name:
            raise FacilitatorError(f"facilitator {_shown(name)} is not as a session stores it")
    return names


def check_frozen_scale(text: str) -> Scale:
    """A session's stored scale: JSON in the form a statement set's scale is frozen in."""
    items = _json(text, "scale", MAX_FROZEN_JSON)
    try:
        scale = parse_scale(items if isinstance(items, list) else [], frozen=True)
    except ValueError as error:
        raise FacilitatorError(f"scale: {error}") from None
    if scale.to_list() != items:
        raise FacilitatorError("scale is not in the form a session stores")
    return scale


def check_frozen_statements(text: str) -> tuple[Statement, ...]:
    """A session's stored statements: JSON in the form a statement set's statements are frozen in."""
    items = _json(text, "statements", MAX_FROZEN_JSON)
    try:
        statements = parse_statements(items if isinstance(items, list) else [], frozen=True)
    except ValueError as error:
        raise FacilitatorError(f"statements: {error}") from None
    if [s.to_dict() for s in statements] != items:
        raise FacilitatorError("statements are not in the form a session stores")
    return statements


def _json(text: str, what: str, limit: int = MAX_SHORT_TEXT * 10) -> Any:
    if len(text) > limit:
        raise FacilitatorError(f"{what} is too long ({len(text)} characters; {limit} at most)")
    try:
        return json.loads(check_clean(text, what))
    except (ValueError, RecursionError):
        raise FacilitatorError(f"{what} is not valid JSON") from None


def _shown(value: object, limit: int = 40) -> str:
    """A value for a message: quoted, escaped and cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- post-its


def check_comment(comment: object) -> str:
    """A post-it's comment as stored, or a clear error."""
    comment = comment or ""
    if not isinstance(comment, str):
        raise FacilitatorError("comment must be text")
    if len(comment) > MAX_COMMENT:
        raise FacilitatorError(f"comment is too long ({len(comment)} characters; {MAX_COMMENT} at most)")
    return check_clean(comment, "comment")


def check_participant_code(code: str | None) -> str | None:
    """A participant code (of a post-it, a note's speaker or the roster), or None; a name is refused."""
    participant = (code or "").strip() or None
    if participant is not None and not PARTICIPANT_CODE.match(participant):
        raise FacilitatorError(
            f"participant {_shown(participant)} must be a code such as P1 (letters and digits, "
            "with a digit, 12 at most), never a name"
        )
    return participant


def check_postit(session: Session, item: NewPostit) -> tuple[int, str, str, str | None]:
    """The statement number, response key, comment and participant of a new post-it."""
    try:
        number = int(str(item.statement_number).strip())
    except ValueError:
        raise FacilitatorError(f"statement {item.statement_number!r} must be a number") from None
    session.statement(number)
    key = session.scale.resolve(item.response).key
    return number, key, check_comment(item.comment), check_participant_code(item.participant)


def postit_fault(session: Session, statement_number: object, response_key: object) -> str | None:
    """Why a stored post-it does not fit its session (a bad statement number or response), or None."""
    count = len(session.statements)
    if (
        isinstance(statement_number, bool)
        or not isinstance(statement_number, int)
        or not 1 <= statement_number <= count
    ):
        shown = statement_number if isinstance(statement_number, int | float) else repr(statement_number)
        return f"its statement number {shown} is not one of the session's 1 to {count}"
    if response_key not in session.scale.keys:
        return f"its response {str(response_key)[:40]!r} is not on the session's scale"
    return None
