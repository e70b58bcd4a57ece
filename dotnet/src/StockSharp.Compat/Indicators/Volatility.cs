namespace StockSharp.Algo.Indicators;

/// <summary>
/// Standard deviation (population, ÷ Length) of the last Length inputs. Formed after Length inputs (before that over
/// the inputs so far, not formed).
/// </summary>
public class StandardDeviation : LengthIndicator<decimal>
{
    public StandardDeviation() { Length = 10; }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        Buffer.PushBack(InputPrice(input));
        decimal sum = 0; foreach (var v in Buffer) sum += v;
        var mean = sum / Buffer.Count;
        decimal ss = 0; foreach (var v in Buffer) ss += (v - mean) * (v - mean);
        return Result(input, IndMath.Sqrt(ss / Buffer.Count));
    }
}

/// <summary>Short name of <see cref="StandardDeviation"/>.</summary>
public class STDEV : StandardDeviation { }

/// <summary>True range of a candle: max(H − L, |H − C[t−1]|, |L − C[t−1]|); H − L on the first candle. Formed from the first candle.</summary>
public class TrueRange : BaseIndicator
{
    private decimal? _prevClose;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var b = ICandleMessageLike.From(input.ToCandle());
        var tr = IndMath.TrueRange(b, _prevClose);
        _prevClose = b.Close;
        IsFormed = true;
        return Result(input, tr);
    }

    public override void Reset() { _prevClose = null; base.Reset(); }
}

/// <summary>Short name of <see cref="TrueRange"/>.</summary>
public class TR : TrueRange { }

/// <summary>
/// Average true range (Wilder): the true range (H − L on the first candle) smoothed with
/// <see cref="WilderMovingAverage"/> (SMA of the first Length true ranges, then (ATR·(Length−1) + TR)/Length).
/// Formed after Length candles (before that the running mean of the true ranges, not formed).
/// </summary>
public class AverageTrueRange : LengthIndicator<decimal>
{
    private readonly TrueRange _tr = new();
    private readonly WilderMovingAverage _ma = new();

    public AverageTrueRange() { Length = 14; }

    public override int Length { get => base.Length; set { _ma.Length = value; base.Length = value; } }
    public override bool IsFormed { get => _ma.IsFormed; protected set { } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var tr = _tr.Process(input).ToDecimal();
        return Result(input, _ma.Process(tr, input.Time).ToDecimal());
    }

    public override void Reset() { _tr?.Reset(); _ma?.Reset(); base.Reset(); }
}

/// <summary>Short name of <see cref="AverageTrueRange"/>.</summary>
public class ATR : AverageTrueRange { }

/// <summary>
/// Maximum of the last Length inputs — a candle's high price (or its <c>Source</c> price), a number as is. Formed after
/// Length inputs (before that the maximum so far, not formed).
/// </summary>
public class Highest : LengthIndicator<decimal>
{
    public Highest() { Length = 5; }

    protected virtual decimal Pick(IIndicatorValue input)
        => Source is null && input is CandleIndicatorValue c ? c.Value.HighPrice : InputPrice(input);

    protected virtual decimal Aggregate() => Buffer.Max();

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        Buffer.PushBack(Pick(input));
        return Result(input, Aggregate());
    }
}

/// <summary>
/// Minimum of the last Length inputs — a candle's low price (or its <c>Source</c> price), a number as is. Formed after
/// Length inputs (before that the minimum so far, not formed).
/// </summary>
public class Lowest : Highest
{
    protected override decimal Pick(IIndicatorValue input)
        => Source is null && input is CandleIndicatorValue c ? c.Value.LowPrice : InputPrice(input);

    protected override decimal Aggregate() => Buffer.Min();
}

/// <summary>A Bollinger band: middle ± Width · standard deviation (Width negative for the lower band).</summary>
public class BollingerBand : BaseIndicator
{
    private readonly LengthIndicator<decimal> _ma;
    private readonly StandardDeviation _dev;

    public BollingerBand(LengthIndicator<decimal> ma, StandardDeviation dev) { _ma = ma; _dev = dev; }

    /// <summary>Channel width in standard deviations (negative for the lower band).</summary>
    public decimal Width { get; set; }

    public override bool IsFormed { get => _ma.IsFormed; protected set { } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
        => Result(input, _ma.GetCurrentValue() + Width * _dev.GetCurrentValue());
}

/// <summary>
/// Bollinger bands: middle = SMA(Length) (or the moving average given), upper/lower = middle ± Width · population
/// standard deviation of the last Length inputs (defaults: the SMA's Length 32, Width 2).
/// Inner indicators (and the order <c>Bind</c> hands values): MovingAverage, UpBand, LowBand. Formed when the moving
/// average is (Length inputs); provisional values before (not formed).
/// </summary>
public class BollingerBands : BaseComplexIndicator
{
    private readonly StandardDeviation _dev = new();

