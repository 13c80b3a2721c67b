"""The key bars of the busiest screens at 60x20: help and the palette always there, the
least-used keys left to them. After a deliberate change, look at the report and run
`pytest --snapshot-update`."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from facilitator.actions.data_folder import Workspace
from facilitator.ui import keys
from facilitator.ui.screens.charts import ChartsScreen
from facilitator.ui.screens.discussion import DiscussionScreen
from facilitator.ui.screens.home import HomeScreen
from facilitator.ui.screens.themes import ThemesScreen
from facilitator.ui.screens.wall import WallScreen
from facilitator.ui.widgets.key_bar import KeyBar

from .conftest import new_session

SnapCompare = Callable[..., bool]


class KeyBars(App[None]):
    """Each screen's name, then its key bar as that screen shows it."""

    CSS: ClassVar[str] = "KeyBar { dock: none; margin-bottom: 1; }"

    def __init__(self, bars: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.bars = bars

    def compose(self) -> ComposeResult:
        for name, bindings in self.bars:
            yield Static(Text(name, style="bold"))
            yield KeyBar(bindings)


def test_the_key_bars_at_60x20(snap_compare: SnapCompare, workspace: Workspace) -> None:
    session_id = new_session(workspace)
    screens = [
        ("Sessions", HomeScreen(workspace)),
        ("Wall", WallScreen(workspace, session_id)),
        ("Charts", ChartsScreen(workspace, session_id)),
        ("Discussion", DiscussionScreen(workspace, session_id)),
        ("Themes", ThemesScreen(workspace, session_id)),
    ]
    bars = [(name, keys.key_bar_bindings(screen)) for name, screen in screens]
    assert snap_compare(KeyBars(bars), terminal_size=(60, 20))
