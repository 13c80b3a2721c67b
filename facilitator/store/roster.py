"""A session's roster: pseudonymous participant codes with their descriptors.

There is no column for a name anywhere. A participant has a code, a gender, a
cohort, an optional age band, whether verbal consent was given and whether they
want a one-to-one interview. A removed participant is a tombstone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from facilitator.core.errors import FacilitatorError
from facilitator.store.records import check_clean, check_participant_code

if TYPE_CHECKING:
    from facilitator.store.database import Store

# Stored keys, in the order counts are shown. "not_given" is for someone who did
# not say, so that a roster never has to guess.
GENDERS = ("male", "female", "other", "not_given")
GENDER_WORDS = {"male": "Male", "female": "Female", "other": "", "not_given": ""}
_GENDER_ALIASES = {
    "m": "male",
    "f": "female",
    "o": "other",
    "n": "not_given",
    "not given": "not_given",
    "-": "not_given",
}
GENDER_CHOICES = "m (male), f (female), o (other) or n (not given)"
# Age bands are ranges, never free text (free text invites names): 18-24, 25+, under 18, over 50.
AGE_BAND = re.compile(r"^(\d{1,3}\s*[-–]\s*\d{1,3}|\d{1,3}\+|(under|over) \d{1,3})$", re.IGNORECASE)
MAX_COHORT = 100
PARTICIPANT_COLUMNS = (
    "id",
    "session_id",
    "code",
    "gender",
    "cohort",
    "age_band",
    "consent",
    "wants_interview",
    "created_at",
    "updated_at",
    "device_id",
    "deleted_at",
)
_IRREGULAR_SINGULARS = {"women": "woman", "men": "man", "people": "person", "children": "child"}


@dataclass(frozen=True)
class Participant:
    id: str
    session_id: str
    code: str
    gender: str
    cohort: str
    age_band: str
    consent: bool
    wants_interview: bool
    created_at: str
    updated_at: str
    device_id: str
    deleted_at: str | None = None

    @property
    def descriptor(self) -> str:
        """How a quote is attributed in the report, e.g. 'Male young offender'."""
        return descriptor(self.gender, self.cohort)


def participant_from_row(row: Mapping[str, Any] | tuple[Any, ...]) -> Participant:
    """A participant record from its row (a mapping, or values in PARTICIPANT_COLUMNS order)."""
    values = dict(zip(PARTICIPANT_COLUMNS, row, strict=True)) if isinstance(row, tuple) else dict(row)
    values["consent"] = bool(values["consent"])
    values["wants_interview"] = bool(values["wants_interview"])
    values.setdefault("deleted_at", None)
    return Participant(**{name: values[name] for name in PARTICIPANT_COLUMNS})


# ---------------------------------------------------------------- checks


def check_code(code: str) -> str:
    """A participant code stripped and checked, or FacilitatorError (codes, never names)."""
    checked = check_participant_code(code)
    if checked is None:
        raise FacilitatorError("participant code is empty: give a code such as P1, never a name")
    return checked


def check_gender(gender: str) -> str:
    """A gender key from GENDERS (accepts m, f, o and any case)."""
    wanted = " ".join((gender or "").split()).casefold()
    wanted = _GENDER_ALIASES.get(wanted, wanted).replace(" ", "_")
    if not wanted:
        raise FacilitatorError(f"gender is missing: type {GENDER_CHOICES}")
    if wanted not in GENDERS:
        raise FacilitatorError(f"gender {gender!r} is not one we know: type {GENDER_CHOICES}")
    return wanted


def check_age_band(age_band: str | None) -> str:
    """An age band such as 18-24, 25+, under 18; empty when not given."""
    band = " ".join((age_band or "").split())
    if band and not AGE_BAND.match(band):
        raise FacilitatorError(f"age band {age_band!r} must be a range such as 18-24, 25+ or under 18")
    return band.lower()


def check_cohort(cohort: str) -> str:
    """A cohort with its spacing tidied, or FacilitatorError."""
    cohort = " ".join(check_clean(cohort or "", "cohort").split())
    if not cohort:
        raise FacilitatorError("cohort is empty: e.g. 'adults' or 'young offenders'")
    if len(cohort) > MAX_COHORT:
        raise FacilitatorError(f"cohort is too long ({MAX_COHORT} characters at most)")
    return cohort


def descriptor(gender: str, cohort: str) -> str:
    """'Male' + the cohort in the singular: ('male', 'young offenders') -> 'Male young offender'.

    The last word of the cohort is made singular (adults -> adult, women -> woman,
    families -> family) and capitalised words lower-cased (acronyms stay). A
    gender of 'other' or 'not_given' adds no word.
    """
    # "Young offenders" reads "young offender" after the gender word; acronyms (YOI) stay.
    words = [w.lower() if w[:1].isupper() and w[1:].islower() else w for w in cohort.split()] or [""]
    last = words[-1]
    lower = last.casefold()
    if lower in _IRREGULAR_SINGULARS:
        last = _IRREGULAR_SINGULARS[lower]
    elif lower.endswith("ies") and len(lower) > 4:
        last = last[:-3] + "y"
    elif lower.endswith("s") and not lower.endswith("ss") and len(lower) > 2:
        last = last[:-1]
    words[-1] = last
    text = " ".join(w for w in [GENDER_WORDS.get(gender, ""), *words] if w)
    if not text:
        return ""
    return text[0].upper() + text[1:]


# ---------------------------------------------------------------- the repository


class RosterRepository:
    """The participants of every session's roster."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def of(self, session_id: str) -> list[Participant]:
        """The live roster of a session, in the order people were added."""
        rows = self._store.db.execute(
            f"""SELECT {", ".join(PARTICIPANT_COLUMNS)} FROM participants
                WHERE session_id = ? AND deleted_at IS NULL ORDER BY created_at, id""",
            [session_id],
        ).fetchall()
        return [participant_from_row(tuple(row)) for row in rows]

    def find(self, session_id: str, code: str) -> Participant | None:
        """The live participant of a session with this code (ignoring case), if any."""
        wanted = code.strip().casefold()
        for person in self.of(session_id):
            if person.code.casefold() == wanted:
                return person
        return None

    def add(
        self,
        session_id: str,
        code: str,
        gender: str,
        cohort: str,
        *,
        age_band: str = "",
        consent: bool = False,
        wants_interview: bool = False,
    ) -> Participant:
        """Add a participant whose fields are already checked; committed when this returns."""
        with self._store.write() as writer:
            row = writer.insert(
                "participants",
                {
                    "session_id": session_id,
                    "code": code,
                    "gender": gender,
                    "cohort": cohort,
                    "age_band": age_band,
                    "consent": int(bool(consent)),
                    "wants_interview": int(bool(wants_interview)),
                },
            )
        return participant_from_row(row)

    def edit(self, person: Participant, changes: Mapping[str, Any]) -> None:
        """Change some checked columns of a participant, in one transaction.

        A new `code` is carried over to the session's notes and post-its that used
        the old one (matched ignoring case).
        """
        if not changes:
            return
        values = dict(changes)
        for flag in ("consent", "wants_interview"):
            if flag in values:
                values[flag] = int(bool(values[flag]))
        with self._store.write() as writer:
            writer.update("participants", person.id, values)
            new_code = values.get("code")
            if new_code is not None and new_code != person.code:
                for table in ("notes", "postits"):
                    writer.update_where(
                        table,
                        {"participant": new_code},
                        "session_id = ? AND participant = ? COLLATE NOCASE",
                        [person.session_id, person.code],
                    )

    def remove(self, person: Participant) -> None:
        """Tombstone a participant; notes and post-its keep the code they carry."""
        with self._store.write() as writer:
            writer.tombstone("participants", person.id)