    public BollingerBands() : this(new SimpleMovingAverage()) { }

    public BollingerBands(LengthIndicator<decimal> ma)
    {
        MovingAverage = ma ?? throw new ArgumentNullException(nameof(ma));
        UpBand = new BollingerBand(ma, _dev) { Name = nameof(UpBand) };
        LowBand = new BollingerBand(ma, _dev) { Name = nameof(LowBand) };
        AddInner(MovingAverage); AddInner(UpBand); AddInner(LowBand);
        _dev.Length = ma.Length;
        Width = 2;
    }

    public LengthIndicator<decimal> MovingAverage { get; }
    public BollingerBand UpBand { get; }
    public BollingerBand LowBand { get; }

    public int Length
    {
        get => MovingAverage.Length;
        set { MovingAverage.Length = value; _dev.Length = value; Reset(); }
    }

    /// <summary>Channel width in standard deviations (≥ 0, default 2).</summary>
    public decimal Width
    {
        get => UpBand.Width;
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "BollingerBands.Width must be >= 0");
            UpBand.Width = value; LowBand.Width = -value; Reset();
        }
    }

    public override bool IsFormed { get => MovingAverage.IsFormed; protected set { } }
    public override int NumValuesToInitialize => Length;

    protected override ComplexIndicatorValue CreateValue(DateTime time) => new BollingerBandsValue(this, time);

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        _dev.Process(input);
        var v = CreateValue(input.Time);
        v.Add(MovingAverage, MovingAverage.Process(input));
        v.Add(UpBand, UpBand.Process(input));
        v.Add(LowBand, LowBand.Process(input));
        return v;
    }

    public override void Reset() { _dev?.Reset(); base.Reset(); }
    public override string ToString() => $"{Name} {Length}";
}

/// <summary>Short name of <see cref="BollingerBands"/>.</summary>
public class BB : BollingerBands { }

/// <summary><see cref="BollingerBands"/> value.</summary>
/// <summary>The values of <see cref="BollingerBandsValue"/> (StockSharp also names the value interface).</summary>
public interface IBollingerBandsValue : IIndicatorValue
{
    IIndicatorValue MovingAverageValue { get; }
    decimal? MovingAverage { get; }
    IIndicatorValue UpBandValue { get; }
    decimal? UpBand { get; }
    IIndicatorValue LowBandValue { get; }
    decimal? LowBand { get; }
}

public class BollingerBandsValue : ComplexIndicatorValue<BollingerBands>, IBollingerBandsValue
{
    public BollingerBandsValue(BollingerBands indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue MovingAverageValue => this[TypedIndicator.MovingAverage];
    public decimal? MovingAverage => GetInnerDecimal(TypedIndicator.MovingAverage);
    public IIndicatorValue UpBandValue => this[TypedIndicator.UpBand];
    public decimal? UpBand => GetInnerDecimal(TypedIndicator.UpBand);
    public IIndicatorValue LowBandValue => this[TypedIndicator.LowBand];
    public decimal? LowBand => GetInnerDecimal(TypedIndicator.LowBand);
    public override string ToString() => $"MovingAverage={MovingAverage}, UpBand={UpBand}, LowBand={LowBand}";
}

/// <summary>Middle line of <see cref="KeltnerChannels"/> (an EMA of the close).</summary>
public class KeltnerChannelMiddle : ExponentialMovingAverage { }

/// <summary>Upper/lower line of <see cref="KeltnerChannels"/> (passes the number its parent computes).</summary>
public class KeltnerChannelBand : LengthIndicator<decimal>
{
    private bool _formed;
    public override bool IsFormed { get => _formed; protected set => _formed = value; }
    protected override IIndicatorValue OnProcess(IIndicatorValue input) { _formed = true; return Result(input, input.ToDecimal()); }
    public override void Reset() { _formed = false; base.Reset(); }
}

/// <summary>
/// Keltner channels over candles: middle = EMA(close, Length) (SMA-seeded), upper/lower = middle ± Multiplier ·
/// ATR(Length) (Wilder). Defaults Length 20, Multiplier 2. Inner order: Middle, Upper, Lower. Formed when both the EMA
/// and the ATR are (Length candles); the value is empty before.
/// </summary>
public class KeltnerChannels : BaseComplexIndicator
{
    private readonly AverageTrueRange _atr = new();
    private decimal _multiplier = 2;

    public KeltnerChannels()
    {
        AddInner(Middle); AddInner(Upper); AddInner(Lower);
        Length = 20;
    }

