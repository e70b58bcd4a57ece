import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import SimpleMovingAverage, AverageTrueRange
from StockSharp.Algo.Strategies import Strategy


class atr_channel_strategy(Strategy):
    """
    ATR channel around a simple moving average: reverse to long when the close breaks above SMA + k*ATR and to
    short when it breaks below SMA - k*ATR (stop-and-reverse). Older OnStarted style.
    """

    def __init__(self):
        super(atr_channel_strategy, self).__init__()
        self._ma_length = self.Param("MaLength", 20) \
            .SetGreaterThanZero() \
            .SetDisplay("MA length", "Channel centre SMA length", "Indicators") \
            .SetOptimize(10, 50, 5)
        self._atr_length = self.Param("AtrLength", 14) \
            .SetGreaterThanZero() \
            .SetDisplay("ATR length", "Average true range length", "Indicators")
        self._multiplier = self.Param("Multiplier", 1.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Multiplier", "Channel half-width in ATRs", "Indicators") \
            .SetOptimize(0.5, 3.0, 0.5)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnStarted(self, time):
        super(atr_channel_strategy, self).OnStarted(time)

        sma = SimpleMovingAverage()
        sma.Length = self._ma_length.Value
        atr = AverageTrueRange()
        atr.Length = self._atr_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(sma, atr, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, sma)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, sma, atr):
        if candle.State != CandleStates.Finished or not self.IsFormedAndOnlineAndAllowTrading():
            return

        upper = sma + self._multiplier.Value * atr
        lower = sma - self._multiplier.Value * atr

        if candle.ClosePrice > upper and self.Position <= 0:
            self.BuyMarket(self.Volume + Math.Abs(self.Position))
        elif candle.ClosePrice < lower and self.Position >= 0:
            self.SellMarket(self.Volume + Math.Abs(self.Position))

    def CreateClone(self):
        return atr_channel_strategy()
