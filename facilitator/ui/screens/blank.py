"""The privacy blank: a neutral page with no data on it; any key brings the wall back."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import BindingType
from textual.screen import Screen

from facilitator.ui.boundary import Guarded


class BlankScreen(Guarded, Screen[None]):
    """Nothing but the background. Any key or click returns to the previous screen."""

    CSS_PATH = "blank.tcss"
    BINDINGS: ClassVar[list[BindingType]] = []  # no keys of its own: every key returns

    def __init__(self) -> None:
        super().__init__()
        self.answered = False  # True once a key or click lifts it: only then may the screen go

    def uncover(self) -> None:
        """Lift the blank: the screen it covered comes back."""
        self.answered = True
        self.dismiss(None)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.uncover()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.uncover()
