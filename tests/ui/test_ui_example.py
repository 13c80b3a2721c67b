"""The sessions screen offers the example on an empty folder, and removes it with one key."""

from __future__ import annotations

from collections.abc import Callable

from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import make_app
from facilitator.ui.screens.confirm import ConfirmScreen
from facilitator.ui.screens.home import HomeScreen

from .conftest import new_session, screen_text


async def test_l_loads_the_example_into_an_empty_folder_and_marks_it(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "l to load an example consultation" in " ".join(screen_text(app).split())
        await pilot.press("l")
        sessions = workspace.store.sessions.all()
        assert len(sessions) == 5 and all(s.example for s in sessions)
        assert len(workspace.store.postits.of(sessions[0].id)) == 40
        shown = screen_text(app)
        assert shown.count("EXAMPLE") >= 5 and "never sent: u removes them all." in shown
        assert "load an example" not in shown
        await pilot.press("l")  # offered only while the folder is empty: nothing more is loaded
        assert len(workspace.store.sessions.all()) == 5


async def test_u_removes_every_example_session_after_asking_and_keeps_real_ones(workspace: Workspace) -> None:
    from facilitator.actions.example import load_example

    real = new_session(workspace, "Our own group")
    load_example(workspace)
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # no: nothing removed
        assert len(workspace.store.sessions.all()) == 6
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert [s.id for s in workspace.store.sessions.all()] == [real]
        assert (
            workspace.store.db.execute("SELECT count(*) FROM postits WHERE deleted_at IS NULL").fetchone()[0]
            == 0
        )
        assert "EXAMPLE" not in screen_text(app)


async def test_l_does_nothing_once_a_folder_has_sessions(workspace: Workspace) -> None:
    new_session(workspace, "Our own group")
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "example" not in screen_text(app).lower()
        await pilot.press("l")
        assert len(workspace.store.sessions.all()) == 1


async def test_the_wall_charts_discussion_and_export_screens_say_example(workspace: Workspace) -> None:
    from facilitator.actions.example import load_example

    load_example(workspace)
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        marked = {}
        for key in ("enter", "g", "t", "x"):
            await pilot.press(key)
            await pilot.pause()
            marked[key] = "EXAMPLE" in screen_text(app)
            await pilot.press("escape" if key != "enter" else "h")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen), key
        assert marked == {"enter": True, "g": True, "t": True, "x": True}


def test_look_of_the_empty_sessions_screen_offering_the_example(
    snap_compare: Callable[..., bool], workspace: Workspace
) -> None:
    assert snap_compare(make_app(workspace, blink=False), terminal_size=(80, 24))


def test_look_of_the_sessions_screen_with_the_example(
    snap_compare: Callable[..., bool], workspace: Workspace
) -> None:
    from facilitator.actions.example import load_example

    load_example(workspace)
    assert snap_compare(make_app(workspace, blink=False), terminal_size=(80, 24))


def test_look_of_the_new_session_form_of_an_empty_folder(
    snap_compare: Callable[..., bool], workspace: Workspace
) -> None:
    assert snap_compare(make_app(workspace, blink=False), terminal_size=(80, 24), press=["n"])


async def test_the_new_session_form_of_an_empty_folder_points_to_the_example(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")  # a newcomer's first key: the form covers the sessions screen's offer
        offer = "Just looking? Esc, then l loads an example to practise on."
        assert offer in screen_text(app)
        await pilot.press("escape", "l")  # and the words are true
        assert len(workspace.store.sessions.all()) == 5
        await pilot.press("n")
        assert "Just looking?" not in screen_text(app)  # the folder has sessions now


async def test_open_on_an_empty_folder_names_both_ways_to_start(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        (notice,) = app._notifications
        assert (
            notice.message
            == "No sessions yet: press n to create one, or l to load an example to practise on."
        )
