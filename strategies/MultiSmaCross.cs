// The SMA crossover of sma_cross on every instrument of the run (one series each), compiled at run time:
// per instrument, an up-cross of its fast SMA over its slow SMA goes long `volume`, a down-cross short `volume`.
// With one data it is sma_cross's rule; with several (--data A=... --data B=...) each trades its own series.
using PyStockSharp.Engine;
using PyStockSharp.Engine.Indicators;

namespace UserStrategies;

public sealed class MultiSmaCross : Strategy
{
    private readonly StrategyParam<int> _fast, _slow;
    private readonly StrategyParam<double> _volume;
    private SimpleMovingAverage[] _fastSma = Array.Empty<SimpleMovingAverage>(), _slowSma = Array.Empty<SimpleMovingAverage>();
    private double[] _prevFast = Array.Empty<double>(), _prevSlow = Array.Empty<double>();

    public MultiSmaCross()
    {
        Name = "multi_sma_cross";
        _fast = Param("fast", 10).SetRange(1, 100000).SetOptimize(5, 50, 5);
        _slow = Param("slow", 20).SetRange(1, 100000).SetOptimize(20, 200, 10);
        _volume = Param("volume", 1.0);
    }

    public override void OnStarted()
    {
        int n = AllSeries.Count;
        _fastSma = new SimpleMovingAverage[n]; _slowSma = new SimpleMovingAverage[n];
        _prevFast = new double[n]; _prevSlow = new double[n];
        for (int k = 0; k < n; k++)
        {
            _fastSma[k] = new SimpleMovingAverage(_fast.Value); _slowSma[k] = new SimpleMovingAverage(_slow.Value);
            _prevFast[k] = double.NaN; _prevSlow[k] = double.NaN;
        }
    }

    public override void OnBar(int index) => Handle(0, index);
    public override void OnSeriesBar(int series, int index) => Handle(series, index);

    private void Handle(int k, int index)
    {
        double close = AllSeries[k].Close[index];
        double f = _fastSma[k].Process(close), s = _slowSma[k].Process(close);
        double pf = _prevFast[k], ps = _prevSlow[k];
        _prevFast[k] = f; _prevSlow[k] = s;
        if (!_fastSma[k].IsFormed || !_slowSma[k].IsFormed || double.IsNaN(pf) || double.IsNaN(ps)) return;
        var instrument = Instruments[k];
        double pos = PositionOf(instrument);
        if (pf <= ps && f > s && pos <= 0) BuyMarket(instrument, _volume.Value - pos);
        else if (pf >= ps && f < s && pos >= 0) SellMarket(instrument, _volume.Value + pos);
    }
}
