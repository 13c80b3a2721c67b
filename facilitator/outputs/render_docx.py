"""The document model as a Word document (python-docx).

Sections become real `Heading 1..4` paragraphs (so Word's table of contents
works), figures a picture with a `Caption` paragraph holding a `SEQ Figure`
field, tables real tables with a repeating header row. Footnotes are shown as
superscript numbers with a "Notes" list at the end of their section (python-docx
has no footnote part). Every recorded string goes in as a literal run, with
control characters shown visibly, so nothing typed can become Word markup.

With a template, its styles, page setup, headers and footers are used; a style
it lacks falls back to direct formatting. python-docx and lxml are imported
only here, inside the functions.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.core.errors import FacilitatorError
from facilitator.core.files import write_atomic
from facilitator.core.literal import visible
from facilitator.outputs.document import (
    Block,
    Bullets,
    CaseStudy,
    Comments,
    Cover,
    Document,
    Figure,
    Image,
    Paragraph,
    Placeholder,
    Quote,
    Section,
    Table,
)

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.text.paragraph import Paragraph as WordParagraph

FIGURE_WIDTH_CM = 16.0
IMAGE_WIDTH_CM = 4.0
# Fixed, so that the same data gives the same document properties on every run.
FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)
HEADING_SIZES = {1: 16, 2: 13, 3: 12, 4: 11}
# Characters XML 1.0 cannot hold at all and `visible` leaves alone: lone surrogates and U+FFFE/U+FFFF.
NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
# A caption that already says "Figure 3: ": Word numbers the figure itself (a SEQ field).
NUMBERED = re.compile(r"^Figure \d+:\s*")


def literal(text: str) -> str:
    """Recorded text as it goes into a Word run: shown as typed, never raising in XML.

    Newlines and tabs stay (python-docx makes them breaks and tabs); every other
    control character, and the bidirectional overrides, show visibly.
    """
    shown = visible(text, multiline=True)
    return NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", shown)


def render_docx(document: Document, folder: Path, out: Path, *, template: Path | None = None) -> None:
    """Write `document` as a .docx file at `out`; chart files are read from `folder`.

    `template` is an organisation's .docx whose styles are used (its body is
    dropped). Everything is built in memory and written at once (0600), so a
    refusal (a bad template, a figure without its PNG) leaves nothing behind.
    """
    data = docx_bytes(document, folder, template=template)
    write_atomic(out, data)


def docx_bytes(document: Document, folder: Path, *, template: Path | None = None) -> bytes:
    """`document` as the bytes of a .docx file (see `render_docx`)."""
    import docx

    if template is not None:
        from facilitator.outputs.docx_template import open_template

        word = open_template(template)
    else:
        word = docx.Document()
        _page_numbers(word)
    writer = _Writer(word, folder)
    if document.cover is not None:
        writer.cover(document.cover)
    for section in document.sections:
        writer.section(section)
    _properties(word, document.title)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _properties(word: WordDocument, title: str) -> None:
    props = word.core_properties
    props.title = literal(title)
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.subject = ""
    props.keywords = ""
    props.category = ""
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME


def _field(paragraph: WordParagraph, instruction: str, shown: str) -> None:
    """A complex field (PAGE, SEQ Figure) with `shown` as its current result; Word updates it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> None:
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def _page_numbers(word: WordDocument) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for section in word.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(paragraph, "PAGE", "1")


