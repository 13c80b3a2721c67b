"""The codebook: themes per consultation, ranked by sessions then notes, renamed and merged safely."""

from __future__ import annotations

from dataclasses import replace

import pytest

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.core.statements import StatementSet
from facilitator.discussion import codebook
from facilitator.discussion import notes as discussion
from facilitator.discussion.codebook import Codebook
from facilitator.store import Session, SessionDetails, Store
from facilitator.store.codebook import THEME_NAMESPACE

CONSULTATION = "Does social work care? 2010"


def make_session(
    store: Store, statement_set: StatementSet, label: str, consultation: str = CONSULTATION
) -> Session:
    return store.sessions.create(
        statement_set,
        SessionDetails(label=label, cohort="adults", setting="community", consultation=consultation),
    )


def ranking(ranked: list[codebook.RankedTheme]) -> list[tuple[int, str, int, int]]:
    return [(r.rank, r.name, r.sessions, r.notes) for r in ranked]


@pytest.fixture
def three(store: Store, statement_set: StatementSet) -> list[Session]:
    """Three sessions of one consultation, with notes counted by hand in the tests below."""
    s1, s2, s3 = (make_session(store, statement_set, f"Group {n}") for n in (1, 2, 3))
    for name in ("Alpha", "Beta", "Gamma", "debt", "Education", "Flats"):
        codebook.add_theme(store, s1, name)
    discussion.add_note(store, s1.id, "one", themes=["Alpha", "Beta"])
    discussion.add_note(store, s1.id, "two", themes=["Alpha"])
    discussion.add_note(store, s1.id, "three", themes=["Gamma"])
    discussion.add_note(store, s2.id, "four", themes=["alpha"])  # names match ignoring case
    discussion.add_note(store, s2.id, "five", themes=["Beta"])
    discussion.add_note(store, s2.id, "six", themes=["debt"])
    discussion.add_note(store, s3.id, "seven", themes=["Beta", "Gamma"])
    discussion.add_note(store, s3.id, "eight", themes=["Education"])
    # Things that must not count: a deleted note, an untagged tag, a deleted session.
    gone = discussion.add_note(store, s3.id, "deleted", themes=["Gamma", "Flats"])
    discussion.delete_note(store, gone.id)
    untagged = discussion.add_note(store, s3.id, "untagged", themes=["Flats"])
    discussion.edit_note(store, untagged.id, themes=[])
    s4 = make_session(store, statement_set, "Group 4 (deleted)")
    discussion.add_note(store, s4.id, "in a deleted session", themes=["Flats", "Flats", "debt"])
    store.sessions.delete(s4.id)
    return [s1, s2, s3]


def test_consultation_ranking_matches_the_hand_count(store: Store, three: list[Session]) -> None:
    # By hand: Beta 3 sessions/3 notes; Alpha 2/3; Gamma 2/2; debt 1/1 and Education 1/1
    # tie (listed by name, ignoring case: "debt" before "Education"); Flats 0/0 is last.
    ranked = codebook.rank_for_consultation(store, three[0].consultation_id or "")
    assert ranking(ranked) == [
        (1, "Beta", 3, 3),
        (2, "Alpha", 2, 3),
        (3, "Gamma", 2, 2),
        (4, "debt", 1, 1),
        (4, "Education", 1, 1),
        (6, "Flats", 0, 0),
    ]
    used = codebook.rank_for_consultation(store, three[0].consultation_id or "", include_unused=False)
    assert [r.name for r in used] == ["Beta", "Alpha", "Gamma", "debt", "Education"]


def test_session_ranking_counts_that_session_alone(store: Store, three: list[Session]) -> None:
    ranked = codebook.rank_for_session(store, three[0], include_unused=False)
    assert ranking(ranked) == [(1, "Alpha", 1, 2), (2, "Beta", 1, 1), (2, "Gamma", 1, 1)]


