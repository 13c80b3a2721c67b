"""Fixtures for the app's tests: a data folder in tmp_path with one session in it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App

from facilitator.actions.data_folder import Workspace
from facilitator.store import SessionDetails

SET_ID = "does-social-work-care"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A workspace in a relative folder, so that the path on screen is the same on every run."""
    monkeypatch.chdir(tmp_path)
    ws = Workspace(Path("data"))
    yield ws
    ws.close()


def new_session(ws: Workspace, label: str = "Adult focus group 1", **details: object) -> str:
    fields: dict[str, object] = {"cohort": "adults", "setting": "community", "date": "2010-03-04"}
    fields.update(details)
    statement_set = ws.catalogue().get(SET_ID)
    return ws.store.sessions.create(statement_set, SessionDetails(label=label, **fields)).id  # type: ignore[arg-type]


@pytest.fixture
def session_id(workspace: Workspace) -> str:
    return new_session(workspace)


def screen_text(app: App[object]) -> str:
    """The screen as plain text, the way a person reads it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()
