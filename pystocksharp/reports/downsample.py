"""Reduce chart series for display; the full data stays in the artifacts.

Two reductions, both exact about what they keep:

- :func:`bucket_candles` merges runs of consecutive bars into coarser bars (open of the
  first, highest high, lowest low, close of the last, summed volume), so a 20,000-bar
  chart shows at most ``max_points`` candles whose extremes are the true extremes.
- :func:`minmax_indices` picks, per bucket of a line series, the first, lowest, highest
  and last points, so peaks and troughs (hence drawdowns) survive the reduction.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

DEFAULT_MAX_POINTS = 5_000
"""Upper bound on the points of any one chart series in a page."""


def bucket_size(n: int, max_points: int) -> int:
    """Bars per bucket so that ``n`` bars make at most ``max_points`` buckets (>= 1)."""
    if max_points < 1:
        raise ValueError(f"max_points must be >= 1, got {max_points}")
    return max(1, math.ceil(n / max_points))


def bucket_candles(candles: pd.DataFrame, max_points: int = DEFAULT_MAX_POINTS) -> pd.DataFrame:
    """Merge consecutive bars into at most ``max_points`` bars.

    ``candles`` has columns time, open, high, low, close, volume in time order. Each
    output bar takes the time and open of its first bar, the max high, the min low, the
    close of its last bar and the summed volume. Fewer bars than ``max_points`` come back
    unchanged (a copy).
    """
    n = len(candles)
    k = bucket_size(n, max_points)
    if k == 1:
        return candles.reset_index(drop=True).copy()
    starts = np.arange(0, n, k)
    last = np.minimum(starts + k - 1, n - 1)
    return pd.DataFrame(
        {
            "time": candles["time"].to_numpy()[starts],
            "open": candles["open"].to_numpy(dtype=float)[starts],
            "high": np.maximum.reduceat(candles["high"].to_numpy(dtype=float), starts),
            "low": np.minimum.reduceat(candles["low"].to_numpy(dtype=float), starts),
            "close": candles["close"].to_numpy(dtype=float)[last],
            "volume": np.add.reduceat(candles["volume"].to_numpy(dtype=float), starts),
        }
    )


def minmax_indices(values: np.ndarray, max_points: int = DEFAULT_MAX_POINTS) -> np.ndarray:
    """Sorted indices of the points of ``values`` to draw, at most ``max_points`` of them.

    The series is cut into ``max_points // 4`` buckets of consecutive points; each bucket
    keeps its first, minimum, maximum and last point (NaN-aware). The global minimum and
    maximum are therefore always kept. A series already short enough keeps every index.
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n <= max_points:
        return np.arange(n)
    buckets = max(1, max_points // 4)
    k = math.ceil(n / buckets)
    nan = np.isnan(values)
    low_flat = np.full(buckets * k, np.inf)
    low_flat[:n] = np.where(nan, np.inf, values)
    high_flat = np.full(buckets * k, -np.inf)
    high_flat[:n] = np.where(nan, -np.inf, values)
    low = low_flat.reshape(buckets, k)
    high = high_flat.reshape(buckets, k)
    base = np.arange(buckets) * k
    first = base
    last = np.minimum(base + k - 1, n - 1)
    keep = np.concatenate([first, base + low.argmin(axis=1), base + high.argmax(axis=1), last])
    return np.unique(keep[keep < n])


def snap_to_buckets(times: np.ndarray, bucket_times: np.ndarray) -> np.ndarray:
    """Time of the bucket holding each of ``times``: the last bucket time <= it.

    Both are int64 (any one unit); ``bucket_times`` sorted ascending. Times before the
    first bucket map to the first bucket. Used to pin trade markers on merged candles.
    """
    times = np.asarray(times, dtype=np.int64)
    bucket_times = np.asarray(bucket_times, dtype=np.int64)
    if len(bucket_times) == 0:
        return times.copy()
    pos = np.searchsorted(bucket_times, times, side="right") - 1
    return bucket_times[np.clip(pos, 0, len(bucket_times) - 1)]
