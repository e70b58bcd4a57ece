"""pystocksharp.indicators (the engine's C# indicators on whole arrays) against independent
pandas/numpy computations on GOOG_1d.csv, warm-up included; incremental C# == bulk."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.engine

DAY = 86_400 * 10**9


@pytest.fixture(scope="module")
def goog() -> pd.DataFrame:
    from pystocksharp.data import load_ohlcv, sample_path

    return load_ohlcv(sample_path("GOOG_1d")).frame


@pytest.fixture(scope="module")
def ta():  # noqa: ANN201
    from pystocksharp import indicators

    return indicators


def same(actual: object, expected: object, rtol: float = 1e-10) -> None:
    """Equal NaN positions (the warm-up) and values equal to ``rtol`` (floating-point order only)."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape
    np.testing.assert_array_equal(np.isnan(a), np.isnan(e), err_msg="warm-up (NaN) positions differ")
    np.testing.assert_allclose(a[~np.isnan(a)], e[~np.isnan(e)], rtol=rtol, atol=1e-9)


# ---- independent references (pandas / numpy, written from the textbook formulas) -----------------


def seeded_recursion(x: pd.Series, first: int, length: int, alpha: float) -> pd.Series:
    """NaN before ``first``; at ``first`` the mean of x[first-length+1 .. first]; then v += alpha (x - v)."""
    out = np.full(len(x), np.nan)
    vals = x.to_numpy()
    v = vals[first - length + 1 : first + 1].mean()
    out[first] = v
    for t in range(first + 1, len(vals)):
        v = v + alpha * (vals[t] - v)
        out[t] = v
    return pd.Series(out, index=x.index)


def ref_ema(x: pd.Series, n: int) -> pd.Series:
    return seeded_recursion(x, n - 1, n, 2 / (n + 1))


def ref_wilder(x: pd.Series, n: int, first: int) -> pd.Series:
    """Wilder smoothing: seed = mean of the n values ending at ``first``, then (v (n-1) + x)/n."""
    return seeded_recursion(x, first, n, 1 / n)


def true_range(d: pd.DataFrame) -> pd.Series:
    prev = d["close"].shift(1)
    tr = pd.concat([d["high"] - d["low"], (d["high"] - prev).abs(), (d["low"] - prev).abs()], axis=1).max(
        axis=1
    )
    tr.iloc[0] = d["high"].iloc[0] - d["low"].iloc[0]
    return tr


def ref_rsi(x: pd.Series, n: int) -> pd.Series:
    diff = x.diff()
    gain = wilder_from(diff.clip(lower=0), n)
    loss = wilder_from((-diff).clip(lower=0), n)
    rsi = 100 - 100 / (1 + gain / loss)
    rsi[(loss == 0) & (gain > 0)] = 100.0
    rsi[(loss == 0) & (gain == 0)] = 50.0
    return rsi


def wilder_from(x: pd.Series, n: int) -> pd.Series:
    # the first value of x (index 0) is a NaN diff: the average starts on bars 1..n
    return ref_wilder(x, n, n)


def ref_adx(d: pd.DataFrame, n: int) -> pd.DataFrame:
    h, lo, c = (d[k].to_numpy() for k in ("high", "low", "close"))
    m = len(h)
    plus_di, minus_di, adx = (np.full(m, np.nan) for _ in range(3))
    sp = sm = st = 0.0
    dxs: list[float] = []
    a = np.nan
    for t in range(1, m):
        up, down = h[t] - h[t - 1], lo[t - 1] - lo[t]
        pdm = up if up > down and up > 0 else 0.0
        mdm = down if down > up and down > 0 else 0.0
        tr = max(h[t] - lo[t], abs(h[t] - c[t - 1]), abs(lo[t] - c[t - 1]))
        if t <= n:  # plain sums of bars 1..n
            sp, sm, st = sp + pdm, sm + mdm, st + tr
            if t < n:
                continue
        else:
            sp, sm, st = sp - sp / n + pdm, sm - sm / n + mdm, st - st / n + tr
        p = 100 * sp / st if st else 0.0
        q = 100 * sm / st if st else 0.0
        plus_di[t], minus_di[t] = p, q
        dx = 100 * abs(p - q) / (p + q) if p + q else 0.0
        if len(dxs) < n:
            dxs.append(dx)
            if len(dxs) == n:
                a = float(np.mean(dxs))
                adx[t] = a
        else:
            a = (a * (n - 1) + dx) / n
            adx[t] = a
    return pd.DataFrame({"adx": adx, "plus_di": plus_di, "minus_di": minus_di}, index=d.index)


