"""The command line: `facilitator` and its commands.

Commands and their output are a contract that scripts rely on: keep them stable.
Anything wrong exits with code 2 and one line on stderr, and changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from facilitator import __version__
from facilitator.errors import FacilitatorError, ItemError
from facilitator.services import Workspace
from facilitator.store import SETTINGS, NewPostit, SessionDetails

F = TypeVar("F", bound=Callable[..., Any])
DATA_DIR_HELP = "Data folder (default: sessions/ of the clone, or $FACILITATOR_DATA_DIR)."


class FacilitatorGroup(click.Group):
    """A group that turns every expected failure into one line on stderr and exit code 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
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
            click.echo(f"error: {error.format_message()}{hint}", err=True)
            sys.exit(2)
        except FacilitatorError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except sqlite3.DatabaseError as error:
            click.echo(f"error: the database cannot be used: {error}", err=True)
            sys.exit(2)
        except BrokenPipeError:
            sys.exit(0)


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
        ws = Workspace.at(ctx.meta.get("facilitator.data_dir"))
        ctx.meta["facilitator.workspace"] = ws
        ctx.call_on_close(ws.close)
    return ctx.meta["facilitator.workspace"]  # type: ignore[no-any-return]


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
    session_id = ws.store.session(session_ref).id if session_ref else None
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
        click.echo(f"{statement_set.id}\t{statement_set.title}\t{len(statement_set.statements)}")
    for problem in catalogue.problems:
        click.echo(f"warning: skipped statement set {problem}", err=True)


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
    session = ws.store.create_session(statement_set, details)
    from facilitator.codebook import seed_codebook

    seed_codebook(ws.store, session, statement_set.themes)
    click.echo(session.id)


@session_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@data_dir_option
def session_list(as_json: bool) -> None:
    """List the sessions in the order they took place."""
    summaries = workspace().store.session_summaries()
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
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not summaries:
        click.echo("no sessions yet: create one with 'facilitator session new'", err=True)
        return
    click.echo("id\tdate\tlabel\tcohort\tsetting\tpostits\tstatus")
    for s in summaries:
        status = "closed" if s.session.is_closed else "open"
        click.echo(
            f"{s.session.id}\t{s.session.date}\t{s.session.label}\t{s.session.cohort}\t"
            f"{s.session.setting}\t{s.postits}\t{status}"
        )


@session_group.command("close")
@click.argument("session")
@data_dir_option
def session_close(session: str) -> None:
    """Mark SESSION closed: its exercise is over."""
    closed = workspace().store.close_session(session)
    click.echo(f"closed {closed.label}")


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
    found = store.session(session)
    try:
        number = int(statement)
    except ValueError:
        raise FacilitatorError(f"statement {statement!r} must be a number such as 1") from None
    postit = store.add_postit(found.id, number, response, comment, participant, session=found)
    click.echo(postit.id)


IMPORT_COLUMNS = {"statement", "response", "comment", "participant"}


