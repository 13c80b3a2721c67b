"""The roster: participant codes with descriptors, never names; gender counts come from it."""

from __future__ import annotations

import pytest

from facilitator.core.errors import FacilitatorError
from facilitator.discussion import notes as discussion
from facilitator.discussion import roster
from facilitator.store import Session, Store


def test_a_participant_has_a_code_and_descriptors_only(store: Store, session: Session) -> None:
    added = roster.add_participant(
        store, session.id, " P1 ", "M", age_band="18 - 24", consent=True, wants_interview=True
    )
    assert (added.code, added.gender, added.cohort, added.age_band) == ("P1", "male", "adults", "18 - 24")
    assert added.consent and added.wants_interview
    assert roster.participants(store, session.id) == [added]
    columns = {row[1] for row in store.db.execute("PRAGMA table_info(participants)").fetchall()}
    assert not any("name" in column for column in columns)


@pytest.mark.parametrize(
    ("code", "gender", "age_band", "cohort", "message"),
    [
        ("Darren", "male", None, None, "never a name"),
        ("P 1", "male", None, None, "never a name"),
        ("P1", "man?", None, None, "gender"),
        ("P1", "male", "teenager", None, "age band"),
        ("P1", "male", "Darren", None, "age band"),
        ("P1", "male", None, "  ", "cohort"),
    ],
)
def test_bad_participants_are_refused_and_nothing_is_written(
    store: Store,
    session: Session,
    code: str,
    gender: str,
    age_band: str | None,
    cohort: str | None,
    message: str,
) -> None:
    with pytest.raises(FacilitatorError, match=message):
        roster.add_participant(store, session.id, code, gender, age_band=age_band, cohort=cohort)
    assert store.db.execute("SELECT COUNT(*) FROM participants").fetchone()[0] == 0


def test_a_code_is_used_once_per_session_ignoring_case_until_removed(store: Store, session: Session) -> None:
    roster.add_participant(store, session.id, "P1", "female")
    with pytest.raises(FacilitatorError, match="already"):
        roster.add_participant(store, session.id, "p1", "male")
    roster.remove_participant(store, session.id, "p1")
    assert roster.participants(store, session.id) == []
    assert store.db.execute("SELECT deleted_at FROM participants").fetchone()[0] is not None
    assert roster.add_participant(store, session.id, "P1", "male").gender == "male"


def test_a_new_code_follows_into_notes_and_postits(store: Store, session: Session) -> None:
    roster.add_participant(store, session.id, "P1", "female", cohort="young offenders")
    note = discussion.add_note(store, session.id, "said", speaker="p1")
    assert note.participant == "P1"  # the roster's spelling
    postit = store.postits.add(session.id, 1, "agree", participant="P1")
    edited = roster.edit_participant(store, session.id, "P1", new_code="P7", age_band="under 18")
    assert (edited.code, edited.age_band, edited.descriptor) == ("P7", "under 18", "Female young offender")
    assert discussion.note(store, note.id).participant == "P7"
    assert store.postits.get(postit.id).participant == "P7"


def test_speakers_must_be_in_the_roster_once_there_is_one(store: Store, session: Session) -> None:
    assert discussion.add_note(store, session.id, "any code", speaker="P9").participant == "P9"
    assert discussion.add_note(store, session.id, "unknown", speaker="unknown").participant is None
    roster.add_participant(store, session.id, "P1", "male")
    with pytest.raises(FacilitatorError, match="not in this session's roster"):
        discussion.add_note(store, session.id, "who?", speaker="P9")
    with pytest.raises(FacilitatorError, match="never a name"):
        discussion.add_note(store, session.id, "who?", speaker="Darren")
    assert len(discussion.notes(store, session.id)) == 2


def test_gender_counts_come_from_the_roster_when_there_is_one(store: Store, session: Session) -> None:
    counts = roster.gender_counts(store, session)
    assert (counts.male, counts.female, counts.other, counts.total, counts.from_roster) == (
        8,
        2,
        0,
        10,
        False,
    )
    for code, gender in (("P1", "male"), ("P2", "female"), ("P3", "female"), ("P4", "not given")):
        roster.add_participant(store, session.id, code, gender)
    counts = roster.gender_counts(store, session)
    assert (counts.male, counts.female, counts.other, counts.total, counts.from_roster) == (1, 2, 1, 4, True)


@pytest.mark.parametrize(
    ("gender", "cohort", "expected"),
    [
        ("male", "young offenders", "Male young offender"),
        ("female", "adults", "Female adult"),
        ("female", "Women", "Female woman"),
        ("male", "Young Offenders", "Male young offender"),
        ("male", "YOI residents", "Male YOI resident"),
        ("male", "care leavers", "Male care leaver"),
        ("other", "families", "Family"),
        ("not_given", "adults", "Adult"),
        ("male", "class", "Male class"),
    ],
)
def test_descriptors_read_as_the_report_attributes_quotes(gender: str, cohort: str, expected: str) -> None:
    assert roster.descriptor(gender, cohort) == expected


@pytest.mark.parametrize(
    ("typed", "said"),
    [("", "gender is missing: type m (male), f (female), o (other) or n (not given)"),
     ("x", "gender 'x' is not one we know: type m (male), f (female), o (other) or n (not given)")],
)  # fmt: skip
def test_a_missing_or_unknown_gender_says_which_letters_to_type(typed: str, said: str) -> None:
    from facilitator.store.roster import check_gender

    with pytest.raises(FacilitatorError) as refused:
        check_gender(typed)
    assert str(refused.value) == said
    assert check_gender("n") == "not_given" and check_gender("F") == "female"
