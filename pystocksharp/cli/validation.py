"""``pystocksharp walk-forward`` and ``pystocksharp pipeline``: validate an optimized strategy.

Both run :func:`pystocksharp.walk_forward` (walk-forward, selection grid with PBO and DSR,
Monte Carlo, holdout, verdict) and write its artifacts under ``--out``. Exit 0 when the
verdict passes or warns, 1 when it fails, 2 on bad input.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from pystocksharp.cli._common import EXIT_CHECK_FAILED, emit_json, handle_errors, json_option

_STAGES = {
    "walk-forward": "walk-forward windows",
    "selection": "selection grid, PBO, DSR",
    "monte-carlo": "Monte Carlo",
    "holdout": "holdout check",
}


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress display on stderr, one bar per stage; None when disabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(_STAGES.get(stage, stage), total=total)
        bars.update(tasks[stage], completed=done, total=total)

    with bars:
        yield update


def _print_text(result: Any) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console = Console()
    s = result.summary()
    table = Table(title=f"validation of {result.settings.strategy} ({s.windows} walk-forward windows)")
    table.add_column("check")
    table.add_column("value", justify="right")
    table.add_column("threshold")
    table.add_column("status")
    colors = {"pass": "green", "warn": "yellow", "fail": "red"}
    for c in s.verdict.checks:
        value = "-" if c.value is None else f"{c.value:.4g}"
        table.add_row(c.check, value, c.threshold, f"[{colors[c.status]}]{c.status}[/]")
    console.print(table)
    score = s.selected.objective_score
    by = "" if s.selected.objective == "in-sample" else f" (by {s.selected.objective}: {score if score is None else f'{score:.4g}'})"
    console.print(f"selected: {s.selected.parameters}{by}")
    verdict = s.verdict
    console.print(f"verdict: [{colors[verdict.status]}]{verdict.status.upper()}[/]")
    for reason in verdict.reasons:
        console.print(f"  - {reason}")
    for kind, folder in s.artifacts.items():
        click.echo(f"{kind}: {folder}")
    if "walk-forward" in s.artifacts:
        click.echo(f"summary page: {Path(s.artifacts['walk-forward']) / 'summary.html'}")


def _finish(result: Any, as_json: bool) -> None:
    if as_json:
        emit_json(result.summary())
    else:
        _print_text(result)
    if result.verdict.status == "fail":
        sys.exit(EXIT_CHECK_FAILED)


@click.command("walk-forward")
@click.option("--strategy", "-s", required=True, metavar="NAME|FILE:Class", help="Strategy to validate.")
@click.option(
    "--data",
    "-d",
    required=True,
    metavar="FILE",
    help="OHLCV CSV/Parquet file, or sample:NAME (e.g. sample:GOOG_1d).",
)
@click.option(
    "--grid",
    "-g",
    multiple=True,
    required=True,
    metavar="NAME=START:STOP:STEP",
    help="Parameter range; repeat.",
)
@click.option(
    "--warmup",
    type=int,
    default=0,
    show_default=True,
    metavar="BARS",
    help="Bars before each test/holdout window the strategy runs on first (not counted); 0 = cold start.",
)
@click.option("--constraint", "constraints", multiple=True, metavar="EXPR", help='e.g. "fast < slow".')
@click.option(
    "--rank",
    default="sharpe_ratio:desc",
    show_default=True,
    metavar="METRIC[:desc|asc]",
    help="Selection metric (sharpe_ratio, total_return, annualized_return, max_drawdown or an engine column).",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="EXPR",
    help='Keep only combinations passing it in every selection, e.g. "round_trips >= 10"; repeat for several.',
)
@click.option(
    "--select",
    type=click.Choice(["in-sample", "oos", "cscv"]),  # validation.models.Selection (not imported: fast --help)
    default="in-sample",
    show_default=True,
    help="How the final configuration is chosen among those passing --filter: in-sample (the --rank best on all "
    "non-holdout bars), oos (the best Sharpe on the walk-forward test windows' bars) or cscv (the best median "
    "Sharpe over the out-of-sample halves of the CSCV splits).",
)
@click.option("--train", required=True, metavar="LEN", help="Training length: 2y, 6m, 30d or a bar count.")
@click.option("--test", required=True, metavar="LEN", help="Test (out-of-sample) length.")
@click.option("--step", default=None, metavar="LEN", help="Window step (default: --test).")
@click.option("--anchored", is_flag=True, help="Training always starts at the first bar.")
@click.option(
    "--holdout", default=None, metavar="LEN", help="Final segment kept untouched for the last check."
)
@click.option(
    "--monte-carlo", "monte_carlo", type=int, default=1000, show_default=True, help="Simulations (0 = skip)."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Monte Carlo seed.")
@click.option("--workers", "-w", type=int, default=0, help="Engine threads/processes; 0 = all cores.")
@click.option(
    "--cluster",
    default=None,
    metavar="local:N|tcp://HOST:PORT",
    help="Run every window's grid on Dask: local:N starts N worker processes once for the whole walk-forward, "
    "tcp://HOST:PORT uses a running scheduler. Same results as without. Needs pystocksharp[cluster].",
)
@click.option("--capital", type=float, default=10_000.0, show_default=True, help="Initial capital (money).")
@click.option(
    "--commission", type=float, default=0.0, show_default=True, help="Fraction of notional per fill."
)
@click.option("--slippage", type=float, default=0.0, show_default=True, help="Fraction of price.")
@click.option(
    "--fill",
    type=click.Choice(["next-open", "close"]),
    default="next-open",
    show_default=True,
    help="Where market orders fill: the next bar's open, or this bar's close.",
)
@click.option("--leverage", type=float, default=1.0, show_default=True, help="Buying power as a multiple of equity.")
@click.option("--out", "-o", required=True, metavar="DIR", help="Artifacts root (run layout).")
@click.option("--no-progress", is_flag=True, help="No progress display (it goes to stderr).")
@json_option
@handle_errors()
def walk_forward_command(
    strategy: str,
    data: str,
    grid: tuple[str, ...],
    constraints: tuple[str, ...],
    rank: str,
    filters: tuple[str, ...],
    select: str,
    train: str,
    test: str,
    step: str | None,
    anchored: bool,
    warmup: int,
    holdout: str | None,
    monte_carlo: int,
    seed: int,
    workers: int,
    cluster: str | None,
    capital: float,
    commission: float,
    slippage: float,
    fill: str,
    leverage: float,
    out: str,
    no_progress: bool,
    as_json: bool,
) -> None:
    """Walk-forward analysis with holdout, Monte Carlo, PBO, deflated Sharpe and a verdict.

    Each training window is optimized over the grid; the best combination runs on the next
    test window; holdout bars are never seen by any optimization or selection step.

    \b
    Example:
      pystocksharp walk-forward -s sma_cross -d sample:GOOG_1d \\
        --grid fast=5:30:5 --grid slow=20:120:20 --constraint "fast < slow" \\
        --train 2y --test 6m --holdout 1y --out runs/goog --json
      pystocksharp walk-forward ... --cluster local:2   # every window's grid on 2 Dask worker processes
    """
    from pystocksharp.validation.config import resolve_data  # noqa: PLC0415
    from pystocksharp.validation.pipeline import walk_forward  # noqa: PLC0415

    with _progress(not no_progress and not as_json) as progress:
        result = walk_forward(
            strategy,
            resolve_data(data),
            grid=list(grid),
            constraints=list(constraints),
            rank=rank,
            filters=list(filters),
            select=select,
            train=train,
            test=test,
            step=step,
            anchored=anchored,
            warmup=warmup,
            holdout=holdout,
            monte_carlo=monte_carlo,
            seed=seed,
            workers=workers or None,
            capital=capital,
            commission=commission,
            slippage=slippage,
            fill=fill,
            leverage=leverage,
            out=out,
            progress=progress,
            cluster=cluster,
        )
    _finish(result, as_json)


@click.command("pipeline")
@click.argument("config", metavar="CONFIG", type=click.Path(dir_okay=False))
@click.option("--no-progress", is_flag=True, help="No progress display (it goes to stderr).")
@json_option
@handle_errors()
def pipeline_command(config: str, no_progress: bool, as_json: bool) -> None:
    """Run optimization then the enabled validation stages from one YAML/JSON CONFIG.

    Paths in CONFIG are relative to it; data may be sample:NAME. A bad config is reported
    with every problem and its field path at once (exit 2). See examples/pipeline.yaml.
    """
    from pystocksharp.validation.config import load_config, run_config  # noqa: PLC0415

    loaded = load_config(config)
    with _progress(not no_progress and not as_json) as progress:
        result = run_config(loaded, Path(config).parent, progress=progress)
    _finish(result, as_json)


commands: list[click.Command] = [walk_forward_command, pipeline_command]
