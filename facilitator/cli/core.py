"""The command group and the post-it commands: sets, sessions, record, import, export."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from facilitator import __version__
from facilitator.actions.data_folder import Workspace
from facilitator.cli.output import echo, echo_json, row
from facilitator.core.error_log import log_unexpected
from facilitator.core.errors import FacilitatorError
from facilitator.core.literal import visible
from facilitator.store import SETTINGS, DatabaseError, SessionDetails

if TYPE_CHECKING:
    from facilitator.sync.status import SessionSync

F = TypeVar("F", bound=Callable[..., Any])
DATA_DIR_HELP = "Data folder (default: sessions/ of the clone, or $FACILITATOR_DATA_DIR)."


# The commands each other module adds, by module: a module is imported when one of its
# commands is asked for (or when every command is listed), so that opening the app does
# not load the discussion, report and sync commands.
LAZY_COMMANDS: dict[str, tuple[str, ...]] = {
    "facilitator.cli.discussion": ("participant", "note", "themes", "theme", "pseudonym", "check"),
    "facilitator.cli.reports": ("charts", "report", "pool"),
    "facilitator.cli.sync": ("keys", "devices", "sync", "receipt"),
    "facilitator.cli.purge": ("purge",),
    "facilitator.cli.passphrase": ("passphrase", "protect", "recover"),
    "facilitator.cli.kit": ("kit",),
    "facilitator.cli.example": ("example",),
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
            # One line: click lays some messages out over several ("Choose from:\n json,\n csv").
            echo(f"error: {' '.join(error.format_message().split())}{hint}", err=True)
            sys.exit(2)
        except FacilitatorError as error:
            echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except DatabaseError as error:
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
        except (DatabaseError, BrokenPipeError):
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


def _remember_no_passphrase(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().meta["facilitator.no_passphrase"] = True


def data_dir_option(function: F) -> F:
    """`--data-dir` and `--no-passphrase`, accepted on the group and on every command."""
    function = click.option(
        "--no-passphrase",
        is_flag=True,
        expose_value=False,
        callback=_remember_no_passphrase,
        help="Make a new data folder unencrypted, on purpose (an office server on an encrypted disk; tests).",
    )(function)
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
        # Opening the data folder may make it private: one line on stderr says so, before anything else.
        ws.tell = partial(echo, err=True)
        ws.ask = ask_in_terminal
        ws.no_passphrase = bool(ctx.meta.get("facilitator.no_passphrase"))
        _check_data_dir(ws.data_dir, "--data-dir" if option else None)
        ctx.meta["facilitator.workspace"] = ws
        ctx.call_on_close(ws.close)
        # Runs before the close above: the rows left out because they do not parse.
        ctx.call_on_close(lambda: report_damaged(ws))
    return ctx.meta["facilitator.workspace"]  # type: ignore[no-any-return]


def ask_in_terminal(ws: Workspace) -> None:
    """Open a new or locked data folder with a passphrase typed without echo in the
    terminal. With no terminal, nothing is asked and the store says why."""
    from facilitator.actions.data_folder import FolderState

    state = ws.state()
    if not stdin_is_terminal():
        return
    if state is FolderState.LOCKED:
        ws.unlock(prompt_passphrase(ws))
    elif state is FolderState.NEW:
        for line in NEW_FOLDER_EXPLAINED.format(data_dir=ws.data_dir).splitlines():
            echo(line, err=True)
        ws.create(ask_new_passphrase())


def prompt_passphrase(ws: Workspace) -> str:
    """The folder's passphrase, typed without echo in the terminal; a missing or damaged key
    file is said before anything is asked."""
    from facilitator.store.key_file import KeyFile

    KeyFile.load(ws.data_dir)
    return str(click.prompt(visible(f"Passphrase for {ws.data_dir}"), hide_input=True, err=True))


NEW_FOLDER_EXPLAINED = (
    "{data_dir} is a new data folder. Its database will be encrypted, so a lost laptop gives "
    "nothing away.\nChoose a passphrase: three or four ordinary words are best. If it is "
    "forgotten, only the office can recover the folder, once this laptop trusts it."
)


NEW_PASSPHRASE_TRIES = 3


def ask_new_passphrase(what: str = "New passphrase") -> str:
    """A new passphrase, typed twice without echo, with a hint on its strength.

    One too short, or typed differently the second time, is asked again; after three
    tries, FacilitatorError (exit 2) and nothing is changed.
    """
    from facilitator.store.key_file import check_new_passphrase, strength

    for _ in range(NEW_PASSPHRASE_TRIES):
        typed = click.prompt(what, hide_input=True, err=True)
        try:
            check_new_passphrase(typed)
        except FacilitatorError as error:
            echo(f"{str(error)[:1].upper()}{str(error)[1:]}.", err=True)
            continue
        echo(strength(typed), err=True)
        if click.prompt("Repeat for confirmation", hide_input=True, err=True) == typed:
            return str(typed)
        echo("The two passphrases typed differ: start again.", err=True)
    raise FacilitatorError(f"no passphrase after {NEW_PASSPHRASE_TRIES} tries: nothing was changed")


def report_damaged(ws: Workspace) -> None:
    """One warning line on stderr for each stored row the command left out because it does not parse."""
    for damaged in ws.damaged():
        echo(f"warning: {damaged.line()}", err=True)


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

    With no command, opens the app on the sessions screen.
    """
    if ctx.invoked_subcommand is None:
        _run_app()


