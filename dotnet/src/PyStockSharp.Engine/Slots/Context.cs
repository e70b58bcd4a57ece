namespace PyStockSharp.Engine;

/// <summary>
/// What a running strategy sees of the engine: its data, its account and a way to send orders. The backtest implements
/// it over the data feed, the simulated brokerage and the portfolio; the strategy never sees those (so a live feed and
/// brokerage can be put behind the same interface).
/// </summary>
public interface IStrategyContext
{
    /// <summary>The first (primary) series: <see cref="Strategy.OnBar"/>'s.</summary>
    CandleSeries Series { get; }
    /// <summary>Every series of the run, the primary first; series k is of <see cref="Instruments"/>[k].</summary>
    IReadOnlyList<CandleSeries> AllSeries { get; }
    IReadOnlyList<Instrument> Instruments { get; }
    /// <summary>Index of the last bar of series <paramref name="series"/> delivered to the strategy (-1 before its first).</summary>
    int LastIndexOf(int series);
    /// <summary>Signed position in <paramref name="instrument"/>.</summary>
    double PositionOf(Instrument instrument);
    /// <summary>An order for <paramref name="instrument"/> (one of <see cref="Instruments"/>).</summary>
    Order Place(Instrument instrument, Sides side, OrderTypes type, double volume, double price);
    EmulationSettings Settings { get; }
    /// <summary>The instrument the strategy trades (the data's).</summary>
    Instrument Instrument { get; }
    Portfolio Portfolio { get; }
    /// <summary>Index of the bar being handled (-1 before the first).</summary>
    int CurrentIndex { get; }
    /// <summary>Signed position in the primary <see cref="Instrument"/>.</summary>
    double Position { get; }
    double AveragePrice { get; }
    double Cash { get; }
    /// <summary>Cash + Σ position × its last close.</summary>
    double Equity { get; }
    double RealizedPnL { get; }
    /// <summary>Position × (current close − average price).</summary>
    double UnrealizedPnL { get; }
    double Commission { get; }
    IReadOnlyList<Order> Orders { get; }
    IReadOnlyList<MyTrade> MyTrades { get; }
    Order Place(Sides side, OrderTypes type, double volume, double price);
    bool Cancel(Order order);
    void CancelAll();
}
