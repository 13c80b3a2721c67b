"""Writing what leaves the laptop: a session's export or summary, the charts, the report.

`identifying_details` is the one check of what an export would carry: the
identifying details left in its comments and notes after the pseudonym map. The
app runs it before writing and asks; the command line warns after writing. Each
export returns what it wrote and those details, for the front end to warn about:
an export never alters a comment silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.actions.purge import refuse_purged
from facilitator.core.errors import FacilitatorError
from facilitator.store import Session, Store

if TYPE_CHECKING:
    from facilitator.discussion.privacy import PrivacyFinding

SESSION_FORMATS = ("json", "csv", "md", "html", "docx")
SUMMARY_FORMATS = ("html", "md")
# The summaries the app writes into the exports folder: the page, Markdown, and Word for the office.
FOLDER_SUMMARY_FORMATS = (*SUMMARY_FORMATS, "docx")
# The report as a web page (charts as SVG inside it) or as a Word document (charts as PNG).


def identifying_details(
    store: Store,
    sessions: Sequence[Session],
    *,
    names: bool = False,
    postits: bool = True,
    notes: bool = True,
) -> list[PrivacyFinding]:
    """The identifying details an export of `sessions` would carry, after the pseudonym map.

    Prison numbers, phone numbers and dates always; with `names`, also capitalised
    words that may be names (many, mostly harmless, so the command line lists them
    only on request, while the app asks about them before it writes, with the map
    one key away). `postits` and `notes` say what the export holds. Post-its first,
    in statement order, then notes, session by session in the order given.
    """
    from facilitator.discussion.privacy import EXPORT_KINDS, session_findings

    kinds = EXPORT_KINDS | {"name"} if names else EXPORT_KINDS
    return [
        finding
        for session in sessions
        for finding in session_findings(store, session, postits=postits, notes=notes, kinds=kinds)
    ]


def privacy_heading(findings: Sequence[PrivacyFinding]) -> str:
    """The sentence that heads the list of identifying details an export holds."""
    many = "s" if len(findings) != 1 else ""
    return (
        f"{len(findings)} possible identifying detail{many} in what was exported "
        "(exported as written; edit the comment or note if it should not leave):"
    )


@dataclass(frozen=True)
class Exported:
    """Files written (the main one last), or the text meant for stdout, and the privacy findings."""

    written: list[str]
    text: str | None = None
    findings: list[PrivacyFinding] = field(default_factory=list)


def export_session(store: Store, session: Session, fmt: str, out: str, table: str = "postits") -> Exported:
    """Export a session: JSON or tidy CSV (`table` "postits" or "notes"), or its summary (html, md, docx).

    `out` is a file, or "-" for the text itself (`Exported.text`, written nowhere);
    a Markdown summary needs a file, its PNG charts are written beside it, and a
    Word summary needs a file ending in .docx. The file's folder is made if missing.
    """
    if fmt not in SESSION_FORMATS:
        raise FacilitatorError(f"format {fmt!r} must be one of {', '.join(SESSION_FORMATS)}")
    refuse_purged(store, session, "exporting")
    if fmt == "docx":
        if out == "-":
            raise FacilitatorError("a Word summary cannot go to the terminal: give --out FILE.docx")
        check_ending(Path(out), "docx", "a Word summary")
    if out != "-":
        _refuse_another_formats_ending(Path(out), fmt)
        make_folder_for(Path(out))
    text: str | None = None
    written: list[str] = []
    if fmt in (*SUMMARY_FORMATS, "docx"):
        from facilitator.outputs import summary

        if out == "-" and fmt == "html":
            text = summary.summary_html(store, session)
        else:
            written = summary.export_summary(store, session, fmt, out)
    else:
        from facilitator.outputs import export

        text = export.to_json(store, session) if fmt == "json" else export.to_csv(store, session, table)
        if out != "-":
            from facilitator.core.files import write_atomic

            write_atomic(Path(out), text)
            written, text = [out], None
    only_postits = fmt == "csv" and table == "postits"
    only_notes = fmt == "csv" and table == "notes"
    findings = identifying_details(store, [session], postits=not only_notes, notes=not only_postits)
    return Exported(written, text, findings)


# Endings that name one format: a file of another format under one of them would open in
# the wrong program, or not at all.
_OWN_ENDINGS = {".json": "json", ".csv": "csv", ".md": "md", ".html": "html", ".htm": "html",
                ".docx": "docx", ".xlsx": "xlsx", ".qdpx": "qdpx", ".qdc": "qdc"}  # fmt: skip


def _refuse_another_formats_ending(out: Path, fmt: str) -> None:
    meant = _OWN_ENDINGS.get(out.suffix.lower())
    if meant is not None and meant != fmt:
        raise FacilitatorError(
            f"{out.name} ends in {out.suffix}, but the format is {fmt}: "
            f"give a file ending in .{fmt} (or --format {meant})"
        )


def make_folder_for(path: Path) -> None:
    """Make the folder `path` is to be written into (and its missing parents, each 0700)."""
    folder = path.parent if str(path.parent) else Path(".")
    if folder.is_dir():
        return
    from facilitator.core.files import make_private_dir

    try:
        make_private_dir(folder)
    except OSError as error:
        why = error.strerror or str(error)
        if isinstance(error, (FileExistsError, NotADirectoryError)):
            why = "a file is in the way"
        raise FacilitatorError(f"cannot create the folder {folder}: {why}") from None


def export_summary_to_folder(store: Store, session: Session, fmt: str, data_dir: Path) -> Exported:
    """Write a session's summary (html, md or docx) into the data folder's exports folder, never
    over an earlier file; the summary is the last file written (a Word summary holds its charts)."""
    from facilitator.outputs import summary

    refuse_purged(store, session, "exporting")
    written = summary.export_summary_to_folder(store, session, fmt, data_dir)
    return Exported(written, findings=identifying_details(store, [session]))


def export_to_folder(store: Store, session: Session, fmt: str, data_dir: Path) -> Exported:
    """Write a session's summary (html, md, docx), Excel workbook (xlsx) or REFI-QDA project (qdpx)
    into the data folder's exports folder, never over an earlier file; the main file is written last."""
    if fmt in FOLDER_SUMMARY_FORMATS:
        return export_summary_to_folder(store, session, fmt, data_dir)
    if fmt not in ANALYST_FORMATS:
        raise FacilitatorError(
            f"format {fmt!r} must be one of {', '.join(FOLDER_SUMMARY_FORMATS + ANALYST_FORMATS)}"
        )
    from facilitator.outputs.summary import free_export_path

    refuse_purged(store, session, "exporting")
    return export_for_analysts(store, [session], fmt, free_export_path(data_dir, session, fmt))


