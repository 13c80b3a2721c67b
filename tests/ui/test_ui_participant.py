"""Participant mode: people place their own post-it and never see anyone else's."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.app import App
from textual.binding import Binding

from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import make_app
from facilitator.ui.screens.participant import ParticipantScreen
from facilitator.ui.screens.wall import WallScreen

from .conftest import screen_text


async def test_participants_add_postits_and_only_the_sequence_leaves(
    workspace: Workspace, session_id: str
) -> None:
    workspace.store.postits.add(session_id, 1, "agree", "earlier answer")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        assert "Ctrl+O, then type e n d" in screen_text(app)  # told to the facilitator first
        await pilot.press("enter")
        assert isinstance(app.screen, ParticipantScreen)
        shown = screen_text(app)
        assert "I expect my social worker to listen to me" in shown
        assert "earlier answer" not in shown and "Ctrl+O" not in shown
        # By key: 4, a comment, Enter.
        await pilot.press("4", *"not me", "enter")
        assert "Thank you" in screen_text(app)
        await pilot.press("space")
        assert "not me" not in screen_text(app) and "Thank you" not in screen_text(app)
        # By mouse: the big button for "Strongly agree", then Done with no comment.
        await pilot.click("#choice-strongly_agree")
        await pilot.click("#done")
        assert "Thank you" in screen_text(app)
        await pilot.press("escape")
        # Quitting, the palette and the wall's keys are all out of reach.
        await pilot.press("ctrl+q", "ctrl+p", "h", "b")
        assert isinstance(app.screen, ParticipantScreen)
        assert app.is_running
        await pilot.press("ctrl+o", "e", "x")  # a wrong sequence does nothing
        assert isinstance(app.screen, ParticipantScreen)
        await pilot.press("ctrl+o", "e", "n", "d")
        assert isinstance(app.screen, WallScreen)
        await pilot.pause()
        placed = [(p.response_key, p.comment) for p in workspace.store.postits.of(session_id)]
        assert placed == [("agree", "earlier answer"), ("disagree", "not me"), ("strongly_agree", "")]
        assert "1: 3" in screen_text(app)  # the strip counts all three


async def test_changing_the_answer_saves_nothing(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("v", "enter", "2", *"oops", "escape")
        assert "oops" not in screen_text(app)
        assert workspace.store.postits.of(session_id) == []
        await pilot.press("3", "enter")
        assert [p.response_key for p in workspace.store.postits.of(session_id)] == ["neutral"]


async def test_the_blank_keeps_participant_mode_locked(workspace: Workspace, session_id: str) -> None:
    from facilitator.ui.screens.blank import BlankScreen

    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("v", "enter", "2", *"my words", "ctrl+l")
        assert isinstance(app.screen, BlankScreen)
        assert not screen_text(app).strip()
        await pilot.press("h")  # any key: back to the participant, never to the wall
        assert isinstance(app.screen, ParticipantScreen)
        assert "my words" in screen_text(app)
        await pilot.press("ctrl+l", "ctrl+q")  # nor does quitting from the blank work
        assert isinstance(app.screen, ParticipantScreen) and app.is_running
        await pilot.press("enter")
        assert [p.comment for p in workspace.store.postits.of(session_id)] == ["my words"]


async def test_participant_mode_runs_across_statements_until_the_facilitator_leaves(
    workspace: Workspace, session_id: str
) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        assert "Next statement: press Ctrl+O, then n" in screen_text(app)  # the facilitator's hint
        await pilot.press("enter", "4", *"first", "enter")
        screen = app.screen
        assert isinstance(screen, ParticipantScreen)
        await pilot.press("ctrl+o", "n")  # from the thank-you: the room moves on
        assert screen is app.screen and screen.number == 2
        shown = screen_text(app)
        assert "I expect my social worker to tell me what to do" in shown and "statement 2 of 4" in shown
        assert "Thank you" not in shown and "first" not in shown and "Ctrl+O" not in shown
        await pilot.press("2", *"second", "enter", "space")
        await pilot.press("1", *"never saved")  # chosen, not done: the next statement drops it
        await pilot.press("ctrl+o", "n", "ctrl+o", "n")
        assert screen.number == 4 and "never saved" not in screen_text(app)
        await pilot.press("ctrl+o", "n")  # at the last: it says so, and stays
        assert screen.number == 4 and "This is the last statement." in screen_text(app)
        await pilot.press("5", "enter")
        await pilot.press("ctrl+q", "h")  # participants still cannot leave
        assert app.screen is screen
        await pilot.press("ctrl+o", "e", "n", "d")
        assert isinstance(app.screen, WallScreen)
        await pilot.pause()
        assert app.screen.number == 4  # the wall shows where participant mode ended
        placed = [
            (p.statement_number, p.response_key, p.comment) for p in workspace.store.postits.of(session_id)
        ]
        assert placed == [(1, "disagree", "first"), (2, "agree", "second"), (4, "strongly_disagree", "")]


def test_the_walls_help_gives_the_facilitator_both_sequences() -> None:
    (tooltip,) = [
        b.tooltip for b in WallScreen.BINDINGS if isinstance(b, Binding) and b.id == "wall.participant"
    ]
    assert "Ctrl+O, then type e n d" in tooltip and "Ctrl+O, then n: the next statement" in tooltip


def composed_text(app: App[object]) -> str:
    """The screen as a person sees it, with whatever shows through from the screens under it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_the_start_screen_hides_the_walls_answers(
    workspace: Workspace, session_id: str, size: tuple[int, int]
) -> None:
    for category in ("strongly_agree", "agree", "strongly_disagree"):
        workspace.store.postits.add(session_id, 1, category, "waited months")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=size) as pilot:
        assert "months" in composed_text(app)  # on the wall, before
        await pilot.press("v")
        shown = composed_text(app)
        assert "Participant mode" in shown
        assert "months" not in shown and "post-it" not in shown and "social worker" not in shown
        # Around the dialog, nothing at all: not a fragment of a card or of the statement.
        assert all(not (line[:4] + line[-4:]).strip() for line in shown.splitlines())
