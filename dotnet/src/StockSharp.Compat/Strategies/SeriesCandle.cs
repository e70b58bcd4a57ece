using System.Runtime.CompilerServices;
using PyStockSharp.Engine;
using StockSharp.Messages;

namespace StockSharp.Algo.Strategies;

/// <summary>
/// The candles of a data series as they are (subscriptions of the data's own width): one read-only
/// <see cref="SeriesCandle"/> per bar, made once per series (in chunks, on first use) and shared by every run on it,
/// optimizer threads included. A run then allocates nothing per bar, and a strategy may still keep any candle it
/// was handed: a candle is never reused for another bar.
/// </summary>
internal sealed class SeriesCandles
{
    private const int ChunkBits = 14, ChunkSize = 1 << ChunkBits;
    private static readonly ConditionalWeakTable<CandleSeries, SeriesCandles> Cache = new();

    internal readonly DecimalColumns Columns;
    internal readonly long[] OpenNs;
    internal readonly double[] Close;
    internal readonly TimeSpan TimeFrame;
    internal readonly SecurityId SecurityId;
    private readonly SeriesCandle[][] _chunks;

    private SeriesCandles(CandleSeries series, TimeSpan timeFrame, SecurityId securityId)
    {
        Columns = DecimalColumns.Of(series); OpenNs = series.OpenTimes; Close = series.Close; TimeFrame = timeFrame; SecurityId = securityId;
        _chunks = new SeriesCandle[(series.Count + ChunkSize - 1) / ChunkSize][];
    }

    /// <summary>The series' candles of width <paramref name="timeFrame"/> for <paramref name="securityId"/> (shared
    /// when they match the series' first use, which they do unless a strategy renames its security).</summary>
    public static SeriesCandles Of(CandleSeries series, TimeSpan timeFrame, SecurityId securityId)
    {
        var shared = Cache.GetValue(series, s => new SeriesCandles(s, timeFrame, securityId));
        return shared.TimeFrame == timeFrame && shared.SecurityId == securityId ? shared : new SeriesCandles(series, timeFrame, securityId);
    }

    public SeriesCandle this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_chunks[index >> ChunkBits] ?? MakeChunk(index >> ChunkBits))[index & (ChunkSize - 1)];
    }

    private SeriesCandle[] MakeChunk(int chunk)
    {
        int first = chunk * ChunkSize, n = Math.Min(ChunkSize, OpenNs.Length - first);
        var candles = new SeriesCandle[n];
        for (int k = 0; k < n; k++) candles[k] = new SeriesCandle(this, first + k);
        return Interlocked.CompareExchange(ref _chunks[chunk], candles, null) ?? candles;   // another thread may win: same values
    }
}

/// <summary>
/// A finished candle that is one bar of the data series: a read-only view on the series' decimal columns (32 bytes;
/// see <see cref="SeriesCandles"/>). Setting one of its values is refused — the candle is shared by every run on the
/// series; a strategy that needs a changed candle makes its own <see cref="TimeFrameCandleMessage"/>.
/// </summary>
internal sealed class SeriesCandle : ICandleMessage
{
    private readonly SeriesCandles _s;
    private readonly int _i;

    public SeriesCandle(SeriesCandles s, int index) { _s = s; _i = index; }

    /// <summary>The close as the data holds it (double): what indicators computing in double precision take.</summary>
    internal double CloseDouble => _s.Close[_i];

    /// <summary>The data's close when <paramref name="input"/> is a candle of the data, else null.</summary>
    internal static double? CloseOf(Indicators.IIndicatorValue input)
        => input is Indicators.CandleIndicatorValue { Value: SeriesCandle c } ? c.CloseDouble : null;

    private static NotSupportedException ReadOnly(string member) => new(
        $"StockSharp API member not supported yet: setting ICandleMessage.{member} on a candle of the data " +
        "(candles handed to handlers are read-only here; make a TimeFrameCandleMessage to change values)");

    public SecurityId SecurityId { get => _s.SecurityId; set => throw ReadOnly(nameof(SecurityId)); }
    public decimal OpenPrice { get => _s.Columns.Open[_i]; set => throw ReadOnly(nameof(OpenPrice)); }
    public decimal HighPrice { get => _s.Columns.High[_i]; set => throw ReadOnly(nameof(HighPrice)); }
    public decimal LowPrice { get => _s.Columns.Low[_i]; set => throw ReadOnly(nameof(LowPrice)); }
    public decimal ClosePrice { get => _s.Columns.Close[_i]; set => throw ReadOnly(nameof(ClosePrice)); }
    public decimal TotalVolume { get => _s.Columns.Volume[_i]; set => throw ReadOnly(nameof(TotalVolume)); }
    public decimal? BuyVolume { get => null; set => throw ReadOnly(nameof(BuyVolume)); }
    public decimal? SellVolume { get => null; set => throw ReadOnly(nameof(SellVolume)); }
    public decimal? OpenInterest { get => null; set => throw ReadOnly(nameof(OpenInterest)); }
    public int? TotalTicks { get => null; set => throw ReadOnly(nameof(TotalTicks)); }
    public DateTime OpenTime { get => new(DateTime.UnixEpoch.Ticks + _s.OpenNs[_i] / 100, DateTimeKind.Utc); set => throw ReadOnly(nameof(OpenTime)); }
    public DateTime CloseTime { get => OpenTime + _s.TimeFrame; set => throw ReadOnly(nameof(CloseTime)); }
    public DateTime HighTime { get => OpenTime; set => throw ReadOnly(nameof(HighTime)); }
    public DateTime LowTime { get => OpenTime; set => throw ReadOnly(nameof(LowTime)); }
    public DateTime ServerTime { get => CloseTime; set => throw ReadOnly(nameof(ServerTime)); }
    public CandleStates State { get => CandleStates.Finished; set => throw ReadOnly(nameof(State)); }
    public IEnumerable<CandlePriceLevel> PriceLevels { get => null; set => throw ReadOnly(nameof(PriceLevels)); }
    public object Arg { get => _s.TimeFrame; set => throw ReadOnly(nameof(Arg)); }
    public DataType DataType => DataType.TimeFrame(_s.TimeFrame);

    public override string ToString() => $"Candle {OpenTime:O} O={OpenPrice} H={HighPrice} L={LowPrice} C={ClosePrice} V={TotalVolume} {State}";
}
