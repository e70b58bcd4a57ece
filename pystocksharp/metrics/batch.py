"""``compute_metrics_batch``: the scalar metrics of thousands of equity curves at once (numpy).

Same formulas and conventions as :func:`pystocksharp.metrics.compute_metrics` (it calls the same
kernels), vectorized across curves and processed in chunks of rows to bound memory. Undefined
values are NaN in the returned DataFrame (one row per curve).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.errors import InputError, Problem
from pystocksharp.metrics.core import infer_periods_per_year, rf_per_period, scalar_block
from pystocksharp.metrics.trades import round_trips_frame

#: Columns of :func:`compute_metrics_batch` that compare equal to ``PerformanceMetrics`` fields.
BATCH_COLUMNS = (
    "total_return", "annualized_return", "max_drawdown", "net_profit", "volatility", "sharpe_ratio",
    "sortino_ratio", "calmar_ratio", "probabilistic_sharpe_ratio", "time_under_water", "average_drawdown",
    "return_mean", "return_std", "skewness", "excess_kurtosis", "var_95", "cvar_95", "var_99", "cvar_99",
    "best_period", "worst_period", "round_trips", "win_rate", "profit_factor", "gross_profit", "gross_loss",
    "average_win", "average_loss", "largest_win", "largest_loss", "expectancy", "payoff_ratio", "sqn",
    "max_consecutive_wins", "max_consecutive_losses",
)  # fmt: skip


def pnl_matrix(round_trip_pnls: Any, n_curves: int) -> np.ndarray:
    """Net round-trip PnLs as an (n_curves x max trips) array, NaN-padded on the right.

    Accepts such an array, or a sequence (one item per curve) of 1-D PnL arrays or fills frames
    (matched FIFO by :func:`pystocksharp.metrics.round_trips_frame`).
    """
    if round_trip_pnls is None:
        return np.full((n_curves, 0), np.nan)
    if isinstance(round_trip_pnls, np.ndarray) and round_trip_pnls.ndim == 2:
        return round_trip_pnls.astype(float, copy=False)
    rows = [
        round_trips_frame(item)["pnl"].to_numpy(float)
        if isinstance(item, pd.DataFrame)
        else np.asarray(item, float)
        for item in round_trip_pnls
    ]
    width = max((len(r) for r in rows), default=0)
    out = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def compute_metrics_batch(
    equity_matrix: np.ndarray,
    round_trip_pnls: np.ndarray | Sequence[Any] | None = None,
    *,
    initial_capital: float | np.ndarray,
    times: Sequence[Any] | pd.DatetimeIndex | None = None,
    periods_per_year: float | None = None,
    risk_free_rate: float = 0.0,
    positions: np.ndarray | None = None,
    commissions: np.ndarray | None = None,
    chunk_size: int = 1000,
) -> pd.DataFrame:
    """Scalar metrics of ``equity_matrix`` (n_curves x n_points, equity marked at each bar close).

    ``round_trip_pnls``: net PnL per round trip per curve (see :func:`pnl_matrix`);
    ``initial_capital``: scalar or one per curve; ``periods_per_year``: P, else inferred from
    ``times`` (the bars' times, shared by all curves) as in ``compute_metrics``; ``positions``
    (same shape as the equity) gives ``exposure_time``; ``commissions`` (one per curve) is copied.
    Returns one row per curve with :data:`BATCH_COLUMNS` (+ exposure_time, commissions), NaN where undefined.
    """
    eq = np.asarray(equity_matrix, dtype=float)
    problems = []
    if eq.ndim != 2 or eq.shape[1] == 0:
        problems.append(
            Problem(
                f"equity_matrix must be 2-D (curves x points) with points, got shape {eq.shape}",
                field="equity_matrix",
            )
        )
    if periods_per_year is None and times is None:
        problems.append(Problem("give periods_per_year or times", field="periods_per_year"))
    if problems:
        raise InputError("bad batch input", problems)
    n = eq.shape[0]
    capital = np.broadcast_to(np.asarray(initial_capital, dtype=float), (n,)).copy()
    p = float(periods_per_year) if periods_per_year is not None else infer_periods_per_year(times)  # type: ignore[arg-type]
    rf_p = rf_per_period(risk_free_rate, p)
    pnl = pnl_matrix(round_trip_pnls, n)
    if pnl.shape[0] != n:
        raise InputError(
            "bad batch input", [Problem(f"{pnl.shape[0]} PnL rows for {n} curves", field="round_trip_pnls")]
        )
    parts: dict[str, list[np.ndarray]] = {c: [] for c in BATCH_COLUMNS}
    for lo in range(0, n, chunk_size):
        hi = min(lo + chunk_size, n)
        block = scalar_block(eq[lo:hi], capital[lo:hi], p, rf_p, pnl[lo:hi])
        for c in BATCH_COLUMNS:
            parts[c].append(block[c])
    frame = pd.DataFrame({c: np.concatenate(v) if v else np.empty(0) for c, v in parts.items()})
    if positions is not None:
        frame["exposure_time"] = (np.asarray(positions) != 0).mean(axis=1)
    if commissions is not None:
        frame["commissions"] = np.asarray(commissions, dtype=float)
    frame["periods_per_year"] = np.nan if p is None else p
    return frame
