import clr

clr.AddReference("StockSharp.Messages")
clr.AddReference("StockSharp.Algo")
clr.AddReference("StockSharp.Algo.Indicators")
clr.AddReference("StockSharp.Algo.Strategies")
clr.AddReference("StockSharp.BusinessEntities")

from System import Math
from StockSharp.Messages import DataType, Level1Fields
from StockSharp.Algo.Indicators import ExponentialMovingAverage, IndicatorHelper
from StockSharp.Algo.Strategies import Strategy


class level1_ema_band_strategy(Strategy):
    """
    Level1 trading without candles: the last trade price of each Level1 update feeds an EMA the strategy
    processes itself; it goes long when the price is more than BandSteps price steps above the EMA and short
    when it is as far below it, and closes the position when the price crosses the EMA again.
    """

    def __init__(self):
        super(level1_ema_band_strategy, self).__init__()
        self._ema_length = self.Param("EmaLength", 30) \
            .SetGreaterThanZero() \
            .SetDisplay("EMA length", "EMA of the last trade prices", "Indicators") \
            .SetOptimize(10, 100, 10)
        self._band_steps = self.Param("BandSteps", 10) \
            .SetGreaterThanZero() \
            .SetDisplay("Band (steps)", "Distance from the EMA to an entry, in price steps", "Signals") \
            .SetOptimize(5, 50, 5)

        self._ema = None

    def GetWorkingSecurities(self):
        return [(self.Security, DataType.Level1)]

    def OnReseted(self):
        super(level1_ema_band_strategy, self).OnReseted()
        self._ema = None

    def OnStarted2(self, time):
        super(level1_ema_band_strategy, self).OnStarted2(time)

        self._ema = ExponentialMovingAverage()
        self._ema.Length = self._ema_length.Value

        self.SubscribeLevel1().Bind(self.process_level1).Start()

        area = self.CreateChartArea()
        if area is not None:
            self.DrawIndicator(area, self._ema)
            self.DrawOwnTrades(area)

    def process_level1(self, message):
        price = message.TryGetDecimal(Level1Fields.LastTradePrice)
        if price is None:
            return

        ema = IndicatorHelper.Process(self._ema, price, message.ServerTime, True).ToDecimal()

        if not self._ema.IsFormed or not self.IsFormedAndOnlineAndAllowTrading():
            return

        band = self._band_steps.Value * (self.Security.PriceStep or 0.01)

        if self.Position > 0 and price < ema:
            self.SellMarket(self.Position)
        elif self.Position < 0 and price > ema:
            self.BuyMarket(Math.Abs(self.Position))
        elif self.Position == 0 and price > ema + band:
            self.BuyMarket(self.Volume)
        elif self.Position == 0 and price < ema - band:
            self.SellMarket(self.Volume)

    def CreateClone(self):
        return level1_ema_band_strategy()
