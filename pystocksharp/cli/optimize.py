"""``pystocksharp optimize``: run a parameter grid (checkpointed, parallel, resumable) and rank it."""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pystocksharp.cli._common import (
    EXIT_CHECK_FAILED,
    emit_json,
    emulation_options,
    handle_errors,
    json_option,
)
from pystocksharp.errors import InputError, Problem

EXIT_INTERRUPTED = 130
#: Grids with more combinations (before constraints) than this print an estimate and need --yes.
HUGE_GRID = 1_000_000
#: Nominal speeds the estimate assumes: bars per second over all cores (a C# strategy; documented in
#: docs/optimization.md), and bytes kept per bar of one combination with fills and equity.
NOMINAL_BARS_PER_S = 10_000_000
BYTES_PER_BAR_KEPT = 60
#: Sub-folder of ``--out`` holding the resume state (run.json, results.jsonl, captures/).
CHECKPOINT_DIR = "checkpoint"

_STRATEGY_HELP = "Built-in name (sma_cross, sma_cross_py, sma_cross_vec), path/to/file.py:ClassName or path/to/File.cs:ClassName."


def resume_command(argv: list[str]) -> str:
    """The command line that resumes this run: the same arguments plus ``--resume``."""
    args = [a for a in argv if a != "--resume"]
    return shlex.join(["pystocksharp", *args, "--resume"])


def _emit_text(result: Any, n: int) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console = Console()
    summary = result.summary()
    report = summary.search_report
    how = "" if summary.search == "grid" else f" ({summary.search} search: {report.stop_reason if report else 'stopped'})"
    console.print(
        f"{summary.strategy}: {summary.completed}/{summary.total} combinations done{how}, "
        f"{summary.succeeded} ok, {summary.failed} failed; results: {summary.results_path}"
    )
    top = result.top(n)
    if top.empty:
        console.print("no successful combination passed the filters")
        return
    columns = [*result.parameter_names, *[k.column for k in result.rank]]
    for extra in ("net_profit", "round_trips", "max_drawdown"):
        if extra not in columns and extra in top.columns:
            columns.append(extra)
    table = Table(title=f"top {len(top)} by {', '.join(str(k) for k in result.rank)}")
    for column in ["#", *columns, "parameter_hash"]:
        table.add_column(column, justify="right")
    for rank, (_, row) in enumerate(top.iterrows(), start=1):
        table.add_row(str(rank), *(_fmt(row[c]) for c in columns), str(row["parameter_hash"]))
    console.print(table)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


def _holding_out(command: Callable[..., None]) -> Callable[..., None]:
    """Run ``command`` holding its ``--out`` folder exclusively (:func:`pystocksharp.io.exclusive_folder`)
    from before anything there is touched (unsealing a resumed run) to after its export and seal;
    the optimization itself also locks ``DIR/checkpoint``. Another run on DIR: ``InputError``, exit 2."""

    @functools.wraps(command)
    def holding(*args: Any, **kwargs: Any) -> None:
        from pystocksharp.io import exclusive_folder  # noqa: PLC0415

        with exclusive_folder(kwargs["out"]):
            command(*args, **kwargs)

    return holding


