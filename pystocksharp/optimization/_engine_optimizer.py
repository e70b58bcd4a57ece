"""C# strategies through the engine's ``BruteForceOptimizer`` (engine threads, shared candles).

Exception to "only ``bridge.py`` touches .NET": this is the second module that handles .NET
objects. It never imports pythonnet or ``clr``; it reaches the engine only through
:func:`pystocksharp.bridge.engine_namespace` and the bridge's bulk helpers
(:func:`~pystocksharp.bridge.to_net_doubles`, :func:`~pystocksharp.bridge.arrow_batch`).

A batch of combinations is one ``BruteForceOptimizer.Run`` call: the grid crosses as one
row-major ``double[]`` (whole numbers arrive in C# as ``long``; texts such as time frames or enum
names by their index in a list of texts, see :class:`EngineGrid`), the candle series is shared
read-only by every engine thread, and each result's fills and per-bar equity come back as
Arrow batches through the C Data Interface. pythonnet releases the GIL during the call, so
the caller runs batches on a background thread and post-processes the previous batch (metrics,
Parquet, checkpoint) while the engine computes the next one.

When metrics are wanted but captures are not, the engine computes each run's metrics itself
(``RunMetrics``, the same conventions and names as :func:`pystocksharp.metrics.compute_metrics`)
and a batch's metrics cross as one ``double[]`` matrix: no per-bar column and no fill leaves the
engine. With captures, metrics are computed in Python from the captured columns, as before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from pystocksharp import bridge
from pystocksharp.errors import InputError, Problem
from pystocksharp.optimization.checkpoint import CaptureStore, CombinationRecord
from pystocksharp.optimization.workers import ComboTask, build_record
from pystocksharp.resolver import ResolvedStrategy


@dataclass
class EngineOutcome:
    """One combination's outcome as plain Python data (money in account currency)."""

    summary: dict[str, float | int] | None
    fills: pa.RecordBatch | None
    equity: pa.Table | None
    wall_ms: float
    error: str | None
    traceback: str | None
    #: the engine's metrics (Python field names; undefined ones left out, as ``metrics_for`` does), or None
    metrics: dict[str, float] | None = None


def net_factory(resolved: ResolvedStrategy, cache_dir: str | Path | None = None) -> Any:
    """A .NET ``Func<Strategy>`` for a catalog strategy or a compiled ``File.cs:Class``."""
    E = bridge.engine_namespace()
    if resolved.kind == "csharp" and E.StrategyCatalog.Contains(resolved.spec):
        return E.StrategyCatalog.GetFactory(resolved.spec)
    if resolved.kind == "csharp-file" and resolved.source is not None:
        from pystocksharp.resolver import strategy_cache_dir  # noqa: PLC0415

        _, _, class_name = (
            resolved.spec.rpartition(":") if not resolved.spec.lower().endswith(".cs") else ("", "", "")
        )
        cache = Path(cache_dir) if cache_dir is not None else strategy_cache_dir()
        net_type = E.CSharpStrategyCompiler.LoadStrategy(resolved.source, class_name or None, str(cache))
        return E.CSharpStrategyCompiler.CreateFactory(net_type)
    raise InputError(
        f"strategy '{resolved.spec}' cannot run in the engine's optimizer",
        [Problem("give a built-in C# name or File.cs:Class (instances are not supported)", field="strategy")],
    )


@dataclass(frozen=True)
class EngineGrid:
    """A batch of combinations as the engine's ``BruteForceOptimizer.Combinations`` takes it.

    ``values`` is the row-major float64 matrix (row: a combination, column: ``names``); a number
    (bools as 0/1, decimals as their float) is itself, anything else (a time frame such as
    ``"5m"``, an enum name, a string) is the index of its text in ``texts``, marked by
    ``text_columns``. The engine hands texts to ``SetParameter``, which converts them to the
    parameter's declared type (``DataType``, ``TimeSpan``, an enum, ``string``...).
    """

    values: np.ndarray
    texts: list[str]
    text_columns: list[bool]


