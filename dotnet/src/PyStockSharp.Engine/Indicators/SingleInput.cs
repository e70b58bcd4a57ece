namespace PyStockSharp.Engine.Indicators;

/// <summary>Weighted moving average: weights 1..Length, newest heaviest; formed after Length values.</summary>
public sealed class WeightedMovingAverage : LengthIndicator
{
    private Window _w = new(1);
    public WeightedMovingAverage() : this(10) { }
    public WeightedMovingAverage(int length) : base(length) { }
    protected override void OnLengthChanged() => _w = new Window(Length);
    public override void Reset() { base.Reset(); _w.Clear(); }
    public override double Process(double input)
    {
        _w.Push(input);
        if (!_w.Full) return double.NaN;
        int n = Length;
        double num = 0;
        for (int k = 0; k < n; k++) num += (n - k) * _w.Ago(k);
        IsFormed = true;
        return Value = num / (n * (n + 1) / 2.0);
    }
    public static double[] Compute(double[] values, int length) => Bulk.Run(new WeightedMovingAverage(length), values);
}

/// <summary>
/// Relative strength index with Wilder's smoothing. Changes d = x[t] - x[t-1]; the first average gain/loss is the
/// mean of the first Length gains/losses, then avg = (avg*(Length-1) + g)/Length. RSI = 100 - 100/(1 + avgGain/avgLoss)
/// (100 when avgLoss = 0 and avgGain > 0; 50 when both are 0). Formed after Length + 1 values.
/// </summary>
public sealed class RelativeStrengthIndex : LengthIndicator
{
    private double _prev = double.NaN, _gain, _loss;
    private int _changes;
    public RelativeStrengthIndex() : this(14) { }
    public RelativeStrengthIndex(int length) : base(length) { }
    public override void Reset() { base.Reset(); _prev = double.NaN; _gain = 0; _loss = 0; _changes = 0; }
    public override double Process(double input)
    {
        if (double.IsNaN(_prev)) { _prev = input; return double.NaN; }
        double d = input - _prev;
        _prev = input;
        double g = d > 0 ? d : 0, l = d < 0 ? -d : 0;
        int n = Length;
        if (_changes < n)
        {
            _gain += g; _loss += l; _changes++;
            if (_changes < n) return double.NaN;
            _gain /= n; _loss /= n;
        }
        else
        {
            _gain = (_gain * (n - 1) + g) / n;
            _loss = (_loss * (n - 1) + l) / n;
        }
        IsFormed = true;
        double rsi = _loss == 0 ? (_gain == 0 ? 50 : 100) : 100 - 100 / (1 + _gain / _loss);
        return Value = rsi;
    }
    public static double[] Compute(double[] values, int length) => Bulk.Run(new RelativeStrengthIndex(length), values);
}

/// <summary>Rate of change in percent: 100 * (x[t] - x[t-Length]) / x[t-Length]; formed after Length + 1 values.</summary>
public sealed class RateOfChange : LengthIndicator
{
    private Window _w = new(2);
    public RateOfChange() : this(10) { }
    public RateOfChange(int length) : base(length) { }
    protected override void OnLengthChanged() => _w = new Window(Length + 1);
    public override void Reset() { base.Reset(); _w.Clear(); }
    public override double Process(double input)
    {
        _w.Push(input);
        if (!_w.Full) return double.NaN;
        double old = _w.Ago(Length);
        IsFormed = true;
        return Value = old == 0 ? double.NaN : 100 * (input - old) / old;
    }
    public static double[] Compute(double[] values, int length) => Bulk.Run(new RateOfChange(length), values);
}

/// <summary>Maximum of the last Length values (feed highs for the classic use); formed after Length values.</summary>
public sealed class Highest : LengthIndicator
{
    private Window _w = new(1);
    public Highest() : this(10) { }
    public Highest(int length) : base(length) { }
    protected override void OnLengthChanged() => _w = new Window(Length);
    public override void Reset() { base.Reset(); _w.Clear(); }
    public override double Process(double input)
    {
        _w.Push(input);
        if (!_w.Full) return double.NaN;
        IsFormed = true;
        return Value = _w.Max();
    }
    public static double[] Compute(double[] values, int length) => Bulk.Run(new Highest(length), values);
}

/// <summary>Minimum of the last Length values (feed lows for the classic use); formed after Length values.</summary>
public sealed class Lowest : LengthIndicator
{
    private Window _w = new(1);
    public Lowest() : this(10) { }
    public Lowest(int length) : base(length) { }
    protected override void OnLengthChanged() => _w = new Window(Length);
    public override void Reset() { base.Reset(); _w.Clear(); }
    public override double Process(double input)
    {
        _w.Push(input);
        if (!_w.Full) return double.NaN;
        IsFormed = true;
        return Value = _w.Min();
    }
    public static double[] Compute(double[] values, int length) => Bulk.Run(new Lowest(length), values);
}

