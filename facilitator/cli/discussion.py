"""Commands for the discussion: roster, notes, themes and the pseudonym map."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from facilitator.cli.core import data_dir_option, main, workspace
from facilitator.cli.output import echo, row
from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.store import Session


def _open_to_new_words(ref: str) -> Session:
    """The session named, refused if it was purged here: its words are at the office now."""
    from facilitator.actions.purge import refuse_purged

    store = workspace().store
    found = store.sessions.get(ref)
    refuse_purged(store, found, "adding to")
    return found


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
    from facilitator.discussion import roster

    store = workspace().store
    person = roster.add_participant(
        store,
        _open_to_new_words(session).id,
        code,
        gender,
        cohort=cohort,
        age_band=age_band,
        consent=consent,
        wants_interview=interview,
    )
    echo(person.code)


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
    from facilitator.discussion import roster

    store = workspace().store
    person = roster.edit_participant(
        store,
        store.sessions.get(session).id,
        code,
        new_code=new_code,
        gender=gender,
        cohort=cohort,
        age_band=age_band,
        consent=consent,
        wants_interview=interview,
    )
    echo(person.code)


@participant_group.command("remove")
@click.argument("session")
@click.argument("code")
@data_dir_option
def participant_remove(session: str, code: str) -> None:
    """Remove CODE from SESSION's roster (its notes and post-its keep the code)."""
    from facilitator.discussion import roster

    store = workspace().store
    person = roster.remove_participant(store, store.sessions.get(session).id, code)
    echo(f"removed {person.code}")


@participant_group.command("list")
@click.argument("session")
@data_dir_option
def participant_list(session: str) -> None:
    """List SESSION's roster (tab-separated) and its totals by gender."""
    from facilitator.discussion import roster

    store = workspace().store
    found = store.sessions.get(session)
    people = roster.participants(store, found.id)
    click.echo("code\tgender\tcohort\tage_band\tconsent\tinterview\tdescriptor")
    for p in people:
        consent, interview = _yes_no(p.consent), _yes_no(p.wants_interview)
        row(p.code, p.gender, p.cohort, p.age_band, consent, interview, p.descriptor)
    counts = roster.gender_counts(store, found)
    source = "roster" if counts.from_roster else "session details"
    click.echo(
        f"{counts.total} participants ({counts.male} male, {counts.female} female, "
        f"{counts.other} other or not given) from the {source}",
        err=True,
    )


def _warn_identifying(session_id: str, text: str) -> None:
    from facilitator.discussion.anonymity import detect_for_session

    for finding in detect_for_session(workspace().store, session_id, text):
        echo(
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
@click.option("--title", default="", help="A case study's title (80 characters at most).")
@data_dir_option
def note_add(
    session: str, text: str, kind: str, speaker: str | None, themes: tuple[str, ...], title: str
) -> None:
    """Record a note in SESSION and print its id once it is on disk.

    Likely identifying details (names, prison numbers, phone numbers, dates of
    birth) are warned about on stderr; the note is recorded all the same.
    """
    from facilitator.discussion import notes as discussion

    store = workspace().store
    found = _open_to_new_words(session)
    _seed_on_first_use(found.id)
    note = discussion.add_note(store, found.id, text, kind=kind, speaker=speaker, themes=themes, title=title)
    _warn_identifying(found.id, note.text)
    if note.title:
        _warn_identifying(found.id, note.title)
    echo(note.id)


@note_group.command("edit")
@click.argument("note_id", metavar="NOTE")
@click.option("--text", default=None)
@click.option("--kind", default=None, help="note, quote or case_study.")
@click.option("--speaker", default=None, help="Participant code, or 'unknown'.")
@click.option("--theme", "themes", multiple=True, help="The note's themes (replace all). Repeat.")
@click.option("--no-themes", is_flag=True, help="Remove every theme tag.")
@click.option("--title", default=None, help="A case study's title ('' for none).")
@data_dir_option
def note_edit(
    note_id: str,
    text: str | None,
    kind: str | None,
    speaker: str | None,
    themes: tuple[str, ...],
    no_themes: bool,
    title: str | None,
) -> None:
    """Change a note (NOTE is its id or a unique start of it)."""
    from facilitator.discussion import notes as discussion

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
        title=title,
    )
    if text is not None:
        _warn_identifying(edited.session_id, edited.text)
    if title:
        _warn_identifying(edited.session_id, edited.title)
    echo(edited.id)


