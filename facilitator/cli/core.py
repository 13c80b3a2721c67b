"""The command group and the post-it commands: sets, sessions, record, import, export."""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from facilitator import __version__
from facilitator.actions.data_folder import Workspace
from facilitator.cli.output import echo, echo_json, row
from facilitator.core.error_log import log_unexpected
from facilitator.core.errors import FacilitatorError, ItemError
from facilitator.store import SETTINGS, NewPostit, Postit, SessionDetails

F = TypeVar("F", bound=Callable[..., Any])
DATA_DIR_HELP = "Data folder (default: sessions/ of the clone, or $FACILITATOR_DATA_DIR)."


# The commands each other module adds, by module: a module is imported when one of its
# commands is asked for (or when every command is listed), so that opening the app does
# not load the discussion, report and sync commands.
LAZY_COMMANDS: dict[str, tuple[str, ...]] = {
    "facilitator.cli.discussion": ("participant", "note", "themes", "theme", "pseudonym", "check"),
    "facilitator.cli.reports": ("charts", "report", "pool"),
    "facilitator.cli.sync": ("keys", "sync", "receipt"),
}


class FacilitatorGroup(click.Group):
    """A group that turns every expected failure into one line on stderr and exit code 2."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            for module, names in LAZY_COMMANDS.items():
                if cmd_name in names:
                    importlib.import_module(module)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in LAZY_COMMANDS:
            importlib.import_module(module)
        return super().list_commands(ctx)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        arguments = kwargs.get("args", args[0] if args else None)
        for number, argument in enumerate(sys.argv[1:] if arguments is None else arguments, start=1):
            if _not_utf8(argument):
                shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                echo(f"error: argument {number} is not valid UTF-8 text: {shown}", err=True)
                sys.exit(2)
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.Abort:
            click.echo("error: aborted, nothing changed", err=True)
            sys.exit(2)
        except click.ClickException as error:
            hint = ""
            if isinstance(error, click.UsageError) and error.ctx is not None:
                hint = f" (see '{error.ctx.command_path} --help')"
            echo(f"error: {error.format_message()}{hint}", err=True)
            sys.exit(2)
        except FacilitatorError as error:
            echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except sqlite3.DatabaseError as error:
            echo(f"error: the database cannot be used: {error}", err=True)
            sys.exit(2)
        except BrokenPipeError:
            sys.exit(0)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; an error nobody expected is logged and reported in one line.

        The log (in the data folder, when one was opened) names the kind of error and
        where it happened, never its message: that may hold a participant's words.
        """
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, FacilitatorError):
            raise
        except (sqlite3.DatabaseError, BrokenPipeError):
            raise
        except Exception as error:
            ws = ctx.find_root().meta.get("facilitator.workspace")
            logged = log_unexpected(ws.data_dir, error) if ws is not None else None
            where = f"; details for support in {logged}" if logged else ""
            raise UnexpectedError(
                f"something went wrong ({type(error).__name__}) and the command stopped{where}"
            ) from None


class UnexpectedError(FacilitatorError):
    """A fault of the program, not of its input: exit code 1."""

    exit_code = 1


def _not_utf8(argument: object) -> bool:
    """Whether a command-line argument came from bytes that are not UTF-8 (lone surrogates)."""
    return isinstance(argument, str) and any("\udc80" <= char <= "\udcff" for char in argument)


