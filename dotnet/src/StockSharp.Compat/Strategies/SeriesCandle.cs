using StockSharp.Messages;

namespace StockSharp.Algo.Strategies;

/// <summary>
/// A candle that is one bar of the data series as it is: a view on the series' decimal columns (~56 bytes instead
/// of a full <see cref="TimeFrameCandleMessage"/>; one is made per bar, so its size is most of the layer's cost).
/// It behaves as any candle; a setter turns it into its own copy first, so the series is never changed.
/// </summary>
internal sealed class SeriesCandle : ICandleMessage
{
    private readonly DecimalColumns _d;
    private readonly CandleBuilder _builder;
    private readonly int _i;
    private readonly long _openTicks;
    private TimeFrameCandleMessage _own;

    public SeriesCandle(DecimalColumns d, CandleBuilder builder, int index, long openTicks)
    {
        _d = d; _builder = builder; _i = index; _openTicks = openTicks;
    }

    private TimeFrameCandleMessage Own() => _own ??= new TimeFrameCandleMessage
    {
        TimeFrame = _builder.TimeFrame, SecurityId = _builder.SecurityId, OpenPrice = OpenPrice, HighPrice = HighPrice,
        LowPrice = LowPrice, ClosePrice = ClosePrice, TotalVolume = TotalVolume, OpenTime = OpenTime, CloseTime = CloseTime,
        State = CandleStates.Finished,
    };

    public SecurityId SecurityId { get => _own?.SecurityId ?? _builder.SecurityId; set => Own().SecurityId = value; }
    public decimal OpenPrice { get => _own is null ? _d.Open[_i] : _own.OpenPrice; set => Own().OpenPrice = value; }
    public decimal HighPrice { get => _own is null ? _d.High[_i] : _own.HighPrice; set => Own().HighPrice = value; }
    public decimal LowPrice { get => _own is null ? _d.Low[_i] : _own.LowPrice; set => Own().LowPrice = value; }
    public decimal ClosePrice { get => _own is null ? _d.Close[_i] : _own.ClosePrice; set => Own().ClosePrice = value; }
    public decimal TotalVolume { get => _own is null ? _d.Volume[_i] : _own.TotalVolume; set => Own().TotalVolume = value; }
    public decimal? BuyVolume { get => _own?.BuyVolume; set => Own().BuyVolume = value; }
    public decimal? SellVolume { get => _own?.SellVolume; set => Own().SellVolume = value; }
    public decimal? OpenInterest { get => _own?.OpenInterest; set => Own().OpenInterest = value; }
    public int? TotalTicks { get => _own?.TotalTicks; set => Own().TotalTicks = value; }
    public DateTime OpenTime { get => _own is null ? new DateTime(_openTicks, DateTimeKind.Utc) : _own.OpenTime; set => Own().OpenTime = value; }
    public DateTime CloseTime { get => _own is null ? new DateTime(_openTicks, DateTimeKind.Utc) + _builder.TimeFrame : _own.CloseTime; set => Own().CloseTime = value; }
    public DateTime HighTime { get => _own?.HighTime ?? OpenTime; set => Own().HighTime = value; }
    public DateTime LowTime { get => _own?.LowTime ?? OpenTime; set => Own().LowTime = value; }
    public DateTime ServerTime { get => _own?.ServerTime ?? CloseTime; set => Own().ServerTime = value; }
    public CandleStates State { get => _own?.State ?? CandleStates.Finished; set => Own().State = value; }
    public IEnumerable<CandlePriceLevel> PriceLevels { get => _own?.PriceLevels; set => Own().PriceLevels = value; }
    public object Arg { get => _own?.Arg ?? _builder.TimeFrame; set => Own().Arg = value; }
    public DataType DataType => _own?.DataType ?? DataType.TimeFrame(_builder.TimeFrame);

    public override string ToString() => $"Candle {OpenTime:O} O={OpenPrice} H={HighPrice} L={LowPrice} C={ClosePrice} V={TotalVolume} {State}";
}