/// <summary>
/// Bollinger bands: Middle = SMA(Length), Upper/Lower = Middle ± Width * population standard deviation
/// of the last Length values (divide by Length). Value = Middle. Formed after Length values.
/// </summary>
public sealed class BollingerBands : LengthIndicator
{
    private Window _w = new(1);
    public BollingerBands() : this(20, 2) { }
    public BollingerBands(int length, double width = 2) : base(length) { Width = width; }
    public double Width { get; set; }
    public double Upper { get; private set; } = double.NaN;
    public double Lower { get; private set; } = double.NaN;
    public double StdDev { get; private set; } = double.NaN;
    protected override void OnLengthChanged() => _w = new Window(Length);
    public override void Reset() { base.Reset(); _w.Clear(); Upper = Lower = StdDev = double.NaN; }
    public override double Process(double input)
    {
        _w.Push(input);
        if (!_w.Full) return double.NaN;
        int n = Length;
        double mean = _w.Sum() / n, ss = 0;
        for (int k = 0; k < n; k++) { double d = _w.Ago(k) - mean; ss += d * d; }
        double sd = Math.Sqrt(ss / n);
        StdDev = sd; Upper = mean + Width * sd; Lower = mean - Width * sd;
        IsFormed = true;
        return Value = mean;
    }
    /// <summary>Columns middle, upper, lower.</summary>
    public static IndicatorColumns Compute(double[] values, int length, double width = 2)
    {
        ArgumentNullException.ThrowIfNull(values);
        var ind = new BollingerBands(length, width);
        int m = values.Length;
        var mid = new double[m]; var up = new double[m]; var lo = new double[m];
        for (int i = 0; i < m; i++) { mid[i] = ind.Process(values[i]); up[i] = ind.IsFormed ? ind.Upper : double.NaN; lo[i] = ind.IsFormed ? ind.Lower : double.NaN; }
        return new IndicatorColumns(new[] { "middle", "upper", "lower" }, new[] { mid, up, lo });
    }
}

/// <summary>
/// MACD: Macd = EMA(Fast) - EMA(Slow) (EMAs seeded with their SMA), defined once the slow EMA is formed;
/// Signal = EMA(SignalLength) of the Macd values; Histogram = Macd - Signal. Value = Macd.
/// Macd formed after Slow values; Signal after Slow + SignalLength - 1 values.
/// </summary>
public sealed class MovingAverageConvergenceDivergence : IIndicator
{
    private readonly ExponentialMovingAverage _fast, _slow, _signal;
    public MovingAverageConvergenceDivergence() : this(12, 26, 9) { }
    public MovingAverageConvergenceDivergence(int fast, int slow, int signal)
    {
        _fast = new ExponentialMovingAverage(fast); _slow = new ExponentialMovingAverage(slow); _signal = new ExponentialMovingAverage(signal);
    }
    public string Name => $"MACD({_fast.Length},{_slow.Length},{_signal.Length})";
    public bool IsFormed => _slow.IsFormed && _fast.IsFormed;
    public double Value { get; private set; } = double.NaN;
    public double Signal => _signal.IsFormed ? _signal.Value : double.NaN;
    public double Histogram => _signal.IsFormed ? Value - _signal.Value : double.NaN;
    public double Process(double input)
    {
        double f = _fast.Process(input), s = _slow.Process(input);
        if (!_fast.IsFormed || !_slow.IsFormed) return double.NaN;
        Value = f - s;
        _signal.Process(Value);
        return Value;
    }
    public void Reset() { _fast.Reset(); _slow.Reset(); _signal.Reset(); Value = double.NaN; }
    /// <summary>Columns macd, signal, histogram.</summary>
    public static IndicatorColumns Compute(double[] values, int fast = 12, int slow = 26, int signal = 9)
    {
        ArgumentNullException.ThrowIfNull(values);
        var ind = new MovingAverageConvergenceDivergence(fast, slow, signal);
        int m = values.Length;
        var a = new double[m]; var b = new double[m]; var h = new double[m];
        for (int i = 0; i < m; i++) { a[i] = ind.Process(values[i]); b[i] = ind.Signal; h[i] = ind.Histogram; }
        return new IndicatorColumns(new[] { "macd", "signal", "histogram" }, new[] { a, b, h });
    }
}
