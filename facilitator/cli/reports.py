"""Commands that draw the report's charts and write the consultation report."""

from __future__ import annotations

from pathlib import Path

import click

from facilitator.cli.core import data_dir_option, main, workspace

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
