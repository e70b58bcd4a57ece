namespace StockSharp.Algo.Indicators;

/// <summary>
/// Relative strength index (Wilder): d = x[t] − x[t−1]; average gain / loss = Wilder smoothing (SMA of the first Length
/// changes, then (avg·(Length−1) + g)/Length); RSI = 100 − 100/(1 + gain/loss), 100 when loss = 0. Formed after
/// Length + 1 inputs; empty before.
/// </summary>
public class RelativeStrengthIndex : LengthIndicator<decimal>
{
    private readonly SmoothedMovingAverage _gain = new(), _loss = new();
    private decimal? _last;

    public RelativeStrengthIndex() { Length = 15; }

    public override int Length { get => base.Length; set { _gain.Length = _loss.Length = value; base.Length = value; } }
    public override bool IsFormed { get => _gain.IsFormed; protected set { } }
    public override int NumValuesToInitialize => Length + 1;
    public override IndicatorMeasures Measure => IndicatorMeasures.Percent;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var x = InputPrice(input);
        if (_last is not { } last) { _last = x; return Empty(input); }
        _last = x;
        var d = x - last;
        var g = _gain.Process(d > 0 ? d : 0m, input.Time).ToDecimal();
        var l = _loss.Process(d < 0 ? -d : 0m, input.Time).ToDecimal();
        if (!_gain.IsFormed) return Empty(input);
        return Result(input, l == 0 ? 100m : 100m - 100m / (1 + g / l));
    }

    public override void Reset() { _gain?.Reset(); _loss?.Reset(); _last = null; base.Reset(); }
}

/// <summary>Short name of <see cref="RelativeStrengthIndex"/>.</summary>
public class RSI : RelativeStrengthIndex { }

/// <summary>
/// Momentum: x[t] − x[t−Length]. Formed after Length + 1 inputs; empty before.
/// </summary>
public class Momentum : PriceWindowIndicator
{
    public Momentum() { Length = 5; }

    protected virtual decimal Calc(decimal now, decimal then) => now - then;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var x = InputPrice(input);
        Prices.PushBack(x);
        return IsFormed ? Result(input, Calc(x, Prices[0])) : Empty(input);
    }
}

/// <summary>Short name of <see cref="Momentum"/>.</summary>
public class MOM : Momentum { }

/// <summary>
/// Rate of change in percent: 100·(x[t] − x[t−Length]) / x[t−Length] (0 when x[t−Length] = 0). Formed after
/// Length + 1 inputs; empty before.
/// </summary>
public class RateOfChange : Momentum
{
    protected override decimal Calc(decimal now, decimal then) => then != 0 ? 100m * (now - then) / then : 0m;
}

/// <summary>Short name of <see cref="RateOfChange"/>.</summary>
public class ROC : RateOfChange { }

/// <summary>
/// Chande momentum oscillator: over the last Length changes, 100·(Σup − Σdown)/(Σup + Σdown) (0 when both are 0).
/// Formed after Length + 1 inputs; empty before.
/// </summary>
public class ChandeMomentumOscillator : PriceWindowIndicator
{
    public ChandeMomentumOscillator() { Length = 15; }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        Prices.PushBack(InputPrice(input));
        if (!IsFormed) return Empty(input);
        decimal up = 0, dn = 0;
        for (int i = 1; i < Prices.Count; i++) { var d = Prices[i] - Prices[i - 1]; if (d > 0) up += d; else dn -= d; }
        return Result(input, up + dn != 0 ? 100m * (up - dn) / (up + dn) : 0m);
    }
}

/// <summary>Short name of <see cref="ChandeMomentumOscillator"/>.</summary>
public class CMO : ChandeMomentumOscillator { }

/// <summary>
/// Commodity channel index over candles: TP = (H + L + C)/3; CCI = (TP − SMA(TP)) / (0.015·MD), MD = mean |TP − SMA|
/// over the last Length candles (0 when MD = 0). Formed after Length candles; empty before.
/// </summary>
public class CommodityChannelIndex : CandleLengthIndicator
{
    public CommodityChannelIndex() { Length = 15; }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        Buffer.PushBack((b.High + b.Low + b.Close) / 3);
        if (!IsFormed) return Empty(input);
        decimal sum = 0;
        foreach (var v in Buffer) sum += v;
        var mean = sum / Length;
        decimal md = 0;
        foreach (var v in Buffer) md += Math.Abs(v - mean);
        md /= Length;
        return Result(input, md != 0 ? (Buffer.Last() - mean) / (0.015m * md) : 0m);
    }
}

/// <summary>Short name of <see cref="CommodityChannelIndex"/>.</summary>
public class CCI : CommodityChannelIndex { }

