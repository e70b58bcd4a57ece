import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import ExponentialMovingAverage, SimpleMovingAverage, WeightedMovingAverage
from StockSharp.Algo.Strategies import Strategy


class ma_stack_strategy(Strategy):
    """
    Three stacked averages: long while EMA(fast) > SMA(middle) > WMA(slow), short while the stack is inverted,
    flat whenever the averages are not in order.
    """

    def __init__(self):
        super(ma_stack_strategy, self).__init__()
        self._fast_length = self.Param("FastLength", 8) \
            .SetGreaterThanZero() \
            .SetDisplay("Fast EMA", "Fast exponential average length", "Indicators") \
            .SetOptimize(4, 20, 2)
        self._middle_length = self.Param("MiddleLength", 21) \
            .SetGreaterThanZero() \
            .SetDisplay("Middle SMA", "Middle simple average length", "Indicators") \
            .SetOptimize(15, 50, 5)
        self._slow_length = self.Param("SlowLength", 55) \
            .SetGreaterThanZero() \
            .SetDisplay("Slow WMA", "Slow weighted average length", "Indicators") \
            .SetOptimize(40, 120, 10)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnStarted2(self, time):
        super(ma_stack_strategy, self).OnStarted2(time)

        fast = ExponentialMovingAverage()
        fast.Length = self._fast_length.Value
        middle = SimpleMovingAverage()
        middle.Length = self._middle_length.Value
        slow = WeightedMovingAverage()
        slow.Length = self._slow_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(fast, middle, slow, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, fast)
            self.DrawIndicator(area, middle)
            self.DrawIndicator(area, slow)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, fast, middle, slow):
        if candle.State != CandleStates.Finished or not self.IsFormedAndOnlineAndAllowTrading():
            return

        bullish = fast > middle and middle > slow
        bearish = fast < middle and middle < slow

        if bullish and self.Position <= 0:
            self.BuyMarket(self.Volume + Math.Abs(self.Position))
        elif bearish and self.Position >= 0:
            self.SellMarket(self.Volume + Math.Abs(self.Position))
        elif not bullish and not bearish and self.Position != 0:
            self.ClosePosition()

    def CreateClone(self):
        return ma_stack_strategy()
