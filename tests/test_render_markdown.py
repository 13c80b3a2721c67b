"""Markdown shows recorded text exactly as written: ordinary punctuation is left alone, and
anything Markdown would read (emphasis, links, HTML, headings, lists, table pipes) is escaped.

Each case is rendered by a real Markdown reader (markdown-it-py, CommonMark with tables)
and the text a reader would see is compared with the text as it was typed.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from facilitator.outputs.document import (
    Bullets,
    Comment,
    Comments,
    Document,
    Paragraph,
    Quote,
    Section,
    Table,
)
from facilitator.outputs.render_markdown import render_markdown
from facilitator.outputs.summary import summary_markdown
from tests.five_sessions import CONSULTATION, HOSTILE, build
from tests.folders import open_folder

ORDINARY = "Does it care? 2010-10-12 don't (a) 50% e.g. it's \"fine\"; yes! {x} ~ = + #1 a.b 3.5"

HOSTILE_CASES = {
    "script": "<script>alert('x')</script>",
    "emphasis": "*bold* and **strong** and _under_ and __twice__",
    "code": "`tick` and ``two``",
    "link": "[link](x) and ![image](y.png) and <http://example.org>",
    "heading": "# heading",
    "heading later": "first line\n## second line is a heading",
    "numbered list": "1. first",
    "numbered list, bracket": "2) second",
    "bullets": "- one\n+ two\n* three",
    "quote": "> quoted",
    "thematic break": "above\n---",
    "setext heading": "title\n===",
    "fence": "```\ncode\n```",
    "indented code": "    four spaces",
    "backslashes": "C:\\temp\\ and \\* and a\\",
    "entities": "&amp; &#35; &copy; & alone",
    "html comment": "<!-- hidden -->",
    "pipe": "a | b",
}


class Shown(HTMLParser):
    """The text a reader sees in rendered HTML, and the elements it is laid out in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)  # a <br /> is followed by a newline already

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read(markdown: str) -> Shown:
    shown = Shown()
    shown.feed(MarkdownIt("commonmark").enable("table").render(markdown))
    return shown


def one_section(*blocks: object) -> Document:
    return Document("Title", None, (Section("Section", 1, tuple(blocks)),))  # type: ignore[arg-type]


def body(document: Document) -> str:
    """The Markdown of the document's one section, without its headings."""
    return render_markdown(document).split("## Section\n", 1)[1]


def as_typed(text: str) -> str:
    """What the reader should see: the text, with leading spaces as no-break spaces."""
    lines = text.split("\n")
    return "\n".join("\u00a0" * (len(line) - len(line.lstrip(" "))) + line.lstrip(" ") for line in lines)


def test_ordinary_punctuation_is_written_as_it_is() -> None:
    written = body(one_section(Paragraph(ORDINARY)))

    assert written.strip() == ORDINARY
    assert read(written).tags == ["p"]


@pytest.mark.parametrize("text", HOSTILE_CASES.values(), ids=HOSTILE_CASES.keys())
def test_text_that_looks_like_markdown_reads_as_its_own_words(text: str) -> None:
    shown = read(body(one_section(Paragraph(text))))

    # markdown-it-py drops the no-break spaces that start a paragraph; they are spaces all the same.
    assert "".join(shown.text).strip("\n") == as_typed(text).lstrip("\u00a0")
    assert set(shown.tags) <= {"p", "br"}


@pytest.mark.parametrize("text", HOSTILE_CASES.values(), ids=HOSTILE_CASES.keys())
def test_in_lists_quotes_and_comments_too(text: str) -> None:
    for block, frame in (
        (Bullets((text,)), {"ul", "li", "br"}),
        (Comments((Comment(text, "P1"),)), {"ul", "li", "br"}),
        (Quote(text, "Male adult"), {"blockquote", "p", "br"}),
    ):
        shown = read(body(one_section(block)))

        assert as_typed(text).lstrip("\u00a0") in "".join(shown.text)
        assert set(shown.tags) <= frame, (block, shown.tags)


@pytest.mark.parametrize("text", HOSTILE_CASES.values(), ids=HOSTILE_CASES.keys())
def test_a_table_cell_keeps_its_text_and_the_table_its_columns(text: str) -> None:
    table = Table(("Response", "Comment"), (("Agree", text), (text, "1")))
    shown = read(body(one_section(table)))

    assert shown.tags.count("td") == 4 and shown.tags.count("th") == 2
    # A cell is one line: its line breaks become spaces.
    one_line = " ".join(line.strip() for line in text.split("\n"))
    cells = [c.strip() for c in "".join(shown.text).split("\n") if c.strip()]
    assert cells == ["Response", "Comment", "Agree", one_line, one_line, "1"]
    assert set(shown.tags) <= {"table", "thead", "tbody", "tr", "th", "td"}


def test_a_summary_in_markdown_has_no_needless_escapes(tmp_path: Path) -> None:
    store = open_folder(tmp_path / "data")
    session = build(store)["Adult focus group 1"]

    written = summary_markdown(store, session, tmp_path / "summary.md")

    assert not {"\\?", "\\-", "\\'", "\\.", "\\(", "\\:"} & {written[i : i + 2] for i in range(len(written))}
    for ordinary in (CONSULTATION, "2010-03-01", "Social workers don't understand me"):
        assert ordinary in written
    shown = read(written)
    seen = "".join(shown.text)
    # Each comment is seen with its own asterisks, brackets and tags: none became markup.
    for hostile in HOSTILE:
        assert hostile.replace("\x1b", "␛") in seen
    assert not {"script", "a", "b"} & set(shown.tags)


def test_the_markdown_has_no_trailing_spaces_and_no_runs_of_blank_lines(tmp_path: Path) -> None:
    with open_folder(tmp_path / "data") as store:
        session = build(store)["Adult focus group 1"]
        text = summary_markdown(store, session, tmp_path / "summary.md")

    assert "\n\n\n" not in text
    assert not [line for line in text.split("\n") if line != line.rstrip()]
