"""Deleting a session needs its label typed in full."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from facilitator.store import SessionSummary
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import HELP_WHILE_TYPING
from facilitator.ui.text import one_line

MISMATCH = "That is not the label: type it exactly to delete, or Esc to keep the session."


class ConfirmDeleteScreen(Guarded, ModalScreen[bool]):
    """Returns True only once the session's label has been typed exactly."""

    CSS_PATH = "confirm_delete.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="delete.cancel", tooltip="Keep the session."),
        HELP_WHILE_TYPING,
    ]

    def __init__(self, summary: SessionSummary, *, blink: bool = True) -> None:
        super().__init__()
        self.summary = summary
        self.blink = blink

    def compose(self) -> ComposeResult:
        label = self.summary.session.label
        n = self.summary.postits
        with Vertical(id="confirm"):
            yield Static(
                Text.assemble(
                    "Delete ", one_line(label, "bold"), f" and its {n} post-it{'' if n == 1 else 's'}?"
                )
            )
            yield Static("To delete it, type its label exactly:", id="confirm-ask")
            yield Static(one_line(label, "bold"), id="confirm-shown-label")
            box = Input(placeholder="type the label here", id="confirm-label")
            box.cursor_blink = self.blink
            yield box
            yield Static(id="confirm-error")
            with Horizontal(id="confirm-buttons"):
                yield Button("Delete", id="delete", variant="error", disabled=True)
                yield Button("Keep it (Esc)", id="keep")

    def matches(self) -> bool:
        return self.query_one(Input).value.strip() == self.summary.session.label

    @on(Input.Changed)
    def _typed(self) -> None:
        self.query_one("#delete", Button).disabled = not self.matches()
        self.query_one("#confirm-error", Static).update("")

    @on(Input.Submitted)
    @on(Button.Pressed, "#delete")
    def _delete(self) -> None:
        if self.matches():
            self.dismiss(True)
            return
        self.query_one("#confirm-error", Static).update(Text(MISMATCH, style="bold"))

    @on(Button.Pressed, "#keep")
    def action_cancel(self) -> None:
        self.dismiss(False)
