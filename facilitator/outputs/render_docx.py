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
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Length
    from docx.styles.style import BaseStyle
    from docx.text.paragraph import Paragraph as WordParagraph

FIGURE_WIDTH_CM = 16.0
IMAGE_WIDTH_CM = 4.0
# Without a template: A4 portrait, 2 cm margins (python-docx's own is Letter with 3.2 cm).
PAGE_CM = (21.0, 29.7)
MARGIN_CM = 2.0
# Tables: small type and padding, so that a chart, its caption and its counts fit half a page.
TABLE_PT = 9.0
COMPARISON_TABLE_PT = 9.0  # no smaller than the counts: a printed report keeps text at 9 pt or more
CELL_PADDING_CM = 0.1
# A column's width from its text: an average character is about half the type size wide.
CHAR_EM = 0.55
PT_CM = 2.54 / 72
LABEL_COLUMN_CM = 5.0  # the first column of a table of numbers (a response, a group)
NUMBER_COLUMN_CM = (1.4, 2.5)
TEXT_COLUMN_CM = (2.0, 6.0)
# A table longer than this may break across pages (its header row repeats); shorter ones are kept whole.
KEEP_WHOLE_ROWS = 20
# Fixed, so that the same data gives the same document properties on every run.
FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
CONTENT_TYPES = "[Content_Types].xml"
HEADING_SIZES = {1: 16, 2: 13, 3: 12, 4: 11}
# Characters XML 1.0 cannot hold at all and `visible` leaves alone: lone surrogates.
NOT_XML = re.compile("[\ud800-\udfff]")
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
        _a4(word)
        _page_numbers(word)
    writer = _Writer(word, folder)
    if document.cover is not None:
        writer.cover(document.cover)
    elif document.title:
        writer.title(document.title)  # as the HTML's heading: a summary says what it is
    for section in document.sections:
        writer.section(section)
    _properties(word, document.title)
    buffer = io.BytesIO()
    word.save(buffer)
    return fixed_zip(buffer.getvalue())


