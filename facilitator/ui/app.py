"""The Textual app: it only registers themes and pushes the first screens.

`make_app()` builds it for the command line and for the tests alike. A data folder
that needs a passphrase first (a new one, or an encrypted one the environment does
not unlock) opens on the first-start or the unlock screen; everything else waits
until the folder is open. The lock of an encrypted folder lives in `ui/lock.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from functools import partial
from typing import ClassVar

from textual.app import SystemCommand
from textual.binding import BindingType
from textual.markup import escape
from textual.notifications import SeverityLevel
from textual.screen import Screen

from facilitator.actions.data_folder import FolderState, Workspace
from facilitator.core.error_log import log_path, log_unexpected
from facilitator.core.errors import FacilitatorError
from facilitator.core.literal import visible
from facilitator.ui.boundary import Guarded, message_for
from facilitator.ui.keys import BLANK_ANYWHERE, QUIT, help_notes, help_rows, help_title, palette_commands
from facilitator.ui.lock import LockingApp, awake_clock
from facilitator.ui.screens.first_start import FirstStartScreen
from facilitator.ui.screens.home import HomeScreen
from facilitator.ui.screens.unlock import UnlockScreen
from facilitator.ui.theme import DEFAULT_THEME, HIGH_CONTRAST

THEME_META_KEY = "ui.theme"
# Actions a participant (or anyone at a blanked screen) must not reach.
LOCKED_ACTIONS = {"quit", "command_palette", "help_quit"}
# Actions out of reach while the folder waits for its passphrase: no palette, no blank.
UNLOCK_ACTIONS = {"command_palette", "blank"}
DAMAGE_CHECK_SECONDS = 1.0
WARNING_SECONDS = 6.0


class FacilitatorApp(Guarded, LockingApp):
    """Home screen first; the wall of `session_id` on top of it when one is given."""

    TITLE = "facilitator"
    CSS_PATH = "app.tcss"
    # Notices go by soon: they are also said on the screen (a status line, the data itself).
    NOTIFICATION_TIMEOUT = 3
    # The privacy blank works from every screen, even inside a text box (see `keys`).
    BINDINGS: ClassVar[list[BindingType]] = [QUIT, BLANK_ANYWHERE]

    def __init__(
        self,
        workspace: Workspace,
        session_id: str | None = None,
        *,
        blink: bool = True,
        idle_lock_seconds: float | None = None,
        clock: Callable[[], float] = awake_clock,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        # An id, or what the command line was given (resolved once the folder is open).
        self.session_id = session_id
        self.blink = blink
        self.setup_lock(idle_lock_seconds, clock)
        self.register_theme(HIGH_CONTRAST)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notification with its control characters made visible: messages often quote what was typed.

        Give `markup=False` whenever the message holds user text, so that "[b]" shows as typed.
        """
        shown = visible(message, multiline=True)
        if timeout is None and severity != "information":
            timeout = WARNING_SECONDS  # a problem is read to the end
        if self.covered:
            self.hold(shown, visible(title), severity, timeout, markup)
            return
        super().notify(shown, title=visible(title), severity=severity, timeout=timeout, markup=markup)

    async def on_mount(self) -> None:
        self.theme = DEFAULT_THEME
        await self.open_folder()

    async def open_folder(self) -> None:
        """The home screen at once if the folder is open (or the environment opens it), else
        the first-start screen (a new folder) or the unlock screen (an encrypted one) first."""
        from facilitator.store.key_file import WrongPassphrase

        ws = self.workspace
        if ws.state() in (FolderState.NEW, FolderState.LOCKED):
            with suppress(WrongPassphrase):  # the unlock screen asks for the right one
                ws.open_from_environment()
        state = ws.state()
        if state is FolderState.NEW:
            await self.push_screen(FirstStartScreen(ws, blink=self.blink), callback=self._folder_open)
        elif state is FolderState.LOCKED:
            unlock = UnlockScreen(ws, self.attempts, self.clock, blink=self.blink)
            await self.push_screen(unlock, callback=self._folder_open)
        else:
            await self.start()

    async def _folder_open(self, _opened: bool | None) -> None:
        await self.start()
        self.tell_held()

    async def start(self) -> None:
        """Once the folder is open: its theme, the home screen, the wall asked for, the checks."""
        store = self.workspace.store
        saved = store.meta.get(THEME_META_KEY)
        self.theme = saved if saved in self.available_themes else DEFAULT_THEME
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        home = HomeScreen(self.workspace, blink=self.blink)
        await self.push_screen(home)
        home.purge_due()
        session_id = self._session_to_open()
        if session_id and not home.tell_purged(session_id):
            from facilitator.ui.screens.wall import WallScreen

            await self.push_screen(WallScreen(self.workspace, session_id, blink=self.blink))
        tightened = self.workspace.tightened()
        if tightened:
            self.notify(tightened.sentence(), title="Data folder", timeout=10)
        self.report_damaged()
        # Screens and workers read as they go: a row found damaged later is reported soon after.
        self.set_interval(DAMAGE_CHECK_SECONDS, self.report_damaged)
        self.start_idle_lock()

    def _session_to_open(self) -> str | None:
        """The id of the session the app was asked to open on, or None (said in a notification)."""
        if not self.session_id:
            return None
        try:
            return self.workspace.store.sessions.get(self.session_id).id
        except FacilitatorError as error:
            self.notify(message_for(error), severity="error", markup=False)
            return None

    def report_damaged(self) -> None:
        """A notification for each stored row left out because it does not parse (each one once)."""
        if not self.screen_stack or self.covered:
            return  # kept until a screen (not the privacy blank, nor the lock) can show them
        for damaged in self.workspace.damaged():
            self.notify(damaged.line(), title="Damaged data", severity="warning", timeout=30, markup=False)

    def report_error(self, error: Exception) -> None:
        """The error boundary: one plain line for the facilitator, and a log entry if unexpected.

        The line goes to the screen's status line where it has one, else to a
        notification; a screen with a `recover` method shows the data again as it
        is now (a card deleted in another window goes). The app keeps running.
        """
        from facilitator.core.errors import FacilitatorError

        if not isinstance(error, FacilitatorError):
            log_unexpected(self.workspace.data_dir, error)
        message = message_for(error)
        recover = getattr(self.screen, "recover", None)
        if callable(recover):
            self.call_later(recover)
        say = getattr(self.screen, "say", None)
        if callable(say):
            say(message, warning=True)
        else:
            self.notify(message, severity="error", markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """What Textual calls for an error no handler caught.

        A failed background job is reported and the app goes on. Anything else has
        stopped part of the app, so it closes, with one plain line and no traceback.
        """
        from textual.worker import WorkerFailed

        if isinstance(error, WorkerFailed) and isinstance(error.error, Exception):
            self.report_error(error.error)
            return
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        error = self._exception
        if error is not None:
            log_unexpected(self.workspace.data_dir, error)
        self._exit_renderables.append(
            f"facilitator stopped after an unexpected error; everything saved is on disk. "
            f"Details for support: {log_path(self.workspace.data_dir)}"
        )
        self._close_messages_no_wait()

    def _remember_theme(self, theme: object) -> None:
        self.workspace.store.meta.set(THEME_META_KEY, self.theme)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from facilitator.ui.screens.blank import BlankScreen
        from facilitator.ui.screens.participant import ParticipantScreen

        if self.locked:
            return action not in UNLOCK_ACTIONS
        locked = isinstance(self.screen, BlankScreen | ParticipantScreen)
        return not (locked and action in LOCKED_ACTIONS)

    def action_blank(self) -> None:
        """Hide everything at once; the screen underneath (a half-typed comment too) comes back intact.

        Any key or click on the blank returns to the screen it covered, so a participant
        blanking the screen lands back in participant mode, never on the wall. Ctrl+L on
        the blank locks an encrypted folder, except in participant mode: there it only
        brings the participant's screen back, as any key does.
        """
        from facilitator.ui.screens.blank import BlankScreen

        if isinstance(self.screen, BlankScreen):
            if self.workspace.encrypted and not self.in_participant_mode:
                self.lock()
            else:
                self.screen.uncover()
            return
        self.cover()

    def action_help(self) -> None:
        """Every key of the current screen, from its bindings."""
        from facilitator.ui.screens.help import HelpScreen

        screen = self.screen
        self.push_screen(HelpScreen(help_title(screen), help_rows(screen), help_notes(screen)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette reaches every action of the current screen (from its bindings), then the colours
        and quitting.

        Textual's own "Theme" is called Colours here (the discussion has themes of its own).
        Its "Screenshot" is left out, since it would write participants' words to an unencrypted
        file, and so is its "Keys" panel: `?` is the help.
        """
        for command in palette_commands(screen):
            yield SystemCommand(
                escape(command.title),
                escape(command.help),
                partial(self.run_action, command.action, screen),
            )
        yield SystemCommand("Colours", "Choose the screen's colours (high contrast too)", self.search_themes)
        yield SystemCommand(
            "High-contrast colours",
            "Yellow and white on black",
            partial(self.use_colours, HIGH_CONTRAST.name),
        )
        yield SystemCommand(
            "Usual colours", "Back to the usual colours", partial(self.use_colours, DEFAULT_THEME)
        )
        yield SystemCommand("Quit", "Quit; everything is already saved", self.action_quit)

    def use_colours(self, theme: str) -> None:
        """Switch to the colours of `theme`; the data folder remembers them."""
        self.theme = theme


def make_app(
    workspace: Workspace,
    session_id: str | None = None,
    *,
    blink: bool = True,
    idle_lock_seconds: float | None = None,
    clock: Callable[[], float] = awake_clock,
) -> FacilitatorApp:
    """The app over a data folder; `session_id` (an id or its prefix) opens straight on that wall.

    Tests pass `blink=False` so that cursors do not blink in snapshots, and may give the
    idle lock in seconds and a clock to move on; by default the lock follows the folder's
    setting on a clock that counts the time the laptop sleeps.
    """
    return FacilitatorApp(
        workspace, session_id, blink=blink, idle_lock_seconds=idle_lock_seconds, clock=clock
    )


def run_app(workspace: Workspace, session_id: str | None = None) -> None:
    """Run the app in this terminal until the facilitator quits.

    A folder that opens without a passphrase is opened first, so that one that cannot
    be used is reported as one line by the command line rather than inside the app; a
    new or locked one opens on the app's own first-start or unlock screen.
    """
    if workspace.state() in (FolderState.PLAIN, FolderState.OPEN):
        workspace.store  # noqa: B018 - opens the database, or raises FacilitatorError
    make_app(workspace, session_id).run()
