"""Commands that draw the report's charts and write the consultation report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from facilitator.cli.core import data_dir_option, main, workspace

F = TypeVar("F", bound=Callable[..., Any])
CHART_FORMATS_HELP = "Chart file formats: png, svg or png,svg (default)."
POOL_HELP = 'Pool sessions into one chart group: "LABEL=ID,ID". Repeat for more pools.'


def selection_options(what: str) -> Callable[[F], F]:
    """The options that choose sessions and pools, shared by `charts` and `report`."""

    def decorate(function: F) -> F:
        for option in reversed(
            [
                click.option(
                    "--out",
                    required=True,
                    type=click.Path(path_type=Path),
                    help=f"Folder to write {what} into.",
                ),
                click.option("--consultation", default=None, help="Use this consultation's sessions."),
                click.option(
                    "--session", "session_refs", multiple=True, help="Use this session; repeat for more."
                ),
                click.option("--pool", "pools", multiple=True, help=POOL_HELP),
                click.option(
                    "--format", "fmt", default="png,svg", show_default=True, help=CHART_FORMATS_HELP
                ),
                data_dir_option,
            ]
        ):
            function = option(function)
        return function

    return decorate


def _selection(consultation: str | None, session_refs: tuple[str, ...], pools: tuple[str, ...]) -> Any:
    from facilitator import charts

    return charts.select(workspace().store, consultation=consultation, session_refs=session_refs, pools=pools)


@main.command("charts")
@selection_options("the charts")
def charts_command(
    out: Path, consultation: str | None, session_refs: tuple[str, ...], pools: tuple[str, ...], fmt: str
) -> None:
    """Write the report's charts: Figures 1..N, one chart per group per statement, index.json.

    Groups come in the order their sessions took place; a pool stands where its
    first session stood. Sessions: those named, else the consultation's, else all.
    """
    from facilitator import chart_files

    formats = chart_files.parse_formats(fmt)
    selection = _selection(consultation, session_refs, pools)
    entries = chart_files.export_charts(workspace().store, selection, out, formats)
    click.echo(f"wrote {len(entries)} charts and index.json to {out}", err=True)


@main.command("report")
@selection_options("report.html")
def report_command(
    out: Path, consultation: str | None, session_refs: tuple[str, ...], pools: tuple[str, ...], fmt: str
) -> None:
    """Write report.html with its chart files: participant totals, Figures 1..N, a cohort
    comparison per statement, every comment, and Appendix 1 with every group's charts.
    """
    from facilitator import chart_files, report

    formats = chart_files.parse_formats(fmt)
    selection = _selection(consultation, session_refs, pools)
    entries = report.write_report(workspace().store, selection, out, formats)
    click.echo(f"wrote {out / 'report.html'} with {len(entries)} charts", err=True)
    from facilitator.cli.core import warn_privacy
    from facilitator.privacy import sessions_findings

    warn_privacy(
        sessions_findings(workspace().store, selection.sessions),
        "'facilitator privacy SESSION' for each session",
        with_session=len(selection.sessions) > 1,
    )
