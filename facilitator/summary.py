"""The session summary a facilitator leaves the room with: HTML or Markdown.

For every statement: its chart, its counts and its comments grouped by response.
The session's details carry no names. HTML is one self-contained file with inline
SVG that prints on A4; Markdown refers to PNG charts written beside it. Every
comment is escaped so that it shows exactly as it was written.
"""

from __future__ import annotations

import glob
import itertools
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from facilitator import htmlpage
from facilitator.charts import Chart, Counts, cohort_groups, percent_text, session_selection, slug
from facilitator.errors import FacilitatorError
from facilitator.files import write_atomic
from facilitator.literal import markdown
from facilitator.store import Postit, Session, Store

FORMATS = ("md", "html")
# Where the app puts the summaries it writes, inside the data folder.
EXPORTS_FOLDER = "exports"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def participants_sentence(sessions: Sequence[Session], *, by_cohort: bool = True) -> str:
    """Participant totals in the report's form.

    For example "46 took part: 37 male, 9 female; 32 adults, 14 young offenders."
    """
    known = [s for s in sessions if s.participants is not None]
    if not known:
        return "Participant numbers were not recorded."
    total = sum(s.participants or 0 for s in known)
    male = sum(s.male or 0 for s in known)
    female = sum(s.female or 0 for s in known)
    genders = [f"{male} male", f"{female} female"]
    if total - male - female > 0:
        genders.append(f"{total - male - female} gender not recorded")
    sentence = f"{total} took part: {', '.join(genders)}"
    if by_cohort:
        cohorts = [
            f"{sum(s.participants or 0 for s in group.sessions if s.participants is not None)} {group.label}"
            for group in cohort_groups(known)
        ]
        sentence += "; " + ", ".join(cohorts)
    missing = [s.label for s in sessions if s.participants is None]
    if missing:
        sentence += " (not recorded for " + ", ".join(missing) + ")"
    return sentence + "."


def details(session: Session) -> list[tuple[str, str]]:
    """The session's details as the summary shows them: no names."""
    rows = [
        ("Consultation", session.consultation or "—"),
        ("Cohort", session.cohort),
        ("Setting", session.setting),
        ("Location", session.location or "—"),
        ("Date", session.date),
        ("Statement set", session.statement_set_title),
        ("Participants", participants_sentence([session], by_cohort=False)),
    ]
    return rows


def comments_by_statement(store: Store, session: Session) -> dict[int, dict[str, list[Postit]]]:
    """A session's comments, by statement and then response, in scale order."""
    grouped: dict[int, dict[str, list[Postit]]] = {s.number: {} for s in session.statements}
    for postit in store.iter_comments([session.id], session.scale.keys):
        grouped[postit.statement_number].setdefault(postit.response_key, []).append(postit)
    return grouped


def session_charts(store: Store, session: Session) -> list[Chart]:
    """One chart per statement, titled "<session label>: <statement text>"."""
    selection = session_selection(session)
    return Counts(store, selection.sessions).group_charts(selection.groups[0], selection)


def summary_html(store: Store, session: Session) -> str:
    """The summary as one self-contained HTML page (inline SVG charts, print styles)."""
    from facilitator.chart_files import render, svg_inline

    comments = comments_by_statement(store, session)
    parts = [htmlpage.page_start(f"Session summary: {session.label}")]
    parts.append(f'<h1>Session summary: {htmlpage.text(session.label)}</h1>\n<table class="details">')
    parts += [f"<tr><th>{name}</th><td>{htmlpage.text(value)}</td></tr>" for name, value in details(session)]
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
            parts += [htmlpage.comment_item(p.comment, p.participant or "") for p in postits]
            parts.append("</ul>\n")
    parts.append(htmlpage.PAGE_END)
    return "".join(parts)


def png_name(out: Path, statement_number: int) -> str:
    """The file name of one statement's PNG chart, beside the Markdown file."""
    return f"{out.stem}-statement-{statement_number}.png"


def summary_markdown(store: Store, session: Session, out: Path) -> str:
    """The summary as Markdown; its charts are the PNGs named by `png_name`."""
    comments = comments_by_statement(store, session)
    lines = [f"# Session summary: {markdown(session.label)}", ""]
    lines += [f"- **{name}:** {markdown(value)}" for name, value in details(session)]
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
                lines.append("- " + markdown(postit.comment).replace("\\\n", "\\\n  ") + code)
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def export_summary(store: Store, session: Session, fmt: str, out: str) -> list[str]:
    """Write the summary (and, for Markdown, its PNG charts beside it); returns what was written.

    `out` may be "-" (stdout) for HTML only: Markdown needs a folder for its charts.
    """
    if fmt not in FORMATS:
        raise FacilitatorError(f"format {fmt!r} must be md or html")
    if fmt == "html":
        page = summary_html(store, session)
        if out == "-":
            import sys

            sys.stdout.buffer.write(page.encode("utf-8"))
            sys.stdout.flush()
            return []
        write_atomic(Path(out), page)
        return [out]
    if out == "-":
        raise FacilitatorError("a Markdown summary needs --out FILE: its charts are written beside it")
    target = Path(out)
    text = summary_markdown(store, session, target)
    from facilitator.chart_files import render

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


def export_summary_to_folder(store: Store, session: Session, fmt: str, data_dir: Path) -> list[str]:
    """Write the summary into the data folder's exports folder, never over an earlier file.

    Returns what was written, the summary itself last.
    """
    if fmt not in FORMATS:
        raise FacilitatorError(f"format {fmt!r} must be md or html")
    folder = data_dir / EXPORTS_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FacilitatorError(f"cannot create the folder {folder}: {error.strerror}") from None
    return export_summary(store, session, fmt, str(new_summary_path(folder, session, fmt)))