def app_can_run() -> bool:
    """Whether the app has a terminal to run in (a seam for tests)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _run_app(session_ref: str | None = None) -> None:
    """The app in this terminal. The environment opens the folder if it can (a wrong
    FACILITATOR_PASSPHRASE stops here, in one line); otherwise the app's own first-start or
    unlock screen asks, and SESSION is looked up once the folder is open."""
    from facilitator.actions.data_folder import FolderState

    if not app_can_run():
        raise FacilitatorError("the app needs a terminal; use the commands (see 'facilitator --help')")
    ws = workspace()
    ws.tell = None  # the app says it in a notification instead
    ws.ask = None  # the app asks on its own screens, never on the terminal beneath it
    ws.open_from_environment()
    session_id = session_ref
    if session_ref and ws.state() is FolderState.OPEN:
        session_id = ws.store.sessions.get(session_ref).id
    elif ws.state() is FolderState.LOCKED:
        from facilitator.store.key_file import KeyFile

        KeyFile.load(ws.data_dir)  # a missing or damaged key file is one line here, not a screen
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
    from facilitator.actions.sessions import create_session

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
    session = create_session(workspace(), set_id, details)
    click.echo(session.id)


@session_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@data_dir_option
def session_list(as_json: bool) -> None:
    """List the sessions in the order they took place, and how far each is on its way to the office."""
    from facilitator.actions.sync import sync_statuses
    from facilitator.store.purge import REMOVED_IDS

    store = workspace().store
    summaries = store.sessions.summaries()
    statuses = sync_statuses(store)
    if as_json:
        rows = []
        for s in summaries:
            entry: dict[str, object] = {
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
                "example": s.session.example,
                **_sync_json(statuses.get(s.session.id)),
            }
            if s.purged is not None:
                entry["purged"] = {k: v for k, v in s.purged.items() if k != REMOVED_IDS}
            rows.append(entry)
        echo_json(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not summaries:
        click.echo("no sessions yet: create one with 'facilitator session new'", err=True)
        return
    click.echo("id\tdate\tlabel\tcohort\tsetting\tpostits\tstatus\toffice")
    for s in summaries:
        session, status = s.session, "closed" if s.session.is_closed else "open"
        office = "never sent (example)" if session.example else _office_words(statuses.get(session.id))
        if s.purged is not None:
            status = "purged"
        if session.example:
            status += ", EXAMPLE"
        row(
            session.id,
            session.date,
            session.label,
            session.cohort,
            session.setting,
            s.postits,
            status,
            office,
        )


def _sync_json(sync: SessionSync | None) -> dict[str, str | None]:
    """`sync_status` (null at the office, or for a session with no row written here) and `confirmed_at`."""
    return {
        "sync_status": sync.status if sync else None,
        "confirmed_at": sync.confirmed_at if sync else None,
    }


SYNC_WORDS = {"local": "not sent", "exported": "sent, awaiting office"}


def _office_words(sync: SessionSync | None) -> str:
    """Where a session stands with the office, in the sessions screen's words (empty: nothing to send)."""
    if sync is None:
        return ""
    if sync.status in SYNC_WORDS:
        return SYNC_WORDS[sync.status]
    if sync.confirmed_at is None:
        return "removed here"  # purged by force: the office may not hold it
    return f"✓ at office {sync.confirmed_at[:10]}"


@session_group.command("close")
@click.argument("session")
@data_dir_option
def session_close(session: str) -> None:
    """Mark SESSION closed: its exercise is over."""
    from facilitator.actions.sessions import close_session

    closing = close_session(workspace().store, session)
    echo(f"{'already closed' if closing.already else 'closed'} {closing.session.label}")


def stdin_is_terminal() -> bool:
    """Whether a person can answer a question (a seam for tests)."""
    return sys.stdin.isatty()


