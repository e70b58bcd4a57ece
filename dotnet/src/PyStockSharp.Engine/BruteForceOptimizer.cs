using System.Collections.Concurrent;
using System.Diagnostics;

namespace PyStockSharp.Engine;

/// <summary>Outcome of one parameter combination.</summary>
public sealed class OptimizationResult
{
    public int Index { get; init; }
    public required IReadOnlyDictionary<string, object> Parameters { get; init; }
    public double NetProfit { get; init; } = double.NaN;
    public double FinalEquity { get; init; } = double.NaN;
    public double RealizedPnL { get; init; } = double.NaN;
    public double Commission { get; init; } = double.NaN;
    public int RoundTrips { get; init; }
    public int FillCount { get; init; }
    public double MaxDrawdown { get; init; } = double.NaN;
    public double WallTimeMs { get; init; }
    /// <summary>Null on success; else "ExceptionType: message".</summary>
    public string? Error { get; init; }
    public string? ErrorStackTrace { get; init; }
    /// <summary>The full result when the optimizer was asked to keep captures, else null.</summary>
    public BacktestResult? Result { get; init; }
    /// <summary>The run's metrics aligned with <see cref="RunMetrics.Names"/> (NaN where undefined) when the optimizer was
    /// asked for them (computeMetrics), else null.</summary>
    public double[]? MetricValues { get; init; }
    /// <summary><see cref="MetricValues"/> by metric name (the Python field names), or null.</summary>
    public IReadOnlyDictionary<string, double>? Metrics => MetricValues is null ? null : RunMetrics.ToDictionary(MetricValues);
    public bool Ok => Error == null;
    public override string ToString() =>
        $"#{Index} {string.Join(" ", Parameters.Select(kv => kv.Key + "=" + kv.Value))}: " + (Error ?? $"net {NetProfit:G6} trips {RoundTrips} dd {MaxDrawdown:P2}");
}

