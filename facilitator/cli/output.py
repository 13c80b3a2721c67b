"""Printing lines that hold user or bundle text, made safe for the terminal.

Labels, comments, notes, theme names, codes, file names and error messages
quoting what was typed can hold escape sequences (one can write the terminal's
clipboard) or bidirectional overrides. Every such line goes out through here, so
they show as visible characters (ESC as ␛) and never reach the terminal raw.
The data itself is unchanged: CSV and JSON exports keep it byte for byte.
"""

from __future__ import annotations

import re

import click

from facilitator.core.literal import UNSAFE, visible


def echo(line: str, *, err: bool = False) -> None:
    """Print one line, its control characters, escapes and bidi marks made visible."""
    click.echo(visible(line), err=err)


def row(*cells: object, err: bool = False) -> None:
    """Print one tab-separated row, each cell made visible and kept on one line in its column."""
    click.echo("\t".join(visible(str(cell)) for cell in cells), err=err)


def echo_json(text: str) -> None:
    """Print JSON text with the characters `visible` would change written as \\u escapes.

    The JSON reads back to exactly the same data; only the terminal is spared.
    """
    click.echo(UNSAFE.sub(_json_escape, text))


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    return char if char < " " else f"\\u{ord(char):04x}"  # JSON itself escapes C0; its newlines stay


def size_words(count: int) -> str:
    """Bytes as a person reads them: 532 bytes, 48.0 KB, 3.2 MB."""
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count / (1024 * 1024):.1f} MB"
