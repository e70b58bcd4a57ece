"""``pystocksharp backtest``: run one strategy over one data file.

The command is built in three steps so that later additions (metrics, reports, artifact
manifests) are small: parse options -> build a :class:`~pystocksharp.backtest.BacktestResult`
(:func:`build_result`) -> write outputs (:func:`write_outputs`) -> emit (:func:`emit`).
"""

from __future__ import annotations

import re
import sys
import traceback
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


SETTING_OPTIONS: dict[str, str] = {
    "capital": "--capital",
    "commission": "--commission",
    "commission_per_unit": "--commission-per-unit",
    "min_commission": "--min-commission",
    "slippage": "--slippage",
    "slippage_steps": "--slippage-steps",
    "fill": "--fill",
    "leverage": "--leverage",
    "participation": "--participation",
    "participation_remainder": "--participation-remainder",
    "impact": "--impact",
}
#: Options that ``--config`` replaces (parameter name -> option as typed).
CONFIG_REPLACES: dict[str, str] = {
    "strategy": "--strategy",
    "data_items": "--data",
    "param_items": "--param",
    "symbol": "--symbol",
    "timeframe": "--timeframe",
    "instrument_items": "--instrument",
    **SETTING_OPTIONS,
}


#: Files of a run folder (``--json`` ``outputs`` key -> file name); the manifest is written last.
RUN_FILES: dict[str, str] = {
    "strategy_config": "strategy-config.json",
    "market_data": "market-data.json",
    "trades_json": "trades.json",
    "performance_metrics": "performance-metrics.json",
    "equity": "equity.parquet",
    "trades": "trades.parquet",
}