def read_postit_csv(path: Path) -> tuple[list[NewPostit], list[int]]:
    """Read a transcription CSV: the post-its and the line each came from."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise FacilitatorError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise FacilitatorError(f"{path} is not UTF-8 text: save it as 'CSV UTF-8'") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().casefold() for c in reader.fieldnames or []]
    if not columns:
        raise FacilitatorError(f"{path} is empty: it needs a header line 'statement,response,comment'")
    unknown = [c for c in columns if c not in IMPORT_COLUMNS]
    missing = [c for c in ("statement", "response") if c not in columns]
    if unknown or missing:
        problem = f"unknown column {unknown[0]!r}" if unknown else f"missing column {missing[0]!r}"
        raise FacilitatorError(
            f"{path} line 1: {problem}: columns are statement,response,comment[,participant]"
        )
    reader.fieldnames = columns
    items: list[NewPostit] = []
    lines: list[int] = []
    try:
        for row in reader:
            if None in row:
                raise FacilitatorError(f"{path} line {reader.line_num}: more cells than columns")
            if not any((value or "").strip() for value in row.values()):
                continue
            items.append(
                NewPostit(
                    statement_number=(row.get("statement") or "").strip(),  # type: ignore[arg-type]  # checked by the store
                    response=(row.get("response") or "").strip(),
                    comment=row.get("comment") or "",
                    participant=row.get("participant") or None,
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

    All or nothing: one bad row, reported with its line number, imports nothing.
    """
    store = workspace().store
    found = store.session(session)
    items, lines = read_postit_csv(file)
    try:
        count = store.add_postits(found.id, items)
    except ItemError as error:
        raise FacilitatorError(
            f"{file} line {lines[error.index]}: {error.reason}; nothing imported"
        ) from None
    click.echo(f"imported {count} post-its into {found.label}")


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
    from facilitator import export

    store = workspace().store
    found = store.session(session)
    if fmt != "csv" and table != "postits":
        raise FacilitatorError("--table is for CSV only: the other formats hold the post-its and the notes")
    if fmt in ("md", "html"):
        from facilitator.summary import export_summary

        for path in export_summary(store, found, fmt, out):
            click.echo(f"wrote {path}", err=True)
        return
    text = export.to_json(store, found) if fmt == "json" else export.to_csv(store, found, table)
    if out == "-":
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
        return
    from facilitator.files import write_atomic

    write_atomic(Path(out), text)
    click.echo(f"wrote {out}", err=True)


# ---------------------------------------------------------------- the discussion


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@main.group("participant")
def participant_group() -> None:
    """The session's roster: participant codes (P1, P2, …) with descriptors, never names."""


@participant_group.command("add")
@click.argument("session")
@click.argument("code")
@click.option("--gender", required=True, help="male, female, other or not_given (m, f, o).")
@click.option("--cohort", default=None, help="Default: the session's cohort.")
@click.option("--age-band", default=None, help="e.g. 18-24, 25+ or under 18.")
@click.option("--consent/--no-consent", default=False, help="Verbal consent given (default: no).")
@click.option("--interview/--no-interview", default=False, help="Wants a one-to-one interview.")
@data_dir_option
def participant_add(
    session: str,
    code: str,
    gender: str,
    cohort: str | None,
    age_band: str | None,
    consent: bool,
    interview: bool,
) -> None:
    """Add CODE to SESSION's roster and print the code."""
    from facilitator import roster

    store = workspace().store
    person = roster.add_participant(
        store,
        store.session(session).id,
        code,
        gender,
        cohort=cohort,
        age_band=age_band,
        consent=consent,
        wants_interview=interview,
    )
    click.echo(person.code)


@participant_group.command("edit")
@click.argument("session")
@click.argument("code")
@click.option("--code", "new_code", default=None, help="A new code; notes and post-its follow it.")
@click.option("--gender", default=None)
@click.option("--cohort", default=None)
@click.option("--age-band", default=None, help="A range, or '' to clear it.")
@click.option("--consent/--no-consent", default=None)
@click.option("--interview/--no-interview", default=None)
@data_dir_option
def participant_edit(
    session: str,
    code: str,
    new_code: str | None,
    gender: str | None,
    cohort: str | None,
    age_band: str | None,
    consent: bool | None,
    interview: bool | None,
) -> None:
    """Change CODE's descriptors in SESSION's roster."""
    from facilitator import roster

    store = workspace().store
    person = roster.edit_participant(
        store,
        store.session(session).id,
        code,
        new_code=new_code,
        gender=gender,
        cohort=cohort,
        age_band=age_band,
        consent=consent,
        wants_interview=interview,
    )
    click.echo(person.code)


@participant_group.command("remove")
@click.argument("session")
@click.argument("code")
@data_dir_option
def participant_remove(session: str, code: str) -> None:
    """Remove CODE from SESSION's roster (its notes and post-its keep the code)."""
    from facilitator import roster

    store = workspace().store
    person = roster.remove_participant(store, store.session(session).id, code)
    click.echo(f"removed {person.code}")


