"""``pystocksharp demo``: the main job on the built-in GOOG sample, end to end.

Stages (each writes verifiable artifacts under ``--out``):

1. a backtest of ``sma_cross`` (fast=10, slow=20, 10 shares, 0.2 % commission) with its
   run folder and HTML page;
2. an optimization of ``sma_cross`` over a small grid with ``fast < slow``, exported in the
   partitioned artifact layout, with the executive summary page;
3. the validation pipeline: walk-forward (2 years train, 6 months test, 120 bars warm-up)
   with the final year held out, Monte Carlo on the out-of-sample trades, PBO and the
   deflated Sharpe ratio, and a pass / warn / fail verdict.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from pystocksharp.cli._common import emit_json, handle_errors, json_option

DEMO_STRATEGY = "sma_cross"
DEMO_SAMPLE = "GOOG_1d"
DEMO_SETTINGS: dict[str, Any] = {"capital": 10_000.0, "commission": 0.002}
DEMO_PARAMS: dict[str, Any] = {"fast": 10, "slow": 20, "volume": 10}
DEMO_GRID = ("fast=5:30:5", "slow=20:100:10", "volume=10")
DEMO_CONSTRAINTS = ("fast < slow",)
DEMO_RANK = "sharpe_ratio:desc"
DEMO_VALIDATION: dict[str, Any] = {
    "grid": ["fast=5:30:5", "slow=20:120:20", "volume=10"],
    "constraints": ["fast < slow"],
    "rank": DEMO_RANK,
    "train": "2y",
    "test": "6m",
    "holdout": "1y",
    "warmup": 120,
    "monte_carlo": 1000,
    "seed": 7,
}


@dataclass
class DemoOutcome:
    """What the demo produced: paths and headline numbers (money in account currency)."""

    out: Path
    backtest_dir: Path | None = None
    backtest_page: Path | None = None
    net_profit: float | None = None
    final_equity: float | None = None
    round_trips: int | None = None
    optimization_dir: Path | None = None
    summary_page: Path | None = None
    combinations: int | None = None
    best: dict[str, Any] = field(default_factory=dict)
    verdict: str | None = None
    verdict_reasons: list[str] = field(default_factory=list)
    validation_page: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        def s(p: Path | None) -> str | None:
            return None if p is None else str(p)

        return {
            "out": str(self.out),
            "backtest": {
                "dir": s(self.backtest_dir),
                "page": s(self.backtest_page),
                "net_profit": self.net_profit,
                "final_equity": self.final_equity,
                "round_trips": self.round_trips,
            },
            "optimization": {
                "dir": s(self.optimization_dir),
                "summary_page": s(self.summary_page),
                "combinations": self.combinations,
                "best": self.best,
            },
            "validation": {
                "verdict": self.verdict,
                "reasons": self.verdict_reasons,
                "summary_page": s(self.validation_page),
            },
            "seconds": self.seconds,
        }


def run_demo(out: Path, *, workers: int | None = None, progress: bool = False) -> DemoOutcome:
    """Run every demo stage into ``out``; returns where everything went."""
    from pystocksharp.artifacts.export import write_backtest_result
    from pystocksharp.backtest import backtest
    from pystocksharp.data import load_ohlcv, sample_path
    from pystocksharp.optimization import optimize
    from pystocksharp.optimization.progress import RichProgressBar
    from pystocksharp.reports.build import build_reports
    from pystocksharp.validation.pipeline import walk_forward

    def stage(text: str) -> None:
        if progress:
            click.echo(text, err=True)

    outcome = DemoOutcome(out=out)
    _clear_previous(out)
    data = load_ohlcv(sample_path(DEMO_SAMPLE))

    started = time.perf_counter()
    stage(f"[1/4] backtest: {DEMO_STRATEGY} on {DEMO_SAMPLE} ({data.bars:,} bars; the first run starts .NET) ...")
    result = backtest(DEMO_STRATEGY, data.source_path, params=DEMO_PARAMS, **DEMO_SETTINGS)
    write_backtest_result(out / "backtest", result, data=data)
    outcome.backtest_dir = out / "backtest"
    pages = build_reports(outcome.backtest_dir)
    outcome.backtest_page = pages.run_pages[0] if pages.run_pages else None
    summary = result.summary
    outcome.net_profit, outcome.final_equity = summary.net_profit, summary.final_equity
    outcome.round_trips = summary.round_trips
    outcome.seconds["backtest"] = round(time.perf_counter() - started, 3)

    stage(f"      done in {outcome.seconds['backtest']:.1f} s")
    started = time.perf_counter()
    stage(f"[2/4] optimization: {' '.join(DEMO_GRID)}, {' '.join(DEMO_CONSTRAINTS)}, ranked by {DEMO_RANK}")
    with contextlib.ExitStack() as stack:
        bar = stack.enter_context(RichProgressBar(description="optimizing")) if progress else None
        opt = optimize(
            DEMO_STRATEGY,
            data.source_path,
            grid=list(DEMO_GRID),
            constraints=list(DEMO_CONSTRAINTS),
            rank=DEMO_RANK,
            workers=workers,
            out=out / "optimization-run",
            progress=bar,
            **DEMO_SETTINGS,
        )
    # pages are built at the end, with the validation section
    layout = opt.export(out, data=data, engine_version=result.engine_version, report=False)
    outcome.optimization_dir = layout.run_dir
    outcome.combinations = len(opt.table)
    if opt.best is not None:
        keep = [*opt.parameter_names, *_BEST_COLUMNS]
        row = dict(opt.best)
        outcome.best = {k: _plain(row[k]) for k in keep if k in row}
    outcome.seconds["optimization"] = round(time.perf_counter() - started, 3)
    stage(f"      done in {outcome.seconds['optimization']:.1f} s")

    started = time.perf_counter()
    stage("[3/4] walk-forward validation: windows, a one-year holdout, Monte Carlo, PBO, deflated Sharpe ...")
    validation = walk_forward(
        DEMO_STRATEGY,
        data.source_path,
        workers=workers,
        out=out,
        **DEMO_VALIDATION,
        **DEMO_SETTINGS,
    )
    outcome.verdict = validation.verdict.status
    outcome.verdict_reasons = list(validation.verdict.reasons)
    wf_dir = validation.artifacts.get("walk-forward")
    outcome.validation_page = None if wf_dir is None else Path(wf_dir) / "summary.html"
    outcome.seconds["validation"] = round(time.perf_counter() - started, 3)
    stage(f"      done in {outcome.seconds['validation']:.1f} s")

    started = time.perf_counter()
    stage("[4/4] HTML reports ...")
    built = build_reports(layout.run_dir, validation=validation.report())
    outcome.summary_page = built.summary_page
    outcome.seconds["reports"] = round(time.perf_counter() - started, 3)
    stage(f"      done in {outcome.seconds['reports']:.1f} s")
    return outcome


_BEST_COLUMNS = ("net_profit", "sharpe_ratio", "max_drawdown", "round_trips")
_DEMO_SUBDIRS = ("backtest", "optimization-run", "results")


def _clear_previous(out: Path) -> None:
    """Remove what an earlier demo wrote into ``out`` (only the demo's own sub-folders)."""
    import shutil

    for name in _DEMO_SUBDIRS:
        if (out / name).is_dir():
            shutil.rmtree(out / name)


def _describe_best(best: dict[str, Any]) -> str:
    params = " ".join(f"{k}={v}" for k, v in best.items() if k not in _BEST_COLUMNS)
    stats = []
    if best.get("sharpe_ratio") is not None:
        stats.append(f"Sharpe {best['sharpe_ratio']:.2f}")
    if best.get("net_profit") is not None:
        stats.append(f"net profit {best['net_profit']:,.2f}")
    if best.get("max_drawdown") is not None:
        stats.append(f"max drawdown {best['max_drawdown']:.2%}")
    if best.get("round_trips") is not None:
        stats.append(f"{best['round_trips']} round trips")
    return f"{params} ({', '.join(stats)})"


def _plain(value: Any) -> Any:
    value = value.item() if hasattr(value, "item") else value
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("pystocksharp-demo"),
    show_default=True,
    help="Folder for everything the demo writes.",
)
@click.option(
    "--workers", type=int, default=None, help="Worker threads for the optimizer (default: all cores)."
)
@click.option("--no-progress", is_flag=True, help="No stage messages or progress bar (they go to stderr; off with --json).")
@json_option
@handle_errors()
def demo_command(out: Path, workers: int | None, no_progress: bool, as_json: bool) -> None:
    """Run the main job on the built-in GOOG daily sample and say where its output went.

    A backtest of sma_cross (fast=10, slow=20, 10 shares, 0.2 % commission), then an
    optimization of its grid (fast 5..30, slow 20..100, fast < slow) ranked by Sharpe
    ratio, then walk-forward validation with a one-year holdout, Monte Carlo, PBO and
    the deflated Sharpe ratio, ending in a pass / warn / fail verdict. Each stage writes
    artifacts and HTML reports.
    """
    outcome = run_demo(out, workers=workers, progress=not (no_progress or as_json))
    if as_json:
        emit_json(outcome.to_json())
        return
    click.echo(
        f"backtest  {DEMO_STRATEGY} on {DEMO_SAMPLE}: net profit {outcome.net_profit:,.2f}, "
        f"final equity {outcome.final_equity:,.2f}, {outcome.round_trips} round trips"
    )
    click.echo(f"          report: {outcome.backtest_page}")
    click.echo(
        f"optimize  {outcome.combinations} combinations ranked by {DEMO_RANK}; best: {_describe_best(outcome.best)}"
    )
    click.echo(f"          summary: {outcome.summary_page}")
    click.echo(
        f"validate  walk-forward + holdout + Monte Carlo + PBO/DSR: verdict {outcome.verdict.upper() if outcome.verdict else None}"
    )
    for reason in outcome.verdict_reasons:
        click.echo(f"            - {reason}")
    click.echo(f"          summary: {outcome.validation_page}")
    click.echo(f"all output in {out.resolve()}")


commands: list[click.Command] = [demo_command]