@note_group.command("move")
@click.argument("note_id", metavar="NOTE")
@click.option("--up", is_flag=True, help="One place earlier among its session's notes.")
@click.option("--down", is_flag=True, help="One place later among its session's notes.")
@data_dir_option
def note_move(note_id: str, up: bool, down: bool) -> None:
    """Move a note one place up or down in its session's order (the report follows it)."""
    from facilitator.discussion import notes as discussion

    if up == down:
        raise FacilitatorError("say where the note goes: --up or --down (one of them)")
    step = -1 if up else 1
    moved = discussion.move_note(workspace().store, note_id, step)
    echo(f"moved {moved.id} to place {_place(moved)}")


def _place(note: Any) -> int:
    from facilitator.discussion import notes as discussion

    order = [n.id for n in discussion.notes(workspace().store, note.session_id)]
    return order.index(note.id) + 1


@note_group.command("delete")
@click.argument("note_id", metavar="NOTE")
@data_dir_option
def note_delete(note_id: str) -> None:
    """Delete a note: its text is blanked at once (a tombstone travels in sync)."""
    from facilitator.discussion import notes as discussion

    deleted = discussion.delete_note(workspace().store, note_id)
    echo(f"deleted {deleted.id}")


@note_group.command("list")
@click.argument("session")
@click.option("--kind", default=None, help="Only notes of this kind.")
@data_dir_option
def note_list(session: str, kind: str | None) -> None:
    """List SESSION's notes: id, kind, speaker, themes and text (tab-separated)."""
    from facilitator.discussion import notes as discussion

    store = workspace().store
    found = store.sessions.get(session)
    click.echo("id\tkind\tspeaker\tthemes\ttext")
    for note in discussion.notes(store, found.id, kind=kind):
        _note_row(note)


def _note_row(note: Any) -> None:
    text = " ".join(note.text.split())
    row(note.id, note.kind, note.participant or "unknown", "; ".join(note.theme_names), text)


def _seed_on_first_use(session_id: str) -> None:
    from facilitator.actions.sessions import seed_codebook

    ws = workspace()
    seed_codebook(ws, ws.store.sessions.get(session_id))


class _RankByDefault(click.Group):
    """A group whose arguments, when they name no subcommand, go to its hidden `rank` command,
    so that `facilitator themes SESSION` and `facilitator themes --consultation TITLE` still rank."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["rank", *args]
        return super().parse_args(ctx, args)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options of `rank` (the group's own options, to its users), then the commands."""
        own = self.get_params(ctx)
        ranking = [p for p in self.commands["rank"].get_params(ctx) if p.name not in {o.name for o in own}]
        options = [p for p in [*ranking, *own] if isinstance(p, click.Option)]
        records = [r for p in options if (r := p.get_help_record(ctx)) is not None]
        with formatter.section("Options"):
            formatter.write_dl(records)
        self.format_commands(ctx, formatter)


@main.group(
    "themes",
    cls=_RankByDefault,
    subcommand_metavar="SESSION | COMMAND [ARGS]...",
    short_help="Rank the themes, or move a codebook to or from QDA programs.",
)
def themes_group() -> None:
    """Rank the themes, or move a consultation's codebook to or from other programs.

    \b
    facilitator themes SESSION [--used]
    facilitator themes --consultation TITLE [--used]
      rank themes by the sessions that raised them, then by notes (tab-separated);
      --used leaves out themes no note has raised.
    facilitator themes export --consultation TITLE --out FILE.qdc
    facilitator themes import --consultation TITLE FILE.qdc
      a REFI-QDA codebook, as NVivo, ATLAS.ti, MAXQDA and QualCoder read and write it.
    """


