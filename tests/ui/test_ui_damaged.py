"""The app starts with a damaged row in the database: the good sessions show, the bad one is named."""

from __future__ import annotations

from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import make_app
from tests.folders import connect_to

from .conftest import new_session, screen_text


async def test_the_app_starts_and_names_a_damaged_session(workspace: Workspace) -> None:
    good = new_session(workspace, "Good group")
    workspace.store.postits.add(good, 1, "agree")
    bad = new_session(workspace, "Damaged group", date="2010-05-06")
    connection = connect_to(workspace.data_dir)
    with connection:
        connection.execute("UPDATE sessions SET statements = '[{' WHERE id = ?", [bad])
    connection.close()
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "Good group" in shown and "Damaged group" not in shown
        messages = [str(n.message) for n in app._notifications]
        assert messages == [f"session {bad[:8]} is damaged (its statements are not JSON): left out"]
        assert app.screen.query_one("#sessions").row_count == 1  # type: ignore[attr-defined]
