"""Report inputs: plain data (pandas/numpy), never the engine.

:class:`RunReport` describes one backtest (one parameter combination) and
:class:`SummaryReport` a whole run (all combinations, optionally validation results).
Build them from artifacts (:func:`pystocksharp.reports.build.build_reports`) or by hand.
Conventions: times are UTC (tz-aware, naive-as-UTC, or int64 nanoseconds since the
epoch); returns, drawdowns and rates are fractions (0.12 = 12%, drawdowns <= 0);
money is in the account currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.errors import InputError, Problem

CANDLE_COLUMNS = ("time", "open", "high", "low", "close", "volume")
EQUITY_COLUMNS = ("time", "equity")
ROUND_TRIP_COLUMNS = (
    "entry_time",
    "exit_time",
    "side",
    "volume",
    "entry_price",
    "exit_price",
    "pnl",
    "return",
)
FILL_COLUMNS = ("time", "side", "price", "volume")
COST_KEYS = ("fills", "commission", "slippage", "cost", "notional", "cost_bps")
CAPACITY_REQUIRED = ("multiplier", "net_profit", "sharpe_ratio")
DRAWDOWN_PERIOD_COLUMNS = ("peak", "trough", "recovery", "depth")
WALK_FORWARD_COLUMNS = (
    "window",
    "train_start",
    "train_end",
    "test_start",
    "test_end",
    "is_value",
    "oos_value",
)
INDICATOR_KINDS = ("price", "pane")
"""Where an indicator is drawn: ``"price"`` over the candles (on the price scale), ``"pane"`` in its own pane
below the price (its own scale)."""
OVERLAY_MAX_DISTANCE = 0.25
"""An indicator without an explicit kind is drawn over the price when the median of ``|value / close - 1|`` over
its bars is at most this (it tracks the price: SMA, EMA, Bollinger bands, VWAP); otherwise in its own pane
(RSI 0..100 beside a 500 price, MACD around 0)."""
SMALL_SAMPLE_TRADES = 30
"""Fewer trades than this: the trade-return histogram, the Monte Carlo charts and the walk-forward verdict carry a
warning that the figures rest on too few trades to be reliable."""
SMALL_WINDOW_TRADES = 5
"""A walk-forward test window with fewer trades than this makes the verdict carry the small-sample warning."""
FAN_COLUMNS = ("step", "p05", "p25", "p50", "p75", "p95")
VERDICT_COLUMNS = ("check", "value", "threshold", "status")


def to_utc_ns(values: Any) -> np.ndarray:
    """Times as int64 nanoseconds since the Unix epoch, UTC.

    Accepts int64 nanoseconds, datetime64 (naive taken as UTC) and tz-aware timestamps.
    Missing times (NaT) become the int64 minimum; check with :func:`pandas.isna` first.
    """
    series = pd.Series(values)
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype=np.int64)
    converted = pd.to_datetime(series, utc=True)
    return converted.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").astype(np.int64)


def _missing_columns(frame: Any, required: Sequence[str], name: str) -> list[Problem]:
    if not isinstance(frame, pd.DataFrame):
        return [Problem(f"must be a pandas DataFrame, got {type(frame).__name__}", field=name)]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        return [Problem(f"missing columns {missing} (has {list(frame.columns)})", field=name)]
    return []


def _time_problems(frame: pd.DataFrame, column: str, name: str) -> list[Problem]:
    if column not in frame.columns or frame.empty:
        return []
    try:
        ns = to_utc_ns(frame[column])
    except (ValueError, TypeError) as exc:
        return [Problem(f"column '{column}' is not a time: {exc}", field=name)]
    if frame[column].isna().any():
        return [Problem(f"column '{column}' has missing times", field=name)]
    if np.any(np.diff(ns) < 0):
        return [Problem(f"column '{column}' is not in ascending time order", field=name)]
    return []


#: The instrument's settings a run page lists beside the costs (:attr:`RunReport.settings`), as the data's
#: ``InstrumentSpec`` and a configuration's ``data.instrument`` name them.
INSTRUMENT_SETTINGS = ("price_step", "volume_step", "multiplier")


@dataclass
class RunReport:
    """Everything the page of one backtest shows.

    - ``candles``: time, open, high, low, close, volume (ascending time).
    - ``equity``: time, equity (account value in currency), optional position and
      drawdown (fraction <= 0 from the running peak).
    - ``round_trips``: entry_time, exit_time, side (+1/-1 or "long"/"short"), volume,
      entry_price, exit_price, pnl (currency, after commission), return (fraction);
      extra columns (e.g. commission) are shown too.
    - ``metrics``: name -> value (fractions for returns/rates/drawdowns, currency for
      money, seconds for durations); ``metric_notes`` give reasons for null values.
    - ``indicators``: name -> Series indexed by time; ``indicator_panes`` (optional) name -> ``"price"`` (drawn
      over the candles) or ``"pane"`` (its own pane below the price). Without a kind the rule of
      :func:`indicator_kind` decides (an indicator that tracks the close is an overlay).
    - ``drawdown_periods``: peak, trough, recovery (NaT if not recovered), depth
      (fraction <= 0), optional length (bars); derived from equity when omitted.
    - ``monthly_returns``: index year, columns 1..12, fractions; derived when omitted.
    """

    strategy: str
    candles: pd.DataFrame
    equity: pd.DataFrame
    round_trips: pd.DataFrame
    metrics: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    symbol: str = ""
    timeframe: str = ""
    engine_version: str = ""
    indicators: Mapping[str, pd.Series] = field(default_factory=dict)
    indicator_panes: Mapping[str, str] = field(default_factory=dict)
    """Indicator name -> ``"price"`` (over the candles) or ``"pane"`` (own pane below the price); names left out
    are placed by :func:`indicator_kind`."""
    drawdown_periods: pd.DataFrame | None = None
    monthly_returns: pd.DataFrame | None = None
    metric_notes: Mapping[str, str] = field(default_factory=dict)
    fills: pd.DataFrame | None = None
    """Engine fills (time, side +1/-1, price, volume): chart markers when there are no round trips."""
    title: str | None = None
    combination_id: str | None = None
    summary_page: str | None = None
    """Path of the run's summary page, linked from this page when given."""
    costs: Mapping[str, float] | None = None
    """Trading costs (:func:`pystocksharp.metrics.tca.tca_summary`: fills, commission, slippage, cost, notional,
    cost_bps, ...): the "Trading costs" panel."""
    attribution: pd.DataFrame | None = None
    """One row per symbol (:data:`pystocksharp.metrics.attribution.ATTRIBUTION_COLUMNS`): the attribution table,
    shown with two symbols or more."""
    correlation: pd.DataFrame | None = None
    """Correlation of the symbols' per-bar PnL (symbols as index and columns): the heatmap, two symbols or more."""
    capacity: pd.DataFrame | None = None
    """The capacity curve (:data:`pystocksharp.capacity.CAPACITY_COLUMNS`, one row per cost multiplier)."""
    benchmark: np.ndarray | None = None
    """The benchmark's close at each ``equity`` row (NaN before its first bar; :mod:`pystocksharp.benchmark`): the
    benchmark line, its yearly returns and rolling Sharpe. None: the page compares with buying and holding the
    traded instrument (the equity rows' ``close``)."""
    benchmark_label: str = ""
    """The benchmark's name (its symbol)."""
    settings: Mapping[str, Any] = field(default_factory=dict)
    """The costs and settings the run used (:class:`pystocksharp.backtest.BacktestSettings` fields: capital,
    commission, commission_per_unit, min_commission, slippage, slippage_steps, fill, leverage, participation,
    participation_remainder, impact) and the instrument's (price_step, volume_step, multiplier): the "Costs and
    settings" list. Empty: not known (not shown)."""

    def __post_init__(self) -> None:
        problems = [
            *_missing_columns(self.candles, CANDLE_COLUMNS, "candles"),
            *_missing_columns(self.equity, EQUITY_COLUMNS, "equity"),
            *_missing_columns(self.round_trips, ROUND_TRIP_COLUMNS, "round_trips"),
        ]
        if isinstance(self.candles, pd.DataFrame):
            if self.candles.empty:
                problems.append(Problem("has no rows", field="candles"))
            problems += _time_problems(self.candles, "time", "candles")
        if isinstance(self.equity, pd.DataFrame):
            problems += _time_problems(self.equity, "time", "equity")
        if self.drawdown_periods is not None:
            problems += _missing_columns(self.drawdown_periods, DRAWDOWN_PERIOD_COLUMNS, "drawdown_periods")
        if self.fills is not None:
            problems += _missing_columns(self.fills, FILL_COLUMNS, "fills")
        if self.costs is not None:
            missing = [k for k in COST_KEYS if k not in self.costs]
            if missing:
                problems.append(Problem(f"missing keys {missing}", field="costs"))
        if self.benchmark is not None and isinstance(self.equity, pd.DataFrame) and len(self.benchmark) != len(self.equity):
            problems.append(Problem(f"has {len(self.benchmark)} closes for {len(self.equity)} equity rows", field="benchmark"))
        if self.attribution is not None:
            problems += _missing_columns(self.attribution, ("symbol", "net_profit"), "attribution")
        if self.capacity is not None:
            problems += _missing_columns(self.capacity, CAPACITY_REQUIRED, "capacity")
        for name, series in self.indicators.items():
            if not isinstance(series, pd.Series):
                problems.append(
                    Problem(
                        f"must be a pandas Series, got {type(series).__name__}", field=f"indicators.{name}"
                    )
                )
        for name, kind in self.indicator_panes.items():
            if name not in self.indicators:
                problems.append(Problem(f"names no indicator (has {list(self.indicators)})", field=f"indicator_panes.{name}"))
            elif kind not in INDICATOR_KINDS:
                problems.append(Problem(f"must be one of {list(INDICATOR_KINDS)}, got {kind!r}", field=f"indicator_panes.{name}"))
        if problems:
            raise InputError(f"invalid report input for strategy '{self.strategy}'", problems)


