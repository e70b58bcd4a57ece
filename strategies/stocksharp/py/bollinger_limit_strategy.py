import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

import math

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import BollingerBands
from StockSharp.Algo.Strategies import Strategy


class bollinger_limit_strategy(Strategy):
    """
    Bollinger band limit orders: while flat the strategy rests a buy limit at the lower band and a sell limit
    at the upper band, moving both to the new bands at every candle (cancel and re-place); once in a position
    it cancels the other entry and rests an exit limit at the middle line. Prices are rounded to the price step.
    """

    def __init__(self):
        super(bollinger_limit_strategy, self).__init__()
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
        super(bollinger_limit_strategy, self).OnStarted2(time)

        bollinger = BollingerBands()
        bollinger.Length = self._length.Value
        bollinger.Width = self._width.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(bollinger, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, bollinger)
            self.DrawOrders(area)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, middle, upper, lower):
        if candle.State != CandleStates.Finished or not self.IsFormedAndOnlineAndAllowTrading():
            return

        self.CancelActiveOrders()

        step = self.Security.PriceStep or 0.01

        if self.Position == 0:
            self.BuyLimit(math.floor(lower / step) * step, self.Volume)
            self.SellLimit(math.ceil(upper / step) * step, self.Volume)
        elif self.Position > 0:
            self.SellLimit(math.ceil(middle / step) * step, self.Position)
        else:
            self.BuyLimit(math.floor(middle / step) * step, Math.Abs(self.Position))

    def CreateClone(self):
        return bollinger_limit_strategy()