def grid_values(names: Sequence[str], combos: Sequence[Mapping[str, Any]]) -> EngineGrid:
    """The :class:`EngineGrid` of ``combos``: numeric columns as numbers, any other column as texts."""
    text_columns = [
        any(not _is_number(combo[name]) for combo in combos) for name in names
    ]
    values = np.empty((len(combos), len(names)), dtype=np.float64)
    index: dict[str, int] = {}  # text -> its position in the texts (first seen first)
    for c, name in enumerate(names):
        for r, combo in enumerate(combos):
            value = combo[name]
            values[r, c] = index.setdefault(str(value), len(index)) if text_columns[c] else float(value)
    return EngineGrid(values, list(index), text_columns)


def _is_number(value: Any) -> bool:
    return isinstance(value, bool | int | float | Decimal | np.number)


@dataclass(frozen=True)
class SharedBars:
    """The per-bar columns every combination shares (the candle series' times and closes)."""

    time: pa.Array
    close: pa.Array

    @classmethod
    def from_arrays(cls, times_ns: np.ndarray, close: np.ndarray) -> SharedBars:
        times = np.ascontiguousarray(times_ns, dtype=np.int64).view("datetime64[ns]")
        return cls(
            pa.array(times, type=pa.timestamp("ns", tz="UTC")),
            pa.array(np.ascontiguousarray(close, dtype=np.float64)),
        )


#: Per-bar columns of a run other than time and close: (Arrow name, .NET EquityColumns name).
OWN_EQUITY_COLUMNS = (
    ("position", "Position"),
    ("cash", "Cash"),
    ("equity", "Equity"),
    ("realized_pnl", "RealizedPnL"),
    ("unrealized_pnl", "UnrealizedPnL"),
    ("commission", "Commission"),
)


def run_batch(
    factory: Any,
    names: Sequence[str],
    combos: Sequence[Mapping[str, Any]],
    series: Any,
    settings: Any,
    workers: int,
    bars: SharedBars | None,
    metrics: bool = False,
) -> list[EngineOutcome]:
    """Runs ``combos`` on ``workers`` engine threads; outcomes in ``combos`` order.

    With ``bars`` the engine keeps each run's per-bar columns and they cross back (fills as
    Arrow, each per-bar column with one bulk copy, time and close shared); without it only
    the summary crosses back. With ``metrics`` the engine computes each run's metrics
    (:func:`engine_metrics`); they cross back as one matrix for the batch.
    """
    E = bridge.engine_namespace()
    grid = grid_values(names, combos)
    net_combos = E.BruteForceOptimizer.Combinations(
        list(names), bridge.to_net_doubles(grid.values.ravel()), grid.texts, grid.text_columns
    )
    results = E.BruteForceOptimizer.Run(
        factory, net_combos, series, settings, int(workers), None, bars is not None, bool(metrics)
    )
    rows = _metric_rows(E, results, len(combos)) if metrics else None
    return [_outcome(r, bars, None if rows is None else rows[k]) for k, r in enumerate(results)]


def metric_names() -> tuple[str, ...]:
    """The names of the metrics the engine computes (``RunMetrics.Names``, Python's field names)."""
    global _METRIC_NAMES
    if _METRIC_NAMES is None:
        _METRIC_NAMES = tuple(str(n) for n in bridge.engine_namespace().RunMetrics.Names)
    return _METRIC_NAMES


_METRIC_NAMES: tuple[str, ...] | None = None


def metrics_dict(values: np.ndarray) -> dict[str, float]:
    """One run's engine metrics by name, NaN (undefined) left out: the dict ``metrics_for`` makes of
    :func:`pystocksharp.metrics.compute_metrics` (which has them as None and leaves them out)."""
    return {n: float(v) for n, v in zip(metric_names(), values.tolist(), strict=True) if math.isfinite(v)}


def _metric_rows(E: Any, results: Any, count: int) -> list[dict[str, float]]:
    """Every result's engine metrics, copied from the engine as one matrix."""
    matrix = bridge.to_numpy(E.BruteForceOptimizer.MetricMatrix(results)).reshape(count, len(metric_names()))
    return [metrics_dict(row) for row in matrix]


