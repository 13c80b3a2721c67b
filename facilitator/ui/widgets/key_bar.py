"""A one-line bar of keys, drawn once.

Textual's Footer rebuilds itself on every focus change, which costs a tenth of a
second per post-it on a busy wall; this bar shows the screen's keys and never changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static


def key_bar_text(bindings: Iterable[Binding]) -> Text:
    """`1-5 add  ? help  b blank ...`: each shown binding once, digit groups folded."""
    text = Text(no_wrap=True, overflow="ellipsis")
    seen_groups: set[str] = set()
    pieces: list[tuple[str, str]] = []
    for binding in bindings:
        if not binding.show:
            continue
        if binding.group is not None:
            if binding.group.description in seen_groups:
                continue
            seen_groups.add(binding.group.description)
            keys = [b.key for b in bindings_in_group(bindings, binding.group)]
            pieces.append((f"{keys[0]}-{keys[-1]}" if len(keys) > 1 else keys[0], binding.group.description))
        else:
            pieces.append((binding.key_display or binding.key.split(",")[0], binding.description))
    for key, description in [*pieces, ("^p", "palette")]:
        text.append(f" {key} ", style="bold reverse")
        text.append(f" {description} ")
    return text


def bindings_in_group(bindings: Iterable[Binding], group: Binding.Group) -> list[Binding]:
    return [b for b in bindings if b.group == group]


class KeyBar(Static):
    """The keys of a screen, on one line at the bottom."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $panel;
    }
    """

    def __init__(self, bindings: Iterable[Binding]) -> None:
        self.bindings = list(bindings)
        super().__init__(key_bar_text(self.bindings))
