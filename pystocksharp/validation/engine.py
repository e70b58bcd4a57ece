"""Engine adapters: the walk-forward callables built on :func:`pystocksharp.optimization.optimize`
and :func:`pystocksharp.backtest.backtest`.

* :meth:`EngineAdapter.optimize` runs the whole grid on the bars it is given (a training window,
  or the selection period for PBO/DSR) and returns an
  :class:`~pystocksharp.validation.walkforward.OptimizationOutcome` whose ``grid`` holds every
  combination's parameters, engine summary and the equity metrics computed here from the
  engine's per-bar equity (``sharpe_ratio`` annualized, ``total_return``,
  ``annualized_return``, ``max_drawdown``) where the optimizer's table lacks them (its own
  columns, e.g. from :mod:`pystocksharp.metrics`, are kept); ranking uses that table, so
  ``sharpe_ratio`` works with or without the metrics package.
* :meth:`EngineAdapter.run` backtests fixed parameters on the bars it is given.

**Warm-up.** With ``warmup=0`` (the default) each test (or holdout) window runs cold:
indicators warm up inside the window and no position is carried over, so a slow SMA of 100
bars trades only after the first 100 test bars. With ``warmup=k`` and ``history`` (the full
frame) set, the engine runs the ``k`` bars before the window plus the window, and only the
window counts: its equity segment starts from the account value at the last warm-up bar and
only fills inside the window make trades. The strategy enters the window as a live strategy
would: indicators ready, possibly holding the position its signals on past bars opened.
Warm-up bars always precede the window, so a walk-forward window's never include holdout bars.

Trade returns (Monte Carlo input) are the engine equity's relative changes between consecutive
position-closing fills (fills with non-zero realized PnL), the last segment running to the
window's end: they compound exactly to the window's total return, costs included.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.backtest import backtest as _run_backtest
from pystocksharp.errors import InputError, Problem, PyStockSharpError, did_you_mean
from pystocksharp.optimization import optimize as engine_optimize
from pystocksharp.optimization.ranking import SortKey, parse_filters, parse_sort_keys, rank_table
from pystocksharp.validation.overfitting import returns_matrix
from pystocksharp.validation.walkforward import OptimizationOutcome, RunOutcome, equity_metrics

#: Metrics computed here from the engine's per-bar equity, added to every grid table.
EQUITY_METRICS: tuple[str, ...] = ("total_return", "annualized_return", "sharpe_ratio", "max_drawdown")


def engine_backtest(strategy: Any, data: Any, **kwargs: Any) -> Any:
    """:func:`pystocksharp.backtest.backtest` (a module-level name so tests can record calls)."""
    return _run_backtest(strategy, data, **kwargs)


def equity_series(equity_frame: pd.DataFrame) -> pd.Series:
    """The engine's per-bar ``equity`` column indexed by bar ``time`` (account currency)."""
    return pd.Series(
        equity_frame["equity"].to_numpy(dtype=float),
        index=pd.DatetimeIndex(equity_frame["time"], name="timestamp"),
        name="equity",
    )


def trade_returns(fills: pd.DataFrame, equity: pd.Series, start_equity: float) -> np.ndarray:
    """Per-trade returns (fractions): equity change between consecutive closing fills' bars, the
    last segment to the final bar. ``prod(1 + r) - 1`` equals the total return of ``equity``."""
    values = equity.to_numpy(dtype=float)
    if values.size == 0:
        return np.empty(0)
    closing = fills.loc[fills["realized_pnl"].to_numpy(dtype=float) != 0.0, "bar"].to_numpy(dtype=int)
    marks = np.unique(closing[(closing >= 0) & (closing < values.size)])
    levels = np.concatenate([[start_equity], values[marks]])
    if marks.size == 0 or marks[-1] != values.size - 1:
        levels = np.concatenate([levels, [values[-1]]])
    returns = levels[1:] / levels[:-1] - 1.0
    if marks.size == 0 or marks[-1] != values.size - 1:
        # the trailing segment (open position or flat) counts only when the equity moved
        returns = returns if returns[-1] != 0.0 else returns[:-1]
    return returns


