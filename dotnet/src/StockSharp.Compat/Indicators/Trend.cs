namespace StockSharp.Algo.Indicators;

/// <summary>
/// MACD line: ShortMa − LongMa, both SMA-seeded EMAs of the input (defaults 12 and 26). Formed when LongMa is formed;
/// provisional values (difference of the provisional EMAs) before, not formed.
/// </summary>
public class MovingAverageConvergenceDivergence : BaseIndicator
{
    public MovingAverageConvergenceDivergence() : this(new ExponentialMovingAverage { Length = 26 }, new ExponentialMovingAverage { Length = 12 }) { }

    public MovingAverageConvergenceDivergence(ExponentialMovingAverage longMa, ExponentialMovingAverage shortMa)
    {
        ShortMa = shortMa ?? throw new ArgumentNullException(nameof(shortMa));
        LongMa = longMa ?? throw new ArgumentNullException(nameof(longMa));
    }

    public ExponentialMovingAverage LongMa { get; }
    public ExponentialMovingAverage ShortMa { get; }

    public override bool IsFormed { get => LongMa.IsFormed && ShortMa.IsFormed; protected set { } }
    public override int NumValuesToInitialize => Math.Max(LongMa.Length, ShortMa.Length);
    public override IndicatorMeasures Measure => IndicatorMeasures.MinusOnePlusOne;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var x = InputPrice(input);
        var s = ShortMa.Process(x, input.Time).ToDecimal();
        var l = LongMa.Process(x, input.Time).ToDecimal();
        return Result(input, s - l);
    }

    public override void Reset() { ShortMa.Reset(); LongMa.Reset(); base.Reset(); }
}

/// <summary>Short name of <see cref="MovingAverageConvergenceDivergence"/>.</summary>
public class MACD : MovingAverageConvergenceDivergence { }

/// <summary>
/// MACD with its signal line: Macd (the MACD line) then SignalMa = EMA(9) of the formed MACD values (Sequence mode).
/// Inner order: Macd, SignalMa. Formed after LongMa.Length + SignalMa.Length − 1 inputs; before that the value has the
/// MACD only (the signal empty), not formed.
/// </summary>
public class MovingAverageConvergenceDivergenceSignal : BaseComplexIndicator
{
    public MovingAverageConvergenceDivergenceSignal() : this(new MovingAverageConvergenceDivergence(), new ExponentialMovingAverage { Length = 9 }) { }

    public MovingAverageConvergenceDivergenceSignal(MovingAverageConvergenceDivergence macd, ExponentialMovingAverage signalMa)
        : base(macd, signalMa)
    {
        Macd = macd; SignalMa = signalMa; Mode = ComplexIndicatorModes.Sequence;
    }

    public MovingAverageConvergenceDivergence Macd { get; }
    public ExponentialMovingAverage SignalMa { get; }

    public override int NumValuesToInitialize => Macd.NumValuesToInitialize + SignalMa.Length - 1;
    public override IndicatorMeasures Measure => IndicatorMeasures.MinusOnePlusOne;

    protected override ComplexIndicatorValue CreateValue(DateTime time) => new MovingAverageConvergenceDivergenceSignalValue(this, time);
    public override string ToString() => $"{Name} L={Macd.LongMa.Length} S={Macd.ShortMa.Length} Sig={SignalMa.Length}";
}

/// <summary><see cref="MovingAverageConvergenceDivergenceSignal"/> value.</summary>
/// <summary>The values of <see cref="MovingAverageConvergenceDivergenceSignalValue"/> (StockSharp also names the value interface).</summary>
public interface IMovingAverageConvergenceDivergenceSignalValue : IIndicatorValue
{
    IIndicatorValue MacdValue { get; }
    decimal? Macd { get; }
    IIndicatorValue SignalValue { get; }
    decimal? Signal { get; }
}

