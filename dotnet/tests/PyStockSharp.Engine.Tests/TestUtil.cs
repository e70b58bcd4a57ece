namespace PyStockSharp.Engine.Tests;

internal static class TestUtil
{
    public const long Minute = 60_000_000_000L;

    /// <summary>Series from (open, high, low, close) rows; volume 100, one bar per minute.</summary>
    public static CandleSeries Bars(params (double O, double H, double L, double C)[] rows)
    {
        int n = rows.Length;
        var t = new long[n]; var o = new double[n]; var h = new double[n]; var l = new double[n]; var c = new double[n]; var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            t[i] = i * Minute; o[i] = rows[i].O; h[i] = rows[i].H; l[i] = rows[i].L; c[i] = rows[i].C; v[i] = 100;
        }
        return new CandleSeries("TEST", "1m", t, o, h, l, c, v, 0.01, 1);
    }

    /// <summary>Seeded random walk with consistent OHLC.</summary>
    public static CandleSeries RandomWalk(int n, int seed, double start = 100)
    {
        var rnd = new Random(seed);
        var t = new long[n]; var o = new double[n]; var h = new double[n]; var l = new double[n]; var c = new double[n]; var v = new double[n];
        double prev = start;
        for (int i = 0; i < n; i++)
        {
            double open = prev + (rnd.NextDouble() - 0.5) * 0.2;
            double close = open + (rnd.NextDouble() - 0.5) * 2;
            double hi = Math.Max(open, close) + rnd.NextDouble() * 0.5;
            double lo = Math.Min(open, close) - rnd.NextDouble() * 0.5;
            t[i] = 1_700_000_000_000_000_000L + i * Minute; o[i] = open; h[i] = hi; l[i] = lo; c[i] = close; v[i] = 1000;
            prev = close;
        }
        return new CandleSeries("RW", "1m", t, o, h, l, c, v, 0.01, 1);
    }
}

/// <summary>
/// Seeded random orders of every kind (market, limit, stop, cancels, closes), integer or fractional volumes; records
/// the position, equity and unrealized PnL it sees at each bar and every callback in <see cref="Events"/>. The golden
/// digests depend on its exact sequence of random draws: do not change it.
/// </summary>
internal sealed class RandomOrderFlow : Strategy
{
    private readonly Random _rnd;
    private readonly bool _fractional;
    public readonly System.Text.StringBuilder Events = new();
    public RandomOrderFlow(int seed, bool fractional = false) { _rnd = new Random(seed); _fractional = fractional; }
    public override void OnBar(int index)
    {
        double c = Series.Close[index];
        int k = _rnd.Next(12);
        double vol = _fractional ? Math.Round(0.1 * (1 + _rnd.Next(30)), 1) : 1 + _rnd.Next(3);
        double off = c * 0.01 * (0.2 + _rnd.NextDouble());
        switch (k)
        {
            case 0: BuyMarket(vol); break;
            case 1: SellMarket(vol); break;
            case 2: BuyLimit(c - off, vol); break;
            case 3: SellLimit(c + off, vol); break;
            case 4: BuyStop(c + off, vol); break;
            case 5: SellStop(c - off, vol); break;
            case 6:
                foreach (var o in Orders) if (o.State == OrderStates.Active && _rnd.Next(2) == 0) CancelOrder(o);
                break;
            case 7: if (_rnd.Next(4) == 0) ClosePosition(); break;
            case 8: if (_rnd.Next(8) == 0) CancelActiveOrders(); break;
        }
        Events.Append(index).Append(':').Append(Position.ToString("R")).Append(',').Append(Equity.ToString("R")).Append(',')
            .Append(UnrealizedPnL.ToString("R")).Append(';');
    }
    public override void OnOrderChanged(Order order) => Events.Append('o').Append(order.Id).Append(order.State).Append(';');
    public override void OnNewMyTrade(MyTrade trade) => Events.Append('t').Append(trade.OrderId).Append(';');
}

/// <summary>A strategy driven by a script of actions per bar; records callbacks.</summary>
internal sealed class ScriptStrategy : Strategy
{
    private readonly Dictionary<int, Action<ScriptStrategy>> _script = new();
    public readonly List<Order> Changed = new();
    public readonly List<MyTrade> TradesSeen = new();
    public readonly List<string> Events = new();
    public Action<ScriptStrategy>? Started;

    public ScriptStrategy At(int bar, Action<ScriptStrategy> action) { _script[bar] = action; return this; }
    public override void OnStarted() => Started?.Invoke(this);
    public override void OnBar(int index) { if (_script.TryGetValue(index, out var a)) a(this); }
    public override void OnOrderChanged(Order order) { Changed.Add(order); Events.Add($"order {order.Id} {order.State}"); }
    public override void OnNewMyTrade(MyTrade trade) { TradesSeen.Add(trade); Events.Add($"trade {trade.OrderId}"); }
}
