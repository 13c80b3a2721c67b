"""The first start on a new data folder: choose its passphrase (or, on purpose, none).

The passphrase is typed twice, with a hint on its strength as it is typed. The
screen says why (a lost laptop gives nothing away) and what a forgotten one means
(only the office can recover the folder, once this laptop trusts an office).
Leaving the folder unencrypted is a separate, clearly labelled choice that asks
first: it is for an office server on an encrypted disk. Nothing is created until
the passphrase is accepted.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.store.key_file import MAX_PASSPHRASE, check_new_passphrase, strength
from facilitator.ui.boundary import Guarded, message_for
from facilitator.ui.text import literal
from facilitator.ui.widgets.key_bar import KeyBar

WHY = (
    "This laptop's data will be encrypted under the passphrase you choose, so a lost or "
    "stolen laptop gives nothing away. If it is forgotten, only the office can recover "
    "the data, once this laptop trusts an office (sync, on the sessions screen)."
)
NO_OFFICE_YET = "⚠ This laptop trusts no office yet: until it does, a forgotten passphrase loses the data."
HINT = "Three or four ordinary words are best."
PLAIN_QUESTION = (
    "Leave this data folder unencrypted?\n\n"
    "Its database will be an ordinary file: anyone who gets this laptop's disk can read every "
    "post-it, note and the pseudonym map (the real names). Choose this only for an office "
    "server whose disk is encrypted."
)


def capitalised(line: str) -> str:
    return line[:1].upper() + line[1:]


class FirstStartScreen(Guarded, Screen[bool]):
    """Two passphrase boxes and a choice. Dismissed with True once the folder is set up."""

    CSS_PATH = "first_start.tcss"
    HELP_TITLE = "Setting up this data folder"
    AUTO_FOCUS = "#new-passphrase"
    APP_KEYS_HERE = ()  # quitting is listed below; no blank and no palette before the folder is set up
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "protect",
            "protect",
            id="first_start.protect",
            tooltip="Next box; in the second, encrypt the folder under the passphrase typed twice.",
        ),
        Binding(
            "f2",
            "plain",
            "no passphrase…",
            id="first_start.plain",
            key_display="F2",
            tooltip="Leave the folder unencrypted (asks first): for an office server on an encrypted disk.",
        ),
        Binding(
            "f1", "app.help", "help", id="first_start.help", key_display="F1", tooltip="What this screen is."
        ),
        Binding(
            "ctrl+q",
            "app.quit",
            "quit",
            id="first_start.quit",
            key_display="^q",
            tooltip="Quit; nothing is created until a passphrase (or none) is chosen.",
        ),
    ]
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Passphrase", "at least 8 characters; three or four ordinary words are best"),
        ("Tab", "move between the two boxes"),
        ("Forgotten", "the office can set a new one, once this laptop trusts an office (sync)"),
        ("No office", "until this laptop trusts one, a forgotten passphrase loses the data"),
    )

    def __init__(self, workspace: Workspace, *, blink: bool = True) -> None:
        super().__init__()
        self.workspace = workspace
        self.blink = blink
        self.busy = False
        self.answered = False  # True once the folder is set up: only then may the screen go

    def _box(self, name: str, placeholder: str) -> Input:
        # The cursor goes to the end, so that typing adds to the box and never silently replaces it.
        box = Input(
            id=name, password=True, placeholder=placeholder, max_length=MAX_PASSPHRASE, select_on_focus=False
        )
        box.cursor_blink = self.blink
        return box

    @staticmethod
    def _button(label: str, name: str, *, primary: bool = False) -> Button:
        # Only the two boxes take the focus (their keys press the buttons), so whatever
        # is typed always lands in a box, never in a button or the page.
        button = Button(label, id=name, variant="primary" if primary else "default")
        button.can_focus = False
        return button

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="first-body", can_focus=False):
            yield Static(Text("Choose a passphrase for this data folder", style="bold"), id="first-title")
            folder = literal(str(self.workspace.data_dir), "bold")
            yield Static(Text.assemble("Data folder: ", folder), id="first-folder")
            yield Static(WHY, id="first-why")
            yield Static(Text(NO_OFFICE_YET, style="bold"), id="first-no-office")
            with Horizontal(classes="first-row"):
                yield Static("Passphrase", classes="first-label")
                yield self._box("new-passphrase", "three or four words")
            with Horizontal(classes="first-row"):
                yield Static("Again", classes="first-label")
                yield self._box("again", "the same again")
            yield Static(HINT, id="first-strength")
            yield Static(id="first-status")
            with Horizontal(id="first-buttons"):
                yield self._button("Protect (Enter)", "protect", primary=True)
                yield self._button("No passphrase… (F2)", "plain")
        yield KeyBar([b for b in self.BINDINGS if isinstance(b, Binding)], palette=False)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Input):
            event.widget.cursor_position = len(event.widget.value)

    @on(Input.Changed, "#new-passphrase")
    def _hint(self, event: Input.Changed) -> None:
        self.query_one("#first-strength", Static).update(strength(event.value) if event.value else HINT)

    @on(Input.Submitted, "#new-passphrase")
    def _next_box(self) -> None:
        """Enter in the first box: on to the second, unless this passphrase would be refused."""
        try:
            check_new_passphrase(self.query_one("#new-passphrase", Input).value)
        except FacilitatorError as error:
            self.show(capitalised(str(error)) + ".")
            return
        self.query_one("#again", Input).focus()

    @on(Input.Submitted, "#again")
    @on(Button.Pressed, "#protect")
    def action_protect(self) -> None:
        if self.busy:
            return
        first = self.query_one("#new-passphrase", Input)
        again = self.query_one("#again", Input)
        try:
            check_new_passphrase(first.value)
        except FacilitatorError as error:
            self.show(capitalised(str(error)) + ".")
            first.focus()
            return
        if again.value != first.value:
            self.show("The two passphrases differ: type the same one in both boxes.")
            again.value = ""
            again.focus()
            return
        self._set_up(first.value)

    def _set_up(self, passphrase: str | None) -> None:
        self.busy = True
        for widget in self.query("Input, Button"):
            widget.disabled = True
        self.show("Setting up the encrypted folder…" if passphrase is not None else "Setting up…")
        self._create(passphrase)

    @work(thread=True, exclusive=True, group="first-start")
    def _create(self, passphrase: str | None) -> None:
        """The key derivation and the new database, away from the screen."""
        error: Exception | None = None
        try:
            self.workspace.create(passphrase)
        except Exception as failed:  # reported on the screen, in one line
            error = failed
        self.app.call_from_thread(self._created, error)

    def _created(self, error: Exception | None) -> None:
        self.busy = False
        if error is None:
            self.answered = True
            self.dismiss(True)
            return
        for widget in self.query("Input, Button"):
            widget.disabled = False
        self.query_one("#new-passphrase", Input).focus()  # disabling took the focus away
        self.show(capitalised(message_for(error)))
        if not isinstance(error, FacilitatorError):
            self.app.report_error(error)  # type: ignore[attr-defined]

    def action_plain(self) -> None:
        from facilitator.ui.screens.confirm import ConfirmScreen

        if self.busy:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._set_up(None)

        self.app.push_screen(ConfirmScreen(Text(PLAIN_QUESTION), "Leave unencrypted"), callback=answered)

    @on(Button.Pressed, "#plain")
    def _plain_pressed(self) -> None:
        self.action_plain()

    def show(self, line: str) -> None:
        self.query_one("#first-status", Static).update(Text(line, style="bold"))