def _remember_data_dir(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.find_root().meta["facilitator.data_dir"] = value


def data_dir_option(function: F) -> F:
    """`--data-dir`, accepted on the group and on every command."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=str),
        expose_value=False,
        callback=_remember_data_dir,
        help=DATA_DIR_HELP,
    )(function)


def workspace() -> Workspace:
    """The workspace for this invocation, opened once and closed when the command ends."""
    ctx = click.get_current_context().find_root()
    if "facilitator.workspace" not in ctx.meta:
        option = ctx.meta.get("facilitator.data_dir")
        ws = Workspace.at(option)
        _check_data_dir(ws.data_dir, "--data-dir" if option else None)
        ctx.meta["facilitator.workspace"] = ws
        ctx.call_on_close(ws.close)
    return ctx.meta["facilitator.workspace"]  # type: ignore[no-any-return]


def _check_data_dir(data_dir: Path, source: str | None) -> None:
    """Refuse a data folder that is a file (or inside one), saying where the setting came from."""
    from facilitator.core.paths import DATA_DIR_ENV

    if source is None and os.environ.get(DATA_DIR_ENV):
        source = f"the environment variable {DATA_DIR_ENV}"
    for path in (data_dir, *data_dir.parents):
        if path.exists():
            if path.is_dir():
                return
            what = "is a file" if path == data_dir else f"is inside {path}, which is a file"
            origin = f" (set by {source})" if source else ""
            raise FacilitatorError(f"the data folder {data_dir}{origin} {what}, not a folder")


@click.group(cls=FacilitatorGroup, invoke_without_command=True)
@data_dir_option
@click.version_option(__version__, prog_name="facilitator")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Run the agree/disagree post-it statement exercise in focus groups.

    With no command, opens the app on the home screen.
    """
    if ctx.invoked_subcommand is None:
        _run_app()


def _run_app(session_ref: str | None = None) -> None:
    ws = workspace()
    session_id = ws.store.sessions.get(session_ref).id if session_ref else None
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise FacilitatorError("the app needs a terminal; use the commands (see 'facilitator --help')")
    from facilitator.ui.app import run_app

    run_app(ws, session_id=session_id)


@main.command("open")
@click.argument("session")
@data_dir_option
def open_command(session: str) -> None:
    """Open the app straight on SESSION's wall."""
    _run_app(session)


@main.command("sets")
@data_dir_option
def sets_command() -> None:
    """List the statement sets: id, title and number of statements (tab-separated)."""
    catalogue = workspace().catalogue()
    for statement_set in catalogue.sets.values():
        row(statement_set.id, statement_set.title, len(statement_set.statements))
    for problem in catalogue.problems:
        echo(f"warning: skipped statement set {problem}", err=True)


@main.group("session")
def session_group() -> None:
    """Create and list sessions."""


@session_group.command("new")
@click.option("--set", "set_id", required=True, help="Statement set id (see 'facilitator sets').")
@click.option("--label", required=True, help="e.g. 'Adult focus group 1'.")
@click.option("--cohort", required=True, help="e.g. 'adults' or 'young offenders'.")
@click.option("--setting", required=True, type=click.Choice(SETTINGS, case_sensitive=False))
@click.option("--consultation", default="", help="Consultation title; created if new.")
@click.option("--location", default="")
@click.option("--date", "day", default=None, help="YYYY-MM-DD (default: today).")
@click.option("--facilitator", "facilitators", multiple=True, help="Facilitator initials; repeat for more.")
@click.option("--participants", type=click.IntRange(0, 10_000), default=None)
@click.option("--male", type=click.IntRange(0, 10_000), default=None)
@click.option("--female", type=click.IntRange(0, 10_000), default=None)
@data_dir_option
def session_new(
    set_id: str,
    label: str,
    cohort: str,
    setting: str,
    consultation: str,
    location: str,
    day: str | None,
    facilitators: tuple[str, ...],
    participants: int | None,
    male: int | None,
    female: int | None,
) -> None:
    """Create a session and print its id, alone, on stdout."""
    ws = workspace()
    statement_set = ws.catalogue().get(set_id)
    details = SessionDetails(
        label=label,
        cohort=cohort,
        setting=setting,
        consultation=consultation,
        location=location,
        facilitators=facilitators,
        participants=participants,
        male=male,
        female=female,
    )
    if day is not None:
        details.date = day
    session = ws.store.sessions.create(statement_set, details)
    from facilitator.discussion.codebook import seed_codebook

    seed_codebook(ws.store, session, statement_set.themes)
    click.echo(session.id)


@session_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@data_dir_option
def session_list(as_json: bool) -> None:
    """List the sessions in the order they took place."""
    summaries = workspace().store.sessions.summaries()
    if as_json:
        rows = [
            {
                "id": s.session.id,
                "label": s.session.label,
                "cohort": s.session.cohort,
                "setting": s.session.setting,
                "location": s.session.location,
                "date": s.session.date,
                "consultation": s.session.consultation,
                "statement_set": s.session.statement_set_id,
                "postits": s.postits,
                "closed": s.session.is_closed,
                "sent": s.sent,
            }
            for s in summaries
        ]
        echo_json(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not summaries:
        click.echo("no sessions yet: create one with 'facilitator session new'", err=True)
        return
    click.echo("id\tdate\tlabel\tcohort\tsetting\tpostits\tstatus")
    for s in summaries:
        session, status = s.session, "closed" if s.session.is_closed else "open"
        row(session.id, session.date, session.label, session.cohort, session.setting, s.postits, status)


@session_group.command("close")
@click.argument("session")
@data_dir_option
def session_close(session: str) -> None:
    """Mark SESSION closed: its exercise is over."""
    store = workspace().store
    found = store.sessions.get(session)
    if found.is_closed:
        echo(f"already closed {found.label}")
        return
    closed = store.sessions.close(found.id)
    echo(f"closed {closed.label}")


def stdin_is_terminal() -> bool:
    """Whether a person can answer a question (a seam for tests)."""
    return sys.stdin.isatty()


@session_group.command("delete")
@click.argument("session")
@click.option("--yes", is_flag=True, help="Do not ask; needed when not run in a terminal.")
@data_dir_option
def session_delete(session: str, yes: bool) -> None:
    """Delete SESSION with its post-its, notes and roster (asks you to type its label).

    The rows are tombstoned, so the deletion travels to other devices by sync.
    """
    store = workspace().store
    found = store.sessions.get(session)
    if not yes:
        if not stdin_is_terminal():
            raise FacilitatorError(
                "deleting a session needs confirmation: run it in a terminal, or add --yes"
            )
        postits = len(store.postits.of(found.id))
        echo(
            f"This deletes {found.label!r} ({found.date}) with its {postits} post-its, notes and roster.",
            err=True,
        )
        typed = click.prompt(
            "Type the session's label to delete it", default="", show_default=False, err=True
        )
        if " ".join(typed.split()).casefold() != found.label.casefold():
            raise FacilitatorError("the label typed does not match: nothing deleted")
    store.sessions.delete(found.id)
    echo(f"deleted {found.label}")


@main.command("record")
@click.argument("session")
@click.argument("statement")
@click.argument("response")
@click.option("--comment", default="", help="What the participant wrote on the post-it.")
@click.option("--participant", default=None, help="Participant code such as P3 (never a name).")
@data_dir_option
def record_command(
    session: str, statement: str, response: str, comment: str, participant: str | None
) -> None:
    """Record one post-it and print its id once it is on disk.

    STATEMENT is the statement's number (1-based). RESPONSE is a scale key, a
    label or the entry key (1-5).
    """
    store = workspace().store
    found = store.sessions.get(session)
    try:
        number = int(statement)
    except ValueError:
        raise FacilitatorError(f"statement {statement!r} must be a number such as 1") from None
    postit = store.postits.add(found.id, number, response, comment, participant, session=found)
    click.echo(postit.id)
    if found.is_closed:
        echo(
            f"warning: session {found.label!r} is closed: the post-it was recorded anyway",
            err=True,
        )


IMPORT_COLUMNS = ("statement", "response", "comment", "participant")
IMPORT_FORMATS = "statement,response,comment[,participant], or those of 'facilitator export --format csv'"


def _import_fields(path: Path, columns: list[str]) -> list[str | None]:
    """The post-it field each column fills, None for an export's column that the import ignores.

    A header that names the export's `statement_number` or `response_key` is an
    export's header: its `statement` is the statement's text, and the import
    reads only the columns in `export.IMPORTED_COLUMNS`. Any other header is a
    transcription's, with the columns `IMPORT_COLUMNS`.
    """
    from facilitator.outputs.export import CSV_COLUMNS, IMPORTED_COLUMNS

    known: tuple[str, ...]
    if any(c in IMPORTED_COLUMNS and c not in IMPORT_COLUMNS for c in columns):
        known, required = CSV_COLUMNS, ("statement_number", "response_key")
        fields = [IMPORTED_COLUMNS.get(c) for c in columns]
    else:
        known, required = IMPORT_COLUMNS, ("statement", "response")
        fields = list(columns)
    unknown = [c for c in columns if c not in known]
    missing = [c for c in required if c not in columns]
    twice = [c for i, c in enumerate(columns) if c in columns[:i]]
    if unknown or missing or twice:
        if unknown:
            problem = f"unknown column {unknown[0]!r}"
        elif missing:
            problem = f"missing column {missing[0]!r}"
        else:
            problem = f"column {twice[0]!r} appears twice"
        raise FacilitatorError(f"{path} line 1: {problem}: columns are {IMPORT_FORMATS}")
    return fields


def read_postit_csv(path: Path) -> tuple[list[NewPostit], list[int]]:
    """Read a transcription CSV, or a post-it CSV export: the post-its and the line each came from.

    Every cell read is restored from the export's spreadsheet neutralisation
    (`export.restore_cell`): one leading apostrophe comes off when = + - @, a
    tab, a carriage return or another apostrophe follows it, and only then. The
    rule is the same for a file typed by hand, so `'quoted'` keeps its
    apostrophe and `''tis` becomes `'tis`.
    """
    from facilitator.outputs.export import restore_cell

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise FacilitatorError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise FacilitatorError(f"{path} is not UTF-8 text: save it as 'CSV UTF-8'") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    items: list[NewPostit] = []
    lines: list[int] = []
    try:
        columns = [c.strip().casefold() for c in next(reader, [])]
        if not columns:
            raise FacilitatorError(f"{path} is empty: it needs a header line 'statement,response,comment'")
        fields = _import_fields(path, columns)
        for row in reader:
            if len(row) > len(columns):
                raise FacilitatorError(f"{path} line {reader.line_num}: more cells than columns")
            if not any(cell.strip() for cell in row):
                continue
            cells = {field: cell for field, cell in zip(fields, row, strict=False) if field is not None}
            items.append(
                NewPostit(
                    statement_number=restore_cell(cells.get("statement", "").strip()),  # type: ignore[arg-type]  # checked by the store
                    response=restore_cell(cells.get("response", "").strip()),
                    comment=restore_cell(cells.get("comment", "")),
                    participant=restore_cell(cells.get("participant", "").strip()) or None,
                )
            )
            lines.append(reader.line_num)
    except csv.Error as error:
        raise FacilitatorError(f"{path} line {reader.line_num}: {error}") from None
    return items, lines


@main.command("import-postits")
@click.argument("session")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@data_dir_option
def import_postits(session: str, file: Path) -> None:
    """Transcribe a wall from FILE.csv (columns statement,response,comment[,participant]).

    FILE may also be a CSV that 'facilitator export --format csv' wrote, of this
    session or another: its post-its are added to SESSION as new post-its. All
    or nothing: one bad row, reported with its line number, imports nothing.
    """
    store = workspace().store
    found = store.sessions.get(session)
    items, lines = read_postit_csv(file)
    before = store.postits.of(found.id)
    try:
        count = store.postits.add_many(found.id, items)
    except ItemError as error:
        raise FacilitatorError(
            f"{file} line {lines[error.index]}: {error.reason}; nothing imported"
        ) from None
    echo(f"imported {count} post-its into {found.label}")
    repeats = _matching_postits(before, store.postits.of(found.id))
    if repeats:
        echo(
            f"warning: {repeats} of these {count} post-its match ones already recorded in this session; "
            f"was this file imported before? ('facilitator export {session} --format csv --out -' "
            f"lists them; to undo, delete the repeats on the wall: 'facilitator open {session}')",
            err=True,
        )


def _matching_postits(before: list[Postit], after: list[Postit]) -> int:
    """How many post-its new in `after` repeat one of `before` (statement, response, comment, participant).

    Each earlier post-it matches at most one new one, so importing a file twice
    reports every row, and a wall with two identical post-its is not flagged.
    """
    from collections import Counter

    def key(p: Postit) -> tuple[int, str, str, str | None]:
        return (p.statement_number, p.response_key, p.comment, p.participant)

    earlier = Counter(key(p) for p in before)
    old_ids = {p.id for p in before}
    repeats = 0
    for postit in after:
        if postit.id not in old_ids and earlier[key(postit)] > 0:
            earlier[key(postit)] -= 1
            repeats += 1
    return repeats


@main.command("export")
@click.argument("session")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "md", "html"]), required=True)
@click.option("--out", required=True, help="File to write, or - for stdout.")
@click.option(
    "--table",
    type=click.Choice(["postits", "notes"]),
    default="postits",
    show_default=True,
    help="CSV only: one row per post-it, or per discussion note.",
)
@data_dir_option
def export_command(session: str, fmt: str, out: str, table: str) -> None:
    """Export SESSION's post-its and discussion as JSON or tidy CSV, or its summary as HTML or Markdown.

    The HTML summary is one self-contained page that prints on A4; the Markdown
    summary refers to PNG charts written beside it.
    """
    from facilitator.outputs import export

    store = workspace().store
    found = store.sessions.get(session)
    if fmt != "csv" and table != "postits":
        raise FacilitatorError("--table is for CSV only: the other formats hold the post-its and the notes")
    if fmt in ("md", "html"):
        from facilitator.outputs.summary import export_summary

        for path in export_summary(store, found, fmt, out):
            echo(f"wrote {path}", err=True)
    else:
        text = export.to_json(store, found) if fmt == "json" else export.to_csv(store, found, table)
        if out == "-":
            sys.stdout.buffer.write(text.encode("utf-8"))
            sys.stdout.flush()
        else:
            from facilitator.core.files import write_atomic

            write_atomic(Path(out), text)
            echo(f"wrote {out}", err=True)
    from facilitator.discussion.privacy import session_findings

    only_postits = fmt == "csv" and table == "postits"
    only_notes = fmt == "csv" and table == "notes"
    warn_privacy(
        session_findings(store, found, postits=not only_notes, notes=not only_postits),
        f"'facilitator privacy {session}'",
    )


