"""Walk-forward analysis, engine-agnostic: optimize on each training window, run the chosen
parameters on the following test window, stitch the out-of-sample (OOS) segments.

The engine layer supplies two callables:

* ``optimize(train_frame) -> OptimizationOutcome``: the best parameters on the training bars,
  their in-sample (IS) equity curve and, optionally, the whole IS grid table (one row per
  combination: parameter columns and the ranking metric column);
* ``run(test_frame, params) -> RunOutcome``: the equity curve of ``params`` on the test bars.

Both are wrapped in the partitions' :class:`~pystocksharp.validation.partitions.HoldoutGuard`:
a frame reaching the holdout raises ``HoldoutAccessError``. Equity is account value per bar
(currency); returns are fractions. Annualization uses the bars' calendar span (365.25-day
years) unless ``periods_per_year`` is given (required for frames without bar times).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.optimization.ranking import SortKey, parse_sort_keys
from pystocksharp.validation.models import HoldoutCheck, ParameterStability, WalkForwardResult, WindowResult
from pystocksharp.validation.partitions import Partitions, Window

_YEAR = pd.Timedelta(days=365.25)


@dataclass
class OptimizationOutcome:
    """What the optimizer returns for one training window.

    ``equity``: IS equity per training bar of the best parameters; ``start_equity``: account
    value before the first bar (default: the first equity value); ``grid``: optional IS table of
    every combination (parameter columns + the ranking metric) for the plateau check.
    """

    best_params: dict[str, Any]
    equity: pd.Series
    start_equity: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    grid: pd.DataFrame | None = None


@dataclass
class RunOutcome:
    """What one run on a test (or holdout) window returns: equity per bar and engine metrics."""

    equity: pd.Series
    start_equity: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    trade_returns: np.ndarray | None = None


Optimize = Callable[[pd.DataFrame], OptimizationOutcome]
Run = Callable[[pd.DataFrame, dict[str, Any]], RunOutcome]


def _years(equity: pd.Series, periods_per_year: float | None) -> float | None:
    """Span of ``equity`` in years: bars / periods_per_year, else calendar span plus one bar."""
    n = len(equity)
    if periods_per_year is not None:
        return n / periods_per_year
    index = equity.index
    if not isinstance(index, pd.DatetimeIndex) or n < 2:
        return None
    spacing = pd.Series(index).diff().median()
    return float((index[-1] - index[0] + spacing) / _YEAR)


def annualized_return(total_return: float, years: float | None) -> float | None:
    """``(1 + R) ** (1 / years) - 1``; -1 when the account is wiped out; None without a span."""
    if years is None or years <= 0:
        return None
    growth = 1.0 + total_return
    return growth ** (1.0 / years) - 1.0 if growth > 0 else -1.0


def equity_metrics(
    equity: pd.Series, start_equity: float | None = None, periods_per_year: float | None = None
) -> dict[str, float | None]:
    """total_return, annualized_return, max_drawdown (<= 0, peak starting at the start equity),
    sharpe_ratio (annualized, per-bar returns x sqrt(bars per year); None without a span), bars."""
    values = equity.to_numpy(dtype=float)
    if values.size == 0:
        raise ValueError("empty equity curve")
    start = float(start_equity) if start_equity is not None else float(values[0])
    total = values[-1] / start - 1.0
    years = _years(equity, periods_per_year)
    peak = np.maximum(np.maximum.accumulate(values), start)
    returns = np.diff(np.concatenate([[start], values])) / np.concatenate([[start], values[:-1]])
    std = returns.std(ddof=1) if returns.size > 1 else 0.0
    per_year = values.size / years if years else None
    sharpe = float(returns.mean() / std * math.sqrt(per_year)) if std > 0 and per_year else None
    return {
        "total_return": float(total),
        "annualized_return": annualized_return(total, years),
        "max_drawdown": float(min((values / peak - 1.0).min(), 0.0)),
        "sharpe_ratio": sharpe,
        "bars": float(values.size),
    }


def stitch_equity(segments: list[tuple[pd.Series, float | None]]) -> pd.Series:
    """One OOS curve from (equity, start_equity) segments: each segment is rebased to start from
    the previous segment's end value; the curve starts at the first segment's start equity."""
    pieces: list[pd.Series] = []
    level: float | None = None
    for equity, start in segments:
        base = float(start) if start is not None else float(equity.iloc[0])
        level = base if level is None else level
        rebased = equity.astype(float) * (level / base)
        pieces.append(rebased)
        level = float(rebased.iloc[-1])
    if not pieces:
        return pd.Series(dtype=float)
    return pd.concat(pieces)


def plateau(grid: pd.DataFrame | None, params: Mapping[str, Any], key: SortKey) -> tuple[float | None, int]:
    """(mean ranking metric of the grid neighbours / the chosen value, neighbour count).

    Neighbours differ from the chosen parameters by at most one grid step in every numeric
    parameter (not all zero) and equal them in non-numeric ones. For a descending key the ratio
    is ``mean(neighbours) / chosen`` (1 = flat plateau, << 1 = isolated peak), for an ascending
    key ``chosen / mean(neighbours)``; None when the chosen or mean value is <= 0 or missing."""
    if grid is None or key.column not in grid.columns or any(p not in grid.columns for p in params):
        return None, 0
    mask_self = np.ones(len(grid), dtype=bool)
    mask_near = np.ones(len(grid), dtype=bool)
    for name, value in params.items():
        column = grid[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            levels = np.sort(column.dropna().unique())
            where = np.searchsorted(levels, value)
            if where >= len(levels) or levels[where] != value:
                return None, 0
            position = np.searchsorted(levels, column.to_numpy())
            mask_self &= position == where
            mask_near &= np.abs(position - where) <= 1
        else:
            same = (column == value).to_numpy()
            mask_self &= same
            mask_near &= same
    metric = pd.to_numeric(grid[key.column], errors="coerce").to_numpy(dtype=float)
    chosen = metric[mask_self]
    neighbours = metric[mask_near & ~mask_self]
    neighbours = neighbours[np.isfinite(neighbours)]
    if chosen.size == 0 or neighbours.size == 0 or not np.isfinite(chosen[0]):
        return None, int(neighbours.size)
    mean = float(neighbours.mean())
    top, bottom = (mean, float(chosen[0])) if key.descending else (float(chosen[0]), mean)
    return (top / bottom if bottom > 0 and top > 0 else None), int(neighbours.size)


def parameter_movement(chosen: list[dict[str, Any]], grids: list[pd.DataFrame | None]) -> dict[str, float]:
    """Per parameter: mean |change| between consecutive windows divided by the parameter's
    range in the grids (or in the chosen values without grids); non-numeric parameters: share
    of transitions where the value changed. Empty with fewer than two windows."""
    if len(chosen) < 2:
        return {}
    out: dict[str, float] = {}
    for name in chosen[0]:
        values = [c.get(name) for c in chosen]
        numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) == len(values):
            pool = [float(v) for g in grids if g is not None and name in g.columns for v in g[name].dropna()]
            pool = pool or numbers
            span = max(pool) - min(pool)
            steps = np.abs(np.diff(np.asarray(numbers)))
            out[name] = float(steps.mean() / span) if span > 0 else 0.0
        else:
            out[name] = float(np.mean([a != b for a, b in zip(values, values[1:], strict=False)]))
    return out


def _window_result(
    partitions: Partitions,
    window: Window,
    outcome: OptimizationOutcome,
    oos: RunOutcome,
    key: SortKey,
    periods_per_year: float | None,
) -> WindowResult:
    is_m = equity_metrics(outcome.equity, outcome.start_equity, periods_per_year)
    oos_m = equity_metrics(oos.equity, oos.start_equity, periods_per_year)
    is_ann, oos_ann = is_m["annualized_return"], oos_m["annualized_return"]
    ratio, count = plateau(outcome.grid, outcome.best_params, key)
    return WindowResult(
        window=window.index,
        train_start=partitions.label(window.train.start),
        train_end=partitions.label(window.train.stop - 1),
        test_start=partitions.label(window.test.start),
        test_end=partitions.label(window.test.stop - 1),
        train_bars=window.train_bars,
        test_bars=window.test_bars,
        parameters=dict(outcome.best_params),
        is_metrics={**is_m, **outcome.metrics},
        oos_metrics={**oos_m, **oos.metrics},
        is_return=float(is_m["total_return"] or 0.0),
        oos_return=float(oos_m["total_return"] or 0.0),
        is_annualized_return=is_ann,
        oos_annualized_return=oos_ann,
        efficiency=oos_ann / is_ann if is_ann is not None and oos_ann is not None and is_ann > 0 else None,
        plateau_ratio=ratio,
        neighbours=count,
    )


def walk_forward(
    frame: pd.DataFrame,
    partitions: Partitions,
    *,
    optimize: Optimize,
    run: Run,
    rank: str | SortKey = "sharpe_ratio:desc",
    periods_per_year: float | None = None,
) -> WalkForwardResult:
    """Optimize each window's training bars, run the best parameters on its test bars, stitch.

    ``rank`` names the grid column for the plateau check (the optimizer itself ranks). Walk-
    forward efficiency = annualized return of the stitched OOS curve / mean annualized IS return
    of the windows (None when that mean is <= 0: efficiency of a losing IS is meaningless).
    """
    key = rank if isinstance(rank, SortKey) else parse_sort_keys(rank)[0]
    guard = partitions.guard(frame)
    guarded_optimize = guard.wrap(optimize, "optimize")
    guarded_run = guard.wrap(run, "walk-forward test run")
    results: list[WindowResult] = []
    segments: list[tuple[pd.Series, float | None]] = []
    grids: list[pd.DataFrame | None] = []
    for window in partitions.windows:
        outcome = guarded_optimize(partitions.train_data(frame, window))
        oos = guarded_run(partitions.test_data(frame, window), dict(outcome.best_params))
        results.append(_window_result(partitions, window, outcome, oos, key, periods_per_year))
        segments.append((oos.equity, oos.start_equity))
        grids.append(outcome.grid)
    stitched = stitch_equity(segments)
    first_start = segments[0][1] if segments else None
    oos_metrics = equity_metrics(stitched, first_start, periods_per_year) if len(stitched) else {}
    is_ann = [w.is_annualized_return for w in results if w.is_annualized_return is not None]
    mean_is = float(np.mean(is_ann)) if is_ann else None
    oos_ann = oos_metrics.get("annualized_return")
    movement = parameter_movement([w.parameters for w in results], grids)
    plateaus = [w.plateau_ratio for w in results if w.plateau_ratio is not None]
    return WalkForwardResult(
        windows=results,
        anchored=partitions.anchored,
        rank=str(key),
        walk_forward_efficiency=oos_ann / mean_is
        if oos_ann is not None and mean_is and mean_is > 0
        else None,
        oos_metrics=oos_metrics,
        is_annualized_return=mean_is,
        stability=ParameterStability(
            movement=movement,
            mean_movement=float(np.mean(list(movement.values()))) if movement else None,
            mean_plateau_ratio=float(np.mean(plateaus)) if plateaus else None,
        ),
        oos_equity=stitched,
    )


def run_holdout(
    frame: pd.DataFrame,
    partitions: Partitions,
    params: dict[str, Any],
    *,
    run: Run,
    evaluate: Callable[[Mapping[str, float | None]], HoldoutCheck],
    periods_per_year: float | None = None,
) -> HoldoutCheck:
    """Run the chosen ``params`` once on the holdout bars and judge the metrics with ``evaluate``
    (e.g. ``functools.partial(verdict.evaluate_holdout, thresholds=...)``)."""
    outcome = run(partitions.holdout_data(frame), dict(params))
    metrics = {**equity_metrics(outcome.equity, outcome.start_equity, periods_per_year), **outcome.metrics}
    return evaluate(metrics)


def window_table(result: WalkForwardResult, metric: str = "sharpe_ratio") -> pd.DataFrame:
    """One row per window for the walk-forward timeline: window, train_start, train_end,
    test_start, test_end (inclusive bar times), is_value, oos_value (``metric`` in and out of
    sample; NaN when absent), efficiency, parameters (the chosen ones as ``name=value, ...``),
    oos_trades (trades closed in the test bars, NaN when the run did not count them)."""
    rows = [
        {
            "window": w.window,
            "train_start": w.train_start,
            "train_end": w.train_end,
            "test_start": w.test_start,
            "test_end": w.test_end,
            "is_value": w.is_metrics.get(metric),
            "oos_value": w.oos_metrics.get(metric),
            "efficiency": w.efficiency,
            "parameters": ", ".join(f"{k}={v}" for k, v in w.parameters.items()),
            "oos_trades": w.oos_metrics.get("closed_trades"),
        }
        for w in result.windows
    ]
    columns = [
        "window",
        "train_start",
        "train_end",
        "test_start",
        "test_end",
        "is_value",
        "oos_value",
        "efficiency",
        "parameters",
        "oos_trades",
    ]
    return pd.DataFrame(rows, columns=columns).astype(
        {"is_value": float, "oos_value": float, "efficiency": float, "oos_trades": float}
    )


def oos_equity_frame(result: WalkForwardResult) -> pd.DataFrame:
    """The stitched OOS equity as a frame: time (bar time), equity (account currency)."""
    series = result.oos_equity
    return pd.DataFrame({"time": series.index, "equity": series.to_numpy(dtype=float)})
