"""Turning what people wrote into text that is safe to show.

Comments are shown literally: Rich markup, ANSI escapes and HTML appear as the
characters typed. Everything the UI shows from user data goes through here and
becomes a `rich.text.Text`, never a markup string; control characters are made
visible by `facilitator.core.literal.visible`, as everywhere else.
"""

from __future__ import annotations

from rich.text import Text

from facilitator.core.literal import visible


def literal(value: str, style: str = "", *, keep_newlines: bool = False) -> Text:
    """User data as a Text that shows exactly what was typed (no markup, no escapes)."""
    return Text(visible(value, multiline=keep_newlines), style=style)


def one_line(value: str, style: str = "") -> Text:
    """User data on one line (newlines shown as spaces), e.g. in a table cell."""
    return Text(visible(" ".join(value.split("\n"))), style=style)


def when(stamp: str | None) -> str:
    """`2024-05-01 10:02 UTC` from a stored stamp, or `never`."""
    if not stamp:
        return "never"
    return f"{stamp[:10]} {stamp[11:16]} UTC"
