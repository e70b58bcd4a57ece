namespace PyStockSharp.Engine.Indicators;

internal static class TrueRange
{
    /// <summary>max(H-L, |H-prevC|, |L-prevC|); H-L on the first bar (prevC NaN).</summary>
    public static double Of(double high, double low, double prevClose)
    {
        double tr = high - low;
        if (!double.IsNaN(prevClose))
        {
            double a = Math.Abs(high - prevClose), b = Math.Abs(low - prevClose);
            if (a > tr) tr = a;
            if (b > tr) tr = b;
        }
        return tr;
    }
}

/// <summary>
/// Average true range, Wilder: TR as <c>max(H-L, |H-C[t-1]|, |L-C[t-1]|)</c> (H-L on the first bar);
/// the first ATR is the mean of the first Length TRs, then ATR = (ATR*(Length-1) + TR)/Length. Formed after Length bars.
/// </summary>
public sealed class AverageTrueRange : CandleIndicator
{
    private double _prevClose = double.NaN, _atr;
    private int _count;
    public AverageTrueRange() : this(14) { }
    public AverageTrueRange(int length) { Length = CheckLength(nameof(Length), length); }
    public int Length { get; }
    public override string Name => $"ATR({Length})";
    public override void Reset() { base.Reset(); _prevClose = double.NaN; _atr = 0; _count = 0; }
    public override double Process(long time, double open, double high, double low, double close, double volume)
    {
        double tr = TrueRange.Of(high, low, _prevClose);
        _prevClose = close;
        int n = Length;
        if (_count < n)
        {
            _atr += tr; _count++;
            if (_count < n) return double.NaN;
            _atr /= n;
        }
        else _atr = (_atr * (n - 1) + tr) / n;
        IsFormed = true;
        return Value = _atr;
    }
    public static double[] Compute(double[] high, double[] low, double[] close, int length = 14)
    {
        Bulk.CheckHlc(high, low, close);
        var ind = new AverageTrueRange(length);
        var r = new double[close.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ind.Process(0, close[i], high[i], low[i], close[i], 0);
        return r;
    }
    public static double[] Compute(CandleSeries s, int length = 14) => Compute(s.High, s.Low, s.Close, length);
}

/// <summary>
/// Stochastic oscillator: %K = 100 * (C - lowest low of KLength bars) / (highest high - lowest low) (50 when the
/// range is 0), formed after KLength bars; %D = SMA(DLength) of %K, formed after KLength + DLength - 1 bars. Value = %K.
/// </summary>
public sealed class StochasticOscillator : CandleIndicator
{
    private readonly Window _hi, _lo;
    private readonly SimpleMovingAverage _d;
    public StochasticOscillator() : this(14, 3) { }
    public StochasticOscillator(int kLength, int dLength = 3)
    {
        KLength = CheckLength(nameof(KLength), kLength); DLength = CheckLength(nameof(DLength), dLength);
        _hi = new Window(kLength); _lo = new Window(kLength); _d = new SimpleMovingAverage(dLength);
    }
    public int KLength { get; }
    public int DLength { get; }
    public double K => Value;
    public double D => _d.IsFormed ? _d.Value : double.NaN;
    public override string Name => $"Stochastic({KLength},{DLength})";
    public override void Reset() { base.Reset(); _hi.Clear(); _lo.Clear(); _d.Reset(); }
    public override double Process(long time, double open, double high, double low, double close, double volume)
    {
        _hi.Push(high); _lo.Push(low);
        if (!_hi.Full) return double.NaN;
        double hh = _hi.Max(), ll = _lo.Min();
        double k = hh == ll ? 50 : 100 * (close - ll) / (hh - ll);
        _d.Process(k);
        IsFormed = true;
        return Value = k;
    }
    /// <summary>Columns k, d.</summary>
    public static IndicatorColumns Compute(double[] high, double[] low, double[] close, int kLength = 14, int dLength = 3)
    {
        Bulk.CheckHlc(high, low, close);
        var ind = new StochasticOscillator(kLength, dLength);
        int m = close.Length;
        var k = new double[m]; var d = new double[m];
        for (int i = 0; i < m; i++) { k[i] = ind.Process(0, close[i], high[i], low[i], close[i], 0); d[i] = ind.D; }
        return new IndicatorColumns(new[] { "k", "d" }, new[] { k, d });
    }
    public static IndicatorColumns Compute(CandleSeries s, int kLength = 14, int dLength = 3) => Compute(s.High, s.Low, s.Close, kLength, dLength);
}

/// <summary>Donchian channel: Upper = highest high, Lower = lowest low of Length bars, Middle = (Upper+Lower)/2 (Value). Formed after Length bars.</summary>
public sealed class DonchianChannels : CandleIndicator
{
    private readonly Window _hi, _lo;
    public DonchianChannels() : this(20) { }
    public DonchianChannels(int length) { Length = CheckLength(nameof(Length), length); _hi = new Window(length); _lo = new Window(length); }
    public int Length { get; }
    public double Upper { get; private set; } = double.NaN;
    public double Lower { get; private set; } = double.NaN;
    public double Middle => Value;
    public override string Name => $"Donchian({Length})";
    public override void Reset() { base.Reset(); _hi.Clear(); _lo.Clear(); Upper = Lower = double.NaN; }
    public override double Process(long time, double open, double high, double low, double close, double volume)
    {
        _hi.Push(high); _lo.Push(low);
        if (!_hi.Full) return double.NaN;
        Upper = _hi.Max(); Lower = _lo.Min();
        IsFormed = true;
        return Value = (Upper + Lower) / 2;
    }
    /// <summary>Columns upper, middle, lower.</summary>
    public static IndicatorColumns Compute(double[] high, double[] low, int length = 20)
    {
        Bulk.CheckHlc(high, low, low);
        var ind = new DonchianChannels(length);
        int m = high.Length;
        var u = new double[m]; var mid = new double[m]; var l = new double[m];
        for (int i = 0; i < m; i++) { mid[i] = ind.Process(0, 0, high[i], low[i], 0, 0); u[i] = ind.IsFormed ? ind.Upper : double.NaN; l[i] = ind.IsFormed ? ind.Lower : double.NaN; }
        return new IndicatorColumns(new[] { "upper", "middle", "lower" }, new[] { u, mid, l });
    }
    public static IndicatorColumns Compute(CandleSeries s, int length = 20) => Compute(s.High, s.Low, length);
}

/// <summary>
/// Average directional index, Wilder. From the second bar: up = H - H[t-1], down = L[t-1] - L;
/// +DM = up if up &gt; down and up &gt; 0 else 0; -DM = down if down &gt; up and down &gt; 0 else 0; TR as in ATR.
/// Smoothed sums over Length: the first is the plain sum of the first Length values (bars 1..Length), then
/// S = S - S/Length + x. +DI = 100 * +DM_s / TR_s, -DI likewise (0 when TR_s = 0); DX = 100 * |+DI - -DI| / (+DI + -DI)
/// (0 when the sum is 0). ADX: mean of the first Length DX values, then (ADX*(Length-1) + DX)/Length.
/// DI/DX defined from bar index Length; ADX (Value) formed at bar index 2*Length - 1 (after 2*Length bars).
/// </summary>
public sealed class AverageDirectionalIndex : CandleIndicator
{
    private double _ph = double.NaN, _pl, _pc, _tr, _pdm, _mdm, _adx;
    private int _n1, _n2;
    public AverageDirectionalIndex() : this(14) { }
    public AverageDirectionalIndex(int length) { Length = CheckLength(nameof(Length), length); }
    public int Length { get; }
    public double PlusDi { get; private set; } = double.NaN;
    public double MinusDi { get; private set; } = double.NaN;
    public double Dx { get; private set; } = double.NaN;
    public override string Name => $"ADX({Length})";
    public override void Reset()
    {
        base.Reset(); _ph = double.NaN; _pl = _pc = _tr = _pdm = _mdm = _adx = 0; _n1 = _n2 = 0;
        PlusDi = MinusDi = Dx = double.NaN;
    }
    public override double Process(long time, double open, double high, double low, double close, double volume)
    {
        if (double.IsNaN(_ph)) { _ph = high; _pl = low; _pc = close; return double.NaN; }
        double up = high - _ph, down = _pl - low;
        double pdm = up > down && up > 0 ? up : 0, mdm = down > up && down > 0 ? down : 0;
        double tr = TrueRange.Of(high, low, _pc);
        _ph = high; _pl = low; _pc = close;
        int n = Length;
        if (_n1 < n)
        {
            _tr += tr; _pdm += pdm; _mdm += mdm; _n1++;
            if (_n1 < n) return double.NaN;
        }
        else
        {
            _tr = _tr - _tr / n + tr; _pdm = _pdm - _pdm / n + pdm; _mdm = _mdm - _mdm / n + mdm;
        }
        PlusDi = _tr == 0 ? 0 : 100 * _pdm / _tr;
        MinusDi = _tr == 0 ? 0 : 100 * _mdm / _tr;
        double sum = PlusDi + MinusDi;
        Dx = sum == 0 ? 0 : 100 * Math.Abs(PlusDi - MinusDi) / sum;
        if (_n2 < n)
        {
            _adx += Dx; _n2++;
            if (_n2 < n) return double.NaN;
            _adx /= n;
        }
        else _adx = (_adx * (n - 1) + Dx) / n;
        IsFormed = true;
        return Value = _adx;
    }
    /// <summary>Columns adx, plus_di, minus_di.</summary>
    public static IndicatorColumns Compute(double[] high, double[] low, double[] close, int length = 14)
    {
        Bulk.CheckHlc(high, low, close);
        var ind = new AverageDirectionalIndex(length);
        int m = close.Length;
        var a = new double[m]; var p = new double[m]; var q = new double[m];
        for (int i = 0; i < m; i++) { a[i] = ind.Process(0, close[i], high[i], low[i], close[i], 0); p[i] = ind.PlusDi; q[i] = ind.MinusDi; }
        return new IndicatorColumns(new[] { "adx", "plus_di", "minus_di" }, new[] { a, p, q });
    }
    public static IndicatorColumns Compute(CandleSeries s, int length = 14) => Compute(s.High, s.Low, s.Close, length);
}

/// <summary>
/// Commodity channel index: TP = (H+L+C)/3; CCI = (TP - SMA(TP)) / (0.015 * mean |TP - SMA(TP)|) over Length bars
/// (0 when the mean deviation is 0). Formed after Length bars.
/// </summary>
public sealed class CommodityChannelIndex : CandleIndicator
{
    private readonly Window _w;
    public CommodityChannelIndex() : this(20) { }
    public CommodityChannelIndex(int length) { Length = CheckLength(nameof(Length), length); _w = new Window(length); }
    public int Length { get; }
    public override string Name => $"CCI({Length})";
    public override void Reset() { base.Reset(); _w.Clear(); }
    public override double Process(long time, double open, double high, double low, double close, double volume)
    {
        double tp = (high + low + close) / 3;
        _w.Push(tp);
        if (!_w.Full) return double.NaN;
        int n = Length;
        double mean = _w.Sum() / n, dev = 0;
        for (int k = 0; k < n; k++) dev += Math.Abs(_w.Ago(k) - mean);
        dev /= n;
        IsFormed = true;
        return Value = dev == 0 ? 0 : (tp - mean) / (0.015 * dev);
    }
    public static double[] Compute(double[] high, double[] low, double[] close, int length = 20)
    {
        Bulk.CheckHlc(high, low, close);
        var ind = new CommodityChannelIndex(length);
        var r = new double[close.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ind.Process(0, close[i], high[i], low[i], close[i], 0);
        return r;
    }
    public static double[] Compute(CandleSeries s, int length = 20) => Compute(s.High, s.Low, s.Close, length);
}

/// <summary>
/// Volume-weighted average price of the session: sum(TP * V) / sum(V) with TP = (H+L+C)/3, reset when a new session
/// starts. Session key = floor((time - SessionOffset) / SessionLength) (defaults: UTC days). Formed from the first bar;
/// while the session's volume is 0 the value is the bar's TP.
/// </summary>
public sealed class VolumeWeightedAveragePrice : CandleIndicator
{
    public const long DayNs = 86_400_000_000_000L;
    private long _session = long.MinValue;
    private double _pv, _v;
    public VolumeWeightedAveragePrice() : this(DayNs, 0) { }
    public VolumeWeightedAveragePrice(long sessionLengthNs, long sessionOffsetNs = 0)
    {
        if (sessionLengthNs <= 0) throw new ArgumentOutOfRangeException(nameof(sessionLengthNs), "session length must be > 0");
        SessionLength = sessionLengthNs; SessionOffset = sessionOffsetNs;
    }
    public long SessionLength { get; }
    public long SessionOffset { get; }
    public override string Name => "VWAP";
    public override void Reset() { base.Reset(); _session = long.MinValue; _pv = _v = 0; }
    public override double Process(long time, double open, double high, double low, double close, double volume)
    {
        long key = Math.DivRem(time - SessionOffset, SessionLength, out long rem);
        if (rem < 0) key--;
        if (key != _session) { _session = key; _pv = 0; _v = 0; }
        double tp = (high + low + close) / 3;
        _pv += tp * volume; _v += volume;
        IsFormed = true;
        return Value = _v == 0 ? tp : _pv / _v;
    }
    public static double[] Compute(long[] times, double[] high, double[] low, double[] close, double[] volume,
        long sessionLengthNs = DayNs, long sessionOffsetNs = 0)
    {
        Bulk.CheckHlc(high, low, close);
        if (times.Length != close.Length || volume.Length != close.Length) throw new ArgumentException("times/volume length differs from close");
        var ind = new VolumeWeightedAveragePrice(sessionLengthNs, sessionOffsetNs);
        var r = new double[close.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ind.Process(times[i], close[i], high[i], low[i], close[i], volume[i]);
        return r;
    }
    public static double[] Compute(CandleSeries s, long sessionLengthNs = DayNs, long sessionOffsetNs = 0) =>
        Compute(s.OpenTimes, s.High, s.Low, s.Close, s.Volume, sessionLengthNs, sessionOffsetNs);
}

/// <summary>On-balance volume: 0 on the first bar, then + V when C &gt; C[t-1], - V when C &lt; C[t-1]. Formed from the first bar.</summary>
public sealed class OnBalanceVolume : CandleIndicator
{
    private double _prev = double.NaN, _obv;
    public override string Name => "OBV";
    public override void Reset() { base.Reset(); _prev = double.NaN; _obv = 0; }
    public override double Process(long time, double open, double high, double low, double close, double volume)
    {
        if (!double.IsNaN(_prev))
        {
            if (close > _prev) _obv += volume;
            else if (close < _prev) _obv -= volume;
        }
        _prev = close;
        IsFormed = true;
        return Value = _obv;
    }
    public static double[] Compute(double[] close, double[] volume)
    {
        ArgumentNullException.ThrowIfNull(close); ArgumentNullException.ThrowIfNull(volume);
        if (close.Length != volume.Length) throw new ArgumentException("close/volume lengths differ");
        var ind = new OnBalanceVolume();
        var r = new double[close.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ind.Process(0, close[i], close[i], close[i], close[i], volume[i]);
        return r;
    }
    public static double[] Compute(CandleSeries s) => Compute(s.Close, s.Volume);
}
