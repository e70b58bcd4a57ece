using System.Diagnostics;
using System.Globalization;
using PyStockSharp.Engine;

namespace EngineSpeed;

/// <summary>
/// Engine speed, side by side, on one thread (issue #24): the built-in C# <c>sma_cross</c> run through
/// <see cref="BacktestEngine.Run(Strategy, CandleSeries, EmulationSettings?, bool, bool)"/> as the optimizer runs one
/// combination (summary only; then with the equity tape and <see cref="RunMetrics.Values(BacktestResult)"/>), against
/// <see cref="BareSmaCross"/>. Exits 1 when the two disagree on a net profit (relative difference above 1e-6), a fill
/// count, or the engine rejected an order.
/// Usage: <c>dotnet run -c Release --project bench/EngineSpeed [-- --bars N --reps R --warmup W --seed S]</c>.
/// </summary>
internal static class Program
{
    /// <summary>(fast, slow) SMA lengths in bars, from the optimizer benchmark's grid.</summary>
    private static readonly (int Fast, int Slow)[] Pairs = { (10, 30), (20, 100), (50, 200) };

    private const double Capital = 100_000;          // account currency
    private const double CommissionFraction = 0.0005; // of each fill's notional (5 bp)
    private const double TradeVolume = 1;             // units
    private const double Tolerance = 1e-6;            // relative, on net profit

