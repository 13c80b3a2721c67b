"""The session summary a facilitator leaves the room with: HTML, Markdown or Word.

For every statement: its chart, its counts and its comments grouped by response.
The session's details carry no names. HTML is one self-contained file with inline
SVG that prints on A4; Markdown refers to PNG charts written beside it; Word
holds PNG charts. It is one document (`summary_document`) rendered to each, and
every comment shows exactly as it was written.
"""

from __future__ import annotations

import glob
import itertools
from collections.abc import Mapping
from pathlib import Path

from facilitator.core.errors import FacilitatorError
from facilitator.core.example import EXAMPLE_LINE, EXAMPLE_MARK
from facilitator.core.files import make_private_dir, write_atomic
from facilitator.core.paths import EXPORTS_FOLDER
from facilitator.discussion.anonymity import Anonymiser
from facilitator.exercise.charts import Chart, Counts, session_selection, slug
from facilitator.outputs import findings
from facilitator.outputs.document import Bullets, Comment, Comments, Document, Image, Paragraph, Section
from facilitator.outputs.findings import took_part
from facilitator.outputs.report import chart_figure, discussion_section
from facilitator.store import Postit, Session, Store

FORMATS = ("md", "html", "docx")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def details(store: Store, session: Session) -> list[tuple[str, str]]:
    """The session's details as the summary shows them: no names, and never who asked for an interview."""
    count = findings.headcount(store, session)
    return [
        ("Consultation", session.consultation or "—"),
        ("Cohort", session.cohort),
        ("Setting", session.setting),
        ("Location", session.location or "—"),
        ("Date", session.date),
        ("Statement set", session.statement_set_title),
        ("Participants", findings.participants_sentence([count], by_cohort=len(count.cohorts) > 1)),
        ("Interviews", findings.interview_sentence([count])),
    ]


def comments_by_statement(store: Store, session: Session) -> dict[int, dict[str, list[Postit]]]:
    """A session's comments, by statement and then response, in scale order."""
    grouped: dict[int, dict[str, list[Postit]]] = {s.number: {} for s in session.statements}
    for postit in store.postits.iter_comments([session.id], session.scale.keys):
        grouped[postit.statement_number].setdefault(postit.response_key, []).append(postit)
    return grouped


def session_charts(store: Store, session: Session) -> list[Chart]:
    """One chart per statement, titled "<session label>: <statement text>"."""
    selection = session_selection(session)
    return Counts(store, selection.sessions).group_charts(selection.groups[0], selection)


def _drawn_charts(store: Store, session: Session, fmt: str) -> list[tuple[Chart, bytes]]:
    """Each statement's chart drawn as `fmt` (png or svg), saying the n its figure says."""
    from facilitator.outputs.chart_files import render

    participants = took_part(store, session)
    return [(c, render(c, fmt, participants=participants)) for c in session_charts(store, session)]


def summary_document(
    store: Store, session: Session, files: Mapping[int, Mapping[str, str]] | None = None
) -> Document:
    """The summary as a document. `files` maps a statement's number to its chart's files by format."""
    from facilitator.exercise import receipt

    files = files or {}
    anonymise = Anonymiser.for_session(store, session.id)
    comments = comments_by_statement(store, session)
    participants = took_part(store, session)
    sections = [Section("Details", 1, (Bullets(tuple(f"{k}: {v}" for k, v in details(store, session))),))]
    for chart in session_charts(store, session):
        statement = chart.statement
        figure = chart_figure(
            chart,
            files.get(statement.number, {}),
            participants,
            "figure",
        )
        by_response = comments[statement.number]
        responses = tuple(
            Section(
                f"{category.label} ({_count(len(postits), 'comment', 'comments')})",
                3,
                (Comments(tuple(Comment(anonymise(p.comment), p.participant or "") for p in postits)),),
            )
            for category in chart.scale
            if (postits := by_response.get(category.key, []))
        )
        none = () if by_response else (Paragraph("No comments on this statement.", style="note"),)
        sections.append(
            Section(
                f"Statement {statement.number}: {statement.text}",
                1,
                (figure,),
                (Section("Comments", 2, none, responses),),
            )
        )
    said = findings.session_discussion(store, session, anonymise)
    sections.append(discussion_section(said, title="Discussion", level=1, with_sessions=False))
    text = receipt.make_receipt(store, session).text
    sections.append(
        Section(
            "Receipt",
            1,
            (
                Image(receipt.qr_png(text), "QR code of the receipt printed below it"),
                Paragraph(text, style="code"),
                Paragraph(RECEIPT_NOTE, style="note"),
            ),
        )
    )
    title = f"Session summary: {session.label}"
    if session.example:
        title = f"{EXAMPLE_MARK} {title}"
        sections.insert(0, Section(EXAMPLE_MARK, 1, (Paragraph(EXAMPLE_LINE),)))
    return Document(title, None, tuple(sections))


