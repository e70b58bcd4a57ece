import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import ExponentialMovingAverage
from StockSharp.Algo.Strategies import Strategy


class ema_cross_strategy(Strategy):
    """
    Exponential moving-average crossover: an up-cross of the fast EMA over the slow one reverses to long
    Volume, a down-cross to short (the rule of EmaCrossStrategy.cs and of the native EmaCrossFile.cs).
    """

    def __init__(self):
        super(ema_cross_strategy, self).__init__()
        self._fast_length = self.Param("FastLength", 10) \
            .SetGreaterThanZero() \
            .SetDisplay("Fast EMA", "Fast EMA length", "Indicators") \
            .SetOptimize(5, 50, 5)
        self._slow_length = self.Param("SlowLength", 30) \
            .SetGreaterThanZero() \
            .SetDisplay("Slow EMA", "Slow EMA length", "Indicators") \
            .SetOptimize(20, 200, 10)
        self._trade_volume = self.Param("TradeVolume", 1.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Volume", "Position size", "Trading")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(1))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")
        self._prev_fast = 0.0
        self._prev_slow = 0.0
        self._has_prev = False

    def OnReseted(self):
        super(ema_cross_strategy, self).OnReseted()
        self._has_prev = False

    def OnStarted2(self, time):
        super(ema_cross_strategy, self).OnStarted2(time)
        self.Volume = self._trade_volume.Value
        fast = ExponentialMovingAverage()
        fast.Length = self._fast_length.Value
        slow = ExponentialMovingAverage()
        slow.Length = self._slow_length.Value
        self.SubscribeCandles(self._candle_type.Value).Bind(fast, slow, self.process_candle).Start()

    def process_candle(self, candle, fast, slow):
        if candle.State != CandleStates.Finished:
            return
        if self._has_prev:
            if self._prev_fast <= self._prev_slow and fast > slow and self.Position <= 0:
                self.BuyMarket(self.Volume + Math.Abs(self.Position))
            elif self._prev_fast >= self._prev_slow and fast < slow and self.Position >= 0:
                self.SellMarket(self.Volume + Math.Abs(self.Position))
        self._prev_fast = fast
        self._prev_slow = slow
        self._has_prev = True

    def CreateClone(self):
        return ema_cross_strategy()
