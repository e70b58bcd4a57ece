"""Display series derived from an equity curve when the report input lacks them.

Only used to fill in a page; the metrics module owns the reported figures. Fractions:
a drawdown of -0.1 is 10% below the running peak; a monthly return of 0.02 is +2%.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.metrics.kernels import ZERO_STD


def drawdown_series(equity: np.ndarray) -> np.ndarray:
    """Drawdown at each point: equity / running peak - 1 (fractions <= 0)."""
    equity = np.asarray(equity, dtype=float)
    peak = np.maximum.accumulate(equity)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, equity / peak - 1.0, 0.0)
    return dd


def drawdown_periods(times: pd.Series, equity: np.ndarray, top: int = 10) -> pd.DataFrame:
    """The ``top`` deepest drawdown periods of an equity curve.

    Columns: peak (time of the peak), trough (time of the lowest point), recovery (first
    time back at the peak, NaT if not recovered), depth (fraction <= 0), length (bars
    from peak to recovery, or to the last bar if not recovered). Deepest first.
    """
    dd = drawdown_series(equity)
    times = pd.Series(pd.to_datetime(times, utc=True)).reset_index(drop=True)
    under = dd < 0
    rows = []
    i, n = 0, len(dd)
    while i < n:
        if not under[i]:
            i += 1
            continue
        start = i
        while i < n and under[i]:
            i += 1
        trough = start + int(np.argmin(dd[start:i]))
        recovered = i < n
        rows.append(
            {
                "peak": times[start - 1] if start > 0 else times[start],
                "trough": times[trough],
                "recovery": times[i] if recovered else pd.NaT,
                "depth": float(dd[trough]),
                "length": (i if recovered else n - 1) - (start - 1 if start > 0 else start),
            }
        )
    frame = pd.DataFrame(rows, columns=["peak", "trough", "recovery", "depth", "length"])
    return frame.sort_values("depth", kind="stable").head(top).reset_index(drop=True)


def monthly_returns(times: pd.Series, equity: np.ndarray) -> pd.DataFrame:
    """Calendar-month returns of an equity curve: index year, columns 1..12, fractions.

    Each month's return is its last equity / the previous month's last equity - 1; the
    first month is measured from the first equity point. Months without data are NaN.
    """
    series = pd.Series(
        np.asarray(equity, dtype=float), index=pd.DatetimeIndex(pd.to_datetime(times, utc=True))
    )
    returns = _period_returns(series, [series.index.year, series.index.month])
    returns.index = returns.index.set_names(["year", "month"])
    table = returns.unstack("month").reindex(columns=range(1, 13))
    table.columns = list(range(1, 13))
    return table


def yearly_returns(times: pd.Series, values: np.ndarray, start: float | None = None) -> pd.Series:
    """Calendar-year returns of a value curve (equity, or a benchmark's growth): index year, fractions.

    Each year's return is its last finite value / the previous year's last finite value - 1; the first
    year is measured from ``start`` (a strategy's initial capital, as the metrics' yearly returns measure it),
    else from the curve's first finite value (as :func:`monthly_returns`).
    """
    series = pd.Series(np.asarray(values, dtype=float), index=pd.DatetimeIndex(pd.to_datetime(times, utc=True)))
    series = series[np.isfinite(series.to_numpy())]
    if series.empty:
        return pd.Series(dtype=float)
    out = _period_returns(series, series.index.year, start)
    out.index = out.index.set_names("year")
    return out


def _period_returns(series: pd.Series, keys: Any, start: float | None = None) -> pd.Series:
    """Each period's (``keys``: a groupby key) last value / the previous period's last value - 1; the first period
    from ``start``, else from the series' first value."""
    period_end = series.groupby(keys).last()
    previous = period_end.shift(1)
    previous.iloc[0] = series.iloc[0] if start is None else start
    return period_end / previous - 1.0


def rolling_sharpe(values: np.ndarray, window: int, periods_per_year: float) -> np.ndarray:
    """Annualized Sharpe ratio of the last ``window`` per-row simple returns at each row of a value curve:
    ``mean / std (ddof 1) * sqrt(periods_per_year)``, risk-free rate 0 (as the metrics' Sharpe ratio). NaN for the
    first ``window`` rows, where a return is unknown and where the window's returns do not vary (std at or below
    :data:`pystocksharp.metrics.kernels.ZERO_STD`)."""
    values = np.asarray(values, dtype=float)
    out = np.full(len(values), np.nan)
    if window < 2 or len(values) <= window:
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        r = values[1:] / values[:-1] - 1.0
    frame = pd.Series(r).rolling(window, min_periods=window)
    mean, std = frame.mean().to_numpy(), frame.std(ddof=1).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpe = np.where(std > ZERO_STD, mean / std * np.sqrt(periods_per_year), np.nan)
    out[1:] = sharpe
    return out
