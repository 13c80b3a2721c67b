"""What the first-start and unlock screens look like at a laptop's 80x24.

The data folder is the relative `data`, so the path on screen is the same on every
run, and FACILITATOR_PASSPHRASE is unset so that the app asks on its own screens.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import make_app
from tests.folders import TEST_PASSPHRASE, open_folder

SnapCompare = Callable[..., bool]


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("FACILITATOR_PASSPHRASE")
    monkeypatch.chdir(tmp_path)
    return Path("data")


def test_first_start(snap_compare: SnapCompare, folder: Path) -> None:
    async def type_a_passphrase(pilot: Pilot[Any]) -> None:
        focused = pilot.app.focused
        assert isinstance(focused, Input)
        focused.insert_text_at_cursor("four plain words here")
        await pilot.pause()

    app = make_app(Workspace(folder), blink=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=type_a_passphrase)


def test_unlock(snap_compare: SnapCompare, folder: Path) -> None:
    with open_folder(folder):
        pass
    assert snap_compare(make_app(Workspace(folder), blink=False), terminal_size=(80, 24))


def test_unlock_after_a_wrong_try(snap_compare: SnapCompare, folder: Path) -> None:
    with open_folder(folder):
        pass

    async def wrong_try(pilot: Pilot[Any]) -> None:
        await pilot.press(*"guess", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(
        make_app(Workspace(folder), blink=False), terminal_size=(80, 24), run_before=wrong_try
    )


def test_unlock_after_the_lock(snap_compare: SnapCompare, folder: Path) -> None:
    with open_folder(folder):
        pass
    workspace = Workspace(folder)
    workspace.unlock(TEST_PASSPHRASE)

    async def lock(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+l", "ctrl+l")

    assert snap_compare(make_app(workspace, blink=False), terminal_size=(80, 24), run_before=lock)
    workspace.close()
