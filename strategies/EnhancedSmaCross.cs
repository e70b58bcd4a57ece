// Example C# strategy on the enhanced base: SMA crossover written with SubscribeCandles().Bind,
// a percent stop-loss/take-profit (StartProtection) and a max-drawdown rule.
// Run it from Python:  backtest("strategies/EnhancedSmaCross.cs:EnhancedSmaCross", data)
using PyStockSharp.Engine;
using PyStockSharp.Engine.Indicators;

namespace UserStrategies;

public sealed class EnhancedSmaCross : EnhancedStrategy
{
    private readonly StrategyParam<int> _fast, _slow;
    private readonly StrategyParam<double> _stopPct, _maxDd;
    private double _prevFast = double.NaN, _prevSlow = double.NaN;

    public EnhancedSmaCross()
    {
        Name = "enhanced_sma_cross";
        _fast = Param("fast", 10).SetRange(1, 1000).SetOptimize(5, 50, 5);
        _slow = Param("slow", 30).SetRange(2, 1000).SetOptimizeValues(20, 30, 50, 100);
        _stopPct = Param("stop_pct", 5.0).SetRange(0.0, 50.0).AddRule(v => v >= 0, "stop_pct >= 0");
        _maxDd = Param("max_drawdown", 0.25).SetRange(0.0, 1.0);
    }

    public override void OnStarted()
    {
        _prevFast = _prevSlow = double.NaN;
        StartProtection(Unit.Percent(2 * _stopPct.Value), Unit.Percent(_stopPct.Value));
        SetMaxDrawdown(_maxDd.Value);
        SubscribeCandles()
            .Bind(new SimpleMovingAverage(_fast.Value), new SimpleMovingAverage(_slow.Value), OnProcess)
            .Start();
    }

    private void OnProcess(Candle candle, double fast, double slow)
    {
        bool up = _prevFast <= _prevSlow && fast > slow, down = _prevFast >= _prevSlow && fast < slow;
        _prevFast = fast; _prevSlow = slow;
        if (up && Position <= 0) BuyMarket(Volume - Position);
        else if (down && Position > 0) SellMarket(Position);
    }
}
