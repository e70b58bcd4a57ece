using PyStockSharp.Engine.Indicators;

namespace PyStockSharp.Engine;

/// <summary>
/// Moving-average crossover (built-in "sma_cross"). At bar t with both SMAs formed at t-1 and t:
/// up-cross (fast[t-1] &lt;= slow[t-1] and fast[t] &gt; slow[t]) with Position &lt;= 0 buys volume - Position;
/// down-cross (fast[t-1] &gt;= slow[t-1] and fast[t] &lt; slow[t]) with Position &gt;= 0 sells volume + Position.
/// </summary>
public class SmaCross : Strategy
{
    private readonly StrategyParam<int> _fast;
    private readonly StrategyParam<int> _slow;
    private readonly StrategyParam<double> _volume;
    private SimpleMovingAverage _fastSma = new(10), _slowSma = new(20);
    private double _prevFast = double.NaN, _prevSlow = double.NaN;
    private double[] _close = Array.Empty<double>();

    public SmaCross()
    {
        Name = "sma_cross";
        _fast = Param("fast", 10).SetRange(1, 100000).SetOptimize(5, 50, 5).SetDisplay("Fast SMA", "Fast moving average length", "Indicators");
        _slow = Param("slow", 20).SetRange(1, 100000).SetOptimize(20, 200, 10).SetDisplay("Slow SMA", "Slow moving average length", "Indicators");
        _volume = Param("volume", 1.0).SetRange(1e-12, double.MaxValue).SetDisplay("Volume", "Position size when in the market", "Trading");
    }

    public int Fast { get => _fast.Value; set => _fast.Value = value; }
    public int Slow { get => _slow.Value; set => _slow.Value = value; }
    public double TradeVolume { get => _volume.Value; set => _volume.Value = value; }

    public override void OnStarted()
    {
        _fastSma = new SimpleMovingAverage(_fast.Value);
        _slowSma = new SimpleMovingAverage(_slow.Value);
        _prevFast = double.NaN; _prevSlow = double.NaN;
        _close = Series.Close;
    }

    public override void OnBar(int index)
    {
        double x = _close[index];
        double f = _fastSma.Process(x), s = _slowSma.Process(x);
        double pf = _prevFast, ps = _prevSlow;
        _prevFast = f; _prevSlow = s;
        if (!_fastSma.IsFormed || !_slowSma.IsFormed || double.IsNaN(pf) || double.IsNaN(ps)) return;
        if (pf <= ps && f > s)
        {
            double pos = Position;
            if (pos <= 0) BuyMarket(_volume.Value - pos);
        }
        else if (pf >= ps && f < s)
        {
            double pos = Position;
            if (pos >= 0) SellMarket(_volume.Value + pos);
        }
    }
}
