import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import StochasticOscillator
from StockSharp.Algo.Strategies import Strategy


class stochastic_cross_strategy(Strategy):
    """
    Stochastic %K/%D crossings at the extremes: long when %K crosses above %D while %K is under the low level,
    short when it crosses below %D while %K is over the high level (reversing any open position).
    """

    def __init__(self):
        super(stochastic_cross_strategy, self).__init__()
        self._k_length = self.Param("KLength", 14) \
            .SetGreaterThanZero() \
            .SetDisplay("%K length", "Stochastic %K window", "Indicators") \
            .SetOptimize(5, 21, 2)
        self._d_length = self.Param("DLength", 3) \
            .SetGreaterThanZero() \
            .SetDisplay("%D length", "Smoothing of %K", "Indicators") \
            .SetOptimize(2, 6, 1)
        self._low_level = self.Param("LowLevel", 25.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Low level", "%K must be below it for a long", "Signals")
        self._high_level = self.Param("HighLevel", 75.0) \
            .SetGreaterThanZero() \
            .SetDisplay("High level", "%K must be above it for a short", "Signals")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._prev_k = None
        self._prev_d = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(stochastic_cross_strategy, self).OnReseted()
        self._prev_k = None
        self._prev_d = None

    def OnStarted2(self, time):
        super(stochastic_cross_strategy, self).OnStarted2(time)

        stochastic = StochasticOscillator()
        stochastic.K.Length = self._k_length.Value
        stochastic.D.Length = self._d_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.BindEx(stochastic, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawOwnTrades(area)
            osc_area = self.CreateChartArea()
            self.DrawIndicator(osc_area, stochastic)

    def process_candle(self, candle, value):
        if candle.State != CandleStates.Finished or not value.IsFormed:
            return

        k = value.K
        d = value.D
        if k is None or d is None:
            return

        if self._prev_k is not None and self._prev_d is not None and self.IsFormedAndOnlineAndAllowTrading():
            pk = self._prev_k
            pd = self._prev_d
            if pk <= pd and k > d and k < self._low_level.Value and self.Position <= 0:
                self.BuyMarket(self.Volume + Math.Abs(self.Position))
            elif pk >= pd and k < d and k > self._high_level.Value and self.Position >= 0:
                self.SellMarket(self.Volume + Math.Abs(self.Position))

        self._prev_k = k
        self._prev_d = d

    def CreateClone(self):
        return stochastic_cross_strategy()