def fixed_zip(data: bytes) -> bytes:
    """The zip `data` again with fixed entry dates and attributes and the entries in a fixed order
    (the content types first, as Word expects), so the same document gives the same bytes."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        names = sorted(source.namelist(), key=lambda name: (name != CONTENT_TYPES, name))
        for name in names:
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0  # else the system writing it
            entry.external_attr = 0
            target.writestr(entry, source.read(name))
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


def _a4(word: WordDocument) -> None:
    from docx.enum.section import WD_ORIENT

    for section in word.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = _cm(PAGE_CM[0]), _cm(PAGE_CM[1])
        section.left_margin = section.right_margin = _cm(MARGIN_CM)
        section.top_margin = section.bottom_margin = _cm(MARGIN_CM)
        section.header_distance = section.footer_distance = _cm(MARGIN_CM / 2)


def text_width_cm(word: WordDocument) -> float:
    """The width between the margins of the document's last page setup (a template's own), in cm."""
    section = word.sections[-1]
    width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    return width / 360000 if width > 0 else PAGE_CM[0] - 2 * MARGIN_CM


def column_widths(table: Table, size: float, room: float) -> list[float]:
    """Each column's width in cm, fitted to its text at `size` points, the whole within `room` cm.

    A header may wrap between its words; a date (a `nowrap` column) and a number never do.
    The label column of a table of numbers gets room for a long response or group name.
    """
    char = size * CHAR_EM * PT_CM
    padding = 2 * CELL_PADDING_CM + 0.15
    widths, squeezable = [], []
    for column, heading in enumerate(table.header):
        cells = [row[column] for row in table.rows if column < len(row)]
        longest = max((len(literal(c)) for c in cells), default=0)
        word = max((len(w) for w in literal(heading).split()), default=0) * 1.1  # bold
        natural = max(longest, word) * char + padding
        if column in table.numeric:
            low, high = NUMBER_COLUMN_CM
        elif column in table.nowrap:
            low, high = natural, max(natural, TEXT_COLUMN_CM[1])
        else:
            low, high = TEXT_COLUMN_CM
            if column == 0 and table.numeric:
                low = LABEL_COLUMN_CM
            squeezable.append(column)
        widths.append(min(max(natural, low), high))
    over = sum(widths) - room
    if over > 0 and squeezable:
        # Text columns give up room in proportion to their width, down to the narrowest allowed.
        spare = sum(widths[c] - TEXT_COLUMN_CM[0] for c in squeezable)
        for c in squeezable:
            share = (widths[c] - TEXT_COLUMN_CM[0]) / spare if spare > 0 else 0
            widths[c] -= min(over * share, widths[c] - TEXT_COLUMN_CM[0])
    if sum(widths) > room:
        widths = [w * room / sum(widths) for w in widths]
    return widths


def find_style(word: WordDocument, name: str, kind: WD_STYLE_TYPE) -> BaseStyle | None:
    """The style of `kind` called `name` in `word` (as Word names it in English), else the one
    whose id is Word's own for it (a template with translated names), else None.

    The styles are read one by one: python-docx's `styles[name]` warns on the terminal when a
    name is only an id, and hands back a style of the wrong kind, which Word then refuses.
    """
    from docx.styles import BabelFish
    from docx.styles.style import StyleFactory

    wanted = BabelFish.ui2internal(name).casefold()
    builtin_id = name.replace(" ", "")
    by_id = None
    for element in word.styles.element.style_lst:
        try:
            if element.type != kind:
                continue
        except ValueError:  # a type Word does not know: no style of ours
            continue
        if (element.name_val or "").casefold() == wanted:
            return StyleFactory(element)
        if by_id is None and element.styleId == builtin_id:
            by_id = element
    return StyleFactory(by_id) if by_id is not None else None


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
        self.room = text_width_cm(word)
        self.figures = 0
        self.footnotes = 0
        self.tail: list[WordParagraph] = []  # the last lines of the table just written
        self.styles: dict[tuple[str, WD_STYLE_TYPE], BaseStyle | None] = {}

    # ------------------------------------------------------------ styles

    def style(self, name: str, kind: WD_STYLE_TYPE | None = None) -> BaseStyle | None:
        """The document's paragraph (or `kind`) style `name`, or None if it has none."""
        from docx.enum.style import WD_STYLE_TYPE

        key = (name, kind or WD_STYLE_TYPE.PARAGRAPH)
        if key not in self.styles:
            self.styles[key] = find_style(self.word, *key)
        return self.styles[key]

    def has_style(self, name: str) -> bool:
        return self.style(name) is not None

    def paragraph(self, style: str = "", text: str = "") -> WordParagraph:
        """A new paragraph in `style` if the document has it (else unstyled), with literal `text`."""
        from docx.styles.style import ParagraphStyle

        found = self.style(style) if style else None
        paragraph = self.word.add_paragraph(style=found if isinstance(found, ParagraphStyle) else None)
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

    def title(self, text: str) -> WordParagraph:
        from docx.shared import Pt

        title = self.paragraph("Title")
        run = title.add_run(literal(text))
        if not self.has_style("Title"):
            run.bold = True
            run.font.size = Pt(26)
        return title

    def cover(self, cover: Cover) -> None:
        from docx.enum.text import WD_BREAK
        from docx.shared import Pt

        self.title(cover.title)
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
        previous: Block | None = None
        for block in section.blocks:
            if isinstance(block, Placeholder) and isinstance(previous, Figure):
                self.keep_with_last()  # a figure's narrative starts on the figure's page
            self.block(block, notes)
            previous = block
        if notes:
            self.notes(notes, section.level)
        for subsection in section.sections:
            self.section(subsection)

    def keep_with_last(self) -> None:
        """Keep the figure just written with what comes next (its last row and the spacer after it)."""
        for paragraph in self.tail:
            paragraph.paragraph_format.keep_with_next = True

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

    def table(self, block: Table, *, size: float = TABLE_PT, in_figure: bool = False) -> None:
        """A compact table: `size`-point text, small padding, columns fitted to their text, left-aligned.

        Its rows never split across pages, and a short table is kept whole on one page. In a
        figure the whole figure is kept together; the table's last row never keeps with what
        follows, so one figure never drags the next along.
        """
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        if block.caption:
            caption = self.paragraph("Caption", block.caption)
            caption.paragraph_format.keep_with_next = True
        table = self.word.add_table(rows=1 + len(block.rows), cols=len(block.header))
        grid = self.style("Table Grid", WD_STYLE_TYPE.TABLE)
        if grid is not None:
            table.style = grid
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False  # the widths as set, not stretched to the page
        _cell_padding(table)
        widths = column_widths(block, size, self.room)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = _cm(width)
        keep_whole = in_figure or len(block.rows) < KEEP_WHOLE_ROWS
        last = len(block.rows)
        for index, row in enumerate([block.header, *block.rows]):
            word_row = table.rows[index]
            _row_property(word_row, "w:cantSplit")
            if index == 0:
                _row_property(word_row, "w:tblHeader")
            for column, (cell, value) in enumerate(zip(word_row.cells, row, strict=False)):
                cell.width = _cm(widths[column])
                paragraph = cell.paragraphs[0]
                form = paragraph.paragraph_format
                form.space_before = form.space_after = Pt(0)
                form.line_spacing = 1.0
                form.keep_with_next = keep_whole and index < last
                run = paragraph.add_run(literal(value))
                run.font.size = Pt(size)
                if index == 0:
                    run.bold = True
                if column in block.numeric:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if column in block.nowrap:
                    _cell_property(cell, "w:noWrap")
        spacer = self.word.add_paragraph()  # Word joins two tables that touch
        spacer.paragraph_format.space_after = Pt(0)
        spacer.paragraph_format.line_spacing = Pt(size)
        self.tail = [*(cell.paragraphs[0] for cell in table.rows[-1].cells), spacer]

    def figure(self, figure: Figure) -> None:
        from docx.image.exceptions import UnrecognizedImageError
        from docx.image.image import Image as WordImage
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
        holder.paragraph_format.space_after = Pt(0)
        try:
            # At the size it was drawn (its text is then 9 pt), never wider than the text.
            drawn = WordImage.from_blob(picture).width
            width = min(drawn, Cm(min(FIGURE_WIDTH_CM, self.room)))
            shape = holder.add_run().add_picture(io.BytesIO(picture), width=width)
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
        # Kept with what follows only within the figure: its last line lets the next one go.
        # The chart says its n under its axis, so the n is not written again here.
        caption.paragraph_format.keep_with_next = figure.table is not None
        caption.paragraph_format.space_before = Pt(0)
        caption.paragraph_format.space_after = Pt(2)
        self.tail = [caption]
        if figure.table is not None:
            size = COMPARISON_TABLE_PT if figure.kind == "comparison" else TABLE_PT
            self.table(figure.table, size=size, in_figure=True)

    def quote(self, quote: Quote) -> None:
        paragraph = self.paragraph("Quote", quote.text)
        if not self.has_style("Quote"):
            paragraph.paragraph_format.left_indent = _cm(1)
            for run in paragraph.runs:
                run.italic = True
        if quote.descriptor:
            # In brackets, as the HTML and Markdown show it: "(Male young offender)".
            shown = quote.descriptor
            if not (shown.startswith("(") and shown.endswith(")")):
                shown = f"({shown})"
            run = paragraph.add_run()
            run.add_break()
            run.add_text(literal(shown))
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


def _cell_padding(table: object) -> None:
    """Small cell padding: none above and below, a little either side."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side, cm in (("top", 0.0), ("left", CELL_PADDING_CM), ("bottom", 0.0), ("right", CELL_PADDING_CM)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(cm * 567)))  # twentieths of a point
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    # In the place the schema gives it, or Word calls the file damaged.
    table._tbl.tblPr.insert_element_before(  # type: ignore[attr-defined]
        margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
    )


def _row_property(row: object, tag: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)  # type: ignore[attr-defined]


def _cell_property(cell: object, tag: str) -> None:
    from docx.oxml import OxmlElement

    cell._tc.get_or_add_tcPr().append(OxmlElement(tag))  # type: ignore[attr-defined]


def _cm(value: float) -> Length:
    from docx.shared import Cm

    return Cm(value)
