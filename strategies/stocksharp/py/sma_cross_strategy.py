import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")

from System import TimeSpan
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import SimpleMovingAverage
from StockSharp.Algo.Strategies import Strategy


class sma_cross_strategy(Strategy):
    """
    Moving-average crossover: long when the fast SMA crosses above the slow one, short when it crosses
    below (the rule of SmaCrossStrategy.cs and of the built-in native "sma_cross").
    """

    def __init__(self):
        super(sma_cross_strategy, self).__init__()
        self._fast = self.Param("Fast", 10) \
            .SetGreaterThanZero() \
            .SetDisplay("Fast SMA", "Fast moving average length", "Indicators") \
            .SetOptimize(5, 50, 5)
        self._slow = self.Param("Slow", 20) \
            .SetGreaterThanZero() \
            .SetDisplay("Slow SMA", "Slow moving average length", "Indicators") \
            .SetOptimize(20, 200, 10)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromDays(1))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")
        self._prev_fast = None
        self._prev_slow = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(sma_cross_strategy, self).OnReseted()
        self._prev_fast = None
        self._prev_slow = None

    def OnStarted2(self, time):
        super(sma_cross_strategy, self).OnStarted2(time)
        fast = SimpleMovingAverage()
        fast.Length = self._fast.Value
        slow = SimpleMovingAverage()
        slow.Length = self._slow.Value
        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(fast, slow, self.process_candle).Start()
        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, fast)
            self.DrawIndicator(area, slow)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, fast, slow):
        if candle.State != CandleStates.Finished:
            return
        if self._prev_fast is not None and self.IsFormedAndOnlineAndAllowTrading():
            if self._prev_fast <= self._prev_slow and fast > slow and self.Position <= 0:
                self.BuyMarket(self.Volume - self.Position)
            elif self._prev_fast >= self._prev_slow and fast < slow and self.Position >= 0:
                self.SellMarket(self.Volume + self.Position)
        self._prev_fast = fast
        self._prev_slow = slow

    def CreateClone(self):
        return sma_cross_strategy()