/// <summary>
/// Williams %R over candles: −100·(HH − C)/(HH − LL), HH/LL = highest high / lowest low of the last Length candles
/// (0 when HH = LL). Formed after Length candles; empty before.
/// </summary>
public class WilliamsR : HighLowRangeIndicator
{
    public WilliamsR() { Length = 14; }

    protected override decimal FromRange(decimal hh, decimal ll, decimal close) => hh != ll ? -100m * (hh - close) / (hh - ll) : 0m;
}

/// <summary>
/// An indicator of where the close stands in the range of the last Length candles (highest high HH, lowest low
/// LL): Williams %R and Stochastic %K. Formed after Length candles; empty before.
/// </summary>
public abstract class HighLowRangeIndicator : CandleLengthIndicator
{
    private readonly CircularBuffer<decimal> _lows = new(14);

    public override int Length { get => base.Length; set { _lows.Capacity = value; base.Length = value; } }
    public override IndicatorMeasures Measure => IndicatorMeasures.Percent;

    /// <summary>The value for the range and the close.</summary>
    protected abstract decimal FromRange(decimal hh, decimal ll, decimal close);

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        Buffer.PushBack(b.High); _lows.PushBack(b.Low);
        if (!IsFormed) return Empty(input);
        return Result(input, FromRange(Buffer.Max(), _lows.Min(), b.Close));
    }

    public override void Reset() { _lows?.Clear(); base.Reset(); }
}

/// <summary>Short name of <see cref="WilliamsR"/>.</summary>
public class WR : WilliamsR { }

/// <summary>
/// DeMarker over candles: DeMax = max(H − H[t−1], 0), DeMin = max(L[t−1] − L, 0); DeM = SMA(DeMax)/(SMA(DeMax) +
/// SMA(DeMin)) over Length (0.5 when both are 0). Formed after Length + 1 candles; empty before.
/// </summary>
public class DeMarker : CandleLengthIndicator
{
    private readonly SimpleMovingAverage _max = new(), _min = new();
    private decimal? _ph, _pl;

    public DeMarker() { Length = 14; }

    public override int Length { get => base.Length; set { _max.Length = _min.Length = value; base.Length = value; } }
    public override bool IsFormed { get => _max.IsFormed; protected set { } }
    public override int NumValuesToInitialize => Length + 1;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        if (_ph is not { } ph || _pl is not { } pl) { _ph = b.High; _pl = b.Low; return Empty(input); }
        _ph = b.High; _pl = b.Low;
        var mx = _max.Process(Math.Max(b.High - ph, 0m), input.Time).ToDecimal();
        var mn = _min.Process(Math.Max(pl - b.Low, 0m), input.Time).ToDecimal();
        if (!IsFormed) return Empty(input);
        return Result(input, mx + mn != 0 ? mx / (mx + mn) : 0.5m);
    }

    public override void Reset() { _max?.Reset(); _min?.Reset(); _ph = _pl = null; base.Reset(); }
}

/// <summary>
/// Awesome oscillator over candles: SMA(median, ShortMa.Length = 5) − SMA(median, LongMa.Length = 34), median =
/// (H + L)/2. Formed when LongMa is formed; empty before.
/// </summary>
public class AwesomeOscillator : BaseIndicator
{
    public AwesomeOscillator() { }

    /// <summary>Short (fast) average, length 5.</summary>
    public SimpleMovingAverage ShortMa { get; } = new() { Length = 5 };
    /// <summary>Long (slow) average, length 34.</summary>
    public SimpleMovingAverage LongMa { get; } = new() { Length = 34 };

    public override bool IsFormed { get => ShortMa.IsFormed && LongMa.IsFormed; protected set { } }
    public override int NumValuesToInitialize => Math.Max(ShortMa.Length, LongMa.Length);

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var c = input.ToCandle();
        var m = (c.HighPrice + c.LowPrice) / 2;
        var s = ShortMa.Process(m, input.Time).ToDecimal();
        var l = LongMa.Process(m, input.Time).ToDecimal();
        return IsFormed ? Result(input, s - l) : Empty(input);
    }

    public override void Reset() { ShortMa.Reset(); LongMa.Reset(); base.Reset(); }
}

/// <summary>Short name of <see cref="AwesomeOscillator"/>.</summary>
public class AO : AwesomeOscillator { }

/// <summary>
/// Money flow index over candles: TP = (H + L + C)/3, flow = TP·V, positive when TP &gt; TP[t−1], negative when
/// TP &lt; TP[t−1]; MFI = 100 − 100/(1 + Σpos/Σneg) over the last Length flows (100 when Σneg = 0). Formed after
/// Length + 1 candles; empty before.
/// </summary>
public class MoneyFlowIndex : CandleLengthIndicator
{
    private readonly CircularBuffer<decimal> _neg = new(14);
    private decimal? _prevTp;