def engine_metrics(result: Any) -> dict[str, float]:
    """The engine's metrics of one .NET ``BacktestResult`` (with its per-bar capture or equity tape)."""
    E = bridge.engine_namespace()
    return metrics_dict(bridge.to_numpy(E.RunMetrics.Values(result)))


@dataclass(frozen=True)
class EngineRun:
    """What every batch of one run shares in the engine, built once per run (or once per cluster worker):
    the candle series, the emulation settings, the strategy factory, the shared bars when per-bar columns
    are kept, and whether the engine computes the metrics."""

    factory: Any
    series: Any
    settings: Any
    bars: SharedBars | None
    metrics: bool = False

    @classmethod
    def build(
        cls,
        resolved: ResolvedStrategy,
        frame: pd.DataFrame,
        *,
        symbol: str,
        timeframe: str,
        price_step: float,
        settings: Mapping[str, Any],
        capture: bool,
        metrics: bool = False,
    ) -> EngineRun:
        """``capture``: keep each run's fills and per-bar columns (for the capture store; metrics are then
        computed from them in Python, as before); ``metrics`` without ``capture``: the engine computes each
        run's metrics and nothing per bar crosses to Python."""
        series = bridge.candle_series(frame, symbol=symbol, timeframe=timeframe, price_step=price_step)
        net_settings = bridge.emulation_settings(**settings)
        factory = net_factory(resolved)
        times = frame.index.as_unit("ns").asi8
        bars = SharedBars.from_arrays(times, frame["close"].to_numpy(dtype=np.float64)) if capture else None
        return cls(factory, series, net_settings, bars, metrics=metrics and not capture)

    def run(
        self, names: Sequence[str], combos: Sequence[Mapping[str, Any]], threads: int
    ) -> list[EngineOutcome]:
        """:func:`run_batch` on this run's candles, settings and strategy."""
        return run_batch(
            self.factory, names, combos, self.series, self.settings, threads, self.bars, self.metrics
        )


def outcome_record(
    task: ComboTask, outcome: EngineOutcome, *, store: CaptureStore | None, capital: float, with_metrics: bool
) -> CombinationRecord:
    """The record of one engine outcome: metrics, captures (into ``store``) and the record itself."""
    return build_record(
        task,
        summary=outcome.summary,
        fills=outcome.fills,
        equity=outcome.equity,
        wall_ms=outcome.wall_ms,
        error=outcome.error,
        trace=outcome.traceback,
        store=store,
        capital=capital,
        with_metrics=with_metrics,
        engine_metrics=outcome.metrics,
    )


def _equity_table(result: Any, bars: SharedBars) -> pa.Table:
    columns = result.Equity
    arrays: dict[str, pa.Array] = {"time": bars.time, "close": bars.close}
    for name, net_name in OWN_EQUITY_COLUMNS:
        arrays[name] = pa.array(bridge.to_numpy(getattr(columns, net_name)))
    return pa.table(arrays)


def _outcome(r: Any, bars: SharedBars | None, metrics: dict[str, float] | None = None) -> EngineOutcome:
    wall_ms = float(r.WallTimeMs)
    if r.Error is not None:
        return EngineOutcome(None, None, None, wall_ms, str(r.Error), str(r.ErrorStackTrace or ""))
    summary: dict[str, float | int] = {
        "net_profit": float(r.NetProfit),
        "final_equity": float(r.FinalEquity),
        "realized_pnl": float(r.RealizedPnL),
        "commission": float(r.Commission),
        "round_trips": int(r.RoundTrips),
        "fill_count": int(r.FillCount),
        "max_drawdown": float(r.MaxDrawdown),
    }
    fills = equity = None
    if r.Result is not None and bars is not None:
        fills = bridge.arrow_batch(r.Result.FillsToArrow())
        equity = _equity_table(r.Result, bars)
    return EngineOutcome(summary, fills, equity, wall_ms, None, None, metrics)
