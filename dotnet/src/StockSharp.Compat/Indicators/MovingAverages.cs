namespace StockSharp.Algo.Indicators;

/// <summary>Simple moving average: the mean of the last <c>Length</c> inputs; formed after <c>Length</c> inputs
/// (before that the mean of the inputs so far, not formed).</summary>
public class SimpleMovingAverage : LengthIndicator<decimal>
{
    private decimal _sum;

    public SimpleMovingAverage() { Length = 32; }

    protected override IIndicatorValue OnProcess(IIndicatorValue input) => Result(input, FastStep(InputPrice(input)));

    internal override bool HasFastStep => GetType() == typeof(SimpleMovingAverage) || GetType() == typeof(SMA);

    internal override decimal FastStep(decimal price)
    {
        if (Buffer.PushBack(price, out var dropped)) _sum -= dropped;
        _sum += price;
        return _sum / Buffer.Count;
    }

    public override void Reset() { _sum = 0; base.Reset(); }
}

/// <summary>Short name of <see cref="SimpleMovingAverage"/>.</summary>
public class SMA : SimpleMovingAverage { }

/// <summary>
/// Exponential moving average, α = 2 / (Length + 1), seeded with the simple average of the first <c>Length</c>
/// inputs (before that the running mean of the inputs so far); formed after <c>Length</c> inputs.
/// Computed in double precision (v ← v + α·(x − v), as the engine's own EMA), handed out as decimal: a decimal
/// EMA step costs ~160 ns, this one ~25 ns, and a strategy in StockSharp's API then crosses exactly where the
/// same strategy on the engine's native indicators does.
/// </summary>
public class ExponentialMovingAverage : LengthIndicator<decimal>
{
    private double _v, _sum, _alpha;
    private int _count, _length;   // _length: Length as of the last Reset (setting Length resets)

    public ExponentialMovingAverage() { Length = 32; }

    public override bool IsFormed { get => _count >= _length; protected set { } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
        => Result(input, (decimal)Step(Source is null && Strategies.SeriesCandle.CloseOf(input) is double close ? close : (double)InputPrice(input)));

    internal override bool HasFastStep => GetType() == typeof(ExponentialMovingAverage) || GetType() == typeof(EMA);

    internal override decimal FastStep(decimal price) => (decimal)Step((double)price);

    internal override decimal FastStep(double price) => (decimal)Step(price);

    /// <summary>One step on a price in double precision (the data's own close for candles of the data).</summary>
    private double Step(double x)
    {
        if (_count < _length)
        {
            _count++;
            _sum += x;
            _v = _sum / _count;
        }
        else _v += _alpha * (x - _v);
        return _v;
    }

    public override void Reset() { _v = _sum = 0; _count = 0; _length = Length; _alpha = 2.0 / (_length + 1); base.Reset(); }
}

/// <summary>Short name of <see cref="ExponentialMovingAverage"/>.</summary>
public class EMA : ExponentialMovingAverage { }

/// <summary>
/// Linearly weighted moving average: Σ wᵢ xᵢ / Σ wᵢ over the last <c>Length</c> inputs, weight 1 for the oldest up
/// to <c>Length</c> for the newest; formed after <c>Length</c> inputs (before that the same weighting over the
/// inputs so far, not formed).
/// </summary>
public class WeightedMovingAverage : LengthIndicator<decimal>
{
    public WeightedMovingAverage() { Length = 32; }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        Buffer.PushBack(InputPrice(input));
        decimal num = 0, den = 0;
        for (int i = 0; i < Buffer.Count; i++) { num += (i + 1) * Buffer[i]; den += i + 1; }
        return Result(input, num / den);
    }
}

/// <summary>
/// Smoothed (Wilder) moving average: v = (v·(Length-1) + x) / Length, seeded with the simple average of the first
/// <c>Length</c> inputs (before that the running mean of the inputs so far, not formed); formed after <c>Length</c>
/// inputs. The same recursion as an EMA with α = 1/Length.
/// </summary>
public class SmoothedMovingAverage : LengthIndicator<decimal>
{
    private decimal _prev, _sum;
    private int _count;

    public SmoothedMovingAverage() { Length = 32; }

