"""The Word document: real headings, captions, tables and pictures, recorded text kept literal,
an organisation's template, and a document LibreOffice lays out with its figures."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from facilitator.core.errors import FacilitatorError
from facilitator.outputs.document import (
    Bullets,
    CaseStudy,
    Comment,
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
from facilitator.outputs.render_docx import render_docx

HOSTILE = "<b>bold</b> =SUM(A1) bell\x07 \U0001f600 \u202eevil"
STATEMENTS = ("I expect my social worker to listen to me", "My social worker is there when I need them")


def png(colour: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A small real PNG, drawn with matplotlib as the charts are."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(3, 1.5), dpi=50)
    axes.bar([0, 1, 2], [3, 5, 2], color=[c / 255 for c in colour])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def counts_table() -> Table:
    return Table(
        header=("Response", "Count", "Percent"),
        rows=(("Strongly agree", "12", "26%"), ("Agree", "20", "43%"), ("Not sure", "14", "30%")),
        numeric=(1, 2),
    )


def every_block(folder: Path) -> Document:
    """A report with one of each kind of block, some of them carrying hostile recorded text."""
    for number in (1, 2):
        (folder / f"figure-{number}.png").write_bytes(png())
    figures = tuple(
        Figure(
            caption=statement if kind == "figure" else f"Adult focus group 1: {statement}",
            files={"png": f"figure-{number}.png", "svg": f"figure-{number}.svg"},
            alt=f"Bar chart of responses to: {statement}",
            table=counts_table(),
            n_text="n = 44 of 46 participants",
            kind=kind,
        )
        for number, (statement, kind) in enumerate(
            zip(STATEMENTS, ("figure", "appendix"), strict=True), start=1
        )
    )
    return Document(
        title="Does social work care?",
        cover=Cover(title="Does social work care?", organisation="User Voice", date="October 2010"),
        sections=(
            Section("Executive summary", 1, (Placeholder("Write the executive summary"),)),
            Section(
                "Our approach",
                1,
                (
                    Paragraph("Five focus groups took place.", footnotes=("Two groups were pooled.",)),
                    Bullets(("46 participants: 37 male, 9 female", "14 young offenders, 32 adults")),
                    Table(
                        header=("Session", "Participants"),
                        rows=(("Adult focus group 1", "12"),),
                        numeric=(1,),
                    ),
                ),
            ),
            Section(
                "Statement exercise findings",
                1,
                (*figures[:1], Placeholder("Describe what Figure 1 shows")),
                sections=(Section("Comments", 2, (Comments((Comment(HOSTILE, "Adult focus group 1"),)),)),),
            ),
            Section(
                "Focus group findings",
                1,
                sections=(
                    Section(
                        "Trust",
                        2,
                        (
                            Paragraph("Most spoke of trust.", style="note"),
                            Quote("They never listen.", "(Male young offender)"),
                            Quote(HOSTILE, "(Female adult)", also=("Contact",)),
                            CaseStudy("Dave", "Dave was moved three times in a year."),
                        ),
                    ),
                ),
            ),
            Section("Appendix 1: Responses to statement exercises", 1, figures[1:], appendix=True),
            Section("Receipt", 1, (Image(png((0, 0, 0)), "QR code of the receipt"),)),
        ),
    )


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    out = tmp_path / "report.docx"
    render_docx(every_block(tmp_path), tmp_path, out)
    return out


def opened(path: Path):  # type: ignore[no-untyped-def]
    import docx

    return docx.Document(str(path))


def test_sections_are_real_word_headings_in_order(rendered: Path) -> None:
    headings = [
        (p.style.name, p.text) for p in opened(rendered).paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", "Executive summary"),
        ("Heading 1", "Our approach"),
        ("Heading 1", "Statement exercise findings"),
        ("Heading 2", "Comments"),
        ("Heading 1", "Focus group findings"),
        ("Heading 2", "Trust"),
        ("Heading 1", "Appendix 1: Responses to statement exercises"),
        ("Heading 1", "Receipt"),
    ]


def test_the_cover_has_the_title_and_the_appendix_starts_a_new_page(rendered: Path) -> None:
    paragraphs = opened(rendered).paragraphs
    assert (paragraphs[0].style.name, paragraphs[0].text) == ("Title", "Does social work care?")
    assert [p.text for p in paragraphs[1:3]] == ["User Voice", "October 2010"]
    assert 'w:type="page"' in paragraphs[3]._p.xml
    appendix = next(p for p in paragraphs if p.text.startswith("Appendix 1"))
    assert appendix.paragraph_format.page_break_before is True


def test_a_document_without_a_cover_opens_with_its_title(tmp_path: Path) -> None:
    document = Document(
        "Session summary: Adult focus group 1",
        sections=(Section("Details", 1, (Bullets(("Date: 2010-09-21",)),)),),
    )
    render_docx(document, tmp_path, tmp_path / "summary.docx")
    first, second = opened(tmp_path / "summary.docx").paragraphs[:2]
    assert (first.style.name, first.text) == ("Title", "Session summary: Adult focus group 1")
    assert (second.style.name, second.text) == ("Heading 1", "Details")


def test_each_figure_has_a_caption_with_a_word_figure_number_and_the_exact_title(rendered: Path) -> None:
    captions = [p for p in opened(rendered).paragraphs if p.style.name == "Caption"]
    assert [p.text for p in captions] == [
        f"Figure 1: {STATEMENTS[0]}",
        f"Adult focus group 1: {STATEMENTS[1]}",
    ]
    assert "SEQ Figure" in captions[0]._p.xml and 'w:fldCharType="begin"' in captions[0]._p.xml
    assert "SEQ" not in captions[1]._p.xml  # the appendix's charts are captioned, not numbered


def test_a_caption_that_is_already_numbered_is_numbered_once(tmp_path: Path) -> None:
    (tmp_path / "one.png").write_bytes(png())
    figure = Figure(caption=f"Figure 1: {STATEMENTS[0]}", files={"png": "one.png"}, alt="A chart")
    render_docx(Document("R", sections=(Section("S", 1, (figure,)),)), tmp_path, tmp_path / "r.docx")
    captions = [p.text for p in opened(tmp_path / "r.docx").paragraphs if p.style.name == "Caption"]
    assert captions == [f"Figure 1: {STATEMENTS[0]}"]


def test_a_picture_drawn_wider_than_the_text_is_fitted_to_it(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from docx.shared import Cm

    figure, axes = plt.subplots(figsize=(10, 2), dpi=20)  # 25 cm wide
    axes.bar([0, 1], [1, 2])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    (tmp_path / "wide.png").write_bytes(buffer.getvalue())
    wide = Figure(caption="Figure 1: wide", files={"png": "wide.png"}, alt="A wide chart")
    render_docx(Document("R", sections=(Section("S", 1, (wide,)),)), tmp_path, tmp_path / "r.docx")

    assert opened(tmp_path / "r.docx").inline_shapes[0].width == Cm(16)


def test_figures_are_pictures_at_the_size_they_were_drawn_with_their_alternative_text(rendered: Path) -> None:
    from docx.shared import Inches

    document = opened(rendered)
    shapes = document.inline_shapes
    assert len(shapes) == 3  # two charts and the receipt's QR code
    # Drawn 3 inches wide: placed so, its text at the size it was drawn.
    assert [s.width for s in shapes][:2] == [Inches(3), Inches(3)]
    assert shapes[0]._inline.docPr.get("descr") == f"Bar chart of responses to: {STATEMENTS[0]}"
    # The chart says its n under its axis; the document does not say it again beneath.
    assert not any("n = 44" in p.text for p in document.paragraphs)


def test_tables_hold_the_counts_with_a_repeating_header_and_numbers_on_the_right(rendered: Path) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    tables = opened(rendered).tables
    assert len(tables) == 3
    counts = tables[1]
    assert [[c.text for c in row.cells] for row in counts.rows] == [
        ["Response", "Count", "Percent"],
        ["Strongly agree", "12", "26%"],
        ["Agree", "20", "43%"],
        ["Not sure", "14", "30%"],
    ]
    assert "w:tblHeader" in counts.rows[0]._tr.xml
    assert counts.style.name == "Table Grid"
    assert counts.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert counts.rows[1].cells[0].paragraphs[0].alignment is None


def test_placeholders_are_bold_and_highlighted_for_the_author(rendered: Path) -> None:
    marked = [p for p in opened(rendered).paragraphs if p.text.startswith("[")]
    assert [p.text for p in marked] == ["[Write the executive summary]", "[Describe what Figure 1 shows]"]
    for paragraph in marked:
        assert all(run.bold and run.font.highlight_color is not None for run in paragraph.runs)


def test_quotes_carry_their_descriptor_on_a_line_of_their_own(rendered: Path) -> None:
    quotes = [p.text for p in opened(rendered).paragraphs if p.style.name == "Quote"]
    assert quotes[0] == "They never listen.\n(Male young offender)"
    assert quotes[1].endswith("\n(Female adult)")


def test_case_studies_bullets_comments_and_footnotes(rendered: Path) -> None:
    paragraphs = opened(rendered).paragraphs
    texts = [p.text for p in paragraphs]
    title = paragraphs[texts.index("Case study: Dave")]
    assert title.runs[0].bold
    assert texts[texts.index("Case study: Dave") + 1] == "Dave was moved three times in a year."
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert bullets[:2] == ["46 participants: 37 male, 9 female", "14 young offenders, 32 adults"]
    assert bullets[2].endswith(" (Adult focus group 1)")
    assert "Five focus groups took place.1" in texts
    footnote = paragraphs[texts.index("Five focus groups took place.1")]
    assert footnote.runs[-1].font.superscript
    assert texts[texts.index("Notes") + 1] == "1 Two groups were pooled."


def test_recorded_text_is_literal_and_control_characters_show(rendered: Path) -> None:
    document = opened(rendered)
    shown = "<b>bold</b> =SUM(A1) bell\u2407 \U0001f600 \\u202eevil"
    texts = [p.text for p in document.paragraphs]
    assert f"{shown} (Adult focus group 1)" in texts
    assert f"{shown}\n(Female adult)" in texts
    with zipfile.ZipFile(rendered) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "&lt;b&gt;bold&lt;/b&gt;" in body
    assert "\u202e" not in body and "\x07" not in body


def test_text_xml_cannot_hold_is_shown_not_refused(tmp_path: Path) -> None:
    document = Document("Odd", sections=(Section("Odd", 1, (Paragraph("half \ud800 and \uffff"),)),))
    render_docx(document, tmp_path, tmp_path / "odd.docx")
    assert "half \\ud800 and \\uffff" in [p.text for p in opened(tmp_path / "odd.docx").paragraphs]


def test_the_document_properties_are_the_same_on_every_run(rendered: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.docx"
    render_docx(every_block(tmp_path), tmp_path, again)
    first, second = opened(rendered).core_properties, opened(again).core_properties
    assert first.title == "Does social work care?"
    assert first.author == "" and first.last_modified_by == ""
    assert (first.created, first.modified) == (second.created, second.modified)
    with zipfile.ZipFile(rendered) as a, zipfile.ZipFile(again) as b:
        assert a.read("word/document.xml") == b.read("word/document.xml")


def test_the_same_document_gives_the_same_bytes(tmp_path: Path) -> None:
    document = every_block(tmp_path)
    first, second = tmp_path / "first.docx", tmp_path / "second.docx"
    render_docx(document, tmp_path, first)
    render_docx(document, tmp_path, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        entries = archive.infolist()
    # Not the time of writing, which would differ between two runs a second apart.
    assert {entry.date_time for entry in entries} == {(1980, 1, 1, 0, 0, 0)}
    names = [entry.filename for entry in entries]
    assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
    assert opened(first).paragraphs[0].text == "Does social work care?"


def test_the_document_is_written_for_its_owner_only(rendered: Path) -> None:
    if os.name == "nt":
        pytest.skip("Windows keeps no Unix modes")
    assert stat.S_IMODE(rendered.stat().st_mode) == 0o600


def test_a_figure_without_a_png_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    figure = Figure(caption="Only SVG", files={"svg": "only.svg"}, alt="A chart")
    out = tmp_path / "report.docx"
    with pytest.raises(FacilitatorError, match="'Only SVG' has no PNG file"):
        render_docx(Document("R", sections=(Section("S", 1, (figure,)),)), tmp_path, out)
    assert not out.exists()


# ---------------------------------------------------------------- templates


def organisation_template(path: Path) -> Path:
    """An organisation's Word document: its own Heading 1 font, a footer, and a body to drop."""
    import docx
    from docx.shared import Pt

    word = docx.Document()
    heading = word.styles["Heading 1"]
    heading.font.name = "Georgia"
    heading.font.size = Pt(20)
    word.sections[0].footer.paragraphs[0].text = "Our organisation, registered charity 123"
    word.add_paragraph("Delete me: the template's own text")
    word.save(str(path))
    return path