@participant_group.command("list")
@click.argument("session")
@data_dir_option
def participant_list(session: str) -> None:
    """List SESSION's roster (tab-separated) and its totals by gender."""
    from facilitator import roster

    store = workspace().store
    found = store.session(session)
    people = roster.participants(store, found.id)
    click.echo("code\tgender\tcohort\tage_band\tconsent\tinterview\tdescriptor")
    for p in people:
        click.echo(
            f"{p.code}\t{p.gender}\t{p.cohort}\t{p.age_band}\t{_yes_no(p.consent)}\t"
            f"{_yes_no(p.wants_interview)}\t{p.descriptor}"
        )
    counts = roster.gender_counts(store, found)
    source = "roster" if counts.from_roster else "session details"
    click.echo(
        f"{counts.total} participants ({counts.male} male, {counts.female} female, "
        f"{counts.other} other or not given) from the {source}",
        err=True,
    )


def _warn_identifying(session_id: str, text: str) -> None:
    from facilitator.anonymity import detect_for_session

    for finding in detect_for_session(workspace().store, session_id, text):
        click.echo(
            f"warning: {finding.excerpt(text)!r} (characters {finding.start + 1}-{finding.end}): "
            f"{finding.reason}",
            err=True,
        )


@main.group("note")
def note_group() -> None:
    """Discussion notes, quotes and case studies."""


@note_group.command("add")
@click.argument("session")
@click.argument("text")
@click.option("--kind", default="note", help="note, quote or case_study.")
@click.option("--speaker", default=None, help="Participant code, or 'unknown' (the default).")
@click.option("--theme", "themes", multiple=True, help="Theme name; new ones join the codebook. Repeat.")
@data_dir_option
def note_add(session: str, text: str, kind: str, speaker: str | None, themes: tuple[str, ...]) -> None:
    """Record a note in SESSION and print its id once it is on disk.

    Likely identifying details (names, prison numbers, phone numbers, dates of
    birth) are warned about on stderr; the note is recorded all the same.
    """
    from facilitator import discussion

    store = workspace().store
    found = store.session(session)
    _seed_on_first_use(found.id)
    note = discussion.add_note(store, found.id, text, kind=kind, speaker=speaker, themes=themes)
    _warn_identifying(found.id, note.text)
    click.echo(note.id)


@note_group.command("edit")
@click.argument("note_id", metavar="NOTE")
@click.option("--text", default=None)
@click.option("--kind", default=None, help="note, quote or case_study.")
@click.option("--speaker", default=None, help="Participant code, or 'unknown'.")
@click.option("--theme", "themes", multiple=True, help="The note's themes (replace all). Repeat.")
@click.option("--no-themes", is_flag=True, help="Remove every theme tag.")
@data_dir_option
def note_edit(
    note_id: str,
    text: str | None,
    kind: str | None,
    speaker: str | None,
    themes: tuple[str, ...],
    no_themes: bool,
) -> None:
    """Change a note (NOTE is its id or a unique start of it)."""
    from facilitator import discussion

    store = workspace().store
    if themes and no_themes:
        raise FacilitatorError("give --theme or --no-themes, not both")
    new_themes: tuple[str, ...] | None = () if no_themes else (themes or None)
    edited = discussion.edit_note(
        store,
        note_id,
        text=text,
        kind=kind,
        speaker=discussion.KEEP if speaker is None else speaker,
        themes=new_themes,
    )
    if text is not None:
        _warn_identifying(edited.session_id, edited.text)
    click.echo(edited.id)


@note_group.command("delete")
@click.argument("note_id", metavar="NOTE")
@data_dir_option
def note_delete(note_id: str) -> None:
    """Delete a note (a tombstone: it travels in sync)."""
    from facilitator import discussion

    deleted = discussion.delete_note(workspace().store, note_id)
    click.echo(f"deleted {deleted.id}")


@note_group.command("list")
@click.argument("session")
@click.option("--kind", default=None, help="Only notes of this kind.")
@data_dir_option
def note_list(session: str, kind: str | None) -> None:
    """List SESSION's notes: id, kind, speaker, themes and text (tab-separated)."""
    from facilitator import discussion

    store = workspace().store
    found = store.session(session)
    click.echo("id\tkind\tspeaker\tthemes\ttext")
    for note in discussion.notes(store, found.id, kind=kind):
        click.echo(_note_line(note))