    public override bool IsFormed { get => _count >= Length; protected set { } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var price = InputPrice(input);
        if (_count < Length)
        {
            _count++;
            _sum += price;
            _prev = _sum / _count;
        }
        else _prev = (_prev * (Length - 1) + price) / Length;
        return Result(input, _prev);
    }

    public override void Reset() { _prev = _sum = 0; _count = 0; base.Reset(); }
}

/// <summary>Short name of <see cref="SmoothedMovingAverage"/>.</summary>
public class SMMA : SmoothedMovingAverage { }

/// <summary>Welles Wilder's moving average (the recursion of <see cref="SmoothedMovingAverage"/>: α = 1/Length,
/// SMA seed); formed after <c>Length</c> inputs.</summary>
public class WilderMovingAverage : SmoothedMovingAverage { public WilderMovingAverage() { Length = 32; } }

/// <summary>Short name of <see cref="WilderMovingAverage"/> (as in StockSharp, where <c>WMA</c> is Wilder's average).</summary>
public class WMA : WilderMovingAverage { }

/// <summary>
/// Double exponential moving average (Mulloy): DEMA = 2·EMA₁ − EMA₂, EMA₁ = EMA(x, Length), EMA₂ = EMA(EMA₁, Length)
/// fed with EMA₁'s formed values only; both EMAs SMA-seeded. Formed after 2·Length − 1 inputs; empty before.
/// </summary>
public class DoubleExponentialMovingAverage : LengthIndicator<decimal>
{
    private readonly ExponentialMovingAverage _ema1 = new(), _ema2 = new();

    public DoubleExponentialMovingAverage() { Length = 32; }

    public override int Length { get => base.Length; set { _ema1.Length = _ema2.Length = value; base.Length = value; } }
    public override bool IsFormed { get => _ema2.IsFormed; protected set { } }
    public override int NumValuesToInitialize => 2 * Length - 1;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var e1 = _ema1.Process(InputPrice(input), input.Time);
        if (!_ema1.IsFormed) return Empty(input);
        var e2 = _ema2.Process(e1.ToDecimal(), input.Time);
        if (!_ema2.IsFormed) return Empty(input);
        return Result(input, 2 * e1.ToDecimal() - e2.ToDecimal());
    }

    public override void Reset() { _ema1?.Reset(); _ema2?.Reset(); base.Reset(); }
}

/// <summary>Short name of <see cref="DoubleExponentialMovingAverage"/>.</summary>
public class DEMA : DoubleExponentialMovingAverage { }

/// <summary>
/// Triple exponential moving average (Mulloy): TEMA = 3·EMA₁ − 3·EMA₂ + EMA₃, each EMA fed with the previous one's
/// formed values (SMA seeds). Formed after 3·Length − 2 inputs; empty before.
/// </summary>
public class TripleExponentialMovingAverage : LengthIndicator<decimal>
{
    private readonly ExponentialMovingAverage _ema1 = new(), _ema2 = new(), _ema3 = new();

    public TripleExponentialMovingAverage() { Length = 32; }

    public override int Length { get => base.Length; set { _ema1.Length = _ema2.Length = _ema3.Length = value; base.Length = value; } }
    public override bool IsFormed { get => _ema3.IsFormed; protected set { } }
    public override int NumValuesToInitialize => 3 * Length - 2;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var e1 = _ema1.Process(InputPrice(input), input.Time);
        if (!_ema1.IsFormed) return Empty(input);
        var e2 = _ema2.Process(e1.ToDecimal(), input.Time);
        if (!_ema2.IsFormed) return Empty(input);
        var e3 = _ema3.Process(e2.ToDecimal(), input.Time);
        if (!_ema3.IsFormed) return Empty(input);
        return Result(input, 3 * e1.ToDecimal() - 3 * e2.ToDecimal() + e3.ToDecimal());
    }

    public override void Reset() { _ema1?.Reset(); _ema2?.Reset(); _ema3?.Reset(); base.Reset(); }
}

/// <summary>Short name of <see cref="TripleExponentialMovingAverage"/>.</summary>
public class TEMA : TripleExponentialMovingAverage { }

