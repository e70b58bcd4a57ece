using System.Globalization;
using System.Reflection;
using StockSharp.Messages;

namespace StockSharp.Algo.Indicators;

/// <summary>
/// Test / bulk helper: builds an indicator by class name and runs it over whole candle arrays the way <c>Bind</c> feeds
/// it (one finished candle at a time, as a <see cref="CandleIndicatorValue"/>), returning one column per flattened
/// output value (complex indicators in <see cref="IComplexIndicator.InnerIndicators"/> order, as Bind flattens them).
/// </summary>
public static class IndicatorRunner
{
    /// <summary>
    /// Makes the indicator class <paramref name="typeName"/> (e.g. "BollingerBands" or a full name) and sets
    /// <paramref name="props"/>: keys are property paths ("Length", "Macd.ShortMa.Length"), values are converted to the
    /// property types.
    /// </summary>
    public static IIndicator Create(string typeName, IDictionary<string, object> props = null)
    {
        var asm = typeof(IIndicator).Assembly;
        var type = asm.GetType(typeName) ?? asm.GetType("StockSharp.Algo.Indicators." + typeName)
            ?? throw new ArgumentException($"no indicator class {typeName}");
        var ind = (IIndicator)Activator.CreateInstance(type);
        if (props != null)
            foreach (var kv in props) Set(ind, kv.Key, kv.Value);
        return ind;
    }

    /// <summary>Sets a (dotted) property path on an object.</summary>
    public static void Set(object target, string path, object value)
    {
        var parts = path.Split('.');
        object obj = target;
        for (int i = 0; i < parts.Length - 1; i++)
            obj = Prop(obj, parts[i]).GetValue(obj) ?? throw new ArgumentException($"{path}: {parts[i]} is null");
        var p = Prop(obj, parts[^1]);
        var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        p.SetValue(obj, value is null ? null : t.IsEnum ? Enum.Parse(t, value.ToString()) : Convert.ChangeType(value, t, CultureInfo.InvariantCulture));
    }

    private static PropertyInfo Prop(object obj, string name)
        => obj.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)
           ?? throw new ArgumentException($"{obj.GetType().Name} has no public property {name}");

    /// <summary>How many numbers a value of <paramref name="indicator"/> flattens to.</summary>
    public static int Width(IIndicator indicator) => indicator is IComplexIndicator c ? c.InnerIndicators.Sum(Width) : 1;

    /// <summary>
    /// Runs the indicator over the candles; one column per flattened output, NaN where the value is empty or the
    /// indicator is not formed yet.
    /// </summary>
    public static double[][] Run(IIndicator indicator, long[] timesNs, double[] open, double[] high, double[] low, double[] close, double[] volume)
        => RunCore(indicator, timesNs, open, high, low, close, volume, maskUnformed: true, out _);

    /// <summary>As <see cref="Run"/> but keeps provisional (not formed) values; the last column is the formed flag (1/0).</summary>
    public static double[][] RunRaw(IIndicator indicator, long[] timesNs, double[] open, double[] high, double[] low, double[] close, double[] volume)
    {
        var cols = RunCore(indicator, timesNs, open, high, low, close, volume, maskUnformed: false, out var formed);
        var f = formed.Select(x => x ? 1.0 : 0.0).ToArray();
        return cols.Append(f).ToArray();
    }

    /// <summary>Whether the indicator's value was formed after each candle.</summary>
    public static bool[] Formed(IIndicator indicator, long[] timesNs, double[] open, double[] high, double[] low, double[] close, double[] volume)
    {
        RunCore(indicator, timesNs, open, high, low, close, volume, maskUnformed: true, out var formed);
        return formed;
    }

    private static double[][] RunCore(IIndicator indicator, long[] timesNs, double[] open, double[] high, double[] low, double[] close, double[] volume,
        bool maskUnformed, out bool[] formed)
    {
        ArgumentNullException.ThrowIfNull(indicator);
        int n = close.Length;
        int w = Width(indicator);
        var cols = new double[w][];
        for (int k = 0; k < w; k++) cols[k] = new double[n];
        formed = new bool[n];
        var buf = new double[w];
        for (int i = 0; i < n; i++)
        {
            var t = DateTime.UnixEpoch.AddTicks(timesNs[i] / 100);
            var candle = new TimeFrameCandleMessage(TimeSpan.FromDays(1))
            {
                OpenTime = t, CloseTime = t, ServerTime = t,
                OpenPrice = (decimal)open[i], HighPrice = (decimal)high[i], LowPrice = (decimal)low[i], ClosePrice = (decimal)close[i],
                TotalVolume = (decimal)volume[i], State = CandleStates.Finished,
            };
            var v = indicator.Process(new CandleIndicatorValue(indicator, candle));
            formed[i] = v.IsFormed;
            Array.Fill(buf, double.NaN);
            Flatten(v, buf, 0);
            for (int k = 0; k < w; k++) cols[k][i] = maskUnformed && !v.IsFormed ? double.NaN : buf[k];
        }
        return cols;
    }

    private static int Flatten(IIndicatorValue value, double[] into, int pos)
    {
        if (value is ComplexIndicatorValue c && c.Indicator is IComplexIndicator ci)
        {
            foreach (var inner in ci.InnerIndicators)
            {
                if (c.InnerValues.TryGetValue(inner, out var iv) && iv != null) pos = Flatten(iv, into, pos);
                else pos += Width(inner);
            }
            return pos;
        }
        into[pos] = value is null || value.IsEmpty ? double.NaN : (double)value.ToDecimal();
        return pos + 1;
    }
}
