import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import WeightedMovingAverage
from StockSharp.Algo.Strategies import Strategy


class wma_slope_strategy(Strategy):
    """
    Weighted moving-average slope: long while the close is above a rising WMA, short while it is below a
    falling one; the position reverses when the opposite condition appears (a flat WMA keeps the position).
    """

    def __init__(self):
        super(wma_slope_strategy, self).__init__()
        self._length = self.Param("Length", 20) \
            .SetGreaterThanZero() \
            .SetDisplay("WMA length", "Weighted moving average length", "Indicators") \
            .SetOptimize(10, 60, 5)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._prev_wma = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(wma_slope_strategy, self).OnReseted()
        self._prev_wma = None

    def OnStarted2(self, time):
        super(wma_slope_strategy, self).OnStarted2(time)

        wma = WeightedMovingAverage()
        wma.Length = self._length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(wma, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, wma)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, wma):
        if candle.State != CandleStates.Finished:
            return

        if self._prev_wma is not None and self.IsFormedAndOnlineAndAllowTrading():
            rising = wma > self._prev_wma
            falling = wma < self._prev_wma

            if rising and candle.ClosePrice > wma and self.Position <= 0:
                self.BuyMarket(self.Volume + Math.Abs(self.Position))
            elif falling and candle.ClosePrice < wma and self.Position >= 0:
                self.SellMarket(self.Volume + Math.Abs(self.Position))

        self._prev_wma = wma

    def CreateClone(self):
        return wma_slope_strategy()
