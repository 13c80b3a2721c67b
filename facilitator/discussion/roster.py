"""A session's roster: pseudonymous participant codes (P1, P2, …) with descriptors.

There is no field for a name anywhere. A participant has a code, a gender, a
cohort (the session's unless told otherwise), an optional age band, whether
verbal consent was given, and whether they want a one-to-one interview.
A removed participant is a tombstone, like every other row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from facilitator.core.clock import new_id, now
from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.store import PARTICIPANT_CODE, Session, Store

# Stored keys, in the order counts are shown. "not_given" is for someone who did
# not say, so that a roster never has to guess.
GENDERS = ("male", "female", "other", "not_given")
GENDER_WORDS = {"male": "Male", "female": "Female", "other": "", "not_given": ""}
_GENDER_ALIASES = {"m": "male", "f": "female", "o": "other", "not given": "not_given", "-": "not_given"}
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


@dataclass(frozen=True)
class GenderCounts:
    """How many took part, by gender; from the roster when it has anyone, else from the session."""

    male: int
    female: int
    other: int
    total: int
    from_roster: bool


def _from_row(row: Mapping[str, Any] | tuple[Any, ...]) -> Participant:
    values = dict(zip(PARTICIPANT_COLUMNS, row, strict=True)) if isinstance(row, tuple) else dict(row)
    values["consent"] = bool(values["consent"])
    values["wants_interview"] = bool(values["wants_interview"])
    return Participant(**{name: values[name] for name in PARTICIPANT_COLUMNS})


def check_code(code: str) -> str:
    """A participant code stripped and checked, or FacilitatorError (codes, never names)."""
    code = (code or "").strip()
    if not PARTICIPANT_CODE.match(code):
        raise FacilitatorError(
            f"participant {code!r} must be a code such as P1 (letters and digits, "
            "with a digit, 12 at most), never a name"
        )
    return code


def check_gender(gender: str) -> str:
    """A gender key from GENDERS (accepts m, f, o and any case)."""
    wanted = " ".join((gender or "").split()).casefold()
    wanted = _GENDER_ALIASES.get(wanted, wanted).replace(" ", "_")
    if wanted not in GENDERS:
        raise FacilitatorError(f"gender {gender!r} must be one of {', '.join(GENDERS)}")
    return wanted


def check_age_band(age_band: str | None) -> str:
    """An age band such as 18-24, 25+, under 18; empty when not given."""
    band = " ".join((age_band or "").split())
    if band and not AGE_BAND.match(band):
        raise FacilitatorError(f"age band {age_band!r} must be a range such as 18-24, 25+ or under 18")
    return band.lower()


def check_cohort(cohort: str) -> str:
    cohort = " ".join((cohort or "").split())
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


# ---------------------------------------------------------------- reading


def participants(store: Store, session_id: str) -> list[Participant]:
    """The live roster of a session, in the order people were added."""
    rows = store.db.execute(
        f"""SELECT {", ".join(PARTICIPANT_COLUMNS)} FROM participants
            WHERE session_id = ? AND deleted_at IS NULL ORDER BY created_at, id""",
        [session_id],
    ).fetchall()
    return [_from_row(tuple(row)) for row in rows]


def find_participant(store: Store, session_id: str, code: str) -> Participant | None:
    """The live participant with this code (ignoring case), if any."""
    wanted = code.strip().casefold()
    for participant in participants(store, session_id):
        if participant.code.casefold() == wanted:
            return participant
    return None


def participant(store: Store, session_id: str, code: str) -> Participant:
    found = find_participant(store, session_id, code)
    if found is None:
        raise NotFound(f"no participant {code.strip()!r} in this session's roster")
    return found


def resolve_speaker(store: Store, session_id: str, code: str | None) -> str | None:
    """The code to store for a speaker: None for unknown, the roster's spelling if listed.

    When the session has a roster, only its codes are accepted; with no roster,
    any well-formed code is.
    """
    code = (code or "").strip()
    if not code or code.casefold() in {"unknown", "?"}:
        return None
    code = check_code(code)
    roster = participants(store, session_id)
    if not roster:
        return code
    for person in roster:
        if person.code.casefold() == code.casefold():
            return person.code
    known = ", ".join(p.code for p in roster)
    raise FacilitatorError(f"speaker {code!r} is not in this session's roster ({known})")


def gender_counts(store: Store, session: Session) -> GenderCounts:
    """The session's participants by gender: from the roster when there is one."""
    roster = participants(store, session.id)
    if roster:
        male = sum(p.gender == "male" for p in roster)
        female = sum(p.gender == "female" for p in roster)
        return GenderCounts(male, female, len(roster) - male - female, len(roster), True)
    male, female = session.male or 0, session.female or 0
    total = session.participants if session.participants is not None else male + female
    return GenderCounts(male, female, max(total - male - female, 0), total, False)