/// <summary>
/// Hull moving average: WMA(2·WMA(x, ⌊Length/2⌋) − WMA(x, Length), SqrtPeriod) with linearly weighted averages;
/// <c>SqrtPeriod</c> = ⌊√Length⌋ unless set (&gt; 0). The outer WMA is fed once WMA(x, Length) is formed, so the
/// value is formed after Length + SqrtPeriod − 1 inputs; empty before.
/// </summary>
public class HullMovingAverage : LengthIndicator<decimal>
{
    private readonly WeightedMovingAverage _full = new(), _half = new(), _outer = new();
    private int _sqrtPeriod;

    public HullMovingAverage() { Length = 10; }

    public override int Length
    {
        get => base.Length;
        set { _full.Length = value; _half.Length = Math.Max(value / 2, 1); _outer.Length = EffectiveSqrt(value); base.Length = value; }
    }

    /// <summary>Period of the final smoothing (0 = ⌊√Length⌋).</summary>
    public int SqrtPeriod
    {
        get => _sqrtPeriod;
        set { _sqrtPeriod = Math.Max(value, 0); _outer.Length = EffectiveSqrt(Length); Reset(); }
    }

    private int EffectiveSqrt(int length) => _sqrtPeriod > 0 ? _sqrtPeriod : Math.Max((int)Math.Sqrt(length), 1);

    public override bool IsFormed { get => _outer.IsFormed; protected set { } }
    public override int NumValuesToInitialize => Length + _outer.Length - 1;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var x = InputPrice(input);
        var f = _full.Process(x, input.Time).ToDecimal();
        var h = _half.Process(x, input.Time).ToDecimal();
        if (!_full.IsFormed) return Empty(input);
        var v = _outer.Process(2 * h - f, input.Time).ToDecimal();
        return _outer.IsFormed ? Result(input, v) : Empty(input);
    }

    public override void Reset() { _full?.Reset(); _half?.Reset(); _outer?.Reset(); base.Reset(); }
}

/// <summary>Short name of <see cref="HullMovingAverage"/>.</summary>
public class HMA : HullMovingAverage { }

/// <summary>
/// Volume-weighted moving average over candles: Σ close·volume / Σ volume over the last <c>Length</c> candles (the
/// plain mean of the closes when the window's volume is 0); formed after <c>Length</c> candles (before that over the
/// candles so far, not formed).
/// </summary>
public class VolumeWeightedMovingAverage : LengthIndicator<decimal>
{
    private readonly CircularBuffer<decimal> _vol = new(1);

    public VolumeWeightedMovingAverage() { Length = 32; }

    public override int Length { get => base.Length; set { _vol.Capacity = value; base.Length = value; } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var c = input.ToCandle();
        Buffer.PushBack(Source is { } f ? input.GetValue<decimal>(f) : c.ClosePrice);
        _vol.PushBack(c.TotalVolume);
        decimal pv = 0, v = 0, p = 0;
        for (int i = 0; i < Buffer.Count; i++) { pv += Buffer[i] * _vol[i]; v += _vol[i]; p += Buffer[i]; }
        return Result(input, v != 0 ? pv / v : p / Buffer.Count);
    }

    public override void Reset() { _vol?.Clear(); base.Reset(); }
}

/// <summary>Short name of <see cref="VolumeWeightedMovingAverage"/>.</summary>
public class VWMA : VolumeWeightedMovingAverage { }

/// <summary>
/// Kaufman adaptive moving average. ER = |x − x[t−Length]| / Σ|x[i] − x[i−1]| (last Length changes; 0 when the sum is
/// 0), sc = (ER·(2/(FastSCPeriod+1) − 2/(SlowSCPeriod+1)) + 2/(SlowSCPeriod+1))², KAMA += sc·(x − KAMA), seeded with
/// the input before the first formed one. Formed after Length + 1 inputs; empty before.
/// </summary>
public class KaufmanAdaptiveMovingAverage : PriceWindowIndicator
{
    private decimal _kama;
    private int _fast = 2, _slow = 30;

    public KaufmanAdaptiveMovingAverage() { Length = 10; }