    public KeltnerChannelMiddle Middle { get; } = new();
    public KeltnerChannelBand Upper { get; } = new() { Name = nameof(Upper) };
    public KeltnerChannelBand Lower { get; } = new() { Name = nameof(Lower) };

    public int Length
    {
        get => Middle.Length;
        set { Middle.Length = Upper.Length = Lower.Length = _atr.Length = value; Reset(); }
    }

    /// <summary>ATR multiplier (&gt; 0, default 2).</summary>
    public decimal Multiplier
    {
        get => _multiplier;
        set { if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value)); _multiplier = value; Reset(); }
    }

    public override bool IsFormed { get => Middle.IsFormed && _atr.IsFormed; protected set { } }

    protected override ComplexIndicatorValue CreateValue(DateTime time) => new KeltnerChannelsValue(this, time);

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var c = input.ToCandle();
        var mid = Middle.Process(c.ClosePrice, input.Time);
        var atr = _atr.Process(input);
        var v = CreateValue(input.Time);
        if (IsFormed)
        {
            var m = mid.ToDecimal(); var off = _multiplier * atr.ToDecimal();
            v.Add(Middle, mid);
            v.Add(Upper, Upper.Process(m + off, input.Time));
            v.Add(Lower, Lower.Process(m - off, input.Time));
        }
        return v;
    }

    public override void Reset() { _atr?.Reset(); base.Reset(); }
}

/// <summary>Short name of <see cref="KeltnerChannels"/>.</summary>
public class KC : KeltnerChannels { }

/// <summary><see cref="KeltnerChannels"/> value.</summary>
/// <summary>The values of <see cref="KeltnerChannelsValue"/> (StockSharp also names the value interface).</summary>
public interface IKeltnerChannelsValue : IIndicatorValue
{
    IIndicatorValue MiddleValue { get; }
    decimal? Middle { get; }
    IIndicatorValue UpperValue { get; }
    decimal? Upper { get; }
    IIndicatorValue LowerValue { get; }
    decimal? Lower { get; }
}

public class KeltnerChannelsValue : ComplexIndicatorValue<KeltnerChannels>, IKeltnerChannelsValue
{
    public KeltnerChannelsValue(KeltnerChannels indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue MiddleValue => this[TypedIndicator.Middle];
    public decimal? Middle => GetInnerDecimal(TypedIndicator.Middle);
    public IIndicatorValue UpperValue => this[TypedIndicator.Upper];
    public decimal? Upper => GetInnerDecimal(TypedIndicator.Upper);
    public IIndicatorValue LowerValue => this[TypedIndicator.Lower];
    public decimal? Lower => GetInnerDecimal(TypedIndicator.Lower);
    public override string ToString() => $"Middle={Middle}, Upper={Upper}, Lower={Lower}";
}

/// <summary>Middle line of <see cref="DonchianChannels"/>: (upper + lower)/2.</summary>
public class DonchianMiddle : BaseIndicator
{
    public DonchianMiddle(Highest upperBand, Lowest lowerBand) { UpperBand = upperBand; LowerBand = lowerBand; }
    public Highest UpperBand { get; }
    public Lowest LowerBand { get; }
    public override bool IsFormed { get => UpperBand.IsFormed && LowerBand.IsFormed; protected set { } }
    protected override IIndicatorValue OnProcess(IIndicatorValue input)
        => Result(input, (UpperBand.GetCurrentValue() + LowerBand.GetCurrentValue()) / 2);
}

/// <summary>
/// Donchian channels over candles: UpperBand = highest high, LowerBand = lowest low of the last Length candles
/// (default 20), Middle = their mean. Inner order: UpperBand, LowerBand, Middle. Formed after Length candles
/// (provisional values before, not formed).
/// </summary>
public class DonchianChannels : BaseComplexIndicator
{
    public DonchianChannels()
    {
        UpperBand = new Highest(); LowerBand = new Lowest(); Middle = new DonchianMiddle(UpperBand, LowerBand);
        AddInner(UpperBand); AddInner(LowerBand); AddInner(Middle);
        Length = 20;
    }

    public Highest UpperBand { get; }
    public Lowest LowerBand { get; }
    public DonchianMiddle Middle { get; }

    public int Length { get => UpperBand.Length; set { UpperBand.Length = LowerBand.Length = value; Reset(); } }

