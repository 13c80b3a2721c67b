"""Fixtures for the app's tests: a data folder in tmp_path with one session in it."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App

from facilitator.actions.data_folder import Workspace
from facilitator.core.clock import Clock
from facilitator.store import SessionDetails, codebook, database, postits, writer
from tests.folders import open_folder

SET_ID = "does-social-work-care"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A workspace in a relative folder, so that the path on screen is the same on every run."""
    monkeypatch.chdir(tmp_path)
    ws = Workspace(Path("data"))
    yield ws
    ws.close()


@pytest.fixture
def fixed_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Row and device ids counted up from 1, for screens that show an id (a receipt, a device)."""
    count = itertools.count(1)

    def next_id() -> str:
        n = next(count)
        return f"{n:08x}-0000-4000-8000-{n:012x}"

    for module in (writer, postits, codebook, database):
        monkeypatch.setattr(module, "new_id", next_id)


def ticking_clock(start: datetime) -> Clock:
    """A clock that starts at `start` and moves on a minute each time it is read."""
    minutes = itertools.count()
    return Clock(lambda: start + timedelta(minutes=next(minutes)))


@pytest.fixture
def still_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixed_ids: None) -> Iterator[Workspace]:
    """A workspace whose stamps and ids are the same on every run (from 2010-03-04 10:00 UTC)."""
    monkeypatch.chdir(tmp_path)
    data = Path("data")
    ws = Workspace(data, open_folder(data, clock=ticking_clock(datetime(2010, 3, 4, 10, 0, tzinfo=UTC))))
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
