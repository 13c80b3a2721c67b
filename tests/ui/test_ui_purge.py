"""Purging from the sessions screen: p, a question naming the session, and a stub in the list."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot

from facilitator.actions.data_folder import Workspace
from facilitator.sync.status import LOCAL, PURGED, session_statuses
from facilitator.ui.app import make_app
from facilitator.ui.screens.confirm import ConfirmScreen
from facilitator.ui.screens.home import HomeScreen
from tests.sync_helpers import confirm

from .conftest import new_session, screen_text

SnapCompare = Callable[..., bool]
CONFIRMED_AT = "2010-03-05T16:00:00.000000Z"


def messages(app: App[None]) -> list[str]:
    """The notifications the app has shown."""
    return [str(notification.message) for notification in app._notifications]


def two_sessions(ws: Workspace) -> tuple[str, str]:
    """The first session (in date order) confirmed by the office, the second not."""
    sent = new_session(ws, "Adult focus group 1", date="2010-03-01")
    kept = new_session(ws, "Adult focus group 2", date="2010-03-04")
    for session_id, word in ((sent, "Kestrel"), (kept, "Osprey")):
        ws.store.postits.add(session_id, 1, "agree", f"{word} said so")
        ws.store.postits.add(session_id, 2, "disagree", "")
    confirm(ws.store, sent, CONFIRMED_AT)
    return sent, kept


async def test_p_purges_a_confirmed_session_after_the_question(workspace: Workspace) -> None:
    sent, kept = two_sessions(workspace)
    store = workspace.store
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, ConfirmScreen)
        shown = screen_text(app)
        assert "Purge Adult focus group 1 (2010-03-01) from this laptop?" in shown
        assert "The office keeps its copy" in shown
        await pilot.press("n")  # no: nothing changes
        assert isinstance(app.screen, HomeScreen)
        assert len(store.postits.of(sent)) == 2

        await pilot.press("p", "y")
        await pilot.pause()
        assert store.postits.of(sent) == []
        assert session_statuses(store)[sent].status == PURGED
        assert "✓ at office since 5 Mar" in screen_text(app)

        await pilot.press("enter")  # a purged session opens no empty wall
        assert isinstance(app.screen, HomeScreen)
        assert "is at the office since 5 Mar 2010: 2 post-its, 0 notes" in messages(app)[-1]

        await pilot.press("down", "p")  # not confirmed: the key says why, and asks nothing
        assert isinstance(app.screen, HomeScreen)
        assert "cannot be purged: the office has not confirmed it" in messages(app)[-1]
        assert len(store.postits.of(kept)) == 2
        assert session_statuses(store)[kept].status == LOCAL


async def test_the_automatic_purge_runs_when_the_app_starts(workspace: Workspace) -> None:
    from facilitator.actions.purge import set_auto_purge

    sent, kept = two_sessions(workspace)
    set_auto_purge(workspace.store, 30)  # confirmed in 2010: long past
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)):
        statuses = session_statuses(workspace.store)
        assert (statuses[sent].status, statuses[kept].status) == (PURGED, LOCAL)
        assert messages(app) == [
            "Purged 1 session the office confirmed from this laptop: Adult focus group 1. "
            "The office keeps its copy."
        ]


def test_a_purged_session_in_the_list(snap_compare: SnapCompare, still_workspace: Workspace) -> None:
    from facilitator.actions.purge import purge

    sent, _kept = two_sessions(still_workspace)
    purge(still_workspace.store, [sent])
    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(80, 24))


def test_the_purge_question(snap_compare: SnapCompare, still_workspace: Workspace) -> None:
    two_sessions(still_workspace)

    async def ask(pilot: Pilot[None]) -> None:
        await pilot.press("p")

    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(80, 24), run_before=ask)