@click.command("optimize")
@click.option("--strategy", "-s", required=True, metavar="NAME|FILE:Class", help=_STRATEGY_HELP)
@click.option("--data", "-d", required=True, metavar="FILE", help="OHLCV CSV or Parquet file, or sample:NAME (e.g. sample:GOOG_1d).")
@click.option(
    "--grid",
    "-g",
    "grid",
    multiple=True,
    metavar="NAME=START:STOP:STEP",
    help="Parameter range (inclusive) or NAME=v1,v2,...; repeat for each parameter. "
    "Default: the ranges the strategy declares (StockSharp's SetOptimize).",
)
@click.option(
    "--constraint",
    "constraints",
    multiple=True,
    metavar="EXPR",
    help='Keep only combinations where EXPR holds, e.g. "fast < slow".',
)
@click.option(
    "--rank",
    "rank",
    multiple=True,
    default=("net_profit:desc",),
    show_default=True,
    metavar="METRIC[:desc|asc]",
    help="Ranking criterion; repeat for tie-breakers.",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="EXPR",
    help='Keep combinations where EXPR holds, e.g. "round_trips >= 30".',
)
@click.option(
    "--search",
    "search",
    default="grid",
    show_default=True,
    metavar="grid|random|genetic",
    help="Which combinations run: grid (every one), random (--samples drawn without replacement) or "
    "genetic (a population evolved by selection, crossover and mutation).",
)
@click.option("--samples", type=int, default=None, metavar="N", help="random: combinations to draw (default 100).")
@click.option(
    "--seed", type=int, default=None, metavar="S",
    help="random, genetic: random seed (default 0); the same seed gives the same combinations.",
)  # fmt: skip
@click.option("--population", type=int, default=None, metavar="N", help="genetic: candidates per generation (default 50, >= 2).")
@click.option(
    "--generations", type=int, default=None, metavar="N", help="genetic: most generations, the first included (default 30)."
)  # fmt: skip
@click.option(
    "--mutation", type=float, default=None, metavar="P",
    help="genetic: probability that a parameter of a child mutates (default 0.1).",
)  # fmt: skip
@click.option(
    "--crossover", type=float, default=None, metavar="P",
    help="genetic: probability that a child mixes two parents, else it copies one (default 0.8).",
)  # fmt: skip
@click.option(
    "--elite", type=int, default=None, metavar="N",
    help="genetic: best candidates copied unchanged into the next generation (default 2).",
)  # fmt: skip
@click.option(
    "--patience", type=int, default=None, metavar="G",
    help="genetic: stop after G generations without a better best (default 10; 0 = never).",
)  # fmt: skip
@click.option(
    "--tournament", type=int, default=None, metavar="K",
    help="genetic: candidates per tournament; the fittest becomes a parent (default 3).",
)  # fmt: skip
@click.option(
    "--fitness", default=None, metavar="EXPR",
    help='genetic: what is maximized, an expression over result columns, e.g. "net_profit / (abs(max_drawdown) + 1)" '
    "(default: the first --rank criterion).",
)  # fmt: skip
@click.option("--top", type=int, default=10, show_default=True, help="Rows of the ranking to print.")
@click.option(
    "--workers", "-w", type=int, default=0, help="Engine threads (C#) or processes (Python); 0 = all cores."
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace a run already in --out (its checkpoint and its results/ are removed first; not with --resume).",
)
@click.option(
    "--cluster",
    default=None,
    metavar="local:N|tcp://HOST:PORT",
    help="Run the combinations on Dask: local:N starts N worker processes here for the run, tcp://HOST:PORT "
    "uses a running scheduler (dask scheduler / dask worker). Needs pystocksharp[cluster]. Default: engine "
    "threads or worker processes here (--workers).",
)
@click.option(
    "--combination-timeout",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Time limit of one combination: past it, its worker process is killed and the combination recorded "
    "failed ('timed out after N s'); the run goes on. Runs every combination (C# too) in worker processes. "
    "Default: none.",
)
@click.option(
    "--memory-limit",
    default=None,
    metavar="SIZE",
    help="Memory limit (resident set size, e.g. 2G, 512M) of each worker process: past it, the worker is killed "
    "and its combination recorded failed. Includes the worker's Python and .NET (~200-300 MB). Runs every "
    "combination in worker processes. Default: none.",
)
@click.option(
    "--out",
    "-o",
    required=True,
    metavar="DIR",
    help="Output folder: DIR/checkpoint (resume state) and, once complete, DIR/results/... (artifacts, reports).",
)
@click.option(
    "--keep",
    default="20",
    show_default=True,
    metavar="N|all",
    help="Top combinations of the ranking that get their own artifact folder and page.",
)
@click.option("--no-report", is_flag=True, help="Do not build the HTML reports.")
@click.option("--resume", is_flag=True, help="Continue the run in --out, skipping combinations already done.")
@emulation_options
@click.option(
    "--all-fills",
    is_flag=True,
    help="Store every combination's fills and per-bar equity as it runs (exported in the fills/ and equity/ "
    "datasets). Default: only the --keep combinations' are stored, run again after the grid.",
)
@click.option("--no-progress", is_flag=True, help="No progress bar (it goes to stderr).")
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="Run a grid of more than 1,000,000 combinations without asking (it prints an estimate first; "
    "with --json or no terminal it is refused without --yes).",
)
@json_option
@handle_errors()
@_holding_out
def optimize_command(
    strategy: str,
    data: str,
    grid: tuple[str, ...],
    constraints: tuple[str, ...],
    rank: tuple[str, ...],
    filters: tuple[str, ...],
    search: str,
    samples: int | None,
    seed: int | None,
    population: int | None,
    generations: int | None,
    mutation: float | None,
    crossover: float | None,
    elite: int | None,
    patience: int | None,
    tournament: int | None,
    fitness: str | None,
    top: int,
    workers: int,
    cluster: str | None,
    overwrite: bool,
    combination_timeout: float | None,
    memory_limit: str | None,
    out: str,
    keep: str,
    no_report: bool,
    resume: bool,
    capital: float,
    commission: float,
    commission_per_unit: float,
    min_commission: float,
    slippage: float,
    slippage_steps: float,
    fill: str,
    leverage: float,
    all_fills: bool,
    no_progress: bool,
    yes: bool,
    as_json: bool,
) -> None:
    """Optimize a strategy over a parameter grid (every combination, a random sample or a genetic
    search) and rank the results.

    Each finished combination (parameters, summary, metrics) is appended durably to
    DIR/checkpoint/results.jsonl. Ctrl-C stops cleanly and prints the command that resumes
    (nothing is exported then). Once every combination is done, the --keep best run again to
    capture their fills and per-bar equity (DIR/checkpoint/captures/; every combination's as it
    runs with --all-fills), the run is exported into DIR/results/by-strategy/... (ranked table,
    datasets, the --keep best combinations' folders), the HTML reports are built (unless --no-report) and the checkpoint
    gets its manifest, so `pystocksharp validate DIR` checks all of DIR. A run holds DIR
    exclusively: a second one on the same DIR (--resume too) exits 2 at once, writing nothing.

    \b
    Example:
      pystocksharp optimize -s sma_cross -d GOOG_1d.csv \\
        --grid fast=5:50:5 --grid slow=20:200:10 --constraint "fast < slow" \\
        --rank sharpe_ratio:desc --filter "round_trips >= 30" --out runs/sma
      pystocksharp optimize -s sma_cross -d GOOG_1d.csv --grid fast=1:100 --grid slow=1:100 \\
        --search genetic --population 50 --generations 30 --seed 7 --out runs/sma-ga
      pystocksharp optimize -s sma_cross -d GOOG_1d.csv --grid fast=5:50:5 --grid slow=20:200:10 \\
        --cluster tcp://10.0.0.5:8786 --out runs/sma   # or --cluster local:4
    """
    from pystocksharp.optimization import RichProgressBar, optimize  # noqa: PLC0415
    from pystocksharp.optimization.checkpoint import unseal_checkpoint  # noqa: PLC0415
    from pystocksharp.optimization.runner import cluster_address  # noqa: PLC0415

    kept = _parse_keep(keep)
    if search == "grid" and not resume and not yes:
        confirm_huge_grid(list(grid), data, keep_fills=all_fills, interactive=not as_json and _can_ask())
    where = cluster_address(cluster)  # a bad address is refused before anything in --out is touched
    checkpoint = Path(out) / CHECKPOINT_DIR
    if overwrite and resume:
        raise InputError("--resume or --overwrite, not both",
                         [Problem("--resume continues the run in --out; --overwrite replaces it", field="--overwrite")])  # fmt: skip
    if resume:
        unseal_checkpoint(checkpoint)  # complete again only once the run and its export are
    options = dict(samples=samples, seed=seed, population=population, generations=generations, mutation=mutation,
                   crossover=crossover, elite=elite, patience=patience, tournament=tournament, fitness=fitness)  # fmt: skip
    how = {"kind": search, **{k: v for k, v in options.items() if v is not None}}
    kwargs: dict[str, Any] = dict(
        grid=list(grid), constraints=list(constraints), rank=list(rank), filters=list(filters), search=how,
        workers=workers or None, out=checkpoint, resume=resume, capital=capital, commission=commission,
        commission_per_unit=commission_per_unit, min_commission=min_commission, slippage=slippage,
        slippage_steps=slippage_steps, fill=fill, leverage=leverage, keep_fills=all_fills, cluster=where,
        combination_timeout=combination_timeout, memory_limit=memory_limit, overwrite=overwrite,
    )  # fmt: skip
    try:
        if no_progress:
            result = optimize(strategy, data, **kwargs)
        else:
            with RichProgressBar(description=f"optimizing {strategy}") as bar:
                result = optimize(strategy, data, progress=bar, **kwargs)
    except KeyboardInterrupt:  # a second Ctrl-C: stopped at once, the checkpoint keeps what finished
        click.secho("interrupted at once (second Ctrl-C); resume with:", fg="yellow", err=True)
        click.echo("  " + resume_command(sys.argv[1:]), err=True)
        _exit(EXIT_INTERRUPTED)
    stopped = bool(result.interrupted or result.abort_reason)
    if overwrite and not stopped:  # the old run's exported folders go too, so nothing stale is left beside the new ones
        from pystocksharp.artifacts.layout import RESULTS_DIR  # noqa: PLC0415

        shutil.rmtree(Path(out) / RESULTS_DIR, ignore_errors=True)
    exported = None if stopped else _export(result, Path(out), keep=kept, report=not no_report)
    if as_json:
        payload = result.summary().model_dump(mode="json")
        payload["top"] = _top_rows(result, top)
        payload["run_dir"] = None if exported is None else str(exported.run_dir)
        payload["summary_page"] = (
            None if exported is None or exported.summary_page is None else str(exported.summary_page)
        )
        if stopped:
            payload["resume_command"] = resume_command(sys.argv[1:])
        emit_json(payload)
    else:
        _emit_text(result, top)
        if exported is not None:
            click.echo(f"artifacts: {exported.run_dir}")
            if exported.summary_page is not None:
                click.echo(f"report: {exported.summary_page}")
    summary = result.summary()
    if not stopped and summary.completed > 0 and summary.succeeded == 0:
        # a run in which every combination failed is a failure: say why (the first error) and exit 1
        first = (result.first_error or "unknown error").splitlines()[0]
        click.secho(f"error: all {summary.failed} combinations failed; the first: {first}", fg="red", err=True)
        sys.exit(EXIT_CHECK_FAILED)
    if stopped:
        reason = result.abort_reason or "interrupted"
        if result.runaway_at_stop:
            from pystocksharp.optimization.isolation import STOP_GRACE_S  # noqa: PLC0415

            click.secho(f"a combination still ran {STOP_GRACE_S:g} s after Ctrl-C and was stopped unrecorded (a runaway? "
                        "--combination-timeout SECONDS records such a combination failed)", fg="yellow", err=True)  # fmt: skip
        click.secho(f"{reason}: {result.completed}/{result.total} done; resume with:", fg="yellow", err=True)
        click.echo("  " + resume_command(sys.argv[1:]), err=True)
        _exit(EXIT_INTERRUPTED)


