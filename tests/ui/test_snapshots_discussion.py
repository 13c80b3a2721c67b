"""How the discussion screen and the themes view look at 80×24, with fixed data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from facilitator.actions.data_folder import Workspace
from facilitator.core.statements import StatementSet
from facilitator.discussion import anonymity, codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.ui.app import make_app

from .conftest import SET_ID, new_session

SnapCompare = Callable[..., bool]


def discussion_data(workspace: Workspace) -> str:
    """Two sessions of one consultation, a roster, and notes tagged with the report's themes."""
    store = workspace.store
    statement_set: StatementSet = workspace.catalogue().get(SET_ID)
    first = new_session(workspace, consultation="Does social work care? 2010")
    second = new_session(workspace, "Adult focus group 2", consultation="Does social work care? 2010")
    codebook.seed_codebook(store, store.sessions.get(first), statement_set.themes)
    for code, gender in (("P1", "male"), ("P2", "female"), ("P3", "male"), ("P4", "male")):
        roster.add_participant(store, first, code, gender, consent=True)
    listen, changes, trust = statement_set.themes[0], statement_set.themes[1], statement_set.themes[10]
    discussion.add_note(store, second, "Nobody explains anything", themes=[listen])
    discussion.add_note(store, first, "They never listened to us", speaker="P1", themes=[listen, trust])
    discussion.add_note(
        store, first, "I had six social workers in two years", kind="quote", speaker="P2", themes=[changes]
    )
    discussion.add_note(store, first, "Moved nine times; school every year", kind="case_study", speaker="P3")
    discussion.add_note(store, first, "[b]not markup[/b] <i>nor html</i>", themes=[trust])
    return first


def test_discussion_screen(workspace: Workspace, snap_compare: SnapCompare) -> None:
    session_id = discussion_data(workspace)

    async def typing(pilot: Pilot[Any]) -> None:
        await pilot.press("t")
        pilot.app.screen.query_one("#note", Input).value = "P4: we met Kim in the office #trus"
        await pilot.pause()

    assert snap_compare(
        make_app(workspace, session_id, blink=False), terminal_size=(80, 24), run_before=typing
    )


def test_themes_view(workspace: Workspace, snap_compare: SnapCompare) -> None:
    session_id = discussion_data(workspace)
    assert snap_compare(
        make_app(workspace, session_id, blink=False), terminal_size=(80, 24), press=["t", "ctrl+g"]
    )


def roster_of_three(workspace: Workspace) -> str:
    """A session with three participants who differ in every column."""
    store = workspace.store
    session_id = new_session(workspace, consultation="Does social work care? 2010")
    roster.add_participant(
        store, session_id, "P1", "male", age_band="25+", consent=True, wants_interview=True
    )
    roster.add_participant(store, session_id, "P2", "female", age_band="18-24", consent=True)
    roster.add_participant(store, session_id, "P3", "not_given", cohort="young offenders")
    return session_id


def test_roster(workspace: Workspace, snap_compare: SnapCompare) -> None:
    session_id = roster_of_three(workspace)
    assert snap_compare(
        make_app(workspace, session_id, blink=False), terminal_size=(80, 24), press=["t", "ctrl+r", "2"]
    )


def test_participant_form(workspace: Workspace, snap_compare: SnapCompare) -> None:
    session_id = roster_of_three(workspace)
    assert snap_compare(
        make_app(workspace, session_id, blink=False),
        terminal_size=(80, 24),
        press=["t", "ctrl+r", "a", "f"],
    )


def test_pseudonym_map(workspace: Workspace, snap_compare: SnapCompare) -> None:
    session_id = roster_of_three(workspace)
    anonymity.set_pseudonym(workspace.store, session_id, "Darren", "Dave")
    anonymity.set_pseudonym(workspace.store, session_id, "Kimberley", "Kim")
    assert snap_compare(
        make_app(workspace, session_id, blink=False), terminal_size=(80, 24), press=["t", "ctrl+n"]
    )


def test_theme_notes(workspace: Workspace, snap_compare: SnapCompare) -> None:
    session_id = discussion_data(workspace)
    assert snap_compare(
        make_app(workspace, session_id, blink=False), terminal_size=(80, 24), press=["t", "ctrl+g", "enter"]
    )
