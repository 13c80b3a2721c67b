"""The session summary a facilitator leaves the room with: HTML or Markdown.

For every statement: its chart, its counts and its comments grouped by response.
The session's details carry no names. HTML is one self-contained file with inline
SVG that prints on A4; Markdown refers to PNG charts written beside it. Every
comment is escaped so that it shows exactly as it was written.
"""

from __future__ import annotations

import glob
import itertools
from pathlib import Path
from urllib.parse import quote

from facilitator.core.errors import FacilitatorError
from facilitator.core.files import make_private_dir, write_atomic
from facilitator.core.literal import markdown
from facilitator.core.paths import EXPORTS_FOLDER
from facilitator.discussion.anonymity import Anonymiser
from facilitator.exercise.charts import Chart, Counts, percent_text, session_selection, slug
from facilitator.outputs import findings, htmlpage
from facilitator.outputs.findings import Discussion, Said
from facilitator.store import Postit, Session, Store

FORMATS = ("md", "html")


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


def summary_html(store: Store, session: Session) -> str:
    """The summary as one self-contained HTML page (inline SVG charts, print styles)."""
    from facilitator.outputs.chart_files import render, svg_inline

    anonymise = Anonymiser.for_session(store, session.id)
    comments = comments_by_statement(store, session)
    parts = [htmlpage.page_start(f"Session summary: {session.label}")]
    parts.append(f'<h1>Session summary: {htmlpage.text(session.label)}</h1>\n<table class="details">')
    parts += [
        f"<tr><th>{name}</th><td>{htmlpage.text(value)}</td></tr>" for name, value in details(store, session)
    ]
    parts.append("</table>\n")
    for index, chart in enumerate(session_charts(store, session), start=1):
        statement = chart.statement
        parts.append(f"<h2>Statement {statement.number}: {htmlpage.text(statement.text)}</h2>\n")
        parts.append(htmlpage.chart_figure(chart, svg_inline(render(chart, "svg"), f"c{index}")))
        parts.append("<h3>Comments</h3>\n")
        by_response = comments[statement.number]
        if not by_response:
            parts.append('<p class="note">No comments on this statement.</p>\n')
        for category in chart.scale:
            postits = by_response.get(category.key, [])
            if not postits:
                continue
            parts.append(
                f"<h4>{htmlpage.text(category.label)} ({_count(len(postits), 'comment', 'comments')})</h4>"
            )
            parts.append('<ul class="comments">\n')
            parts += [htmlpage.comment_item(anonymise(p.comment), p.participant or "") for p in postits]
            parts.append("</ul>\n")
    said = findings.session_discussion(store, session, anonymise)
    parts.append(htmlpage.discussion_section(said, with_sessions=False))
    parts.append(receipt_section(store, session))
    parts.append(htmlpage.PAGE_END)
    return "".join(parts)


def receipt_section(store: Store, session: Session) -> str:
    """The session's QR receipt as a PNG, with its text and what it is for."""
    from facilitator.exercise import receipt

    text = receipt.make_receipt(store, session).text
    return (
        '<section class="receipt">\n<h2>Receipt</h2>\n'
        f'<img src="{receipt.qr_data_uri(text)}" alt="QR code of the receipt printed below it">\n'
        f'<p class="receipt-text">{htmlpage.text(text)}</p>\n'
        '<p class="note">This QR code is the session\'s receipt: its id, the count of post-its for each '
        "statement and response, and a SHA-256 digest of the post-its. It holds no comment, label or name. "
        "At the office, <code>facilitator receipt verify</code> reads it from a photo or a saved image of "
        "this code and says whether the office's database holds exactly this session's post-its.</p>\n"
        "</section>\n"
    )


def png_name(out: Path, statement_number: int) -> str:
    """The file name of one statement's PNG chart, beside the Markdown file."""
    return f"{out.stem}-statement-{statement_number}.png"


def _markdown_said(said: Said, names: dict[str, str], home: str | None) -> list[str]:
    others = [names[k] for k in said.themes if k != home and k in names]
    also = [f"*Also: {markdown(', '.join(others))}*", ""] if others else []
    body = markdown(said.text)
    if said.kind == "quote":
        lines = ["> " + body.replace("\\\n", "\\\n> ")]
        if said.descriptor:
            lines += [">", f"> {markdown(f'({said.descriptor})')}"]
        return [*lines, "", *also]
    if said.kind == "case_study":
        return ["**Case study.** " + body, "", *also]
    return [body, "", *also]


