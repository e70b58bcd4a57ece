namespace PyStockSharp.Engine.Tests;

public class AllocationTests
{
    private static CandleSeries Rising(int n)
    {
        var t = new long[n]; var o = new double[n]; var h = new double[n]; var l = new double[n]; var c = new double[n]; var v = new double[n];
        for (int i = 0; i < n; i++) { t[i] = i; o[i] = 100 + i; c[i] = 100.5 + i; h[i] = 101 + i; l[i] = 99.5 + i; v[i] = 1; }
        return new CandleSeries("UP", "1m", t, o, h, l, c, v);
    }

    private static long Allocated(CandleSeries s, bool capture)
    {
        var st = new SmaCross(); // on a rising line fast > slow from the first formed bar: no cross, no order
        long before = GC.GetAllocatedBytesForCurrentThread();
        var r = BacktestEngine.Run(st, s, new EmulationSettings(), capture);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, r.FillCount);
        return after - before;
    }

    [Fact]
    public void HotLoopAllocatesNothingPerBar()
    {
        var small = Rising(1_000); var big = Rising(101_000);
        Allocated(small, false); Allocated(big, false); Allocated(small, true); Allocated(big, true); // warm up both loops (JIT tiers, OSR)
        // summary-only: 100,000 more bars must not allocate more (no per-bar objects, boxing or LINQ). The counter moves
        // in allocation-context quanta (~8 KB), so the tolerance is 16 KB: one 24-byte object per bar would be 2.4 MB.
        const long Slack = 16 * 1024;
        long a = Allocated(small, false), b = Allocated(big, false);
        Assert.True(b - a < Slack, $"summary runs: {a} vs {b} bytes");
        // with capture: only the 6 per-bar double columns grow: 6 * 8 * 100,000 = 4,800,000 bytes (+ headers, quanta)
        long ca = Allocated(small, true), cb = Allocated(big, true);
        Assert.True(cb - ca >= 4_800_000 && cb - ca <= 4_800_000 + Slack, $"capture runs: {ca} vs {cb} bytes");
    }
}
