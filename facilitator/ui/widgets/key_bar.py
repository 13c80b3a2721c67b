"""A bar of keys, drawn once; click a key to run it. It wraps onto a second line on narrow screens.

Textual's Footer rebuilds itself on every focus change, which costs a tenth of a
second per post-it on a busy wall (and buttons cost start-up time); this bar shows
the screen's keys, never changes, and each key is also a mouse target.

A screen's bindings are listed most-used first. When they do not fit the bar's two
lines, the last ones leave the bar (they stay in the help and the palette); the
help key and the palette never leave it, so every key is always one step away.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import HELP_ACTION, PALETTE, entries_text

# The bar's height at most: the screen above it needs the rest.
KEY_BAR_LINES = 2


@dataclass(frozen=True)
class KeyEntry:
    """One key of the bar: what is shown, what a click runs, and whether it may leave the bar."""

    key: str
    description: str
    action: str | None
    kept: bool = False  # the help and the palette: never dropped

    def piece(self) -> Text:
        click = Style.from_meta({"@click": self.action}) if self.action else Style()
        piece = Text()
        piece.append(f" {self.key} ", style=Style.parse("bold reverse") + click)
        piece.append(f" {self.description} ", style=click)
        return piece


def click_action(binding: Binding) -> str:
    """What a click on the key runs: an action of the screen unless the binding names another."""
    return binding.action if "." in binding.action.split("(")[0] else f"screen.{binding.action}"


def key_entries(bindings: Iterable[Binding], *, palette: bool = True) -> list[KeyEntry]:
    """One entry per shown binding in their order, digit groups folded (`1-7 add`), palette last
    (unless the screen offers none)."""
    seen_groups: set[str] = set()
    entries: list[KeyEntry] = []
    bindings = list(bindings)
    for binding in bindings:
        if not binding.show:
            continue
        if binding.group is not None:
            if binding.group.description in seen_groups:
                continue
            seen_groups.add(binding.group.description)
            keys = [b.key for b in bindings_in_group(bindings, binding.group)]
            entries.append(KeyEntry(entries_text(keys), binding.group.description, None))
        else:
            key = binding.key_display or binding.key.split(",")[0]
            entries.append(
                KeyEntry(key, binding.description, click_action(binding), binding.action == HELP_ACTION)
            )
    if palette:
        entries.append(
            KeyEntry(PALETTE.key_display or PALETTE.key, PALETTE.description, PALETTE.action, True)
        )
    return entries


def lines_needed(entries: Iterable[KeyEntry], width: int) -> int:
    """How many lines of `width` the entries take, broken between keys."""
    lines, column = 1, 0
    for entry in entries:
        size = entry.piece().cell_len + 1
        if column and column + size > width + 1:
            lines += 1
            column = 0
        column += size
    return lines


def fitting(entries: list[KeyEntry], width: int, lines: int = KEY_BAR_LINES) -> list[KeyEntry]:
    """The entries that fit `lines` lines: the first ones in order, and the kept ones always."""
    spare = [e for e in entries if not e.kept]
    for count in range(len(spare), -1, -1):
        shown = {id(e) for e in spare[:count]}
        chosen = [e for e in entries if e.kept or id(e) in shown]
        if lines_needed(chosen, width) <= lines:
            return chosen
    return [e for e in entries if e.kept]


def key_bar_text(
    bindings: Iterable[Binding],
    width: int | None = None,
    *,
    palette: bool = True,
    lines: int = KEY_BAR_LINES,
) -> Text:
    """`1-7 add  ? help  b/^l blank ...`; with a width, lines break between keys, never inside one,
    and the last keys leave the bar when they do not fit its lines (never the help nor the palette)."""
    entries = key_entries(bindings, palette=palette)
    if width is not None:
        entries = fitting(entries, width, lines)
    text = Text(no_wrap=True, overflow="ellipsis")
    column = 0
    for entry in entries:
        piece = entry.piece()
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

    def show(self, bindings: Iterable[Binding]) -> None:
        """Other keys for a while (a screen in the middle of something), or the screen's again."""
        bindings = list(bindings)
        if bindings != self.bindings:
            self.bindings = bindings
            self.update(key_bar_text(self.bindings, self.size.width or None, palette=self.palette))
