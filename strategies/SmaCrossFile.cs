// Example user strategy compiled at run time by CSharpStrategyCompiler (Roslyn).
// Same rule as the built-in SmaCross ("sma_cross"), written as a user would write it:
// at bar t with both SMAs formed at t-1 and t, an up-cross goes long `volume`
// (closing any short), a down-cross goes short `volume` (closing any long).
using PyStockSharp.Engine;
using PyStockSharp.Engine.Indicators;

namespace UserStrategies;

public sealed class SmaCrossFile : Strategy
{
    private readonly StrategyParam<int> _fast;
    private readonly StrategyParam<int> _slow;
    private readonly StrategyParam<double> _volume;
    private SimpleMovingAverage _fastSma = new(10);
    private SimpleMovingAverage _slowSma = new(20);
    private double _prevFast = double.NaN, _prevSlow = double.NaN;

    public SmaCrossFile()
    {
        Name = "sma_cross_file";
        _fast = Param("fast", 10).SetRange(1, 100000).SetOptimize(5, 50, 5).SetDisplay("Fast SMA", "Fast length", "Indicators");
        _slow = Param("slow", 20).SetRange(1, 100000).SetOptimize(20, 200, 10).SetDisplay("Slow SMA", "Slow length", "Indicators");
        _volume = Param("volume", 1.0).SetDisplay("Volume", "Position size", "Trading");
    }

    public override void OnStarted()
    {
        _fastSma = new SimpleMovingAverage(_fast.Value);
        _slowSma = new SimpleMovingAverage(_slow.Value);
        _prevFast = double.NaN;
        _prevSlow = double.NaN;
    }

    public override void OnCandle(Candle candle)
    {
        double f = _fastSma.Process(candle.Close);
        double s = _slowSma.Process(candle.Close);
        double pf = _prevFast, ps = _prevSlow;
        _prevFast = f;
        _prevSlow = s;
        if (!_fastSma.IsFormed || !_slowSma.IsFormed || double.IsNaN(pf) || double.IsNaN(ps))
            return;
        if (pf <= ps && f > s && Position <= 0)
            BuyMarket(_volume.Value - Position);
        else if (pf >= ps && f < s && Position >= 0)
            SellMarket(_volume.Value + Position);
    }
}