def _exit(code: int) -> None:
    """``sys.exit``, or ``os._exit`` when an engine thread of this process still runs a combination (a runaway
    left at a Ctrl-C): the interpreter's shutdown would wait for .NET. Every file of the run is closed by now."""
    from pystocksharp.optimization.runner import engine_thread_left_running  # noqa: PLC0415

    if engine_thread_left_running():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _parse_keep(keep: str) -> int | str:
    from pystocksharp.errors import InputError, Problem  # noqa: PLC0415

    text = keep.strip().lower()
    if text == "all":
        return "all"
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise InputError("bad --keep", [Problem(f"expected a count >= 1 or 'all', got {keep!r}", field="keep")])


def _export(result: Any, out: Path, *, keep: int | str, report: bool) -> Any:
    """Artifacts and reports of a complete run into ``out``, then the checkpoint's manifest."""
    from pystocksharp.optimization.checkpoint import write_checkpoint_manifest  # noqa: PLC0415

    exported = result.export(out, keep=keep, report=report)
    write_checkpoint_manifest(result.out)
    return exported


def _top_rows(result: Any, n: int) -> list[dict[str, Any]]:
    import json  # noqa: PLC0415

    top = result.top(n).drop(columns=["traceback", "error"], errors="ignore")
    return json.loads(top.to_json(orient="records"))


