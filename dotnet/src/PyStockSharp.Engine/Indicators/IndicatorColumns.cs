namespace PyStockSharp.Engine.Indicators;

/// <summary>Named output columns of a bulk indicator computation (NaN during warm-up).</summary>
public sealed class IndicatorColumns
{
    public IndicatorColumns(string[] names, double[][] columns)
    {
        if (names.Length != columns.Length) throw new ArgumentException("names and columns differ in count");
        Names = names; Columns = columns;
    }
    public string[] Names { get; }
    public double[][] Columns { get; }
    public double[] this[string name]
    {
        get
        {
            for (int k = 0; k < Names.Length; k++) if (Names[k] == name) return Columns[k];
            throw new ArgumentException($"no column '{name}'; columns: {string.Join(", ", Names)}");
        }
    }
    public double[] Get(string name) => this[name];
}

internal static class Bulk
{
    public static double[] Run(IIndicator ind, double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var r = new double[values.Length];
        for (int i = 0; i < values.Length; i++) r[i] = ind.Process(values[i]);
        return r;
    }

    public static void CheckHlc(double[] high, double[] low, double[] close)
    {
        ArgumentNullException.ThrowIfNull(high); ArgumentNullException.ThrowIfNull(low); ArgumentNullException.ThrowIfNull(close);
        if (high.Length != low.Length || low.Length != close.Length)
            throw new ArgumentException($"high/low/close lengths differ: {high.Length}/{low.Length}/{close.Length}");
    }
}

/// <summary>Base of indicators fed with candles; <see cref="Process(Candle)"/> forwards to the column overload.</summary>
public abstract class CandleIndicator : ICandleIndicator
{
    public virtual string Name => GetType().Name;
    public bool IsFormed { get; protected set; }
    public double Value { get; protected set; } = double.NaN;
    public double Process(Candle c) => Process(c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume);
    public abstract double Process(long time, double open, double high, double low, double close, double volume);
    public virtual void Reset() { IsFormed = false; Value = double.NaN; }
    public override string ToString() => $"{Name}={Value}";

    protected static int CheckLength(string name, int length)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(name, $"{name} must be >= 1, got {length}");
        return length;
    }
}

/// <summary>A fixed-size window of the last values (ring buffer).</summary>
internal sealed class Window
{
    private readonly double[] _buf;
    private int _pos;
    public Window(int length) { _buf = new double[length]; }
    public int Count { get; private set; }
    public int Length => _buf.Length;
    public bool Full => Count == _buf.Length;
    /// <summary>Adds x; returns the value that fell out (NaN if none).</summary>
    public double Push(double x)
    {
        double old = Count == _buf.Length ? _buf[_pos] : double.NaN;
        _buf[_pos] = x;
        if (++_pos == _buf.Length) _pos = 0;
        if (Count < _buf.Length) Count++;
        return old;
    }
    /// <summary>k = 0 is the newest value.</summary>
    public double Ago(int k)
    {
        int idx = _pos - 1 - k;
        if (idx < 0) idx += _buf.Length;
        return _buf[idx];
    }
    public double Max() { double m = double.NegativeInfinity; for (int k = 0; k < Count; k++) { var v = _buf[k]; if (v > m) m = v; } return m; }
    public double Min() { double m = double.PositiveInfinity; for (int k = 0; k < Count; k++) { var v = _buf[k]; if (v < m) m = v; } return m; }
    public double Sum() { double s = 0; for (int k = 0; k < Count; k++) s += _buf[k]; return s; }
    public void Clear() { _pos = 0; Count = 0; Array.Clear(_buf); }
}