def test_a_template_gives_its_styles_and_footer_and_loses_its_body(tmp_path: Path) -> None:
    template = organisation_template(tmp_path / "ours.docx")
    out = tmp_path / "report.docx"
    render_docx(every_block(tmp_path), tmp_path, out, template=template)
    document = opened(out)
    assert document.styles["Heading 1"].font.name == "Georgia"
    heading = next(p for p in document.paragraphs if p.text == "Our approach")
    assert heading.style.name == "Heading 1"
    assert "Delete me" not in "\n".join(p.text for p in document.paragraphs)
    assert document.sections[0].footer.paragraphs[0].text == "Our organisation, registered charity 123"


def test_a_template_without_the_styles_falls_back_to_direct_formatting(tmp_path: Path) -> None:
    import docx

    template = tmp_path / "bare.docx"
    word = docx.Document()
    styles = word.styles.element
    for style in list(styles):
        name = style.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}name")
        if name is not None and name.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val"
        ) in ("heading 1", "Caption", "Quote", "List Bullet", "Table Grid", "Title"):
            styles.remove(style)
    word.save(str(template))
    out = tmp_path / "report.docx"
    render_docx(every_block(tmp_path), tmp_path, out, template=template)
    paragraphs = opened(out).paragraphs
    heading = next(p for p in paragraphs if p.text == "Our approach")
    assert heading.runs[0].bold and "w:outlineLvl" in heading._p.xml
    assert "Figure 1: " + STATEMENTS[0] in [p.text for p in paragraphs]