# ---- one test per indicator ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 10, 50])
def test_sma_ema_wma(goog: pd.DataFrame, ta, n: int) -> None:
    c = goog["close"]
    same(ta.sma(c, n), c.rolling(n).mean())
    same(ta.ema(c, n), ref_ema(c, n))
    w = np.arange(1, n + 1, dtype=float)
    same(ta.wma(c, n), c.rolling(n).apply(lambda v: float(np.dot(v, w) / w.sum()), raw=True))


def test_ema_warm_up_is_the_sma_seed(goog: pd.DataFrame, ta) -> None:
    c = goog["close"]
    e = ta.ema(c, 5)
    assert np.isnan(e.iloc[:4]).all()
    assert e.iloc[4] == pytest.approx(c.iloc[:5].mean(), rel=1e-15)  # mean of the first 5 closes


@pytest.mark.parametrize("n", [2, 14])
def test_rsi_wilder(goog: pd.DataFrame, ta, n: int) -> None:
    out = ta.rsi(goog["close"], n)
    assert np.isnan(out.iloc[:n]).all() and not np.isnan(out.iloc[n])  # formed after n+1 closes
    same(out, ref_rsi(goog["close"], n))


def test_atr_wilder(goog: pd.DataFrame, ta) -> None:
    n = 14
    out = ta.atr(goog["high"], goog["low"], goog["close"], n)
    same(out, ref_wilder(true_range(goog), n, n - 1))


def test_bollinger(goog: pd.DataFrame, ta) -> None:
    c = goog["close"]
    out = ta.bollinger(c, 20, 2.5)
    mid, sd = c.rolling(20).mean(), c.rolling(20).std(ddof=0)
    assert list(out.columns) == ["middle", "upper", "lower"]
    same(out["middle"], mid)
    same(out["upper"], mid + 2.5 * sd, rtol=1e-9)
    same(out["lower"], mid - 2.5 * sd, rtol=1e-9)


def test_macd(goog: pd.DataFrame, ta) -> None:
    c = goog["close"]
    out = ta.macd(c, 12, 26, 9)
    line = ref_ema(c, 12) - ref_ema(c, 26)  # defined from index 25
    signal = pd.Series(np.nan, index=c.index)
    signal.iloc[25:] = ref_ema(line.iloc[25:], 9).to_numpy()  # defined from 25 + 8 = 33
    same(out["macd"], line)
    same(out["signal"], signal)
    same(out["histogram"], line - signal)
    assert out["signal"].first_valid_index() == c.index[33]


def test_stochastic(goog: pd.DataFrame, ta) -> None:
    hh, ll = goog["high"].rolling(14).max(), goog["low"].rolling(14).min()
    k = (100 * (goog["close"] - ll) / (hh - ll)).where(hh != ll, 50.0).where(hh.notna())
    out = ta.stochastic(goog["high"], goog["low"], goog["close"], 14, 3)
    same(out["k"], k)
    same(out["d"], k.rolling(3).mean())


def test_highest_lowest_donchian(goog: pd.DataFrame, ta) -> None:
    h, lo = goog["high"], goog["low"]
    same(ta.highest(h, 20), h.rolling(20).max(), rtol=0)
    same(ta.lowest(lo, 20), lo.rolling(20).min(), rtol=0)
    out = ta.donchian(h, lo, 20)
    same(out["upper"], h.rolling(20).max(), rtol=0)
    same(out["lower"], lo.rolling(20).min(), rtol=0)
    same(out["middle"], (h.rolling(20).max() + lo.rolling(20).min()) / 2)


@pytest.mark.parametrize("n", [5, 14])
def test_adx(goog: pd.DataFrame, ta, n: int) -> None:
    out = ta.adx(goog["high"], goog["low"], goog["close"], n)
    ref = ref_adx(goog, n)
    for col in ("adx", "plus_di", "minus_di"):
        same(out[col], ref[col], rtol=1e-9)
    assert out["adx"].first_valid_index() == goog.index[2 * n - 1]  # formed after 2N bars


def test_cci(goog: pd.DataFrame, ta) -> None:
    tp = (goog["high"] + goog["low"] + goog["close"]) / 3
    mean = tp.rolling(20).mean()
    mad = tp.rolling(20).apply(lambda v: float(np.abs(v - v.mean()).mean()), raw=True)
    same(ta.cci(goog["high"], goog["low"], goog["close"], 20), (tp - mean) / (0.015 * mad), rtol=1e-8)


def test_roc(goog: pd.DataFrame, ta) -> None:
    c = goog["close"]
    same(ta.roc(c, 12), 100 * (c - c.shift(12)) / c.shift(12))