def discussion_markdown(discussion: Discussion) -> list[str]:
    """The discussion as Markdown lines: themes ranked, then what was said under each."""
    lines = ["## Discussion", ""]
    if discussion.is_empty:
        return [*lines, "No discussion notes were recorded."]
    names = discussion.names
    if discussion.themes:
        lines += ["Themes raised, in order of frequency of occurrence:", ""]
        lines += ["| Rank | Theme | Notes |", "| ---: | --- | ---: |"]
        lines += [f"| {t.rank} | {markdown(t.name)} | {t.notes} |" for t in discussion.themes]
        lines.append("")
    for theme, said in discussion.by_theme:
        lines += [f"### {markdown(f'{theme.rank}. {theme.name}')}", ""]
        for item in said:
            lines += _markdown_said(item, names, theme.key)
        if above := discussion.listed_above(theme, len(said)):
            lines += [markdown(above), ""]
    if discussion.untagged:
        lines += ["### Not tagged with a theme", ""]
        for item in discussion.untagged:
            lines += _markdown_said(item, names, None)
    return lines


def summary_markdown(store: Store, session: Session, out: Path) -> str:
    """The summary as Markdown; its charts are the PNGs named by `png_name`."""
    anonymise = Anonymiser.for_session(store, session.id)
    comments = comments_by_statement(store, session)
    lines = [f"# Session summary: {markdown(session.label)}", ""]
    lines += [f"- **{name}:** {markdown(value)}" for name, value in details(store, session)]
    for chart in session_charts(store, session):
        statement = chart.statement
        lines += ["", f"## Statement {statement.number}: {markdown(statement.text)}", ""]
        lines += [f"![{markdown(chart.title)}]({quote(png_name(out, statement.number))})", ""]
        lines += [f"**{markdown(chart.title)}** (n = {chart.n})", ""]
        lines += ["| Response | Post-its | % |", "| --- | ---: | ---: |"]
        lines += [
            f"| {markdown(c.label)} | {count} | {percent_text(count, chart.n)} |"
            for c, count in zip(chart.scale, chart.counts, strict=True)
        ]
        lines += ["", "### Comments", ""]
        by_response = comments[statement.number]
        if not by_response:
            lines.append("No comments on this statement.")
        for category in chart.scale:
            postits = by_response.get(category.key, [])
            if not postits:
                continue
            lines += [f"#### {markdown(category.label)} ({_count(len(postits), 'comment', 'comments')})", ""]
            for postit in postits:
                code = f" ({markdown(postit.participant)})" if postit.participant else ""
                lines.append("- " + markdown(anonymise(postit.comment)).replace("\\\n", "\\\n  ") + code)
            lines.append("")
    lines += ["", *discussion_markdown(findings.session_discussion(store, session, anonymise))]
    return "\n".join(lines).rstrip("\n") + "\n"


def export_summary(store: Store, session: Session, fmt: str, out: str) -> list[str]:
    """Write the summary (and, for Markdown, its PNG charts beside it); returns what was written.

    `out` is a file; "-" (stdout) is refused for Markdown, which needs a folder for
    its charts (an HTML page for stdout is `summary_html`).
    """
    if fmt not in FORMATS:
        raise FacilitatorError(f"format {fmt!r} must be md or html")
    if out == "-" and fmt == "md":
        raise FacilitatorError("a Markdown summary needs --out FILE: its charts are written beside it")
    if fmt == "html":
        write_atomic(Path(out), summary_html(store, session))
        return [out]
    target = Path(out)
    text = summary_markdown(store, session, target)
    from facilitator.outputs.chart_files import render

    written: list[Path] = []
    try:
        for chart in session_charts(store, session):
            image = target.with_name(png_name(target, chart.statement.number))
            write_atomic(image, render(chart, "png"))
            written.append(image)
        write_atomic(target, text)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return [str(p) for p in [*written, target]]


def new_summary_path(folder: Path, session: Session, fmt: str) -> Path:
    """A file name in `folder` that nothing uses yet: "<label>-<date>.<fmt>", then "-2", "-3"...

    For Markdown the PNG charts that would be written beside it must be free too.
    """
    stem = "-".join(part for part in (slug(session.label), session.date) if part)
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
        raise FacilitatorError(f"format {fmt!r} must be md or html")
    return export_summary(store, session, fmt, str(free_export_path(data_dir, session, fmt)))
