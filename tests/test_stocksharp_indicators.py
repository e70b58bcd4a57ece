"""StockSharp-layer indicators (dotnet/src/StockSharp.Compat/Indicators) against textbook numpy references.

Each indicator runs over the daily GOOG sample through ``IndicatorRunner`` (candles fed one by one, as
``Bind`` does); the reference below is an independent numpy/pandas implementation of the formula
documented on the C# class. Values must agree to ~1e-9 and the first formed bar must match exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pystocksharp import bridge, data

pytestmark = pytest.mark.engine

RTOL = 1e-9


@pytest.fixture(scope="module")
def ind():
    try:
        return bridge.stocksharp_layer()
    except Exception as exc:  # pragma: no cover - no .NET on the machine
        pytest.skip(f"StockSharp layer not available: {exc}")


@pytest.fixture(scope="module")
def bars():
    frame = data.load_ohlcv(data.sample_path("GOOG_1d")).frame
    t = frame.index.asi8.astype(np.int64)
    if frame.index.dtype.unit != "ns":  # pandas may keep second/microsecond resolution
        t = frame.index.as_unit("ns").asi8.astype(np.int64)
    cols = {c: frame[c].to_numpy(dtype=np.float64) for c in ("open", "high", "low", "close", "volume")}
    return {"t": t, **cols}


def _net_args(b):
    return (
        bridge.to_net_longs(b["t"]),
        *(bridge.to_net_doubles(b[c]) for c in ("open", "high", "low", "close", "volume")),
    )


def make(ind, name, props=None):
    return ind.IndicatorRunner.Create(name, bridge.net_dictionary(props or {}))


def run(ind, indicator, b, raw=False):
    args = _net_args(b)
    out = (ind.IndicatorRunner.RunRaw if raw else ind.IndicatorRunner.Run)(indicator, *args)
    return [bridge.to_numpy(col) for col in out]


# ---- textbook references --------------------------------------------------------------------------


def nan(n):
    return np.full(n, np.nan)


def sma(x, n):
    return pd.Series(x).rolling(n).mean().to_numpy()


def ema(x, n, start=0):
    """EMA with alpha 2/(n+1) over x[start:], seeded with the SMA of its first n values."""
    out = nan(len(x))
    a = 2.0 / (n + 1)
    first = start + n - 1
    if first >= len(x):
        return out
    v = np.mean(x[start : first + 1])
    out[first] = v
    for i in range(first + 1, len(x)):
        v = v + a * (x[i] - v)
        out[i] = v
    return out


def wilder(x, n, start=0):
    out = nan(len(x))
    first = start + n - 1
    v = np.mean(x[start : first + 1])
    out[first] = v
    for i in range(first + 1, len(x)):
        v = (v * (n - 1) + x[i]) / n
        out[i] = v
    return out


def lwma(x, n, start=0):
    w = np.arange(1, n + 1, dtype=float)
    out = nan(len(x))
    for i in range(start + n - 1, len(x)):
        out[i] = np.dot(x[i - n + 1 : i + 1], w) / w.sum()
    return out


def true_range(h, lw, c):
    pc = np.concatenate([[np.nan], c[:-1]])
    tr = np.nanmax(np.vstack([h - lw, np.abs(h - pc), np.abs(lw - pc)]), axis=0)
    tr[0] = h[0] - lw[0]
    return tr


def rolling_max(x, n):
    return pd.Series(x).rolling(n).max().to_numpy()


def rolling_min(x, n):
    return pd.Series(x).rolling(n).min().to_numpy()


def check(got, expected, name=""):
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    assert got.shape == expected.shape, name
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected), err_msg=f"{name}: warm-up / NaN pattern")
    m = ~np.isnan(expected)
    assert m.any(), name
    scale = np.nanmax(np.abs(expected))
    np.testing.assert_allclose(got[m], expected[m], rtol=RTOL, atol=RTOL * scale, err_msg=name)


def first_valid(a):
    return int(np.argmax(~np.isnan(a)))


# ---- single-value indicators ------------------------------------------------------------------


def _refs(b):
    h, lw, c, v = b["high"], b["low"], b["close"], b["volume"]
    n = len(c)
    refs = {}

    refs["SimpleMovingAverage", 20] = sma(c, 20)
    refs["ExponentialMovingAverage", 20] = ema(c, 20)
    refs["WeightedMovingAverage", 20] = lwma(c, 20)
    refs["SmoothedMovingAverage", 14] = wilder(c, 14)
    refs["WilderMovingAverage", 14] = wilder(c, 14)

    d = np.diff(c)
    g = np.concatenate([[np.nan], np.where(d > 0, d, 0.0)])
    lo = np.concatenate([[np.nan], np.where(d < 0, -d, 0.0)])
    ag, al = wilder(g, 14, start=1), wilder(lo, 14, start=1)
    refs["RelativeStrengthIndex", 14] = np.where(al == 0, 100.0, 100 - 100 / (1 + ag / al))

    refs["AverageTrueRange", 14] = wilder(true_range(h, lw, c), 14)
    refs["Highest", 10] = rolling_max(h, 10)
    refs["Lowest", 10] = rolling_min(lw, 10)
    refs["StandardDeviation", 20] = pd.Series(c).rolling(20).std(ddof=0).to_numpy()

    tp = (h + lw + c) / 3
    tps = pd.Series(tp)
    mean = tps.rolling(20).mean()
    md = tps.rolling(20).apply(lambda w: np.mean(np.abs(w - w.mean())), raw=True)
    refs["CommodityChannelIndex", 20] = ((tps - mean) / (0.015 * md)).to_numpy()

    hh, ll = rolling_max(h, 14), rolling_min(lw, 14)
    refs["WilliamsR", 14] = -100 * (hh - c) / (hh - ll)

    prev = np.concatenate([np.full(10, np.nan), c[:-10]])
    refs["Momentum", 10] = c - prev
    refs["RateOfChange", 10] = 100 * (c - prev) / prev

    e1 = ema(c, 10)
    e2 = ema(e1, 10, start=9)
    e3 = ema(e2, 10, start=18)
    refs["DoubleExponentialMovingAverage", 10] = 2 * e1 - e2
    refs["TripleExponentialMovingAverage", 10] = 3 * e1 - 3 * e2 + e3
    trix = nan(n)
    trix[28:] = 100 * (e3[28:] - e3[27:-1]) / e3[27:-1]
    refs["Trix", 10] = trix

    full, half = lwma(c, 16), lwma(c, 8)
    refs["HullMovingAverage", 16] = lwma(2 * half - full, 4, start=15)

    lag = (21 - 1) // 2
    z = nan(n)
    z[lag:] = 2 * c[lag:] - c[:-lag]
    refs["ZeroLagExponentialMovingAverage", 21] = ema(z, 21, start=lag)

    refs["VolumeWeightedMovingAverage", 20] = (
        pd.Series(c * v).rolling(20).sum() / pd.Series(v).rolling(20).sum()
    ).to_numpy()

    # Kaufman AMA (10, 2, 30)
    k = nan(n)
    fast, slow = 2 / 3, 2 / 31
    kama = c[9]
    for i in range(10, n):
        vol = np.sum(np.abs(np.diff(c[i - 10 : i + 1])))
        er = abs(c[i] - c[i - 10]) / vol if vol else 0.0
        sc = (er * (fast - slow) + slow) ** 2
        kama = kama + sc * (c[i] - kama)
        k[i] = kama
    refs["KaufmanAdaptiveMovingAverage", 10] = k

    # ALMA (9, 0.85, 6)
    m_, s_ = 0.85 * 8, 9 / 6
    w = np.exp(-((np.arange(9) - m_) ** 2) / (2 * s_ * s_))
    alma = nan(n)
    for i in range(8, n):
        alma[i] = np.dot(c[i - 8 : i + 1], w) / w.sum()
    refs["ArnaudLegouxMovingAverage", 9] = alma

    # Jurik approximation (7, phase 0)
    beta = 0.45 * 6 / (0.45 * 6 + 2)
    alpha = beta**2
    e0 = jma = c[0]
    e1j = e2j = 0.0
    j = nan(n)
    j[0] = jma
    for i in range(1, n):
        e0 = (1 - alpha) * c[i] + alpha * e0
        e1j = (c[i] - e0) * (1 - beta) + beta * e1j
        e2j = (e0 + 1.5 * e1j - jma) * (1 - alpha) ** 2 + alpha**2 * e2j
        jma += e2j
        j[i] = jma
    j[:6] = np.nan
    refs["JurikMovingAverage", 7] = j

    # linear regression family (11)
    lr, slope, r2 = nan(n), nan(n), nan(n)
    xs = np.arange(11.0)
    for i in range(10, n):
        y = c[i - 10 : i + 1]
        b1, b0 = np.polyfit(xs, y, 1)
        lr[i] = b0 + b1 * 10
        slope[i] = b1
        r2[i] = np.corrcoef(xs, y)[0, 1] ** 2
    refs["LinearReg", 11] = lr
    refs["LinearRegSlope", 11] = slope
    refs["LinearRegRSquared", 11] = r2

    refs["Shift", 3] = np.concatenate([np.full(3, np.nan), c[:-3]])

    dc = np.diff(c)
    up = pd.Series(np.where(dc > 0, dc, 0.0)).rolling(14).sum().to_numpy()
    dn = pd.Series(np.where(dc < 0, -dc, 0.0)).rolling(14).sum().to_numpy()
    refs["ChandeMomentumOscillator", 14] = np.concatenate([[np.nan], 100 * (up - dn) / (up + dn)])

    dmax = np.concatenate([[np.nan], np.maximum(np.diff(h), 0)])
    dmin = np.concatenate([[np.nan], np.maximum(-np.diff(lw), 0)])
    smax, smin = sma(dmax, 14), sma(dmin, 14)
    refs["DeMarker", 14] = smax / (smax + smin)

    refs["BullPower", 13] = h - ema(c, 13)
    refs["BearPower", 13] = lw - ema(c, 13)

    flow = tp * v
    tpd = np.concatenate([[np.nan], np.diff(tp)])
    pos = pd.Series(np.where(tpd > 0, flow, 0.0)).rolling(14).sum().to_numpy()
    neg = pd.Series(np.where(tpd < 0, flow, 0.0)).rolling(14).sum().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        mfi = np.where(neg == 0, 100.0, 100 - 100 / (1 + pos / neg))
    mfi[:14] = np.nan
    refs["MoneyFlowIndex", 14] = mfi

    trs = pd.Series(true_range(h, lw, c)).rolling(14).sum().to_numpy()
    refs["ChoppinessIndex", 14] = (
        100 * np.log10(trs / (rolling_max(h, 14) - rolling_min(lw, 14))) / np.log10(14)
    )
    return refs


SINGLE = [
    "SimpleMovingAverage", "ExponentialMovingAverage", "WeightedMovingAverage", "SmoothedMovingAverage",
    "WilderMovingAverage", "RelativeStrengthIndex", "AverageTrueRange", "Highest", "Lowest", "StandardDeviation",
    "CommodityChannelIndex", "WilliamsR", "Momentum", "RateOfChange", "DoubleExponentialMovingAverage",
    "TripleExponentialMovingAverage", "Trix", "HullMovingAverage", "ZeroLagExponentialMovingAverage",
    "VolumeWeightedMovingAverage", "KaufmanAdaptiveMovingAverage", "ArnaudLegouxMovingAverage",
    "JurikMovingAverage", "LinearReg", "LinearRegSlope", "LinearRegRSquared", "Shift", "ChandeMomentumOscillator",
    "DeMarker", "BullPower", "BearPower", "MoneyFlowIndex", "ChoppinessIndex",
]  # fmt: skip


@pytest.fixture(scope="module")
def refs(bars):
    return _refs(bars)


@pytest.mark.parametrize("name", SINGLE)
def test_single_value_indicator(ind, bars, refs, name):
    (key,) = [k for k in refs if k[0] == name]
    length = key[1]
    indicator = make(ind, name, {"Length": length})
    (got,) = run(ind, indicator, bars)
    check(got, refs[key], name)
    # the first formed bar, exactly
    assert first_valid(got) == first_valid(refs[key])


def test_aliases_and_defaults(ind):
    assert isinstance(ind.SMA(), ind.SimpleMovingAverage)
    assert isinstance(ind.WMA(), ind.WilderMovingAverage)  # StockSharp's WMA alias is Wilder's average
    for alias, full in [("EMA", "ExponentialMovingAverage"), ("RSI", "RelativeStrengthIndex"),
                        ("ATR", "AverageTrueRange"), ("MACD", "MovingAverageConvergenceDivergence"),
                        ("ADX", "AverageDirectionalIndex"), ("ROC", "RateOfChange"),
                        ("DEMA", "DoubleExponentialMovingAverage"), ("TEMA", "TripleExponentialMovingAverage"),
                        ("BB", "BollingerBands"), ("CCI", "CommodityChannelIndex"), ("STOCH", "StochasticOscillator"),
                        ("KAMA", "KaufmanAdaptiveMovingAverage"), ("HMA", "HullMovingAverage"),
                        ("PSAR", "ParabolicSar"), ("OBV", "OnBalanceVolume"), ("DC", "DonchianChannels"),
                        ("KC", "KeltnerChannels"), ("VI", "VortexIndicator"), ("ICH", "Ichimoku")]:  # fmt: skip
        assert isinstance(getattr(ind, alias)(), getattr(ind, full)), alias
    bb = ind.BollingerBands()
    assert str(bb.Width) == "2" and bb.Length == bb.MovingAverage.Length
    macd = ind.MovingAverageConvergenceDivergenceSignal()
    assert (macd.Macd.ShortMa.Length, macd.Macd.LongMa.Length, macd.SignalMa.Length) == (12, 26, 9)
    st = ind.StochasticOscillator()
    assert (st.K.Length, st.D.Length) == (14, 3)
    ich = ind.Ichimoku()
    assert (ich.Tenkan.Length, ich.Kijun.Length, ich.SenkouB.Length) == (9, 26, 52)


# ---- complex indicators -----------------------------------------------------------------------------


def test_bollinger_bands(ind, bars):
    c = bars["close"]
    got = run(ind, make(ind, "BollingerBands", {"Length": 20, "Width": 2.5}), bars)
    mid = sma(c, 20)
    sd = pd.Series(c).rolling(20).std(ddof=0).to_numpy()
    for g, e, nm in zip(got, [mid, mid + 2.5 * sd, mid - 2.5 * sd], ["mid", "up", "low"], strict=True):
        check(g, e, nm)
    assert first_valid(got[0]) == 19


def test_macd_signal_and_histogram(ind, bars):
    c = bars["close"]
    props = {"Macd.ShortMa.Length": 12, "Macd.LongMa.Length": 26, "SignalMa.Length": 9}
    macd = ema(c, 12) - ema(c, 26)
    signal = ema(macd, 9, start=25)
    for name in ("MovingAverageConvergenceDivergenceSignal", "MovingAverageConvergenceDivergenceHistogram"):
        m, s = run(ind, make(ind, name, props), bars)
        exp_m = macd.copy()
        exp_m[: 25 + 8] = np.nan  # the complex value is formed once the signal is
        check(m, exp_m, name)
        check(s, signal, name)
        assert first_valid(s) == 33
    (line,) = run(ind, make(ind, "MovingAverageConvergenceDivergence"), bars)
    check(line, macd, "macd line")


def test_stochastic(ind, bars):
    h, lw, c = bars["high"], bars["low"], bars["close"]
    got = run(ind, make(ind, "StochasticOscillator", {"K.Length": 14, "D.Length": 3}), bars)
    hh, ll = rolling_max(h, 14), rolling_min(lw, 14)
    k = 100 * (c - ll) / (hh - ll)
    d = sma(k, 3)
    k[:15] = np.nan
    check(got[0], k, "K")
    check(got[1], d, "D")
    assert first_valid(got[1]) == 15


def test_adx(ind, bars):
    h, lw, c = bars["high"], bars["low"], bars["close"]
    n = 14
    up = np.concatenate([[np.nan], np.diff(h)])
    dn = np.concatenate([[np.nan], -np.diff(lw)])
    pdm = np.where((up > dn) & (up > 0), up, 0.0)
    mdm = np.where((dn > up) & (dn > 0), dn, 0.0)
    tr = true_range(h, lw, c)
    str_ = wilder(tr, n, start=1)
    pdi = 100 * wilder(pdm, n, start=1) / str_
    mdi = 100 * wilder(mdm, n, start=1) / str_
    dx = 100 * np.abs(pdi - mdi) / (pdi + mdi)
    adx = wilder(dx, n, start=n)
    plus, minus, a = run(ind, make(ind, "AverageDirectionalIndex", {"Length": n}), bars)
    mask = np.arange(len(c)) < 2 * n - 1
    check(a, adx, "adx")
    check(plus, np.where(mask, np.nan, pdi), "+di")
    check(minus, np.where(mask, np.nan, mdi), "-di")
    assert first_valid(a) == 2 * n - 1
    p2, m2 = run(ind, make(ind, "DirectionalIndex", {"Length": n}), bars)
    check(p2, pdi, "+di dx")
    check(m2, mdi, "-di dx")


def test_channels(ind, bars):
    h, lw, c = bars["high"], bars["low"], bars["close"]
    up, lo = rolling_max(h, 20), rolling_min(lw, 20)
    got = run(ind, make(ind, "DonchianChannels", {"Length": 20}), bars)
    for g, e in zip(got, [up, lo, (up + lo) / 2], strict=True):
        check(g, e, "donchian")
    mid = ema(c, 20)
    atr = wilder(true_range(h, lw, c), 20)
    got = run(ind, make(ind, "KeltnerChannels", {"Length": 20, "Multiplier": 1.5}), bars)
    for g, e in zip(got, [mid, mid + 1.5 * atr, mid - 1.5 * atr], strict=True):
        check(g, e, "keltner")


def test_ichimoku(ind, bars):
    h, lw, c = bars["high"], bars["low"], bars["close"]

    def mid(k):
        return (rolling_max(h, k) + rolling_min(lw, k)) / 2

    tenkan, kijun = mid(9), mid(26)
    shift = 26
    sa = np.concatenate([np.full(shift, np.nan), ((tenkan + kijun) / 2)[:-shift]])
    sb = np.concatenate([np.full(shift, np.nan), mid(52)[:-shift]])
    got = run(
        ind, make(ind, "Ichimoku", {"Tenkan.Length": 9, "Kijun.Length": 26, "SenkouB.Length": 52}), bars
    )
    formed = ~np.isnan(sb)
    for g, e, nm in zip(
        got, [tenkan, kijun, sa, sb, c], ["tenkan", "kijun", "A", "B", "chinkou"], strict=True
    ):
        check(g, np.where(formed, e, np.nan), nm)
    assert first_valid(got[3]) == 51 + 26


def test_aroon_vortex(ind, bars):
    h, lw, c = bars["high"], bars["low"], bars["close"]
    n = 14
    up, dn = nan(len(c)), nan(len(c))
    for i in range(n, len(c)):
        wh, wl = h[i - n : i + 1][::-1], lw[i - n : i + 1][::-1]
        up[i] = 100 * (n - int(np.argmax(wh))) / n
        dn[i] = 100 * (n - int(np.argmin(wl))) / n
    gu, gd = run(ind, make(ind, "Aroon", {"Length": n}), bars)
    check(gu, up, "aroon up")
    check(gd, dn, "aroon down")
    tr = pd.Series(true_range(h, lw, c))
    tr[0] = np.nan
    vmp = pd.Series(np.concatenate([[np.nan], np.abs(h[1:] - lw[:-1])]))
    vmm = pd.Series(np.concatenate([[np.nan], np.abs(lw[1:] - h[:-1])]))
    trs = tr.rolling(n).sum()
    gp, gm = run(ind, make(ind, "VortexIndicator", {"Length": n}), bars)
    check(gp, (vmp.rolling(n).sum() / trs).to_numpy(), "vi+")
    check(gm, (vmm.rolling(n).sum() / trs).to_numpy(), "vi-")


def test_awesome_obv_adl(ind, bars):
    h, lw, c, v = bars["high"], bars["low"], bars["close"], bars["volume"]
    m = (h + lw) / 2
    (ao,) = run(ind, make(ind, "AwesomeOscillator"), bars)
    check(ao, sma(m, 5) - sma(m, 34), "ao")
    (obv,) = run(ind, make(ind, "OnBalanceVolume"), bars)
    check(obv, np.concatenate([[0.0], np.cumsum(np.sign(np.diff(c)) * v[1:])]), "obv")
    (adl,) = run(ind, make(ind, "AccumulationDistributionLine"), bars)
    rng = h - lw
    mfm = np.where(rng != 0, ((c - lw) - (h - c)) / np.where(rng != 0, rng, 1), 0.0)
    check(adl, np.cumsum(mfm * v), "adl")


def test_parabolic_sar(ind, bars):
    h, lw, c = bars["high"], bars["low"], bars["close"]
    step, mx = 0.02, 0.2
    n = len(c)
    out = nan(n)
    upt = c[1] >= c[0]
    sar = min(lw[0], lw[1]) if upt else max(h[0], h[1])
    ep = max(h[0], h[1]) if upt else min(lw[0], lw[1])
    af = step
    out[1] = sar
    for i in range(2, n):
        s = sar + af * (ep - sar)
        if upt:
            s = min(s, lw[i - 1], lw[i - 2])
            if lw[i] < s:
                upt, s, ep, af = False, ep, lw[i], step
            elif h[i] > ep:
                ep, af = h[i], min(af + step, mx)
        else:
            s = max(s, h[i - 1], h[i - 2])
            if h[i] > s:
                upt, s, ep, af = True, ep, h[i], step
            elif lw[i] < ep:
                ep, af = lw[i], min(af + step, mx)
        sar = s
        out[i] = s
    (got,) = run(ind, make(ind, "ParabolicSar"), bars)
    check(got, out, "psar")


def test_supertrend(ind, bars):
    h, lw, c = bars["high"], bars["low"], bars["close"]
    n, mult = 10, 3.0
    atr = wilder(true_range(h, lw, c), n)
    out = nan(len(c))
    fu = fl = None
    trend = 0
    for i in range(n - 1, len(c)):
        hl2 = (h[i] + lw[i]) / 2
        bu, bl = hl2 + mult * atr[i], hl2 - mult * atr[i]
        fu = bu if fu is None or bu < fu or c[i - 1] > fu else fu
        fl = bl if fl is None or bl > fl or c[i - 1] < fl else fl
        if trend == 0:
            trend = 1 if c[i] >= hl2 else -1
        elif trend == 1:
            trend = -1 if c[i] <= fl else 1
        else:
            trend = 1 if c[i] >= fu else -1
        out[i] = fl if trend == 1 else fu
    (got,) = run(ind, make(ind, "SuperTrend", {"Length": n, "Multiplier": mult}), bars)
    check(got, out, "supertrend")


# ---- behaviour ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "props"),
    [("RelativeStrengthIndex", {"Length": 14}), ("BollingerBands", {"Length": 20}),
     ("AverageDirectionalIndex", {"Length": 14}), ("MovingAverageConvergenceDivergenceSignal", {}),
     ("Ichimoku", {}), ("KaufmanAdaptiveMovingAverage", {"Length": 10})],
)  # fmt: skip
def test_prefix_and_reset(ind, bars, name, props):
    """No look-ahead (a run on a prefix equals the prefix of the full run) and Reset() restarts identically."""
    indicator = make(ind, name, props)
    full = run(ind, indicator, bars, raw=True)
    indicator.Reset()
    again = run(ind, indicator, bars, raw=True)
    for a, b in zip(full, again, strict=True):
        np.testing.assert_array_equal(a, b)
    k = 300
    prefix = run(ind, make(ind, name, props), {key: val[:k] for key, val in bars.items()}, raw=True)
    for a, b in zip(full, prefix, strict=True):
        np.testing.assert_array_equal(a[:k], b)


def test_incremental_process_equals_bulk(ind, bars):
    """Feeding candles one by one through Process (as Bind does) gives the runner's numbers."""
    import System  # type: ignore[import-not-found]
    from StockSharp.Messages import CandleStates, TimeFrameCandleMessage  # type: ignore[import-not-found]

    indicator = make(ind, "BollingerBands", {"Length": 20})
    (mid, up, low) = run(ind, make(ind, "BollingerBands", {"Length": 20}), bars)
    for i in range(60):
        candle = TimeFrameCandleMessage(System.TimeSpan.FromDays(1))
        candle.OpenPrice = System.Decimal(float(bars["open"][i]))
        candle.HighPrice = System.Decimal(float(bars["high"][i]))
        candle.LowPrice = System.Decimal(float(bars["low"][i]))
        candle.ClosePrice = System.Decimal(float(bars["close"][i]))
        candle.TotalVolume = System.Decimal(float(bars["volume"][i]))
        candle.State = CandleStates.Finished
        value = indicator.Process(ind.CandleIndicatorValue(indicator, candle))
        assert value.IsFormed == (i >= 19)
        if value.IsFormed:
            typed = value  # the bridge's codec hands interface-typed values as their own class
            assert isinstance(typed, ind.BollingerBandsValue)
            assert float(System.Decimal.ToDouble(typed.UpBand)) == pytest.approx(up[i], rel=1e-12)
            assert float(System.Decimal.ToDouble(typed.MovingAverage)) == pytest.approx(mid[i], rel=1e-12)


def test_candle_indicator_rejects_numbers(ind):
    import System  # type: ignore[import-not-found]

    atr = ind.AverageTrueRange()
    with pytest.raises(Exception, match="needs candles"):
        ind.IndicatorHelper.Process(atr, System.Decimal(1.0), System.DateTimeOffset.UtcNow, True)


def test_relative_vigor_index(ind, bars):
    o, h, lw, c = bars["open"], bars["high"], bars["low"], bars["close"]
    n = 10
    co, hl = pd.Series(c - o), pd.Series(h - lw)
    num = (co + 2 * co.shift(1) + 2 * co.shift(2) + co.shift(3)) / 6
    den = (hl + 2 * hl.shift(1) + 2 * hl.shift(2) + hl.shift(3)) / 6
    rvi = num.rolling(n).sum() / den.rolling(n).sum()
    sig = (rvi + 2 * rvi.shift(1) + 2 * rvi.shift(2) + rvi.shift(3)) / 6
    ga, gs = run(ind, make(ind, "RelativeVigorIndex", {"Average.Length": n}), bars)
    check(ga, rvi.where(sig.notna()).to_numpy(), "rvi")
    check(gs, sig.to_numpy(), "rvi signal")
    assert first_valid(gs) == n + 5