public class MovingAverageConvergenceDivergenceSignalValue : ComplexIndicatorValue<MovingAverageConvergenceDivergenceSignal>, IMovingAverageConvergenceDivergenceSignalValue
{
    public MovingAverageConvergenceDivergenceSignalValue(MovingAverageConvergenceDivergenceSignal indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue MacdValue => this[TypedIndicator.Macd];
    public decimal? Macd => GetInnerDecimal(TypedIndicator.Macd);
    public IIndicatorValue SignalValue => this[TypedIndicator.SignalMa];
    public decimal? Signal => GetInnerDecimal(TypedIndicator.SignalMa);
    public override string ToString() => $"Macd={Macd}, Signal={Signal}";
}

/// <summary>
/// MACD histogram: the same lines as <see cref="MovingAverageConvergenceDivergenceSignal"/> (Macd, Signal; the
/// histogram is Macd − Signal). Formed after LongMa.Length + SignalMa.Length − 1 inputs.
/// </summary>
public class MovingAverageConvergenceDivergenceHistogram : MovingAverageConvergenceDivergenceSignal
{
    public MovingAverageConvergenceDivergenceHistogram() { }
    public MovingAverageConvergenceDivergenceHistogram(MovingAverageConvergenceDivergence macd, ExponentialMovingAverage signalMa) : base(macd, signalMa) { }
    protected override ComplexIndicatorValue CreateValue(DateTime time) => new MovingAverageConvergenceDivergenceHistogramValue(this, time);
}

/// <summary><see cref="MovingAverageConvergenceDivergenceHistogram"/> value.</summary>
/// <summary>The values of <see cref="MovingAverageConvergenceDivergenceHistogramValue"/> (StockSharp also names the value interface).</summary>
public interface IMovingAverageConvergenceDivergenceHistogramValue : IIndicatorValue
{
    IIndicatorValue MacdValue { get; }
    decimal? Macd { get; }
    IIndicatorValue SignalValue { get; }
    decimal? Signal { get; }
}

public class MovingAverageConvergenceDivergenceHistogramValue : ComplexIndicatorValue<MovingAverageConvergenceDivergenceHistogram>, IMovingAverageConvergenceDivergenceHistogramValue
{
    public MovingAverageConvergenceDivergenceHistogramValue(MovingAverageConvergenceDivergenceHistogram indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue MacdValue => this[TypedIndicator.Macd];
    public decimal? Macd => GetInnerDecimal(TypedIndicator.Macd);
    public IIndicatorValue SignalValue => this[TypedIndicator.SignalMa];
    public decimal? Signal => GetInnerDecimal(TypedIndicator.SignalMa);
    public override string ToString() => $"Macd={Macd}, Signal={Signal}";
}

/// <summary>
/// Stochastic %K over candles: 100·(C − LL)/(HH − LL), HH/LL over the last Length candles (default 14; 0 when
/// HH = LL). Formed after Length candles; empty before.
/// </summary>
public class StochasticK : HighLowRangeIndicator
{
    public StochasticK() { Length = 14; }

    protected override decimal FromRange(decimal hh, decimal ll, decimal close) => hh != ll ? 100m * (close - ll) / (hh - ll) : 0m;
}

/// <summary>
/// Stochastic oscillator over candles: K (<see cref="StochasticK"/>, Length 14) then D = SMA(3) of the formed %K values
/// (Sequence mode; no extra %K slowing). Inner order: K, D. Formed after K.Length + D.Length − 1 candles.
/// </summary>
public class StochasticOscillator : BaseComplexIndicator
{
    public StochasticOscillator()
    {
        AddInner(K); AddInner(D);
        Mode = ComplexIndicatorModes.Sequence;
    }

    public StochasticK K { get; } = new();
    public SimpleMovingAverage D { get; } = new() { Length = 3 };

    public override IndicatorMeasures Measure => IndicatorMeasures.Percent;
    public override int NumValuesToInitialize => K.Length + D.Length - 1;

