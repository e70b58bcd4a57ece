using PyStockSharp.Engine;

namespace EngineSpeed;

/// <summary>Seeded synthetic candles for the benchmark.</summary>
internal static class SyntheticBars
{
    /// <summary>Nanoseconds in one minute (the bars' spacing).</summary>
    private const long MinuteNs = 60_000_000_000L;

    /// <summary>2020-01-01T00:00:00Z in UTC nanoseconds since the Unix epoch (the first bar's open time).</summary>
    private const long StartNs = 1_577_836_800_000_000_000L;

    /// <summary>
    /// <paramref name="n"/> one-minute bars of a geometric random walk starting at 100 (price units): log return per bar
    /// ~ Normal(0, <paramref name="vol"/>) (a fraction per bar), each open the previous close, high/low the extremes of
    /// open and close widened by |Normal(0, vol)| × price, volume 1,000 units. Deterministic for a given seed.
    /// </summary>
    internal static CandleSeries RandomWalk(int n, int seed, double vol = 0.001)
    {
        var rnd = new Random(seed);
        var t = new long[n]; var o = new double[n]; var h = new double[n]; var l = new double[n]; var c = new double[n]; var v = new double[n];
        double price = 100.0;
        for (int i = 0; i < n; i++)
        {
            double open = price, close = open * Math.Exp(vol * Normal(rnd));
            t[i] = StartNs + i * MinuteNs;
            o[i] = open; c[i] = close;
            h[i] = Math.Max(open, close) * (1 + vol * Math.Abs(Normal(rnd)));
            l[i] = Math.Min(open, close) * (1 - vol * Math.Abs(Normal(rnd)));
            v[i] = 1000;
            price = close;
        }
        return new CandleSeries("SYN", "1m", t, o, h, l, c, v, 0.01, 1);
    }

    /// <summary>A standard normal draw (Box–Muller on two uniforms).</summary>
    private static double Normal(Random rnd)
    {
        double u1 = 1.0 - rnd.NextDouble(), u2 = rnd.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
