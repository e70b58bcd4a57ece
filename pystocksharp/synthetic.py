"""Seeded synthetic OHLCV series for tests and benchmarks (vectorized: 10^6 bars in milliseconds).

Every frame returned has the layout of :func:`pystocksharp.data.load_ohlcv`'s ``frame``: a
``DatetimeIndex`` named "timestamp" (UTC, ns) and float64 columns open, high, low, close,
volume, and always passes its validation (high >= max(open, close), low <= min(open, close),
volume > 0). The same arguments give the same frame on every machine (numpy ``default_rng``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _index(n: int, start: str | pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    ts = pd.Timestamp(start)
    ts = ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")
    try:
        return pd.date_range(ts, periods=n, freq=freq, name="timestamp").as_unit("ns")
    except pd.errors.OutOfBoundsDatetime:
        raise ValueError(
            f"{n} bars of {freq} from {ts.date()} run past 2262-04-11, the last nanosecond timestamp; "
            "use fewer bars or a shorter freq"
        ) from None


def bars_from_log_returns(
    log_returns: np.ndarray,
    *,
    rng: np.random.Generator,
    start: str | pd.Timestamp = "2020-01-01",
    freq: str = "1min",
    start_price: float = 100.0,
    wick: float = 0.001,
    mean_volume: float = 1000.0,
) -> pd.DataFrame:
    """OHLCV bars whose close-to-close log returns are ``log_returns``.

    Each bar opens at the previous close (the first at ``start_price``); wicks extend beyond
    max/min(open, close) by a half-normal fraction with scale ``wick``; volume is lognormal
    around ``mean_volume`` units, rounded to whole units and at least 1.
    """
    n = len(log_returns)
    if n < 1:
        raise ValueError("n must be >= 1")
    if start_price <= 0:
        raise ValueError("start_price must be > 0")
    close = start_price * np.exp(np.cumsum(log_returns))
    open_ = np.empty(n)
    open_[0] = start_price
    open_[1:] = close[:-1]
    up = np.abs(rng.standard_normal(n)) * wick
    down = np.abs(rng.standard_normal(n)) * wick
    high = np.maximum(open_, close) * np.exp(up)
    low = np.minimum(open_, close) * np.exp(-down)
    volume = np.maximum(1.0, np.round(mean_volume * rng.lognormal(-0.125, 0.5, n)))
    return pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": volume},
        index=_index(n, start, freq),
    )


def random_walk(
    n: int,
    *,
    seed: int,
    start: str | pd.Timestamp = "2020-01-01",
    freq: str = "1min",
    start_price: float = 100.0,
    drift: float = 0.0,
    vol: float = 0.001,
) -> pd.DataFrame:
    """A geometric random walk of ``n`` bars: log return per bar ~ Normal(``drift``, ``vol``).

    ``drift`` and ``vol`` are per bar (fractions, not percent, not annualized). No strategy
    has a real edge on it, which makes it the null case for validation tests.
    """
    rng = np.random.default_rng(seed)
    returns = rng.normal(drift, vol, n)
    return bars_from_log_returns(returns, rng=rng, start=start, freq=freq, start_price=start_price, wick=vol)


def planted_edge(
    n: int,
    *,
    seed: int,
    start: str | pd.Timestamp = "2020-01-01",
    freq: str = "1D",
    start_price: float = 100.0,
    regime_bars: int = 150,
    trend: float = 0.004,
    vol: float = 0.006,
) -> pd.DataFrame:
    """A series with a planted, capturable edge: long alternating up/down trends plus noise.

    The log return per bar is ``±trend + Normal(0, vol)``; the sign flips after regimes whose
    lengths are drawn uniformly from [regime_bars/2, 3*regime_bars/2]. With the defaults one
    regime moves the price by about ``trend * regime_bars`` = 0.6 in log terms against noise of
    ``vol * sqrt(regime_bars)`` ≈ 0.07, so a trend follower such as an SMA crossover whose slow
    window is well below ``regime_bars`` profits out of sample; a random walk gives it nothing.
    """
    if regime_bars < 2:
        raise ValueError("regime_bars must be >= 2")
    rng = np.random.default_rng(seed)
    lengths = rng.integers(
        regime_bars // 2, regime_bars + regime_bars // 2 + 1, size=n // max(1, regime_bars // 2) + 2
    )
    signs = np.where(np.arange(len(lengths)) % 2 == 0, 1.0, -1.0)
    direction = np.repeat(signs, lengths)[:n]
    returns = direction * trend + rng.normal(0.0, vol, n)
    return bars_from_log_returns(returns, rng=rng, start=start, freq=freq, start_price=start_price, wick=vol)
