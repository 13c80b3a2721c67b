"""Pool the charts screen's session with another session of its consultation, under a label."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from facilitator.store import Session
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import HELP_WHILE_TYPING
from facilitator.ui.text import one_line


class PoolForm(Guarded, ModalScreen[tuple[str, str] | None]):
    """Returns (label, id of the other session), or None on Esc."""

    CSS_PATH = "pool_form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="pool.cancel", key_display="esc", tooltip="Leave it."),
        HELP_WHILE_TYPING,
    ]

    def __init__(self, session: Session, others: list[Session]) -> None:
        super().__init__()
        self.session = session
        self.others = others

    def compose(self) -> ComposeResult:
        with Vertical(id="pool-box"):
            label = one_line(self.session.label, "bold")
            yield Static(Text.assemble("Pool ", label, " with another session"))
            yield Input(placeholder="Label, e.g. Adult focus groups 2 & 3", id="pool-label")
            yield Static("Then choose the other session (Enter); Esc leaves it.")
            yield OptionList(*(Option(one_line(s.label), id=s.id) for s in self.others), id="pool-sessions")

    def on_mount(self) -> None:
        self.query_one("#pool-label", Input).focus()

    @on(Input.Submitted)
    def _label_done(self) -> None:
        self.query_one("#pool-sessions", OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        label = " ".join(self.query_one("#pool-label", Input).value.split())
        if not label:
            self.notify("Type the pool's label first.", severity="warning")
            self.query_one("#pool-label", Input).focus()
            return
        if event.option.id is not None:
            self.dismiss((label, event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
