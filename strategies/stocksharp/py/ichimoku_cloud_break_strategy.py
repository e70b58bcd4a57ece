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


class ichimoku_cloud_break_strategy(Strategy):
    """
    Ichimoku cloud breaks: long when the close moves from inside or under the cloud to above it, short when it
    moves under it; a long is closed when the close drops under the Kijun, a short when it rises above it.
    Older OnStarted style.
    """

    def __init__(self):
        super(ichimoku_cloud_break_strategy, self).__init__()
        self._tenkan_length = self.Param("TenkanLength", 9) \
            .SetGreaterThanZero() \
            .SetDisplay("Tenkan", "Conversion line length", "Indicators")
        self._kijun_length = self.Param("KijunLength", 26) \
            .SetGreaterThanZero() \
            .SetDisplay("Kijun", "Base line length", "Indicators") \
            .SetOptimize(15, 40, 5)
        self._senkou_length = self.Param("SenkouLength", 52) \
            .SetGreaterThanZero() \
            .SetDisplay("Senkou B", "Leading span B length", "Indicators")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._prev_zone = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(ichimoku_cloud_break_strategy, self).OnReseted()
        self._prev_zone = None

    def OnStarted(self, time):
        super(ichimoku_cloud_break_strategy, self).OnStarted(time)

        ichimoku = Ichimoku()
        ichimoku.Tenkan.Length = self._tenkan_length.Value
        ichimoku.Kijun.Length = self._kijun_length.Value
        ichimoku.SenkouB.Length = self._senkou_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(ichimoku, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, ichimoku)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, tenkan, kijun, senkou_a, senkou_b, chinkou):
        if candle.State != CandleStates.Finished:
            return

        close = candle.ClosePrice
        if close > max(senkou_a, senkou_b):
            zone = 1
        elif close < min(senkou_a, senkou_b):
            zone = -1
        else:
            zone = 0

        prev = self._prev_zone
        if prev is not None and self.IsFormedAndOnlineAndAllowTrading():
            if prev != 1 and zone == 1 and self.Position <= 0:
                self.BuyMarket(self.Volume + Math.Abs(self.Position))
            elif prev != -1 and zone == -1 and self.Position >= 0:
                self.SellMarket(self.Volume + Math.Abs(self.Position))
            elif self.Position > 0 and close < kijun:
                self.SellMarket(self.Position)
            elif self.Position < 0 and close > kijun:
                self.BuyMarket(Math.Abs(self.Position))

        self._prev_zone = zone

    def CreateClone(self):
        return ichimoku_cloud_break_strategy()
