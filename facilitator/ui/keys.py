"""Keys as data: a screen's `BINDINGS` are the one source of its help, its palette and its key bar.

Each `Binding` carries an `id` (so keys can be remapped), a `description` (the
short label of the key bar) and a `tooltip` (the help text; its first sentence
is the palette's title). A binding with `show=False` stays out of the key bar
but is still listed in the help and the palette.

The order of `BINDINGS` is the order of importance, most-used first: the help
lists them in it, and when the key bar has no room the last ones leave it (never
the help, `HELP`, nor the palette).

A screen whose keys depend on its data (the wall's category keys come from the
session's scale) defines `key_bindings()`; every other screen's keys are its
class's own `BINDINGS`. Help may add `HELP_NOTES`: lines about what is not a key
of the screen (the note syntax, a list's own arrows). Commands made from data
rather than keys (each chart group by name) come from `data_commands()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from facilitator.core.statements import Category, Scale

# Every entry key a scale may use: a scale has 2 to 9 categories, entries 1-9.
ENTRY_KEYS = "123456789"

# Help, from every screen: ? wherever the focus is not in a text box, F1 always (even while
# typing). The key bar never drops it. A screen gives it its own tooltip with `replace`.
HELP_ACTION = "app.help"
HELP = Binding(
    "question_mark,f1",
    HELP_ACTION,
    "help",
    id="help",
    key_display="?",
    tooltip="All the keys of this screen (F1 too).",
)
# ...on a screen whose text box has the focus nearly all the time, where ? is typed as text:
# its key bar shows F1 only, the key that works everywhere (the help tells of ?).
HELP_WHILE_TYPING = Binding(
    "f1,question_mark",
    HELP_ACTION,
    "help",
    id="help",
    key_display="F1",
    tooltip="All the keys of this screen: F1, or ? when not typing in a box.",
)

# The privacy blank, from every screen where no text box has the focus. A screen
# whose key bar is full lists `replace(BLANK, show=False)`: help and palette still have it.
BLANK = Binding(
    "b",
    "app.blank",
    "blank",
    id="blank",
    key_display="b/^l",
    tooltip="Blank the screen at once; any key brings it back (Ctrl+L works even while typing).",
)
# ...and from everywhere, even while typing. Ctrl+L is the key shown: Ctrl+B is the
# tmux prefix and VS Code's sidebar key, so it is only the second way. Pressed again on
# the blank, it locks an encrypted folder (never in participant mode).
BLANK_ANYWHERE = Binding(
    "ctrl+l,ctrl+b",
    "app.blank",
    "blank",
    id="app.blank",
    key_display="^l",
    priority=True,
    show=False,
    tooltip="Blank the screen at once, even while typing; any key brings it back, Ctrl+L again locks.",
)
QUIT = Binding(
    "ctrl+q",
    "app.quit",
    "quit",
    id="app.quit",
    priority=True,
    show=False,
    tooltip="Quit; everything is already saved.",
)
# Textual binds the palette itself; this describes that key for help and the key bar.
PALETTE = Binding(
    App.COMMAND_PALETTE_BINDING,
    "app.command_palette",
    "palette",
    id="app.palette",
    key_display="^p",
    tooltip="Command palette: every action of this screen, and the colours (high contrast too).",
)
# The app's keys, listed at the end of every help.
APP_KEYS = (BLANK_ANYWHERE, PALETTE, QUIT)

_KEY_NAMES = {
    "question_mark": "?",
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "space": "Space",
    "delete": "Delete",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}


@dataclass(frozen=True)
class Command:
    """One entry of the command palette: its title, a line of help, and the action it runs."""

    title: str
    help: str
    action: str


def key_name(key: str) -> str:
    """How a key is written for people: `question_mark` is ?, `ctrl+l` is Ctrl+L, `f1` is F1."""
    *modifiers, last = key.strip().split("+")
    name = _KEY_NAMES.get(last, last.upper() if len(last) > 1 and last[0] == "f" else last)
    return "+".join([*(m.capitalize() for m in modifiers), name.capitalize() if modifiers else name])


def keys_text(binding: Binding) -> str:
    """Every key of a binding, for the help: `n, →`."""
    return ", ".join(key_name(key) for key in binding.key.split(","))


def first_sentence(text: str) -> str:
    """The first sentence of a tooltip, without its full stop: the palette's title."""
    head, _dot, _rest = text.partition(". ")
    return head.removesuffix(".")


def entries_text(entries: Sequence[str]) -> str:
    """`1-7` for consecutive entry keys, else `1, 2, 4`."""
    if len(entries) > 1 and all(b.isdigit() and int(b) == int(a) + 1 for a, b in pairwise(entries)):
        return f"{entries[0]}-{entries[-1]}"
    return ", ".join(entries)


def scale_entries(scale: Scale) -> str:
    """The entry keys of a scale as people read them: `1-5`."""
    return entries_text([c.entry for c in scale])


def for_scale(
    bindings: Iterable[Binding], scale: Scale, describe: Callable[[Category], str]
) -> list[Binding]:
    """`bindings` with the entry keys narrowed to the scale's own, each described by its category."""
    narrowed: list[Binding] = []
    for binding in bindings:
        if len(binding.key) == 1 and binding.key in ENTRY_KEYS:
            category = scale.by_entry(binding.key)
            if category is None:
                continue
            binding = replace(binding, tooltip=describe(category))
        narrowed.append(binding)
    return narrowed


def class_bindings(node_class: type[DOMNode]) -> list[Binding]:
    """A screen's (or widget's) class's own bindings, not those it inherits from Textual."""
    return [b for b in node_class.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]


def screen_keys(screen: Screen[Any]) -> list[Binding]:
    """The keys of a screen as bound now: `key_bindings()` if it has it, else its class's `BINDINGS`."""
    own = getattr(screen, "key_bindings", None)
    return list(own()) if own is not None else class_bindings(type(screen))


def app_keys(screen: Screen[Any]) -> tuple[Binding, ...]:
    """The app's keys that work on the screen: all of them, unless it says fewer (`APP_KEYS_HERE`)."""
    return tuple(getattr(screen, "APP_KEYS_HERE", APP_KEYS))


def help_rows(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, what they do) for every key of the screen, then the app's own keys that work there."""
    return [(keys_text(b), b.tooltip) for b in [*screen_keys(screen), *app_keys(screen)]]


def help_notes(screen: Screen[Any]) -> list[tuple[str, str]]:
    """What the help says beyond the keys: `HELP_NOTES` of the screen's class."""
    return list(getattr(screen, "HELP_NOTES", ()))


def help_title(screen: Screen[Any]) -> str:
    return str(getattr(screen, "HELP_TITLE", "Keys"))


def palette_commands(screen: Screen[Any]) -> list[Command]:
    """Every action of the screen's keys once, the blank, then the commands made from its data."""
    commands: list[Command] = []
    seen: set[str] = set()
    for binding in [*screen_keys(screen), BLANK_ANYWHERE]:
        if binding.action in seen:
            continue
        seen.add(binding.action)
        commands.append(Command(first_sentence(binding.tooltip), f"Key {keys_text(binding)}", binding.action))
    data_commands = getattr(screen, "data_commands", None)
    if data_commands is not None:
        commands.extend(data_commands())
    return commands


def key_bar_bindings(screen: Screen[Any]) -> list[Binding]:
    """The bindings of a screen's key bar: its own, then Ctrl+L if none of them blanks."""
    bindings = screen_keys(screen)
    if not any(b.action == BLANK.action for b in bindings):
        bindings.append(replace(BLANK_ANYWHERE, show=True))
    return bindings