@themes_group.command("rank", hidden=True)
@click.argument("session", required=False)
@click.option(
    "--consultation", metavar="TITLE", default=None, help="Rank over every session of this consultation."
)
@click.option("--used", is_flag=True, help="Leave out themes no note has raised.")
@data_dir_option
def themes_command(session: str | None, consultation: str | None, used: bool) -> None:
    """Rank themes by sessions that raised them, then notes (tab-separated).

    With SESSION, counts that session's notes; with --consultation, all its
    sessions. Ties share a rank and are listed by name.
    """
    from facilitator.discussion import codebook

    if session is None and consultation is None:
        raise FacilitatorError(
            "give SESSION or --consultation TITLE (one of them), "
            "or 'export' / 'import' (see 'facilitator themes --help')"
        )
    if session is not None and consultation is not None:
        raise FacilitatorError("give SESSION or --consultation TITLE (one of them)")
    store = workspace().store
    if consultation is not None:
        found = store.consultations.named(consultation)
        for member in store.sessions.all(found.id):
            _seed_on_first_use(member.id)
        ranked = codebook.rank_for_consultation(store, found.id, include_unused=not used)
    else:
        member = store.sessions.get(session or "")
        _seed_on_first_use(member.id)
        ranked = codebook.rank_for_session(store, member, include_unused=not used)
    click.echo("rank\tsessions\tnotes\ttheme")
    for item in ranked:
        row(item.rank, item.sessions, item.notes, item.name)


@themes_group.command("export", short_help="Write a consultation's codebook as a REFI-QDA codebook (.qdc).")
@click.option(
    "--consultation", metavar="TITLE", required=True, help="The consultation whose codebook to write."
)
@click.option("--out", required=True, help="The REFI-QDA codebook file to write (.qdc).")
@data_dir_option
def themes_export(consultation: str, out: str) -> None:
    """Write a consultation's codebook, ranked, as a REFI-QDA codebook (.qdc).

    Theme names pass through the pseudonym maps of the consultation's sessions.
    """
    from pathlib import Path

    from facilitator.actions.exports import export_codebook

    count = export_codebook(workspace().store, consultation, Path(out))
    echo(f"wrote {out} ({count} theme{'s' if count != 1 else ''})", err=True)


@themes_group.command("import", short_help="Add the themes of a REFI-QDA codebook (.qdc) made elsewhere.")
@click.option(
    "--consultation",
    metavar="TITLE",
    required=True,
    help="The consultation whose codebook receives the themes.",
)
@click.argument("file", metavar="FILE.qdc")
@data_dir_option
def themes_import(consultation: str, file: str) -> None:
    """Add the themes of a REFI-QDA codebook (.qdc) made elsewhere, all or nothing.

    Themes are matched by name (ignoring case and spacing): new ones are added,
    existing ones left as they are. Nested codes are read flat. A file that is not
    a well-formed codebook changes nothing.
    """
    from pathlib import Path

    from facilitator.actions.exports import import_codebook

    added, there = import_codebook(workspace().store, consultation, Path(file))
    for name in added:
        echo(f"added: {name}")
    summary = f"added {len(added)} theme{'s' if len(added) != 1 else ''}"
    if there:
        summary += f"; {len(there)} {'was' if len(there) == 1 else 'were'} already there"
    echo(summary)


@contextmanager
def _themes_hint(session: str) -> Iterator[None]:
    """Make an unknown theme's hint a command that runs: 'facilitator themes SESSION'."""
    try:
        yield
    except NotFound as error:
        message = str(error)
        if message.endswith("'facilitator themes' lists them"):
            message = message.replace("'facilitator themes'", f"'facilitator themes {session}'")
            raise NotFound(message) from None
        raise


@main.group("theme")
def theme_group() -> None:
    """Change the codebook of SESSION (its consultation's, or its own if it has none)."""


