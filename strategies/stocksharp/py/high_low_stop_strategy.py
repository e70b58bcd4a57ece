import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan
from StockSharp.Messages import DataType, CandleStates, OrderStates, Unit, UnitTypes
from StockSharp.Algo.Indicators import Highest, Lowest
from StockSharp.Algo.Strategies import Strategy


class high_low_stop_strategy(Strategy):
    """
    Breakout of the recent range with stop orders: while flat the strategy keeps a buy stop a few price steps
    above the highest high of the last Length candles and a sell stop the same distance under the lowest low;
    the stops are re-placed each candle and dropped once a position exists. Positions are managed by a
    trailing percent stop.
    """

    def __init__(self):
        super(high_low_stop_strategy, self).__init__()
        self._length = self.Param("Length", 20) \
            .SetGreaterThanZero() \
            .SetDisplay("Length", "Candles of the range", "Indicators") \
            .SetOptimize(10, 60, 5)
        self._offset_steps = self.Param("OffsetSteps", 2) \
            .SetNotNegative() \
            .SetDisplay("Offset (steps)", "Stop distance beyond the range in price steps", "Orders")
        self._trailing_percent = self.Param("TrailingPercent", 1.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Trailing stop %", "Trailing stop distance in percent", "Risk") \
            .SetOptimize(0.5, 5.0, 0.5)
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._buy_stop = None
        self._sell_stop = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(high_low_stop_strategy, self).OnReseted()
        self._buy_stop = None
        self._sell_stop = None

    def OnStarted2(self, time):
        super(high_low_stop_strategy, self).OnStarted2(time)

        highest = Highest()
        highest.Length = self._length.Value
        lowest = Lowest()
        lowest.Length = self._length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(highest, lowest, self.process_candle).Start()

        self.StartProtection(
            stopLoss=Unit(self._trailing_percent.Value, UnitTypes.Percent), isStopTrailing=True, useMarketOrders=True)

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, highest)
            self.DrawIndicator(area, lowest)
            self.DrawOwnTrades(area)

    def OnPositionChanged(self, diff):
        super(high_low_stop_strategy, self).OnPositionChanged(diff)

        # entered: the remaining entry stop must go
        if self.Position != 0:
            self.cancel_entries()

    def process_candle(self, candle, highest, lowest):
        if candle.State != CandleStates.Finished or not self.IsFormedAndOnlineAndAllowTrading():
            return

        if self.Position != 0:
            return

        self.cancel_entries()

        offset = self._offset_steps.Value * (self.Security.PriceStep or 0.01)
        self._buy_stop = self.BuyStop(self.Volume, highest + offset)
        self._sell_stop = self.SellStop(self.Volume, lowest - offset)

    def cancel_entries(self):
        for order in (self._buy_stop, self._sell_stop):
            if order is not None and order.State == OrderStates.Active:
                self.CancelOrder(order)

        self._buy_stop = None
        self._sell_stop = None

    def CreateClone(self):
        return high_low_stop_strategy()
