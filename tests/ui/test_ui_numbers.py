"""Numbers that add up: the form asks for them, the roster and the sessions screen say when
they are missing or differ, and the summary keeps the numbers typed for the session."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from facilitator.actions.data_folder import Workspace
from facilitator.discussion import roster
from facilitator.ui.app import make_app
from facilitator.ui.screens.roster import numbers_note
from facilitator.ui.screens.session_form import SessionFormScreen
from facilitator.ui.screens.wall import WallScreen

from .conftest import new_session, screen_text
from .test_ui_wall_line import burst

SnapCompare = Callable[..., bool]


async def new_session_form(app: Any, pilot: Pilot[Any]) -> SessionFormScreen:
    """The new-session form, opened from the sessions screen with n."""
    await pilot.press("n")
    form = app.screen
    assert isinstance(form, SessionFormScreen)
    return form


async def test_enter_walks_through_the_numbers_before_the_form_saves(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await new_session_form(app, pilot)
        await pilot.press(*"Group A", "enter", *"adults", "enter")  # typed straight on: no wait
        assert form.query_one("#cohort", Input).value == "adults"
        assert form.focused is form.query_one("#setting", Select)
        await pilot.press("space", "down", "enter", "enter")
        # The required fields are valid, yet Enter goes on to the numbers, on screen, and says why.
        assert form.focused is form.query_one("#participants", Input)
        assert "How many took part" in screen_text(app) and "Participants" in screen_text(app)
        assert workspace.store.sessions.all() == []
        await pilot.press("enter", "enter")  # numbers are optional: Enter walks past them
        assert form.focused is form.query_one("#female", Input)
        assert workspace.store.sessions.all() == []
        await pilot.press("enter", "enter", "enter")  # consultation, location, initials
        assert form.focused is form.query_one("#facilitators", Input)
        assert workspace.store.sessions.all() == []
        await pilot.press("enter")  # the last box: saved, without numbers
        assert isinstance(app.screen, WallScreen)
        (session,) = workspace.store.sessions.all()
        assert (session.label, session.setting, session.participants) == ("Group A", "prison", None)


async def test_ctrl_s_asks_for_the_numbers_once_before_saving(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await new_session_form(app, pilot)
        await pilot.press(*"Group B", "tab", *"adults", "tab", "space", "down", "enter", "ctrl+s")
        assert workspace.store.sessions.all() == []  # not yet: the numbers were never offered
        assert form.focused is form.query_one("#participants", Input)
        assert "How many took part? Type the numbers, or leave them empty" in screen_text(app)
        await pilot.press(*"10", "enter", "8", "enter", "2", "ctrl+s")
        (session,) = workspace.store.sessions.all()
        assert (session.participants, session.male, session.female) == (10, 8, 2)


async def test_the_roster_says_when_it_differs_from_the_sessions_numbers(workspace: Workspace) -> None:
    session_id = new_session(workspace, participants=10, male=8, female=2)
    for code, gender in (("P1", "male"), ("P2", "male"), ("P3", "male")):
        roster.add_participant(workspace.store, session_id, code, gender)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t", "ctrl+r", "a", "f", "ctrl+s")
        assert len(roster.participants(workspace.store, session_id)) == 4
        shown = " ".join(screen_text(app).split())
        assert "the session says 10 took part (8 male, 2 female); 4 are on this roster." in shown
        assert "Fine if the roster lists only those who spoke" in shown
    # When the roster lists everyone the session counted, there is nothing to say.
    assert numbers_note(
        workspace.store.sessions.get(session_id), roster.participants(workspace.store, session_id)
    )
    everyone = new_session(workspace, "Group 2", participants=1, female=1)
    roster.add_participant(workspace.store, everyone, "P1", "female")
    assert (
        numbers_note(workspace.store.sessions.get(everyone), roster.participants(workspace.store, everyone))
        == ""
    )


async def test_a_partial_roster_leaves_the_sessions_numbers_in_the_summary(workspace: Workspace) -> None:
    session_id = new_session(workspace, participants=10, male=8, female=2)
    for code in ("P1", "P2"):
        roster.add_participant(workspace.store, session_id, code, "male")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        # Two more speakers coded on the roster, as a facilitator does during the discussion.
        await pilot.press("t", "ctrl+r", "a", "m", "ctrl+s", "a", "f", "ctrl+s", "escape", "escape")
        assert isinstance(app.screen, WallScreen)
        await pilot.press("x", "h")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert len(roster.participants(workspace.store, session_id)) == 4
    (page,) = Path("data", "exports").glob("*.html")
    text = " ".join(html.unescape(page.read_text("utf-8")).split())
    assert "10 took part: 8 male, 2 female; 4 are on the speakers' roster." in text
    assert "4 took part" not in text


def test_roster_with_the_numbers_note(snap_compare: SnapCompare, workspace: Workspace) -> None:
    session_id = new_session(workspace, participants=10, male=8, female=2)
    roster.add_participant(workspace.store, session_id, "P1", "male", consent=True)
    roster.add_participant(workspace.store, session_id, "P2", "female", consent=True)
    app = make_app(workspace, session_id, blink=False)
    assert snap_compare(app, terminal_size=(80, 24), press=["t", "ctrl+r"])


async def test_the_sessions_screen_flags_a_session_without_numbers(workspace: Workspace) -> None:
    counted = new_session(workspace, "Counted group", participants=6, male=6, female=0)
    uncounted = new_session(workspace, "Uncounted group", date="2010-03-05")
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = screen_text(app)
        assert "⚠ Uncounted group" in shown and "⚠ Counted group" not in shown
        assert "⚠ marks a session with no participant numbers: press e on it to add them." in shown
        rows: DataTable[Text] = app.screen.query_one("#sessions", DataTable)
        assert rows.get_row(uncounted)[1].plain == "⚠ Uncounted group"
        assert rows.get_row(counted)[1].plain == "Counted group"
        # Adding the numbers takes the flag away.
        rows.move_cursor(row=rows.get_row_index(uncounted))
        await pilot.press("e", "ctrl+s", *"9", "ctrl+s")
        assert workspace.store.sessions.get(uncounted).participants == 9
        await pilot.pause()
        shown = screen_text(app)
        assert "⚠" not in shown and "no participant numbers" not in shown


async def test_the_forms_buttons_name_the_keys_that_do_what_they_do(workspace: Workspace) -> None:
    from textual.widgets import Button

    from facilitator.ui import keys

    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await new_session_form(app, pilot)
        by_key = {keys.key_name(b.key): b.action for b in keys.class_bindings(SessionFormScreen)}
        for button in form.query(Button):
            key = str(button.label).split("(")[1].rstrip(")")
            assert by_key.get(key) == button.id, (str(button.label), by_key)
        await pilot.press("f1")  # the help says the same of Enter and Ctrl+S
        shown = screen_text(app)
        assert "Enter           Go to the next empty box; from the last one, save." in shown
        assert "Ctrl+S          Save the session." in shown


async def test_a_number_box_holding_something_else_than_a_number_says_so(workspace: Workspace) -> None:
    # A superscript two is a digit to Python but no number; nor are five thousand nines.
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await new_session_form(app, pilot)
        await pilot.press(*"Group C", "tab", *"adults", "tab", "space", "down", "enter", "ctrl+s")
        for typed in ("²", "9" * 5000):
            form.query_one("#participants", Input).value = typed
            await pilot.press("ctrl+s")
            assert app.screen is form and workspace.store.sessions.all() == []
            assert "Participants: a whole number from 0 to 10000, or nothing." in screen_text(app)


async def test_a_burst_of_typing_with_enter_lands_each_word_in_its_own_box(workspace: Workspace) -> None:
    # As a terminal sends a fast typist's keys (or a paste): all at once, none waiting for the screen.
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await new_session_form(app, pilot)
        await burst(pilot, [*"Group A", "enter", *"adults", "enter"])
        assert form.query_one("#label", Input).value == "Group A"
        assert form.query_one("#cohort", Input).value == "adults"
        assert app.focused is not None and app.focused.id == "setting"