    protected override ComplexIndicatorValue CreateValue(DateTime time) => new StochasticOscillatorValue(this, time);
    public override string ToString() => $"{Name} %K={K.Length} %D={D.Length}";
}

/// <summary>Short name of <see cref="StochasticOscillator"/>.</summary>
public class STOCH : StochasticOscillator { }

/// <summary><see cref="StochasticOscillator"/> value.</summary>
/// <summary>The values of <see cref="StochasticOscillatorValue"/> (StockSharp also names the value interface).</summary>
public interface IStochasticOscillatorValue : IIndicatorValue
{
    IIndicatorValue KValue { get; }
    decimal? K { get; }
    IIndicatorValue DValue { get; }
    decimal? D { get; }
}

public class StochasticOscillatorValue : ComplexIndicatorValue<StochasticOscillator>, IStochasticOscillatorValue
{
    public StochasticOscillatorValue(StochasticOscillator indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue KValue => this[TypedIndicator.K];
    public decimal? K => GetInnerDecimal(TypedIndicator.K);
    public IIndicatorValue DValue => this[TypedIndicator.D];
    public decimal? D => GetInnerDecimal(TypedIndicator.D);
}

/// <summary>
/// A directional indicator line (Wilder) over candles: +DM = H − H[t−1] when it exceeds L[t−1] − L and is positive
/// (else 0), −DM mirrored; DI = 100 · Wilder(DM, Length) / Wilder(TR, Length), both Wilder averages SMA-seeded.
/// Formed after Length + 1 candles; empty before.
/// </summary>
public abstract class DiPart : CandleLengthIndicator
{
    private readonly WilderMovingAverage _dm = new(), _tr = new();
    private ICandleMessageLike? _prev;

    protected DiPart() { Length = 5; }

    public override int Length { get => base.Length; set { _dm.Length = _tr.Length = value; base.Length = value; } }
    public override bool IsFormed { get => _dm.IsFormed; protected set { } }
    public override int NumValuesToInitialize => Length + 1;
    public override IndicatorMeasures Measure => IndicatorMeasures.Percent;

    /// <summary>This line's directional movement from the previous and current candle.</summary>
    private protected abstract decimal Movement(ICandleMessageLike prev, ICandleMessageLike cur);

    internal static decimal PlusDm(ICandleMessageLike p, ICandleMessageLike c)
    {
        decimal up = c.High - p.High, dn = p.Low - c.Low;
        return up > dn && up > 0 ? up : 0m;
    }

    internal static decimal MinusDm(ICandleMessageLike p, ICandleMessageLike c)
    {
        decimal up = c.High - p.High, dn = p.Low - c.Low;
        return dn > up && dn > 0 ? dn : 0m;
    }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        if (_prev is not { } p) { _prev = b; return Empty(input); }
        _prev = b;
        var dm = _dm.Process(Movement(p, b), input.Time).ToDecimal();
        var tr = _tr.Process(IndMath.TrueRange(b, p.Close), input.Time).ToDecimal();
        if (!IsFormed) return Empty(input);
        return Result(input, tr != 0 ? 100m * dm / tr : 0m);
    }

    public override void Reset() { _dm?.Reset(); _tr?.Reset(); _prev = null; base.Reset(); }
}

/// <summary>DI+ (see <see cref="DiPart"/>).</summary>
public class DiPlus : DiPart { private protected override decimal Movement(ICandleMessageLike p, ICandleMessageLike c) => PlusDm(p, c); }

/// <summary>DI− (see <see cref="DiPart"/>).</summary>
public class DiMinus : DiPart { private protected override decimal Movement(ICandleMessageLike p, ICandleMessageLike c) => MinusDm(p, c); }

/// <summary>
/// Directional movement index (Wilder) over candles: inner Plus (DI+), Minus (DI−); its own number is
/// DX = 100·|DI+ − DI−| / (DI+ + DI−) (0 when the sum is 0). Formed after Length + 1 candles (default 14).
/// </summary>
public class DirectionalIndex : BaseComplexIndicator
{
    public DirectionalIndex()
    {
        AddInner(Plus); AddInner(Minus);
        Length = 14;
    }

    public DiPlus Plus { get; } = new();
    public DiMinus Minus { get; } = new();

    public int Length { get => Plus.Length; set { Plus.Length = Minus.Length = value; Reset(); } }
    public override IndicatorMeasures Measure => IndicatorMeasures.Percent;
    public override int NumValuesToInitialize => Length + 1;

