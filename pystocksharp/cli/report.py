"""CLI: ``pystocksharp report RUN_DIR``: write the HTML report pages of a run."""

from __future__ import annotations

from pathlib import Path

import click

from pystocksharp.cli._common import emit_json, handle_errors, json_option


@click.command("report")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--top",
    "top_n",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Rows in the summary's ranking table.",
)
@click.option(
    "--rank", "ranking_metric", default=None, help="Metric to rank by (default: sharpe_ratio when present)."
)
@click.option(
    "--inline", is_flag=True, help="Inline the JavaScript in every page instead of a shared assets/ folder."
)
@json_option
@handle_errors()
def report(run_dir: Path, top_n: int, ranking_metric: str | None, inline: bool, as_json: bool) -> None:
    """Write self-contained HTML reports for RUN_DIR (opens offline from file://).

    RUN_DIR is a backtest folder (with trades.json) or an optimization run folder (with
    optimization/). Each kept combination gets index.html in its folder; the run gets
    reports/index.html, a summary ranking every combination. Example:

        pystocksharp report results/by-strategy/sma_cross/.../by-timeframe/1d
    """
    from pystocksharp.reports.build import build_reports

    built = build_reports(run_dir, top_n=top_n, ranking_metric=ranking_metric, inline=inline)
    if as_json:
        emit_json(built)
        return
    for page in built.run_pages:
        click.echo(f"run page:     {page}")
    if built.summary_page:
        click.echo(f"summary page: {built.summary_page}")
    for skipped in built.skipped:
        click.secho(f"skipped {skipped}", fg="yellow", err=True)


commands: list[click.Command] = [report]
