using System.Runtime.InteropServices;

namespace PyStockSharp.Engine;

/// <summary>Candles stored as columns. Arrays are shared read-only by runs; never mutate them during a run.</summary>
public sealed class CandleSeries
{
    public CandleSeries(string symbol, string timeFrame, long[] openTimes, double[] open, double[] high, double[] low,
        double[] close, double[] volume, double priceStep = 0.01, double volumeStep = 1)
    {
        ArgumentNullException.ThrowIfNull(openTimes); ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(high); ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(close); ArgumentNullException.ThrowIfNull(volume);
        int n = openTimes.Length;
        if (open.Length != n || high.Length != n || low.Length != n || close.Length != n || volume.Length != n)
            throw new ArgumentException($"column lengths differ: times={n} open={open.Length} high={high.Length} low={low.Length} close={close.Length} volume={volume.Length}");
        if (!(priceStep > 0)) throw new ArgumentException($"priceStep must be > 0, got {priceStep}");
        if (!(volumeStep > 0)) throw new ArgumentException($"volumeStep must be > 0, got {volumeStep}");
        Symbol = symbol ?? ""; TimeFrame = timeFrame ?? "";
        OpenTimes = openTimes; Open = open; High = high; Low = low; Close = close; Volume = volume;
        PriceStep = priceStep; VolumeStep = volumeStep;
    }

    /// <summary>Copies <paramref name="count"/> values from each native buffer (e.g. numpy arrays' data pointers).</summary>
    public static CandleSeries FromPointers(string symbol, string timeFrame, int count, IntPtr times, IntPtr open, IntPtr high,
        IntPtr low, IntPtr close, IntPtr volume, double priceStep = 0.01, double volumeStep = 1)
    {
        if (count < 0) throw new ArgumentException($"count must be >= 0, got {count}");
        if (count > 0 && (times == IntPtr.Zero || open == IntPtr.Zero || high == IntPtr.Zero || low == IntPtr.Zero || close == IntPtr.Zero || volume == IntPtr.Zero))
            throw new ArgumentException("null buffer pointer");
        var t = new long[count]; var o = new double[count]; var h = new double[count];
        var l = new double[count]; var c = new double[count]; var v = new double[count];
        if (count > 0)
        {
            Marshal.Copy(times, t, 0, count); Marshal.Copy(open, o, 0, count); Marshal.Copy(high, h, 0, count);
            Marshal.Copy(low, l, 0, count); Marshal.Copy(close, c, 0, count); Marshal.Copy(volume, v, 0, count);
        }
        return new CandleSeries(symbol, timeFrame, t, o, h, l, c, v, priceStep, volumeStep);
    }

    /// <summary>Same as the IntPtr overload with addresses as integers (Python ints, e.g. numpy's <c>ctypes.data</c>).</summary>
    public static CandleSeries FromPointers(string symbol, string timeFrame, int count, long times, long open, long high,
        long low, long close, long volume, double priceStep = 0.01, double volumeStep = 1)
        => FromPointers(symbol, timeFrame, count, new IntPtr(times), new IntPtr(open), new IntPtr(high), new IntPtr(low),
            new IntPtr(close), new IntPtr(volume), priceStep, volumeStep);

    public string Symbol { get; }
    public string TimeFrame { get; }
    public double PriceStep { get; private set; }
    public double VolumeStep { get; private set; }
    /// <summary>Contract multiplier of the instrument (<see cref="Instrument.Multiplier"/>; 1 unless given).</summary>
    public double Multiplier { get; private set; } = 1;
    /// <summary>Whether the volume step is enforced on orders (<see cref="Instrument.VolumeStepEnforced"/>).</summary>
    public bool VolumeStepEnforced { get; private set; }
    /// <summary>The instrument's own commission (<see cref="Instrument.FeeModel"/>); null: the run's.</summary>
    public IFeeModel? FeeModel { get; private set; }

    /// <summary>This series with the instrument specs of <paramref name="from"/> (multiplier, volume-step rule, fees).</summary>
    private CandleSeries SpecsOf(CandleSeries from)
    {
        Multiplier = from.Multiplier; VolumeStepEnforced = from.VolumeStepEnforced; FeeModel = from.FeeModel;
        return this;
    }

    /// <summary>
    /// The same candles (arrays shared) with the instrument specs given: price step, volume step (enforced when
    /// <paramref name="enforceVolumeStep"/>), contract multiplier and the instrument's commission (NaN: the run's).
    /// </summary>
    public CandleSeries WithSpecs(double priceStep, double volumeStep, bool enforceVolumeStep, double multiplier,
        double commissionFraction = double.NaN, double commissionPerUnit = double.NaN)
    {
        if (!(priceStep > 0) || double.IsInfinity(priceStep)) throw new ArgumentException($"priceStep must be a finite number > 0, got {priceStep}");
        if (!(volumeStep > 0) || double.IsInfinity(volumeStep)) throw new ArgumentException($"volumeStep must be a finite number > 0, got {volumeStep}");
        if (!(multiplier > 0) || double.IsInfinity(multiplier)) throw new ArgumentException($"multiplier must be a finite number > 0, got {multiplier}");
        var copy = (CandleSeries)MemberwiseClone();
        copy.PriceStep = priceStep; copy.VolumeStep = volumeStep; copy.VolumeStepEnforced = enforceVolumeStep; copy.Multiplier = multiplier;
        if (!double.IsNaN(commissionFraction) || !double.IsNaN(commissionPerUnit))
            copy.FeeModel = new RateFeeModel(double.IsNaN(commissionFraction) ? 0 : commissionFraction, double.IsNaN(commissionPerUnit) ? 0 : commissionPerUnit);
        return copy;
    }
    public long[] OpenTimes { get; }
    public double[] Open { get; }
    public double[] High { get; }
    public double[] Low { get; }
    public double[] Close { get; }
    public double[] Volume { get; }
    public int Count => OpenTimes.Length;