# ---------------------------------------------------------------- writing


def add_participant(
    store: Store,
    session_id: str,
    code: str,
    gender: str,
    *,
    cohort: str | None = None,
    age_band: str | None = None,
    consent: bool = False,
    wants_interview: bool = False,
) -> Participant:
    """Add a participant to a session's roster; committed when this returns."""
    session = store.sessions.get(session_id)
    code = check_code(code)
    gender = check_gender(gender)
    cohort = check_cohort(session.cohort if cohort is None else cohort)
    band = check_age_band(age_band)
    if find_participant(store, session.id, code) is not None:
        raise FacilitatorError(f"participant {code!r} is already in this session's roster")
    stamp = now()
    values = [
        new_id(),
        session.id,
        code,
        gender,
        cohort,
        band,
        int(bool(consent)),
        int(bool(wants_interview)),
        stamp,
        stamp,
        store.device_id,
        None,
    ]
    with store.write() as db:
        db.execute(
            f"INSERT INTO participants ({', '.join(PARTICIPANT_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(PARTICIPANT_COLUMNS))})",
            values,
        )
    return _from_row(tuple(values))


def edit_participant(
    store: Store,
    session_id: str,
    code: str,
    *,
    new_code: str | None = None,
    gender: str | None = None,
    cohort: str | None = None,
    age_band: str | None = None,
    consent: bool | None = None,
    wants_interview: bool | None = None,
) -> Participant:
    """Change a participant's descriptors; None leaves a field as it is.

    A new code is carried over to the session's notes and post-its that used the old one.
    """
    session = store.sessions.get(session_id)
    person = participant(store, session.id, code)
    changes: dict[str, Any] = {}
    if new_code is not None:
        changes["code"] = check_code(new_code)
        other = find_participant(store, session.id, changes["code"])
        if other is not None and other.id != person.id:
            raise FacilitatorError(f"participant {changes['code']!r} is already in this session's roster")
    if gender is not None:
        changes["gender"] = check_gender(gender)
    if cohort is not None:
        changes["cohort"] = check_cohort(cohort)
    if age_band is not None:
        changes["age_band"] = check_age_band(age_band)
    if consent is not None:
        changes["consent"] = int(consent)
    if wants_interview is not None:
        changes["wants_interview"] = int(wants_interview)
    if not changes:
        return person
    stamp = now()
    with store.write() as db:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        db.execute(
            f"UPDATE participants SET {assignments}, updated_at = ?, device_id = ? WHERE id = ?",
            [*changes.values(), stamp, store.device_id, person.id],
        )
        if "code" in changes and changes["code"] != person.code:
            for table in ("notes", "postits"):
                db.execute(
                    f"""UPDATE {table} SET participant = ?, updated_at = ?, device_id = ?
                        WHERE session_id = ? AND participant = ? COLLATE NOCASE""",
                    [changes["code"], stamp, store.device_id, session.id, person.code],
                )
    return participant(store, session.id, changes.get("code", person.code))


def remove_participant(store: Store, session_id: str, code: str) -> Participant:
    """Tombstone a participant. Notes and post-its keep the code they carry."""
    session = store.sessions.get(session_id)
    person = participant(store, session.id, code)
    stamp = now()
    with store.write() as db:
        db.execute(
            "UPDATE participants SET deleted_at = ?, updated_at = ?, device_id = ? WHERE id = ?",
            [stamp, stamp, store.device_id, person.id],
        )
    return person
