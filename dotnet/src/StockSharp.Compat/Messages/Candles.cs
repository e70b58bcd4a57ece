namespace StockSharp.Messages;

/// <summary>The identifier of a security: <c>Code@Board</c>.</summary>
public struct SecurityId : IEquatable<SecurityId>
{
    public SecurityId(string code, string board = "") { SecurityCode = code; BoardCode = board; }
    public string SecurityCode { get; set; }
    public string BoardCode { get; set; }
    public bool Equals(SecurityId other) => other.SecurityCode == SecurityCode && other.BoardCode == BoardCode;
    public override bool Equals(object obj) => obj is SecurityId s && Equals(s);
    public override int GetHashCode() => HashCode.Combine(SecurityCode, BoardCode);
    public static bool operator ==(SecurityId a, SecurityId b) => a.Equals(b);
    public static bool operator !=(SecurityId a, SecurityId b) => !a.Equals(b);
    public override string ToString() => string.IsNullOrEmpty(BoardCode) ? SecurityCode ?? "" : $"{SecurityCode}@{BoardCode}";
}

/// <summary>A price level of a candle (volume profile; the engine leaves it empty).</summary>
public struct CandlePriceLevel
{
    public decimal Price { get; set; }
    public decimal BuyVolume { get; set; }
    public decimal SellVolume { get; set; }
    public decimal TotalVolume { get; set; }
}

/// <summary>A candle (StockSharp's <c>ICandleMessage</c>): decimal prices, times in UTC.</summary>
public interface ICandleMessage
{
    SecurityId SecurityId { get; set; }
    decimal OpenPrice { get; set; }
    decimal HighPrice { get; set; }
    decimal LowPrice { get; set; }
    decimal ClosePrice { get; set; }
    decimal TotalVolume { get; set; }
    decimal? BuyVolume { get; set; }
    decimal? SellVolume { get; set; }
    decimal? OpenInterest { get; set; }
    int? TotalTicks { get; set; }
    /// <summary>Bar open time (UTC, <see cref="DateTimeKind.Utc"/>).</summary>
    DateTime OpenTime { get; set; }
    /// <summary>Bar close time: open time + width (UTC).</summary>
    DateTime CloseTime { get; set; }
    DateTime HighTime { get; set; }
    DateTime LowTime { get; set; }
    DateTime ServerTime { get; set; }
    CandleStates State { get; set; }
    IEnumerable<CandlePriceLevel> PriceLevels { get; set; }
    object Arg { get; set; }
    DataType DataType { get; }
}

/// <summary>Common candle fields.</summary>
public abstract class CandleMessage : ICandleMessage
{
    public SecurityId SecurityId { get; set; }
    public decimal OpenPrice { get; set; }
    public decimal HighPrice { get; set; }
    public decimal LowPrice { get; set; }
    public decimal ClosePrice { get; set; }
    public decimal TotalVolume { get; set; }

    // fields a candle built from OHLCV bars does not have: kept apart so that a candle stays small
    private sealed class Extras
    {
        public decimal? BuyVolume, SellVolume, OpenInterest, RelativeVolume, OpenVolume, CloseVolume, HighVolume, LowVolume;
        public int? TotalTicks, UpTicks, DownTicks;
        public DateTime? HighTime, LowTime, ServerTime, LocalTime;
        public IEnumerable<CandlePriceLevel> PriceLevels;
    }
    private Extras _x;
    private Extras X => _x ??= new Extras();