@dataclass(frozen=True)
class ReportWritten:
    """The report (or the charts alone) written into `folder`, for `sessions`."""

    folder: Path
    charts: int
    sessions: list[Session]
    findings: list[PrivacyFinding] = field(default_factory=list)
    document: str = "html"

    @property
    def page(self) -> Path:
        """The report itself: `report.html` or `report.docx`."""
        return self.folder / f"report.{self.document}"


@dataclass(frozen=True)
class ReportFormats:
    """What a report is written as: the document ("html" or "docx") and its chart files' formats."""

    document: str
    charts: tuple[str, ...]


def report_formats(
    document: str | None, charts: str | None, *, default_charts: str = "png,svg"
) -> ReportFormats:
    """Read the report's `--format` and `--charts`.

    `--format` is html or docx; as before it may instead name the chart formats
    ("png", "svg", "png,svg"), which then mean an HTML report with those charts,
    so older scripts keep working. A Word report always has PNG charts (Word shows them).
    """
    from facilitator.outputs.chart_files import FORMATS, parse_formats
    from facilitator.outputs.report import DOCUMENT_FORMATS

    wanted = "html" if document is None else document.strip().lower()
    if wanted not in DOCUMENT_FORMATS:
        parts = {part.strip().lower() for part in wanted.split(",") if part.strip()}
        if not parts or not parts <= set(FORMATS):
            raise FacilitatorError(
                f"--format {document!r} must be html or docx "
                "(or, as before, the chart formats png, svg or png,svg)"
            )
        if charts is not None:
            raise FacilitatorError("give the chart formats once: --charts png,svg (not also --format)")
        return ReportFormats("html", parse_formats(wanted, "--format"))
    chosen = parse_formats(default_charts if charts is None else charts)
    if wanted == "docx" and "png" not in chosen:
        chosen = ("png", *chosen)
    return ReportFormats(wanted, chosen)


