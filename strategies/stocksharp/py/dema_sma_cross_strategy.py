import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates
from StockSharp.Algo.Indicators import DoubleExponentialMovingAverage, SimpleMovingAverage
from StockSharp.Algo.Strategies import Strategy


class dema_sma_cross_strategy(Strategy):
    """
    A fast double-exponential moving average crossing a slow simple one: long on the DEMA's up-cross, short
    on its down-cross (always in the market once the first cross happened). Older OnStarted style.
    """

    def __init__(self):
        super(dema_sma_cross_strategy, self).__init__()
        self._dema_length = self.Param("DemaLength", 12) \
            .SetGreaterThanZero() \
            .SetDisplay("DEMA length", "Fast double EMA length", "Indicators") \
            .SetOptimize(6, 30, 3)
        self._sma_length = self.Param("SmaLength", 30) \
            .SetGreaterThanZero() \
            .SetDisplay("SMA length", "Slow simple moving average length", "Indicators") \
            .SetOptimize(20, 100, 10)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._was_above = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(dema_sma_cross_strategy, self).OnReseted()
        self._was_above = None

    def OnStarted(self, time):
        super(dema_sma_cross_strategy, self).OnStarted(time)

        dema = DoubleExponentialMovingAverage()
        dema.Length = self._dema_length.Value
        sma = SimpleMovingAverage()
        sma.Length = self._sma_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(dema, sma, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, dema)
            self.DrawIndicator(area, sma)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, dema, sma):
        if candle.State != CandleStates.Finished:
            return

        is_above = dema > sma

        if self._was_above is not None and self._was_above != is_above and self.IsFormedAndOnlineAndAllowTrading():
            if is_above and self.Position <= 0:
                self.BuyMarket(self.Volume + Math.Abs(self.Position))
            elif not is_above and self.Position >= 0:
                self.SellMarket(self.Volume + Math.Abs(self.Position))

        self._was_above = is_above

    def CreateClone(self):
        return dema_sma_cross_strategy()
