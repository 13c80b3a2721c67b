"""Help: every key of the current screen with what it does, made from the screen's bindings."""

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


class HelpScreen(Guarded, ModalScreen[None]):
    """The keys (rows of keys and what they do), then notes; Esc, ?, F1 or q closes it."""

    CSS_PATH = "help.tcss"
    HELP_TITLE = "Keys of the help"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "close", "close", id="help.close", tooltip="Close the help."),
    ]

    def __init__(
        self, title: str, rows: Sequence[tuple[str, str]], notes: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__()
        self.title_text = title
        self.rows = list(rows)
        self.notes = list(notes)

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, what in self.rows:
            table.add_row(Text(key), Text(what))
        if self.notes:
            table.add_row("", "")
            for key, what in self.notes:
                table.add_row(Text(key), Text(what))
        with VerticalScroll(id="help-body") as body:
            body.border_title = self.title_text
            body.border_subtitle = "Esc closes"
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
