"""`facilitator kit`: the printable wall kit of a statement set."""

from __future__ import annotations

from pathlib import Path

import click

from facilitator.cli.core import data_dir_option, main, workspace
from facilitator.cli.output import echo


@main.command("kit")
@click.option("--set", "set_id", required=True, help="The statement set's id (see 'facilitator sets').")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The page to write: FILE.html.")
@data_dir_option
def kit_command(set_id: str, out: Path) -> None:
    """Write the printable wall kit of a statement set: one page to print on A4.

    It holds the facilitator's pages (the statements, the scale with its keys, a
    consent script and privacy reminders), each statement in large print on a
    landscape page, and one card per scale category with its symbol and label.
    A set with a second language prints both.
    """
    from facilitator.actions.kit import check_kit_path, write_kit
    from facilitator.outputs.kit import FACILITATOR_PAGES, page_count

    check_kit_path(out)
    statement_set = workspace().catalogue().get(set_id)
    write_kit(statement_set, out)
    echo(
        f"wrote {out}: {page_count(statement_set)} A4 pages ({FACILITATOR_PAGES} for the facilitator, "
        f"{len(statement_set.statements)} statements, {len(statement_set.scale)} scale cards)",
        err=True,
    )
