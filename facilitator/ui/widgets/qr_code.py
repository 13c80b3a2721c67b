"""A QR code drawn with half blocks, dark on light whatever the theme.

A terminal cell is about twice as tall as it is wide, so a half block (one module
across, two down per cell) draws square modules that a phone can scan.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from facilitator.ui.boundary import Guarded

DARK_ON_LIGHT = Style(color="#000000", bgcolor="#ffffff")


def half_blocks(modules: Sequence[Sequence[bool]]) -> list[str]:
    """One line per two rows of modules (True is dark), one character per module across."""
    lines = []
    for row in range(0, len(modules), 2):
        top_row = modules[row]
        bottom_row = modules[row + 1] if row + 1 < len(modules) else [False] * len(top_row)
        lines.append(
            "".join(
                "█" if top and bottom else "▀" if top else "▄" if bottom else " "
                for top, bottom in zip(top_row, bottom_row, strict=True)
            )
        )
    return lines


class QRCode(Guarded, Static):
    """A QR code from its modules; `rows` is how many terminal lines it takes."""

    DEFAULT_CSS = """
    QRCode {
        width: auto;
        height: auto;
    }
    """

    def __init__(self, modules: Sequence[Sequence[bool]], *, id: str | None = None) -> None:
        self.lines = half_blocks(modules)
        super().__init__(Text("\n".join(self.lines), style=DARK_ON_LIGHT, no_wrap=True), id=id)

    @property
    def rows(self) -> int:
        return len(self.lines)

    @property
    def columns(self) -> int:
        return len(self.lines[0]) if self.lines else 0