def indicator_kind(series: pd.Series, candles: pd.DataFrame) -> str:
    """``"price"`` when ``series`` tracks the close (median of ``|value / close - 1|`` at the bars both have is at
    most :data:`OVERLAY_MAX_DISTANCE`), else ``"pane"``. An indicator with no value at any bar goes to a pane."""
    s = series.dropna()
    if s.empty:
        return "pane"
    ind_ns = to_utc_ns(pd.Series(s.index))
    order = np.argsort(ind_ns, kind="stable")
    ind_ns, values = ind_ns[order], s.to_numpy(dtype=float)[order]
    bar_ns = to_utc_ns(candles["time"])
    close = candles["close"].to_numpy(dtype=float)
    pos = np.searchsorted(bar_ns, ind_ns)
    hit = pos < len(bar_ns)
    hit[hit] = bar_ns[pos[hit]] == ind_ns[hit]
    ref = close[pos[hit]]
    ok = np.isfinite(ref) & (ref != 0) & np.isfinite(values[hit])
    if not ok.any():
        return "pane"
    distance = np.abs(values[hit][ok] / ref[ok] - 1.0)
    return "price" if float(np.median(distance)) <= OVERLAY_MAX_DISTANCE else "pane"


@dataclass
class ValidationReport:
    """Validation results shown on the summary page; every part is optional.

    - ``walk_forward``: window, train_start, train_end, test_start, test_end, is_value,
      oos_value (the ``walk_forward_metric`` in sample and out of sample); optional
      ``parameters`` (the window's chosen parameters as text) and ``oos_trades`` (trades in
      its test bars).
    - ``oos_equity``: time, equity (account currency): the stitched out-of-sample curve, each
      window's test segment rebased on the previous one's end; drawn split at the windows.
    - ``monte_carlo_trades``: how many trades the Monte Carlo resampled (small-sample warning).
    - ``monte_carlo_fan``: step, p05, p25, p50, p75, p95 (equity as a multiple of the
      start, 1.0 = unchanged) per trade step; ``monte_carlo_final_returns`` and
      ``monte_carlo_max_drawdowns`` are fractions, one per simulation.
    - ``pbo``: probability of backtest overfitting (fraction); ``pbo_logits`` its logits.
    - ``verdicts``: check, value, threshold, status ("pass"/"warn"/"fail"), optional reason.
    - ``statistics``: name -> value (e.g. deflated_sharpe_ratio, walk_forward_efficiency).
    """

    walk_forward: pd.DataFrame | None = None
    walk_forward_metric: str = "sharpe_ratio"
    oos_equity: pd.DataFrame | None = None
    monte_carlo_trades: int | None = None
    monte_carlo_fan: pd.DataFrame | None = None
    monte_carlo_final_returns: Sequence[float] | np.ndarray | None = None
    monte_carlo_max_drawdowns: Sequence[float] | np.ndarray | None = None
    pbo: float | None = None
    pbo_logits: Sequence[float] | np.ndarray | None = None
    verdicts: pd.DataFrame | None = None
    statistics: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        if self.walk_forward is not None:
            problems += _missing_columns(self.walk_forward, WALK_FORWARD_COLUMNS, "walk_forward")
        if self.oos_equity is not None:
            problems += _missing_columns(self.oos_equity, EQUITY_COLUMNS, "oos_equity")
            if isinstance(self.oos_equity, pd.DataFrame):
                problems += _time_problems(self.oos_equity, "time", "oos_equity")
        if self.monte_carlo_fan is not None:
            problems += _missing_columns(self.monte_carlo_fan, FAN_COLUMNS, "monte_carlo_fan")
        if self.verdicts is not None:
            problems += _missing_columns(self.verdicts, VERDICT_COLUMNS, "verdicts")
        if problems:
            raise InputError("invalid validation report input", problems)

    @property
    def is_empty(self) -> bool:
        parts = (
            self.walk_forward,
            self.oos_equity,
            self.monte_carlo_fan,
            self.monte_carlo_final_returns,
            self.pbo_logits,
            self.verdicts,
        )
        return all(p is None for p in parts) and self.pbo is None and not self.statistics