    protected override ComplexIndicatorValue CreateValue(DateTime time) => new DirectionalIndexValue(this, time);

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var v = (DirectionalIndexValue)CreateValue(input.Time);
        var p = Plus.Process(input); var m = Minus.Process(input);
        v.Add(Plus, p); v.Add(Minus, m);
        if (!p.IsEmpty && !m.IsEmpty)
        {
            decimal a = p.ToDecimal(), b = m.ToDecimal();
            v.Dx = a + b != 0 ? 100m * Math.Abs(a - b) / (a + b) : 0m;
        }
        return v;
    }

    public override string ToString() => $"{Name} {Length}";
}

/// <summary>Short name of <see cref="DirectionalIndex"/>.</summary>
public class DX : DirectionalIndex { }

/// <summary><see cref="DirectionalIndex"/> value: Plus, Minus and, as its own number (<c>ToDecimal</c>), the DX.</summary>
/// <summary>The values of <see cref="DirectionalIndexValue"/> (StockSharp also names the value interface).</summary>
public interface IDirectionalIndexValue : IIndicatorValue
{
    IIndicatorValue PlusValue { get; }
    decimal? Plus { get; }
    IIndicatorValue MinusValue { get; }
    decimal? Minus { get; }
}

public class DirectionalIndexValue : ComplexIndicatorValue<DirectionalIndex>, IDirectionalIndexValue
{
    public DirectionalIndexValue(DirectionalIndex indicator, DateTime time) : base(indicator, time) { }
    internal decimal? Dx { get; set; }
    public IIndicatorValue PlusValue => this[TypedIndicator.Plus];
    public decimal? Plus => GetInnerDecimal(TypedIndicator.Plus);
    public IIndicatorValue MinusValue => this[TypedIndicator.Minus];
    public decimal? Minus => GetInnerDecimal(TypedIndicator.Minus);
    public override bool IsEmpty { get => Dx is null; set { } }
    public override decimal ToDecimal() => Dx ?? throw new InvalidOperationException("DirectionalIndex value is empty (not formed)");
    public override T GetValue<T>(Messages.Level1Fields? field = null) => Dx is { } d ? ConvertTo<T>(d) : default;
    public override string ToString() => $"Plus={Plus}, Minus={Minus}, Dx={Dx}";
}

/// <summary>
/// Average directional index (Wilder) over candles: Dx (<see cref="DirectionalIndex"/>) then MovingAverage =
/// <see cref="WilderMovingAverage"/> of the formed DX values (Sequence). Length (default 14) sets both. Inner order:
/// Dx (its Plus, Minus when flattened by <c>Bind</c>), MovingAverage. Formed after 2·Length candles.
/// </summary>
public class AverageDirectionalIndex : BaseComplexIndicator
{
    public AverageDirectionalIndex() : this(new DirectionalIndex { Length = 14 }, new WilderMovingAverage { Length = 14 }) { }

    public AverageDirectionalIndex(DirectionalIndex dx, LengthIndicator<decimal> movingAverage) : base(dx, movingAverage)
    {
        Dx = dx; MovingAverage = movingAverage; Mode = ComplexIndicatorModes.Sequence;
    }

    public DirectionalIndex Dx { get; }
    public LengthIndicator<decimal> MovingAverage { get; }

    public int Length { get => MovingAverage.Length; set { MovingAverage.Length = value; Dx.Length = value; Reset(); } }
    public override IndicatorMeasures Measure => IndicatorMeasures.Percent;
    public override int NumValuesToInitialize => Dx.NumValuesToInitialize + MovingAverage.Length - 1;