    /// <summary>Fast smoothing period (default 2).</summary>
    public int FastSCPeriod { get => _fast; set { _fast = value; Reset(); } }
    /// <summary>Slow smoothing period (default 30).</summary>
    public int SlowSCPeriod { get => _slow; set { _slow = value; Reset(); } }


    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var x = InputPrice(input);
        var wasFull = Prices.Count > Length;
        Prices.PushBack(x);
        if (Prices.Count <= Length) return Empty(input);
        if (!wasFull) _kama = Prices[Length - 1];
        decimal vol = 0;
        for (int i = 1; i < Prices.Count; i++) vol += Math.Abs(Prices[i] - Prices[i - 1]);
        var er = vol != 0 ? Math.Abs(x - Prices[0]) / vol : 0m;
        decimal fastSc = 2m / (_fast + 1), slowSc = 2m / (_slow + 1);
        var sc = er * (fastSc - slowSc) + slowSc;
        sc *= sc;
        _kama += sc * (x - _kama);
        return Result(input, _kama);
    }

    public override void Reset() { _kama = 0; base.Reset(); }
}

/// <summary>Short name of <see cref="KaufmanAdaptiveMovingAverage"/>.</summary>
public class KAMA : KaufmanAdaptiveMovingAverage { }

/// <summary>
/// Zero-lag exponential moving average (Ehlers/Way): EMA(Length) of 2·x − x[t−lag], lag = (Length − 1) / 2 (integer
/// division), SMA-seeded. Formed after lag + Length inputs; empty before.
/// </summary>
public class ZeroLagExponentialMovingAverage : LengthIndicator<decimal>
{
    private readonly CircularBuffer<decimal> _prices = new(1);
    private readonly ExponentialMovingAverage _ema = new();

    public ZeroLagExponentialMovingAverage() { Length = 32; }

    private int Lag => (Length - 1) / 2;
    public override int Length { get => base.Length; set { _ema.Length = value; base.Length = value; _prices.Capacity = Lag + 1; } }
    public override bool IsFormed { get => _ema.IsFormed; protected set { } }
    public override int NumValuesToInitialize => Lag + Length;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var x = InputPrice(input);
        _prices.PushBack(x);
        if (_prices.Count <= Lag) return Empty(input);
        var v = _ema.Process(2 * x - _prices[0], input.Time);
        return _ema.IsFormed ? Result(input, v.ToDecimal()) : Empty(input);
    }

    public override void Reset() { _prices?.Clear(); _ema?.Reset(); base.Reset(); }
}

/// <summary>Short name of <see cref="ZeroLagExponentialMovingAverage"/>.</summary>
public class ZLEMA : ZeroLagExponentialMovingAverage { }

/// <summary>
/// Arnaud Legoux moving average: Σ wᵢ x over the last Length inputs (i = 0 oldest), wᵢ = exp(−(i − m)² / (2 s²)),
/// m = Offset·(Length − 1), s = Length / Sigma; normalized by Σ wᵢ. Formed after Length inputs; empty before.
/// Defaults: Length 9, Offset 0.85, Sigma 6.
/// </summary>
public class ArnaudLegouxMovingAverage : LengthIndicator<decimal>
{
    private decimal _offset = 0.85m, _sigma = 6m;

    public ArnaudLegouxMovingAverage() { Length = 9; }

    public decimal Offset { get => _offset; set { _offset = value; Reset(); } }
    public decimal Sigma { get => _sigma; set { if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value)); _sigma = value; Reset(); } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        Buffer.PushBack(InputPrice(input));
        if (!IsFormed) return Empty(input);
        double m = (double)(_offset * (Length - 1)), s = Length / (double)_sigma;
        decimal num = 0, den = 0;
        for (int i = 0; i < Length; i++)
        {
            var w = (decimal)Math.Exp(-(i - m) * (i - m) / (2 * s * s));
            num += w * Buffer[i]; den += w;
        }
        return Result(input, num / den);
    }
}

/// <summary>Short name of <see cref="ArnaudLegouxMovingAverage"/>.</summary>
public class ALMA : ArnaudLegouxMovingAverage { }

