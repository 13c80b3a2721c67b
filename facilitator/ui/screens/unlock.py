"""The unlock screen: the passphrase of an encrypted data folder, at start and after the lock.

At start it opens the folder (`Workspace.unlock`). After the idle lock (or Ctrl+L
twice) the database is still open and the screens beneath keep what they held, a
half-typed comment too: the passphrase is only checked (`Workspace.check`). This
screen shows no data at all and offers no way around it; quitting is fine.

The key derivation takes about half a second, so it runs in a thread and the
screen says "Unlocking…" meanwhile. From the third wrong try on, each wrong try
costs a longer wait (2, 4, 8 … seconds, at most a minute), shown as a countdown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Static

from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.store.key_file import MAX_PASSPHRASE, KeyFile, WrongPassphrase
from facilitator.ui.boundary import Guarded, message_for
from facilitator.ui.text import literal
from facilitator.ui.widgets.key_bar import KeyBar

# Wrong tries that cost nothing; each one after them doubles the wait, up to MAX_WAIT.
FREE_TRIES = 2
FIRST_WAIT = 2.0
MAX_WAIT = 60.0
COUNTDOWN_TICK = 0.25


def wait_after(wrong: int) -> float:
    """Seconds to wait after `wrong` wrong tries in a row: none for the first two, then 2, 4, 8 … 60."""
    if wrong <= FREE_TRIES:
        return 0.0
    return min(FIRST_WAIT * float(2 ** (wrong - FREE_TRIES - 1)), MAX_WAIT)


@dataclass
class Attempts:
    """Wrong tries in a row, kept by the app so that a new lock does not start the count again."""

    wrong: int = 0
    until: float = 0.0  # on the app's clock: no try is taken before this

    def failed(self, now: float) -> float:
        """Count a wrong try; the seconds to wait before the next one."""
        self.wrong += 1
        wait = wait_after(self.wrong)
        self.until = now + wait
        return wait

    def succeeded(self) -> None:
        self.wrong = 0
        self.until = 0.0


def recovery_sentence(workspace: Workspace) -> str:
    """What a facilitator who forgot the passphrase can do, as far as the key file says."""
    try:
        escrowed = KeyFile.load(workspace.data_dir).escrow is not None
    except FacilitatorError:
        escrowed = False
    if escrowed:
        return "Forgotten it? The office can recover this folder and give it a new passphrase."
    return "No office can recover this folder yet: if its passphrase is forgotten, the data is lost."


class UnlockScreen(Guarded, Screen[bool]):
    """One passphrase box. Dismissed with True once the passphrase is right."""

    CSS_PATH = "unlock.tcss"
    HELP_TITLE = "The unlock screen"
    AUTO_FOCUS = "#passphrase"
    # None of the app's keys but quitting, listed below: no blank (nothing shows here), no palette.
    APP_KEYS_HERE = ()
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "unlock", "unlock", id="unlock.unlock", tooltip="Unlock with the passphrase typed."),
        Binding("f1", "app.help", "help", id="unlock.help", key_display="F1", tooltip="What this screen is."),
        Binding(
            "ctrl+q",
            "app.quit",
            "quit",
            id="unlock.quit",
            key_display="^q",
            tooltip="Quit; everything is already saved, and the data stays encrypted.",
        ),
    ]
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Passphrase", "the one chosen when this data folder was set up"),
        ("Wrong tries", "from the third on, each one makes you wait longer: 2 s, 4 s, 8 s … up to a minute"),
        ("Forgotten", "the office can set a new passphrase (facilitator recover) if this laptop trusted it"),
        ("Locked", "after some minutes with no key pressed, or Ctrl+L twice; what was open comes back"),
    )

    def __init__(
        self,
        workspace: Workspace,
        attempts: Attempts,
        clock: Callable[[], float],
        *,
        idle: bool = False,
        blink: bool = True,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.attempts = attempts
        self.clock = clock
        self.idle = idle
        self.blink = blink
        self.busy = False
        self.answered = False  # True once the passphrase is right: only then may the screen go
        self._countdown: Timer | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="unlock-body"):
            title = "facilitator is locked" if self.idle else "This data folder is encrypted"
            yield Static(Text(title, style="bold"), id="unlock-title")
            folder = literal(str(self.workspace.data_dir), "bold")
            yield Static(Text.assemble("Data folder: ", folder), id="unlock-folder")
            if self.idle:
                what = (
                    "It was left idle, or locked with Ctrl+L twice. Type the passphrase to go back "
                    "to where you were: nothing typed is lost."
                )
            else:
                what = "Type its passphrase to open it."
            yield Static(what, id="unlock-what")
            with Horizontal(id="unlock-row"):
                box = Input(
                    id="passphrase",
                    password=True,
                    placeholder="passphrase",
                    max_length=MAX_PASSPHRASE,
                )
                box.cursor_blink = self.blink
                yield box
                yield Button("Unlock (Enter)", id="unlock", variant="primary")
            yield Static(id="unlock-status")
            yield Static(recovery_sentence(self.workspace), id="unlock-recovery")
        yield KeyBar([b for b in self.BINDINGS if isinstance(b, Binding)], palette=False)

    def on_mount(self) -> None:
        if self.clock() < self.attempts.until:
            self._wait()

    # ------------------------------------------------------------ trying

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#unlock")
    def action_unlock(self) -> None:
        box = self.query_one("#passphrase", Input)
        if self.busy or box.disabled:
            return
        if not box.value:
            self.show("Type the passphrase first.")
            return
        self.busy = True
        box.disabled = True
        self.query_one("#unlock", Button).disabled = True
        self.show("Unlocking…")
        self._try(box.value)

    @work(thread=True, exclusive=True, group="unlock")
    def _try(self, passphrase: str) -> None:
        """The key derivation, away from the screen (about half a second)."""
        error: Exception | None = None
        try:
            if self.idle:
                self.workspace.check(passphrase)
            else:
                self.workspace.unlock(passphrase)
        except Exception as failed:  # reported on the screen, in one line
            error = failed
        self.app.call_from_thread(self._tried, error)

    def _tried(self, error: Exception | None) -> None:
        self.busy = False
        box = self.query_one("#passphrase", Input)
        if error is None:
            self.attempts.succeeded()
            box.value = ""
            self.answered = True
            self.dismiss(True)
            return
        box.value = ""
        if not isinstance(error, WrongPassphrase):
            self._enable()
            self.show(message_for(error))
            if not isinstance(error, FacilitatorError):
                self.app.report_error(error)  # type: ignore[attr-defined]
            return
        if self.attempts.failed(self.clock()) > 0:
            self._wait()
        else:
            self._enable()
            self.show(f"Wrong passphrase ({self._tries()}). Try again.")

    def _tries(self) -> str:
        wrong = self.attempts.wrong
        return f"{wrong} wrong {'try' if wrong == 1 else 'tries'}"

    def _enable(self) -> None:
        box = self.query_one("#passphrase", Input)
        box.disabled = False
        self.query_one("#unlock", Button).disabled = False
        box.focus()

    def _wait(self) -> None:
        """Nothing can be typed until the wait is over; a countdown shows how long is left."""
        self.query_one("#passphrase", Input).disabled = True
        self.query_one("#unlock", Button).disabled = True
        self.tick()
        if self._countdown is None:
            self._countdown = self.set_interval(COUNTDOWN_TICK, self.tick)

    def tick(self) -> None:
        """Count down the wait; when it is over, the box takes a passphrase again."""
        left = self.attempts.until - self.clock()
        if left > 0:
            seconds = math.ceil(left)
            self.show(f"Wrong passphrase ({self._tries()}). Try again in {seconds} s.")
            return
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        self._enable()
        self.show(f"Wrong passphrase ({self._tries()}). Try again.")

    def show(self, line: str) -> None:
        self.query_one("#unlock-status", Static).update(Text(line))
