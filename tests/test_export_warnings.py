"""The one check of what an export would carry: identifying details left after the pseudonym map.

The app asks about them before it writes, and the command line warns after it
wrote; both call `actions.exports.identifying_details`.
"""

from __future__ import annotations

from facilitator.actions import exports
from facilitator.core.statements import StatementSet
from facilitator.discussion import notes
from facilitator.discussion.anonymity import set_pseudonym
from facilitator.store import Session, SessionDetails, Store
from tests.conftest import Cli

PRISON_NUMBER = "A1234BC"
PHONE = "07700 900123"


def identifying(store: Store, session: Session) -> None:
    store.postits.add(session.id, 2, "agree", f"my number was {PRISON_NUMBER}")
    store.postits.add(session.id, 1, "disagree", "my worker never listened")
    notes.add_note(store, session.id, "Darren said his worker never came")


def sentences(store: Store, sessions: list[Session], **options: bool) -> list[str]:
    return [f.sentence() for f in exports.identifying_details(store, sessions, **options)]


def test_the_app_is_told_of_numbers_and_likely_names_in_plain_words(store: Store, session: Session) -> None:
    identifying(store, session)

    assert sentences(store, [session], names=True) == [
        f"Prison number {PRISON_NUMBER} in a comment on statement 2",
        "Likely name 'Darren' in a note",
    ]


def test_the_command_line_leaves_likely_names_out_unless_asked(store: Store, session: Session) -> None:
    identifying(store, session)

    assert [(f.kind, f.excerpt) for f in exports.identifying_details(store, [session])] == [
        ("prison_number", PRISON_NUMBER)
    ]


def test_a_name_in_the_map_is_no_longer_found_nor_is_the_name_that_replaces_it(
    store: Store, session: Session
) -> None:
    identifying(store, session)
    set_pseudonym(store, session.id, "Darren", "Dave")

    assert sentences(store, [session], names=True) == [
        f"Prison number {PRISON_NUMBER} in a comment on statement 2"
    ]


def test_only_what_the_export_holds_is_checked(store: Store, session: Session) -> None:
    identifying(store, session)

    assert sentences(store, [session], names=True, notes=False) == [
        f"Prison number {PRISON_NUMBER} in a comment on statement 2"
    ]
    assert sentences(store, [session], names=True, postits=False) == ["Likely name 'Darren' in a note"]


def test_a_clean_session_carries_nothing(store: Store, session: Session) -> None:
    store.postits.add(session.id, 1, "agree", "She listened to me")
    notes.add_note(store, session.id, "They never came back")

    assert exports.identifying_details(store, [session], names=True) == []


def test_where_it_is_says_the_speaker_and_with_several_sessions_which_session(
    store: Store, session: Session, statement_set: StatementSet
) -> None:
    other = store.sessions.create(
        statement_set, SessionDetails(label="Adult focus group 2", cohort="adults", setting="prison")
    )
    notes.add_note(store, other.id, f"ring me on {PHONE}", kind="quote", speaker="P1")
    store.postits.add(session.id, 3, "agree", "born 1/3/1990", participant="P2")

    found = exports.identifying_details(store, [session, other])

    assert [f.sentence(with_session=True) for f in found] == [
        "Date 1/3/1990 in a comment on statement 3 (P2) (Adult focus group 1)",
        f"Phone number {PHONE} in a quote (P1) (Adult focus group 2)",
    ]


def test_the_export_and_the_privacy_command_warn_through_the_same_check(
    cli: Cli, store: Store, session: Session
) -> None:
    identifying(store, session)
    exported = exports.export_session(store, session, "json", "-")
    assert exported.findings == exports.identifying_details(store, [session])

    listed = cli("privacy", session.id, "--names")

    assert listed.exit_code == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()[1:]]
    expected = exports.identifying_details(store, [session], names=True)
    assert [(r[0], r[1], r[2]) for r in rows] == [(f.location, f.kind, f.excerpt) for f in expected]