@dataclass
class SummaryReport:
    """Everything the summary page of a run (all combinations) shows.

    ``combinations`` has one row per combination: the ``parameter_names`` columns, metric
    columns (fractions/currency as in :class:`RunReport`), and optional ``status``
    ("ok" or "failed"), ``error`` (text), ``page`` (path of the combination's page, or
    empty) and ``combination_id``. Rows are ranked by ``ranking_metric`` (higher first
    unless ``higher_is_better`` is False); the top ``top_n`` fill the ranking table.
    """

    strategy: str
    combinations: pd.DataFrame
    parameter_names: Sequence[str]
    ranking_metric: str
    higher_is_better: bool = True
    metric_columns: Sequence[str] = ()
    top_n: int = 20
    symbol: str = ""
    timeframe: str = ""
    data_range: tuple[Any, Any] | None = None
    engine_version: str = ""
    title: str | None = None
    validation: ValidationReport | None = None
    ranked: bool = False
    """True: ``combinations`` rows are already in rank order (best first), e.g. the optimizer's
    multi-criteria ranking; the table keeps that order instead of sorting by ``ranking_metric``."""

    def __post_init__(self) -> None:
        required = [*self.parameter_names, self.ranking_metric, *self.metric_columns]
        problems = _missing_columns(self.combinations, list(dict.fromkeys(required)), "combinations")
        if self.top_n < 1:
            problems.append(Problem(f"must be >= 1, got {self.top_n}", field="top_n"))
        if problems:
            raise InputError(f"invalid summary input for strategy '{self.strategy}'", problems)
