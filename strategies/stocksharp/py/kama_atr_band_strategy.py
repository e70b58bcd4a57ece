import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import KaufmanAdaptiveMovingAverage, AverageTrueRange
from StockSharp.Algo.Strategies import Strategy


class kama_atr_band_strategy(Strategy):
    """
    Kaufman adaptive moving average with an ATR band: long when the close rises above KAMA + k*ATR, short
    when it falls below KAMA - k*ATR; a long is closed when the close drops back under KAMA, a short when it
    climbs back above it.
    """

    def __init__(self):
        super(kama_atr_band_strategy, self).__init__()
        self._kama_length = self.Param("KamaLength", 10) \
            .SetGreaterThanZero() \
            .SetDisplay("KAMA length", "Efficiency-ratio window of KAMA", "Indicators") \
            .SetOptimize(5, 30, 5)
        self._atr_length = self.Param("AtrLength", 14) \
            .SetGreaterThanZero() \
            .SetDisplay("ATR length", "Average true range length", "Indicators") \
            .SetOptimize(7, 28, 7)
        self._band_multiplier = self.Param("BandMultiplier", 0.5) \
            .SetGreaterThanZero() \
            .SetDisplay("Band (ATR)", "Distance from KAMA to the entry level, in ATRs", "Indicators") \
            .SetOptimize(0.25, 2.0, 0.25)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnStarted2(self, time):
        super(kama_atr_band_strategy, self).OnStarted2(time)

        kama = KaufmanAdaptiveMovingAverage()
        kama.Length = self._kama_length.Value
        atr = AverageTrueRange()
        atr.Length = self._atr_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(kama, atr, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, kama)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, kama, atr):
        if candle.State != CandleStates.Finished or not self.IsFormedAndOnlineAndAllowTrading():
            return

        close = candle.ClosePrice
        band = self._band_multiplier.Value * atr

        if self.Position > 0 and close < kama:
            self.SellMarket(self.Position)
        elif self.Position < 0 and close > kama:
            self.BuyMarket(Math.Abs(self.Position))
        elif self.Position == 0 and close > kama + band:
            self.BuyMarket(self.Volume)
        elif self.Position == 0 and close < kama - band:
            self.SellMarket(self.Volume)

    def CreateClone(self):
        return kama_atr_band_strategy()
