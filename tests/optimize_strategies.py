"""Python strategies used by tests/test_optimize*.py (loaded as 'tests/optimize_strategies.py:Class')."""

from __future__ import annotations

from pystocksharp.strategy import Candle, Param, Strategy


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