def _note_line(note: Any) -> str:
    text = " ".join(note.text.split())
    return f"{note.id}\t{note.kind}\t{note.participant or 'unknown'}\t{'; '.join(note.theme_names)}\t{text}"


def _seed_on_first_use(session_id: str) -> None:
    from facilitator.codebook import seed_codebook, starter_themes

    ws = workspace()
    found = ws.store.session(session_id)
    seed_codebook(ws.store, found, starter_themes(ws.catalogue(), found))


@main.command("themes")
@click.argument("session", required=False)
@click.option("--consultation", default=None, help="Rank over every session of this consultation.")
@click.option("--used", is_flag=True, help="Leave out themes no note has raised.")
@data_dir_option
def themes_command(session: str | None, consultation: str | None, used: bool) -> None:
    """Rank themes by sessions that raised them, then notes (tab-separated).

    With SESSION, counts that session's notes; with --consultation, all its
    sessions. Ties share a rank and are listed by name.
    """
    from facilitator import codebook

    store = workspace().store
    if (session is None) == (consultation is None):
        raise FacilitatorError("give SESSION or --consultation TITLE (one of them)")
    if consultation is not None:
        found = store.find_consultation(consultation)
        if found is None:
            raise FacilitatorError(f"unknown consultation {consultation!r}")
        for member in store.sessions(found.id):
            _seed_on_first_use(member.id)
        ranked = codebook.rank_for_consultation(store, found.id, include_unused=not used)
    else:
        member = store.session(session or "")
        _seed_on_first_use(member.id)
        ranked = codebook.rank_for_session(store, member, include_unused=not used)
    click.echo("rank\tsessions\tnotes\ttheme")
    for item in ranked:
        click.echo(f"{item.rank}\t{item.sessions}\t{item.notes}\t{item.name}")


@main.group("theme")
def theme_group() -> None:
    """Change the codebook of SESSION (its consultation's, or its own if it has none)."""


@theme_group.command("add")
@click.argument("session")
@click.argument("name")
@data_dir_option
def theme_add(session: str, name: str) -> None:
    """Add a theme to SESSION's codebook."""
    from facilitator import codebook

    store = workspace().store
    found = store.session(session)
    _seed_on_first_use(found.id)
    click.echo(codebook.add_theme(store, found, name).name)


@theme_group.command("rename")
@click.argument("session")
@click.argument("old")
@click.argument("new")
@data_dir_option
def theme_rename(session: str, old: str, new: str) -> None:
    """Rename theme OLD to NEW; its tags stay."""
    from facilitator import codebook

    store = workspace().store
    renamed = codebook.rename_theme(store, store.session(session), old, new)
    click.echo(renamed.name)


@theme_group.command("merge")
@click.argument("session")
@click.argument("source")
@click.argument("target")
@data_dir_option
def theme_merge(session: str, source: str, target: str) -> None:
    """Merge theme SOURCE into TARGET: every tag moves to TARGET."""
    from facilitator import codebook

    store = workspace().store
    kept = codebook.merge_themes(store, store.session(session), source, target)
    click.echo(kept.name)


@theme_group.command("notes")
@click.argument("session")
@click.argument("name")
@click.option("--all-sessions", is_flag=True, help="Every session sharing the codebook, not SESSION alone.")
@data_dir_option
def theme_notes(session: str, name: str, all_sessions: bool) -> None:
    """List the notes tagged NAME (tab-separated, as 'note list')."""
    from facilitator import codebook, discussion

    store = workspace().store
    found = store.session(session)
    book = codebook.Codebook.of(found)
    codebook.align_codebook(store, found)
    chosen = codebook.theme(store, book, name)
    members = codebook.sessions_sharing(store, book) if all_sessions else [found]
    click.echo("id\tkind\tspeaker\tthemes\ttext")
    for note in discussion.notes_for_theme(store, chosen.id, [m.id for m in members]):
        click.echo(_note_line(note))


@main.group("pseudonym")
def pseudonym_group() -> None:
    """SESSION's pseudonym map (real -> changed). It stays on this laptop: never exported."""