    private static int Main(string[] args)
    {
        var o = Options.Parse(args);
        var series = SyntheticBars.RandomWalk(o.Bars, o.Seed);
        var settings = new EmulationSettings { InitialCapital = Capital, CommissionFraction = CommissionFraction };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"EngineSpeed: {o.Bars:N0} bars (seed {o.Seed}), pairs {string.Join(" ", Pairs.Select(p => $"({p.Fast},{p.Slow})"))}, " +
            $"{o.Warmup} warm-up + {o.Reps} timed reps, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {Load()}"));
        bool ok = CheckParity(series, settings);
        var modes = new (string Name, Func<int> Run)[]
        {
            ("bare loop", () => RunBare(series)),
            ("engine, summary only", () => RunEngine(series, settings, metrics: false)),
            ("engine + every metric", () => RunEngine(series, settings, metrics: true)),
        };
        var seconds = Measure(modes, o.Warmup, o.Reps);
        Report(modes.Select(m => m.Name).ToArray(), seconds, (double)o.Bars * Pairs.Length);
        Console.WriteLine($"load after: {Load()}");
        return ok ? 0 : 1;
    }

    /// <summary>Prints each pair's net profit by both paths; false when they differ (see <see cref="Tolerance"/>).</summary>
    private static bool CheckParity(CandleSeries series, EmulationSettings settings)
    {
        bool ok = true;
        Console.WriteLine("fast  slow   fills     bare net profit   engine net profit   rel diff   bare max dd   engine max dd");
        foreach (var (fast, slow) in Pairs)
        {
            var bare = BareSmaCross.Run(series.Open, series.Close, fast, slow, TradeVolume, Capital, CommissionFraction);
            var r = BacktestEngine.Run(MakeStrategy(fast, slow), series, settings, captureBars: false, keepEquity: false);
            double diff = Math.Abs(bare.NetProfit - r.NetProfit) / Math.Max(Math.Abs(r.NetProfit), 1.0);
            bool same = diff <= Tolerance && bare.Fills == r.FillCount && r.RejectedCount == 0;
            ok &= same;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{fast,4} {slow,5} {r.FillCount,7} {bare.NetProfit,19:R} {r.NetProfit,19:R} {diff,10:G3} {bare.MaxDrawdown,13:G6} {r.MaxDrawdown,15:G6}{(same ? "" : "  MISMATCH")}"));
        }
        Console.WriteLine(ok ? "parity: OK" : "parity: FAILED (bare loop and engine disagree)");
        return ok;
    }

    /// <summary>A fresh <c>sma_cross</c> with its parameters set the way the optimizer sets a combination's.</summary>
    private static Strategy MakeStrategy(int fast, int slow)
    {
        var s = StrategyCatalog.GetFactory("sma_cross")();
        s.SetParameter("fast", (long)fast);
        s.SetParameter("slow", (long)slow);
        s.SetParameter("volume", TradeVolume);
        return s;
    }

    /// <summary>Every pair through the bare loop; returns the fills (kept so the work is not optimized away).</summary>
    private static int RunBare(CandleSeries series)
    {
        int fills = 0;
        foreach (var (fast, slow) in Pairs)
            fills += BareSmaCross.Run(series.Open, series.Close, fast, slow, TradeVolume, Capital, CommissionFraction).Fills;
        return fills;
    }

    /// <summary>Every pair through the engine as the optimizer's RunOne does it: summary only, or with the equity tape and
    /// every metric.</summary>
    private static int RunEngine(CandleSeries series, EmulationSettings settings, bool metrics)
    {
        int fills = 0;
        foreach (var (fast, slow) in Pairs)
        {
            var r = BacktestEngine.Run(MakeStrategy(fast, slow), series, settings, captureBars: false, keepEquity: metrics);
            if (metrics && RunMetrics.Values(r).Length == 0) throw new InvalidOperationException("no metrics");
            fills += r.FillCount;
        }
        return fills;
    }

    /// <summary>Wall seconds of each mode per timed rep ([mode][rep]); the modes take turns within a rep so that a change of
    /// machine load falls on all of them.</summary>
    private static double[][] Measure((string Name, Func<int> Run)[] modes, int warmup, int reps)
    {
        for (int w = 0; w < warmup; w++) foreach (var m in modes) m.Run();
        var seconds = modes.Select(_ => new double[reps]).ToArray();
        for (int r = 0; r < reps; r++)
            for (int k = 0; k < modes.Length; k++)
            {
                var sw = Stopwatch.StartNew();
                modes[k].Run();
                seconds[k][r] = sw.Elapsed.TotalSeconds;
            }
        return seconds;
    }

    /// <summary>Bars per second (median, best, worst rep) per mode and the ratios of medians and per rep.</summary>
    private static void Report(string[] names, double[][] seconds, double barsPerRep)
    {
        Console.WriteLine();
        Console.WriteLine("mode                      median bars/s     best bars/s    worst bars/s");
        for (int k = 0; k < names.Length; k++)
        {
            var s = seconds[k];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{names[k],-22} {barsPerRep / Median(s),16:N0} {barsPerRep / s.Min(),15:N0} {barsPerRep / s.Max(),15:N0}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"engine summary / bare loop (medians): {Median(seconds[0]) / Median(seconds[1]):F3}; per rep {RatioRange(seconds[0], seconds[1])}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"engine + metrics / summary (medians): {Median(seconds[1]) / Median(seconds[2]):F3}; per rep {RatioRange(seconds[1], seconds[2])}"));
    }

    /// <summary>Range of a[r] / b[r] over the reps (throughput of b relative to a).</summary>
    private static string RatioRange(double[] a, double[] b)
    {
        var q = a.Zip(b, (x, y) => x / y).ToArray();
        return string.Create(CultureInfo.InvariantCulture, $"{q.Min():F3}-{q.Max():F3}");
    }

    private static double Median(double[] x)
    {
        var s = x.OrderBy(v => v).ToArray();
        int n = s.Length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), or "n/a".</summary>
    private static string Load()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    /// <summary>Command-line options: bar count, timed and warm-up reps, data seed.</summary>
    private sealed record Options(int Bars, int Reps, int Warmup, int Seed)
    {
        internal static Options Parse(string[] args)
        {
            var o = new Options(200_000, 15, 10, 7);
            for (int i = 0; i + 1 < args.Length; i += 2)
            {
                int v = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                o = args[i] switch
                {
                    "--bars" => o with { Bars = v },
                    "--reps" => o with { Reps = v },
                    "--warmup" => o with { Warmup = v },
                    "--seed" => o with { Seed = v },
                    _ => throw new ArgumentException($"unknown option {args[i]} (--bars, --reps, --warmup, --seed)"),
                };
            }
            return o;
        }
    }
}
