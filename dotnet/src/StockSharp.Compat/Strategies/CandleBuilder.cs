using PyStockSharp.Engine;
using StockSharp.Messages;

namespace StockSharp.Algo.Strategies;

/// <summary>
/// The data series as decimals (StockSharp's values are decimal), converted once per series and shared by every
/// run on it (optimizer threads included).
/// </summary>
internal sealed class DecimalColumns
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CandleSeries, DecimalColumns> Cache = new();

    public readonly decimal[] Open, High, Low, Close, Volume;

    private DecimalColumns(CandleSeries s)
    {
        int n = s.Count;
        Open = new decimal[n]; High = new decimal[n]; Low = new decimal[n]; Close = new decimal[n]; Volume = new decimal[n];
        for (int i = 0; i < n; i++)
        {
            Open[i] = ToDecimal(s.Open[i]); High[i] = ToDecimal(s.High[i]); Low[i] = ToDecimal(s.Low[i]);
            Close[i] = ToDecimal(s.Close[i]); Volume[i] = ToDecimal(s.Volume[i]);
        }
    }

    public static DecimalColumns Of(CandleSeries series) => Cache.GetValue(series, s => new DecimalColumns(s));

    /// <summary>double → decimal (15 significant digits, what the data files hold); NaN/∞ → 0.</summary>
    public static decimal ToDecimal(double v) => double.IsFinite(v) && Math.Abs(v) < 7.9e27 ? (decimal)v : 0m;
}

/// <summary>
/// Candles of one subscription from the data series: the data's own bars when the widths are equal, or bars built
/// from consecutive data bars when the subscription's width is a whole multiple of the data's. Built candles are
/// aligned to the UTC epoch (daily ones start at 00:00 UTC; widths of whole weeks start on Monday 00:00 UTC, i.e.
/// pandas <c>resample(width, label="left", closed="left", origin="1970-01-05")</c>), labelled by their open time, and handed over when the
/// data bar that ends at their close arrives — or, with a gap, when the first bar of a later candle arrives — so a
/// strategy never sees a candle before it has closed.
/// </summary>
internal sealed class CandleBuilder
{
    private readonly CandleSeries _series;
    private readonly DecimalColumns _d;
    private readonly long _tfTicks, _dataTicks;
    private readonly TimeSpan _tf;
    private readonly SecurityId _securityId;
    private readonly bool _passThrough;
    private readonly SeriesCandles _candles;   // the data's own candles (pass-through only)

    // the candle being built
    private bool _open;
    private long _bucket;
    private decimal _o, _h, _l, _c, _v;

    public CandleBuilder(CandleSeries series, TimeSpan timeFrame, TimeSpan dataTimeFrame, SecurityId securityId)
    {
        _series = series; _d = DecimalColumns.Of(series); _tf = timeFrame; _securityId = securityId;
        _tfTicks = timeFrame.Ticks; _dataTicks = dataTimeFrame.Ticks;
        _passThrough = _tfTicks == _dataTicks;
        if (_passThrough) _candles = SeriesCandles.Of(series, timeFrame, securityId);
        _origin = _tfTicks % TimeSpan.TicksPerDay == 0 && _tfTicks / TimeSpan.TicksPerDay % 7 == 0
            ? new DateTime(1970, 1, 5, 0, 0, 0, DateTimeKind.Utc).Ticks   // a Monday
            : DateTime.UnixEpoch.Ticks;
    }

    private readonly long _origin;

    public TimeSpan TimeFrame => _tf;
    public SecurityId SecurityId => _securityId;

    private static long Ticks(long ns) => DateTime.UnixEpoch.Ticks + ns / 100;

    private TimeFrameCandleMessage Make(long openTicks, decimal o, decimal h, decimal l, decimal c, decimal v)
    {
        var open = new DateTime(openTicks, DateTimeKind.Utc);
        return new TimeFrameCandleMessage
        {
            TimeFrame = _tf, SecurityId = _securityId, OpenPrice = o, HighPrice = h, LowPrice = l, ClosePrice = c, TotalVolume = v,
            OpenTime = open, CloseTime = open + _tf, State = CandleStates.Finished,
        };
    }

    /// <summary>
    /// The candles that finish with data bar <paramref name="i"/>: returns how many (0, 1 or, after a gap, 2), in
    /// <paramref name="first"/> and <paramref name="second"/>.
    /// </summary>
    public int OnBar(int i, out ICandleMessage first, out ICandleMessage second)
    {
        first = second = null;
        int n = 0;
        void Add(ICandleMessage c, ref ICandleMessage a, ref ICandleMessage b, ref int count)
        {
            if (count == 0) a = c; else b = c;
            count++;
        }
        if (_passThrough)
        {
            first = _candles[i];   // the bar itself, as a shared read-only view
            return 1;
        }
        var d = _d;
        long t = Ticks(_series.OpenTimes[i]);
        long bucket = t - Mod(t - _origin, _tfTicks);
        if (_open && bucket != _bucket)
        {
            Add(Make(_bucket, _o, _h, _l, _c, _v), ref first, ref second, ref n);
            _open = false;
        }
        if (!_open)
        {
            _open = true; _bucket = bucket;
            _o = d.Open[i]; _h = d.High[i]; _l = d.Low[i]; _c = d.Close[i]; _v = d.Volume[i];
        }
        else
        {
            if (d.High[i] > _h) _h = d.High[i];
            if (d.Low[i] < _l) _l = d.Low[i];
            _c = d.Close[i]; _v += d.Volume[i];
        }
        if (t + _dataTicks >= _bucket + _tfTicks)
        {
            Add(Make(_bucket, _o, _h, _l, _c, _v), ref first, ref second, ref n);
            _open = false;
        }
        return n;
    }

    /// <summary>The last, incomplete candle is not handed over at the end of the data (it has not closed).</summary>
    public void Reset() => _open = false;

    private static long Mod(long a, long b) { long r = a % b; return r < 0 ? r + b : r; }
}