@session_group.command("delete")
@click.argument("session")
@click.option("--yes", is_flag=True, help="Do not ask; needed when not run in a terminal.")
@data_dir_option
def session_delete(session: str, yes: bool) -> None:
    """Delete SESSION with its post-its, notes and roster (asks you to type its label).

    The rows are tombstoned and their text blanked at once, so the deletion travels
    to other devices by sync and the words are gone from this one.
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
    from facilitator.actions.sessions import delete_session

    echo(f"deleted {delete_session(store, found.id).label}")


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
    from facilitator.actions.postits import record_postit

    store = workspace().store
    found = store.sessions.get(session)
    try:
        number = int(statement)
    except ValueError:
        raise FacilitatorError(f"statement {statement!r} must be a number such as 1") from None
    recorded = record_postit(store, found, number, response, comment, participant)
    click.echo(recorded.postit.id)
    if recorded.into_closed_session:
        echo(
            f"warning: session {found.label!r} is closed: the post-it was recorded anyway",
            err=True,
        )


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
    from facilitator.actions.imports import import_postits as import_file

    store = workspace().store
    done = import_file(store, store.sessions.get(session), file)
    count, repeats = done.count, done.repeats
    echo(f"imported {count} post-its into {done.session.label}")
    if repeats:
        echo(
            f"warning: {repeats} of these {count} post-its match ones already recorded in this session; "
            f"was this file imported before? ('facilitator export {session} --format csv --out -' "
            f"lists them; to undo, delete the repeats on the wall: 'facilitator open {session}')",
            err=True,
        )


@main.command("export")
@click.argument("session", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "md", "html", "docx", "xlsx", "qdpx"]),
    required=True,
    help="json, csv, md, html or docx (Word): one session. xlsx (Excel) or qdpx (REFI-QDA): one session, "
    "a consultation, or every session.",
)
@click.option(
    "--out",
    required=True,
    help="File to write (its folder is made if missing), or - for stdout (json, csv and html only).",
)
@click.option(
    "--table",
    type=click.Choice(["postits", "notes"]),
    default="postits",
    show_default=True,
    help="CSV only: one row per post-it, or per discussion note.",
)
@click.option(
    "--consultation",
    default=None,
    help="xlsx and qdpx: export this consultation's sessions (without SESSION or this: every session).",
)
@data_dir_option
def export_command(session: str | None, fmt: str, out: str, table: str, consultation: str | None) -> None:
    """Export SESSION's post-its and discussion as JSON or tidy CSV, or its summary as HTML, Markdown
    or Word; or, for analysts, an Excel workbook or a REFI-QDA project of one session, a consultation or all.

    The HTML summary is one self-contained page that prints on A4; the Markdown
    summary refers to PNG charts written beside it; the Word summary (.docx) holds
    its charts. The Excel workbook has a
    Dictionary sheet that explains every column. The .qdpx project opens in
    NVivo, ATLAS.ti, MAXQDA and QualCoder, with the themes as codes.
    """
    from facilitator.actions import exports

    store = workspace().store
    if fmt != "csv" and table != "postits":
        raise FacilitatorError("--table is for CSV only: the other formats hold the post-its and the notes")
    if fmt in exports.ANALYST_FORMATS:
        chosen = exports.choose_sessions(store, session, consultation)
        for purged in chosen.purged:
            echo(f"left out {purged.label!r}: purged from this laptop, its data is at the office", err=True)
        exported = exports.export_for_analysts(store, chosen.sessions, fmt, Path(out))
        for path in exported.written:
            many = "s" if len(chosen.sessions) != 1 else ""
            echo(f"wrote {path} ({len(chosen.sessions)} session{many})", err=True)
        details = [finding for finding in exported.findings if finding.kind != "name"]
        warn_privacy(details, "'facilitator privacy SESSION'", with_session=True)
        warn_names(exported.findings, len(chosen.sessions))
        return
    if consultation is not None:
        raise FacilitatorError("--consultation is for xlsx and qdpx: the other formats export one SESSION")
    if session is None:
        raise FacilitatorError(f"give the SESSION to export as {fmt}")
    found = store.sessions.get(session)
    exported = exports.export_session(store, found, fmt, out, table)
    if exported.text is not None:
        sys.stdout.buffer.write(exported.text.encode("utf-8"))
        sys.stdout.flush()
    for path in exported.written:
        echo(f"wrote {path}", err=True)
    warn_privacy(exported.findings, f"'facilitator privacy {session}'")


PRIVACY_LINES = 20


def warn_names(found: list[Any], sessions: int) -> None:
    """After an export for analysts, which leaves the office: how many capitalised words may
    still be names (many are not, so they are counted here and listed by `privacy --names`)."""
    names = [finding for finding in found if finding.kind == "name"]
    if not names:
        return
    many = "s" if len(names) != 1 else ""
    where = "each session" if sessions != 1 else "the session"
    click.echo(
        f"check: {len(names)} capitalised word{many} may be a name the pseudonym map does not change; "
        f"'facilitator privacy SESSION --names' lists them for {where}",
        err=True,
    )


def warn_privacy(found: list[Any], command: str, *, with_session: bool = False) -> None:
    """After an export: a short warning block on stderr naming each identifying detail it holds.

    `command` is how to list them all, for when there are too many to show.
    """
    from facilitator.actions.exports import privacy_heading

    if not found:
        return
    click.echo(f"warning: {privacy_heading(found)}", err=True)
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
    from facilitator.actions.exports import identifying_details

    store = workspace().store
    found = identifying_details(store, [store.sessions.get(session)], names=names)
    if not found:
        click.echo("no identifying details found", err=True)
        return
    click.echo("where\tkind\texcerpt\treason")
    for finding in found:
        excerpt = " ".join(finding.excerpt.split())
        row(finding.location, finding.kind, excerpt, finding.reason)
