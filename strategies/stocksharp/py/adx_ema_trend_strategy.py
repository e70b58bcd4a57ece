import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import AverageDirectionalIndex, ExponentialMovingAverage
from StockSharp.Algo.Strategies import Strategy


class adx_ema_trend_strategy(Strategy):
    """
    Trend following gated by the ADX: long while the ADX is above TrendLevel, DI+ leads DI- and the close is
    above the EMA; short in the mirrored situation; flat as soon as the setup behind the position no longer
    holds.
    """

    def __init__(self):
        super(adx_ema_trend_strategy, self).__init__()
        self._adx_length = self.Param("AdxLength", 14) \
            .SetGreaterThanZero() \
            .SetDisplay("ADX length", "Directional movement length", "Indicators") \
            .SetOptimize(7, 28, 7)
        self._ema_length = self.Param("EmaLength", 30) \
            .SetGreaterThanZero() \
            .SetDisplay("EMA length", "Trend EMA length", "Indicators") \
            .SetOptimize(10, 100, 10)
        self._trend_level = self.Param("TrendLevel", 20.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Trend level", "ADX above which a trend is traded", "Signals") \
            .SetOptimize(15.0, 35.0, 5.0)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnStarted2(self, time):
        super(adx_ema_trend_strategy, self).OnStarted2(time)

        adx = AverageDirectionalIndex()
        adx.Length = self._adx_length.Value
        ema = ExponentialMovingAverage()
        ema.Length = self._ema_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(adx, ema, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, ema)
            self.DrawOwnTrades(area)
            self.DrawIndicator(self.CreateChartArea(), adx)

    def process_candle(self, candle, plus, minus, adx, ema):
        if candle.State != CandleStates.Finished or not self.IsFormedAndOnlineAndAllowTrading():
            return

        close = candle.ClosePrice
        trending = adx > self._trend_level.Value
        long_setup = trending and plus > minus and close > ema
        short_setup = trending and minus > plus and close < ema

        if long_setup and self.Position <= 0:
            self.BuyMarket(self.Volume + Math.Abs(self.Position))
        elif short_setup and self.Position >= 0:
            self.SellMarket(self.Volume + Math.Abs(self.Position))
        elif self.Position > 0 and not long_setup:
            self.SellMarket(self.Position)
        elif self.Position < 0 and not short_setup:
            self.BuyMarket(Math.Abs(self.Position))

    def CreateClone(self):
        return adx_ema_trend_strategy()
