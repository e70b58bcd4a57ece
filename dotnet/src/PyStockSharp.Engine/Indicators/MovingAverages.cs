namespace PyStockSharp.Engine.Indicators;

/// <summary>Simple moving average of the last Length values; formed after Length values.</summary>
public sealed class SimpleMovingAverage : LengthIndicator
{
    private double[] _buf = Array.Empty<double>();
    private int _pos, _count;
    private double _sum;

    public SimpleMovingAverage() : this(10) { }
    public SimpleMovingAverage(int length) : base(length) { }

    protected override void OnLengthChanged() => _buf = new double[Length];

    public override void Reset() { base.Reset(); _pos = 0; _count = 0; _sum = 0; Array.Clear(_buf); }

    /// <remarks>Formed, it takes the short path (small enough to be inlined into a strategy's bar handler): one slot of the
    /// ring replaced, the running sum moved by the difference and re-summed exactly when the ring wraps.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public override double Process(double input)
    {
        var buf = _buf;
        int len = buf.Length, pos = _pos;
        if (_count < len || (uint)pos >= (uint)len) return WarmUp(input);
        double sum = _sum + (input - buf[pos]);
        buf[pos] = input;
        if (++pos == len) { pos = 0; sum = SumOf(buf); }   // exactly once per full cycle, to bound floating-point drift
        _pos = pos;
        _sum = sum;
        double v = sum / len;
        Value = v;
        return v;
    }

    /// <summary><see cref="Process"/> while fewer than Length values were seen (NaN until then; the Length-th value forms it).</summary>
    private double WarmUp(double input)
    {
        var buf = _buf;
        int len = buf.Length;
        if (_count < len) { _count++; _sum += input; }
        else _sum += input - buf[_pos];
        buf[_pos] = input;
        if (++_pos == len) _pos = 0;
        if (_count < len) return double.NaN;
        IsFormed = true;
        if (_pos == 0) _sum = SumOf(buf);
        double v = _sum / len;
        Value = v;
        return v;
    }

    /// <summary>The sum of the ring, in index order.</summary>
    private static double SumOf(double[] buf)
    {
        double s = 0;
        for (int k = 0; k < buf.Length; k++) s += buf[k];
        return s;
    }

    /// <summary>Whole-array SMA; NaN for the first Length-1 values. Same arithmetic as <see cref="Process"/>.</summary>
    public static double[] Compute(double[] values, int length)
    {
        var ind = new SimpleMovingAverage(length);
        var r = new double[values.Length];
        for (int i = 0; i < values.Length; i++) r[i] = ind.Process(values[i]);
        return r;
    }
}

/// <summary>
/// Exponential moving average, alpha = 2/(Length+1), seeded with the SMA of the first Length values
/// (formed at the Length-th value); then v = v + alpha*(x - v).
/// </summary>
public sealed class ExponentialMovingAverage : LengthIndicator
{
    private int _count;
    private double _sum, _v;

    public ExponentialMovingAverage() : this(10) { }
    public ExponentialMovingAverage(int length) : base(length) { }

    public double Alpha => 2.0 / (Length + 1);

    public override void Reset() { base.Reset(); _count = 0; _sum = 0; _v = 0; }

    public override double Process(double input)
    {
        if (_count < Length)
        {
            _count++; _sum += input;
            if (_count < Length) return double.NaN;
            _v = _sum / Length;
            IsFormed = true;
        }
        else _v += Alpha * (input - _v);
        Value = _v;
        return _v;
    }

    public static double[] Compute(double[] values, int length)
    {
        var ind = new ExponentialMovingAverage(length);
        var r = new double[values.Length];
        for (int i = 0; i < values.Length; i++) r[i] = ind.Process(values[i]);
        return r;
    }
}
