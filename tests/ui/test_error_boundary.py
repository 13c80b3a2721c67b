"""No action crashes the app: an error is one plain line on the screen and, if unexpected,
an entry in the data folder's error log that never holds a participant's words."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from facilitator.actions.data_folder import Workspace
from facilitator.core.error_log import log_path, log_unexpected
from facilitator.ui.app import make_app
from facilitator.ui.boundary import UNEXPECTED
from tests.folders import open_folder

from .conftest import screen_text


async def test_a_card_deleted_elsewhere_then_moved_says_so_and_the_app_goes_on(
    workspace: Workspace, session_id: str
) -> None:
    postit = workspace.store.postits.add(session_id, 1, "agree", "they listen when mum is there")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab")
        with open_folder(workspace.data_dir) as other_window:
            other_window.postits.delete(postit.id)
        await pilot.press("m", "4")
        await pilot.pause()
        assert app.is_running
        text = screen_text(app)
        assert "is gone: it was deleted" in " ".join(text.split())
        assert "they listen" not in text  # the wall shows what is on disk now
        assert "Traceback" not in text
        # The stale card moved nothing, and the wall still records.
        assert workspace.store.postits.get(postit.id, include_deleted=True).response_key == "agree"
        await pilot.press("2", *"still here", "enter")
        assert [p.comment for p in workspace.store.postits.of(session_id)] == ["still here"]
    assert not log_path(workspace.data_dir).exists()  # an expected refusal is not logged


async def test_an_unexpected_error_is_one_line_and_a_log_entry_without_the_comment(
    workspace: Workspace, session_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    postit = workspace.store.postits.add(session_id, 1, "agree", "Darren said it")

    def broken(postit_id: str, response: str) -> None:
        comment = "Darren said it"  # a local variable holding a participant's words
        raise RuntimeError(f"cannot move: {comment}")

    monkeypatch.setattr(workspace.store.postits, "move", broken)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", "m", "4")
        await pilot.pause()
        assert app.is_running
        text = screen_text(app)
        assert UNEXPECTED[:40] in " ".join(text.split())
        assert "cannot move" not in text and "Traceback" not in text
        await pilot.press("n")  # the wall still answers keys
        assert "statement 2" in screen_text(app)
    assert workspace.store.postits.get(postit.id).response_key == "agree"
    log = log_path(workspace.data_dir)
    entry = log.read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in entry and "in broken" in entry
    assert "Darren" not in entry and "cannot move" not in entry
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_the_log_holds_kind_and_frames_only(tmp_path: Path) -> None:
    def fails(secret: str) -> None:
        raise ValueError(secret)

    try:
        fails("A1234BC lives at 3 Mill Lane")
    except ValueError as error:
        path = log_unexpected(tmp_path, error)
    assert path == log_path(tmp_path)
    entry = path.read_text(encoding="utf-8")
    assert "builtins.ValueError" in entry and "in fails" in entry
    assert "A1234BC" not in entry and "Mill Lane" not in entry
    # A second entry is appended, not written over.
    try:
        fails("again")
    except ValueError as error:
        log_unexpected(tmp_path, error)
    assert path.read_text(encoding="utf-8").count("builtins.ValueError") == 2
