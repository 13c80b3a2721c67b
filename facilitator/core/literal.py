"""Showing recorded text literally, wherever it goes (terminal, HTML, Markdown).

`visible` is the one place that makes text safe to show: everything a person
reads (the app, the command line, terminal charts, summaries and reports) goes
through it. Stored text and CSV/JSON exports are never changed by it.
"""

from __future__ import annotations

import re

# Everything that can drive a terminal or reorder what is read: C0 controls, DEL,
# C1 controls, and the bidirectional embeddings, overrides, isolates and marks.
# The two noncharacters U+FFFE and U+FFFF too: no format (XML, HTML) can carry them.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def _shown(char: str, multiline: bool) -> str:
    code = ord(char)
    if char in "\n\t" and multiline:
        return char
    if char == "\t":
        return " "
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"\\u{code:04x}"


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` made safe for a terminal: nothing in it can drive the terminal or reorder the text.

    - C0 controls become their Unicode control picture, so ESC shows as ␛, BEL as
      ␇ and NUL as ␀; DEL shows as ␡. A whole escape sequence (CSI, OSC ended by
      BEL or ST, any other) is thereby shown as the characters it is made of, e.g.
      ``␛[31m`` or ``␛]52;c;…␇``.
    - C1 controls (U+0080 to U+009F) and the bidirectional marks, embeddings,
      overrides and isolates (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to
      U+2069) and the noncharacters U+FFFE and U+FFFF show as their code, such as
      ``\\u009b`` or ``\\u202e``.
    - By default the result is one line: a newline shows as ␊ and a tab becomes a
      space (so a value stays in its column). With `multiline`, newlines and tabs
      are kept: they only move the cursor on.

    Markup (Rich, HTML, Markdown) is left as typed: give the result to a
    `rich.text.Text`, or escape it for the format it goes into.
    """
    if not UNSAFE.search(text):
        return text
    return UNSAFE.sub(lambda m: _shown(m.group(), multiline), text)


# Anywhere in a line: emphasis, code, links and images, HTML and autolinks, escapes.
MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>])")
# An entity or character reference (`&amp;`, `&#35;`) would be shown as the character it names.
MARKDOWN_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]*;)")
# At the start of a line: a heading, a list, a quote, a thematic break, a setext
# underline, a code fence, a table row.
MARKDOWN_LINE_START = re.compile(r"^([#+\-=~|>])|^([0-9]{1,9})([.)])")


def markdown(text: str, *, in_table: bool = False) -> str:
    """Text for Markdown that shows exactly as written, escaping only what Markdown would read.

    Escaped anywhere: \\ ` * _ [ ] < > and an & that starts an entity; at the start
    of a line: # + - = ~ | > and the "." or ")" of "1." or "1)"; in a table cell
    (`in_table`), every |. Other punctuation ("care?", "2010-10-12", "don't") is
    left alone. Lines become hard line breaks, and leading spaces become no-break
    spaces, so a comment can never turn into a heading, a list, a code block, a link
    or HTML.
    """
    lines = []
    for line in visible(text, multiline=True).replace("\t", " ").split("\n"):
        stripped = line.lstrip(" ")
        escaped = MARKDOWN_ENTITY.sub(r"\\&", MARKDOWN_INLINE.sub(r"\\\1", stripped))
        if in_table:
            escaped = escaped.replace("|", "\\|")
        escaped = MARKDOWN_LINE_START.sub(_line_start, escaped)
        lines.append("\u00a0" * (len(line) - len(stripped)) + escaped)
    return "\\\n".join(lines)


def _line_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)
