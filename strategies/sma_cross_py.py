"""SMA crossover in Python: the same rule as the engine's C# ``SmaCross`` (built-in ``sma_cross``).

At bar t, with both SMAs formed at t-1 and at t:

* up-cross   (fast[t-1] <= slow[t-1] and fast[t] > slow[t]) with position <= 0: buy volume - position;
* down-cross (fast[t-1] >= slow[t-1] and fast[t] < slow[t]) with position >= 0: sell volume + position.

So the strategy reverses between +volume and -volume (units). The SMAs use the engine's exact
arithmetic (running sum, recomputed from the window once per full cycle), so both versions see
bit-identical values and give identical fills.

``SmaCrossVectorized`` computes the same signals over whole arrays (``signals``, SMAs from the
engine's ``SimpleMovingAverage.Compute``: one bulk call, the same arithmetic) and runs in one
engine call (``BacktestEngine.RunTargets``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pystocksharp import bridge
from pystocksharp.strategy import Candle, Param, Strategy
from pystocksharp.vectorized import VectorStrategy

_NAN = float("nan")


class IncrementalSma:
    """Simple moving average of the last ``length`` values, formed after ``length`` values.

    Same floating-point operations, in the same order, as the engine's ``SimpleMovingAverage``.
    """

    __slots__ = ("length", "buf", "pos", "count", "total")

    def __init__(self, length: int) -> None:
        if length < 1:
            raise ValueError(f"length must be >= 1, got {length}")
        self.length = length
        self.buf = [0.0] * length
        self.pos = 0
        self.count = 0
        self.total = 0.0

    def process(self, x: float) -> float:
        """Feeds one value; returns the SMA, or NaN while fewer than ``length`` values were seen."""
        buf, pos, n = self.buf, self.pos, self.length
        if self.count < n:
            self.count += 1
            self.total += x
        else:
            self.total += x - buf[pos]
        buf[pos] = x
        pos += 1
        if pos == n:
            pos = 0
        self.pos = pos
        if self.count < n:
            return _NAN
        if pos == 0:  # once per full cycle: the exact window sum, left to right (bounds drift)
            s = 0.0
            for value in buf:
                s += value
            self.total = s
        return self.total / n


class SmaCrossPy(Strategy):
    """Reversal SMA crossover (fast/slow bar counts, volume in units) written in Python."""

    name = "sma_cross_py"
    fast = Param(
        10,
        min=1,
        max=100000,
        optimize=(5, 50, 5),
        display="Fast SMA",
        description="Fast moving average length",
        group="Indicators",
    )
    slow = Param(
        20,
        min=1,
        max=100000,
        optimize=(20, 200, 10),
        display="Slow SMA",
        description="Slow moving average length",
        group="Indicators",
    )
    volume = Param(
        1.0,
        min=1e-12,
        display="Volume",
        description="Position size when in the market (units)",
        group="Trading",
    )

    def on_started(self) -> None:
        self._fast_sma = IncrementalSma(self.fast)
        self._slow_sma = IncrementalSma(self.slow)
        self._trade_volume = self.volume
        self._prev_fast = _NAN
        self._prev_slow = _NAN

    def on_candle(self, candle: Candle) -> None:
        x = candle.close
        f = self._fast_sma.process(x)
        s = self._slow_sma.process(x)
        pf, ps = self._prev_fast, self._prev_slow
        self._prev_fast, self._prev_slow = f, s
        # NaN compares false: nothing happens until both SMAs are formed at t-1 and t
        if pf <= ps and f > s:
            pos = self.position
            if pos <= 0:
                self.buy_market(self._trade_volume - pos)
        elif pf >= ps and f < s:
            pos = self.position
            if pos >= 0:
                self.sell_market(self._trade_volume + pos)


def sma_exact(values: np.ndarray, length: int) -> np.ndarray:
    """Whole-array SMA with :class:`IncrementalSma`'s arithmetic (NaN for the first length-1 values).

    A Python loop (about 1 us per value); the engine's ``SimpleMovingAverage.Compute``
    (``bridge.compute_indicator``) gives the same values in bulk."""
    sma = IncrementalSma(length)
    return np.fromiter((sma.process(x) for x in values.tolist()), dtype=np.float64, count=len(values))


class SmaCrossVectorized(VectorStrategy):
    """The same crossover as :class:`SmaCrossPy`, as a target position per bar (NaN = no change)."""

    name = "sma_cross_vec"
    fast = SmaCrossPy.fast
    slow = SmaCrossPy.slow
    volume = SmaCrossPy.volume

    def signals(self, data: pd.DataFrame) -> np.ndarray:
        close = data["close"].to_numpy(dtype=np.float64)
        f = bridge.compute_indicator("SimpleMovingAverage", close, self.fast)
        s = bridge.compute_indicator("SimpleMovingAverage", close, self.slow)
        pf = np.concatenate(([np.nan], f[:-1]))
        ps = np.concatenate(([np.nan], s[:-1]))
        with np.errstate(invalid="ignore"):
            up = (pf <= ps) & (f > s)
            down = (pf >= ps) & (f < s)
        target = np.full(len(close), np.nan)
        target[up] = self.volume
        target[down] = -self.volume
        return target
