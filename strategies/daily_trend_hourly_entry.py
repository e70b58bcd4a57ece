"""Several time frames of one instrument, in Python: the twin of ``strategies/DailyTrendHourlyEntry.cs``.

Run on hourly data; ``timeframes = ("1d",)`` makes the engine build the daily candles and deliver each once the
day has closed (series 1). Long only: while the last closed day's close is above its ``daily_length``-day SMA,
an hourly close crossing above the ``hourly_length``-hour SMA buys ``volume``; a cross below (or a down trend)
sells it::

    pystocksharp backtest -s strategies/daily_trend_hourly_entry.py:DailyTrendHourlyEntry -d sample:EURUSD_1h
"""

from __future__ import annotations

import math

from pystocksharp import indicators
from pystocksharp.strategy import Param, Strategy


class DailyTrendHourlyEntry(Strategy):
    """Daily SMA trend filter, hourly SMA-cross entries."""

    name = "daily_trend_hourly_entry_py"
    timeframes = ("1d",)
    daily_length = Param(5, min=1, max=1000, optimize=(3, 20, 1))
    hourly_length = Param(20, min=2, max=10000, optimize=(10, 50, 5))
    volume = Param(10000.0)

    def on_started(self) -> None:
        self.close = self.arrays.close
        self.daily_close = self.series_arrays(1).close
        self.hourly_sma = indicators.sma(self.close, self.hourly_length)
        self.daily_sma = indicators.sma(self.daily_close, self.daily_length)

    def on_bar(self, i: int) -> None:
        d = self.last_index(1)
        if i == 0 or d < 0 or math.isnan(self.daily_sma[d]) or math.isnan(self.hourly_sma[i - 1]):
            return
        up = self.daily_close[d] > self.daily_sma[d]
        c, pc = self.close[i], self.close[i - 1]
        cross_up = pc <= self.hourly_sma[i - 1] and c > self.hourly_sma[i]
        cross_down = pc >= self.hourly_sma[i - 1] and c < self.hourly_sma[i]
        if up and cross_up and self.position <= 0:
            self.buy_market(self.volume - self.position)
        elif (cross_down or not up) and self.position > 0:
            self.sell_market(self.position)
