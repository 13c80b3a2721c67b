"""Turning what people wrote into text that is safe to show.

Comments are shown literally: Rich markup, ANSI escapes and HTML appear as the
characters typed. Everything the UI shows from user data goes through here and
becomes a `rich.text.Text`, never a markup string.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text

# Characters that reorder or hide text around them; shown as their code instead.
_INVISIBLE_FORMATS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def printable(value: str, *, keep_newlines: bool = False) -> str:
    """`value` with control characters made visible, for display only.

    C0 controls become their Unicode "control picture" (ESC shows as ␛), other
    controls and bidirectional overrides show as an escape such as \\u202e.
    The stored text is never changed.
    """
    out: list[str] = []
    for char in value:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char == "\t":
            out.append(" ")
        elif ord(char) < 0x20:
            out.append(chr(0x2400 + ord(char)))
        elif char == "\x7f":
            out.append("\u2421")
        elif char in _INVISIBLE_FORMATS or unicodedata.category(char) == "Cc":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def literal(value: str, style: str = "", *, keep_newlines: bool = False) -> Text:
    """User data as a Text that shows exactly what was typed (no markup, no escapes)."""
    return Text(printable(value, keep_newlines=keep_newlines), style=style)


def one_line(value: str, style: str = "") -> Text:
    """User data on one line (newlines shown as spaces), e.g. in a table cell."""
    return Text(printable(" ".join(value.split("\n"))), style=style)