/// <summary>
/// Jurik moving average — the widely published three-stage approximation (JMA itself is proprietary):
/// β = 0.45(L−1)/(0.45(L−1)+2), α = β^2, phase ratio r = Phase/100 + 1.5 clamped to [0.5, 2.5];
/// e0 = (1−α)x + α·e0; e1 = (x − e0)(1−β) + β·e1; e2 = (e0 + r·e1 − jma)(1−α)² + α²·e2; jma += e2; all states start
/// at the first input (e1 = e2 = 0). Formed after Length inputs (provisional values before, not formed).
/// </summary>
public class JurikMovingAverage : LengthIndicator<decimal>
{
    private decimal _e0, _e1, _e2, _jma;
    private int _count, _phase;

    public JurikMovingAverage() { Length = 7; }

    /// <summary>Phase in [-100, 100] (default 0).</summary>
    public int Phase { get => _phase; set { _phase = Math.Clamp(value, -100, 100); Reset(); } }

    public override bool IsFormed { get => _count >= Length; protected set { } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var x = InputPrice(input);
        var beta = 0.45m * (Length - 1) / (0.45m * (Length - 1) + 2);
        var alpha = beta * beta;
        var r = Math.Clamp(_phase / 100m + 1.5m, 0.5m, 2.5m);
        if (_count == 0) { _e0 = _jma = x; _e1 = _e2 = 0; }
        else
        {
            _e0 = (1 - alpha) * x + alpha * _e0;
            _e1 = (x - _e0) * (1 - beta) + beta * _e1;
            _e2 = (_e0 + r * _e1 - _jma) * (1 - alpha) * (1 - alpha) + alpha * alpha * _e2;
            _jma += _e2;
        }
        _count++;
        return Result(input, _jma);
    }

    public override void Reset() { _e0 = _e1 = _e2 = _jma = 0; _count = 0; base.Reset(); }
}

/// <summary>
/// Linear regression value (time series forecast at the newest point): least-squares line through the last Length
/// inputs (x = 0 … Length−1), value = intercept + slope·(Length − 1). Formed after Length inputs; empty before.
/// </summary>
public class LinearReg : LengthIndicator<decimal>
{
    public LinearReg() { Length = 11; }

    internal static (decimal slope, decimal intercept, decimal r2) Fit(CircularBuffer<decimal> b)
    {
        int n = b.Count;
        decimal sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < n; i++) { var y = b[i]; sx += i; sy += y; sxx += (decimal)i * i; sxy += i * y; syy += y * y; }
        var den = n * sxx - sx * sx;
        var slope = den != 0 ? (n * sxy - sx * sy) / den : 0m;
        var intercept = (sy - slope * sx) / n;
        var vy = n * syy - sy * sy;
        var r2 = den != 0 && vy != 0 ? (n * sxy - sx * sy) * (n * sxy - sx * sy) / (den * vy) : 0m;
        return (slope, intercept, r2);
    }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        Buffer.PushBack(InputPrice(input));
        if (!IsFormed) return Empty(input);
        var (slope, intercept, _) = Fit(Buffer);
        return Result(input, intercept + slope * (Length - 1));
    }
}

/// <summary>Slope of the least-squares line through the last Length inputs (per input). Formed after Length inputs.</summary>
public class LinearRegSlope : LengthIndicator<decimal>
{
    public LinearRegSlope() { Length = 11; }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        Buffer.PushBack(InputPrice(input));
        return IsFormed ? Result(input, LinearReg.Fit(Buffer).slope) : Empty(input);
    }
}

/// <summary>R² of the least-squares line through the last Length inputs. Formed after Length inputs.</summary>
public class LinearRegRSquared : LengthIndicator<decimal>
{
    public LinearRegRSquared() { Length = 11; }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        Buffer.PushBack(InputPrice(input));
        return IsFormed ? Result(input, LinearReg.Fit(Buffer).r2) : Empty(input);
    }
}

/// <summary>
/// The input <c>Length</c> inputs ago (x[t − Length]). Formed after Length + 1 inputs; empty before.
/// </summary>
public class Shift : PriceWindowIndicator
{
    public Shift() { Length = 1; }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        Prices.PushBack(InputPrice(input));
        return IsFormed ? Result(input, Prices[0]) : Empty(input);
    }
}
