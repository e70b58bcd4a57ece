// Several time frames of one instrument: a daily trend filter over hourly entries (run on hourly data; the engine
// builds the daily candles and delivers each once the day has closed). Long only: while the last closed day's
// close is above its `daily_length`-day SMA, an hourly close crossing above the `hourly_length`-hour SMA buys
// `volume`; a cross below (or a down trend) sells it. Twin of strategies/daily_trend_hourly_entry.py.
using PyStockSharp.Engine;
using PyStockSharp.Engine.Indicators;

namespace UserStrategies;

public sealed class DailyTrendHourlyEntry : Strategy
{
    private readonly StrategyParam<int> _daily, _hourly;
    private readonly StrategyParam<double> _volume;
    private double[] _dailySma = Array.Empty<double>(), _hourlySma = Array.Empty<double>();

    public DailyTrendHourlyEntry()
    {
        Name = "daily_trend_hourly_entry";
        _daily = Param("daily_length", 5).SetRange(1, 1000).SetOptimize(3, 20, 1);
        _hourly = Param("hourly_length", 20).SetRange(2, 10000).SetOptimize(10, 50, 5);
        _volume = Param("volume", 10000.0);
        SubscribeTimeFrame("1d");                                  // series 1
    }

    public override void OnStarted()
    {
        _hourlySma = SimpleMovingAverage.Compute(Series.Close, _hourly.Value);
        _dailySma = SimpleMovingAverage.Compute(AllSeries[1].Close, _daily.Value);
    }

    public override void OnBar(int i)
    {
        int d = LastIndexOf(1);
        if (i == 0 || d < 0 || double.IsNaN(_dailySma[d]) || double.IsNaN(_hourlySma[i - 1])) return;
        bool up = AllSeries[1].Close[d] > _dailySma[d];
        double c = Series.Close[i], pc = Series.Close[i - 1];
        bool crossUp = pc <= _hourlySma[i - 1] && c > _hourlySma[i];
        bool crossDown = pc >= _hourlySma[i - 1] && c < _hourlySma[i];
        if (up && crossUp && Position <= 0) BuyMarket(_volume.Value - Position);
        else if ((crossDown || !up) && Position > 0) SellMarket(Position);
    }
}