    protected override ComplexIndicatorValue CreateValue(DateTime time) => new AverageDirectionalIndexValue(this, time);
    public override string ToString() => $"{Name} {Length}";
}

/// <summary>Short name of <see cref="AverageDirectionalIndex"/>.</summary>
public class ADX : AverageDirectionalIndex { }

/// <summary><see cref="AverageDirectionalIndex"/> value: <c>Dx</c> (with Plus/Minus) and <c>MovingAverage</c> (the ADX).</summary>
/// <summary>The values of <see cref="AverageDirectionalIndexValue"/> (StockSharp also names the value interface).</summary>
public interface IAverageDirectionalIndexValue : IIndicatorValue
{
    IIndicatorValue DxValue { get; }
    DirectionalIndexValue Dx { get; }
    IIndicatorValue MovingAverageValue { get; }
    decimal? MovingAverage { get; }
}

public class AverageDirectionalIndexValue : ComplexIndicatorValue<AverageDirectionalIndex>, IAverageDirectionalIndexValue
{
    public AverageDirectionalIndexValue(AverageDirectionalIndex indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue DxValue => this[TypedIndicator.Dx];
    public DirectionalIndexValue Dx => DxValue as DirectionalIndexValue;
    public IIndicatorValue MovingAverageValue => this[TypedIndicator.MovingAverage];
    public decimal? MovingAverage => GetInnerDecimal(TypedIndicator.MovingAverage);
    public override string ToString() => $"Dx=({Dx}), MovingAverage={MovingAverage}";
}

/// <summary>
/// Parabolic SAR (Wilder) over candles. Candle 1 is only stored; at candle 2 the trend is up when its close ≥ the first
/// close (SAR = the lower of the two lows, EP = the higher high), else down (mirror). Then
/// SAR += AF·(EP − SAR), clamped to not exceed the previous two lows (up) / highs (down); a candle crossing the SAR
/// reverses the trend (SAR = the EP, EP = that candle's extreme, AF = Acceleration); a new extreme raises AF by
/// AccelerationStep up to AccelerationMax. Defaults 0.02 / 0.02 / 0.2. Formed from candle 2; empty on candle 1.
/// </summary>
public class ParabolicSar : BaseIndicator
{
    private ICandleMessageLike? _p1, _p2;
    private decimal _sar, _ep, _af;
    private bool _up, _started;

    public decimal Acceleration { get; set; } = 0.02m;
    public decimal AccelerationStep { get; set; } = 0.02m;
    public decimal AccelerationMax { get; set; } = 0.2m;

    public override int NumValuesToInitialize => 2;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var c = ICandleMessageLike.From(input.ToCandle());
        if (_p1 is not { } p1) { _p1 = c; return Empty(input); }
        if (!_started)
        {
            _started = true; IsFormed = true;
            _up = c.Close >= p1.Close;
            _af = Acceleration;
            if (_up) { _sar = Math.Min(p1.Low, c.Low); _ep = Math.Max(p1.High, c.High); }
            else { _sar = Math.Max(p1.High, c.High); _ep = Math.Min(p1.Low, c.Low); }
            _p2 = p1; _p1 = c;
            return Result(input, _sar);
        }
        var prev = p1; var prev2 = _p2 ?? p1;
        var sar = _sar + _af * (_ep - _sar);
        if (_up)
        {
            sar = Math.Min(sar, Math.Min(prev.Low, prev2.Low));
            if (c.Low < sar) { _up = false; sar = _ep; _ep = c.Low; _af = Acceleration; }
            else if (c.High > _ep) { _ep = c.High; _af = Math.Min(_af + AccelerationStep, AccelerationMax); }
        }
        else
        {
            sar = Math.Max(sar, Math.Max(prev.High, prev2.High));
            if (c.High > sar) { _up = true; sar = _ep; _ep = c.High; _af = Acceleration; }
            else if (c.Low < _ep) { _ep = c.Low; _af = Math.Min(_af + AccelerationStep, AccelerationMax); }
        }
        _sar = sar; _p2 = prev; _p1 = c;
        return Result(input, sar);
    }

    public override void Reset() { _p1 = _p2 = null; _sar = _ep = _af = 0; _up = _started = false; base.Reset(); }
}

/// <summary>Short name of <see cref="ParabolicSar"/>.</summary>
public class PSAR : ParabolicSar { }

/// <summary>An Ichimoku line over candles: (highest high + lowest low)/2 of the last Length candles. Formed after Length candles; empty before.</summary>
public class IchimokuLine : CandleLengthIndicator
{
    private readonly CircularBuffer<decimal> _lows = new(1);

    public override int Length { get => base.Length; set { _lows.Capacity = value; base.Length = value; } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        Buffer.PushBack(b.High); _lows.PushBack(b.Low);
        return IsFormed ? Result(input, (Buffer.Max() + _lows.Min()) / 2) : Empty(input);
    }