    private long _barNs;

    /// <summary>
    /// Length of one bar in nanoseconds: the <see cref="TimeFrame"/> ("30s", "5m", "5min", "1h", "1d", "1w"), or, when it
    /// says nothing, the smallest gap between bar opens (one day for fewer than two bars). A bar closes at open + this.
    /// </summary>
    public long BarNanoseconds => _barNs != 0 ? _barNs : (_barNs = ParseBarNanoseconds(TimeFrame, OpenTimes));

    /// <summary>
    /// Bars of the time frame <paramref name="timeFrame"/> ("4h", "1d", ...) built from these: each covers
    /// [start, start + length) with starts at multiples of the length since the Unix epoch (UTC; pandas'
    /// <c>resample(rule, label="left", closed="left", origin="epoch")</c>), open = its first open, high = max, low = min,
    /// close = its last close, volume = sum; periods without bars make no bar. The time frame must be a whole multiple
    /// of this series' (ArgumentException naming both otherwise, e.g. one finer than the data).
    /// </summary>
    public CandleSeries Resample(string timeFrame)
    {
        long target = ParseTimeFrame(timeFrame)
            ?? throw new ArgumentException($"time frame '{timeFrame}': expected a count and a unit s, m, min, h, d or w (e.g. 4h, 1d)");
        long own = BarNanoseconds;
        string ownText = string.IsNullOrEmpty(TimeFrame) ? $"{own / 1_000_000_000L} s" : TimeFrame;
        if (target < own)
            throw new ArgumentException($"time frame {timeFrame} is finer than the data's {ownText}: candles can only be built up from the data");
        if (target % own != 0)
            throw new ArgumentException($"time frame {timeFrame} is not a whole multiple of the data's {ownText}");
        var t = new List<long>(); var o = new List<double>(); var h = new List<double>(); var l = new List<double>();
        var c = new List<double>(); var v = new List<double>();
        for (int i = 0; i < Count; i++)
        {
            long start = OpenTimes[i] - (((OpenTimes[i] % target) + target) % target);
            if (t.Count == 0 || t[^1] != start)
            {
                t.Add(start); o.Add(Open[i]); h.Add(High[i]); l.Add(Low[i]); c.Add(Close[i]); v.Add(Volume[i]);
            }
            else
            {
                int k = t.Count - 1;
                if (High[i] > h[k]) h[k] = High[i];
                if (Low[i] < l[k]) l[k] = Low[i];
                c[k] = Close[i]; v[k] += Volume[i];
            }
        }
        return new CandleSeries(Symbol, timeFrame.Trim(), t.ToArray(), o.ToArray(), h.ToArray(), l.ToArray(), c.ToArray(), v.ToArray(), PriceStep, VolumeStep).SpecsOf(this);
    }

    /// <summary>Nanoseconds of a time frame such as "30s", "5m", "5min", "1h", "1d", "1w"; null if it is not one.</summary>
    public static long? ParseTimeFrame(string timeFrame)
    {
        var m = System.Text.RegularExpressions.Regex.Match(timeFrame ?? "", @"^\s*(\d+)\s*(s|m|min|h|d|w)\s*$");
        if (!m.Success || !long.TryParse(m.Groups[1].Value, out long count) || count <= 0) return null;
        long unit = m.Groups[2].Value switch { "s" => 1, "m" or "min" => 60, "h" => 3600, "d" => 86400, _ => 7 * 86400 };
        return count * unit * 1_000_000_000L;
    }

    internal static long ParseBarNanoseconds(string timeFrame, long[] openTimes)
    {
        if (ParseTimeFrame(timeFrame) is { } parsed) return parsed;
        long best = long.MaxValue;
        for (int i = 1; i < openTimes.Length; i++) { long d = openTimes[i] - openTimes[i - 1]; if (d > 0 && d < best) best = d; }
        return best == long.MaxValue ? 86_400_000_000_000L : best;
    }

    public Candle this[int index] => new(index, OpenTimes[index], Open[index], High[index], Low[index], Close[index], Volume[index]);

    /// <summary>A copy of bars [start, start+count).</summary>
    public CandleSeries Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"slice [{start}, {start}+{count}) outside [0, {Count})");
        return new CandleSeries(Symbol, TimeFrame, OpenTimes.AsSpan(start, count).ToArray(), Open.AsSpan(start, count).ToArray(),
            High.AsSpan(start, count).ToArray(), Low.AsSpan(start, count).ToArray(), Close.AsSpan(start, count).ToArray(),
            Volume.AsSpan(start, count).ToArray(), PriceStep, VolumeStep).SpecsOf(this);
    }

    public override string ToString() => $"CandleSeries({Symbol}, {TimeFrame}, {Count} bars)";
}
