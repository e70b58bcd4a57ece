import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import RateOfChange, SimpleMovingAverage
from StockSharp.Algo.Strategies import Strategy


class roc_momentum_strategy(Strategy):
    """
    Rate-of-change momentum with a trend filter: long when the ROC crosses above zero while the close is above
    the SMA, short when it crosses below zero while the close is under it; a zero cross against the position
    closes it. Older OnStarted style.
    """

    def __init__(self):
        super(roc_momentum_strategy, self).__init__()
        self._roc_length = self.Param("RocLength", 12) \
            .SetGreaterThanZero() \
            .SetDisplay("ROC length", "Rate-of-change lookback", "Indicators") \
            .SetOptimize(5, 30, 5)
        self._sma_length = self.Param("SmaLength", 50) \
            .SetGreaterThanZero() \
            .SetDisplay("SMA length", "Trend filter length", "Indicators") \
            .SetOptimize(20, 200, 20)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._prev_roc = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(roc_momentum_strategy, self).OnReseted()
        self._prev_roc = None

    def OnStarted(self, time):
        super(roc_momentum_strategy, self).OnStarted(time)

        roc = RateOfChange()
        roc.Length = self._roc_length.Value
        sma = SimpleMovingAverage()
        sma.Length = self._sma_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(roc, sma, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, sma)
            self.DrawOwnTrades(area)
            self.DrawIndicator(self.CreateChartArea(), roc)

    def process_candle(self, candle, roc, sma):
        if candle.State != CandleStates.Finished:
            return

        prev = self._prev_roc
        if prev is not None and self.IsFormedAndOnlineAndAllowTrading():
            close = candle.ClosePrice

            if prev <= 0 and roc > 0:
                if close > sma and self.Position <= 0:
                    self.BuyMarket(self.Volume + Math.Abs(self.Position))
                elif self.Position < 0:
                    self.BuyMarket(Math.Abs(self.Position))
            elif prev >= 0 and roc < 0:
                if close < sma and self.Position >= 0:
                    self.SellMarket(self.Volume + Math.Abs(self.Position))
                elif self.Position > 0:
                    self.SellMarket(self.Position)

        self._prev_roc = roc

    def CreateClone(self):
        return roc_momentum_strategy()
