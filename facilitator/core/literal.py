"""Showing recorded text literally, wherever it goes (terminal, HTML, Markdown)."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def visible(text: str) -> str:
    """Text with control characters (ANSI escapes, bells…) replaced by their visible pictures.

    Newlines and tabs stay. An escape character can then never drive a terminal.
    """
    return CONTROL.sub(lambda m: "␡" if m.group() == "\x7f" else chr(0x2400 + ord(m.group())), text)


MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def markdown(text: str) -> str:
    """Text for Markdown that shows exactly as written: every ASCII punctuation mark escaped.

    Lines become hard line breaks, and leading spaces become no-break spaces, so a
    comment can never turn into a heading, a list, a code block, a link or HTML.
    """
    lines = []
    for line in visible(text).replace("\t", " ").split("\n"):
        stripped = line.lstrip(" ")
        lines.append("\u00a0" * (len(line) - len(stripped)) + MARKDOWN_SPECIAL.sub(r"\\\1", stripped))
    return "\\\n".join(lines)