    public MoneyFlowIndex() { Length = 14; }

    public override int Length { get => base.Length; set { _neg.Capacity = value; base.Length = value; } }
    public override int NumValuesToInitialize => Length + 1;
    public override IndicatorMeasures Measure => IndicatorMeasures.Percent;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        var tp = (b.High + b.Low + b.Close) / 3;
        if (_prevTp is not { } prev) { _prevTp = tp; return Empty(input); }
        _prevTp = tp;
        var flow = tp * b.Volume;
        Buffer.PushBack(tp > prev ? flow : 0m);
        _neg.PushBack(tp < prev ? flow : 0m);
        if (!IsFormed) return Empty(input);
        decimal p = 0, n = 0;
        for (int i = 0; i < Buffer.Count; i++) { p += Buffer[i]; n += _neg[i]; }
        return Result(input, n == 0 ? 100m : 100m - 100m / (1 + p / n));
    }

    public override void Reset() { _neg?.Clear(); _prevTp = null; base.Reset(); }
}

/// <summary>Short name of <see cref="MoneyFlowIndex"/> (StockSharp's <c>MNFI</c>).</summary>
public class MNFI : MoneyFlowIndex { }

/// <summary>Bulls power over candles: High − EMA(close, Length). Formed when the EMA is (Length candles); empty before.</summary>
public class BullPower : CandleLengthIndicator
{
    private readonly ExponentialMovingAverage _ema = new();

    public BullPower() { Length = 13; }

    public override int Length { get => base.Length; set { _ema.Length = value; base.Length = value; } }
    public override bool IsFormed { get => _ema.IsFormed; protected set { } }

    private protected virtual decimal Calc(ICandleMessageLike b, decimal ema) => b.High - ema;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        var e = _ema.Process(b.Close, input.Time).ToDecimal();
        return IsFormed ? Result(input, Calc(b, e)) : Empty(input);
    }

    public override void Reset() { _ema?.Reset(); base.Reset(); }
}

/// <summary>Bears power over candles: Low − EMA(close, Length). Formed after Length candles; empty before.</summary>
public class BearPower : BullPower
{
    private protected override decimal Calc(ICandleMessageLike b, decimal ema) => b.Low - ema;
}

/// <summary>
/// TRIX: 100·(E₃[t] − E₃[t−1]) / E₃[t−1], E₃ = EMA(EMA(EMA(x))) of Length, each EMA fed with the previous one's formed
/// values (SMA seeds). Formed after 3·Length − 1 inputs; empty before.
/// </summary>
public class Trix : LengthIndicator<decimal>
{
    private readonly ExponentialMovingAverage _e1 = new(), _e2 = new(), _e3 = new();
    private decimal? _prev;

    public Trix() { Length = 9; }

    public override int Length { get => base.Length; set { _e1.Length = _e2.Length = _e3.Length = value; base.Length = value; } }
    public override bool IsFormed { get => _e3.IsFormed && _formed; protected set { } }
    private bool _formed;
    public override int NumValuesToInitialize => 3 * Length - 1;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var a = _e1.Process(InputPrice(input), input.Time);
        if (!_e1.IsFormed) return Empty(input);
        var b = _e2.Process(a.ToDecimal(), input.Time);
        if (!_e2.IsFormed) return Empty(input);
        var c = _e3.Process(b.ToDecimal(), input.Time).ToDecimal();
        if (!_e3.IsFormed) return Empty(input);
        if (_prev is not { } p) { _prev = c; return Empty(input); }
        _prev = c; _formed = true;
        return Result(input, p != 0 ? 100m * (c - p) / p : 0m);
    }

    public override void Reset() { _e1?.Reset(); _e2?.Reset(); _e3?.Reset(); _prev = null; _formed = false; base.Reset(); }
}

/// <summary>
/// Choppiness index over candles: 100·log10(Σ TR / (HH − LL)) / log10(Length) over the last Length candles, TR the
/// true range (high − low on the first candle); 0 when HH = LL. Formed after Length candles; empty before.
/// </summary>
public class ChoppinessIndex : CandleLengthIndicator
{
    private readonly CircularBuffer<decimal> _hi = new(14), _lo = new(14);
    private decimal? _prevClose;

    public ChoppinessIndex() { Length = 14; }

