"""The Textual app: it only registers themes and pushes the first screens.

`make_app()` builds it for the command line and for the tests alike.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.markup import escape
from textual.screen import Screen

from facilitator.actions.data_folder import Workspace
from facilitator.ui.keys import BLANK_ANYWHERE, QUIT, help_notes, help_rows, help_title, palette_commands
from facilitator.ui.screens.home import HomeScreen
from facilitator.ui.theme import DEFAULT_THEME, HIGH_CONTRAST

THEME_META_KEY = "ui.theme"
# Set by the start-up benchmark: leave as soon as the first screen is ready.
EXIT_WHEN_READY_ENV = "FACILITATOR_EXIT_WHEN_READY"
# Actions a participant (or anyone at a blanked screen) must not reach.
LOCKED_ACTIONS = {"quit", "command_palette", "help_quit"}


class FacilitatorApp(App[None]):
    """Home screen first; the wall of `session_id` on top of it when one is given."""

    TITLE = "facilitator"
    # The privacy blank works from every screen, even inside a text box (see `keys`).
    BINDINGS: ClassVar[list[BindingType]] = [QUIT, BLANK_ANYWHERE]

    def __init__(self, workspace: Workspace, session_id: str | None = None, *, blink: bool = True) -> None:
        super().__init__()
        self.workspace = workspace
        self.session_id = session_id
        self.blink = blink
        self.register_theme(HIGH_CONTRAST)

    async def on_mount(self) -> None:
        saved = self.workspace.store.meta.get(THEME_META_KEY)
        self.theme = saved if saved in self.available_themes else DEFAULT_THEME
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        await self.push_screen(HomeScreen(self.workspace, blink=self.blink))
        if self.session_id:
            from facilitator.ui.screens.wall import WallScreen

            await self.push_screen(WallScreen(self.workspace, self.session_id, blink=self.blink))
        if os.environ.get(EXIT_WHEN_READY_ENV):
            self.call_after_refresh(self.exit)

    def _remember_theme(self, theme: object) -> None:
        self.workspace.store.meta.set(THEME_META_KEY, self.theme)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from facilitator.ui.screens.blank import BlankScreen
        from facilitator.ui.screens.participant import ParticipantScreen

        locked = isinstance(self.screen, BlankScreen | ParticipantScreen)
        return not (locked and action in LOCKED_ACTIONS)

    def action_blank(self) -> None:
        """Hide everything at once; the screen underneath (a half-typed comment too) comes back intact.

        Any key or click on the blank returns to the screen it covered, so a participant
        blanking the screen lands back in participant mode, never on the wall.
        """
        from facilitator.ui.screens.blank import BlankScreen

        if isinstance(self.screen, BlankScreen):
            self.screen.dismiss(None)
            return
        self.clear_notifications()
        self.push_screen(BlankScreen())

    def action_help(self) -> None:
        """Every key of the current screen, from its bindings."""
        from facilitator.ui.screens.help import HelpScreen

        screen = self.screen
        self.push_screen(HelpScreen(help_title(screen), help_rows(screen), help_notes(screen)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette reaches every action of the current screen (from its bindings), then the app's own."""
        for command in palette_commands(screen):
            yield SystemCommand(
                escape(command.title),
                escape(command.help),
                partial(self.run_action, command.action, screen),
            )
        yield from super().get_system_commands(screen)


def make_app(workspace: Workspace, session_id: str | None = None, *, blink: bool = True) -> FacilitatorApp:
    """The app over a data folder; `session_id` opens straight on that wall.

    Tests pass `blink=False` so that cursors do not blink in snapshots.
    """
    return FacilitatorApp(workspace, session_id, blink=blink)


def run_app(workspace: Workspace, session_id: str | None = None) -> None:
    """Run the app in this terminal until the facilitator quits.

    The database is opened first, so that a data folder that cannot be used is
    reported as one line by the command line rather than inside the app.
    """
    workspace.store  # noqa: B018 - opens the database, or raises FacilitatorError
    make_app(workspace, session_id).run()
