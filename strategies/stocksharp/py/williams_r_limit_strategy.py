import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates, OrderStates
from StockSharp.Algo.Indicators import WilliamsR
from StockSharp.Algo.Strategies import Strategy


class williams_r_limit_strategy(Strategy):
    """
    Williams %R pullback entries with limit orders: when %R is deeply oversold the strategy bids a few price
    steps under the close, when deeply overbought it offers a few steps above it; an unfilled entry is
    cancelled after WaitCandles candles. A long is closed at market when %R recovers above the exit level, a
    short when it falls below the mirrored level.
    """

    def __init__(self):
        super(williams_r_limit_strategy, self).__init__()
        self._length = self.Param("Length", 14) \
            .SetGreaterThanZero() \
            .SetDisplay("%R length", "Williams %R window", "Indicators") \
            .SetOptimize(7, 28, 7)
        self._entry_level = self.Param("EntryLevel", 85.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Entry level", "Oversold below -level, overbought above level - 100", "Signals")
        self._exit_level = self.Param("ExitLevel", 40.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Exit level", "A long closes above -level, a short below level - 100", "Signals")
        self._offset_steps = self.Param("OffsetSteps", 5) \
            .SetNotNegative() \
            .SetDisplay("Offset (steps)", "Limit price distance from the close in price steps", "Orders") \
            .SetOptimize(0, 20, 5)
        self._wait_candles = self.Param("WaitCandles", 3) \
            .SetGreaterThanZero() \
            .SetDisplay("Wait candles", "Candles an entry order may rest before it is cancelled", "Orders")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._entry_order = None
        self._candles_waited = 0

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(williams_r_limit_strategy, self).OnReseted()
        self._entry_order = None
        self._candles_waited = 0

    def OnStarted2(self, time):
        super(williams_r_limit_strategy, self).OnStarted2(time)

        williams = WilliamsR()
        williams.Length = self._length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(williams, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawOrders(area)
            self.DrawOwnTrades(area)
            self.DrawIndicator(self.CreateChartArea(), williams)

    def process_candle(self, candle, wr):
        if candle.State != CandleStates.Finished or not self.IsFormedAndOnlineAndAllowTrading():
            return

        if self._entry_order is not None and self._entry_order.State == OrderStates.Active:
            self._candles_waited += 1
            if self._candles_waited >= self._wait_candles.Value:
                self.CancelOrder(self._entry_order)
                self._entry_order = None
            return

        self._entry_order = None

        if self.Position > 0:
            if wr > -self._exit_level.Value:
                self.SellMarket(self.Position)
            return

        if self.Position < 0:
            if wr < self._exit_level.Value - 100.0:
                self.BuyMarket(Math.Abs(self.Position))
            return

        step = self.Security.PriceStep or 0.01
        offset = self._offset_steps.Value * step
        entry_level = self._entry_level.Value

        if wr < -entry_level:
            self._entry_order = self.BuyLimit(self.round_to_step(candle.ClosePrice - offset, step), self.Volume)
        elif wr > entry_level - 100.0:
            self._entry_order = self.SellLimit(self.round_to_step(candle.ClosePrice + offset, step), self.Volume)

        self._candles_waited = 0

    @staticmethod
    def round_to_step(price, step):
        return round(price / step) * step

    def CreateClone(self):
        return williams_r_limit_strategy()
