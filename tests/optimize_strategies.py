"""Python strategies used by tests/test_optimize*.py (loaded as 'tests/optimize_strategies.py:Class')."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pystocksharp.strategy import Candle, Param, Strategy
from pystocksharp.vectorized import VectorStrategy


class FailsOnTen(Strategy):
    """Buys 1 unit at bar ``entry`` and sells it at bar ``entry + hold``; raises when ``entry == 10``."""

    name = "fails_on_ten"
    entry = Param(5, min=0)
    hold = Param(20, min=1)

    def on_candle(self, candle: Candle) -> None:
        if candle.index == self.entry:
            if self.entry == 10:
                raise ValueError("entry=10 is refused on purpose")
            self.buy_market(1)
        elif candle.index == self.entry + self.hold:
            self.sell_market(1)


class PlantedPeak(VectorStrategy):
    """Holds ``(200 - |a - 37| - |b - 62|) / 100`` units long from the first bar to the last.

    On data that ends above its first open, net profit is that size times the price gain, so it
    peaks at exactly one grid point, ``a = 37, b = 62`` (for grids containing it), and falls off
    linearly (L1 distance) around it.
    """

    name = "planted_peak"
    a = Param(1, min=1)
    b = Param(1, min=1)

    def signals(self, data: pd.DataFrame) -> np.ndarray:
        size = (200 - abs(self.a - 37) - abs(self.b - 62)) / 100
        return np.full(len(data), float(size))
