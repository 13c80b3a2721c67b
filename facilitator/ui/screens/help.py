"""Help: every key of the current screen with what it does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from facilitator.ui.boundary import Guarded

# The app's privacy blank works on every screen, so every help lists it.
BLANK_ROW = ("Ctrl+L", "blank the screen at once, even while typing; any key brings it back")


class HelpScreen(Guarded, ModalScreen[None]):
    """A list of keys; Esc, ? or q closes it."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "close", id="help.close", tooltip="Close the help."),
    ]

    def __init__(self, title: str, rows: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = list(rows)
        if not any("Ctrl+L" in key for key, _what in self.rows):
            self.rows.append(BLANK_ROW)

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, what in self.rows:
            table.add_row(Text(key), Text(what))
        with VerticalScroll(id="help-body") as body:
            body.border_title = self.title_text
            body.border_subtitle = "Esc closes"
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
