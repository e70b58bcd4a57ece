import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import BollingerBands
from StockSharp.Algo.Strategies import Strategy


class bollinger_fade_strategy(Strategy):
    """
    Bollinger band fade: buy a close under the lower band, sell a close over the upper band, and take the
    position off when the close crosses back over the middle line.
    """

    def __init__(self):
        super(bollinger_fade_strategy, self).__init__()
        self._length = self.Param("Length", 20) \
            .SetGreaterThanZero() \
            .SetDisplay("Length", "Bollinger bands length", "Indicators") \
            .SetOptimize(10, 40, 5)
        self._width = self.Param("Width", 2.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Width", "Band width in standard deviations", "Indicators") \
            .SetOptimize(1.5, 3.0, 0.5)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnStarted2(self, time):
        super(bollinger_fade_strategy, self).OnStarted2(time)

        bollinger = BollingerBands()
        bollinger.Length = self._length.Value
        bollinger.Width = self._width.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(bollinger, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, bollinger)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, middle, upper, lower):
        if candle.State != CandleStates.Finished or not self.IsFormedAndOnlineAndAllowTrading():
            return

        close = candle.ClosePrice

        if self.Position > 0 and close >= middle:
            self.SellMarket(self.Position)
        elif self.Position < 0 and close <= middle:
            self.BuyMarket(Math.Abs(self.Position))
        elif self.Position == 0 and close < lower:
            self.BuyMarket(self.Volume)
        elif self.Position == 0 and close > upper:
            self.SellMarket(self.Volume)

    def CreateClone(self):
        return bollinger_fade_strategy()