@theme_group.command("add")
@click.argument("session")
@click.argument("name")
@data_dir_option
def theme_add(session: str, name: str) -> None:
    """Add a theme to SESSION's codebook."""
    from facilitator.discussion import codebook

    store = workspace().store
    found = store.sessions.get(session)
    _seed_on_first_use(found.id)
    echo(codebook.add_theme(store, found, name).name)


@theme_group.command("rename")
@click.argument("session")
@click.argument("old")
@click.argument("new")
@data_dir_option
def theme_rename(session: str, old: str, new: str) -> None:
    """Rename theme OLD to NEW; its tags stay."""
    from facilitator.discussion import codebook

    store = workspace().store
    found = store.sessions.get(session)
    with _themes_hint(session):
        renamed = codebook.rename_theme(store, found, old, new)
    echo(renamed.name)


@theme_group.command("merge")
@click.argument("session")
@click.argument("source")
@click.argument("target")
@data_dir_option
def theme_merge(session: str, source: str, target: str) -> None:
    """Merge theme SOURCE into TARGET: every tag moves to TARGET."""
    from facilitator.discussion import codebook

    store = workspace().store
    found = store.sessions.get(session)
    with _themes_hint(session):
        kept = codebook.merge_themes(store, found, source, target)
    echo(kept.name)


@theme_group.command("notes")
@click.argument("session")
@click.argument("name")
@click.option("--all-sessions", is_flag=True, help="Every session sharing the codebook, not SESSION alone.")
@data_dir_option
def theme_notes(session: str, name: str, all_sessions: bool) -> None:
    """List the notes tagged NAME (tab-separated, as 'note list')."""
    from facilitator.discussion import codebook
    from facilitator.discussion import notes as discussion

    store = workspace().store
    found = store.sessions.get(session)
    book = codebook.Codebook.of(found)
    codebook.align_codebook(store, found)
    with _themes_hint(session):
        chosen = codebook.theme(store, book, name)
    members = codebook.sessions_sharing(store, book) if all_sessions else [found]
    click.echo("id\tkind\tspeaker\tthemes\ttext")
    for note in discussion.notes_for_theme(store, chosen.id, [m.id for m in members]):
        _note_row(note)


@main.group("pseudonym")
def pseudonym_group() -> None:
    """SESSION's pseudonym map (real -> changed). It stays on this laptop: never exported or sent."""


@pseudonym_group.command("set")
@click.argument("session")
@click.argument("real")
@click.argument("changed")
@data_dir_option
def pseudonym_set(session: str, real: str, changed: str) -> None:
    """Replace REAL with CHANGED in every export of SESSION and in what is sent to the office."""
    from facilitator.discussion.anonymity import set_pseudonym

    store = workspace().store
    set_pseudonym(store, _open_to_new_words(session).id, real, changed)
    click.echo("saved", err=True)


@pseudonym_group.command("remove")
@click.argument("session")
@click.argument("real")
@data_dir_option
def pseudonym_remove(session: str, real: str) -> None:
    """Remove REAL from SESSION's pseudonym map."""
    from facilitator.discussion.anonymity import remove_pseudonym

    store = workspace().store
    remove_pseudonym(store, store.sessions.get(session).id, real)
    click.echo("removed", err=True)


@pseudonym_group.command("list")
@click.argument("session")
@data_dir_option
def pseudonym_list(session: str) -> None:
    """Show SESSION's pseudonym map: real, then changed (tab-separated)."""
    from facilitator.discussion.anonymity import pseudonyms

    store = workspace().store
    for pseudonym in pseudonyms(store, store.sessions.get(session).id):
        row(pseudonym.real, pseudonym.changed)


@main.command("check")
@click.argument("session")
@click.argument("text")
@data_dir_option
def check_command(session: str, text: str) -> None:
    """Warn about likely identifying details in TEXT (as the app does while typing).

    Prints one line per finding: start, end (1-based, inclusive), kind, reason.
    """
    from facilitator.discussion.anonymity import detect_for_session

    store = workspace().store
    for finding in detect_for_session(store, store.sessions.get(session).id, text):
        row(finding.start + 1, finding.end, finding.kind, finding.reason)
