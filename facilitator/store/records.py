"""The store's records, and the checks a row passes before it is written.

Repositories return these; validation lives here with them, so the command line,
the screens and a bundle's rows are checked by the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date as date_type

from facilitator.core.errors import FacilitatorError, FieldError
from facilitator.core.statements import Scale, Statement

SETTINGS = ("prison", "community")
MAX_COMMENT = 10_000
PARTICIPANT_CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9_-]{1,12}$")
SESSION_PREFIX_MIN = 4


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

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

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
    """A session with its post-it count and whether its changes have left this device."""

    session: Session
    postits: int
    last_change: str
    sent: bool


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
        label = " ".join(self.label.split())
        cohort = " ".join(self.cohort.split())
        setting = self.setting.strip().casefold()
        if not label:
            raise FieldError("label", "Give the session a label, e.g. Adult focus group 1.")
        if len(label) > 200:
            raise FieldError("label", "The label is too long: 200 characters at most.")
        if not cohort:
            raise FieldError("cohort", "Give the cohort, e.g. adults or young offenders.")
        if setting not in SETTINGS:
            given = f" ('{self.setting.strip()}' is not one)" if self.setting.strip() else ""
            raise FieldError("setting", f"Choose a setting: prison or community{given}.")
        day = self.date.strip()
        how = "write it as year-month-day, e.g. 2010-03-04"
        if not day:
            raise FieldError("date", f"Give the date: {how}.")
        try:
            parsed = date_type.fromisoformat(day)
        except ValueError:
            raise FieldError("date", f"The date '{day}' is not a real date: {how}.") from None
        if len(day) != 10 or parsed.isoformat() != day:
            raise FieldError("date", f"The date '{day}' is not a real date: {how}.")
        facilitators = tuple(" ".join(f.split()) for f in self.facilitators if f.strip())
        for name, value in (
            ("participants", self.participants),
            ("male", self.male),
            ("female", self.female),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000
            ):
                raise FieldError(name, f"{name.capitalize()}: a whole number from 0 to 10000, or nothing.")
        participants = self.participants
        gendered = (self.male or 0) + (self.female or 0)
        if participants is None and (self.male is not None or self.female is not None):
            participants = gendered
        if participants is not None and gendered > participants:
            raise FieldError(
                "participants",
                f"Male ({self.male or 0}) and female ({self.female or 0}) add up to more than "
                f"the {participants} participants.",
            )
        return replace(
            self,
            label=label,
            cohort=cohort,
            setting=setting,
            consultation=" ".join(self.consultation.split()),
            location=" ".join(self.location.split()),
            date=day,
            facilitators=facilitators,
            participants=participants,
        )


def check_comment(comment: object) -> str:
    """A post-it's comment as stored, or a clear error."""
    comment = comment or ""
    if not isinstance(comment, str):
        raise FacilitatorError("comment must be text")
    if len(comment) > MAX_COMMENT:
        raise FacilitatorError(f"comment is too long ({len(comment)} characters; {MAX_COMMENT} at most)")
    return comment


def check_participant_code(code: str | None) -> str | None:
    """A post-it's participant code, or None; a name is refused."""
    participant = (code or "").strip() or None
    if participant is not None and not PARTICIPANT_CODE.match(participant):
        raise FacilitatorError(
            f"participant {participant!r} must be a code such as P1 (letters and digits, "
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
