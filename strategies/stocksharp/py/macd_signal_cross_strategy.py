import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import MovingAverageConvergenceDivergenceSignal
from StockSharp.Algo.Strategies import Strategy


class macd_signal_cross_strategy(Strategy):
    """
    MACD line crossing its signal line: reverse to long on an up-cross below zero, to short on a down-cross
    above zero; other crosses just close the position.
    """

    def __init__(self):
        super(macd_signal_cross_strategy, self).__init__()
        self._fast_length = self.Param("FastLength", 12) \
            .SetGreaterThanZero() \
            .SetDisplay("Fast EMA", "Short EMA of the MACD", "Indicators") \
            .SetOptimize(6, 18, 3)
        self._slow_length = self.Param("SlowLength", 26) \
            .SetGreaterThanZero() \
            .SetDisplay("Slow EMA", "Long EMA of the MACD", "Indicators") \
            .SetOptimize(20, 40, 2)
        self._signal_length = self.Param("SignalLength", 9) \
            .SetGreaterThanZero() \
            .SetDisplay("Signal", "Signal line EMA length", "Indicators") \
            .SetOptimize(5, 13, 2)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._was_above = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(macd_signal_cross_strategy, self).OnReseted()
        self._was_above = None

    def OnStarted2(self, time):
        super(macd_signal_cross_strategy, self).OnStarted2(time)

        macd = MovingAverageConvergenceDivergenceSignal()
        macd.Macd.ShortMa.Length = self._fast_length.Value
        macd.Macd.LongMa.Length = self._slow_length.Value
        macd.SignalMa.Length = self._signal_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.BindEx(macd, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawOwnTrades(area)
            self.DrawIndicator(self.CreateChartArea(), macd)

    def process_candle(self, candle, value):
        if candle.State != CandleStates.Finished or not value.IsFormed:
            return

        macd = value.Macd
        signal = value.Signal
        if macd is None or signal is None:
            return

        is_above = macd > signal

        if self._was_above is not None and self._was_above != is_above and self.IsFormedAndOnlineAndAllowTrading():
            if is_above:
                if macd < 0 and self.Position <= 0:
                    self.BuyMarket(self.Volume + Math.Abs(self.Position))
                elif self.Position < 0:
                    self.BuyMarket(Math.Abs(self.Position))
            else:
                if macd > 0 and self.Position >= 0:
                    self.SellMarket(self.Volume + Math.Abs(self.Position))
                elif self.Position > 0:
                    self.SellMarket(self.Position)

        self._was_above = is_above

    def CreateClone(self):
        return macd_signal_cross_strategy()