def translated_template(path: Path) -> Path:
    """A template with its style names in French: "Titre 1" (id Titre1) for the first heading,
    "Titre" keeping Word's id "Title", and "Caption" the name of a character style."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    word = docx.Document()
    for style in word.styles:
        if style.name == "Heading 1":
            style.name, style.style_id = "Titre 1", "Titre1"
        elif style.name == "Title":
            style.name = "Titre"
        elif style.name == "Caption":
            style.name = "Légende"
    word.styles.add_style("Caption", WD_STYLE_TYPE.CHARACTER)
    word.save(str(path))
    return path


def test_a_template_with_translated_style_names_works_without_a_warning(tmp_path: Path) -> None:
    import warnings

    template = translated_template(tmp_path / "français.docx")
    out = tmp_path / "report.docx"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_docx(every_block(tmp_path), tmp_path, out, template=template)
    assert [str(w.message) for w in caught] == []
    paragraphs = opened(out).paragraphs
    for title in ("Executive summary", "Our approach", "Focus group findings"):
        heading = next(p for p in paragraphs if p.text == title)
        assert heading.runs[0].bold and '<w:outlineLvl w:val="0"/>' in heading._p.xml, title
    # Found by Word's own id, whatever the name: the cover title is in the template's title style.
    assert paragraphs[0].text == "Does social work care?" and paragraphs[0].style.name == "Titre"
    caption = next(p for p in paragraphs if p.text.startswith("Figure 1: "))
    assert caption.style.name == "Légende"


def bad_templates(folder: Path) -> dict[str, tuple[Path, str]]:
    text = folder / "notes.txt"
    text.write_text("not a document")
    not_zip = folder / "fake.docx"
    not_zip.write_text("plain text with a Word ending")
    other_zip = folder / "other.docx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("hello.txt", "hi")
    a_folder = folder / "folder.docx"
    a_folder.mkdir()
    cases = {
        "wrong ending": (text, "must be a Word document whose name ends in .docx"),
        "not a zip": (not_zip, "is not a Word document (it is not a .docx zip file)"),
        "a zip without a document": (other_zip, "holds no word/document.xml"),
        "a folder": (a_folder, "is a folder"),
        "missing": (folder / "missing.docx", "cannot be read"),
    }
    if hasattr(os, "mkfifo"):
        fifo = folder / "pipe.docx"
        os.mkfifo(fifo)
        cases["a pipe"] = (fifo, "is not a file (a pipe or a device)")
    return cases


def test_bad_templates_are_refused_in_one_line_naming_the_file(tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    for name, (path, said) in bad_templates(tmp_path).items():
        with pytest.raises(FacilitatorError) as raised:
            render_docx(every_block(tmp_path), tmp_path, out, template=path)
        message = str(raised.value)
        assert said in message, name
        assert str(path) in message and "\n" not in message, name
        assert not out.exists(), name


def with_extra_parts(path: Path, parts: dict[str, bytes]) -> Path:
    """A real Word document with `parts` added, deflated (zeros pack about a thousand times smaller)."""
    import docx

    docx.Document().save(str(path))
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def declaring(path: Path, name: str, size: int) -> Path:
    """`path` with the zip saying that its part `name` unpacks to `size` bytes, as a crafted bomb does."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        start = data.find(signature)
        while start != -1:
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                data[start + size_at : start + size_at + 4] = size.to_bytes(4, "little")
            start = data.find(signature, start + 1)
    path.write_bytes(bytes(data))
    return path


