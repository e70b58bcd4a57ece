using StockSharp.Algo.Indicators;
using E = PyStockSharp.Engine;

namespace StockSharp.Algo.Strategies;

/// <summary>
/// The values of the indicators a strategy drew (<c>DrawIndicator</c>), recorded for the run page: after each bar of
/// the primary series, each drawn indicator's last value if it is formed and new since the previous bar (a complex
/// indicator: each part). Nothing is sampled when nothing was drawn.
/// </summary>
internal sealed class DrawnIndicators
{
    /// <summary>At most this many indicators are recorded (a strategy drawing more is drawn in part).</summary>
    public const int MaxIndicators = 32;

    private sealed class Line
    {
        public required string Name { get; init; }
        public readonly List<long> Times = new();
        public readonly List<double> Values = new();
    }

    private sealed class Drawn
    {
        public required IIndicator Indicator { get; init; }
        public required string Area { get; init; }
        public IIndicatorValue Last;
        public readonly Dictionary<IIndicator, Line> Parts = new();
        public readonly List<Line> Order = new();
    }

    private readonly List<Drawn> _drawn = new();

    public int Count => _drawn.Count;

    public void Clear() => _drawn.Clear();

    /// <summary>Records <paramref name="indicator"/> drawn on <paramref name="area"/> (once; later calls are ignored).</summary>
    public void Add(IIndicator indicator, string area)
    {
        if (indicator is null || _drawn.Count >= MaxIndicators || _drawn.Any(d => ReferenceEquals(d.Indicator, indicator))) return;
        _drawn.Add(new Drawn { Indicator = indicator, Area = area ?? "" });
    }

    /// <summary>After bar <paramref name="openNs"/> (UTC ns) of the primary series: each drawn indicator's new formed value.</summary>
    public void Sample(long openNs)
    {
        foreach (var d in _drawn)
        {
            var v = (d.Indicator as BaseIndicator)?.LastValue;  // an indicator of the strategy's own IIndicator class is not drawn
            if (v is null || ReferenceEquals(v, d.Last) || !d.Indicator.IsFormed || v.IsEmpty) continue;
            d.Last = v;
            AppendAll(d, d.Indicator, Label(d.Indicator), openNs, v);
        }
    }

    /// <summary>A value, or each part of a complex value, nested or not, named "Label Part" by its innermost part.</summary>
    private static void AppendAll(Drawn d, IIndicator indicator, string name, long openNs, IIndicatorValue value, string label = null)
    {
        label ??= name;
        if (value is ComplexIndicatorValue complex)
        {
            foreach (var (inner, part) in complex.InnerValues)
                if (part is { IsEmpty: false }) AppendAll(d, inner, $"{label} {inner.Name}", openNs, part, label);
            return;
        }
        Append(d, indicator, name, openNs, value);
    }

    /// <summary>The recorded lines; <paramref name="candleAreas"/> are the areas the candles were drawn on.</summary>
    public IReadOnlyList<E.IndicatorTrace> Traces(IReadOnlyCollection<string> candleAreas)
    {
        var traces = new List<E.IndicatorTrace>();
        foreach (var d in _drawn)
        {
            string area = candleAreas.Count == 0 ? "" : candleAreas.Contains(d.Area) ? "candles" : "own";
            foreach (var line in d.Order)
                traces.Add(new E.IndicatorTrace(line.Name, d.Indicator.Measure.ToString(), area, line.Times.ToArray(), line.Values.ToArray()));
        }
        return traces;
    }

    private static void Append(Drawn d, IIndicator part, string name, long openNs, IIndicatorValue value)
    {
        if (!d.Parts.TryGetValue(part, out var line))
        {
            line = new Line { Name = name };
            d.Parts[part] = line;
            d.Order.Add(line);
        }
        decimal x;
        try { x = value.ToDecimal(); }
        catch (NotSupportedException) { return; }
        line.Times.Add(openNs);
        line.Values.Add((double)x);
    }

    private static string Label(IIndicator indicator) => indicator.ToString() ?? indicator.Name;
}
