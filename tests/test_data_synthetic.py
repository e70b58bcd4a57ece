"""Synthetic OHLCV series: valid, seeded, and the planted edge really trends."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pystocksharp.data import load_ohlcv
from pystocksharp.synthetic import planted_edge, random_walk


def test_random_walk_is_valid_and_seeded() -> None:
    frame = random_walk(5000, seed=7)
    data = load_ohlcv(frame)  # full validation passes
    assert data.timeframe == "1m" and data.bars == 5000
    pd.testing.assert_frame_equal(frame, random_walk(5000, seed=7))
    assert not frame.equals(random_walk(5000, seed=8))
    assert frame.index[0] == pd.Timestamp("2020-01-01", tz="UTC")
    assert str(frame.index.dtype) == "datetime64[ns, UTC]" and frame.index.name == "timestamp"
    assert (frame["volume"] >= 1).all()
    # each bar opens at the previous close; the first at start_price
    assert frame["open"].iloc[0] == 100.0
    np.testing.assert_array_equal(frame["open"].to_numpy()[1:], frame["close"].to_numpy()[:-1])


def test_random_walk_returns_have_the_requested_moments() -> None:
    frame = random_walk(200_000, seed=1, drift=0.0002, vol=0.001)
    returns = np.diff(np.log(frame["close"].to_numpy()))
    # standard error of the mean is 0.001 / sqrt(2e5) = 2.2e-6, so 1e-5 is > 4 standard errors
    assert abs(returns.mean() - 0.0002) < 1e-5
    assert abs(returns.std() - 0.001) < 1e-5


def crossover_log_return(frame: pd.DataFrame, fast: int = 10, slow: int = 30) -> float:
    """Sum of log returns earned by holding sign(SMA fast - SMA slow) from the previous close (no costs)."""
    close = frame["close"]
    position = np.sign(close.rolling(fast).mean() - close.rolling(slow).mean()).fillna(0.0).to_numpy()
    returns = np.diff(np.log(close.to_numpy()))
    return float((position[:-1] * returns).sum())


def test_planted_edge_alternates_long_trends() -> None:
    frame = planted_edge(3000, seed=3, freq="1D")
    load_ohlcv(frame)
    returns = np.diff(np.log(frame["close"].to_numpy()))
    # a 50-bar moving sum of returns has the sign of the regime: it swings far both ways
    # (the trend alone moves 50 * 0.004 = 0.2 in log terms)
    window = np.convolve(returns, np.ones(50), mode="valid")
    assert window.max() > 0.15 and window.min() < -0.15


def test_an_sma_crossover_captures_the_planted_edge_but_not_a_random_walk() -> None:
    # Same per-bar noise (0.006) in both; only the planted series has the alternating drift.
    # Per bar the crossover earns about +trend when aligned: ~3000 * 0.004 * (fraction aligned)
    # is several units of log return; on the random walk the expected sum is 0 with a standard
    # deviation of 0.006 * sqrt(3000) = 0.33.
    for seed in range(3):
        assert crossover_log_return(planted_edge(3000, seed=seed)) > 5.0
        assert abs(crossover_log_return(random_walk(3000, seed=seed, vol=0.006, freq="1D"))) < 1.5


def test_series_past_the_nanosecond_range_is_a_clear_error() -> None:
    import pytest

    # 200 years of daily bars from 2100 end after 2262-04-11
    with pytest.raises(ValueError, match="2262"):
        planted_edge(200 * 366, seed=0, start="2100-01-01")
