"""`facilitator example`: load the example consultation to practise on, or remove it."""

from __future__ import annotations

import click

from facilitator.cli.core import data_dir_option, main, stdin_is_terminal, workspace
from facilitator.cli.output import echo
from facilitator.core.errors import FacilitatorError


@main.command("example")
@click.option("--remove", is_flag=True, help="Remove every example session, with its post-its and notes.")
@click.option("--yes", is_flag=True, help="With --remove: do not ask (needed when not run in a terminal).")
@data_dir_option
def example_command(remove: bool, yes: bool) -> None:
    """Load an example consultation to practise on: five groups with post-its and notes.

    Example sessions are marked EXAMPLE on every screen and in every export, and never
    leave in a bundle. --remove deletes them all.
    """
    from facilitator.actions.example import example_sessions, load_example, remove_example

    ws = workspace()
    if not remove:
        if yes:
            raise FacilitatorError("--yes goes with --remove")
        loaded = load_example(ws)
        echo(
            f"loaded the example: {len(loaded.sessions)} sessions, {loaded.postits} post-its, "
            f"{loaded.notes} notes (marked EXAMPLE; 'facilitator example --remove' removes them)"
        )
        return
    found = example_sessions(ws.store)
    if not found:
        raise FacilitatorError("there is no example to remove")
    if not yes:
        if not stdin_is_terminal():
            raise FacilitatorError(
                "removing the example needs confirmation: run it in a terminal, or add --yes"
            )
        if not click.confirm(
            f"Remove the {len(found)} example sessions with their post-its and notes?", err=True
        ):
            raise FacilitatorError("nothing removed")
    removed = remove_example(ws.store)
    echo(f"removed the example: {len(removed)} sessions")