def test_vwap_resets_each_session(goog: pd.DataFrame, ta) -> None:
    tp = (goog["high"] + goog["low"] + goog["close"]) / 3
    v = goog["volume"]
    # daily bars, daily sessions: every bar is its own session, VWAP = typical price
    same(ta.vwap(goog.index, goog["high"], goog["low"], goog["close"], v), tp)
    # weekly sessions (7-day buckets of the epoch): cumulative sums restart in each bucket
    week = 7 * DAY
    key = goog.index.as_unit("ns").asi8 // week
    ref = (tp * v).groupby(key).cumsum() / v.groupby(key).cumsum()
    out = ta.vwap(goog.index, goog["high"], goog["low"], goog["close"], v, session_ns=week)
    same(out, ref)
    assert out.iloc[0] == pytest.approx(tp.iloc[0], rel=1e-15)


def test_obv(goog: pd.DataFrame, ta) -> None:
    c, v = goog["close"], goog["volume"]
    step = np.sign(c.diff()).fillna(0) * v
    same(ta.obv(c, v), step.cumsum(), rtol=0)


def test_numpy_in_numpy_out_and_series_keeps_its_index(goog: pd.DataFrame, ta) -> None:
    arr = goog["close"].to_numpy()
    out = ta.sma(arr, 3)
    assert isinstance(out, np.ndarray) and np.isnan(out[:2]).all()
    assert out[2] == pytest.approx(arr[:3].mean(), rel=1e-15)  # (c0 + c1 + c2) / 3
    s = ta.sma(goog["close"], 3)
    assert isinstance(s, pd.Series) and s.index.equals(goog.index)
    with pytest.raises(ValueError, match="length must be a whole number >= 1"):
        ta.sma(arr, 0)
    with pytest.raises(ValueError, match="lengths differ"):
        ta.atr(arr, arr[:-1], arr)


# ---- incremental (Process, one value at a time through .NET) == bulk (Compute) --------------------


def _incremental(
    make: Callable[[object], object], feed: Callable[[object, int], float], n: int
) -> np.ndarray:
    from pystocksharp import bridge

    ind = make(bridge.engine_namespace().Indicators)
    return np.array([feed(ind, i) for i in range(n)])


def test_incremental_process_equals_the_bulk_compute(goog: pd.DataFrame, ta) -> None:
    d = goog.iloc[:400]
    t = d.index.as_unit("ns").asi8
    o, h, lo, c, v = (d[k].to_numpy() for k in ("open", "high", "low", "close", "volume"))
    n = len(d)

    def one(cls: str, *args: int) -> Callable[[object], object]:
        return lambda ns: getattr(ns, cls)(*args)

    def bar(ind: object, i: int) -> float:
        return float(ind.Process(int(t[i]), float(o[i]), float(h[i]), float(lo[i]), float(c[i]), float(v[i])))  # type: ignore[attr-defined]

    def close(ind: object, i: int) -> float:
        return float(ind.Process(float(c[i])))  # type: ignore[attr-defined]

    cases = [
        (one("SimpleMovingAverage", 10), close, ta.sma(c, 10)),
        (one("ExponentialMovingAverage", 10), close, ta.ema(c, 10)),
        (one("WeightedMovingAverage", 10), close, ta.wma(c, 10)),
        (one("RelativeStrengthIndex", 14), close, ta.rsi(c, 14)),
        (one("RateOfChange", 12), close, ta.roc(c, 12)),
        (one("Highest", 20), close, ta.highest(c, 20)),
        (one("Lowest", 20), close, ta.lowest(c, 20)),
        (one("BollingerBands", 20), close, ta.bollinger(c, 20)["middle"]),
        (one("MovingAverageConvergenceDivergence", 12, 26, 9), close, ta.macd(c)["macd"]),
        (one("AverageTrueRange", 14), bar, ta.atr(h, lo, c, 14)),
        (one("StochasticOscillator", 14, 3), bar, ta.stochastic(h, lo, c)["k"]),
        (one("DonchianChannels", 20), bar, ta.donchian(h, lo, 20)["middle"]),
        (one("AverageDirectionalIndex", 14), bar, ta.adx(h, lo, c, 14)["adx"]),
        (one("CommodityChannelIndex", 20), bar, ta.cci(h, lo, c, 20)),
        (one("VolumeWeightedAveragePrice"), bar, ta.vwap(t, h, lo, c, v)),
        (one("OnBalanceVolume"), bar, ta.obv(c, v)),
    ]
    for make, feed, bulk in cases:
        np.testing.assert_array_equal(_incremental(make, feed, n), np.asarray(bulk))
