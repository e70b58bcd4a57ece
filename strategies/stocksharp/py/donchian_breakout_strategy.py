import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

import math

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import DonchianChannels
from StockSharp.Algo.Strategies import Strategy


class donchian_breakout_strategy(Strategy):
    """
    Donchian channel breakout sized from the account: a close above the previous candle's upper band buys, a
    close below its lower band sells, each for RiskShare of the portfolio value worth of units (at least one);
    the position is closed when the close crosses the channel middle against it.
    """

    def __init__(self):
        super(donchian_breakout_strategy, self).__init__()
        self._length = self.Param("Length", 20) \
            .SetGreaterThanZero() \
            .SetDisplay("Length", "Donchian channel length", "Indicators") \
            .SetOptimize(10, 60, 5)
        self._risk_share = self.Param("RiskShare", 0.1) \
            .SetGreaterThanZero() \
            .SetDisplay("Account share", "Part of the account value put into one position", "Trading")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._prev_upper = None
        self._prev_lower = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(donchian_breakout_strategy, self).OnReseted()
        self._prev_upper = None
        self._prev_lower = None

    def OnStarted2(self, time):
        super(donchian_breakout_strategy, self).OnStarted2(time)

        donchian = DonchianChannels()
        donchian.Length = self._length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(donchian, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, donchian)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, upper, lower, middle):
        if candle.State != CandleStates.Finished:
            return

        if self._prev_upper is not None and self._prev_lower is not None and self.IsFormedAndOnlineAndAllowTrading():
            close = candle.ClosePrice

            if self.Position > 0 and close < middle:
                self.SellMarket(self.Position)
            elif self.Position < 0 and close > middle:
                self.BuyMarket(Math.Abs(self.Position))
            elif self.Position == 0 and close > self._prev_upper:
                self.BuyMarket(self.size_for(close))
            elif self.Position == 0 and close < self._prev_lower:
                self.SellMarket(self.size_for(close))

        self._prev_upper = upper
        self._prev_lower = lower

    def size_for(self, price):
        value = self.Portfolio.CurrentValue or 0.0
        units = math.floor(value * self._risk_share.Value / price)
        return max(1.0, float(units))

    def CreateClone(self):
        return donchian_breakout_strategy()
