"""Pairs trading on two instruments, in Python: the twin of ``strategies/PairsSpread.cs`` (same fills).

Run it with two data, the first is A, the second B::

    pystocksharp backtest -s strategies/pairs_spread.py:PairsSpread --data SPX=sample:SPX_1d --data NDX=sample:NASDAQ_1d

At each bar of A, with B's last closed bar: ``ratio = close_A / close_B``; ``z = (ratio - mean) / std`` over the
last ``lookback`` ratios (sample standard deviation). ``z > entry``: short A, long B; ``z < -entry``: long A,
short B; ``|z| < exit``: flat both. Volumes in units: ``volume_a`` of A against ``volume_b`` of B.
"""

from __future__ import annotations

import math

from pystocksharp.strategy import Param, Strategy


class PairsSpread(Strategy):
    """Z-score of the price ratio of two instruments, mean-reverting."""

    name = "pairs_spread_py"
    lookback = Param(60, min=2, max=100000, optimize=(20, 120, 20), display="Lookback", group="Signal")
    entry = Param(2.0, min=0.0, max=100.0, optimize=(1.0, 3.0, 0.5), display="Entry z", group="Signal")
    exit = Param(0.5, min=0.0, max=100.0, display="Exit z", group="Signal")
    volume_a = Param(1.0, display="Volume A", group="Trading")
    volume_b = Param(2.0, display="Volume B", group="Trading")

    def on_started(self) -> None:
        self.ratios: list[float] = []
        self.a, self.b = self.symbols
        self.close_b = self.series_arrays(1).close

    def on_bar(self, index: int) -> None:
        j = self.last_index(1)
        if j < 0:
            return
        self.ratios.append(float(self.arrays.close[index]) / float(self.close_b[j]))
        n = self.lookback
        if len(self.ratios) < n:
            return
        window = self.ratios[-n:]
        total = 0.0
        for r in window:
            total += r
        mean, ss = total / n, 0.0
        for r in window:
            d = r - mean
            ss += d * d
        std = math.sqrt(ss / (n - 1))
        if not std > 0:
            return
        z = (self.ratios[-1] - mean) / std
        want_a, want_b = self.position, self.position_of(self.b)
        if z > self.entry:
            want_a, want_b = -self.volume_a, self.volume_b
        elif z < -self.entry:
            want_a, want_b = self.volume_a, -self.volume_b
        elif abs(z) < self.exit:
            want_a, want_b = 0.0, 0.0
        self._trade(self.a, want_a - self.position)
        self._trade(self.b, want_b - self.position_of(self.b))

    def _trade(self, symbol: str, delta: float) -> None:
        if delta > 0:
            self.buy_market(delta, symbol=symbol)
        elif delta < 0:
            self.sell_market(-delta, symbol=symbol)