@pseudonym_group.command("set")
@click.argument("session")
@click.argument("real")
@click.argument("changed")
@data_dir_option
def pseudonym_set(session: str, real: str, changed: str) -> None:
    """Replace REAL with CHANGED in every export of SESSION."""
    from facilitator.anonymity import set_pseudonym

    store = workspace().store
    set_pseudonym(store, store.session(session).id, real, changed)
    click.echo("saved", err=True)


@pseudonym_group.command("remove")
@click.argument("session")
@click.argument("real")
@data_dir_option
def pseudonym_remove(session: str, real: str) -> None:
    """Remove REAL from SESSION's pseudonym map."""
    from facilitator.anonymity import remove_pseudonym

    store = workspace().store
    remove_pseudonym(store, store.session(session).id, real)
    click.echo("removed", err=True)


@pseudonym_group.command("list")
@click.argument("session")
@data_dir_option
def pseudonym_list(session: str) -> None:
    """Show SESSION's pseudonym map: real, then changed (tab-separated)."""
    from facilitator.anonymity import pseudonyms

    store = workspace().store
    for pseudonym in pseudonyms(store, store.session(session).id):
        click.echo(f"{pseudonym.real}\t{pseudonym.changed}")


@main.command("check")
@click.argument("session")
@click.argument("text")
@data_dir_option
def check_command(session: str, text: str) -> None:
    """Warn about likely identifying details in TEXT (as the app does while typing).

    Prints one line per finding: start, end (1-based, inclusive), kind, reason.
    """
    from facilitator.anonymity import detect_for_session

    store = workspace().store
    for finding in detect_for_session(store, store.session(session).id, text):
        click.echo(f"{finding.start + 1}\t{finding.end}\t{finding.kind}\t{finding.reason}")


# ---------------------------------------------------------------- charts and reports


CHART_FORMATS_HELP = "Chart file formats: png, svg or png,svg (default)."
POOL_HELP = 'Pool sessions into one chart group: "LABEL=ID,ID". Repeat for more pools.'


@main.command("charts")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Folder to write the charts into."
)
@click.option("--consultation", default=None, help="Chart this consultation's sessions.")
@click.option("--session", "session_refs", multiple=True, help="Chart this session; repeat for more.")
@click.option("--pool", "pools", multiple=True, help=POOL_HELP)
@click.option("--format", "fmt", default="png,svg", show_default=True, help=CHART_FORMATS_HELP)
@data_dir_option
def charts_command(
    out: Path, consultation: str | None, session_refs: tuple[str, ...], pools: tuple[str, ...], fmt: str
) -> None:
    """Write the report's charts: Figures 1..N, one chart per group per statement, index.json.

    Groups come in the order their sessions took place; a pool stands where its
    first session stood. Sessions: those named, else the consultation's, else all.
    """
    from facilitator import chart_files, charts

    formats = chart_files.parse_formats(fmt)
    selection = charts.select(
        workspace().store, consultation=consultation, session_refs=session_refs, pools=pools
    )
    entries = chart_files.export_charts(workspace().store, selection, out, formats)
    click.echo(f"wrote {len(entries)} charts and index.json to {out}", err=True)


@main.command("report")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Folder to write report.html into."
)
@click.option("--consultation", default=None, help="Report on this consultation's sessions.")
@click.option("--session", "session_refs", multiple=True, help="Report on this session; repeat for more.")
@click.option("--pool", "pools", multiple=True, help=POOL_HELP)
@click.option("--format", "fmt", default="png,svg", show_default=True, help=CHART_FORMATS_HELP)
@data_dir_option
def report_command(
    out: Path, consultation: str | None, session_refs: tuple[str, ...], pools: tuple[str, ...], fmt: str
) -> None:
    """Write report.html with its chart files: participant totals, Figures 1..N, a cohort
    comparison per statement, every comment, and Appendix 1 with every group's charts.
    """
    from facilitator import chart_files, charts, report

    formats = chart_files.parse_formats(fmt)
    selection = charts.select(
        workspace().store, consultation=consultation, session_refs=session_refs, pools=pools
    )
    entries = report.write_report(workspace().store, selection, out, formats)
    click.echo(f"wrote {out / 'report.html'} with {len(entries)} charts", err=True)


