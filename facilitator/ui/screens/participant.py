"""Participant mode: people place their own post-it on the laptop.

One statement in large text and a big button per category (label, symbol and
number; mouse or keys), then an optional comment, a thank-you, and a clean
screen for the next person. Nothing anyone answered before is ever shown.
Only the facilitator leaves, or moves the room on to the next statement, with
key sequences that this screen never shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, ContentSwitcher, Input, Static

from facilitator.actions.data_folder import Workspace
from facilitator.actions.postits import record_postit
from facilitator.core.errors import FacilitatorError
from facilitator.core.statements import Category
from facilitator.store import MAX_COMMENT, Session
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import ENTRY_KEYS, HELP, scale_entries
from facilitator.ui.palette import category_colours
from facilitator.ui.text import literal

THANKS_SECONDS = 4.0
CHOOSE_PROMPT = "Choose your answer: press its number, or click it."
LAST_STATEMENT = "This is the last statement."


class ParticipantIntro(Guarded, ModalScreen[bool]):
    """Shown to the facilitator before participant mode starts: how to leave it."""

    CSS_PATH = "participant.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "start", "start", id="intro.start", tooltip="Start participant mode."),
        Binding("escape", "cancel", "cancel", id="intro.cancel", tooltip="Stay on the wall."),
        HELP,
    ]

    def __init__(self, leave_text: str, next_text: str) -> None:
        super().__init__()
        self.leave_text = leave_text
        self.next_text = next_text

    def compose(self) -> ComposeResult:
        with Vertical(id="intro"):
            yield Static(Text("Participant mode", style="bold"))
            yield Static(
                "Participants see this statement and a big button per answer, then may add a "
                "comment. Each sees a clean screen: no earlier answer is shown."
            )
            yield Static(
                Text.assemble(
                    "Next statement: press ",
                    (self.next_text, "bold reverse"),
                    "\nBack to the wall: press ",
                    (self.leave_text, "bold reverse"),
                    "\nRemember them: they are not shown on the participants' screen.",
                )
            )
            with Horizontal(id="intro-buttons"):
                yield Button("Start (Enter)", id="start", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def action_start(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)


def choice_label(category: Category) -> Text:
    """A big button's label: number, symbol and label on their own lines."""
    symbol = category.symbol or " "
    return Text.assemble((category.entry, "bold"), "\n", (symbol, "bold"), "\n", category.label)