def _finite(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


@dataclass
class GridRun:
    """A grid search on one bar range: table (one row per successful combination, with the
    equity metrics), the per-bar equity of each combination keyed by parameter hash, the
    parameter names, and ``evaluations``: every combination the search evaluated, failures
    included (the number of trials, e.g. of a deflated Sharpe ratio; 0: unknown, use the table)."""

    table: pd.DataFrame
    equities: dict[str, pd.Series]
    parameter_names: list[str]
    evaluations: int = 0

    @property
    def trials(self) -> int:
        """Combinations tried: the search's evaluations, at least the successful rows."""
        return max(self.evaluations, len(self.table))

    def returns(self) -> pd.DataFrame:
        """(bars x combinations) simple returns per bar: the CSCV input."""
        return returns_matrix(self.equities)


@dataclass
class EngineAdapter:
    """Runs one strategy's grid and single backtests in the engine with fixed costs.

    ``rank``: ranking criteria (``"sharpe_ratio:desc"``, tie-breakers after it) applied to the
    grid table, after ``filters`` (``"round_trips >= 10"``: combinations that fail one are never selected); ``search``: which combinations run (as in :func:`pystocksharp.optimization.optimize`,
    default the whole grid); ``backtest_kwargs``: capital, commission, ... as in :func:`pystocksharp.backtest`.
    ``work_dir``: where optimization run folders go (a temporary folder when None).
    ``warmup``/``history``: bars before each run's window given to the strategy first (see the
    module doc). ``calls`` records (stage, first bar time, last bar time, bars) of every
    engine call.
    """

    strategy: Any
    grid: Any
    constraints: Sequence[str] = ()
    rank: str | Sequence[str] = "sharpe_ratio:desc"
    #: Filters every selection keeps to (``"round_trips >= 10"``), as ``optimize --filter``.
    filters: Sequence[str] = ()
    workers: int | None = None
    capital: float = 10_000.0
    backtest_kwargs: Mapping[str, Any] = field(default_factory=dict)
    work_dir: str | os.PathLike[str] | None = None
    warmup: int = 0
    history: pd.DataFrame | None = None
    calls: list[tuple[str, pd.Timestamp, pd.Timestamp, int]] = field(default_factory=list)
    search: Any = "grid"
    #: Run each window's grid on this Dask scheduler (``tcp://HOST:PORT``; :mod:`pystocksharp.optimization.cluster`);
    #: None: engine threads or worker processes here. The windows' single backtests stay here.
    cluster: str | None = None
    _count: int = 0

    @property
    def sort_keys(self) -> list[SortKey]:
        return parse_sort_keys(self.rank)

    def check_names(self) -> None:
        """Every metric the ranking and the filters name is a column the grid table will have (InputError listing
        them all, with "did you mean", before anything runs); filter syntax is checked too."""
        from pystocksharp.metrics.models import PerformanceMetrics  # noqa: PLC0415
        from pystocksharp.optimization.result import RESERVED_COLUMNS  # noqa: PLC0415

        flts = parse_filters(list(self.filters))
        params = {spec.split("=", 1)[0].strip() for spec in grid_specs(self.grid)}
        columns = set(RESERVED_COLUMNS) | set(PerformanceMetrics.model_fields) | set(EQUITY_METRICS) | params
        problems = [Problem(f"unknown metric '{k.column}'{did_you_mean(k.column, columns)}", field="rank")
                    for k in self.sort_keys if k.column not in columns]  # fmt: skip
        problems += [Problem(f"unknown metric '{c}' in '{f.text}'{did_you_mean(c, columns)}", field="filter")
                     for f in flts for c in f.columns() if c not in columns]  # fmt: skip
        if problems:
            raise InputError("unknown metric names in ranking or filters", problems)

    def _out(self, label: str) -> Path:
        root = Path(self.work_dir) if self.work_dir is not None else Path(tempfile.mkdtemp(prefix="psx-wf-"))
        self._count += 1
        return root / f"{self._count:03d}-{label}"

    def run_grid(self, frame: pd.DataFrame, label: str = "grid") -> GridRun:
        """The combinations of the grid the search picks (all, by default) on ``frame`` (an OHLCV
        frame with a DatetimeIndex)."""
        self.calls.append(("optimize", frame.index[0], frame.index[-1], len(frame)))
        result = engine_optimize(
            self.strategy,
            frame,
            grid=self.grid,
            constraints=list(self.constraints),
            rank="net_profit:desc",
            search=self.search,
            workers=self.workers,
            out=self._out(label),
            capital=self.capital,
            keep_fills=True,
            fsync=False,
            cluster=self.cluster,
            **dict(self.backtest_kwargs),
        )
        names = list(result.parameter_names)
        table = result.table
        failed = table[table["error"].notna()]
        table = table[table["error"].isna()].reset_index(drop=True)
        if table.empty:
            first = failed["error"].iloc[0] if len(failed) else "the grid is empty"
            raise PyStockSharpError(f"no combination of the grid ran on {len(frame)} bars: {first}")
        equities: dict[str, pd.Series] = {}
        rows: list[dict[str, float]] = []
        for parameter_hash in table["parameter_hash"]:
            curve = equity_series(result.equity(parameter_hash))
            equities[str(parameter_hash)] = curve
            metrics = equity_metrics(curve, self.capital)
            rows.append({name: _finite(metrics.get(name)) for name in EQUITY_METRICS})
        missing = [c for c in EQUITY_METRICS if c not in table.columns]
        extra = pd.DataFrame(rows, index=table.index, dtype=float)[missing]
        table = pd.concat([table, extra], axis=1)
        return GridRun(table=table, equities=equities, parameter_names=names, evaluations=result.evaluations)

    def ranked(self, run: GridRun) -> pd.DataFrame:
        """The successful rows of a grid run that pass the filters, best first (ValueError when there are none)."""
        ranked = rank_table(run.table, self.sort_keys, parse_filters(list(self.filters)))
        if ranked.empty:
            why = f" and passed the filters ({'; '.join(self.filters)})" if self.filters else ""
            raise ValueError(f"no combination of the grid succeeded{why}")
        return ranked

    def best_row(self, run: GridRun) -> pd.Series:
        """The top-ranked row of a grid run (ValueError when none succeeded)."""
        return self.ranked(run).iloc[0]

    def outcome(self, run: GridRun) -> OptimizationOutcome:
        """The walk-forward view of a grid run: best parameters, their IS equity, the grid."""
        best = self.best_row(run)
        params = {name: _plain(best[name]) for name in run.parameter_names}
        columns = [*run.parameter_names, *[c for c in run.table.columns if c not in run.parameter_names]]
        return OptimizationOutcome(
            best_params=params,
            equity=run.equities[str(best["parameter_hash"])],
            start_equity=self.capital,
            metrics={"round_trips": _finite(best.get("round_trips"))},
            grid=run.table[columns],
        )

    def optimize(self, frame: pd.DataFrame) -> OptimizationOutcome:
        """``optimize`` callable of :func:`~pystocksharp.validation.walkforward.walk_forward`."""
        return self.outcome(self.run_grid(frame, "train"))

    def _with_warmup(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` preceded by up to ``warmup`` bars of ``history`` (bars strictly before it)."""
        if self.warmup <= 0 or self.history is None or len(frame) == 0:
            return frame
        first = int(self.history.index.searchsorted(frame.index[0], side="left"))
        lead = self.history.iloc[max(0, first - self.warmup) : first]
        return pd.concat([lead, frame]) if len(lead) else frame

    def run(self, frame: pd.DataFrame, params: dict[str, Any]) -> RunOutcome:
        """``run`` callable: one backtest of ``params`` on ``frame``, warmed up on the ``warmup``
        bars before it when set (only ``frame``'s bars count, see module doc), else cold."""
        bars = self._with_warmup(frame)
        lead = len(bars) - len(frame)
        self.calls.append(("run", bars.index[0], bars.index[-1], len(bars)))
        result = engine_backtest(
            self.strategy, bars, params=params, capital=self.capital, **dict(self.backtest_kwargs)
        )
        whole = equity_series(result.equity)
        start = float(whole.iloc[lead - 1]) if lead else self.capital
        curve = whole.iloc[lead:]
        fills = result.trades
        fills = fills[fills["bar"].to_numpy() >= lead].assign(bar=fills["bar"] - lead)
        closed = int((fills["realized_pnl"].to_numpy(dtype=float) != 0.0).sum())
        return RunOutcome(
            equity=curve,
            start_equity=start,
            metrics={"closed_trades": float(closed), "warmup_bars": float(lead)},
            trade_returns=trade_returns(fills, curve, start),
        )


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value



def grid_specs(grid: Any) -> list[str]:
    """``grid`` (a ``NAME=...`` string, a list of them or a mapping name -> values) as ``NAME=...`` specs."""
    if isinstance(grid, str):
        return [grid]
    if isinstance(grid, Mapping):
        return [f"{k}={','.join(str(v) for v in vs)}" for k, vs in grid.items()]
    if isinstance(grid, Sequence):
        return [str(g) for g in grid]
    return [repr(grid)]
