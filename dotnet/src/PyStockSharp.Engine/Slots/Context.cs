namespace PyStockSharp.Engine;

/// <summary>
/// What a running strategy sees of the engine: its data, its account and a way to send orders. The backtest implements
/// it over the data feed, the simulated brokerage and the portfolio; the strategy never sees those (so a live feed and
/// brokerage can be put behind the same interface).
/// </summary>
public interface IStrategyContext
{
    CandleSeries Series { get; }
    EmulationSettings Settings { get; }
    /// <summary>The instrument the strategy trades (the data's).</summary>
    Instrument Instrument { get; }
    Portfolio Portfolio { get; }
    /// <summary>Index of the bar being handled (-1 before the first).</summary>
    int CurrentIndex { get; }
    /// <summary>Signed position in <see cref="Instrument"/>.</summary>
    double Position { get; }
    double AveragePrice { get; }
    double Cash { get; }
    /// <summary>Cash + position × the current bar's close.</summary>
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