class _Writer:
    """Adds the model's blocks to a python-docx document, in order."""

    def __init__(self, word: WordDocument, folder: Path) -> None:
        self.word = word
        self.folder = folder
        self.figures = 0
        self.footnotes = 0

    # ------------------------------------------------------------ styles

    def has_style(self, name: str) -> bool:
        try:
            self.word.styles[name]
        except KeyError:
            return False
        return True

    def paragraph(self, style: str = "", text: str = "") -> WordParagraph:
        """A new paragraph in `style` if the document has it (else unstyled), with literal `text`."""
        paragraph = self.word.add_paragraph(style=style if style and self.has_style(style) else None)
        if text:
            paragraph.add_run(literal(text))
        return paragraph

    def heading(self, text: str, level: int, *, new_page: bool = False) -> WordParagraph:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        level = min(max(level, 1), 9)
        style = f"Heading {level}"
        paragraph = self.paragraph(style)
        run = paragraph.add_run(literal(text))
        if not self.has_style(style):
            run.bold = True
            run.font.size = Pt(HEADING_SIZES.get(level, 11))
            paragraph.paragraph_format.keep_with_next = True
            # An outline level keeps the heading in Word's table of contents without the style.
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), str(level - 1))
            paragraph._p.get_or_add_pPr().append(outline)
        if new_page:
            paragraph.paragraph_format.page_break_before = True
        return paragraph

    # ------------------------------------------------------------ cover and sections

    def cover(self, cover: Cover) -> None:
        from docx.enum.text import WD_BREAK
        from docx.shared import Pt

        title = self.paragraph("Title")
        run = title.add_run(literal(cover.title))
        if not self.has_style("Title"):
            run.bold = True
            run.font.size = Pt(26)
        if cover.subtitle:
            subtitle = self.paragraph("Subtitle")
            run = subtitle.add_run(literal(cover.subtitle))
            if not self.has_style("Subtitle"):
                run.font.size = Pt(16)
        for line in (cover.organisation, cover.date):
            if line:
                self.paragraph(text=line).runs[0].font.size = Pt(14)
        self.word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def section(self, section: Section) -> None:
        self.heading(section.title, section.level, new_page=section.appendix)
        notes: list[tuple[int, str]] = []
        for block in section.blocks:
            self.block(block, notes)
        if notes:
            self.notes(notes, section.level)
        for subsection in section.sections:
            self.section(subsection)

    def notes(self, notes: list[tuple[int, str]], level: int) -> None:
        from docx.shared import Pt

        label = self.paragraph(text="Notes")
        label.runs[0].bold = True
        label.paragraph_format.keep_with_next = True
        for number, text in notes:
            paragraph = self.paragraph()
            mark = paragraph.add_run(str(number))
            mark.font.superscript = True
            paragraph.add_run(" " + literal(text))
            for run in paragraph.runs:
                run.font.size = Pt(9)

    # ------------------------------------------------------------ blocks

    def block(self, block: Block, notes: list[tuple[int, str]]) -> None:
        if isinstance(block, Paragraph):
            self.text(block, notes)
        elif isinstance(block, Bullets):
            for entry in block.items:
                self.bullet(entry)
        elif isinstance(block, Placeholder):
            self.placeholder(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Figure):
            self.figure(block)
        elif isinstance(block, Quote):
            self.quote(block)
        elif isinstance(block, CaseStudy):
            self.case_study(block)
        elif isinstance(block, Comments):
            for comment in block.items:
                item = self.bullet(comment.text)
                if comment.source:
                    item.add_run(" (" + literal(comment.source) + ")").italic = True
        elif isinstance(block, Image):
            self.image(block)
        else:  # pragma: no cover - every kind of block is handled above
            raise TypeError(f"unknown block {type(block).__name__}")

    def text(self, block: Paragraph, notes: list[tuple[int, str]]) -> None:
        from docx.shared import RGBColor

        paragraph = self.paragraph(text=block.text)
        if block.style == "note":
            for run in paragraph.runs:
                run.italic = True
                run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        for footnote in block.footnotes:
            self.footnotes += 1
            paragraph.add_run(str(self.footnotes)).font.superscript = True
            notes.append((self.footnotes, footnote))

    def bullet(self, text: str) -> WordParagraph:
        if self.has_style("List Bullet"):
            return self.paragraph("List Bullet", text)
        paragraph = self.paragraph(text="\u2022 " + text)
        paragraph.paragraph_format.left_indent = _cm(0.6)
        return paragraph

    def placeholder(self, block: Placeholder) -> None:
        from docx.enum.text import WD_COLOR_INDEX

        prompt = block.prompt if block.prompt.startswith("[") else f"[{block.prompt}]"
        paragraph = self.paragraph(text=prompt)
        for run in paragraph.runs:
            run.bold = True
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    def table(self, block: Table) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        if block.caption:
            caption = self.paragraph("Caption", block.caption)
            caption.paragraph_format.keep_with_next = True
        table = self.word.add_table(rows=1 + len(block.rows), cols=len(block.header))
        if self.has_style("Table Grid"):
            table.style = self.word.styles["Table Grid"]
        header = table.rows[0]
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(repeat)
        for index, row in enumerate([block.header, *block.rows]):
            for column, (cell, value) in enumerate(zip(table.rows[index].cells, row, strict=False)):
                paragraph = cell.paragraphs[0]
                run = paragraph.add_run(literal(value))
                if index == 0:
                    run.bold = True
                if column in block.numeric:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.word.add_paragraph()  # Word joins two tables that touch

    def figure(self, figure: Figure) -> None:
        from docx.image.exceptions import UnrecognizedImageError
        from docx.shared import Cm, Pt

        png = figure.files.get("png")
        if not png:
            raise FacilitatorError(
                f"the chart {visible(figure.caption)!r} has no PNG file, which a Word document needs"
            )
        path = self.folder / png
        try:
            picture = path.read_bytes()
        except OSError as error:
            raise FacilitatorError(f"cannot read the chart {path}: {error.strerror or error}") from None
        holder = self.word.add_paragraph()
        holder.paragraph_format.keep_with_next = True
        try:
            shape = holder.add_run().add_picture(io.BytesIO(picture), width=Cm(FIGURE_WIDTH_CM))
        except UnrecognizedImageError:
            raise FacilitatorError(f"the chart {path} is not a picture Word can show") from None
        shape._inline.docPr.set("descr", literal(figure.alt))
        caption = self.paragraph("Caption")
        if figure.kind == "appendix":
            # As the report has them: "<group>: <statement>", unnumbered.
            caption.add_run(literal(figure.caption))
        else:
            self.figures += 1
            caption.add_run("Figure ")
            _field(caption, "SEQ Figure \\* ARABIC", str(self.figures))
            caption.add_run(": " + literal(NUMBERED.sub("", figure.caption, count=1)))
        if not self.has_style("Caption"):
            for run in caption.runs:
                run.bold = True
                run.font.size = Pt(9)
        if figure.n_text:
            caption.paragraph_format.keep_with_next = True
            self.paragraph(text=figure.n_text).runs[0].font.size = Pt(9)
        if figure.table is not None:
            self.table(figure.table)

    def quote(self, quote: Quote) -> None:
        paragraph = self.paragraph("Quote", quote.text)
        if not self.has_style("Quote"):
            paragraph.paragraph_format.left_indent = _cm(1)
            for run in paragraph.runs:
                run.italic = True
        if quote.descriptor:
            run = paragraph.add_run()
            run.add_break()
            run.add_text(literal(quote.descriptor))
        self.also(quote.also)

    def case_study(self, case: CaseStudy) -> None:
        title = self.paragraph()
        # Untitled, or titled "Case study" by its author: said once, never "Case study: Case study".
        named = case.title and case.title != "Case study"
        title.add_run(literal(f"Case study: {case.title}" if named else "Case study")).bold = True
        title.paragraph_format.keep_with_next = True
        self.paragraph(text=case.text)
        self.also(case.also)

    def also(self, themes: tuple[str, ...]) -> None:
        if themes:
            self.paragraph(text="Also under: " + "; ".join(themes)).runs[0].italic = True

    def image(self, image: Image) -> None:
        shape = (
            self.word.add_paragraph().add_run().add_picture(io.BytesIO(image.png), width=_cm(IMAGE_WIDTH_CM))
        )
        shape._inline.docPr.set("descr", literal(image.alt))


def _cm(value: float) -> int:
    from docx.shared import Cm

    return Cm(value)