def test_a_template_that_would_unpack_to_too_much_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    megabyte = bytes(1024 * 1024)
    bombs = {
        "would unpack to more than 100 MB": declaring(
            with_extra_parts(tmp_path / "huge.docx", {"word/media/huge.bin": megabyte}),
            "word/media/huge.bin",
            1200 * 1024 * 1024,
        ),
        "packed too tightly to be real (word/media/zeros.bin)": with_extra_parts(
            tmp_path / "tight.docx", {"word/media/zeros.bin": 2 * megabyte}
        ),
        "holds more than 2,000 parts": with_extra_parts(
            tmp_path / "many.docx", {f"word/media/{n}.bin": b"" for n in range(2001)}
        ),
    }
    out = tmp_path / "report.docx"
    for said, path in bombs.items():
        assert path.stat().st_size < 300_000, said
        with pytest.raises(FacilitatorError) as raised:
            render_docx(every_block(tmp_path), tmp_path, out, template=path)
        message = str(raised.value)
        assert said in message and str(path) in message and "\n" not in message
        assert not out.exists(), said


def test_a_template_with_pictures_in_it_is_still_a_template(tmp_path: Path) -> None:
    picture = os.urandom(3 * 1024 * 1024)  # a photograph barely packs at all
    template = with_extra_parts(tmp_path / "logo.docx", {"word/media/logo.bin": picture})
    render_docx(every_block(tmp_path), tmp_path, tmp_path / "report.docx", template=template)
    assert (tmp_path / "report.docx").is_file()


