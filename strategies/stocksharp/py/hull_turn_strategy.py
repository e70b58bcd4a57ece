import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates, Unit, UnitTypes
from StockSharp.Algo.Indicators import HullMovingAverage
from StockSharp.Algo.Strategies import Strategy


class hull_turn_strategy(Strategy):
    """
    Hull moving-average turning points: when the HMA turns up (it rose after falling) the strategy reverses
    to long, when it turns down it reverses to short. Every position carries a percent stop-loss.
    """

    def __init__(self):
        super(hull_turn_strategy, self).__init__()
        self._length = self.Param("Length", 16) \
            .SetGreaterThanZero() \
            .SetDisplay("HMA length", "Hull moving average length", "Indicators") \
            .SetOptimize(8, 48, 4)
        self._stop_loss_percent = self.Param("StopLossPercent", 3.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Stop-loss %", "Stop distance in percent of the entry price", "Risk") \
            .SetOptimize(1.0, 6.0, 1.0)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._prev = None
        self._prev2 = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(hull_turn_strategy, self).OnReseted()
        self._prev = None
        self._prev2 = None

    def OnStarted2(self, time):
        super(hull_turn_strategy, self).OnStarted2(time)

        hma = HullMovingAverage()
        hma.Length = self._length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(hma, self.process_candle).Start()

        self.StartProtection(stopLoss=Unit(self._stop_loss_percent.Value, UnitTypes.Percent), useMarketOrders=True)

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, hma)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, hma):
        if candle.State != CandleStates.Finished:
            return

        if self._prev is not None and self._prev2 is not None and self.IsFormedAndOnlineAndAllowTrading():
            turned_up = self._prev < self._prev2 and hma > self._prev
            turned_down = self._prev > self._prev2 and hma < self._prev

            if turned_up and self.Position <= 0:
                self.BuyMarket(self.Volume + Math.Abs(self.Position))
            elif turned_down and self.Position >= 0:
                self.SellMarket(self.Volume + Math.Abs(self.Position))

        self._prev2 = self._prev
        self._prev = hma

    def CreateClone(self):
        return hull_turn_strategy()