commands: list[click.Command] = [optimize_command]


def confirm_huge_grid(grid: list[str], data: str, *, keep_fills: bool, interactive: bool) -> None:
    """A grid of more than :data:`HUGE_GRID` combinations (the product of its axes, before constraints): print what it
    would cost (count, time at :data:`NOMINAL_BARS_PER_S`, disk with fills) and ask, or, when nobody can answer
    (``--json``, no terminal), refuse with the estimate (exit 2). Nothing is written before."""
    from pystocksharp.backtest import load_data  # noqa: PLC0415
    from pystocksharp.parameters import parse_grid  # noqa: PLC0415

    if not grid:
        return
    try:
        size = parse_grid(grid).count_unconstrained()
    except InputError:
        return  # the run reports a bad grid with every problem
    if size <= HUGE_GRID:
        return
    try:
        bars = load_data(data).bars
    except InputError:
        return
    seconds = size * bars / NOMINAL_BARS_PER_S
    disk = f", about {size * bars * BYTES_PER_BAR_KEPT / 1e9:,.0f} GB of fills and equity (--all-fills; without it: the kept combinations')" if keep_fills else ""
    estimate = (f"{size:,} combinations before constraints on {bars:,} bars: at a nominal {NOMINAL_BARS_PER_S:,} "
                f"bars/s about {_duration(seconds)}{disk}")  # fmt: skip
    if interactive:
        click.echo(f"note: a huge grid: {estimate}", err=True)
        if click.confirm("Run it?", default=False, err=True):
            return
        raise click.Abort()
    raise InputError("a huge grid needs --yes", [Problem(
        f"{estimate}; give --yes to run it, or narrow the grid, or sample it (--search random --samples N, "
        "--search genetic)", field="--grid")])  # fmt: skip


def _can_ask() -> bool:
    """Whether someone can answer a question: standard input is a terminal."""
    return sys.stdin.isatty()


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86_400), ("hours", 3_600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:,.0f} s"
