"""The engine's indicators on whole arrays: one .NET call per series, bulk copies both ways.

Each function runs the same C# code the strategies use bar by bar (``Compute`` of the classes in
``PyStockSharp.Engine.Indicators``; formulas and warm-up lengths in ``docs/indicators.md``), so a
vectorized strategy and a per-bar one see identical numbers. Outputs are float64 with NaN during
the warm-up. Single-output functions return a numpy array, or a ``pd.Series`` on the input's index
when the input is a ``pd.Series``; multi-output ones return a ``pd.DataFrame`` (columns named as in
the engine). Prices in, prices out; RSI, stochastic, ADX/DI are in 0..100, ROC in percent.

Example::

    from pystocksharp import indicators as ta
    fast = ta.sma(data["close"], 10)
    bands = ta.bollinger(data["close"], 20, 2.0)     # DataFrame: middle, upper, lower
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pystocksharp import bridge

__all__ = [
    "adx",
    "atr",
    "bollinger",
    "cci",
    "donchian",
    "ema",
    "highest",
    "lowest",
    "macd",
    "obv",
    "roc",
    "rsi",
    "sma",
    "stochastic",
    "vwap",
    "wma",
]

DAY_NS = 86_400 * 10**9


def _ind() -> Any:
    return bridge.engine_namespace().Indicators


def _index_of(*inputs: Any) -> pd.Index | None:
    for x in inputs:
        if isinstance(x, pd.Series):
            return x.index
    return None


def _net(values: Any) -> Any:
    arr = values.to_numpy(dtype=np.float64) if isinstance(values, pd.Series) else values
    return bridge.to_net_doubles(arr)


def _same_length(*inputs: Any) -> None:
    lengths = {len(x) for x in inputs}
    if len(lengths) > 1:
        raise ValueError(f"input lengths differ: {[len(x) for x in inputs]}")


def _length(name: str, value: int) -> int:
    if int(value) != value or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def _single(net_array: Any, index: pd.Index | None) -> np.ndarray | pd.Series:
    out = bridge.to_numpy(net_array)
    return out if index is None else pd.Series(out, index=index)


def _columns(net_columns: Any, index: pd.Index | None) -> pd.DataFrame:
    names = [str(n) for n in net_columns.Names]
    data = {name: bridge.to_numpy(col) for name, col in zip(names, net_columns.Columns, strict=True)}
    return pd.DataFrame(data, index=index)


# ---- one input ---------------------------------------------------------------------------------


def _one(cls_name: str, x: Any, length: int) -> np.ndarray | pd.Series:
    cls = getattr(_ind(), cls_name)
    return _single(cls.Compute(_net(x), _length("length", length)), _index_of(x))


def sma(x: Any, length: int) -> np.ndarray | pd.Series:
    """Simple moving average of the last ``length`` values; first value at index length-1."""
    return _one("SimpleMovingAverage", x, length)


def ema(x: Any, length: int) -> np.ndarray | pd.Series:
    """EMA, alpha = 2/(length+1), seeded with the SMA of the first ``length`` values."""
    return _one("ExponentialMovingAverage", x, length)


def wma(x: Any, length: int) -> np.ndarray | pd.Series:
    """Linearly weighted moving average (newest weight ``length``)."""
    return _one("WeightedMovingAverage", x, length)


def rsi(x: Any, length: int = 14) -> np.ndarray | pd.Series:
    """Wilder's RSI (0..100); first value at index ``length``."""
    return _one("RelativeStrengthIndex", x, length)


def roc(x: Any, length: int) -> np.ndarray | pd.Series:
    """Rate of change in percent: 100 (x[t] - x[t-length]) / x[t-length]."""
    return _one("RateOfChange", x, length)


def highest(x: Any, length: int) -> np.ndarray | pd.Series:
    """Maximum of the last ``length`` values."""
    return _one("Highest", x, length)


def lowest(x: Any, length: int) -> np.ndarray | pd.Series:
    """Minimum of the last ``length`` values."""
    return _one("Lowest", x, length)


def bollinger(x: Any, length: int = 20, width: float = 2.0) -> pd.DataFrame:
    """Bollinger Bands: middle = SMA, upper/lower = middle ± width × population std (÷length)."""
    net = _ind().BollingerBands.Compute(_net(x), _length("length", length), float(width))
    return _columns(net, _index_of(x))


