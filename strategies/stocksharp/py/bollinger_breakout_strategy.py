import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates, Unit, UnitTypes
from StockSharp.Algo.Indicators import BollingerBands
from StockSharp.Algo.Strategies import Strategy


class bollinger_breakout_strategy(Strategy):
    """
    Bollinger band breakout: long on a close above the upper band, short on a close below the lower band; the
    position is closed when the close crosses the middle line against it. Absolute take-profit and stop-loss
    distances (in price units) protect each position.
    """

    def __init__(self):
        super(bollinger_breakout_strategy, self).__init__()
        self._length = self.Param("Length", 20) \
            .SetGreaterThanZero() \
            .SetDisplay("Length", "Bollinger bands length", "Indicators") \
            .SetOptimize(10, 40, 5)
        self._width = self.Param("Width", 2.0) \
            .SetGreaterThanZero() \
            .SetDisplay("Width", "Band width in standard deviations", "Indicators")
        self._take_profit = self.Param("TakeProfit", 3.0) \
            .SetNotNegative() \
            .SetDisplay("Take-profit", "Take-profit distance in price units (0 = none)", "Risk")
        self._stop_loss = self.Param("StopLoss", 1.5) \
            .SetNotNegative() \
            .SetDisplay("Stop-loss", "Stop-loss distance in price units (0 = none)", "Risk")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnStarted2(self, time):
        super(bollinger_breakout_strategy, self).OnStarted2(time)

        bollinger = BollingerBands()
        bollinger.Length = self._length.Value
        bollinger.Width = self._width.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.BindEx(bollinger, self.process_candle).Start()

        self.StartProtection(
            takeProfit=Unit(self._take_profit.Value, UnitTypes.Absolute),
            stopLoss=Unit(self._stop_loss.Value, UnitTypes.Absolute))

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, bollinger)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, value):
        if candle.State != CandleStates.Finished or not value.IsFormed or not self.IsFormedAndOnlineAndAllowTrading():
            return

        upper = value.UpBand
        lower = value.LowBand
        middle = value.MovingAverage
        if upper is None or lower is None or middle is None:
            return

        close = candle.ClosePrice

        if self.Position > 0 and close < middle:
            self.SellMarket(self.Position)
        elif self.Position < 0 and close > middle:
            self.BuyMarket(Math.Abs(self.Position))
        elif self.Position == 0 and close > upper:
            self.BuyMarket(self.Volume)
        elif self.Position == 0 and close < lower:
            self.SellMarket(self.Volume)

    def CreateClone(self):
        return bollinger_breakout_strategy()
