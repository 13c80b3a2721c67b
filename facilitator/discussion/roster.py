"""A session's roster: pseudonymous participant codes (P1, P2, …) with descriptors.

There is no field for a name anywhere. A participant has a code, a gender, a
cohort (the session's unless told otherwise), an optional age band, whether
verbal consent was given, and whether they want a one-to-one interview.
A removed participant is a tombstone, like every other row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.store import Session, Store

# The roster's record and its checks live in the store; re-exported here.
from facilitator.store.roster import AGE_BAND as AGE_BAND
from facilitator.store.roster import GENDER_WORDS as GENDER_WORDS
from facilitator.store.roster import GENDERS as GENDERS
from facilitator.store.roster import MAX_COHORT as MAX_COHORT
from facilitator.store.roster import PARTICIPANT_COLUMNS as PARTICIPANT_COLUMNS
from facilitator.store.roster import Participant as Participant
from facilitator.store.roster import check_age_band as check_age_band
from facilitator.store.roster import check_code as check_code
from facilitator.store.roster import check_cohort as check_cohort
from facilitator.store.roster import check_gender as check_gender
from facilitator.store.roster import descriptor as descriptor


@dataclass(frozen=True)
class GenderCounts:
    """How many took part, by gender; from the roster when it has anyone, else from the session."""

    male: int
    female: int
    other: int
    total: int
    from_roster: bool


# ---------------------------------------------------------------- reading


def participants(store: Store, session_id: str) -> list[Participant]:
    """The live roster of a session, in the order people were added."""
    return store.roster.of(session_id)


def find_participant(store: Store, session_id: str, code: str) -> Participant | None:
    """The live participant with this code (ignoring case), if any."""
    return store.roster.find(session_id, code)


def participant(store: Store, session_id: str, code: str) -> Participant:
    """The live participant with this code, or NotFound."""
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
    return store.roster.add(
        session.id, code, gender, cohort, age_band=band, consent=consent, wants_interview=wants_interview
    )


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
        changes["consent"] = bool(consent)
    if wants_interview is not None:
        changes["wants_interview"] = bool(wants_interview)
    if not changes:
        return person
    store.roster.edit(person, changes)
    return participant(store, session.id, changes.get("code", person.code))


def remove_participant(store: Store, session_id: str, code: str) -> Participant:
    """Tombstone a participant. Notes and post-its keep the code they carry."""
    session = store.sessions.get(session_id)
    person = participant(store, session.id, code)
    store.roster.remove(person)
    return person