PRIVACY_LINES = 20


def warn_privacy(found: list[Any], command: str, *, with_session: bool = False) -> None:
    """After an export: a short warning block on stderr naming each identifying detail it holds.

    `command` is how to list them all, for when there are too many to show.
    """
    if not found:
        return
    many = "s" if len(found) != 1 else ""
    click.echo(
        f"warning: {len(found)} possible identifying detail{many} in what was exported "
        "(exported as written; edit the comment or note if it should not leave):",
        err=True,
    )
    for finding in found[:PRIVACY_LINES]:
        echo(f"  {finding.line(with_session=with_session)}", err=True)
    if len(found) > PRIVACY_LINES:
        echo(f"  ... and {len(found) - PRIVACY_LINES} more: {command} lists them all", err=True)


@main.command("privacy")
@click.argument("session")
@click.option("--names", is_flag=True, help="Also list capitalised words that may be names.")
@data_dir_option
def privacy_command(session: str, names: bool) -> None:
    """List likely identifying details in SESSION's comments and notes as they would be exported.

    Runs after the pseudonym map is applied, so it shows what the map leaves:
    prison numbers, phone numbers and dates (and, with --names, possible names).
    Prints one line per finding: where, kind, excerpt, reason (tab-separated).
    """
    from facilitator.discussion.privacy import EXPORT_KINDS, session_findings

    store = workspace().store
    found = session_findings(store, store.sessions.get(session), kinds=None if names else EXPORT_KINDS)
    if not found:
        click.echo("no identifying details found", err=True)
        return
    click.echo("where\tkind\texcerpt\treason")
    for finding in found:
        excerpt = " ".join(finding.excerpt.split())
        row(finding.location, finding.kind, excerpt, finding.reason)
