"""From the app, a session goes to analysts as an Excel workbook or a REFI-QDA project.

`x` then `e` writes the workbook, `x` then `q` the project, into the data folder's
exports folder, after the same check for identifying details as the summary: the
warning names what is exported ("This project would carry…"), and the pseudonym
map is one key away.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from facilitator.actions.data_folder import Workspace
from facilitator.actions.exports import Exported
from facilitator.core.errors import FacilitatorError
from facilitator.discussion import notes
from facilitator.discussion.anonymity import set_pseudonym
from facilitator.ui.app import make_app
from facilitator.ui.screens import export_summary
from facilitator.ui.screens.export_warning import ExportWarningScreen
from facilitator.ui.screens.pseudonyms import PseudonymScreen
from facilitator.ui.screens.wall import WallScreen

from .conftest import new_session, screen_text
from .test_ui_export_warning import messages, settle

EXPORTS = Path("data", "exports")
WORKBOOK = EXPORTS / "adult-focus-group-1-2010-03-04.xlsx"
PROJECT = EXPORTS / "adult-focus-group-1-2010-03-04.qdpx"


def session_with_a_name(ws: Workspace) -> str:
    session_id = new_session(ws)
    ws.store.postits.add(session_id, 1, "disagree", "=1+1 my worker never listened")
    notes.add_note(ws.store, session_id, "Darren said his worker never came", themes=["Trust"])
    return session_id


async def test_e_writes_an_excel_workbook_with_the_map_applied(workspace: Workspace) -> None:
    from openpyxl import load_workbook

    session_id = session_with_a_name(workspace)
    set_pseudonym(workspace.store, session_id, "Darren", "Dave")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "e")
        assert isinstance(app.screen, WallScreen)
        assert f"Saved {WORKBOOK.name} in data/exports." in messages(app)
    book = load_workbook(WORKBOOK)
    postits = [row for row in book["Post-its"].iter_rows(values_only=True)]
    assert "=1+1 my worker never listened" in postits[1]
    noted = [row for row in book["Notes"].iter_rows(values_only=True)]
    assert "Dave said his worker never came" in noted[1]
    assert all(
        "Darren" not in str(cell)
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )


async def test_q_warns_about_the_name_then_writes_the_project_once_the_map_changes_it(
    workspace: Workspace,
) -> None:
    session_id = session_with_a_name(workspace)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "q")
        assert isinstance(app.screen, ExportWarningScreen)
        assert "This project would carry 1 detail that may identify someone" in screen_text(app)
        assert not EXPORTS.exists() or not any(EXPORTS.iterdir())
        await settle(app, pilot, "m")
        assert isinstance(app.screen, PseudonymScreen)
        await pilot.press(*"Dave", "enter")
        await settle(app, pilot, "escape")
        assert isinstance(app.screen, WallScreen)
        assert "Nothing identifying is left: writing the project." in messages(app)
        assert f"Saved {PROJECT.name} in data/exports." in messages(app)
    with zipfile.ZipFile(PROJECT) as project:
        everything = b"".join(project.read(name) for name in project.namelist())
    assert b"Dave said his worker never came" in everything
    assert b"Darren" not in everything


async def test_on_a_60_by_20_terminal_why_nothing_was_written_fits_under_the_choices(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = new_session(workspace)
    reason = f"cannot write {PROJECT}: Permission denied, or the USB stick was taken out while writing"

    def refused(*_args: object) -> Exported:
        raise FacilitatorError(reason)

    monkeypatch.setattr(export_summary, "export_to_folder", refused)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot, "x", "q")
        screen = app.screen
        assert isinstance(screen, export_summary.ExportSummaryScreen)
        dialog, status = screen.query_one("#export"), screen.query_one("#export-status")
        assert f"Nothing written: {reason}" in str(status.render())
        assert screen.region.contains_region(dialog.region) and screen.scroll_y == 0
        assert dialog.content_region.contains_region(status.region)
        assert status.region.height >= 3  # every line of it


async def test_question_mark_and_f1_explain_every_export_key(workspace: Workspace) -> None:
    session_id = session_with_a_name(workspace)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("question_mark", "f1"):
            await pilot.press("x", key)
            shown = screen_text(app)
            assert "Keys of the export" in shown
            assert "An Excel workbook: post-its, counts, notes, themes," in shown
            assert "A REFI-QDA project (.qdpx) for NVivo, ATLAS.ti," in shown
            await pilot.press("escape", "escape")
            assert isinstance(app.screen, WallScreen)
    assert not EXPORTS.exists()
