"""Commands that draw the report's charts and write the consultation report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from facilitator.cli.core import data_dir_option, main, workspace
from facilitator.cli.output import echo, row
from facilitator.core.errors import FacilitatorError

F = TypeVar("F", bound=Callable[..., Any])
CHARTS_HELP = "Chart file formats: png, svg or png,svg (default: png,svg)."
REPORT_CHARTS_HELP = (
    "Chart file formats: png, svg or png,svg (default: png,svg; a Word report always has png)."
)
OLD_FORMAT_HELP = "The chart file formats, as --charts (kept for older scripts)."
REPORT_FORMAT_HELP = (
    "html (default): report.html; docx: report.docx, a Word draft. "
    "As before, png, svg or png,svg here mean an HTML report with those chart files."
)
POOL_HELP = (
    'Pool sessions into one chart group: "LABEL=ID,ID". Repeat for more pools. '
    "Without --pool the saved pools ('facilitator pool add') of the chosen sessions are used; "
    "any --pool replaces them for this run."
)


def selection_options(what: str, charts_help: str = CHARTS_HELP) -> Callable[[F], F]:
    """The options that choose sessions and pools, shared by `charts` and `report`."""

    def decorate(function: F) -> F:
        for option in reversed(
            [
                click.option(
                    "--out",
                    required=True,
                    type=click.Path(path_type=Path),
                    help=f"Folder to write {what} into (made if missing).",
                ),
                click.option("--consultation", default=None, help="Use this consultation's sessions."),
                click.option(
                    "--session", "session_refs", multiple=True, help="Use this session; repeat for more."
                ),
                click.option("--pool", "pools", multiple=True, help=POOL_HELP),
                click.option("--charts", "chart_formats", default=None, help=charts_help),
                data_dir_option,
            ]
        ):
            function = option(function)
        return function

    return decorate


@main.command("charts")
@selection_options("the charts")
@click.option("--format", "fmt", default=None, help=OLD_FORMAT_HELP)
def charts_command(
    out: Path,
    consultation: str | None,
    session_refs: tuple[str, ...],
    pools: tuple[str, ...],
    chart_formats: str | None,
    fmt: str | None,
) -> None:
    """Write the report's charts: Figures 1..N, a comparison per statement across the groups,
    one chart per group per statement (Appendix 1), and index.json.

    Groups come in the order their sessions took place; a pool stands where its
    first session stood. Sessions: those named, else the consultation's, else all.
    Pools: those given with --pool, else the saved pools of the chosen sessions.
    """
    from facilitator.actions.exports import write_charts
    from facilitator.outputs import chart_files

    if fmt is not None and chart_formats is not None:
        raise FacilitatorError("give the chart formats once: --charts png,svg (not also --format)")
    option = "--format" if fmt is not None else "--charts"
    formats = chart_files.parse_formats(chart_formats or fmt or "png,svg", option)
    written = write_charts(
        workspace().store, out, formats, consultation=consultation, session_refs=session_refs, pools=pools
    )
    echo(f"wrote {written.charts} charts and index.json to {out}", err=True)


@main.command("report")
@selection_options("the report and its charts", REPORT_CHARTS_HELP)
@click.option("--format", "fmt", default=None, help=REPORT_FORMAT_HELP)
@click.option(
    "--template",
    type=click.Path(path_type=Path, dir_okay=True),
    default=None,
    help="docx only: an organisation's Word document (.docx) whose styles, page setup, "
    "headers and footers the report uses.",
)
@click.option("--organisation", default="", help="The organisation's name, for the cover.")
def report_command(
    out: Path,
    consultation: str | None,
    session_refs: tuple[str, ...],
    pools: tuple[str, ...],
    chart_formats: str | None,
    fmt: str | None,
    template: Path | None,
    organisation: str,
) -> None:
    """Write report.html, or report.docx with --format docx, with its chart files and index.json.

    The report has a cover, the executive summary and recommendations marked for
    the author to write, our approach (sessions, participants, statements),
    Figures 1..N with their counts, the discussion's themes in order of frequency,
    and Appendix 1 with every group's charts.

    Sessions: those named, else the consultation's, else all. Pools: those given
    with --pool, else the saved pools of the chosen sessions.
    """
    from facilitator.actions.exports import report_formats, write_report
    from facilitator.cli.core import warn_privacy

    chosen = report_formats(fmt, chart_formats)
    written = write_report(
        workspace().store,
        out,
        chosen.charts,
        consultation=consultation,
        session_refs=session_refs,
        pools=pools,
        document=chosen.document,
        template=template,
        organisation=organisation,
    )
    echo(f"wrote {written.page} with {written.charts} charts", err=True)
    warn_privacy(
        written.findings,
        "'facilitator privacy SESSION' for each session",
        with_session=len(written.sessions) > 1,
    )


@main.group("pool")
def pool_group() -> None:
    """Save, list and remove chart pools: sessions charted as one group under a label."""


@pool_group.command("add")
@click.option("--label", required=True, help="e.g. 'Adult focus groups 2 & 3'.")
@click.argument("sessions", nargs=-1, required=True)
@data_dir_option
def pool_add(label: str, sessions: tuple[str, ...]) -> None:
    """Pool two or more sessions of one consultation under a label; prints the pool's id.

    The charts screen, 'facilitator charts' and 'facilitator report' then chart them as one group.
    """
    from facilitator.exercise.pools import save_pool

    pool = save_pool(workspace().store, label, sessions)
    click.echo(pool.id)


@pool_group.command("list")
@click.option("--consultation", default=None, help="Only this consultation's pools.")
@data_dir_option
def pool_list(consultation: str | None) -> None:
    """List the saved pools: id, consultation, label and the pooled sessions."""
    from facilitator.exercise.pools import consultation_pools, saved_pools

    store = workspace().store
    if consultation is not None:
        pools = consultation_pools(store, store.consultations.named(consultation).id)
    else:
        pools = saved_pools(store)
    if not pools:
        click.echo("no pools yet: save one with 'facilitator pool add'", err=True)
        return
    titles = {c.id: c.title for c in store.consultations.all()}
    labels = {s.id: s.label for s in store.sessions.all()}
    click.echo("id\tconsultation\tlabel\tsessions")
    for pool in pools:
        members = "; ".join(labels.get(i, f"(deleted {i})") for i in pool.session_ids)
        title = titles.get(pool.consultation_id or "", "")
        row(pool.id, title, pool.label, members)


@pool_group.command("remove")
@click.argument("pool")
@data_dir_option
def pool_remove(pool: str) -> None:
    """Remove a saved pool (by label or id); its sessions are charted alone again."""
    from facilitator.exercise.pools import remove_pool

    removed = remove_pool(workspace().store, pool)
    echo(f"removed pool {removed.label!r}", err=True)
