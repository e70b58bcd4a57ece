"""``pystocksharp backtest``: run one strategy over one data file.

The command is built in three steps so that later additions (metrics, reports, artifact
manifests) are small: parse options -> build a :class:`~pystocksharp.backtest.BacktestResult`
(:func:`build_result`) -> write outputs (:func:`write_outputs`) -> emit (:func:`emit`).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

import click

from pystocksharp.cli._common import EXIT_CHECK_FAILED, emit_json, handle_errors, json_option
from pystocksharp.errors import InputError, Problem, PyStockSharpError

_STRATEGY_HELP = "Built-in name (sma_cross, sma_cross_py, sma_cross_vec), path/to/file.py:ClassName or path/to/File.cs:ClassName."


def parse_params(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``name=value`` pairs (values stay text; the strategy converts and validates them)."""
    params: dict[str, str] = {}
    problems = []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            problems.append(Problem(f"expected NAME=VALUE, got {item!r}", field="--param"))
        elif name in params:
            problems.append(Problem(f"parameter '{name}' given twice", field="--param"))
        else:
            params[name] = value.strip()
    if problems:
        raise InputError("bad --param options", problems)
    return params


def build_result(strategy: str, data: str, params: dict[str, Any], **settings: Any) -> Any:
    """Runs the backtest (settings are :func:`pystocksharp.backtest.backtest`'s keywords)."""
    from pystocksharp.backtest import backtest

    return backtest(strategy, data, params=params, **settings)


def write_outputs(result: Any, out: str | None) -> dict[str, Path]:
    """Writes ``trades.parquet`` and ``equity.parquet`` into ``out`` (nothing if None)."""
    return {} if out is None else result.to_parquet(out)


def emit(result: Any, outputs: dict[str, Path], as_json: bool) -> None:
    report = result.report()
    if as_json:
        payload = report.model_dump(mode="json")
        payload["outputs"] = {k: str(v) for k, v in outputs.items()}
        emit_json(payload)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{report.strategy} on {report.symbol or report.data_source} {report.timeframe} ({report.bars} bars)"
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    params = ", ".join(f"{k}={v}" for k, v in report.parameters.items())
    rows = [
        ("parameters", params),
        ("period", f"{report.start} .. {report.end}"),
        ("initial capital", f"{report.initial_capital:,.2f}"),
        ("final equity", f"{report.final_equity:,.2f}"),
        ("net profit", f"{report.net_profit:,.2f}"),
        ("commission", f"{report.commission:,.2f}"),
        ("fills", str(report.fills)),
        ("round trips", str(report.round_trips)),
        ("max drawdown", f"{report.max_drawdown:.2%}"),
        ("rejected orders", str(report.rejected)),
        ("engine", report.engine_version),
    ]
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    for name, path in outputs.items():
        console.print(f"wrote {name}: {path}")


@click.command("backtest")
@click.option("--strategy", "-s", required=True, metavar="NAME|FILE:Class", help=_STRATEGY_HELP)
@click.option(
    "--data",
    "-d",
    required=True,
    metavar="FILE",
    help="OHLCV CSV or Parquet file (timestamp, open, high, low, close, volume).",
)
@click.option(
    "--param",
    "-p",
    "param_items",
    multiple=True,
    metavar="NAME=VALUE",
    help="Strategy parameter; repeat for several.",
)
@click.option("--capital", type=float, default=10_000.0, show_default=True, help="Initial capital (money).")
@click.option(
    "--commission",
    type=float,
    default=0.0,
    show_default=True,
    help="Commission per fill as a fraction of notional (0.002 = 0.2 %).",
)
@click.option(
    "--commission-per-unit",
    type=float,
    default=0.0,
    show_default=True,
    help="Commission per unit traded (money).",
)
@click.option(
    "--min-commission",
    type=float,
    default=0.0,
    show_default=True,
    help="Minimum commission per fill (money).",
)
@click.option(
    "--slippage",
    type=float,
    default=0.0,
    show_default=True,
    help="Slippage as a fraction of price, against the trader.",
)
@click.option(
    "--slippage-steps",
    type=float,
    default=0.0,
    show_default=True,
    help="Slippage in price steps, against the trader.",
)
@click.option(
    "--fill",
    type=click.Choice(["next-open", "close"]),
    default="next-open",
    show_default=True,
    help="Where market orders fill.",
)
@click.option(
    "--leverage", type=float, default=1.0, show_default=True, help="Buying power as a multiple of equity."
)
@click.option("--symbol", default=None, help="Symbol name (default: from the data file).")
@click.option("--timeframe", default=None, help="Bar timeframe such as 1d, 1h (default: inferred).")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Write trades.parquet and equity.parquet into this folder.",
)
@json_option
@handle_errors()
def backtest_command(
    strategy: str, data: str, param_items: tuple[str, ...], out: str | None, as_json: bool, **settings: Any
) -> None:
    """Backtest one strategy on one OHLCV file with the .NET engine.

    An exception raised by a Python strategy is shown with its traceback (with --json: an
    object with "error": "strategy_error" and the traceback lines); exit code 1.

    \b
    Examples:
      pystocksharp backtest -s sma_cross -d GOOG_1d.csv -p fast=10 -p slow=20 --commission 0.002
      pystocksharp backtest -s my_strats.py:Breakout -d data.parquet --out results/breakout --json
    """
    params = parse_params(param_items)
    try:
        result = build_result(strategy, data, params, **settings)
    except PyStockSharpError:
        raise
    except Exception as exc:  # the strategy's own error: keep its traceback
        if not as_json:
            raise
        emit_json(
            {
                "error": "strategy_error",
                "message": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exception(exc),
            }
        )
        sys.exit(EXIT_CHECK_FAILED)
    outputs = write_outputs(result, out)
    emit(result, outputs, as_json)


commands: list[click.Command] = [backtest_command]
