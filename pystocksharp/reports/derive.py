"""Display series derived from an equity curve when the report input lacks them.

Only used to fill in a page; the metrics module owns the reported figures. Fractions:
a drawdown of -0.1 is 10% below the running peak; a monthly return of 0.02 is +2%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
    month_end = series.groupby([series.index.year, series.index.month]).last()
    previous = month_end.shift(1)
    previous.iloc[0] = series.iloc[0]
    returns = month_end / previous - 1.0
    returns.index = returns.index.set_names(["year", "month"])
    table = returns.unstack("month").reindex(columns=range(1, 13))
    table.columns = list(range(1, 13))
    return table
