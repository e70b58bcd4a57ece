// Native engine strategy (PyStockSharp.Engine API): exponential moving-average crossover.
// At bar t with both EMAs formed at t-1 and t, an up-cross goes long `volume` (closing any short),
// a down-cross goes short `volume` (closing any long). strategies/stocksharp/EmaCrossStrategy.cs is
// the same rule in StockSharp's API; a test checks that both give identical fills.
using PyStockSharp.Engine;
using PyStockSharp.Engine.Indicators;

namespace UserStrategies;

public sealed class EmaCrossFile : Strategy
{
    private readonly StrategyParam<int> _fast;
    private readonly StrategyParam<int> _slow;
    private readonly StrategyParam<double> _volume;
    private ExponentialMovingAverage _fastEma = new(10);
    private ExponentialMovingAverage _slowEma = new(30);
    private double _prevFast = double.NaN, _prevSlow = double.NaN;
    private double[] _close = Array.Empty<double>();

    public EmaCrossFile()
    {
        Name = "ema_cross_file";
        _fast = Param("fast", 10).SetRange(1, 100000).SetOptimize(5, 50, 5).SetDisplay("Fast EMA", "Fast length", "Indicators");
        _slow = Param("slow", 30).SetRange(1, 100000).SetOptimize(20, 200, 10).SetDisplay("Slow EMA", "Slow length", "Indicators");
        _volume = Param("volume", 1.0).SetDisplay("Volume", "Position size", "Trading");
    }

    public override void OnStarted()
    {
        _fastEma = new ExponentialMovingAverage(_fast.Value);
        _slowEma = new ExponentialMovingAverage(_slow.Value);
        _prevFast = double.NaN;
        _prevSlow = double.NaN;
        _close = Series.Close;
    }

    public override void OnBar(int index)
    {
        double x = _close[index];
        double f = _fastEma.Process(x), s = _slowEma.Process(x);
        double pf = _prevFast, ps = _prevSlow;
        _prevFast = f;
        _prevSlow = s;
        if (!_fastEma.IsFormed || !_slowEma.IsFormed || double.IsNaN(pf) || double.IsNaN(ps))
            return;
        if (pf <= ps && f > s && Position <= 0)
            BuyMarket(_volume.Value - Position);
        else if (pf >= ps && f < s && Position >= 0)
            SellMarket(_volume.Value + Position);
    }
}