    public override int Length { get => base.Length; set { _hi.Capacity = _lo.Capacity = value; base.Length = value; } }
    public override IndicatorMeasures Measure => IndicatorMeasures.Percent;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        Buffer.PushBack(IndMath.TrueRange(b, _prevClose));
        _prevClose = b.Close;
        _hi.PushBack(b.High); _lo.PushBack(b.Low);
        if (!IsFormed || Length < 2) return Empty(input);
        decimal sum = 0; foreach (var t in Buffer) sum += t;
        var range = _hi.Max() - _lo.Min();
        if (range == 0) return Result(input, 0m);
        return Result(input, (decimal)(100 * Math.Log10((double)(sum / range)) / Math.Log10(Length)));
    }

    public override void Reset() { _hi?.Clear(); _lo?.Clear(); _prevClose = null; base.Reset(); }
}

/// <summary>
/// RVI average line over candles: num = ((C−O) + 2(C−O)₋₁ + 2(C−O)₋₂ + (C−O)₋₃)/6, den the same with H−L;
/// RVI = Σnum/Σden over the last Length such values (default 4; 0 when Σden = 0). Formed after Length + 3 candles.
/// </summary>
public class RelativeVigorIndexAverage : CandleLengthIndicator
{
    private readonly CircularBuffer<decimal> _co = new(4), _hl = new(4), _den = new(4);

    public RelativeVigorIndexAverage() { Length = 4; }

    public override int Length { get => base.Length; set { _den.Capacity = value; base.Length = value; } }
    public override int NumValuesToInitialize => Length + 3;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        _co.PushBack(b.Close - b.Open); _hl.PushBack(b.High - b.Low);
        if (_co.Count < 4) return Empty(input);
        Buffer.PushBack((_co[3] + 2 * _co[2] + 2 * _co[1] + _co[0]) / 6);
        _den.PushBack((_hl[3] + 2 * _hl[2] + 2 * _hl[1] + _hl[0]) / 6);
        if (!IsFormed) return Empty(input);
        decimal n = 0, d = 0;
        for (int i = 0; i < Buffer.Count; i++) { n += Buffer[i]; d += _den[i]; }
        return Result(input, d != 0 ? n / d : 0m);
    }

    public override void Reset() { _co?.Clear(); _hl?.Clear(); _den?.Clear(); base.Reset(); }
}

/// <summary>RVI signal line: (RVI + 2RVI₋₁ + 2RVI₋₂ + RVI₋₃)/6 of the formed RVI values. Formed after 4 of them.</summary>
public class RelativeVigorIndexSignal : LengthIndicator<decimal>
{
    public RelativeVigorIndexSignal() { Length = 4; }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        Buffer.PushBack(InputPrice(input));
        if (!IsFormed || Buffer.Count < 4) return Empty(input);
        int k = Buffer.Count;
        return Result(input, (Buffer[k - 1] + 2 * Buffer[k - 2] + 2 * Buffer[k - 3] + Buffer[k - 4]) / 6);
    }
}

/// <summary>
/// Relative vigor index over candles: Average (<see cref="RelativeVigorIndexAverage"/>) then Signal
/// (<see cref="RelativeVigorIndexSignal"/>) of its formed values (Sequence). Inner order: Average, Signal. Formed
/// after Average.Length + 6 candles.
/// </summary>
public class RelativeVigorIndex : BaseComplexIndicator
{
    public RelativeVigorIndex() { AddInner(Average); AddInner(Signal); Mode = ComplexIndicatorModes.Sequence; }

    public RelativeVigorIndexAverage Average { get; } = new();
    public RelativeVigorIndexSignal Signal { get; } = new();

    public override int NumValuesToInitialize => Average.NumValuesToInitialize + 3;
    protected override ComplexIndicatorValue CreateValue(DateTime time) => new RelativeVigorIndexValue(this, time);
}

/// <summary>Short name of <see cref="RelativeVigorIndex"/>.</summary>
public class RVI : RelativeVigorIndex { }

/// <summary><see cref="RelativeVigorIndex"/> value.</summary>
/// <summary>The values of <see cref="RelativeVigorIndexValue"/> (StockSharp also names the value interface).</summary>
public interface IRelativeVigorIndexValue : IIndicatorValue
{
    IIndicatorValue AverageValue { get; }
    decimal? Average { get; }
    IIndicatorValue SignalValue { get; }
    decimal? Signal { get; }
}

public class RelativeVigorIndexValue : ComplexIndicatorValue<RelativeVigorIndex>, IRelativeVigorIndexValue
{
    public RelativeVigorIndexValue(RelativeVigorIndex indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue AverageValue => this[TypedIndicator.Average];
    public decimal? Average => GetInnerDecimal(TypedIndicator.Average);
    public IIndicatorValue SignalValue => this[TypedIndicator.Signal];
    public decimal? Signal => GetInnerDecimal(TypedIndicator.Signal);
    public override string ToString() => $"Average={Average}, Signal={Signal}";
}