# ---------------------------------------------------------------- keys, sync and receipts


@main.group("keys")
def keys_group() -> None:
    """The office's age identity, and the recipient this device encrypts bundles to."""


@keys_group.command("new")
@click.option(
    "--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="Identity file."
)
@data_dir_option
def keys_new(out: Path) -> None:
    """Make an identity (at the office; keep it off the laptops) and print its public recipient."""
    from facilitator import keys

    recipient = keys.new_identity(out)
    click.echo(recipient)
    click.echo(
        f"wrote the identity to {out} (owner-only). Keep it safe: without it no bundle can be read. "
        f"On each laptop run: facilitator keys trust {recipient}",
        err=True,
    )


@keys_group.command("trust")
@click.argument("recipient")
@data_dir_option
def keys_trust(recipient: str) -> None:
    """Encrypt this device's bundles to RECIPIENT (the office's 'age1...' public key)."""
    from facilitator import keys

    previous = keys.trust(workspace().store, recipient)
    if previous:
        click.echo(f"replaced the recipient {previous}", err=True)
    click.echo(f"bundles from this device are now encrypted to {recipient.strip()}")


@keys_group.command("show")
@data_dir_option
def keys_show() -> None:
    """Print this device's id and the recipient its bundles are encrypted to."""
    from facilitator import keys

    ws = workspace()
    store = ws.store
    recipient = keys.trusted(store)
    click.echo(f"device\t{store.device_id}")
    click.echo(f"recipient\t{recipient or 'none (run: facilitator keys trust RECIPIENT)'}")
    click.echo(f"last export\t{store.get_meta('last_export_at') or 'never'}")
    click.echo(f"data folder\t{ws.data_dir}")


@main.group("sync")
def sync_group() -> None:
    """Carry data between laptops and the office in bundle files (USB stick or shared folder)."""


def _identities(identity: Path | None) -> list[Any] | None:
    if identity is None:
        return None
    from facilitator import keys

    return keys.load_identities(identity)


def _warn_plaintext() -> None:
    click.echo(
        "warning: writing an UNENCRYPTED bundle: anyone who finds the file can read every comment",
        err=True,
    )


@sync_group.command("export")
@click.option(
    "--out", "out", required=True, type=click.Path(path_type=Path), help="Bundle file, or a folder."
)
@click.option("--all", "everything", is_flag=True, help="Everything in the database, not only new changes.")
@click.option("--plaintext", is_flag=True, help="Do not encrypt (the bundle is readable by anyone).")
@data_dir_option
def sync_export(out: Path, everything: bool, plaintext: bool) -> None:
    """Write this device's changes since its last export into a bundle (encrypted by default)."""
    from facilitator import sync

    if plaintext:
        _warn_plaintext()
    result = sync.export_bundle(workspace().store, out, everything=everything, plaintext=plaintext)
    tables = ", ".join(f"{table} {n}" for table, n in result.manifest.tables.items())
    click.echo(f"wrote {result.path}: {result.rows} rows ({tables})")


@sync_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--identity", type=click.Path(path_type=Path, dir_okay=False), help="The office's identity file."
)
@data_dir_option
def sync_import(files: tuple[Path, ...], identity: Path | None) -> None:
    """Merge bundle FILES, each all or nothing; prints what each added, updated and conflicted."""
    from facilitator import sync

    store = workspace().store
    identities = _identities(identity)
    for file in files:
        click.echo(sync.import_bundle(store, file, identities).describe())


@sync_group.command("run")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--identity", type=click.Path(path_type=Path, dir_okay=False), help="The office's identity file."
)
@click.option("--plaintext", is_flag=True, help="Write this device's bundle unencrypted.")
@data_dir_option
def sync_run(folder: Path, identity: Path | None, plaintext: bool) -> None:
    """Export this device's new bundle into FOLDER, and import every bundle there not yet seen."""
    from facilitator import keys, sync

    store = workspace().store
    identities = _identities(identity)
    recipients = None
    if not plaintext and keys.trusted(store) is None and identities:
        recipients = [keys.recipient_of(identities)]
    if plaintext and sync.has_new_changes(store):
        _warn_plaintext()
    result = sync.sync_folder(store, folder, identities, plaintext=plaintext, recipients=recipients)
    if result.exported:
        click.echo(f"wrote {result.exported.path.name}: {result.exported.rows} rows")
    else:
        click.echo("nothing new to export")
    for imported in result.imported:
        click.echo(imported.describe())
    if not result.imported:
        click.echo("no new bundles from other devices")
    for message in result.messages:
        click.echo(f"warning: {message}", err=True)