def chart_cache(store: Store) -> Path | None:
    """The data folder's cache of charts drawn before (made if missing), or None if it cannot
    be made: the charts are then drawn afresh, which is slower but the same."""
    from facilitator.core.files import make_private_dir
    from facilitator.core.paths import CHART_CACHE

    folder = store.path.parent / CHART_CACHE
    # A cache that is a link could send the pictures (and the clean-up) elsewhere: not used.
    if folder.is_symlink() or folder.parent.is_symlink():
        return None
    try:
        make_private_dir(folder)
    except OSError:
        return None
    return folder


def write_charts(
    store: Store,
    out: Path,
    formats: Sequence[str],
    *,
    consultation: str | None = None,
    session_refs: Sequence[str] = (),
    pools: Sequence[str] = (),
) -> ReportWritten:
    """Write the report's charts (Figures, then Appendix 1) and `index.json` into `out`.

    Sessions: those named, else the consultation's, else all; pools: those given
    ("LABEL=ID,ID"), else the saved pools of the chosen sessions. The folder is
    made if missing.
    """
    from facilitator.exercise import charts
    from facilitator.outputs import chart_files

    selection = charts.select(store, consultation=consultation, session_refs=session_refs, pools=pools)
    make_folder_for(out)
    entries = chart_files.export_charts(store, selection, out, formats, cache=chart_cache(store))
    return ReportWritten(out, len(entries), list(selection.sessions))


def write_report(
    store: Store,
    out: Path,
    formats: Sequence[str],
    *,
    consultation: str | None = None,
    session_refs: Sequence[str] = (),
    pools: Sequence[str] = (),
    document: str = "html",
    template: Path | None = None,
    organisation: str = "",
) -> ReportWritten:
    """Write `report.html` or `report.docx` with its chart files and `index.json` into `out`
    (chosen as for `write_charts`; the folder is made if missing).

    `template` (Word only) is an organisation's .docx whose styles the report uses;
    it is checked before anything is drawn or written. `organisation` goes on the cover.
    """
    from facilitator.exercise import charts
    from facilitator.outputs import report

    if document not in report.DOCUMENT_FORMATS:
        raise FacilitatorError(
            f"a report is written as {' or '.join(report.DOCUMENT_FORMATS)}, not {document!r}"
        )
    from facilitator.store.records import MAX_LABEL, check_short_text

    organisation = check_short_text(organisation, "the organisation's name", MAX_LABEL)
    if template is not None:
        if document != "docx":
            raise FacilitatorError("a template is for a Word report: add --format docx")
        from facilitator.outputs.docx_template import read_template

        read_template(template)
    selection = charts.select(store, consultation=consultation, session_refs=session_refs, pools=pools)
    make_folder_for(out)
    entries = report.write_report(
        store,
        selection,
        out,
        formats,
        document_format=document,
        template=template,
        organisation=organisation,
        cache=chart_cache(store),
    )
    sessions = list(selection.sessions)
    return ReportWritten(out, len(entries), sessions, identifying_details(store, sessions), document)


# ---------------------------------------------------------------- for analysts

# Files for other programs: an Excel workbook with a data dictionary, and a
# REFI-QDA project for qualitative data analysis software (NVivo, ATLAS.ti, QualCoder).
ANALYST_FORMATS = ("xlsx", "qdpx")
ANALYST_NAMES = {"xlsx": "an Excel workbook", "qdpx": "a REFI-QDA project"}


def check_ending(out: Path, ending: str, what: str) -> None:
    """FacilitatorError unless the file's name ends in `.ending` (any case): other programs
    list and open files by their ending, so a file without it is as good as lost."""
    if out.suffix.lower() != f".{ending}":
        raise FacilitatorError(
            f"{what} needs a file name ending in .{ending}, not {out.name!r}: "
            f"Word, Excel and QDA programs find files by their ending"
        )


@dataclass(frozen=True)
class Chosen:
    """The sessions an export covers, and the purged ones left out (their words are at the office)."""

    sessions: list[Session]
    purged: list[Session] = field(default_factory=list)