/// <summary>Runs every parameter combination on worker threads, sharing the series read-only.</summary>
public static class BruteForceOptimizer
{
    /// <summary>
    /// Runs <paramref name="combinations"/> (parameter name -> value, applied with SetParameter) on
    /// <paramref name="workers"/> threads. Exceptions are caught per combination. Results are returned in
    /// combination order; <paramref name="onResult"/> is called (serialized, in completion order) as each finishes.
    /// With <paramref name="keepCaptures"/> each result keeps its full <see cref="BacktestResult"/>; with
    /// <paramref name="computeMetrics"/> each gets its <see cref="OptimizationResult.MetricValues"/> (computed in the engine
    /// from the run's equity, which is then the only per-bar column kept when captures are not).
    /// </summary>
    public static OptimizationResult[] Run(Func<Strategy> factory, IReadOnlyList<IReadOnlyDictionary<string, object>> combinations,
        CandleSeries series, EmulationSettings? settings = null, int workers = 1, Action<OptimizationResult>? onResult = null,
        bool keepCaptures = false, bool computeMetrics = false)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(combinations);
        ArgumentNullException.ThrowIfNull(series);
        settings = (settings ?? new EmulationSettings()).Clone();
        settings.Validate();
        if (workers < 1) workers = Math.Max(1, Environment.ProcessorCount);
        int n = combinations.Count;
        var results = new OptimizationResult[n];
        var gate = new object();
        var opts = new ParallelOptions { MaxDegreeOfParallelism = workers };
        // one combination per partition step: runs are long, ordering of work is irrelevant to results
        var partitioner = Partitioner.Create(0, n, 1);
        Parallel.ForEach(partitioner, opts, range =>
        {
            for (int i = range.Item1; i < range.Item2; i++)
            {
                var r = RunOne(factory, i, combinations[i], series, settings, keepCaptures, computeMetrics);
                results[i] = r;
                if (onResult != null) lock (gate) onResult(r);
            }
        });
        return results;
    }

    /// <summary>
    /// Streaming form for grids too large to hold: combinations are pulled lazily from <paramref name="combinations"/>
    /// (indexed in enumeration order), each result goes only to <paramref name="onResult"/> (serialized, completion
    /// order) and is not kept. Returns the number of combinations run.
    /// </summary>
    public static int RunStream(Func<Strategy> factory, IEnumerable<IReadOnlyDictionary<string, object>> combinations,
        CandleSeries series, EmulationSettings? settings, int workers, Action<OptimizationResult> onResult, bool keepCaptures = false,
        bool computeMetrics = false)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(combinations);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(onResult);
        settings = (settings ?? new EmulationSettings()).Clone();
        settings.Validate();
        if (workers < 1) workers = Math.Max(1, Environment.ProcessorCount);
        var gate = new object();
        int count = 0;
        var opts = new ParallelOptions { MaxDegreeOfParallelism = workers };
        var source = Partitioner.Create(combinations, EnumerablePartitionerOptions.NoBuffering);
        Parallel.ForEach(source, opts, (combo, _, index) =>
        {
            var r = RunOne(factory, checked((int)index), combo, series, settings, keepCaptures, computeMetrics);
            lock (gate) { count++; onResult(r); }
        });
        return count;
    }

    /// <summary>
    /// Grid given as a row-major matrix: <paramref name="values"/>[row * names.Length + col] is the value of
    /// names[col] in combination row. Whole-number values are passed as long, others as double.
    /// </summary>
    public static OptimizationResult[] RunGrid(Func<Strategy> factory, string[] names, double[] values, CandleSeries series,
        EmulationSettings? settings = null, int workers = 1, Action<OptimizationResult>? onResult = null, bool keepCaptures = false,
        bool computeMetrics = false)
        => Run(factory, Combinations(names, values), series, settings, workers, onResult, keepCaptures, computeMetrics);

    /// <summary>Same as <see cref="RunGrid"/> with a catalog strategy name.</summary>
    public static OptimizationResult[] RunGrid(string strategyName, string[] names, double[] values, CandleSeries series,
        EmulationSettings? settings = null, int workers = 1, Action<OptimizationResult>? onResult = null, bool keepCaptures = false,
        bool computeMetrics = false)
        => RunGrid(StrategyCatalog.GetFactory(strategyName), names, values, series, settings, workers, onResult, keepCaptures, computeMetrics);

    /// <summary>
    /// The metrics of <paramref name="results"/> as one row-major matrix (row k: results[k]'s
    /// <see cref="OptimizationResult.MetricValues"/>, columns <see cref="RunMetrics.Names"/>; NaN rows for results without
    /// metrics), so that a caller across a language bridge copies a batch's metrics at once.
    /// </summary>
    public static double[] MetricMatrix(OptimizationResult[] results)
    {
        ArgumentNullException.ThrowIfNull(results);
        int m = RunMetrics.Names.Length;
        var matrix = new double[results.Length * m];
        for (int k = 0; k < results.Length; k++)
        {
            if (results[k]?.MetricValues is { } row) Array.Copy(row, 0, matrix, k * m, m);
            else Array.Fill(matrix, double.NaN, k * m, m);
        }
        return matrix;
    }

    public static IReadOnlyList<IReadOnlyDictionary<string, object>> Combinations(string[] names, double[] values)
        => Combinations(names, values, Array.Empty<string>(), new bool[names?.Length ?? 0]);

    /// <summary>
    /// Combinations of a row-major matrix whose text columns (<paramref name="textColumns"/>[col] true) hold indices into
    /// <paramref name="texts"/>: such a value is passed to SetParameter as its text ("5m" for a time frame, an enum name, a
    /// string), which converts it to the parameter's type. Other columns as in <see cref="Combinations(string[], double[])"/>.
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object>> Combinations(string[] names, double[] values, string[] texts,
        bool[] textColumns)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(textColumns);
        if (names.Length == 0) throw new ArgumentException("no parameter names");
        if (textColumns.Length != names.Length) throw new ArgumentException($"{textColumns.Length} text-column flags for {names.Length} names");
        if (values.Length % names.Length != 0) throw new ArgumentException($"{values.Length} values is not a multiple of {names.Length} names");
        int rows = values.Length / names.Length;
        var list = new List<IReadOnlyDictionary<string, object>>(rows);
        for (int r = 0; r < rows; r++)
        {
            var d = new Dictionary<string, object>(names.Length, StringComparer.Ordinal);
            for (int c = 0; c < names.Length; c++)
            {
                double v = values[r * names.Length + c];
                d[names[c]] = textColumns[c] ? TextAt(texts, v, names[c])
                    : Math.Abs(v) < 9e15 && v == Math.Floor(v) ? (object)(long)v : v;
            }
            list.Add(d);
        }
        return list;
    }

    private static string TextAt(string[] texts, double index, string name)
    {
        if (!(index >= 0 && index < texts.Length && index == Math.Floor(index)))
            throw new ArgumentException($"parameter '{name}': text index {index} outside the {texts.Length} texts given");
        return texts[(int)index];
    }

    /// <summary>Cartesian product of each optimizable parameter's [OptimizeFrom, OptimizeTo] by OptimizeStep (numeric parameters).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object>> GridFromOptimize(Strategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        var axes = new List<(string Name, List<object> Values)>();
        foreach (var p in strategy.Parameters)
        {
            if (!p.CanOptimize) continue;
            if (p.OptimizeValues is { } discrete)   // SetOptimizeValues: exactly those values
            {
                axes.Add((p.Name, discrete.Select(v => v!).ToList()));
                continue;
            }
            double from = Convert.ToDouble(p.OptimizeFrom, System.Globalization.CultureInfo.InvariantCulture);
            double to = Convert.ToDouble(p.OptimizeTo, System.Globalization.CultureInfo.InvariantCulture);
            double step = Convert.ToDouble(p.OptimizeStep, System.Globalization.CultureInfo.InvariantCulture);
            if (!(step > 0)) throw new ArgumentException($"parameter '{p.Name}': optimize step must be > 0");
            var vals = new List<object>();
            for (long k = 0; ; k++)
            {
                double v = from + k * step;
                if (v > to + Math.Abs(step) * 1e-9) break;
                vals.Add(p.ValueType == typeof(int) ? (int)Math.Round(v) : p.ValueType == typeof(long) ? (long)Math.Round(v) : (object)v);
            }
            axes.Add((p.Name, vals));
        }
        var result = new List<IReadOnlyDictionary<string, object>> { new Dictionary<string, object>() };
        foreach (var (name, vals) in axes)
        {
            var next = new List<IReadOnlyDictionary<string, object>>(result.Count * vals.Count);
            foreach (var d in result)
                foreach (var v in vals)
                    next.Add(new Dictionary<string, object>(d) { [name] = v });
            result = next;
        }
        return result;
    }

    private static OptimizationResult RunOne(Func<Strategy> factory, int index, IReadOnlyDictionary<string, object> combo,
        CandleSeries series, EmulationSettings settings, bool keep, bool metrics)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            var s = factory() ?? throw new InvalidOperationException("strategy factory returned null");
            foreach (var kv in combo) s.SetParameter(kv.Key, kv.Value);
            var r = BacktestEngine.Run(s, series, settings, captureBars: keep, keepEquity: metrics);
            sw.Stop();
            var values = metrics ? RunMetrics.Values(r) : null;
            return new OptimizationResult
            {
                Index = index, Parameters = combo, NetProfit = r.NetProfit, FinalEquity = r.FinalEquity, RealizedPnL = r.RealizedPnL,
                Commission = r.Commission, RoundTrips = r.RoundTrips, FillCount = r.FillCount, MaxDrawdown = r.MaxDrawdown,
                WallTimeMs = sw.Elapsed.TotalMilliseconds, Result = keep ? r : null, MetricValues = values,
            };
        }
        catch (Exception ex)
        {
            sw.Stop();
            var e = ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : ex;
            return new OptimizationResult
            {
                Index = index, Parameters = combo, WallTimeMs = sw.Elapsed.TotalMilliseconds,
                Error = $"{e.GetType().Name}: {e.Message}", ErrorStackTrace = e.ToString(),
            };
        }
    }
}