def participation_options(fn: Any) -> Any:
    """Volume participation and square-root market impact (docs/engine-api.md, "Volume participation and market impact")."""
    options = [
        click.option(
            "--participation",
            type=float,
            default=None,
            metavar="FRACTION",
            help="Fill at most this fraction of each bar's volume per bar, over all orders (0.1 = 10 %, rounded down "
            "to the volume step); in (0, 1]. Off by default (orders fill whole).",
        ),
        click.option(
            "--participation-remainder",
            type=click.Choice(["carry", "cancel"]),
            default="carry",
            show_default=True,
            help="With --participation: what a bar could not fill stays active for the next bars, or is cancelled.",
        ),
        click.option(
            "--impact",
            type=float,
            default=0.0,
            show_default=True,
            metavar="K",
            help="Square-root market impact: market and stop fills move against the order by "
            "price x K x (high - low) / close x sqrt(fill volume / bar volume), on top of --slippage. 0: off.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def given_options(ctx: click.Context) -> list[str]:
    """The options of :data:`CONFIG_REPLACES` given on the command line or through the environment."""
    defaults = (click.core.ParameterSource.DEFAULT, click.core.ParameterSource.DEFAULT_MAP, None)
    return [opt for name, opt in CONFIG_REPLACES.items() if ctx.get_parameter_source(name) not in defaults]


def build_result(
    strategy: str | None,
    data: str | dict[str, str] | None,
    params: dict[str, Any],
    config: str | None = None,
    **settings: Any,
) -> Any:
    """Runs the backtest (settings are :func:`pystocksharp.backtest.backtest`'s keywords), or
    replays ``config`` (a ``strategy-config.json``)."""
    from pystocksharp.backtest import backtest

    if config is not None:
        return backtest(config=config, benchmark=settings.get("benchmark"))
    import warnings

    from pystocksharp.backtest import CalendarWarning

    with warnings.catch_warnings():  # emit() reports the calendars itself
        warnings.simplefilter("ignore", CalendarWarning)
        return backtest(strategy, data, params=params, **settings)


def write_outputs(
    result: Any, out: str | None, metrics: Any, *, report: bool = True, capacity: Any = None
) -> dict[str, Path]:
    """Writes the run folder ``out`` (nothing if None): the artifacts through
    :func:`pystocksharp.artifacts.export.write_backtest_result` (manifest last), then the HTML run
    page (``index.html`` + ``assets/``) through :func:`pystocksharp.reports.build.build_reports`,
    which lists the pages in the manifest again. ``analytics.json`` (trading costs, attribution, the
    ``capacity`` points if given) is written before the page. Returns name -> path of what was written."""
    if out is None:
        return {}
    from pystocksharp.artifacts.export import write_backtest_result

    manifest = write_backtest_result(out, result, metrics=metrics)
    folder = manifest.parent
    outputs = {name: folder / file for name, file in RUN_FILES.items()}
    outputs["manifest"] = manifest
    from pystocksharp.reports.analytics import analytics_of_backtest, write_analytics

    outputs["analytics"] = write_analytics(folder, analytics_of_backtest(result, capacity))
    if report:
        from pystocksharp.reports.build import build_reports

        built = build_reports(folder)
        if built.run_pages:
            outputs["report"] = built.run_pages[0]
    return outputs


def _fmt_fraction(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _fmt_number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def emit(result: Any, outputs: dict[str, Path], as_json: bool, metrics: Any = None, capacity: Any = None) -> None:
    report = result.report()
    messages = getattr(result, "messages", None) or {}
    costs = result.tca_summary() if "costs" in getattr(result, "arrow", {}) else None
    if as_json:
        payload = report.model_dump(mode="json")
        payload["metrics"] = None if metrics is None else metrics.model_dump(mode="json", by_alias=True)
        payload["tca"] = costs
        calendar = getattr(result, "calendar", None)
        payload["calendar"] = None if calendar is None else calendar.model_dump(mode="json")
        payload["attribution"] = result.attribution_report().model_dump(mode="json")
        compared = getattr(result, "benchmark", None)
        payload["benchmark"] = None if compared is None else {"label": compared.label, "source": compared.source}
        if capacity is not None:
            payload["capacity"] = [p.model_dump(mode="json") for p in capacity]
        payload["outputs"] = {k: str(v) for k, v in outputs.items()}
        if messages:
            payload["messages"] = messages
        emit_json(payload)
        return
    for notice in messages.get("notices", []):
        click.echo(f"note: {notice}", err=True)
    for data in (getattr(result, "ohlcv", None), *getattr(result, "other_data", ())):
        for warning in getattr(data, "warnings", ()):
            click.echo(f"warning: {warning}", err=True)
    calendar = getattr(result, "calendar", None)
    for line in calendar.lines() if calendar is not None else []:
        click.echo(f"warning: calendars differ: {line} (docs/engine-api.md, 'Several series')", err=True)
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
        *(
            [("trading costs", f"{costs['cost']:,.2f} ({costs['slippage']:,.2f} slippage), {costs['cost_bps']:.1f} bps")]
            if costs and costs["fills"]
            else []
        ),
        ("fills", str(report.fills)),
        ("round trips", str(report.round_trips)),
        ("max drawdown", f"{report.max_drawdown:.2%}"),
    ]
    if metrics is not None:
        rows += [
            ("total return", _fmt_fraction(metrics.total_return)),
            ("annualized return", _fmt_fraction(metrics.annualized_return)),
            ("sharpe ratio", _fmt_number(metrics.sharpe_ratio)),
            ("win rate", _fmt_fraction(metrics.win_rate)),
            ("profit factor", _fmt_number(metrics.profit_factor)),
        ]
        compared = getattr(result, "benchmark", None)
        if compared is not None:
            rows += [
                (f"beta to {compared.label}", _fmt_number(metrics.beta)),
                (f"alpha to {compared.label} (per year)", _fmt_fraction(metrics.alpha)),
            ]
    rows += [("rejected orders", str(report.rejected)), ("engine", report.engine_version)]
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    if capacity is not None:
        curve = Table(title="capacity: costs scaled (each point a run)")
        for name in ("costs ×", "net profit", "sharpe ratio", "cost (bps)"):
            curve.add_column(name, justify="right")
        for p in capacity:
            curve.add_row(f"{p.multiplier:g}", f"{p.net_profit:,.2f}", _fmt_number(p.sharpe_ratio), f"{p.cost_bps:.1f}")
        console.print(curve)
    for name, path in outputs.items():
        console.print(f"wrote {name}: {path}")


@click.command("backtest")
@click.option("--strategy", "-s", default=None, metavar="NAME|FILE:Class", help=_STRATEGY_HELP)
@click.option(
    "--data",
    "-d",
    "data_items",
    multiple=True,
    metavar="[SYMBOL=]FILE",
    help="OHLCV CSV or Parquet file (timestamp, open, high, low, close, volume), or sample:NAME (e.g. sample:GOOG_1d). "
    "Repeat as SYMBOL=FILE for a strategy trading several instruments (the first is the primary series).",
)
@click.option(
    "--param",
    "-p",
    "param_items",
    multiple=True,
    metavar="NAME=VALUE",
    help="Strategy parameter; repeat for several.",
)
@emulation_options
@participation_options
@click.option("--symbol", default=None, help="Symbol name (default: from the data file).")
@click.option("--timeframe", default=None, help="Bar timeframe such as 1d, 1h (default: inferred).")
@click.option(
    "--instrument",
    "instrument_items",
    multiple=True,
    metavar="[SYMBOL:]FIELD=VALUE,...",
    help="Instrument specs over the data's: price_step, volume_step (enforced: orders rounded down to whole "
    "steps), multiplier (money = quantity x price x multiplier), commission (fraction of notional) and "
    "commission_per_unit for this instrument; e.g. --instrument ES:multiplier=50,price_step=0.25. "
    "Repeat per symbol with several --data. A NAME.instrument.json beside a data file is read too.",
)
@click.option(
    "--config",
    "config",
    type=click.Path(),
    default=None,
    metavar="FILE|DIR",
    help="Replay a strategy-config.json (from --out, optimize or deploy) exactly, or the --out folder of any command "
    "(the configuration `deploy` would export from it); replaces --strategy, "
    "--data, --param, --symbol, --timeframe and the cost/fill settings. The data file's recorded "
    "sha256 is checked.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    metavar="DIR",
    help="Write the run folder: strategy-config.json, market-data.json, trades.json (fills and round "
    "trips), performance-metrics.json, equity.parquet, trades.parquet, manifest.json and the HTML "
    "run page index.html (check it with `pystocksharp validate DIR`).",
)
@click.option("--no-report", is_flag=True, help="With --out: do not write the HTML run page.")
@click.option(
    "--benchmark",
    default=None,
    metavar="FILE|sample:NAME",
    help="Compare the run with this series' closes (e.g. sample:SPX_1d): beta and alpha in the metrics; on the run "
    "page the benchmark line, yearly returns and rolling Sharpe beside the strategy's (default: buy and hold of the "
    "traded data). Kept in the run folder's analytics.json.",
)
@click.option(
    "--capacity",
    is_flag=True,
    help="Also run the capacity curve: the backtest again with commission and slippage x0, 0.5, 1, 2, 4 "
    "(net profit, Sharpe ratio, costs per point; in --json under capacity and on the run page).",
)
@json_option
@handle_errors()
@click.pass_context
def backtest_command(
    ctx: click.Context,
    strategy: str | None,
    data_items: tuple[str, ...],
    param_items: tuple[str, ...],
    instrument_items: tuple[str, ...],
    config: str | None,
    out: str | None,
    no_report: bool,
    benchmark: str | None,
    capacity: bool,
    as_json: bool,
    **settings: Any,
) -> None:
    """Backtest one strategy on one OHLCV file with the .NET engine, or replay a saved
    configuration (--config).

    Prints the engine's summary and the performance metrics (docs/metrics.md: fractions, not
    percent; periods per year inferred from the bars; risk-free rate 0). With --out, writes a
    complete, verifiable run folder. An exception raised by a Python strategy is shown with its
    traceback (with --json: an object with "error": "strategy_error" and the traceback lines);
    exit code 1. Bad input exits 2.

    \b
    Examples:
      pystocksharp backtest -s sma_cross -d GOOG_1d.csv -p fast=10 -p slow=20 --commission 0.002
      pystocksharp backtest -s my_strats.py:Breakout -d data.parquet --out results/breakout --json
      pystocksharp backtest --config results/breakout/strategy-config.json --out results/again
      pystocksharp backtest -s strategies/PairsSpread.cs --data SPX=sample:SPX_1d --data NDX=sample:NASDAQ_1d
      pystocksharp backtest -s sma_cross -d sample:NASDAQ_1d --benchmark sample:SPX_1d --out results/vs-spx
    """
    data = data_argument(data_items)
    check_sources(ctx, config, strategy, data)
    params = parse_params(param_items)
    instrument = instrument_argument(instrument_items, data)
    if instrument is not None:
        settings["instrument"] = instrument
    if benchmark is not None:
        settings["benchmark"] = benchmark
    try:
        result = build_result(strategy, data, params, config, **settings)
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
    metrics = result.metrics()
    points = None
    if capacity:
        from pystocksharp.capacity import capacity_of_backtest

        points = capacity_of_backtest(result)
    outputs = write_outputs(result, out, metrics, report=not no_report, capacity=points)
    emit(result, outputs, as_json, metrics, capacity=points)


_SYMBOL = re.compile(r"[A-Za-z0-9_.^$-]+")


def data_argument(items: tuple[str, ...]) -> str | dict[str, str] | None:
    """``--data`` values: None, one FILE, or ``{SYMBOL: FILE}`` when given as SYMBOL=FILE (required when repeated);
    every problem at once."""
    if not items:
        return None
    pairs = [item.split("=", 1) if "=" in item and _SYMBOL.fullmatch(item.split("=", 1)[0]) else [None, item] for item in items]
    if len(items) == 1 and pairs[0][0] is None:
        return items[0]
    problems = [
        Problem(f"{item!r}: give each of several data as SYMBOL=FILE (e.g. SPX=spx.csv)", field="--data")
        for item, (symbol, _) in zip(items, pairs, strict=True)
        if symbol is None
    ]
    seen: set[str] = set()
    for symbol, _ in pairs:
        if symbol is not None and symbol in seen:
            problems.append(Problem(f"symbol {symbol!r} given twice", field="--data"))
        seen.add(str(symbol))
    if problems:
        raise InputError("bad --data", problems)
    return {str(symbol): str(path) for symbol, path in pairs}


def instrument_argument(items: tuple[str, ...], data: str | dict[str, str] | None) -> Any:
    """``--instrument`` values as :func:`pystocksharp.backtest.backtest`'s ``instrument``: one spec for one data
    (a symbol, if given, must be the data's), ``{symbol: spec}`` for several (a symbol is then required)."""
    from pystocksharp.instruments import parse_instrument_option

    if not items:
        return None
    problems: list[Problem] = []
    parsed: list[tuple[str | None, Any]] = []
    for item in items:
        try:
            parsed.append(parse_instrument_option(item))
        except InputError as exc:
            problems.extend(exc.problems)
    several = isinstance(data, dict) and len(data) > 1
    by_symbol: dict[str, Any] = {}
    for (symbol, spec), item in zip(parsed, items, strict=False):
        if symbol is None and several:
            problems.append(Problem(f"'{item}': name the symbol (SYMBOL:FIELD=VALUE) with several --data", field="--instrument"))
        key = symbol or ""
        if key in by_symbol:
            problems.append(Problem(f"'{item}': specs for {symbol or 'the data'} given twice", field="--instrument"))
        by_symbol[key] = spec
    if problems:
        raise InputError("bad --instrument", problems)
    if "" in by_symbol and len(by_symbol) > 1:
        raise InputError("bad --instrument", [Problem("give either one unnamed spec or one per SYMBOL:",
                                                      field="--instrument")])  # fmt: skip
    return by_symbol.get("", by_symbol)  # a named symbol is checked against the data's when they are loaded


def check_sources(
    ctx: click.Context, config: str | None, strategy: str | None, data: str | dict[str, str] | None
) -> None:
    """Either --config alone, or --strategy and --data: every problem in one InputError."""
    if config is not None:
        conflicts = given_options(ctx)
        if conflicts:
            raise InputError(
                "--config replaces the run's options",
                [Problem("cannot be given with --config", field=opt) for opt in conflicts],
            )
        return
    missing = [opt for opt, value in (("--strategy", strategy), ("--data", data)) if value is None]
    if missing:
        raise InputError(
            "nothing to backtest",
            [Problem("required (or --config FILE)", field=opt) for opt in missing],
        )


commands: list[click.Command] = [backtest_command]