    public decimal? BuyVolume { get => _x?.BuyVolume; set => X.BuyVolume = value; }
    public decimal? SellVolume { get => _x?.SellVolume; set => X.SellVolume = value; }
    public decimal? OpenInterest { get => _x?.OpenInterest; set => X.OpenInterest = value; }
    public decimal? RelativeVolume { get => _x?.RelativeVolume; set => X.RelativeVolume = value; }
    public int? TotalTicks { get => _x?.TotalTicks; set => X.TotalTicks = value; }
    public int? UpTicks { get => _x?.UpTicks; set => X.UpTicks = value; }
    public int? DownTicks { get => _x?.DownTicks; set => X.DownTicks = value; }
    public decimal? OpenVolume { get => _x?.OpenVolume; set => X.OpenVolume = value; }
    public decimal? CloseVolume { get => _x?.CloseVolume; set => X.CloseVolume = value; }
    public decimal? HighVolume { get => _x?.HighVolume; set => X.HighVolume = value; }
    public decimal? LowVolume { get => _x?.LowVolume; set => X.LowVolume = value; }
    public DateTime OpenTime { get; set; }
    public DateTime CloseTime { get; set; }
    /// <summary>When the high was made (unknown from OHLCV bars: the open time unless set).</summary>
    public DateTime HighTime { get => _x?.HighTime ?? OpenTime; set => X.HighTime = value; }
    /// <summary>When the low was made (unknown from OHLCV bars: the open time unless set).</summary>
    public DateTime LowTime { get => _x?.LowTime ?? OpenTime; set => X.LowTime = value; }
    /// <summary>Server time of the candle: its close time unless set.</summary>
    public DateTime ServerTime { get => _x?.ServerTime ?? CloseTime; set => X.ServerTime = value; }
    public DateTime LocalTime { get => _x?.LocalTime ?? CloseTime; set => X.LocalTime = value; }
    public CandleStates State { get; set; }
    public IEnumerable<CandlePriceLevel> PriceLevels { get => _x?.PriceLevels; set => X.PriceLevels = value; }
    public abstract object Arg { get; set; }
    public abstract DataType DataType { get; }
    public override string ToString() =>
        $"{GetType().Name} {OpenTime:O} O={OpenPrice} H={HighPrice} L={LowPrice} C={ClosePrice} V={TotalVolume} {State}";
}

/// <summary>A time-frame candle.</summary>
public class TimeFrameCandleMessage : CandleMessage
{
    public TimeFrameCandleMessage() { }
    public TimeFrameCandleMessage(TimeSpan tf) { TimeFrame = tf; }
    public TimeSpan TimeFrame { get; set; }
    public override object Arg { get => TimeFrame; set => TimeFrame = value is TimeSpan t ? t : TimeFrame; }
    public override DataType DataType => DataType.TimeFrame(TimeFrame > TimeSpan.Zero ? TimeFrame : TimeSpan.FromMinutes(1));
    /// <summary>A copy.</summary>
    public TimeFrameCandleMessage Clone() => (TimeFrameCandleMessage)MemberwiseClone();
}

/// <summary>
/// Level1 values (StockSharp's <c>Level1ChangeMessage</c>). In a candle backtest each data bar gives one: last
/// trade, best bid and best ask at the bar's close, plus its open, high, low and volume.
/// </summary>
public class Level1ChangeMessage
{
    public SecurityId SecurityId { get; set; }
    public DateTime ServerTime { get; set; }
    public DateTime LocalTime { get; set; }
    public IDictionary<Level1Fields, object> Changes { get; } = new Dictionary<Level1Fields, object>();
    public Level1ChangeMessage Add(Level1Fields field, decimal value) { Changes[field] = value; return this; }
    public Level1ChangeMessage TryAdd(Level1Fields field, decimal? value) { if (value is decimal v) Changes[field] = v; return this; }
    public decimal? TryGetDecimal(Level1Fields field) => Changes.TryGetValue(field, out var v) && v is decimal d ? d : null;
    public bool IsContainsQuotes() => Changes.ContainsKey(Level1Fields.BestBidPrice) || Changes.ContainsKey(Level1Fields.BestAskPrice);
    public override string ToString() => $"Level1 {ServerTime:O} {string.Join(", ", Changes.Select(c => $"{c.Key}={c.Value}"))}";
}
