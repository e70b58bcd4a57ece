import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan
from StockSharp.Messages import DataType, CandleStates, Sides
from StockSharp.Algo.Indicators import MoneyFlowIndex
from StockSharp.Algo.Strategies import Strategy


class mfi_trade_journal_strategy(Strategy):
    """
    Money flow index reversal with its own trade journal: long when the MFI is below the low level, short
    when above the high level; a position is closed when the MFI crosses 50 or the close moves a loss of
    MaxLossPercent away from the entry price, which the strategy tracks itself from its fills.
    """

    def __init__(self):
        super(mfi_trade_journal_strategy, self).__init__()
        self._mfi_length = self.Param("MfiLength", 14) \
            .SetGreaterThanZero() \
            .SetDisplay("MFI length", "Money flow index length", "Indicators") \
            .SetOptimize(7, 28, 7)
        self._low_level = self.Param("LowLevel", 25.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Low level", "MFI level under which the strategy buys", "Signals")
        self._high_level = self.Param("HighLevel", 75.0) \
            .SetGreaterThanZero() \
            .SetDisplay("High level", "MFI level over which the strategy sells", "Signals")
        self._max_loss_percent = self.Param("MaxLossPercent", 2.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Max loss %", "Adverse move from the entry price that closes the position", "Risk")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._reset_journal()

    def _reset_journal(self):
        self._entry_price = 0.0
        self._position = 0.0
        self._fills = 0
        self._bought_volume = 0.0
        self._sold_volume = 0.0

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(mfi_trade_journal_strategy, self).OnReseted()
        self._reset_journal()

    def OnStarted2(self, time):
        super(mfi_trade_journal_strategy, self).OnStarted2(time)

        mfi = MoneyFlowIndex()
        mfi.Length = self._mfi_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(mfi, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawOwnTrades(area)
            self.DrawIndicator(self.CreateChartArea(), mfi)

    def OnOwnTradeReceived(self, trade):
        super(mfi_trade_journal_strategy, self).OnOwnTradeReceived(trade)

        volume = trade.Trade.Volume
        is_buy = trade.Order.Side == Sides.Buy
        before = self._position
        self._position += volume if is_buy else -volume
        self._fills += 1

        if is_buy:
            self._bought_volume += volume
        else:
            self._sold_volume += volume

        # a fill that opens or flips the position sets a new entry price
        if self._position != 0 and (before == 0 or (before > 0) != (self._position > 0)):
            self._entry_price = trade.Trade.Price
        elif self._position == 0:
            self._entry_price = 0.0

    def OnStopped(self):
        self.LogInfo("fills {0}, bought {1}, sold {2}", self._fills, self._bought_volume, self._sold_volume)
        super(mfi_trade_journal_strategy, self).OnStopped()

    def process_candle(self, candle, mfi):
        if candle.State != CandleStates.Finished or not self.IsFormedAndOnlineAndAllowTrading():
            return

        close = candle.ClosePrice
        max_loss = self._entry_price * self._max_loss_percent.Value / 100.0

        if self._position > 0:
            if mfi > 50.0 or close < self._entry_price - max_loss:
                self.SellMarket(self._position)
        elif self._position < 0:
            if mfi < 50.0 or close > self._entry_price + max_loss:
                self.BuyMarket(-self._position)
        elif mfi < self._low_level.Value:
            self.BuyMarket(self.Volume)
        elif mfi > self._high_level.Value:
            self.SellMarket(self.Volume)

    def CreateClone(self):
        return mfi_trade_journal_strategy()
