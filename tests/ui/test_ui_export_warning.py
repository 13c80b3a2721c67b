"""Before the app writes an export, it says which identifying details the export would carry.

A comment holds a prison number and a note names Darren: exporting the summary
lists both and writes nothing until the facilitator chooses. m opens the
pseudonym map and checks again when it closes, w writes anyway, Esc writes
nothing. A session with nothing identifying is written at once, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from facilitator.actions.data_folder import Workspace
from facilitator.discussion import notes
from facilitator.discussion.anonymity import pseudonyms
from facilitator.ui.app import FacilitatorApp, make_app
from facilitator.ui.screens.export_summary import ExportSummaryScreen
from facilitator.ui.screens.export_warning import ExportWarningScreen
from facilitator.ui.screens.pseudonyms import PseudonymScreen
from facilitator.ui.screens.wall import WallScreen

from .conftest import new_session, screen_text

SnapCompare = Callable[..., bool]
EXPORTS = Path("data", "exports")
PAGE = EXPORTS / "adult-focus-group-1-2010-03-04.html"
PRISON_NUMBER_LINE = "Prison number A1234BC in a comment on statement 2"
NAME_LINE = "Likely name 'Darren' in a note"


def identifying_session(ws: Workspace, *, number: bool = True) -> str:
    session_id = new_session(ws)
    if number:
        ws.store.postits.add(session_id, 2, "agree", "my number was A1234BC")
    ws.store.postits.add(session_id, 1, "disagree", "my worker never listened")
    notes.add_note(ws.store, session_id, "Darren said his worker never came")
    return session_id


async def settle(app: FacilitatorApp, pilot: Pilot[None], *keys: str) -> None:
    """Press the keys, then let every check or write in a thread finish."""
    await pilot.press(*keys)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def messages(app: FacilitatorApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_the_export_lists_the_number_and_the_name_and_esc_writes_nothing(workspace: Workspace) -> None:
    session_id = identifying_session(workspace)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "h")
        assert isinstance(app.screen, ExportWarningScreen)
        shown = screen_text(app)
        assert "This summary would carry 2 details that may identify someone" in shown
        assert PRISON_NUMBER_LINE in shown and NAME_LINE in shown
        assert not EXPORTS.exists()

        await settle(app, pilot, "escape")
        assert isinstance(app.screen, ExportSummaryScreen)
        assert "Nothing written." in screen_text(app)
        await settle(app, pilot, "escape")
        assert isinstance(app.screen, WallScreen)
    assert not EXPORTS.exists()


async def test_w_writes_the_summary_with_the_details_in_it(workspace: Workspace) -> None:
    session_id = identifying_session(workspace)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "h")
        assert isinstance(app.screen, ExportWarningScreen)
        await settle(app, pilot, "w")
        assert isinstance(app.screen, WallScreen)
        assert f"Saved {PAGE.name} in data/exports." in messages(app)
    page = PAGE.read_text("utf-8")
    assert "A1234BC" in page and "Darren" in page  # written as it was, as chosen


async def test_m_opens_the_map_and_closing_it_checks_again(workspace: Workspace) -> None:
    session_id = identifying_session(workspace)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "h")
        await settle(app, pilot, "m")
        assert isinstance(app.screen, PseudonymScreen)
        await pilot.press(*"Dave", "enter")  # the name found is already in the real-name box
        await settle(app, pilot, "escape")
        warning = app.screen
        assert isinstance(warning, ExportWarningScreen)
        assert [f.sentence() for f in warning.findings] == [PRISON_NUMBER_LINE]
        shown = screen_text(app)
        assert "would carry 1 detail that may" in shown and "Darren" not in shown
        assert not EXPORTS.exists()
    assert [(p.real, p.changed) for p in pseudonyms(workspace.store, session_id)] == [("Darren", "Dave")]


async def test_once_the_map_leaves_nothing_the_summary_is_written(workspace: Workspace) -> None:
    session_id = identifying_session(workspace, number=False)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "h")
        assert isinstance(app.screen, ExportWarningScreen)
        await settle(app, pilot, "m")
        await pilot.press(*"Dave", "enter")
        await settle(app, pilot, "escape")
        assert isinstance(app.screen, WallScreen)
        assert "Nothing identifying is left: writing the summary." in messages(app)
    page = PAGE.read_text("utf-8")
    assert "Dave said" in page and "Darren" not in page


async def test_a_clean_session_is_written_without_a_warning(workspace: Workspace) -> None:
    session_id = new_session(workspace)
    workspace.store.postits.add(session_id, 1, "agree", "she listened to me")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "h")
        assert isinstance(app.screen, WallScreen)  # written with no question asked
        assert f"Saved {PAGE.name} in data/exports." in messages(app)
    assert PAGE.is_file()
    assert not [n for n in app._notifications if n.severity == "warning"]


async def test_a_prison_number_alone_is_edited_out_never_put_in_the_map(workspace: Workspace) -> None:
    session_id = new_session(workspace)
    workspace.store.postits.add(session_id, 1, "agree", "my number was A1234BC")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "h")
        assert isinstance(app.screen, ExportWarningScreen)
        shown = screen_text(app)
        assert "Prison number A1234BC in a comment on statement 1" in shown
        assert (
            "Prison numbers cannot go in the pseudonym map: edit the post-it on the wall (e) to remove it."
            in " ".join(shown.replace("┃", " ").split())
        )
        assert "Pseudonym map" not in shown and "Write anyway" in shown
        await settle(app, pilot, "m")  # not offered: nothing happens
        assert isinstance(app.screen, ExportWarningScreen)
        await settle(app, pilot, "escape")
    assert not EXPORTS.exists()


async def test_a_name_and_a_number_offer_the_map_and_say_how_to_remove_the_number(
    workspace: Workspace,
) -> None:
    session_id = identifying_session(workspace)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "h")
        shown = " ".join(screen_text(app).replace("┃", " ").split())
        assert "Pseudonym map" in shown
        assert "Prison numbers cannot go in the pseudonym map: edit the post-it on the wall (e)" in shown


def test_the_way_out_names_each_kind_and_where_to_edit_it() -> None:
    from facilitator.discussion.privacy import PrivacyFinding
    from facilitator.ui.screens.export_warning import way_out

    def found(kind: str, location: str) -> PrivacyFinding:
        return PrivacyFinding("Group 1", location, "id", kind, "why", "x")

    assert way_out([found("name", "note")]) == ""
    several = [found("phone", "note"), found("date", "statement 2 post-it"), found("phone", "quote")]
    assert way_out(several) == (
        "Phone numbers and dates cannot go in the pseudonym map: edit the post-it on the wall (e) "
        "or the note in the discussion (t on the wall) to remove them."
    )


async def test_help_lists_the_three_choices(workspace: Workspace) -> None:
    session_id = identifying_session(workspace)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "h", "question_mark")
        shown = screen_text(app)
    assert "Keys of the warning before an export" in shown
    assert "Open this session's pseudonym map" in shown and "Write the export as it is" in shown
    assert "Write nothing and go back." in shown


# ---------------------------------------------------------------- how it looks


def test_the_warning_at_80x24(snap_compare: SnapCompare, workspace: Workspace) -> None:
    session_id = identifying_session(workspace)

    async def export(pilot: Pilot[Any]) -> None:
        await settle(pilot.app, pilot, "x", "h")  # type: ignore[arg-type]

    app = make_app(workspace, session_id, blink=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=export)


def test_many_details_at_60x20_scroll_and_keep_the_choices_in_view(
    snap_compare: SnapCompare, workspace: Workspace
) -> None:
    session_id = identifying_session(workspace)
    for n in range(3):
        text = f"Kevin rang on 07700 90012{n} about Sharon, born 1/3/199{n}"
        notes.add_note(workspace.store, session_id, text)

    async def export(pilot: Pilot[Any]) -> None:
        await settle(pilot.app, pilot, "x", "h")  # type: ignore[arg-type]

    app = make_app(workspace, session_id, blink=False)
    assert snap_compare(app, terminal_size=(60, 20), run_before=export)