def test_all_notes_of_one_theme_open_in_the_order_taken(store: Store, three: list[Session]) -> None:
    beta = codebook.theme(store, Codebook.of(three[0]), "beta")
    notes = discussion.notes_for_theme(store, beta.id, [s.id for s in three])
    assert [n.text for n in notes] == ["one", "five", "seven"]
    assert discussion.notes_for_theme(store, beta.id, [three[1].id])[0].text == "five"


def test_rename_keeps_every_tag(store: Store, three: list[Session]) -> None:
    before = codebook.rank_for_consultation(store, three[0].consultation_id or "")
    codebook.rename_theme(store, three[0], "Beta", "Not listened to")
    after = codebook.rank_for_consultation(store, three[0].consultation_id or "")
    assert ranking(after)[0] == (1, "Not listened to", 3, 3)
    assert [r.theme.id for r in after] == [r.theme.id for r in before]
    assert discussion.notes(store, three[0].id)[0].theme_names == ("Alpha", "Not listened to")


def test_rename_to_a_taken_name_is_refused_but_a_change_of_case_is_fine(
    store: Store, three: list[Session]
) -> None:
    with pytest.raises(FacilitatorError, match="merge"):
        codebook.rename_theme(store, three[0], "Alpha", " beta ")
    assert codebook.rename_theme(store, three[0], "debt", "Debt").name == "Debt"
    with pytest.raises(NotFound):
        codebook.rename_theme(store, three[0], "Nothing", "Something")


def test_merge_moves_tags_and_dedupes_a_note_that_had_both(store: Store, three: list[Session]) -> None:
    kept = codebook.merge_themes(store, three[0], "Alpha", "Beta")
    # Beta now: notes one (had both: one tag only), two, four, five, seven; sessions 1, 2, 3.
    ranked = codebook.rank_for_consultation(store, three[0].consultation_id or "", include_unused=False)
    assert ranking(ranked)[0] == (1, "Beta", 3, 5)
    assert "Alpha" not in [r.name for r in ranked]
    first = discussion.notes(store, three[0].id)[0]
    assert first.theme_names == ("Beta",)
    live_tags = store.db.execute(
        "SELECT COUNT(*) FROM note_themes WHERE note_id = ? AND deleted_at IS NULL", [first.id]
    ).fetchone()[0]
    assert live_tags == 1
    # The old name still finds the theme it went into, and the merged row remembers where.
    assert codebook.theme(store, Codebook.of(three[0]), "alpha").id == kept.id
    merged = store.db.execute("SELECT merged_into FROM themes WHERE name = 'Alpha'").fetchone()[0]
    assert merged == kept.id


def test_a_tag_synced_in_after_a_merge_counts_for_the_theme_it_went_into(
    store: Store, three: list[Session]
) -> None:
    alpha = codebook.theme(store, Codebook.of(three[0]), "Alpha")
    codebook.merge_themes(store, three[0], "Alpha", "Gamma")
    late = discussion.add_note(store, three[2].id, "from another laptop")
    store.codebook.tag(late.id, alpha.id)  # as a bundle would bring it: a tag still pointing at Alpha
    assert discussion.note(store, late.id).theme_names == ("Gamma",)
    ranked = codebook.rank_for_consultation(store, three[0].consultation_id or "", include_unused=False)
    assert ranking(ranked)[0] == (1, "Gamma", 3, 6)


def test_merging_a_theme_into_itself_is_refused(store: Store, three: list[Session]) -> None:
    with pytest.raises(FacilitatorError, match="itself"):
        codebook.merge_themes(store, three[0], "Alpha", "alpha")


def test_a_name_is_created_afresh_after_the_old_theme_was_renamed(store: Store, session: Session) -> None:
    housing = codebook.add_theme(store, session, "Housing")
    assert codebook.add_theme(store, session, "  HOUSING ") == housing  # get, not create
    codebook.rename_theme(store, session, "Housing", "Homes")
    again = codebook.add_theme(store, session, "Housing")
    assert again.id != housing.id
    assert [t.name for t in codebook.themes(store, Codebook.of(session))] == ["Homes", "Housing"]


