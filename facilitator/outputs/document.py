"""The document model: what a summary or a report says, before it is HTML, Markdown or Word.

A document is built once (`outputs.report.report_document`, `outputs.summary.summary_document`)
and rendered by each writer (`outputs.render_html`, `outputs.render_markdown`,
`outputs.render_docx`). Every string here is plain text, never markup: each renderer
escapes it for its own format. Recorded text (comments, notes, labels) has already
passed through the pseudonym map by the time it is put into a document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeAlias, TypeVar


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text, with optional footnotes (numbered by the renderer)."""

    text: str
    footnotes: tuple[str, ...] = ()
    style: str = ""  # "", "note" (a quieter remark, "No comments on this statement.") or "code"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Placeholder:
    """Text for the author to write, clearly marked in every format: "[Write the executive summary …]"."""

    prompt: str


@dataclass(frozen=True)
class Table:
    """A table of plain text cells. `numeric` marks the columns to align right."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()
    caption: str = ""
    nowrap: tuple[int, ...] = ()  # columns kept on one line (dates)


@dataclass(frozen=True)
class Figure:
    """A chart with its caption: the caption is the chart's title, never drawn in the image.

    `files` maps a format ("png", "svg") to the chart file's name, relative to the
    folder the document is written into (the renderer is given that folder).
    """

    caption: str
    files: Mapping[str, str]
    alt: str
    table: Table | None = None
    n_text: str = ""  # "n = 46", or "n = 44 of 46 participants"
    kind: str = "figure"  # "figure" (Figures 1..N), "comparison" (diverging), "appendix"


@dataclass(frozen=True)
class Quote:
    """A verbatim quote with its descriptor only, "(Male young offender)"."""

    text: str
    descriptor: str = ""
    also: tuple[str, ...] = ()  # other themes it is tagged with


@dataclass(frozen=True)
class CaseStudy:
    """A case study: its title (after the pseudonym map, e.g. "Dave") and its text."""

    title: str
    text: str
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comment:
    """A post-it comment with where it came from (a chart group or a participant code)."""

    text: str
    source: str = ""


@dataclass(frozen=True)
class Comments:
    """A list of post-it comments under one response.

    `items` may be streamed from the store (a report of many post-its): renderers
    iterate it once, in order, and never take its length.
    """

    items: Iterable[Comment]


@dataclass(frozen=True)
class Image:
    """A picture that is not a chart (the receipt's QR code), as PNG bytes with its alternative text."""

    png: bytes
    alt: str


Block: TypeAlias = Paragraph | Bullets | Placeholder | Table | Figure | Quote | CaseStudy | Comments | Image


@dataclass(frozen=True)
class Section:
    """A heading (level 1–4) and what follows it, then its subsections."""

    title: str
    level: int
    blocks: tuple[Block, ...] = ()
    sections: Iterable[Section] = ()  # may be streamed: iterated once, in order
    appendix: bool = False  # starts the appendices (a page break before it in print)


@dataclass(frozen=True)
class Cover:
    """The cover page: title, organisation and date (each may be a placeholder's prompt)."""

    title: str
    organisation: str = ""
    date: str = ""
    subtitle: str = ""


@dataclass(frozen=True)
class Document:
    """A whole summary or report: its cover, then its sections in order."""

    title: str
    cover: Cover | None = None
    sections: tuple[Section, ...] = field(default_factory=tuple)


class Footnotes:
    """Footnote numbers in reading order, as a renderer meets them; each section lists its own.

    A renderer calls `add` for each paragraph it writes and `take` at the end of a
    section's own blocks, so numbering works on a streamed document too.
    """

    def __init__(self) -> None:
        self._count = 0
        self._pending: list[tuple[int, str]] = []

    def add(self, paragraph: Paragraph) -> list[int]:
        """Number the paragraph's footnotes; returns their numbers."""
        numbers = []
        for text in paragraph.footnotes:
            self._count += 1
            numbers.append(self._count)
            self._pending.append((self._count, text))
        return numbers

    def take(self) -> list[tuple[int, str]]:
        """The footnotes numbered since the last call, to list at the end of a section."""
        pending, self._pending = self._pending, []
        return pending


T = TypeVar("T")


class Streamed(Generic[T]):
    """Items made afresh from the store each time they are iterated (never all in memory)."""

    def __init__(self, make: Callable[[], Iterator[T]]) -> None:
        self._make = make

    def __iter__(self) -> Iterator[T]:
        return self._make()
