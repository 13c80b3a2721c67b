"""The home screen: list, create, open, edit, close and delete sessions."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select

from facilitator.actions.data_folder import Workspace
from facilitator.actions.example import load_example
from facilitator.ui.app import make_app
from facilitator.ui.screens.confirm_delete import ConfirmDeleteScreen
from facilitator.ui.screens.home import HomeScreen
from facilitator.ui.screens.session_form import SessionFormScreen, known_consultations
from facilitator.ui.screens.wall import WallScreen
from facilitator.ui.widgets.key_bar import KeyBar

from .conftest import new_session, screen_text


async def test_home_lists_sessions_and_the_data_folder(workspace: Workspace) -> None:
    first = new_session(workspace, "Young offenders group", cohort="young offenders", setting="prison")
    workspace.store.postits.add(first, 1, "agree")
    new_session(workspace, "Adult [red]group[/] 2", date="2010-05-06")
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(100, 24)):
        shown = screen_text(app)
        assert "Data folder: data" in shown
        assert "Young offenders group" in shown and "young offenders" in shown and "prison" in shown
        assert "Adult [red]group[/] 2" in shown
        assert "2010-05-06" in shown and "open · not sent" in shown


async def test_create_a_session_from_the_form(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 30)) as pilot:
        assert "No sessions yet" in screen_text(app)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, SessionFormScreen)
        await pilot.press("enter")  # empty label: refused inline, nothing written
        assert "Give the session a label" in screen_text(app)
        assert workspace.store.sessions.all() == []
        await pilot.press(*"Adult focus group 1", "tab", *"adults", "tab", "space", "down", "enter")
        assert form.query_one("#setting", Select).value == "prison"
        date = form.query_one("#date", Input)
        date.value = "2010-02-30"
        await pilot.pause()
        assert "The date '2010-02-30' is not a real date" in screen_text(app)
        date.value = "2010-02-03"
        form.query_one("#male", Input).value = "5"
        form.query_one("#female", Input).value = "x"
        await pilot.pause()
        assert "Female: a whole number" in screen_text(app)
        assert form.query_one("#female", Input).has_class("-invalid")
        form.query_one("#female", Input).value = "2"
        form.query_one("#setting", Select).focus()
        await pilot.press("ctrl+s")  # the numbers are filled in: Ctrl+S saves from anywhere
        assert isinstance(app.screen, WallScreen)  # straight onto the new wall
        (session,) = workspace.store.sessions.all()
        assert (session.label, session.cohort, session.setting, session.date) == (
            "Adult focus group 1",
            "adults",
            "prison",
            "2010-02-03",
        )
        assert (session.participants, session.male, session.female) == (7, 5, 2)
        await pilot.press("h")
        assert isinstance(app.screen, HomeScreen)
        assert "Adult focus group 1" in screen_text(app)


async def test_edit_close_and_delete(workspace: Workspace, session_id: str) -> None:
    workspace.store.postits.add(session_id, 1, "agree")
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e")
        assert isinstance(app.screen, SessionFormScreen)
        app.screen.query_one("#location", Input).value = "Community hall"
        await pilot.press("ctrl+s")  # no numbers yet: the form goes to them, once
        assert app.screen.focused is app.screen.query_one("#participants", Input)
        await pilot.press("ctrl+s")
        assert workspace.store.sessions.get(session_id).location == "Community hall"
        await pilot.press("c", "n")  # closed; no receipt now
        assert workspace.store.sessions.get(session_id).is_closed
        assert isinstance(app.screen, HomeScreen) and "closed · not sent" in screen_text(app)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDeleteScreen)
        shown = screen_text(app)
        assert "type the label here" in shown and "type its label exactly:" in shown
        await pilot.press(*"Adult focus", "enter")  # not the whole label: refused, and said
        assert isinstance(app.screen, ConfirmDeleteScreen)
        assert "That is not the label: type it exactly to delete" in screen_text(app)
        assert workspace.store.sessions.all()
        await pilot.press(*" group 1", "enter")
        assert isinstance(app.screen, HomeScreen)
        assert workspace.store.sessions.all() == []
        assert "No sessions yet" in screen_text(app)


async def test_open_from_home_and_come_back(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, WallScreen)
        await pilot.press("1", "enter", "h")
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one(DataTable)
        assert table.get_row_at(0)[2].plain == "1"  # its post-it count went up
        await pilot.press("o")
        assert isinstance(app.screen, WallScreen)


async def test_the_key_bar_is_clickable(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test() as pilot:
        await pilot.click(KeyBar, offset=(1, 0))  # " n  new session"
        assert isinstance(app.screen, SessionFormScreen)


async def test_the_form_opens_at_its_top_with_the_label_focused(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SessionFormScreen)
        assert form.focused is form.query_one("#label", Input)
        shown = screen_text(app)
        assert "Statement set" in shown and "Does social work care?" in shown and "Label *" in shown
        await pilot.press(*"Group", "tab", *"adults", "enter")  # no setting: the form goes to it
        assert "Choose a setting: prison or community." in screen_text(app)
        assert form.focused is form.query_one("#setting", Select)
        assert workspace.store.sessions.all() == []


async def test_the_sessions_table_fits_80_columns(workspace: Workspace) -> None:
    new_session(workspace, "Young offenders focus group at the secure unit", cohort="young offenders")
    new_session(workspace, "Adult focus group 2", setting="prison")
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = screen_text(app)
        header = next(line for line in shown.splitlines() if "Date" in line)
        assert header.split() == ["Date", "Label", "Post-its", "Status", "Cohort"]  # no room for Setting
        # Cut, never wrapped, after 28 characters at least; ⚠: no participant numbers.
        assert "⚠ Young offenders focus gro…" in shown and "young …" in shown
        assert max(len(line.rstrip()) for line in shown.splitlines()) <= 80
        await pilot.resize_terminal(120, 24)
        await pilot.pause()
        shown = screen_text(app)
        assert "Setting" in shown and "community" in shown and "prison" in shown
        assert "Young offenders focus group at the secure unit" in shown and "young offenders" in shown


async def test_the_label_gets_the_room_at_80_and_at_60_columns(workspace: Workspace) -> None:
    from tests.five_sessions import build

    build(workspace.store)  # "Young offender focus group 4" and "… 5": 28 characters
    twenty = "Adult group at Leeds"
    new_session(workspace, twenty, cohort="young offenders", date="2010-04-01", participants=6)
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = screen_text(app)
        assert "Young offender focus group 4" in shown and "Young offender focus group 5" in shown
        assert max(len(line.rstrip()) for line in shown.splitlines()) <= 80
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        shown = screen_text(app)
        assert f"  {twenty}  " in shown  # whole
        header = next(line for line in shown.splitlines() if "Date" in line)
        assert header.split() == ["Date", "Label", "Post-its", "Status"]
        assert "01 Apr" in shown  # the date without its year
        assert max(len(line.rstrip()) for line in shown.splitlines()) <= 60


async def test_every_help_lists_the_blank_key(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.press("question_mark")
        assert "Ctrl+L" in screen_text(app) and "even while typing" in screen_text(app)


async def test_a_new_session_joins_the_consultation_of_the_last_one_created(workspace: Workspace) -> None:
    practice = new_session(workspace, "Practice group", consultation="Practice 2026", date="2026-05-01")
    new_session(workspace, "Youth group", consultation="Youth services 2026", date="2010-01-01")
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, SessionFormScreen)
        consultation = form.query_one("#consultation", Input)
        assert consultation.value == "Youth services 2026"  # created last, though it took place first
        await pilot.press(*"Group C", "enter", *"adults", "enter")
        setting = form.query_one("#setting", Select)
        assert form.focused is setting and "Space or Enter to choose" in screen_text(app)
        await pilot.press("enter")  # nothing chosen yet: Enter opens the list
        assert setting.expanded
        await pilot.press("down", "enter")
        assert setting.value == "prison" and not setting.expanded
        await pilot.press("enter")  # chosen: Enter goes on to the next empty box
        assert form.focused is form.query_one("#participants", Input)
        consultation.focus()
        await pilot.pause()
        # The default is selected whole: typing replaces it; known consultations are suggested, any case.
        await pilot.press(*"prac", "right")
        assert consultation.value == "Practice 2026"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, WallScreen)
    (made,) = [s for s in workspace.store.sessions.all() if s.label == "Group C"]
    assert made.consultation_id == workspace.store.sessions.get(practice).consultation_id


async def test_editing_keeps_the_sessions_own_consultation_and_the_cursor_goes_to_the_end(
    workspace: Workspace,
) -> None:
    practice = new_session(workspace, "Practice group", consultation="Practice 2026")
    new_session(workspace, "Youth group", consultation="Youth services 2026")
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(SessionFormScreen(workspace, practice, blink=False))
        await pilot.pause()
        form = app.screen
        assert form.query_one("#consultation", Input).value == "Practice 2026"
        await pilot.press(*" two")  # into the label: added to it, not replacing it
        assert form.query_one("#label", Input).value == "Practice group two"
        await pilot.press("ctrl+s", "ctrl+s")  # the numbers are offered first, then it saves
    assert workspace.store.sessions.get(practice).label == "Practice group two"


def test_the_example_consultation_is_never_offered_for_a_new_session(workspace: Workspace) -> None:
    new_session(workspace, "Our group", consultation="Our consultation 2026")
    load_example(workspace)
    sessions = workspace.store.sessions.all()
    assert any(s.example for s in sessions)
    assert known_consultations(sessions) == ("Our consultation 2026", ["Our consultation 2026"])
