"""Notices (Textual's toasts) sit where they cover no list and no box with the focus, and go soon."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import WARNING_SECONDS, FacilitatorApp, make_app
from facilitator.ui.screens.discussion import DiscussionScreen
from facilitator.ui.screens.themes import ThemesScreen

from .conftest import new_session, screen_text

NOTICES = ["Theme renamed.", "Saved: exports and the office will get the changed name.", "Removed."]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20")]


async def with_notices(app: Any, pilot: Pilot[Any]) -> tuple[list[str], list[str]]:
    """The screen's lines before and after the notices are shown (and that they are shown)."""
    before = screen_text(app).splitlines()
    for notice in NOTICES:
        app.notify(notice)
    await pilot.pause(0.3)
    after = screen_text(app).splitlines()
    assert "Theme renamed." in screen_text(app)
    return before, after


@pytest.mark.parametrize("size", SIZES)
async def test_notices_leave_the_themes_list_and_the_note_box_in_view(
    workspace: Workspace, size: tuple[int, int]
) -> None:
    session_id = new_session(workspace)
    app = make_app(workspace, blink=False)
    async with app.run_test(size=size, notifications=True) as pilot:
        themes = ThemesScreen(workspace, session_id)
        await app.push_screen(themes)
        await pilot.pause()
        before, after = await with_notices(app, pilot)
        header = next(i for i, line in enumerate(before) if "Rank" in line)
        assert after[header:] == before[header:]  # the whole list, its last rows too

        discussion = DiscussionScreen(workspace, session_id, blink=False)
        await app.push_screen(discussion)
        await pilot.pause()
        before, after = await with_notices(app, pilot)
        box = next(i for i, line in enumerate(before) if "what was said" in line)
        assert after[: box + 2] == before[: box + 2]  # the title and the note box
        notes = discussion.query_one("#notes").region
        assert [line[: notes.right] for line in after] == [line[: notes.right] for line in before]


def test_notices_go_after_three_seconds_and_problems_stay_longer() -> None:
    assert FacilitatorApp.NOTIFICATION_TIMEOUT == 3
    assert WARNING_SECONDS > FacilitatorApp.NOTIFICATION_TIMEOUT