    public override void Reset() { _lows?.Clear(); base.Reset(); }
}

/// <summary>Senkou span A at the current candle: (Tenkan + Kijun)/2 as computed Kijun.Length candles ago.</summary>
public class IchimokuSenkouALine : LengthIndicator<decimal>
{
    private readonly IchimokuLine _tenkan, _kijun;
    private readonly CircularBuffer<decimal> _vals = new(27);

    public IchimokuSenkouALine(IchimokuLine tenkan, IchimokuLine kijun) { _tenkan = tenkan; _kijun = kijun; }

    public override bool IsFormed { get => _vals.Count > _kijun.Length; protected set { } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        if (_vals.Capacity != _kijun.Length + 1) _vals.Capacity = _kijun.Length + 1;
        if (!_tenkan.IsFormed || !_kijun.IsFormed) return Empty(input);
        _vals.PushBack((_tenkan.GetCurrentValue() + _kijun.GetCurrentValue()) / 2);
        return IsFormed ? Result(input, _vals[0]) : Empty(input);
    }

    public override void Reset() { _vals?.Clear(); base.Reset(); }
}

/// <summary>Senkou span B at the current candle: the (HH + LL)/2 of Length (52) candles as computed Kijun.Length candles ago.</summary>
public class IchimokuSenkouBLine : CandleLengthIndicator
{
    private readonly IchimokuLine _kijun;
    private readonly IchimokuLine _line = new();
    private readonly CircularBuffer<decimal> _vals = new(27);

    public IchimokuSenkouBLine(IchimokuLine kijun) { _kijun = kijun; }

    public override int Length { get => base.Length; set { _line.Length = value; base.Length = value; } }
    public override bool IsFormed { get => _vals.Count > _kijun.Length; protected set { } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        if (_vals.Capacity != _kijun.Length + 1) _vals.Capacity = _kijun.Length + 1;
        var v = _line.Process(input);
        if (!_line.IsFormed) return Empty(input);
        _vals.PushBack(v.ToDecimal());
        return IsFormed ? Result(input, _vals[0]) : Empty(input);
    }

    public override void Reset() { _line?.Reset(); _vals?.Clear(); base.Reset(); }
}

/// <summary>Chinkou span: the current close (plotted Length candles back); formed after Length candles, empty before.</summary>
public class IchimokuChinkouLine : CandleLengthIndicator
{
    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        Buffer.PushBack(b.Close);
        return IsFormed ? Result(input, b.Close) : Empty(input);
    }
}

/// <summary>
/// Ichimoku over candles: Tenkan (9) and Kijun (26) = (HH + LL)/2 of their lengths; SenkouA = (Tenkan + Kijun)/2 and
/// SenkouB = (HH + LL)/2 of SenkouB.Length (52) candles, both as computed Kijun.Length candles ago (the cloud under the
/// current candle); Chinkou = the current close (formed after Kijun.Length candles). Inner order: Tenkan, Kijun,
/// SenkouA, SenkouB, Chinkou. Formed when all lines are (SenkouB.Length + Kijun.Length candles with the defaults).
/// </summary>
public class Ichimoku : BaseComplexIndicator
{
    public Ichimoku() : this(new IchimokuLine { Length = 9 }, new IchimokuLine { Length = 26 }) { }

    public Ichimoku(IchimokuLine tenkan, IchimokuLine kijun)
    {
        Tenkan = tenkan ?? throw new ArgumentNullException(nameof(tenkan));
        Kijun = kijun ?? throw new ArgumentNullException(nameof(kijun));
        SenkouA = new IchimokuSenkouALine(Tenkan, Kijun);
        SenkouB = new IchimokuSenkouBLine(Kijun) { Length = 52 };
        Chinkou = new IchimokuChinkouLine { Length = kijun.Length };
        AddInner(Tenkan); AddInner(Kijun); AddInner(SenkouA); AddInner(SenkouB); AddInner(Chinkou);
    }

    public IchimokuLine Tenkan { get; }
    public IchimokuLine Kijun { get; }
    public IchimokuSenkouALine SenkouA { get; }
    public IchimokuSenkouBLine SenkouB { get; }
    public IchimokuChinkouLine Chinkou { get; }

    protected override ComplexIndicatorValue CreateValue(DateTime time) => new IchimokuValue(this, time);
    public override string ToString() => $"{Name} T={Tenkan.Length} K={Kijun.Length} B={SenkouB.Length} C={Chinkou.Length}";
}