def macd(x: Any, fast: int = 12, slow: int = 26, signal: int = 9) -> pd.DataFrame:
    """MACD line (EMA fast - EMA slow), signal (EMA of the line), histogram (line - signal)."""
    net = _ind().MovingAverageConvergenceDivergence.Compute(
        _net(x), _length("fast", fast), _length("slow", slow), _length("signal", signal)
    )
    return _columns(net, _index_of(x))


# ---- candles -----------------------------------------------------------------------------------


def atr(high: Any, low: Any, close: Any, length: int = 14) -> np.ndarray | pd.Series:
    """Wilder's average true range (price units); first value at index length-1."""
    _same_length(high, low, close)
    net = _ind().AverageTrueRange.Compute(_net(high), _net(low), _net(close), _length("length", length))
    return _single(net, _index_of(high, low, close))


def stochastic(high: Any, low: Any, close: Any, k: int = 14, d: int = 3) -> pd.DataFrame:
    """Stochastic oscillator: %K over ``k`` bars and %D = SMA(d) of %K (columns ``k``, ``d``; 0..100)."""
    _same_length(high, low, close)
    net = _ind().StochasticOscillator.Compute(
        _net(high), _net(low), _net(close), _length("k", k), _length("d", d)
    )
    return _columns(net, _index_of(high, low, close))


def donchian(high: Any, low: Any, length: int = 20) -> pd.DataFrame:
    """Donchian channel: highest high, lowest low of ``length`` bars and their midpoint."""
    _same_length(high, low)
    net = _ind().DonchianChannels.Compute(_net(high), _net(low), _length("length", length))
    return _columns(net, _index_of(high, low))


def adx(high: Any, low: Any, close: Any, length: int = 14) -> pd.DataFrame:
    """Wilder's ADX with +DI and -DI (0..100); DI from index ``length``, ADX from 2·length - 1."""
    _same_length(high, low, close)
    net = _ind().AverageDirectionalIndex.Compute(
        _net(high), _net(low), _net(close), _length("length", length)
    )
    return _columns(net, _index_of(high, low, close))


def cci(high: Any, low: Any, close: Any, length: int = 20) -> np.ndarray | pd.Series:
    """Commodity channel index with the 0.015 constant and the mean absolute deviation."""
    _same_length(high, low, close)
    net = _ind().CommodityChannelIndex.Compute(_net(high), _net(low), _net(close), _length("length", length))
    return _single(net, _index_of(high, low, close))


def obv(close: Any, volume: Any) -> np.ndarray | pd.Series:
    """On-balance volume, 0 on the first bar."""
    _same_length(close, volume)
    return _single(_ind().OnBalanceVolume.Compute(_net(close), _net(volume)), _index_of(close, volume))


def _times_ns(time: Any) -> np.ndarray:
    if isinstance(time, pd.DatetimeIndex | pd.Series) and isinstance(
        time.dtype, pd.DatetimeTZDtype | np.dtype
    ):
        values = pd.DatetimeIndex(time)
        if values.tz is not None:
            values = values.tz_convert("UTC")
        return np.ascontiguousarray(values.as_unit("ns").asi8, dtype=np.int64)
    return np.ascontiguousarray(np.asarray(time), dtype=np.int64)


def vwap(
    time: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any,
    *,
    session_ns: int = DAY_NS,
    offset_ns: int = 0,
) -> np.ndarray | pd.Series:
    """Volume-weighted average of the typical price (H+L+C)/3 since the session start.

    ``time``: bar open times (UTC ``DatetimeIndex``/Series or int64 ns). Sessions are
    ``floor((time - offset_ns) / session_ns)`` (default: UTC days).
    """
    _same_length(time, high, low, close, volume)
    t = _times_ns(time)
    c = np.ascontiguousarray(
        pd.Series(close).to_numpy(dtype=np.float64) if isinstance(close, pd.Series) else close,
        dtype=np.float64,
    )
    series = bridge.candle_series_from_arrays(
        t,
        c,
        *(np.ascontiguousarray(v.to_numpy(dtype=np.float64) if isinstance(v, pd.Series) else v, dtype=np.float64)
          for v in (high, low, close, volume)),
    )  # fmt: skip
    net = _ind().VolumeWeightedAveragePrice.Compute(series, int(session_ns), int(offset_ns))
    index = _index_of(high, low, close, volume)
    return _single(net, index)
