import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import AverageDirectionalIndex
from StockSharp.Algo.Strategies import Strategy


class adx_di_cross_strategy(Strategy):
    """
    Directional-indicator crossings confirmed by trend strength: long when DI+ crosses above DI- while the ADX
    is above AdxThreshold, short on the opposite cross; any position is closed when the ADX falls under
    ExitLevel.
    """

    def __init__(self):
        super(adx_di_cross_strategy, self).__init__()
        self._length = self.Param("Length", 14) \
            .SetGreaterThanZero() \
            .SetDisplay("ADX length", "Directional movement length", "Indicators") \
            .SetOptimize(7, 28, 7)
        self._adx_threshold = self.Param("AdxThreshold", 20.0) \
            .SetGreaterThanZero() \
            .SetDisplay("ADX threshold", "Minimum ADX for an entry", "Signals") \
            .SetOptimize(15.0, 35.0, 5.0)
        self._exit_level = self.Param("ExitLevel", 15.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Exit level", "ADX under which positions are closed", "Signals")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._plus_was_above = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(adx_di_cross_strategy, self).OnReseted()
        self._plus_was_above = None

    def OnStarted2(self, time):
        super(adx_di_cross_strategy, self).OnStarted2(time)

        adx = AverageDirectionalIndex()
        adx.Length = self._length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.BindEx(adx, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawOwnTrades(area)
            self.DrawIndicator(self.CreateChartArea(), adx)

    def process_candle(self, candle, value):
        if candle.State != CandleStates.Finished or not value.IsFormed:
            return

        adx = value.MovingAverage
        plus = value.Dx.Plus
        minus = value.Dx.Minus
        if adx is None or plus is None or minus is None:
            return

        plus_above = plus > minus
        was = self._plus_was_above
        threshold = self._adx_threshold.Value

        if was is not None and self.IsFormedAndOnlineAndAllowTrading():
            if self.Position != 0 and adx < self._exit_level.Value:
                self.ClosePosition()
            elif not was and plus_above and adx > threshold and self.Position <= 0:
                self.BuyMarket(self.Volume + Math.Abs(self.Position))
            elif was and not plus_above and adx > threshold and self.Position >= 0:
                self.SellMarket(self.Volume + Math.Abs(self.Position))

        self._plus_was_above = plus_above

    def CreateClone(self):
        return adx_di_cross_strategy()
