import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.BusinessEntities import Security
from StockSharp.Algo.Strategies import Strategy


class ratio_pairs_strategy(Strategy):
    """
    Two securities: the strategy's Security and SecondSecurity, each with its own candle subscription. On each
    candle of the first, the price ratio first / second is compared with its mean over Length candles: more
    than Deviation percent above sells the first and buys the second, as far below the opposite; back within a
    quarter of the band both positions are closed (the rule of RatioPairsStrategy.cs).
    """

    def __init__(self):
        super(ratio_pairs_strategy, self).__init__()
        self._second_security = self.Param[Security]("SecondSecurity", None) \
            .SetDisplay("Second security", "The other leg of the pair", "General")
        self._length = self.Param("Length", 30) \
            .SetGreaterThanZero() \
            .SetDisplay("Length", "Candles of the ratio's mean", "Signal") \
            .SetOptimize(10, 60, 10)
        self._deviation = self.Param("Deviation", 2.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Deviation %", "Distance from the mean that opens the pair", "Signal") \
            .SetOptimize(1.0, 4.0, 0.5)
        self._trade_volume = self.Param("TradeVolume", 1.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Volume", "Units of each leg", "Trading")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromDays(1))) \
            .SetDisplay("Candle type", "Candles of both securities", "General")
        self._ratios = []
        self._ratio_sum = 0
        self._second_close = 0

    def GetWorkingSecurities(self):
        return [(self.Security, self._candle_type.Value), (self._second_security.Value, self._candle_type.Value)]

    def OnReseted(self):
        super(ratio_pairs_strategy, self).OnReseted()
        self._ratios = []
        self._ratio_sum = 0
        self._second_close = 0

    def OnStarted2(self, time):
        super(ratio_pairs_strategy, self).OnStarted2(time)
        second = self._second_security.Value
        if second is None:
            self.LogError("SecondSecurity is not set")
            self.Stop()
            return
        self.SubscribeCandles(self._candle_type.Value).Bind(self.on_first_candle).Start()
        self.SubscribeCandles(self._candle_type.Value, security=second).Bind(self.on_second_candle).Start()

    def on_second_candle(self, candle):
        if candle.State == CandleStates.Finished:
            self._second_close = candle.ClosePrice

    def on_first_candle(self, candle):
        if candle.State != CandleStates.Finished or self._second_close == 0:
            return
        length = self._length.Value
        ratio = candle.ClosePrice / self._second_close
        self._ratios.append(ratio)
        self._ratio_sum += ratio
        if len(self._ratios) > length:
            self._ratio_sum -= self._ratios.pop(0)
        if len(self._ratios) < length:
            return
        deviation = (ratio / (self._ratio_sum / length) - 1) * 100
        second_security = self._second_security.Value
        second = self.GetPositionValue(second_security, self.Portfolio) or 0
        volume = self._trade_volume.Value
        band = self._deviation.Value
        if deviation > band and self.Position >= 0:
            self.SellMarket(volume + self.Position)
            self.BuyMarket(volume - second, second_security)
        elif deviation < -band and self.Position <= 0:
            self.BuyMarket(volume - self.Position)
            self.SellMarket(volume + second, second_security)
        elif Math.Abs(deviation) < band / 4 and (self.Position != 0 or second != 0):
            self.ClosePosition()
            self.ClosePosition(second_security)

    def CreateClone(self):
        return ratio_pairs_strategy()
