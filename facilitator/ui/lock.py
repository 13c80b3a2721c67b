"""The lock of an encrypted data folder: after the idle minutes of its setting, or at
Ctrl+L twice, the unlock screen covers every screen, and those beneath keep what
they hold (a half-typed comment too). Participant mode never locks in front of
participants: it blanks instead.

While the lock is up, the screens beneath may still finish what they were doing (an
export, a sync): a screen they bring waits until the unlock, and one that closes
itself goes then, so that neither shows above the lock nor takes it away.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, overload

from textual import events
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.notifications import SeverityLevel
from textual.screen import Screen, ScreenResultCallbackType, ScreenResultType
from textual.widget import AwaitMount

from facilitator.actions.data_folder import Workspace
from facilitator.actions.locking import idle_lock_minutes
from facilitator.ui.screens.first_start import FirstStartScreen
from facilitator.ui.screens.unlock import Attempts, UnlockScreen

IDLE_CHECK_SECONDS = 1.0
Held = tuple[str, str, SeverityLevel, float | None, bool]
LockScreen = UnlockScreen | FirstStartScreen


def awake_clock() -> float:
    """Seconds on a clock that goes on while the laptop sleeps, so that a lid closed for an hour
    and opened by someone else finds the app locked (the monotonic clock stops in sleep)."""
    if hasattr(time, "CLOCK_BOOTTIME"):  # Linux
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    if sys.platform == "darwin":  # macOS's CLOCK_MONOTONIC counts sleep; time.monotonic does not
        return time.clock_gettime(time.CLOCK_MONOTONIC)
    return time.monotonic()


class LockingApp(App[None]):
    """The app's part that locks: it counts idle time, and covers the screens when it is up."""

    workspace: Workspace
    blink: bool

    def setup_lock(self, idle_lock_seconds: float | None, clock: Callable[[], float]) -> None:
        """`idle_lock_seconds` None follows the folder's setting (`idle_lock_minutes`)."""
        self.idle_lock_seconds = idle_lock_seconds
        self.clock = clock
        self.last_input = clock()
        self.attempts = Attempts()
        self._held: list[Held] = []
        self._after_unlock: list[Callable[[], object]] = []

    def start_idle_lock(self) -> None:
        self.last_input = self.clock()
        self.set_interval(IDLE_CHECK_SECONDS, self.lock_if_idle)

    def hold(
        self, message: str, title: str, severity: SeverityLevel, timeout: float | None, markup: bool
    ) -> None:
        """Keep a notification until the app is unlocked: nothing of the data shows while locked."""
        self._held.append((message, title, severity, timeout, markup))

    def tell_held(self) -> None:
        """The screens and notifications that came while the app was locked, in their order."""
        after, self._after_unlock = self._after_unlock, []
        for step in after:
            step()
        held, self._held = self._held, []
        for message, title, severity, timeout, markup in held:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _shows_over_the_lock(self, screen: Screen[Any] | str) -> bool:
        """The lock itself, its help, and the first start's own question (no data exists yet)."""
        from facilitator.ui.screens.help import HelpScreen

        return isinstance(screen, LockScreen | HelpScreen) or isinstance(self.screen, FirstStartScreen)

    if TYPE_CHECKING:

        @overload
        def push_screen(
            self,
            screen: Screen[ScreenResultType] | str,
            callback: ScreenResultCallbackType[ScreenResultType] | None = None,
            wait_for_dismiss: Literal[False] = False,
            *,
            mode: str | None = None,
        ) -> AwaitMount: ...

        @overload
        def push_screen(
            self,
            screen: Screen[ScreenResultType] | str,
            callback: ScreenResultCallbackType[ScreenResultType] | None = None,
            wait_for_dismiss: Literal[True] = True,
            *,
            mode: str | None = None,
        ) -> asyncio.Future[ScreenResultType]: ...

    def push_screen(
        self,
        screen: Screen[ScreenResultType] | str,
        callback: ScreenResultCallbackType[ScreenResultType] | None = None,
        wait_for_dismiss: bool = False,
        *,
        mode: str | None = None,
    ) -> AwaitMount | asyncio.Future[ScreenResultType]:
        """A screen brought while locked (a worker's, beneath the lock) waits for the unlock."""
        if self.locked and not wait_for_dismiss and mode is None and not self._shows_over_the_lock(screen):
            self._after_unlock.append(partial(super().push_screen, screen, callback))
            return AwaitMount(self.screen, [])
        return super().push_screen(screen, callback, wait_for_dismiss, mode=mode)  # type: ignore[call-overload,no-any-return]

    def pop_screen(self) -> AwaitComplete:
        """A screen beneath the lock that closes itself goes at the unlock, not the lock above it."""
        top = self.screen
        if isinstance(top, LockScreen) and not top.answered:
            self._after_unlock.append(super().pop_screen)
            return AwaitComplete()
        return super().pop_screen()

    async def on_event(self, event: events.Event) -> None:
        """Every key, click and mouse move from the terminal counts as activity for the idle lock."""
        if isinstance(event, events.InputEvent | events.Paste) and not event.is_forwarded:
            self.last_input = self.clock()
        await super().on_event(event)

    @property
    def locked(self) -> bool:
        """Whether the folder waits for its passphrase (first start, unlock, or the lock)."""
        return any(isinstance(screen, LockScreen) for screen in self.screen_stack)

    @property
    def in_participant_mode(self) -> bool:
        from facilitator.ui.screens.participant import ParticipantScreen

        return any(isinstance(screen, ParticipantScreen) for screen in self.screen_stack)

    def idle_threshold(self) -> float | None:
        """Seconds with no key or mouse before the lock; None when it is off."""
        if self.idle_lock_seconds is not None:
            return self.idle_lock_seconds
        minutes = idle_lock_minutes(self.workspace.store)
        return None if minutes is None else minutes * 60.0

    def lock_if_idle(self) -> None:
        """Lock an encrypted folder left idle; in participant mode, blank the screen instead."""
        from facilitator.ui.screens.blank import BlankScreen

        if self.locked or not self.workspace.encrypted:
            return
        threshold = self.idle_threshold()
        if threshold is None or self.clock() - self.last_input < threshold:
            return
        if self.in_participant_mode:
            # Never the unlock screen in front of participants: the blank, and any key brings them back.
            if not isinstance(self.screen, BlankScreen):
                self.clear_notifications()
                self.push_screen(BlankScreen())
            return
        self.lock()

    def lock(self) -> None:
        """Cover every screen with the unlock screen; those beneath keep what they hold."""
        from facilitator.ui.screens.blank import BlankScreen

        if self.locked or not self.workspace.encrypted or self.in_participant_mode:
            return
        if isinstance(self.screen, BlankScreen):
            self.pop_screen()  # the lock covers what the blank covered
        self.clear_notifications()
        unlock = UnlockScreen(self.workspace, self.attempts, self.clock, idle=True, blink=self.blink)
        self.push_screen(unlock, callback=self._unlocked)

    def _unlocked(self, _unlocked: bool | None) -> None:
        self.last_input = self.clock()
        self.tell_held()
