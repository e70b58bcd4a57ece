import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import SuperTrend
from StockSharp.Algo.Strategies import Strategy


class super_trend_flip_strategy(Strategy):
    """
    SuperTrend direction flips: reverse to long when the SuperTrend turns up and to short when it turns down.
    """

    def __init__(self):
        super(super_trend_flip_strategy, self).__init__()
        self._length = self.Param("Length", 10) \
            .SetGreaterThanZero() \
            .SetDisplay("ATR length", "ATR length of the SuperTrend", "Indicators") \
            .SetOptimize(7, 21, 7)
        self._multiplier = self.Param("Multiplier", 2.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Multiplier", "Band distance in ATRs", "Indicators") \
            .SetOptimize(1.0, 4.0, 0.5)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._was_up = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(super_trend_flip_strategy, self).OnReseted()
        self._was_up = None

    def OnStarted2(self, time):
        super(super_trend_flip_strategy, self).OnStarted2(time)

        super_trend = SuperTrend()
        super_trend.Length = self._length.Value
        super_trend.Multiplier = self._multiplier.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.BindEx(super_trend, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, super_trend)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, value):
        if candle.State != CandleStates.Finished or not value.IsFormed:
            return

        is_up = value.IsUpTrend

        if self._was_up is not None and self._was_up != is_up and self.IsFormedAndOnlineAndAllowTrading():
            if is_up and self.Position <= 0:
                self.BuyMarket(self.Volume + Math.Abs(self.Position))
            elif not is_up and self.Position >= 0:
                self.SellMarket(self.Volume + Math.Abs(self.Position))

        self._was_up = is_up

    def CreateClone(self):
        return super_trend_flip_strategy()
