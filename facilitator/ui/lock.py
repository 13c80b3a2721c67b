"""The lock of an encrypted data folder: after the idle minutes of its setting, or at
Ctrl+L twice, the unlock screen covers every screen, and those beneath keep what
they hold (a half-typed comment too). Participant mode never locks in front of
participants: it blanks instead, and the lock comes when participant mode is left.

While the lock or the privacy blank is up, the screens beneath may still finish what
they were doing (an export, a sync): a screen or a notification they bring waits until
the cover goes, and a screen that closes itself goes then, so that nothing shows above
the cover and nothing takes it away.
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
from facilitator.ui.screens.blank import BlankScreen
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
        self._uncovered: list[Callable[[], object]] = []
        # Participant mode blanked for the idle time: the lock comes when participant mode ends.
        self.lock_owed = False

    def start_idle_lock(self) -> None:
        self.last_input = self.clock()
        self.set_interval(IDLE_CHECK_SECONDS, self.lock_if_idle)

    def hold(
        self, message: str, title: str, severity: SeverityLevel, timeout: float | None, markup: bool
    ) -> None:
        """Keep a notification until the cover goes: nothing of the data shows while covered."""
        self._held.append((message, title, severity, timeout, markup))

    def tell_held(self, _result: object = None) -> None:
        """Once the cover has gone: the screens and notifications that came meanwhile, in order."""
        if self.covered:
            return  # e.g. the blank gave way to the lock: they wait for the unlock
        after, self._uncovered = self._uncovered, []
        for step in after:
            step()  # each looks again, in case it brings a cover back
        held, self._held = self._held, []
        for message, title, severity, timeout, markup in held:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    @property
    def covered(self) -> bool:
        """Whether nothing of the data may show: the lock is up, or the privacy blank is on top."""
        stack = self.screen_stack
        return self.locked or (bool(stack) and isinstance(stack[-1], BlankScreen))

    def cover(self) -> None:
        """The privacy blank over the current screen; what came meanwhile shows once it goes."""
        self.clear_notifications()
        self.push_screen(BlankScreen(), callback=self.tell_held)

    def _shows_over_the_cover(self, screen: Screen[Any] | str) -> bool:
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
        """A screen brought while covered (by a worker, beneath the cover) waits until it goes."""
        if self.covered and not wait_for_dismiss and mode is None and not self._shows_over_the_cover(screen):
            self._uncovered.append(partial(self.push_screen, screen, callback))
            return AwaitMount(self.screen, [])
        return super().push_screen(screen, callback, wait_for_dismiss, mode=mode)  # type: ignore[call-overload,no-any-return]

    def pop_screen(self) -> AwaitComplete:
        """A screen beneath the cover that closes itself goes when the cover does, not the cover."""
        top = self.screen
        if isinstance(top, LockScreen | BlankScreen) and not top.answered:
            self._uncovered.append(self.pop_screen)
            return AwaitComplete()
        popped = super().pop_screen()
        if self.lock_owed and not self.in_participant_mode:
            self.lock()  # participant mode left after it stood idle: whoever left it, the passphrase
        return popped

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
        if self.locked or not self.workspace.encrypted:
            return
        threshold = self.idle_threshold()
        if threshold is None or self.clock() - self.last_input < threshold:
            return
        if self.in_participant_mode:
            # Never the unlock screen in front of participants: the blank, and any key brings them back.
            self.lock_owed = True
            if not isinstance(self.screen, BlankScreen):
                self.cover()
            return
        self.lock()

    def lock(self) -> None:
        """Cover every screen with the unlock screen; those beneath keep what they hold."""
        if self.locked or not self.workspace.encrypted or self.in_participant_mode:
            return
        self.lock_owed = False
        if isinstance(self.screen, BlankScreen):
            self.screen.uncover()  # the lock covers what the blank covered
        self.clear_notifications()
        unlock = UnlockScreen(self.workspace, self.attempts, self.clock, idle=True, blink=self.blink)
        self.push_screen(unlock, callback=self._unlocked)

    def _unlocked(self, _unlocked: bool | None) -> None:
        self.last_input = self.clock()
        self.tell_held()
