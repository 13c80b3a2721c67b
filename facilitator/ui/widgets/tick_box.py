"""A checkbox whose state shows as a mark, not only as a colour."""

from __future__ import annotations

from textual.widgets import Checkbox

from facilitator.ui.boundary import Guarded


class TickBox(Guarded, Checkbox):
    """Shows `X` when ticked and a blank when not (Textual's checkbox shows X in both, coloured)."""

    def on_mount(self) -> None:
        self._show_mark()

    def watch_value(self) -> None:
        super().watch_value()
        self._show_mark()

    def _show_mark(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        self.refresh()
