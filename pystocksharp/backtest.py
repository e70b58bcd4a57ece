"""``pystocksharp.backtest``: run one strategy over one OHLCV series on the .NET engine.

    result = pystocksharp.backtest("sma_cross", "GOOG_1d.csv", params={"fast": 10, "slow": 20},
                                   capital=10_000, commission=0.002)
    result.summary.final_equity, result.trades, result.equity

Conventions: money in the data's currency; ``commission`` and ``slippage`` are fractions of the
fill's notional / price (0.002 = 0.2 %), ``commission_per_unit`` money per unit, ``slippage_steps``
price steps; market orders fill at the next bar's open (``fill="next-open"``) or at the close of
the bar that placed them (``fill="close"``). ``participation`` (0 < p <= 1) caps each bar's fills at that fraction
of the bar's volume (the rest is carried to the next bars or cancelled: ``participation_remainder``), ``impact`` is
the square-root market impact coefficient k (docs/engine-api.md, "Volume participation and market impact").
Fills, positions and PnL are the engine's.

A saved run is replayed from its ``strategy-config.json`` (written by
:func:`pystocksharp.artifacts.export.write_backtest_result`, ``backtest --out`` or ``deploy``):

    again = pystocksharp.backtest(config="run/strategy-config.json")
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict

from pystocksharp.errors import InputError, Problem
from pystocksharp.instruments import specs_by_symbol
from pystocksharp.io import atomic_path
from pystocksharp.resolver import ResolvedStrategy, resolve_strategy

FillMode = Literal["next-open", "close"]
FILL_MODES: tuple[str, ...] = ("next-open", "close")
Remainder = Literal["carry", "cancel"]
REMAINDERS: tuple[str, ...] = ("carry", "cancel")

_ORDER_TYPES = {0: "market", 1: "limit", 2: "stop"}
_ORDER_STATES = {0: "active", 1: "filled", 2: "cancelled", 3: "rejected"}


class BacktestSettings(BaseModel):
    """Capital, costs and fill rule of a backtest (fractions, not percent)."""

    model_config = ConfigDict(frozen=True)

    capital: float = 10_000.0
    commission: float = 0.0
    commission_per_unit: float = 0.0
    min_commission: float = 0.0
    slippage: float = 0.0
    slippage_steps: float = 0.0
    fill: FillMode = "next-open"
    leverage: float = 1.0
    #: fraction of each bar's volume the orders may fill (0 < p <= 1); None: off (orders fill whole)
    participation: float | None = None
    #: the part of an order a bar could not fill: kept active for the next bars ("carry") or cancelled
    participation_remainder: Remainder = "carry"
    #: square-root market impact coefficient k (>= 0, dimensionless): market and stop fills move against the order by
    #: price * k * (high - low) / close * sqrt(fill volume / bar volume); 0: off
    impact: float = 0.0

    @classmethod
    def checked(cls, **values: Any) -> BacktestSettings:
        """Validates every setting and reports all problems at once (InputError)."""
        problems = []
        numbers: dict[str, float] = {}
        for name in (
            "capital",
            "commission",
            "commission_per_unit",
            "min_commission",
            "slippage",
            "slippage_steps",
            "leverage",
            "participation",
            "impact",
        ):
            value = values.get(name, BacktestSettings.model_fields[name].default)
            if name == "participation" and value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float | np.number)
                or not math.isfinite(float(value))
            ):
                problems.append(Problem(f"must be a finite number, got {value!r}", field=name))
                continue
            numbers[name] = float(value)
        rules = {
            "capital": (lambda v: v > 0, "must be > 0"),
            "commission": (lambda v: 0 <= v < 1, "must be a fraction of notional in [0, 1) (0.002 = 0.2 %)"),
            "commission_per_unit": (lambda v: v >= 0, "must be >= 0"),
            "min_commission": (lambda v: v >= 0, "must be >= 0"),
            "slippage": (lambda v: 0 <= v < 1, "must be a fraction of price in [0, 1)"),
            "slippage_steps": (lambda v: v >= 0, "must be >= 0"),
            "leverage": (lambda v: v > 0, "must be > 0"),
            "participation": (lambda v: 0 < v <= 1, "must be a fraction of bar volume in (0, 1] (0.1 = 10 %)"),
            "impact": (lambda v: v >= 0, "must be >= 0"),
        }
        for name, v in numbers.items():
            ok, why = rules[name]
            if not ok(v):
                problems.append(Problem(f"{why}, got {v:g}", field=name))
        if values["fill"] not in FILL_MODES:
            problems.append(
                Problem(f"must be one of {', '.join(FILL_MODES)}, got {values['fill']!r}", field="fill")
            )
        remainder = values.get("participation_remainder", "carry")
        if remainder not in REMAINDERS:
            problems.append(
                Problem(f"must be one of {', '.join(REMAINDERS)}, got {remainder!r}", field="participation_remainder")
            )
        elif remainder == "cancel" and values.get("participation") is None:
            problems.append(Problem("cancels what participation leaves unfilled: give participation too",
                                    field="participation_remainder"))  # fmt: skip
        if problems:
            raise InputError("bad backtest settings", problems)
        return cls(**numbers, fill=values["fill"], participation_remainder=remainder)


class BacktestSummary(BaseModel):
    """Headline numbers (money in account currency; ``max_drawdown`` a fraction <= 0 of the peak)."""

    initial_capital: float
    final_equity: float
    net_profit: float
    realized_pnl: float
    unrealized_pnl: float
    commission: float
    final_position: float
    fills: int
    round_trips: int
    max_drawdown: float
    orders: int
    rejected: int


class BacktestReport(BacktestSummary):
    """The JSON form of a :class:`BacktestResult` (``backtest --json``): the summary plus what ran."""

    strategy: str
    strategy_kind: str
    strategy_source: str | None
    parameters: dict[str, Any]
    settings: BacktestSettings
    symbol: str
    timeframe: str
    data_source: str | None
    bars: int
    start: str | None
    end: str | None
    engine_version: str


class CalendarWarning(UserWarning):
    """Several data whose bars do not line up (missing or extra bars): the run follows the documented rules
    (docs/engine-api.md, "Several series"), and ``result.calendar`` says where."""


@dataclass
class BacktestResult:
    """What one backtest produced.

    ``trades``: one row per fill (time, side +1/-1, price, volume, commission, order_id, bar,
    realized_pnl); ``equity``: one row per bar after its fills and decision (time, close, position,
    cash, equity, realized_pnl, unrealized_pnl, commission cumulative); ``orders``: one row per order.
    Times are UTC. The DataFrames are made from ``arrow`` (the engine's columns as pyarrow record
    batches "fills", "equity", "orders") on first access.
    """

    strategy: str
    strategy_kind: str
    strategy_source: str | None
    parameters: dict[str, Any]
    settings: BacktestSettings
    summary: BacktestSummary
    engine_version: str
    arrow: dict[str, pa.RecordBatch] = field(repr=False)
    symbol: str = ""
    timeframe: str = ""
    data_source: str | None = None
    strategy_spec: str | None = None
    ohlcv: Any = field(default=None, repr=False)
    #: A StockSharp-style strategy's run messages: "log" (its LogInfo/LogWarning lines), "notices"
    #: (what the API layer adapted, e.g. candle types) and "annotations" (chart calls); empty otherwise.
    messages: dict[str, list[str]] = field(default_factory=dict, repr=False)
    #: The other instruments' data of a run over several (``OhlcvData``, in the order given).
    other_data: tuple[Any, ...] = field(default=(), repr=False)
    #: The series the run is compared with (:class:`pystocksharp.benchmark.Benchmark`, ``backtest(benchmark=...)``):
    #: beta/alpha in :meth:`metrics`, the benchmark line, yearly returns and rolling Sharpe on the page. None: none.
    benchmark: Any = field(default=None, repr=False)
    #: What the strategy drew (StockSharp style: ``DrawIndicator``; Python: ``self.plot``): name -> values by UTC bar
    #: open time, on the run page.
    indicators: dict[str, pd.Series] = field(default_factory=dict, repr=False)
    #: Drawn line name -> ``"pane"`` (its own pane below the price) or ``"price"`` where the strategy says so.
    indicator_panes: dict[str, str] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def trades(self) -> pd.DataFrame:
        return self.arrow["fills"].to_pandas()

    @functools.cached_property
    def equity(self) -> pd.DataFrame:
        return self.arrow["equity"].to_pandas()

    @functools.cached_property
    def tca(self) -> pd.DataFrame:
        """Transaction cost analysis, one row per fill (:func:`pystocksharp.metrics.tca.tca_frame`): commission and
        slippage (money), cost in bps of the notional, implementation shortfall against the decision price (the
        close of the bar that placed the order) and the arrival price (the open of the fill's bar)."""
        from pystocksharp.metrics.tca import tca_frame

        bars = {str(d.symbol or ""): d.frame for d in (self.ohlcv, *self.other_data) if d is not None}
        return tca_frame(self.trades, self.arrow["costs"].to_pandas(), bars)

    def tca_summary(self) -> dict[str, float]:
        """Totals of :attr:`tca` (:func:`pystocksharp.metrics.tca.tca_summary`)."""
        from pystocksharp.metrics.tca import tca_summary

        return tca_summary(self.tca)

    @functools.cached_property
    def attribution(self) -> pd.DataFrame:
        """Per-symbol attribution, one row per symbol (:func:`pystocksharp.metrics.attribution.attribution_frame`):
        net profit (realized + unrealized - commission; the rows add up to the run's), commission, slippage,
        exposure, turnover, the long/short split of PnL and round trips."""
        return self._attribution[0]

    @functools.cached_property
    def correlation(self) -> pd.DataFrame:
        """Correlation of the symbols' per-bar PnL (:func:`pystocksharp.metrics.attribution.correlation`)."""
        return self._attribution[1]

    @functools.cached_property
    def _attribution(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        from pystocksharp.metrics.attribution import attribution_of_backtest

        return attribution_of_backtest(self)

    def attribution_report(self) -> Any:
        """:attr:`attribution` and :attr:`correlation` as the JSON model
        (:class:`pystocksharp.metrics.attribution.Attribution`, ``backtest --json`` key ``attribution``)."""
        from pystocksharp.metrics.attribution import attribution_model

        return attribution_model(self.attribution, self.correlation, initial_capital=self.summary.initial_capital,
                                 net_profit=self.summary.net_profit, bars=len(self.equity))  # fmt: skip

    @functools.cached_property
    def calendar(self) -> Any:
        """How the other instruments' bars line up with the primary's (:func:`pystocksharp.alignment.calendar_report`);
        None for a run on one series."""
        if not self.other_data or self.ohlcv is None:
            return None
        from pystocksharp.alignment import calendar_report

        return calendar_report([self.ohlcv, *self.other_data])

    @functools.cached_property
    def positions(self) -> pd.DataFrame:
        """Position per symbol after each equity row (time and one column per symbol); for a single-series run
        the ``position`` column of :attr:`equity` under the data's symbol."""
        if "positions" in self.arrow:
            return self.arrow["positions"].to_pandas()
        return pd.DataFrame({"time": self.equity["time"], self.symbol or "position": self.equity["position"]})

    @functools.cached_property
    def orders(self) -> pd.DataFrame:
        frame = self.arrow["orders"].to_pandas()
        frame["type"] = frame["type"].map(_ORDER_TYPES)
        frame["state"] = frame["state"].map(_ORDER_STATES)
        return frame

    @functools.cached_property
    def round_trips(self) -> pd.DataFrame:
        """The fills matched FIFO into round trips (:func:`pystocksharp.metrics.round_trips_frame`:
        money in account currency, ``return`` a fraction of the entry notional, ``holding_time`` s)."""
        from pystocksharp.metrics import round_trips_frame

        return round_trips_frame(self.trades)

    def metrics(
        self, *, periods_per_year: float | None = None, risk_free_rate: float = 0.0, benchmark: Any = None
    ) -> Any:
        """Every performance metric of this run (:func:`pystocksharp.metrics.compute_metrics`).

        ``periods_per_year`` P (None: inferred from the bar times), ``risk_free_rate`` per year
        (fraction), ``benchmark`` a close series for beta/alpha (None: the run's own :attr:`benchmark`, if any).
        Returns ``PerformanceMetrics``.
        """
        from pystocksharp.metrics import metrics_of_backtest

        return metrics_of_backtest(
            self, periods_per_year=periods_per_year, risk_free_rate=risk_free_rate, benchmark=benchmark
        )

    @functools.cached_property
    def stats(self) -> pd.Series:
        """The run's statistics as a labelled Series in the spirit of backtesting.py's (``Return [%]``,
        ``Buy & Hold Return [%]``, ``Sharpe Ratio``, ``Max. Drawdown [%]``, ``# Trades``, ...).

        Every value is one of :meth:`metrics` (periods per year inferred, risk-free rate 0, as
        ``performance-metrics.json``) in the unit its label names; only Buy & Hold (last close over
        first close of the data) is not a metric. ``stats.attrs["sources"]`` maps each label to its
        metric; see :func:`pystocksharp.notebook.backtest_stats` for other annualization settings.
        """
        return _notebook().backtest_stats(self, metrics=self._notebook_metrics)

    @functools.cached_property
    def _notebook_metrics(self) -> Any:
        """The metrics :attr:`stats`, the HTML summary and :meth:`plot` share (computed once)."""
        return _notebook().default_metrics(self)

    def plot(self, *, filename: str | os.PathLike[str] | None = None, show: bool = True) -> Any:
        """The run's report page (the page ``pystocksharp report`` writes: price with fills, equity,
        drawdown, monthly returns, trades, every metric), self-contained and offline, as a
        :class:`pystocksharp.notebook.ReportPage`: a notebook shows it inline, under IPython it is
        displayed (``show``), ``filename`` writes it there too (atomically)."""
        return _notebook().backtest_page(self, metrics=self._notebook_metrics, filename=filename, show=show)

    def _repr_html_(self) -> str:
        return _notebook().backtest_html(self, self.stats)

    def __repr__(self) -> str:
        return _notebook().backtest_repr(self)

    def report(self) -> BacktestReport:
        times = self.equity["time"]
        return BacktestReport(
            strategy=self.strategy,
            strategy_kind=self.strategy_kind,
            strategy_source=self.strategy_source,
            parameters=dict(self.parameters),
            settings=self.settings,
            symbol=self.symbol,
            timeframe=self.timeframe,
            data_source=self.data_source,
            bars=len(self.equity),
            start=times.iloc[0].isoformat() if len(times) else None,
            end=times.iloc[-1].isoformat() if len(times) else None,
            engine_version=self.engine_version,
            **self.summary.model_dump(),
        )

    def to_parquet(self, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
        """Writes ``trades.parquet`` and ``equity.parquet`` atomically into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = {}
        for name, frame in (("trades", self.trades), ("equity", self.equity)):
            target = out / f"{name}.parquet"
            with atomic_path(target) as tmp:
                pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
            written[name] = target
        return written


SETTING_NAMES: tuple[str, ...] = tuple(BacktestSettings.model_fields)
#: Settings of ``backtest`` only (volume participation and market impact): not in optimizations' run specs yet.
BACKTEST_ONLY_SETTINGS: frozenset[str] = frozenset({"participation", "participation_remainder", "impact"})


def backtest(
    strategy: Any = None,
    data: Any = None,
    *,
    params: Mapping[str, Any] | None = None,
    capital: float | None = None,
    commission: float | None = None,
    commission_per_unit: float | None = None,
    min_commission: float | None = None,
    slippage: float | None = None,
    slippage_steps: float | None = None,
    fill: FillMode | None = None,
    leverage: float | None = None,
    symbol: str | None = None,
    timeframe: str | None = None,
    instrument: Any = None,
    config: str | os.PathLike[str] | Any = None,
    participation: float | None = None,
    participation_remainder: Remainder | None = None,
    impact: float | None = None,
    benchmark: Any = None,
) -> BacktestResult:
    """Backtest ``strategy`` (name, ``file.py:Class``, ``File.cs:Class``, class or instance) on ``data``
    (CSV/Parquet path, ``sample:NAME``, DataFrame or loaded ``OhlcvData``).

    Several instruments: ``data={"SPX": "spx.csv", "NDX": "ndx.parquet"}`` (symbol -> data, the first is the
    primary series: ``on_bar``, ``position``, the equity rows' close); the others reach ``on_series_bar`` and
    are traded with ``buy_market(volume, symbol="NDX")``. Their bars are merged on one clock by close time;
    fills get a ``symbol`` column and the result a ``positions`` frame (one column per symbol).

    ``instrument``: the instrument's specs (:class:`pystocksharp.instruments.InstrumentSpec` or a mapping of
    price_step, volume_step, multiplier, commission, commission_per_unit; several data: symbol -> specs), over
    those of the data (docs/engine-api.md, "Instrument specs").

    Settings left as None take :class:`BacktestSettings`' defaults: capital 10,000, no
    commission or slippage, ``fill="next-open"``, leverage 1, no participation cap (``participation=0.1``: at most 10 %
    of each bar's volume, the rest ``participation_remainder="carry"`` to the next bars or ``"cancel"``led), no market
    impact (``impact=k``). ``config`` (a
    ``strategy-config.json`` path or a loaded ``StrategyConfig``) replays a saved run instead
    (see :func:`backtest_from_config`); it excludes every other argument but ``benchmark``.

    ``benchmark``: a series to compare the run with (``"sample:SPX_1d"``, a data file, a close Series, ``OhlcvData``;
    :mod:`pystocksharp.benchmark`): beta and alpha in :meth:`BacktestResult.metrics`, and on the run page the
    benchmark line, yearly returns and rolling Sharpe beside the strategy's. Loaded (and checked) before the run.

    Settings are validated before anything is loaded; unknown or bad parameters are all reported
    in one :class:`InputError` naming the known ones. A Python strategy's exception propagates
    with its traceback.
    """
    given = {
        "strategy": strategy, "data": data, "params": params, "capital": capital, "commission": commission,
        "commission_per_unit": commission_per_unit, "min_commission": min_commission, "slippage": slippage,
        "slippage_steps": slippage_steps, "fill": fill, "leverage": leverage, "symbol": symbol,
        "timeframe": timeframe, "instrument": instrument, "participation": participation,
        "participation_remainder": participation_remainder, "impact": impact,
    }  # fmt: skip
    compared = None
    if benchmark is not None:
        from pystocksharp.benchmark import load_benchmark  # noqa: PLC0415

        compared = load_benchmark(benchmark)
    if config is not None:
        conflicts = [name for name, value in given.items() if value is not None]
        if conflicts:
            raise InputError(
                "config replaces the other arguments",
                [Problem("cannot be given with config", field=name) for name in conflicts],
            )
        return _compared(backtest_from_config(config), compared)
    missing = [name for name in ("strategy", "data") if given[name] is None]
    if missing:
        raise InputError(
            "nothing to backtest",
            [Problem("required (or config=...)", field=name) for name in missing],
        )
    settings = checked_settings({name: given[name] for name in SETTING_NAMES})
    if params is not None and not isinstance(params, Mapping):
        raise InputError(
            "bad parameters",
            [
                Problem(
                    f"params must be a mapping of name -> value, got {type(params).__name__}", field="params"
                )
            ],
        )
    resolved = resolve_strategy(strategy)
    if isinstance(data, Mapping):
        loaded = with_specs(load_several(data, timeframe=timeframe), instrument)
        result = run_backtest(resolved, loaded[0], dict(params or {}), settings, others=loaded[1:])
        if result.calendar is not None and not result.calendar.aligned:
            import warnings  # noqa: PLC0415

            warnings.warn(CalendarWarning("; ".join(result.calendar.lines()) + " (see result.calendar)"), stacklevel=2)
        return _compared(result, compared)
    [ohlcv] = with_specs([load_data(data, symbol=symbol, timeframe=timeframe)], instrument)
    return _compared(run_backtest(resolved, ohlcv, dict(params or {}), settings), compared)


def _compared(result: BacktestResult, benchmark: Any) -> BacktestResult:
    """``result`` with its :attr:`BacktestResult.benchmark` (None: unchanged)."""
    return result if benchmark is None else dataclasses.replace(result, benchmark=benchmark)


def with_specs(loaded: list[Any], instrument: Any) -> list[Any]:
    """``loaded`` data with the instrument specs ``instrument`` (one spec, or symbol -> spec) over their own."""
    specs = specs_by_symbol(instrument, [str(o.symbol or "") for o in loaded])
    return [
        dataclasses.replace(o, instrument=specs[key].over(o.instrument)) if (key := str(o.symbol or "")) in specs else o
        for o in loaded
    ]


def load_several(data: Mapping[str, Any], *, timeframe: str | None = None) -> list[Any]:
    """``{symbol: data}`` loaded in order (each :func:`load_data` with that symbol); all problems at once."""
    problems: list[Problem] = []
    if not data:
        problems.append(Problem("give at least one symbol -> data", field="data"))
    for name in data:
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(f"symbol {name!r} must be a non-empty string", field="data"))
    if problems:
        raise InputError("bad data", problems)
    loaded: list[Any] = []
    for name, source in data.items():
        try:
            ohlcv = load_data(source, symbol=name, timeframe=timeframe)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        loaded.append(dataclasses.replace(ohlcv, symbol=name) if ohlcv.symbol != name else ohlcv)
    if problems:
        raise InputError("bad data", problems)
    return loaded


def checked_settings(values: Mapping[str, Any]) -> BacktestSettings:
    """:class:`BacktestSettings` from ``values``, None meaning the default (all problems at once)."""
    defaults = BacktestSettings().model_dump()
    return BacktestSettings.checked(
        **{k: defaults[k] if values.get(k) is None else values[k] for k in defaults}
    )


def backtest_from_config(config: str | os.PathLike[str] | Any) -> BacktestResult:
    """Replay the run a ``strategy-config.json`` (path or ``StrategyConfig``) describes, exactly. A folder is the
    configuration ``pystocksharp deploy FOLDER`` would write (a backtest's run folder, the best of an optimization, a
    walk-forward's selection).

    The strategy source file and the data file are checked against the sha256 the
    configuration records (a mismatch is an :class:`InputError`); a relative data or source
    path is looked up from the working directory, then beside the configuration file. Bars
    outside the configuration's ``data.start``..``data.end`` (inclusive, UTC) are dropped.
    """
    from pystocksharp.artifacts.config import backtest_arguments, load_config, locate_paths

    if isinstance(config, str | os.PathLike) and Path(config).is_dir():  # a run folder: the configuration it deploys
        from pystocksharp.artifacts.config import deploy_config  # noqa: PLC0415

        loaded = locate_paths(deploy_config(config, rank=1), base=Path(config))
    elif isinstance(config, str | os.PathLike):
        path = Path(config)
        loaded = locate_paths(load_config(path), base=path.parent)
    else:
        loaded = config
    args = backtest_arguments(loaded)
    data, symbol, timeframe = args.pop("data"), args.pop("symbol"), args.pop("timeframe")
    bindings = [loaded.data, *loaded.other_data]
    if isinstance(data, Mapping):  # several instruments, each on the bars its binding bounds
        sources = [load_data(path, symbol=sym, timeframe=b.timeframe) for (sym, path), b in zip(data.items(), bindings, strict=True)]
    else:
        sources = [load_data(data, symbol=symbol, timeframe=timeframe)]
    bound = [bounded(o, b.start, b.end) for o, b in zip(sources, bindings, strict=True)]
    loaded_data = with_specs(bound, args.pop("instrument"))
    resolved = resolve_strategy(args.pop("strategy"))
    params = args.pop("params")
    return run_backtest(resolved, loaded_data[0], params, checked_settings(args), others=loaded_data[1:])


def bounded(ohlcv: Any, start: Any, end: Any) -> Any:
    """``ohlcv`` restricted to bars with ``start <= time <= end`` (None: unbounded); same object if all kept."""
    if start is None and end is None:
        return ohlcv
    index = ohlcv.frame.index
    keep = np.ones(len(index), dtype=bool)
    if start is not None:
        keep &= index >= _utc(start)
    if end is not None:
        keep &= index <= _utc(end)
    if keep.all():
        return ohlcv
    if not keep.any():
        raise InputError(
            "no bars in the configured date range",
            [Problem(f"data has no bar between {start} and {end}", field="data.start")],
        )
    return dataclasses.replace(ohlcv, frame=ohlcv.frame[keep])


def load_data(data: Any, *, symbol: str | None = None, timeframe: str | None = None) -> Any:
    """``data`` as validated ``OhlcvData`` (``pystocksharp.data.load_ohlcv``); OhlcvData passes through. A mapping
    of several instruments is for :func:`backtest` only (an :class:`InputError` here)."""
    if hasattr(data, "frame") and hasattr(data, "symbol") and hasattr(data, "timeframe"):
        return data
    if isinstance(data, Mapping):
        raise InputError(
            "several instruments are not supported here yet",
            [Problem(f"give one data, not {{{', '.join(map(repr, data))}}}: only backtest() and "
                     "`pystocksharp backtest` run several instruments for now", field="data")],
        )  # fmt: skip
    from pystocksharp.data import load_ohlcv

    return load_ohlcv(data, symbol=symbol, timeframe=timeframe)


def run_backtest(
    resolved: ResolvedStrategy,
    ohlcv: Any,
    params: Mapping[str, Any],
    settings: BacktestSettings,
    *,
    others: Sequence[Any] = (),
) -> BacktestResult:
    """Runs an already resolved strategy on loaded data (the engine part of :func:`backtest`); ``others``:
    more instruments' data, run on one clock with ``ohlcv`` as the primary series."""
    from pystocksharp import bridge

    if others and resolved.runs_on_targets:
        raise InputError(
            "a vectorized strategy trades one instrument",
            [Problem(f"{resolved.spec} gives target positions for one series; give one data", field="data")],
        )
    frame: pd.DataFrame = ohlcv.frame
    times = np.ascontiguousarray(frame.index.as_unit("ns").asi8, dtype=np.int64)
    cols = [
        np.ascontiguousarray(frame[c].to_numpy(dtype=np.float64))
        for c in ("open", "high", "low", "close", "volume")
    ]
    series = bridge.with_instrument_specs(
        bridge.candle_series_from_arrays(
            times, *cols, symbol=ohlcv.symbol or "", timeframe=ohlcv.timeframe or "", price_step=ohlcv.price_step
        ),
        getattr(ohlcv, "instrument", None),
    )
    net_settings = bridge.emulation_settings(**settings.model_dump())
    inst = resolved.new()
    if resolved.runs_on_targets:
        inst.set_params(params)
        parameters = inst.param_values
        net_result = bridge.run_targets(series, inst.targets(frame), net_settings, weights=inst.sizing == "weights")
    else:
        bridge.set_parameters(inst, params)
        parameters = {p.name: p.value for p in bridge.strategy_parameters(inst)}
        if resolved.kind == "python":
            inst._psx_source = (times, *cols)  # the candle arrays the strategy sees, without a copy back
        if others:
            extra = [
                bridge.with_instrument_specs(
                    bridge.candle_series(o.frame, symbol=o.symbol, timeframe=o.timeframe or "", price_step=o.price_step),
                    getattr(o, "instrument", None),
                )
                for o in others
            ]
            net_result = bridge.run_series(inst, [series, *extra], net_settings)
        else:
            net_result = bridge.run(inst, series, net_settings)
    messages = {} if resolved.runs_on_targets else bridge.hosted_messages(inst)
    drawn = [] if resolved.runs_on_targets else bridge.drawn_indicators(inst)
    if resolved.kind == "python" and hasattr(inst, "plotted_lines"):
        drawn += inst.plotted_lines()
    batches = with_multiplier_column(bridge.result_batches(net_result), [ohlcv, *(others or ())])
    summary = BacktestSummary(**bridge.result_summary(net_result))
    return BacktestResult(
        strategy=resolved.name,
        strategy_kind=resolved.kind,
        strategy_source=resolved.source,
        parameters=parameters,
        settings=settings,
        summary=summary,
        engine_version=bridge.engine_version(),
        symbol=str(ohlcv.symbol or ""),
        timeframe=str(ohlcv.timeframe or ""),
        data_source=None if getattr(ohlcv, "source_path", None) is None else str(ohlcv.source_path),
        arrow=batches,
        strategy_spec=resolved.spec,
        ohlcv=ohlcv,
        messages=messages,
        other_data=tuple(others),
        indicators={d["name"]: indicator_series(d) for d in drawn},
        indicator_panes={d["name"]: d["pane"] for d in drawn if d["pane"] is not None},
    )


def indicator_series(line: Mapping[str, Any]) -> pd.Series:
    """A drawn indicator line (:func:`pystocksharp.bridge.drawn_indicators`) as a Series by UTC bar open time."""
    index = pd.DatetimeIndex(np.asarray(line["time_ns"], dtype=np.int64).view("datetime64[ns]"), name="time").tz_localize("UTC")
    return pd.Series(np.asarray(line["value"], dtype=float), index=index, name=line["name"])


def with_multiplier_column(batches: dict[str, pa.RecordBatch], data: Sequence[Any]) -> dict[str, pa.RecordBatch]:
    """``batches`` whose "fills" get a ``multiplier`` column (the fill's instrument's contract multiplier) when an
    instrument of ``data`` has one other than 1, so that what reads fills (round trips, TCA) values them in money."""
    specs = {str(d.symbol or ""): getattr(d, "instrument", None) for d in data}  # optimizer workers' data: none
    multipliers = {sym: spec.multiplier for sym, spec in specs.items()
                   if spec is not None and spec.multiplier not in (None, 1.0)}  # fmt: skip
    fills = batches.get("fills")
    if not multipliers or fills is None:
        return batches
    if "symbol" in fills.schema.names:
        symbols = fills.column("symbol").to_pylist()
    else:
        symbols = [str(data[0].symbol or "")] * fills.num_rows
    column = pa.array([multipliers.get(str(sym), 1.0) for sym in symbols], type=pa.float64())
    return {**batches, "fills": fills.append_column("multiplier", column)}


def _notebook() -> types.ModuleType:
    """:mod:`pystocksharp.notebook`, imported on first display (its report templates and artifacts code
    would only slow down every command's start)."""
    from pystocksharp import notebook  # noqa: PLC0415

    return notebook


def _utc(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tz is None else stamp.tz_convert("UTC")


class _CallableModule(types.ModuleType):
    """``pystocksharp.backtest`` is both this module and the function: once the submodule is imported,
    Python binds the package attribute to the module, so the module forwards calls to :func:`backtest`."""

    def __call__(self, *args: Any, **kwargs: Any) -> BacktestResult:
        return backtest(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
