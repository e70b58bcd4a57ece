import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import CommodityChannelIndex
from StockSharp.Algo.Strategies import Strategy


class cci_breakout_strategy(Strategy):
    """
    Commodity channel index breakout: long when the CCI crosses above +Level, short when it crosses below
    -Level; a long is closed once the CCI drops below zero, a short once it rises above zero.
    """

    def __init__(self):
        super(cci_breakout_strategy, self).__init__()
        self._cci_length = self.Param("CciLength", 20) \
            .SetGreaterThanZero() \
            .SetDisplay("CCI length", "Commodity channel index length", "Indicators") \
            .SetOptimize(10, 40, 5)
        self._level = self.Param("Level", 100.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Level", "Breakout level (+/-)", "Signals") \
            .SetOptimize(50.0, 200.0, 25.0)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._prev_cci = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(cci_breakout_strategy, self).OnReseted()
        self._prev_cci = None

    def OnStarted2(self, time):
        super(cci_breakout_strategy, self).OnStarted2(time)

        cci = CommodityChannelIndex()
        cci.Length = self._cci_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(cci, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawOwnTrades(area)
            self.DrawIndicator(self.CreateChartArea(), cci)

    def process_candle(self, candle, cci):
        if candle.State != CandleStates.Finished:
            return

        prev = self._prev_cci
        if prev is not None and self.IsFormedAndOnlineAndAllowTrading():
            level = self._level.Value
            if self.Position > 0 and cci < 0:
                self.SellMarket(self.Position)
            elif self.Position < 0 and cci > 0:
                self.BuyMarket(Math.Abs(self.Position))
            elif self.Position == 0 and prev <= level and cci > level:
                self.BuyMarket(self.Volume)
            elif self.Position == 0 and prev >= -level and cci < -level:
                self.SellMarket(self.Volume)

        self._prev_cci = cci

    def CreateClone(self):
        return cci_breakout_strategy()
