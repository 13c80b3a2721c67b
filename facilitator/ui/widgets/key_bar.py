"""A bar of keys, drawn once; click a key to run it. It wraps onto a second line on narrow screens.

Textual's Footer rebuilds itself on every focus change, which costs a tenth of a
second per post-it on a busy wall (and buttons cost start-up time); this bar shows
the screen's keys, never changes, and each key is also a mouse target.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import PALETTE, entries_text


def click_action(binding: Binding) -> str:
    """What a click on the key runs: an action of the screen unless the binding names another."""
    return binding.action if "." in binding.action.split("(")[0] else f"screen.{binding.action}"


def key_pieces(bindings: Iterable[Binding], *, palette: bool = True) -> list[Text]:
    """One `key description` piece per shown binding, digit groups folded (`1-7 add`), palette last
    (unless the screen offers none)."""
    seen_groups: set[str] = set()
    entries: list[tuple[str, str, str | None]] = []
    bindings = list(bindings)
    for binding in bindings:
        if not binding.show:
            continue
        if binding.group is not None:
            if binding.group.description in seen_groups:
                continue
            seen_groups.add(binding.group.description)
            keys = [b.key for b in bindings_in_group(bindings, binding.group)]
            entries.append((entries_text(keys), binding.group.description, None))
        else:
            key = binding.key_display or binding.key.split(",")[0]
            entries.append((key, binding.description, click_action(binding)))
    if palette:
        entries.append((PALETTE.key_display or PALETTE.key, PALETTE.description, PALETTE.action))
    pieces = []
    for key, description, action in entries:
        click = Style.from_meta({"@click": action}) if action else Style()
        piece = Text()
        piece.append(f" {key} ", style=Style.parse("bold reverse") + click)
        piece.append(f" {description} ", style=click)
        pieces.append(piece)
    return pieces


def key_bar_text(bindings: Iterable[Binding], width: int | None = None, *, palette: bool = True) -> Text:
    """`1-7 add  ? help  b/^l blank ...`; with a width, lines break between keys, never inside one."""
    text = Text(no_wrap=True, overflow="ellipsis")
    column = 0
    for piece in key_pieces(bindings, palette=palette):
        size = piece.cell_len + 1
        if width is not None and column and column + size > width + 1:
            text.append("\n")
            column = 0
        text.append_text(piece)
        text.append(" ")
        column += size
    return text


def bindings_in_group(bindings: Iterable[Binding], group: Binding.Group) -> list[Binding]:
    return [b for b in bindings if b.group == group]


class KeyBar(Guarded, Static):
    """The keys of a screen at the bottom: one line, or two on a narrow screen."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        max-height: 2;
        background: $panel;
    }
    """

    def __init__(self, bindings: Iterable[Binding], *, palette: bool = True) -> None:
        self.bindings = list(bindings)
        self.palette = palette
        super().__init__(key_bar_text(self.bindings, palette=palette))

    def on_resize(self) -> None:
        self.update(key_bar_text(self.bindings, self.size.width, palette=self.palette))