/// <summary>Short name of <see cref="Ichimoku"/>.</summary>
public class ICH : Ichimoku { }

/// <summary><see cref="Ichimoku"/> value.</summary>
/// <summary>The values of <see cref="IchimokuValue"/> (StockSharp also names the value interface).</summary>
public interface IIchimokuValue : IIndicatorValue
{
    IIndicatorValue TenkanValue { get; }
    decimal? Tenkan { get; }
    IIndicatorValue KijunValue { get; }
    decimal? Kijun { get; }
    IIndicatorValue SenkouAValue { get; }
    decimal? SenkouA { get; }
    IIndicatorValue SenkouBValue { get; }
    decimal? SenkouB { get; }
    IIndicatorValue ChinkouValue { get; }
    decimal? Chinkou { get; }
}

public class IchimokuValue : ComplexIndicatorValue<Ichimoku>, IIchimokuValue
{
    public IchimokuValue(Ichimoku indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue TenkanValue => this[TypedIndicator.Tenkan];
    public decimal? Tenkan => GetInnerDecimal(TypedIndicator.Tenkan);
    public IIndicatorValue KijunValue => this[TypedIndicator.Kijun];
    public decimal? Kijun => GetInnerDecimal(TypedIndicator.Kijun);
    public IIndicatorValue SenkouAValue => this[TypedIndicator.SenkouA];
    public decimal? SenkouA => GetInnerDecimal(TypedIndicator.SenkouA);
    public IIndicatorValue SenkouBValue => this[TypedIndicator.SenkouB];
    public decimal? SenkouB => GetInnerDecimal(TypedIndicator.SenkouB);
    public IIndicatorValue ChinkouValue => this[TypedIndicator.Chinkou];
    public decimal? Chinkou => GetInnerDecimal(TypedIndicator.Chinkou);
    public override string ToString() => $"Tenkan={Tenkan}, Kijun={Kijun}, SenkouA={SenkouA}, SenkouB={SenkouB}, Chinkou={Chinkou}";
}

/// <summary>Aroon up over candles: 100·(Length − candles since the highest high of the last Length + 1 candles)/Length (the most recent one on ties).</summary>
public class AroonUp : CandleLengthIndicator
{
    private readonly CircularBuffer<decimal> _vals = new(15);

    public AroonUp() { Length = 14; }

    public override int Length { get => base.Length; set { _vals.Capacity = value + 1; base.Length = value; } }
    public override bool IsFormed { get => _vals.Count > Length; protected set { } }
    public override int NumValuesToInitialize => Length + 1;

    private protected virtual decimal Pick(ICandleMessageLike b) => b.High;
    protected virtual bool Better(decimal candidate, decimal best) => candidate >= best;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        _vals.PushBack(Pick(Bar(input)));
        if (!IsFormed) return Empty(input);
        int bestIdx = 0;
        for (int i = 1; i < _vals.Count; i++) if (Better(_vals[i], _vals[bestIdx])) bestIdx = i;
        var age = _vals.Count - 1 - bestIdx;
        return Result(input, 100m * (Length - age) / Length);
    }

    public override void Reset() { _vals?.Clear(); base.Reset(); }
}

/// <summary>Aroon down over candles: as <see cref="AroonUp"/> with the lowest low.</summary>
public class AroonDown : AroonUp
{
    private protected override decimal Pick(ICandleMessageLike b) => b.Low;
    protected override bool Better(decimal candidate, decimal best) => candidate <= best;
}

/// <summary>
/// Aroon over candles: Up and Down (see <see cref="AroonUp"/>), Length default 14. Inner order: Up, Down. Formed after
/// Length + 1 candles; empty before.
/// </summary>
public class Aroon : BaseComplexIndicator
{
    public Aroon() { AddInner(Up); AddInner(Down); Length = 14; }

    public AroonUp Up { get; } = new();
    public AroonDown Down { get; } = new();

    public int Length { get => Up.Length; set { Up.Length = Down.Length = value; Reset(); } }
    public override IndicatorMeasures Measure => IndicatorMeasures.Percent;