def choose_sessions(store: Store, session_ref: str | None = None, consultation: str | None = None) -> Chosen:
    """One session, a consultation's sessions, or every session, in the order they took place.

    A named session that was purged here is refused; a consultation's (or every)
    purged session is left out and listed, so the front end can say so.
    """
    from facilitator.actions.purge import purged_stub

    if session_ref is not None and consultation is not None:
        raise FacilitatorError("give SESSION or --consultation, not both")
    if session_ref is not None:
        session = store.sessions.get(session_ref)
        refuse_purged(store, session, "exporting")
        return Chosen([session])
    consultation_id = None if consultation is None else store.consultations.named(consultation).id
    every = store.sessions.all(consultation_id)
    purged = [s for s in every if purged_stub(store, s.id) is not None]
    purged_ids = {s.id for s in purged}
    kept = [s for s in every if s.id not in purged_ids]
    if not kept:
        raise FacilitatorError(
            "there are no sessions to export here" + (": every one was purged" if purged else "")
        )
    return Chosen(kept, purged)


def export_for_analysts(store: Store, sessions: Sequence[Session], fmt: str, out: Path) -> Exported:
    """Write an Excel workbook (xlsx) or a REFI-QDA project (qdpx) of `sessions` to the file `out`;
    its findings include the capitalised words that may be names.

    The whole file or nothing: it is built in memory and written atomically. Text
    passes through each session's pseudonym map; the map itself is never written.
    """
    from facilitator.core.files import write_atomic

    if fmt not in ANALYST_FORMATS:
        raise FacilitatorError(f"format {fmt!r} must be one of {', '.join(ANALYST_FORMATS)}")
    if str(out) == "-":
        raise FacilitatorError(f"{ANALYST_NAMES[fmt]} cannot go to the terminal: give --out FILE.{fmt}")
    check_ending(out, fmt, ANALYST_NAMES[fmt])
    make_folder_for(out)
    if fmt == "xlsx":
        from facilitator.outputs import workbook

        data = workbook.workbook_bytes(store, sessions)
    else:
        from facilitator.outputs import refi_qda

        data = refi_qda.project_bytes(store, sessions)
    write_atomic(out, data)
    # Names too: a file for analysts leaves the office, so the front end counts them as well.
    return Exported([str(out)], findings=identifying_details(store, sessions, names=True))


# ---------------------------------------------------------------- codebooks

# A consultation's codebook alone, as a REFI-QDA codebook (.qdc): written for other
# programs, and read from them, all or nothing.


def export_codebook(store: Store, consultation: str, out: Path) -> int:
    """Write the consultation's codebook, ranked, to the .qdc file `out`; how many themes it holds.

    Refused when the codebook has no theme. Theme names pass through the pseudonym maps
    of the consultation's sessions; the file is written whole or not at all.
    """
    from facilitator.core.files import write_atomic
    from facilitator.discussion.codebook import rank_for_consultation
    from facilitator.outputs import refi_qda

    found = store.consultations.named(consultation)
    if str(out) == "-":
        raise FacilitatorError("a codebook cannot go to the terminal: give --out FILE.qdc")
    check_ending(out, "qdc", "a REFI-QDA codebook")
    make_folder_for(out)
    data = refi_qda.codebook_bytes(store, found)
    write_atomic(out, data)
    # Counted, not read back: the file is for other programs, and a name the pseudonym
    # map made longer than facilitator's own limit is no error there.
    return len(rank_for_consultation(store, found.id))


def import_codebook(store: Store, consultation: str, path: Path) -> tuple[list[str], list[str]]:
    """Add the themes of the REFI-QDA codebook at `path` to the consultation's codebook, all or nothing.

    Returns (names added, names already there), in the file's order. The whole file is
    read and checked first (`refi_qda.read_codebook`); then every new theme is added in
    one transaction. A theme already there is left alone, its tags and name unchanged.
    """
    from facilitator.discussion.codebook import Codebook
    from facilitator.outputs import refi_qda

    found = store.consultations.named(consultation)
    names = refi_qda.read_codebook(_read_file(path, refi_qda.MAX_BYTES + 1), str(path))
    return store.codebook.ensure_many(Codebook(found.id), names)


def _read_file(path: Path, limit: int) -> bytes:
    """Up to `limit` bytes of the file at `path`; FacilitatorError if it cannot be read or is no
    file (a folder, a pipe, a device), which is never waited on: a pipe would block for ever."""
    import os
    import stat

    try:
        # O_BINARY: on Windows a descriptor is opened in text mode otherwise, and stops at a 0x1A byte.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise FacilitatorError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "not a file (a pipe or a device)"
            raise FacilitatorError(f"cannot read {path}: it is {what}")
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            return file.read(limit)
    except OSError as error:
        raise FacilitatorError(f"cannot read {path}: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