@sync_group.command("conflicts")
@data_dir_option
def sync_conflicts(*_args: Any) -> None:
    """List versions from other devices that lost a merge, for a person to resolve."""
    from facilitator import sync

    found = sync.conflicts(workspace().store)
    if not found:
        click.echo("no conflicts", err=True)
        return
    click.echo("conflict\ttable\trow\tother device\tother version at\tdiffers")
    for conflict in found:
        differs = "; ".join(
            f"{c}: {json.dumps(conflict.current.get(c), ensure_ascii=False)} here, "
            f"{json.dumps(conflict.other.get(c), ensure_ascii=False)} there"
            for c in conflict.differs
        )
        click.echo(
            f"{conflict.id[:12]}\t{conflict.table}\t{conflict.row_id}\t{str(conflict.other['device_id'])[:8]}\t"
            f"{conflict.other['updated_at']}\t{differs}"
        )


@sync_group.command("resolve")
@click.argument("conflict")
@click.option("--keep", "choice", flag_value="keep", help="Keep the row as it is here.")
@click.option("--take", "choice", flag_value="take", help="Take the other device's version.")
@data_dir_option
def sync_resolve(conflict: str, choice: str | None) -> None:
    """Settle CONFLICT (an id from 'sync conflicts'): --keep this version or --take the other."""
    from facilitator import sync

    if choice is None:
        raise FacilitatorError("say which version to keep: --keep (as it is here) or --take (the other)")
    settled = sync.resolve_conflict(workspace().store, conflict, take_other=choice == "take")
    done = "took the other version" if choice == "take" else "kept this version"
    click.echo(f"resolved {settled.table} {settled.row_id}: {done}")


class ReceiptGroup(click.Group):
    """`receipt SESSION` shows a receipt; `receipt verify ...` checks one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


@main.group("receipt", cls=ReceiptGroup)
def receipt_group() -> None:
    """QR receipts: 'receipt SESSION [--png FILE]' makes one, 'receipt verify IMAGE_OR_TEXT' checks one."""


@receipt_group.command("show")
@click.argument("session")
@click.option(
    "--png", "png", type=click.Path(path_type=Path, dir_okay=False), help="Save the QR code as PNG."
)
@data_dir_option
def receipt_show(session: str, png: Path | None) -> None:
    """Print SESSION's receipt and its QR code (or save the QR code as PNG)."""
    from facilitator import receipt

    store = workspace().store
    found = store.session(session)
    made = receipt.make_receipt(store, found)
    if not found.is_closed:
        click.echo("warning: the session is still open: the receipt covers the post-its so far", err=True)
    click.echo(made.text)
    if png is not None:
        from facilitator.files import write_atomic

        write_atomic(png, receipt.qr_png(made.text))
        click.echo(f"wrote {png}", err=True)
    else:
        click.echo(receipt.qr_terminal(made.text), nl=False)


@receipt_group.command("verify")
@click.argument("image_or_text")
@data_dir_option
def receipt_verify(image_or_text: str) -> None:
    """Check a receipt (a QR image, a text file or the text) against this database.

    Exit code 0: this database holds exactly that session's data; 1: it differs.
    """
    from facilitator import receipt

    checked = receipt.verify(workspace().store, receipt.receipt_from(image_or_text))
    if checked.matches:
        click.echo(f"ok: this database holds exactly the data of {checked.session_label!r} on the receipt")
        return
    click.echo("differs: this database does not hold exactly the data on the receipt")
    for difference in checked.differences:
        click.echo(f"  {difference}")
    sys.exit(1)
