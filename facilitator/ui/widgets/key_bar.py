"""A bar of keys, drawn once; click a key to run it. It wraps to a second line on narrow screens.

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

NBSP = "\u00a0"


def key_bar_text(bindings: Iterable[Binding]) -> Text:
    """`1-5 add  ? help  b blank ...`: each shown binding once, digit groups folded.

    Inside a piece the spaces do not break, so a narrow screen wraps between keys,
    never between a key and what it does.
    """
    text = Text(overflow="ellipsis")
    seen_groups: set[str] = set()
    pieces: list[tuple[str, str, str | None]] = []
    bindings = list(bindings)
    for binding in bindings:
        if not binding.show:
            continue
        if binding.group is not None:
            if binding.group.description in seen_groups:
                continue
            seen_groups.add(binding.group.description)
            keys = [b.key for b in bindings_in_group(bindings, binding.group)]
            pieces.append(
                (f"{keys[0]}-{keys[-1]}" if len(keys) > 1 else keys[0], binding.group.description, None)
            )
        else:
            key = binding.key_display or binding.key.split(",")[0]
            pieces.append((key, binding.description, f"screen.{binding.action}"))
    for key, description, action in [*pieces, ("^p", "palette", "app.command_palette")]:
        click = Style.from_meta({"@click": action}) if action else Style()
        text.append(f"\u00a0{key}\u00a0", style=Style.parse("bold reverse") + click)
        text.append(f"\u00a0{description.replace(' ', NBSP)}\u00a0", style=click)
        text.append(" ")
    return text


def bindings_in_group(bindings: Iterable[Binding], group: Binding.Group) -> list[Binding]:
    return [b for b in bindings if b.group == group]


class KeyBar(Static):
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