def test_theme_ids_are_derived_from_codebook_and_name(store: Store, session: Session) -> None:
    # Two laptops creating the same theme in the same consultation make the same row.
    first = codebook.add_theme(store, session, "Housing")
    book = Codebook.of(session)
    import uuid

    expected = uuid.uuid5(THEME_NAMESPACE, f"{book.key}\nhousing")
    assert first.id == str(expected)


def test_seeding_fills_an_unused_codebook_once(
    store: Store, session: Session, statement_set: StatementSet
) -> None:
    assert len(statement_set.themes) == 11
    assert codebook.seed_codebook(store, session, statement_set.themes) == 11
    names = [r.name for r in codebook.rank_for_session(store, session)]
    assert sorted(names) == sorted(statement_set.themes)
    codebook.rename_theme(store, session, "Heavy workloads", "Workloads")
    assert codebook.seed_codebook(store, session, statement_set.themes) == 0
    assert len(codebook.themes(store, Codebook.of(session))) == 11


def test_theme_names_are_checked(store: Store, session: Session) -> None:
    with pytest.raises(FacilitatorError, match="empty"):
        codebook.add_theme(store, session, "   ")
    with pytest.raises(FacilitatorError, match="too long"):
        codebook.add_theme(store, session, "x" * 201)
    assert codebook.themes(store, Codebook.of(session)) == []


def test_a_session_without_consultation_has_its_own_codebook(
    store: Store, statement_set: StatementSet
) -> None:
    alone = make_session(store, statement_set, "Pilot", consultation="")
    other = make_session(store, statement_set, "Other pilot", consultation="")
    discussion.add_note(store, alone.id, "said in the pilot", themes=["Housing"])
    assert [t.name for t in codebook.themes(store, Codebook.of(alone))] == ["Housing"]
    assert codebook.themes(store, Codebook.of(other)) == []


def test_joining_a_consultation_moves_the_tags_onto_its_codebook(
    store: Store, statement_set: StatementSet
) -> None:
    member = make_session(store, statement_set, "Group 1")
    discussion.add_note(store, member.id, "member note", themes=["Housing"])
    alone = make_session(store, statement_set, "Pilot", consultation="")
    discussion.add_note(store, alone.id, "pilot note", themes=["housing", "Money"])
    store.sessions.update(
        alone.id,
        SessionDetails(label="Pilot", cohort="adults", setting="community", consultation=CONSULTATION),
    )
    ranked = codebook.rank_for_consultation(store, member.consultation_id or "")
    assert ranking(ranked) == [(1, "Housing", 2, 2), (2, "Money", 1, 1)]
    assert discussion.notes(store, alone.id)[0].theme_names == ("Housing", "Money")
    assert codebook.align_codebook(store, store.sessions.get(alone.id)) == 0  # nothing left to move


def test_codebook_of_follows_the_session(session: Session) -> None:
    assert Codebook.of(session) == Codebook(session.consultation_id)
    alone = replace(session, consultation_id=None)
    assert Codebook.of(alone) == Codebook(None, session.id)


def test_a_report_across_codebooks_counts_themes_of_one_name_as_one(
    store: Store, statement_set: StatementSet
) -> None:
    first = make_session(store, statement_set, "Group 1", consultation="One")
    second = make_session(store, statement_set, "Group 2", consultation="Two")
    alone = make_session(store, statement_set, "Group 3", consultation="")
    discussion.add_note(store, first.id, "a", themes=["Listening", "Trust"])
    discussion.add_note(store, second.id, "b", themes=["listening "])
    discussion.add_note(store, alone.id, "c", themes=["Trust", "Workload"])
    discussion.add_note(store, alone.id, "d", themes=["Workload"])
    discussion.delete_note(store, discussion.add_note(store, alone.id, "gone", themes=["Listening"]).id)

    ranked = codebook.rank_across(store, [first.id, second.id, alone.id])

    assert ranking(ranked) == [
        (1, "Listening", 2, 2),
        (1, "Trust", 2, 2),
        (3, "Workload", 1, 2),
    ]
