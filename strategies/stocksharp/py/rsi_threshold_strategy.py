import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates, Unit, UnitTypes
from StockSharp.Algo.Indicators import RelativeStrengthIndex
from StockSharp.Algo.Strategies import Strategy


class rsi_threshold_strategy(Strategy):
    """
    RSI threshold crossings: long when the RSI climbs back above the oversold level, short when it falls back
    below the overbought level; a long is closed when the RSI reaches the exit level from below, a short from
    above. Percent take-profit and stop-loss protect every position.
    """

    def __init__(self):
        super(rsi_threshold_strategy, self).__init__()
        self._rsi_length = self.Param("RsiLength", 14) \
            .SetGreaterThanZero() \
            .SetDisplay("RSI length", "Relative strength index length", "Indicators") \
            .SetOptimize(7, 28, 7)
        self._oversold = self.Param("Oversold", 30.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Oversold", "RSI level a long entry comes back from", "Signals") \
            .SetOptimize(20.0, 40.0, 5.0)
        self._overbought = self.Param("Overbought", 70.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Overbought", "RSI level a short entry comes back from", "Signals") \
            .SetOptimize(60.0, 80.0, 5.0)
        self._exit_level = self.Param("ExitLevel", 55.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Exit level", "RSI level that closes a long (100 - level closes a short)", "Signals")
        self._take_profit_percent = self.Param("TakeProfitPercent", 4.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Take-profit %", "Take-profit distance in percent", "Risk")
        self._stop_loss_percent = self.Param("StopLossPercent", 2.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Stop-loss %", "Stop-loss distance in percent", "Risk")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._prev_rsi = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(rsi_threshold_strategy, self).OnReseted()
        self._prev_rsi = None

    def OnStarted2(self, time):
        super(rsi_threshold_strategy, self).OnStarted2(time)

        rsi = RelativeStrengthIndex()
        rsi.Length = self._rsi_length.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(rsi, self.process_candle).Start()

        self.StartProtection(
            takeProfit=Unit(self._take_profit_percent.Value, UnitTypes.Percent),
            stopLoss=Unit(self._stop_loss_percent.Value, UnitTypes.Percent))

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawOwnTrades(area)
            rsi_area = self.CreateChartArea()
            self.DrawIndicator(rsi_area, rsi)

    def process_candle(self, candle, rsi):
        if candle.State != CandleStates.Finished:
            return

        prev = self._prev_rsi
        if prev is not None and self.IsFormedAndOnlineAndAllowTrading():
            exit_level = self._exit_level.Value
            short_exit = 100.0 - exit_level
            oversold = self._oversold.Value
            overbought = self._overbought.Value

            if self.Position > 0 and prev < exit_level and rsi >= exit_level:
                self.SellMarket(self.Position)
            elif self.Position < 0 and prev > short_exit and rsi <= short_exit:
                self.BuyMarket(Math.Abs(self.Position))
            elif prev < oversold and rsi >= oversold and self.Position <= 0:
                self.BuyMarket(self.Volume + Math.Abs(self.Position))
            elif prev > overbought and rsi <= overbought and self.Position >= 0:
                self.SellMarket(self.Volume + Math.Abs(self.Position))

        self._prev_rsi = rsi

    def CreateClone(self):
        return rsi_threshold_strategy()
