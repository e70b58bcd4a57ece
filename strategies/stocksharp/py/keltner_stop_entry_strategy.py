import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

import math

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates, OrderStates
from StockSharp.Algo.Indicators import KeltnerChannels
from StockSharp.Algo.Strategies import Strategy


class keltner_stop_entry_strategy(Strategy):
    """
    Keltner channel stop entries: while flat the strategy keeps a buy stop at the upper line and a sell stop at
    the lower line (both moved every candle); the first one to fill cancels the other. A long is closed at
    market when the close falls under the middle line, a short when it rises above it.
    """

    def __init__(self):
        super(keltner_stop_entry_strategy, self).__init__()
        self._length = self.Param("Length", 20) \
            .SetGreaterThanZero() \
            .SetDisplay("Length", "EMA and ATR length of the channel", "Indicators") \
            .SetOptimize(10, 40, 5)
        self._multiplier = self.Param("Multiplier", 1.5) \
            .SetGreaterThanZero() \
            .SetDisplay("Multiplier", "Channel half-width in ATRs", "Indicators") \
            .SetOptimize(1.0, 3.0, 0.5)
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
        super(keltner_stop_entry_strategy, self).OnReseted()
        self._buy_stop = None
        self._sell_stop = None

    def OnStarted2(self, time):
        super(keltner_stop_entry_strategy, self).OnStarted2(time)

        keltner = KeltnerChannels()
        keltner.Length = self._length.Value
        keltner.Multiplier = self._multiplier.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.BindEx(keltner, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, keltner)
            self.DrawOrders(area)
            self.DrawOwnTrades(area)

    def OnNewMyTrade(self, trade):
        super(keltner_stop_entry_strategy, self).OnNewMyTrade(trade)

        # one entry filled: the opposite stop must not turn the position around
        if trade.Order == self._buy_stop and self._sell_stop is not None:
            self.CancelOrder(self._sell_stop)
        elif trade.Order == self._sell_stop and self._buy_stop is not None:
            self.CancelOrder(self._buy_stop)

    def process_candle(self, candle, value):
        if candle.State != CandleStates.Finished or not value.IsFormed or not self.IsFormedAndOnlineAndAllowTrading():
            return

        upper = value.Upper
        lower = value.Lower
        middle = value.Middle
        if upper is None or lower is None or middle is None:
            return

        self.cancel_stops()

        if self.Position > 0:
            if candle.ClosePrice < middle:
                self.SellMarket(self.Position)
            return

        if self.Position < 0:
            if candle.ClosePrice > middle:
                self.BuyMarket(Math.Abs(self.Position))
            return

        step = self.Security.PriceStep or 0.01
        self._buy_stop = self.BuyStop(self.Volume, math.ceil(upper / step) * step)
        self._sell_stop = self.SellStop(self.Volume, math.floor(lower / step) * step)

    def cancel_stops(self):
        if self._buy_stop is not None and self._buy_stop.State == OrderStates.Active:
            self.CancelOrder(self._buy_stop)
        if self._sell_stop is not None and self._sell_stop.State == OrderStates.Active:
            self.CancelOrder(self._sell_stop)

        self._buy_stop = None
        self._sell_stop = None

    def CreateClone(self):
        return keltner_stop_entry_strategy()