RECEIPT_NOTE = (
    "This QR code is the session's receipt: its id, the count of post-its for each statement and "
    "response, and a SHA-256 digest of the post-its. It holds no comment, label or name. At the office, "
    "'facilitator receipt verify' reads it from a photo or a saved image of this code and says whether "
    "the office's database holds exactly this session's post-its."
)


def summary_html(store: Store, session: Session) -> str:
    """The summary as one self-contained HTML page (inline SVG charts, print styles)."""
    from facilitator.outputs.render_html import render_html

    charts = _drawn_charts(store, session, "svg")
    svgs = {f"statement-{c.statement.number}.svg": svg for c, svg in charts}
    files = {c.statement.number: {"svg": f"statement-{c.statement.number}.svg"} for c, _ in charts}
    return render_html(summary_document(store, session, files), svg=svgs.__getitem__)


def png_name(out: Path, statement_number: int) -> str:
    """The file name of one statement's PNG chart, beside the Markdown file."""
    return f"{out.stem}-statement-{statement_number}.png"


def summary_markdown(store: Store, session: Session, out: Path) -> str:
    """The summary as Markdown; its charts are the PNGs named by `png_name`."""
    from facilitator.outputs.render_markdown import render_markdown

    files = {s.number: {"png": png_name(out, s.number)} for s in session.statements}
    return render_markdown(summary_document(store, session, files))


def _write_pngs(store: Store, session: Session, target: Path) -> list[Path]:
    written: list[Path] = []
    try:
        for chart, png in _drawn_charts(store, session, "png"):
            image = target.with_name(png_name(target, chart.statement.number))
            write_atomic(image, png)
            written.append(image)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def export_summary(store: Store, session: Session, fmt: str, out: str) -> list[str]:
    """Write the summary (and, for Markdown, its PNG charts beside it); returns what was written.

    `out` is a file; "-" (stdout) is refused for Markdown and Word, which are files
    (an HTML page for stdout is `summary_html`).
    """
    if fmt not in FORMATS:
        raise FacilitatorError(f"format {fmt!r} must be md, html or docx")
    if out == "-" and fmt == "md":
        raise FacilitatorError("a Markdown summary needs --out FILE: its charts are written beside it")
    if out == "-" and fmt == "docx":
        raise FacilitatorError("a Word summary needs --out FILE")
    if fmt == "html":
        write_atomic(Path(out), summary_html(store, session))
        return [out]
    target = Path(out)
    if fmt == "docx":
        import tempfile

        from facilitator.outputs.render_docx import render_docx

        with tempfile.TemporaryDirectory() as folder:
            files = {}
            for chart, png in _drawn_charts(store, session, "png"):
                name = f"statement-{chart.statement.number}.png"
                write_atomic(Path(folder) / name, png)
                files[chart.statement.number] = {"png": name}
            staged = Path(folder) / "summary.docx"
            render_docx(summary_document(store, session, files), Path(folder), staged)
            write_atomic(target, staged.read_bytes())
        return [out]
    text = summary_markdown(store, session, target)
    written = _write_pngs(store, session, target)
    try:
        write_atomic(target, text)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return [str(p) for p in [*written, target]]


def new_summary_path(folder: Path, session: Session, fmt: str) -> Path:
    """A file name in `folder` that nothing uses yet: "<label>-<date>.<fmt>", then "-2", "-3"...
    ("example-<label>-<date>.<fmt>" for an example session).

    For Markdown the PNG charts that would be written beside it must be free too; a Word
    summary holds its charts, so its own name is all that must be free.
    """
    # An example session's file says so in its name, so it is never taken for a real one.
    prefix = ("example",) if session.example else ()
    stem = "-".join(part for part in (*prefix, slug(session.label), session.date) if part)
    for number in itertools.count(1):
        name = stem if number == 1 else f"{stem}-{number}"
        path = folder / f"{name}.{fmt}"
        if path.exists():
            continue
        if fmt == "md" and any(folder.glob(glob.escape(f"{name}-statement-") + "*.png")):
            continue
        return path
    raise AssertionError("unreachable")  # pragma: no cover


def free_export_path(data_dir: Path, session: Session, fmt: str) -> Path:
    """A new file in the data folder's exports folder (made if missing) for the session's `fmt`
    export: "<label>-<date>.<fmt>", never the name of an earlier file."""
    folder = data_dir / EXPORTS_FOLDER
    try:
        make_private_dir(folder)
    except OSError as error:
        raise FacilitatorError(f"cannot create the folder {folder}: {error.strerror}") from None
    return new_summary_path(folder, session, fmt)


def export_summary_to_folder(store: Store, session: Session, fmt: str, data_dir: Path) -> list[str]:
    """Write the summary into the data folder's exports folder, never over an earlier file.

    Returns what was written, the summary itself last.
    """
    if fmt not in FORMATS:
        raise FacilitatorError(f"format {fmt!r} must be md, html or docx")
    return export_summary(store, session, fmt, str(free_export_path(data_dir, session, fmt)))