    protected override ComplexIndicatorValue CreateValue(DateTime time) => new DonchianChannelsValue(this, time);
}

/// <summary>Short name of <see cref="DonchianChannels"/>.</summary>
public class DC : DonchianChannels { }

/// <summary><see cref="DonchianChannels"/> value.</summary>
/// <summary>The values of <see cref="DonchianChannelsValue"/> (StockSharp also names the value interface).</summary>
public interface IDonchianChannelsValue : IIndicatorValue
{
    IIndicatorValue UpperBandValue { get; }
    decimal? UpperBand { get; }
    IIndicatorValue LowerBandValue { get; }
    decimal? LowerBand { get; }
    IIndicatorValue MiddleValue { get; }
    decimal? Middle { get; }
}

public class DonchianChannelsValue : ComplexIndicatorValue<DonchianChannels>, IDonchianChannelsValue
{
    public DonchianChannelsValue(DonchianChannels indicator, DateTime time) : base(indicator, time) { }
    public IIndicatorValue UpperBandValue => this[TypedIndicator.UpperBand];
    public decimal? UpperBand => GetInnerDecimal(TypedIndicator.UpperBand);
    public IIndicatorValue LowerBandValue => this[TypedIndicator.LowerBand];
    public decimal? LowerBand => GetInnerDecimal(TypedIndicator.LowerBand);
    public IIndicatorValue MiddleValue => this[TypedIndicator.Middle];
    public decimal? Middle => GetInnerDecimal(TypedIndicator.Middle);
    public override string ToString() => $"UpperBand={UpperBand}, LowerBand={LowerBand}, Middle={Middle}";
}

/// <summary>SuperTrend value: the line and the trend direction.</summary>
/// <summary>The values of <see cref="SuperTrendIndicatorValue"/> (StockSharp also names the value interface).</summary>
public interface ISuperTrendIndicatorValue : IIndicatorValue
{
    bool IsUpTrend { get; }
}

public class SuperTrendIndicatorValue : DecimalIndicatorValue, ISuperTrendIndicatorValue
{
    public SuperTrendIndicatorValue(IIndicator indicator, DateTime time) : base(indicator, time) { }
    public SuperTrendIndicatorValue(IIndicator indicator, decimal value, bool isUpTrend, DateTime time) : base(indicator, value, time) { IsUpTrend = isUpTrend; }
    /// <summary>True in an up trend (the line is below the price).</summary>
    public bool IsUpTrend { get; }
    public override IEnumerable<object> ToValues() { foreach (var v in base.ToValues()) yield return v; if (!IsEmpty) yield return IsUpTrend; }
}

/// <summary>
/// SuperTrend over candles (textbook): ATR = Wilder ATR(Length); basic bands hl2 ± Multiplier·ATR; final upper =
/// basic upper if it is below the previous final upper or the previous close was above it, else the previous final
/// upper (mirror for the lower); first formed candle: up trend if close ≥ hl2; then an up trend flips down when
/// close ≤ final lower, a down trend flips up when close ≥ final upper; the line is the final lower in an up trend,
/// the final upper in a down trend. Defaults Length 10, Multiplier 3. Formed with the ATR (Length candles); empty before.
/// </summary>
public class SuperTrend : BaseIndicator
{
    private readonly AverageTrueRange _atr = new();
    private decimal _multiplier = 3m;
    private decimal? _prevClose, _prevUpper, _prevLower;
    private int _trend;

    public SuperTrend() { Length = 10; }

    public int Length { get => _atr.Length; set { _atr.Length = value; Reset(); } }

    public decimal Multiplier
    {
        get => _multiplier;
        set { if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value)); _multiplier = value; Reset(); }
    }

    public override bool IsFormed { get => _atr.IsFormed; protected set { } }
    public override int NumValuesToInitialize => Length;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var c = input.ToCandle();
        var atr = _atr.Process(input);
        if (!_atr.IsFormed) { _prevClose = c.ClosePrice; return new SuperTrendIndicatorValue(this, input.Time); }
        var a = atr.ToDecimal();
        var hl2 = (c.HighPrice + c.LowPrice) / 2;
        var bu = hl2 + _multiplier * a; var bl = hl2 - _multiplier * a;
        var fu = _prevUpper is not { } pu || bu < pu || _prevClose > pu ? bu : pu;
        var fl = _prevLower is not { } pl || bl > pl || _prevClose < pl ? bl : pl;
        int trend;
        if (_trend == 0) trend = c.ClosePrice >= hl2 ? 1 : -1;
        else if (_trend == 1) trend = c.ClosePrice <= fl ? -1 : 1;
        else trend = c.ClosePrice >= fu ? 1 : -1;
        _trend = trend; _prevUpper = fu; _prevLower = fl; _prevClose = c.ClosePrice;
        return new SuperTrendIndicatorValue(this, trend == 1 ? fl : fu, trend == 1, input.Time);
    }

    public override void Reset() { _atr?.Reset(); _prevClose = _prevUpper = _prevLower = null; _trend = 0; base.Reset(); }
}
