"""A small form of the sync screens: a few boxes, Enter to go ahead, Esc to leave."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from facilitator.core.errors import FacilitatorError
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import HELP_WHILE_TYPING
from facilitator.ui.widgets.tick_box import TickBox


@dataclass(frozen=True)
class FormField:
    """One box of a form: text (an Input) or a tick (a TickBox)."""

    name: str
    label: str
    value: str | bool = ""
    placeholder: str = ""


FormValues = dict[str, str | bool]


def refused_by(field: str, parse: Callable[[str], object]) -> Callable[[FormValues], str | None]:
    """A form check: the one-line reason `parse` refuses the box `field` with, or None if it takes it."""

    def check(values: FormValues) -> str | None:
        try:
            parse(str(values[field]))
        except FacilitatorError as error:
            return str(error)
        return None

    return check


class SyncForm(Guarded, ModalScreen[FormValues | None]):
    """A few boxes, Enter to go ahead, Esc to leave; `check` may refuse with a one-line reason."""

    CSS_PATH = "sync_form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="sync_form.cancel", tooltip="Leave without doing anything."),
        Binding("ctrl+s", "go", "go", id="sync_form.go", tooltip="Go ahead (Enter in a box too)."),
        HELP_WHILE_TYPING,
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        go: str,
        check: Callable[[FormValues], str | None] | None = None,
        *,
        blink: bool = True,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.go = go
        self.check = check
        self.blink = blink

    def compose(self) -> ComposeResult:
        with Vertical(id="sync-form"):
            yield Static(Text(self.title_text, style="bold"))
            for item in self.fields:
                if isinstance(item.value, bool):
                    yield TickBox(item.label, item.value, id=item.name)
                    continue
                yield Label(item.label)
                box = Input(
                    value=item.value, placeholder=item.placeholder, id=item.name, select_on_focus=False
                )
                box.cursor_blink = self.blink
                yield box
            yield Static(id="sync-form-error")
            with Horizontal(id="sync-form-buttons"):
                yield Button(f"{self.go} (Enter)", id="go", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def values(self) -> FormValues:
        found: FormValues = {}
        for item in self.fields:
            if isinstance(item.value, bool):
                found[item.name] = self.query_one(f"#{item.name}", TickBox).value
            else:
                found[item.name] = self.query_one(f"#{item.name}", Input).value
        return found

    @on(Input.Submitted)
    @on(Button.Pressed, "#go")
    def action_go(self) -> None:
        values = self.values()
        problem = self.check(values) if self.check else None
        if problem:
            self.query_one("#sync-form-error", Static).update(Text(problem, style="bold"))
            return
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
