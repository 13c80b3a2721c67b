"""`facilitator purge`: this laptop forgets sessions the office confirmed it holds."""

from __future__ import annotations

import click

from facilitator.cli.core import data_dir_option, main, stdin_is_terminal, workspace
from facilitator.cli.output import echo, size_words
from facilitator.core.errors import FacilitatorError
from facilitator.store import Store

AUTO_SHOW = "show"


@main.command("purge")
@click.argument("sessions", nargs=-1)
@click.option("--confirmed", is_flag=True, help="Purge every session the office confirmed.")
@click.option(
    "--force",
    is_flag=True,
    help="Also purge a session the office has not confirmed: you type its label to confirm.",
)
@click.option("--yes", is_flag=True, help="With --force: do not ask (needed when not run in a terminal).")
@click.option(
    "--auto",
    "auto",
    is_flag=False,
    flag_value=AUTO_SHOW,
    default=None,
    metavar="DAYS|off",
    help="Purge confirmed sessions automatically DAYS days after the office confirmed them "
    "(when the app starts and after a sync), or off; alone, show the setting.",
)
@data_dir_option
def purge_command(
    sessions: tuple[str, ...], confirmed: bool, force: bool, yes: bool, auto: str | None
) -> None:
    """Remove sessions' post-its, notes, roster (and pseudonym map) from this laptop.

    Give SESSION ids (or id prefixes), or --confirmed for every session the office
    confirmed it holds. Each purged session keeps a stub here: its label, date, counts
    and since when the office holds it; the file is compacted so that it shrinks.
    Purging is local only: it never deletes anything at the office, which keeps its copy.

    A session the office has not confirmed is refused. With --force it is purged
    after you type its label (in a terminal); without a terminal, --force needs
    --yes too, and then purges unsent data for good: use it with care.
    """
    from facilitator.actions import purge as purging

    if auto is not None:
        if sessions or confirmed or force or yes:
            raise FacilitatorError("--auto is given alone: it changes or shows the setting, nothing else")
        store = workspace().store
        if auto != AUTO_SHOW:
            purging.set_auto_purge(store, purging.parse_auto_days(auto))
        days = purging.auto_purge_days(store)
        if days is None:
            echo("automatic purge: off")
        else:
            unit = "day" if days == 1 else "days"
            echo(f"automatic purge: confirmed sessions, {days} {unit} after the office confirmed them")
        return
    if not sessions and not confirmed:
        raise FacilitatorError(
            "give the sessions to purge, or --confirmed for every session the office confirmed"
        )
    if sessions and confirmed:
        raise FacilitatorError("give the sessions to purge or --confirmed, not both")
    if confirmed and force:
        raise FacilitatorError("--force is for sessions named one by one, not with --confirmed")
    if yes and not force:
        raise FacilitatorError("--yes goes with --force: a confirmed session is purged without a question")
    store = workspace().store
    if confirmed:
        done = purging.purge(store)
    else:
        chosen = list(dict.fromkeys(store.sessions.get(ref).id for ref in sessions))
        if force and not yes:
            _ask_for_labels(store, chosen)
        done = purging.purge(store, chosen, force=force)
    for line in done.skipped:
        echo(line, err=True)
    for purged in done.purged:
        echo(
            f"purged {purged.label}: {purging.stub_counts(purged.stub)}; {purging.office_since(purged.stub)}"
        )
    if not done.purged:
        echo("nothing purged: no session the office confirmed is left on this laptop", err=True)
        return
    echo(f"data file: {size_words(done.size_before)} before, {size_words(done.size_after)} after")


def _ask_for_labels(store: Store, session_ids: list[str]) -> None:
    """Before a forced purge: each session not confirmed needs its label typed."""
    from facilitator.actions import purge as purging

    for session_id, status in purging.unconfirmed(store, session_ids):
        session = store.sessions.get(session_id)
        if not stdin_is_terminal():
            raise FacilitatorError(
                f"session {session.label!r} is {status}: purging it needs its label typed in a "
                "terminal, or --force --yes"
            )
        echo(
            f"{session.label!r} ({session.date}) is {status}: the office may not hold it. Purging "
            "removes its post-its, notes and roster from this laptop for good.",
            err=True,
        )
        typed = click.prompt("Type the session's label to purge it", default="", show_default=False, err=True)
        if " ".join(typed.split()).casefold() != session.label.casefold():
            raise FacilitatorError("the label typed does not match: nothing purged")