    protected override ComplexIndicatorValue CreateValue(DateTime time) => new AroonValue(this, time);
}

/// <summary><see cref="Aroon"/> value.</summary>
/// <summary>The values of <see cref="AroonValue"/> (StockSharp also names the value interface).</summary>
public interface IAroonValue : IIndicatorValue
{
    IIndicatorValue UpValue { get; }
    decimal? Up { get; }
    IIndicatorValue DownValue { get; }
    decimal? Down { get; }
}

public class AroonValue : ComplexIndicatorValue<Aroon>, IAroonValue
{
    public AroonValue(Aroon indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue UpValue => this[TypedIndicator.Up];
    public decimal? Up => GetInnerDecimal(TypedIndicator.Up);
    public IIndicatorValue DownValue => this[TypedIndicator.Down];
    public decimal? Down => GetInnerDecimal(TypedIndicator.Down);
    public override string ToString() => $"Up={Up}, Down={Down}";
}

/// <summary>A vortex line over candles: Σ VM / Σ TR over the last Length candles, VM+ = |H − L[t−1]|, VM− = |L − H[t−1]|.</summary>
public class VortexPart : CandleLengthIndicator
{
    private readonly CircularBuffer<decimal> _tr = new(14);
    private ICandleMessageLike? _prev;
    private readonly bool _plus;

    public VortexPart(bool plus) { _plus = plus; Length = 14; }

    public override int Length { get => base.Length; set { _tr.Capacity = value; base.Length = value; } }
    public override int NumValuesToInitialize => Length + 1;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = Bar(input);
        if (_prev is not { } p) { _prev = b; return Empty(input); }
        _prev = b;
        Buffer.PushBack(_plus ? Math.Abs(b.High - p.Low) : Math.Abs(b.Low - p.High));
        _tr.PushBack(IndMath.TrueRange(b, p.Close));
        if (!IsFormed) return Empty(input);
        decimal vm = 0, tr = 0;
        for (int i = 0; i < Buffer.Count; i++) { vm += Buffer[i]; tr += _tr[i]; }
        return Result(input, tr != 0 ? vm / tr : 0m);
    }

    public override void Reset() { _tr?.Clear(); _prev = null; base.Reset(); }
}

/// <summary>
/// Vortex indicator over candles: PlusVi and MinusVi (see <see cref="VortexPart"/>), Length default 14. Inner order:
/// PlusVi, MinusVi. Formed after Length + 1 candles; empty before.
/// </summary>
public class VortexIndicator : BaseComplexIndicator
{
    public VortexIndicator() { AddInner(PlusVi); AddInner(MinusVi); }

    public VortexPart PlusVi { get; } = new(true) { Name = nameof(PlusVi) };
    public VortexPart MinusVi { get; } = new(false) { Name = nameof(MinusVi) };

    public int Length { get => PlusVi.Length; set { PlusVi.Length = MinusVi.Length = value; Reset(); } }

    protected override ComplexIndicatorValue CreateValue(DateTime time) => new VortexIndicatorValue(this, time);
}

/// <summary>Short name of <see cref="VortexIndicator"/>.</summary>
public class VI : VortexIndicator { }

/// <summary><see cref="VortexIndicator"/> value.</summary>
/// <summary>The values of <see cref="VortexIndicatorValue"/> (StockSharp also names the value interface).</summary>
public interface IVortexIndicatorValue : IIndicatorValue
{
    IIndicatorValue PlusViValue { get; }
    decimal? PlusVi { get; }
    IIndicatorValue MinusViValue { get; }
    decimal? MinusVi { get; }
}

public class VortexIndicatorValue : ComplexIndicatorValue<VortexIndicator>, IVortexIndicatorValue
{
    public VortexIndicatorValue(VortexIndicator indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue PlusViValue => this[TypedIndicator.PlusVi];
    public decimal? PlusVi => GetInnerDecimal(TypedIndicator.PlusVi);
    public IIndicatorValue MinusViValue => this[TypedIndicator.MinusVi];
    public decimal? MinusVi => GetInnerDecimal(TypedIndicator.MinusVi);
    public override string ToString() => $"PlusVi={PlusVi}, MinusVi={MinusVi}";
}
