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

PALETTE = ("^p", "palette", "app.command_palette")


def key_pieces(bindings: Iterable[Binding]) -> list[Text]:
    """One `key description` piece per shown binding, digit groups folded, palette last."""
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
            entries.append(
                (f"{keys[0]}-{keys[-1]}" if len(keys) > 1 else keys[0], binding.group.description, None)
            )
        else:
            key = binding.key_display or binding.key.split(",")[0]
            entries.append((key, binding.description, f"screen.{binding.action}"))
    pieces = []
    for key, description, action in [*entries, PALETTE]:
        click = Style.from_meta({"@click": action}) if action else Style()
        piece = Text()
        piece.append(f" {key} ", style=Style.parse("bold reverse") + click)
        piece.append(f" {description} ", style=click)
        pieces.append(piece)
    return pieces


def key_bar_text(bindings: Iterable[Binding], width: int | None = None) -> Text:
    """`1-5 add  ? help  b blank ...`; with a width, lines break between keys, never inside one."""
    text = Text(no_wrap=True, overflow="ellipsis")
    column = 0
    for piece in key_pieces(bindings):
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

    def __init__(self, bindings: Iterable[Binding]) -> None:
        self.bindings = list(bindings)
        super().__init__(key_bar_text(self.bindings))

    def on_resize(self) -> None:
        self.update(key_bar_text(self.bindings, self.size.width))
