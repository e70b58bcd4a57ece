import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import Ichimoku
from StockSharp.Algo.Strategies import Strategy


class ichimoku_tk_cross_strategy(Strategy):
    """
    Ichimoku Tenkan/Kijun crossings filtered by the cloud: a Tenkan up-cross buys when the close is above the
    cloud's bottom, a down-cross sells when the close is under the cloud's top; a cross against the position
    closes it even when the filter forbids the reversal.
    """

    def __init__(self):
        super(ichimoku_tk_cross_strategy, self).__init__()
        self._tenkan_length = self.Param("TenkanLength", 9) \
            .SetGreaterThanZero() \
            .SetDisplay("Tenkan", "Conversion line length", "Indicators") \
            .SetOptimize(5, 15, 2)
        self._kijun_length = self.Param("KijunLength", 26) \
            .SetGreaterThanZero() \
            .SetDisplay("Kijun", "Base line length", "Indicators") \
            .SetOptimize(15, 40, 5)
        self._senkou_length = self.Param("SenkouLength", 52) \
            .SetGreaterThanZero() \
            .SetDisplay("Senkou B", "Leading span B length", "Indicators")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._tenkan_was_above = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(ichimoku_tk_cross_strategy, self).OnReseted()
        self._tenkan_was_above = None

    def OnStarted2(self, time):
        super(ichimoku_tk_cross_strategy, self).OnStarted2(time)

        ichimoku = Ichimoku()
        ichimoku.Tenkan.Length = self._tenkan_length.Value
        ichimoku.Kijun.Length = self._kijun_length.Value
        ichimoku.SenkouB.Length = self._senkou_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.BindEx(ichimoku, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, ichimoku)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, value):
        if candle.State != CandleStates.Finished or not value.IsFormed:
            return

        tenkan = value.Tenkan
        kijun = value.Kijun
        senkou_a = value.SenkouA
        senkou_b = value.SenkouB
        if tenkan is None or kijun is None or senkou_a is None or senkou_b is None:
            return

        tenkan_above = tenkan > kijun
        was = self._tenkan_was_above

        if was is not None and was != tenkan_above and self.IsFormedAndOnlineAndAllowTrading():
            close = candle.ClosePrice
            cloud_top = max(senkou_a, senkou_b)
            cloud_bottom = min(senkou_a, senkou_b)

            if tenkan_above:
                if close > cloud_bottom and self.Position <= 0:
                    self.BuyMarket(self.Volume + Math.Abs(self.Position))
                elif self.Position < 0:
                    self.BuyMarket(Math.Abs(self.Position))
            else:
                if close < cloud_top and self.Position >= 0:
                    self.SellMarket(self.Volume + Math.Abs(self.Position))
                elif self.Position > 0:
                    self.SellMarket(self.Position)

        self._tenkan_was_above = tenkan_above

    def CreateClone(self):
        return ichimoku_tk_cross_strategy()
