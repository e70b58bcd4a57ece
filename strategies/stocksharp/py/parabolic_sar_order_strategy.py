import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import TimeSpan, Math
from StockSharp.Messages import DataType, CandleStates, Sides, OrderTypes
from StockSharp.BusinessEntities import Order
from StockSharp.Algo.Indicators import ParabolicSar
from StockSharp.Algo.Strategies import Strategy


class parabolic_sar_order_strategy(Strategy):
    """
    Parabolic SAR reversals placed as explicit order objects: when the close crosses above the SAR the strategy
    registers a market buy that reverses any short, when it crosses below a market sell that reverses any long.
    """

    def __init__(self):
        super(parabolic_sar_order_strategy, self).__init__()
        self._acceleration = self.Param("Acceleration", 0.02) \
            .SetGreaterThanZero() \
            .SetDisplay("Acceleration", "Initial acceleration factor", "Indicators") \
            .SetOptimize(0.01, 0.05, 0.01)
        self._acceleration_step = self.Param("AccelerationStep", 0.02) \
            .SetGreaterThanZero() \
            .SetDisplay("Acceleration step", "Increment of the factor at each new extreme", "Indicators")
        self._acceleration_max = self.Param("AccelerationMax", 0.2) \
            .SetGreaterThanZero() \
            .SetDisplay("Acceleration max", "Cap of the acceleration factor", "Indicators")
        self._candle_type = self.Param("CandleType", DataType.TimeFrame(TimeSpan.FromMinutes(5))) \
            .SetDisplay("Candle type", "Candles to trade on", "General")

        self._was_above = None

    @property
    def CandleType(self):
        return self._candle_type.Value

    def GetWorkingSecurities(self):
        return [(self.Security, self.CandleType)]

    def OnReseted(self):
        super(parabolic_sar_order_strategy, self).OnReseted()
        self._was_above = None

    def OnStarted2(self, time):
        super(parabolic_sar_order_strategy, self).OnStarted2(time)

        sar = ParabolicSar()
        sar.Acceleration = self._acceleration.Value
        sar.AccelerationStep = self._acceleration_step.Value
        sar.AccelerationMax = self._acceleration_max.Value

        subscription = self.SubscribeCandles(self.CandleType)
        subscription.Bind(sar, self.process_candle).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawCandles(area, subscription)
            self.DrawIndicator(area, sar)
            self.DrawOwnTrades(area)

    def process_candle(self, candle, sar):
        if candle.State != CandleStates.Finished:
            return

        is_above = candle.ClosePrice > sar

        if self._was_above is not None and self._was_above != is_above and self.IsFormedAndOnlineAndAllowTrading():
            if is_above and self.Position <= 0:
                self.send(Sides.Buy, self.Volume + Math.Abs(self.Position), "SAR flip up")
            elif not is_above and self.Position >= 0:
                self.send(Sides.Sell, self.Volume + Math.Abs(self.Position), "SAR flip down")

        self._was_above = is_above

    def send(self, side, volume, comment):
        order = Order()
        order.Security = self.Security
        order.Portfolio = self.Portfolio
        order.Side = side
        order.Type = OrderTypes.Market
        order.Volume = volume
        order.Comment = comment
        self.RegisterOrder(order)

    def CreateClone(self):
        return parabolic_sar_order_strategy()