class ParticipantScreen(Guarded, Screen[int]):
    """The participant's screen: choose, comment, thank you, and clean again.

    Returns the number of the statement it ended on.
    """

    CSS_PATH = "participant.tcss"
    AUTO_FOCUS = ""  # nothing highlighted: no trace of the previous person's answer
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(
                entry,
                f"choose('{entry}')",
                f"choose {entry}",
                show=False,
                id=f"participant.choose_{entry}",
                tooltip=f"Choose answer {entry} (a digit that is not on the scale is refused).",
            )
            for entry in ENTRY_KEYS
        ),
        Binding("escape", "back", "back", show=False, id="participant.back", tooltip="Back to the answers."),
        Binding(
            "ctrl+o",
            "arm_leave",
            "leave",
            show=False,
            priority=True,
            system=True,
            id="participant.leave",
            tooltip="First key of the facilitator's sequences: leave, or the next statement.",
        ),
    ]

    def __init__(
        self,
        workspace: Workspace,
        session: Session,
        number: int,
        leave_keys: Sequence[str],
        next_keys: Sequence[str] = (),
        *,
        blink: bool = True,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.session = session
        self.number = number
        # Both start with the key that arms them (Ctrl+O); the rest is typed after it.
        self.leave_keys = tuple(leave_keys)
        self.next_keys = tuple(next_keys)
        self.blink = blink
        self.choice: Category | None = None
        self._typed: list[str] | None = None  # keys typed since Ctrl+O, None when not armed
        self._thanks_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="p-statement")
        colours = category_colours(self.session.scale)
        with ContentSwitcher(initial="choose", id="steps"):
            with Vertical(id="choose"):
                yield Static(CHOOSE_PROMPT, id="choose-prompt")
                with Horizontal(id="choices"):
                    for category in self.session.scale:
                        button = Button(choice_label(category), id=f"choice-{category.key}", classes="choice")
                        button.styles.border_top = ("tall", colours[category.key])
                        yield button
            with Vertical(id="comment"):
                yield Static(id="chosen")
                yield Static("You can add a comment (or leave it empty). Then press Enter, or Done.")
                comment = Input(id="p-comment", placeholder="your comment (optional)", max_length=MAX_COMMENT)
                comment.cursor_blink = self.blink
                yield comment
                with Horizontal(id="comment-buttons"):
                    yield Button("Done (Enter)", id="done", variant="primary")
                    yield Button("Change my answer (Esc)", id="change")
            with Center(id="thanks"):
                yield Static(Text("Thank you!", style="bold"), id="thanks-text")
                yield Static("Your post-it is on the wall. Press any key for the next person.")

    def on_mount(self) -> None:
        self.show_statement()
        self.set_focus(None)

    def show_statement(self) -> None:
        """The statement in large text, and where it is in the set."""
        box = self.query_one("#p-statement", Static)
        box.update(literal(self.session.statement(self.number).text, "bold"))
        count = len(self.session.statements)
        last = " · the last" if self.number == count else ""
        box.border_title = f"statement {self.number} of {count}{last}"

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= 120 and event.size.height >= 40, "-large")

    @property
    def step(self) -> str:
        return self.query_one(ContentSwitcher).current or "choose"

    def _show(self, step: str) -> None:
        self.query_one(ContentSwitcher).current = step

    # ------------------------------------------------------------ the participant's path

    def action_choose(self, entry: str) -> None:
        if self.step != "choose":
            return
        prompt = self.query_one("#choose-prompt", Static)
        category = self.session.scale.by_entry(entry)
        if category is None:
            keys = scale_entries(self.session.scale)
            prompt.update(
                Text(f"There is no answer {entry}: press {keys}, or click an answer.", style="bold")
            )
            return
        prompt.update(CHOOSE_PROMPT)
        self.choice = category
        self.query_one("#chosen", Static).update(
            Text.assemble("Your answer: ", (f"{category.entry} {category.symbol} {category.label}", "bold"))
        )
        comment = self.query_one("#p-comment", Input)
        comment.value = ""
        self._show("comment")
        comment.focus()

    @on(Button.Pressed, ".choice")
    def _clicked(self, event: Button.Pressed) -> None:
        key = (event.button.id or "").removeprefix("choice-")
        self.action_choose(self.session.scale.get(key).entry)

    @on(Input.Submitted, "#p-comment")
    @on(Button.Pressed, "#done")
    def save(self) -> None:
        if self.choice is None:
            return
        comment = self.query_one("#p-comment", Input)
        try:
            record_postit(self.workspace.store, self.session, self.number, self.choice.key, comment.value)
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._clear()
        self._show("thanks")
        self._thanks_timer = self.set_timer(THANKS_SECONDS, self.next_person)

    @on(Button.Pressed, "#change")
    def action_back(self) -> None:
        if self.step == "comment":
            self._clear()
            self._show("choose")

    def _clear(self) -> None:
        """Forget everything this participant chose or typed."""
        self.choice = None
        self.query_one("#p-comment", Input).value = ""
        self.query_one("#chosen", Static).update("")
        self.set_focus(None)

    def next_person(self) -> None:
        """A clean screen for the next person."""
        if self._thanks_timer is not None:
            self._thanks_timer.stop()
            self._thanks_timer = None
        self._clear()
        self._show("choose")

    # ------------------------------------------------------------ the facilitator's keys

    def next_statement(self) -> None:
        """The whole room moves on: a clean screen with the next statement, or, at the
        last one, a plain word that there is no next."""
        if self.number < len(self.session.statements):
            self.number += 1
            self.show_statement()
            prompt = Text(CHOOSE_PROMPT)
        else:
            prompt = Text(f"{LAST_STATEMENT} {CHOOSE_PROMPT}", style="bold")
        self.next_person()  # an answer chosen but not yet done is dropped, as with Esc
        self.query_one("#choose-prompt", Static).update(prompt)

    def action_arm_leave(self) -> None:
        self._typed = []
        self.set_focus(None)

    def on_key(self, event: events.Key) -> None:
        if self._typed is not None:
            event.stop()
            event.prevent_default()
            typed = (*self._typed, event.key)
            sequences = [keys[1:] for keys in (self.leave_keys, self.next_keys) if keys]
            self._typed = list(typed) if any(keys[: len(typed)] == typed for keys in sequences) else None
            if typed == self.leave_keys[1:]:
                self._typed = None
                self.dismiss(self.number)
            elif self.next_keys and typed == self.next_keys[1:]:
                self._typed = None
                self.next_statement()
            return
        if self.step == "thanks":
            event.stop()
            event.prevent_default()
            self.next_person()