# ---------------------------------------------------------------- LibreOffice


def to_pdf(soffice: str, document: Path, folder: Path) -> Path | None:
    """The PDF LibreOffice makes of `document` (its own profile, so it never meets a running copy)."""
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = folder / f"{document.stem}.pdf"
    return pdf if pdf.exists() else None


def printed_by_libreoffice(document: Path, folder: Path) -> Path:
    """The PDF LibreOffice prints of a Word document; the test is skipped, saying why, where
    LibreOffice is missing or cannot open Word documents."""
    import docx

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    pdf = to_pdf(soffice, document, folder / "pdf")
    if pdf is None:
        plain = folder / "plain.docx"
        docx.Document().save(str(plain))
        if to_pdf(soffice, plain, folder / "plain") is None:
            pytest.skip("LibreOffice here cannot open Word documents (its Writer is not installed)")
        pytest.fail("LibreOffice could not open the report, though it opens a plain Word document")
    return pdf


def test_libreoffice_lays_the_document_out_with_its_figures(tmp_path: Path) -> None:
    document = every_block(tmp_path)
    (tmp_path / "figure-2.png").write_bytes(png((40, 80, 200)))  # so LibreOffice cannot share one image
    render_docx(document, tmp_path, tmp_path / "report.docx")
    data = printed_by_libreoffice(tmp_path / "report.docx", tmp_path).read_bytes()
    pages = re.findall(rb"/Type\s*/Page\b", data)
    assert len(pages) >= 3  # the cover, the findings, the appendix on its own page
    images = re.findall(rb"/Subtype\s*/Image", data)
    assert len(images) >= 3  # two charts and the QR code (each perhaps with its mask)
