"""From the app, a session's summary goes to the office as a Word document.

`x` then `d` writes "<label>-<date>.docx" into the data folder's exports folder,
its charts inside it (nothing is written beside it), after the same check for
identifying details as the other exports. On a 60-column terminal every choice
of the export screen still shows in full.
"""

from __future__ import annotations

from pathlib import Path

from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import make_app
from facilitator.ui.screens.export_summary import ExportSummaryScreen
from facilitator.ui.screens.export_warning import ExportWarningScreen
from facilitator.ui.screens.wall import WallScreen

from .conftest import new_session, screen_text
from .test_ui_export_warning import identifying_session, messages, settle

EXPORTS = Path("data", "exports")
WORD = EXPORTS / "adult-focus-group-1-2010-03-04.docx"


def paragraphs(path: Path) -> list[str]:
    from docx import Document

    return [paragraph.text for paragraph in Document(str(path)).paragraphs]


async def test_d_writes_the_summary_as_a_word_document_with_its_charts_inside(workspace: Workspace) -> None:
    session_id = new_session(workspace)
    workspace.store.postits.add(session_id, 1, "disagree", "=1+1 my worker never listened")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "d")
        assert isinstance(app.screen, WallScreen)
        assert f"Saved {WORD.name} in data/exports." in messages(app)
    assert sorted(EXPORTS.iterdir()) == [WORD]
    text = paragraphs(WORD)
    assert "Session summary: Adult focus group 1" in text
    assert any("=1+1 my worker never listened" in line for line in text)
    from docx import Document

    assert len(Document(str(WORD)).inline_shapes) >= 4  # a chart per statement, inside the file


async def test_d_asks_about_the_prison_number_first_and_writes_only_when_told(workspace: Workspace) -> None:
    session_id = identifying_session(workspace)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x", "d")
        assert isinstance(app.screen, ExportWarningScreen)
        assert "This summary would carry 2 details that may identify someone" in screen_text(app)
        await settle(app, pilot, "escape")
        assert isinstance(app.screen, ExportSummaryScreen)
        assert "Nothing written." in screen_text(app)
        assert not EXPORTS.exists() or not any(EXPORTS.iterdir())
        await settle(app, pilot, "d")
        assert isinstance(app.screen, ExportWarningScreen)
        await settle(app, pilot, "d")  # the same key again does not write past the warning
        assert isinstance(app.screen, ExportWarningScreen)
        assert not EXPORTS.exists() or not any(EXPORTS.iterdir())
        await settle(app, pilot, "w")  # write anyway
        assert f"Saved {WORD.name} in data/exports." in messages(app)
    assert any("my number was A1234BC" in line for line in paragraphs(WORD))


async def test_on_a_60_column_terminal_every_choice_shows_in_full(workspace: Workspace) -> None:
    session_id = new_session(workspace)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot, "x")
        screen = app.screen
        assert isinstance(screen, ExportSummaryScreen)
        row = screen.query_one("#export-buttons")
        for button in row.children:
            assert row.content_region.contains_region(button.region), button.id
        shown = screen_text(app)
        for label in ("h HTML", "m Markdown", "d Word", "e Excel", "q QDA", "Esc"):
            assert label in shown
        await pilot.press("question_mark")
        assert "A Word document (.docx) with its" in screen_text(app)
    assert not EXPORTS.exists()


async def test_the_word_button_writes_what_d_writes(workspace: Workspace) -> None:
    new_session(workspace)
    app = make_app(workspace, None, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, "x")
        assert isinstance(app.screen, ExportSummaryScreen)
        await pilot.click("#docx")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"Saved {WORD.name} in data/exports." in messages(app)
    assert sorted(EXPORTS.iterdir()) == [WORD]
