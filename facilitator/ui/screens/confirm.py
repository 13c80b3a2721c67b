"""A yes/no question before a change that is hard to take back (a merge, a removal)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import HELP


class ConfirmScreen(Guarded, ModalScreen[bool]):
    """Returns True for y (or the Yes button), False for n or Esc."""

    CSS_PATH = "confirm.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "yes", id="confirm.yes", tooltip="Go ahead."),
        Binding("n,escape", "answer(False)", "no", id="confirm.no", key_display="n/esc", tooltip="Leave it."),
        HELP,
    ]

    def __init__(self, question: Text, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question)
            with Horizontal(id="confirm-answers"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button("No (n, Esc)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
