import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import (
    MovingAverageConvergenceDivergenceSignal, MovingAverageConvergenceDivergence, ExponentialMovingAverage)
from StockSharp.Algo.Strategies import Strategy


class macd_histogram_trend_strategy(Strategy):
    """
    MACD histogram with a trend filter: when the histogram (MACD - signal) turns positive and the close is
    above the trend EMA the strategy goes long; when it turns negative and the close is below the EMA it goes
    short; a histogram sign change against the position closes it.
    """

    def __init__(self):
        super(macd_histogram_trend_strategy, self).__init__()
        self._fast_length = self.Param("FastLength", 12) \
            .SetGreaterThanZero() \
            .SetDisplay("Fast EMA", "Short EMA of the MACD", "Indicators")
        self._slow_length = self.Param("SlowLength", 26) \
            .SetGreaterThanZero() \
            .SetDisplay("Slow EMA", "Long EMA of the MACD", "Indicators")
        self._signal_length = self.Param("SignalLength", 9) \
            .SetGreaterThanZero() \
            .SetDisplay("Signal", "Signal line EMA length", "Indicators")
        self._trend_length = self.Param("TrendLength", 50) \
            .SetGreaterThanZero() \
            .SetDisplay("Trend EMA", "Trend filter EMA length", "Indicators") \
            .SetOptimize(20, 200, 20)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._prev_histogram = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(macd_histogram_trend_strategy, self).OnReseted()
        self._prev_histogram = None

    def OnStarted2(self, time):
        super(macd_histogram_trend_strategy, self).OnStarted2(time)

        slow_ma = ExponentialMovingAverage()
        slow_ma.Length = self._slow_length.Value
        fast_ma = ExponentialMovingAverage()
        fast_ma.Length = self._fast_length.Value
        signal_ma = ExponentialMovingAverage()
        signal_ma.Length = self._signal_length.Value
        macd = MovingAverageConvergenceDivergenceSignal(MovingAverageConvergenceDivergence(slow_ma, fast_ma), signal_ma)
        trend = ExponentialMovingAverage()
        trend.Length = self._trend_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(macd, trend, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, trend)
            self.DrawOwnTrades(area)
            self.DrawIndicator(self.CreateChartArea(), macd)

    def process_candle(self, candle, macd, signal, trend):
        if candle.State != CandleStates.Finished:
            return

        histogram = macd - signal
        prev = self._prev_histogram

        if prev is not None and self.IsFormedAndOnlineAndAllowTrading():
            close = candle.ClosePrice
            turned_up = prev <= 0 and histogram > 0
            turned_down = prev >= 0 and histogram < 0

            if turned_up:
                if close > trend and self.Position <= 0:
                    self.BuyMarket(self.Volume + Math.Abs(self.Position))
                elif self.Position < 0:
                    self.BuyMarket(Math.Abs(self.Position))
            elif turned_down:
                if close < trend and self.Position >= 0:
                    self.SellMarket(self.Volume + Math.Abs(self.Position))
                elif self.Position > 0:
                    self.SellMarket(self.Position)

        self._prev_histogram = histogram

    def CreateClone(self):
        return macd_histogram_trend_strategy()
