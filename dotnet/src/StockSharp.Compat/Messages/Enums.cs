namespace StockSharp.Messages;

/// <summary>Order or trade direction.</summary>
public enum Sides { Buy, Sell }

/// <summary>Order types (StockSharp's names). The engine emulates Limit, Market and Conditional (stop) orders.</summary>
public enum OrderTypes { Limit, Market, Conditional, Repo, ExtRepo, Rps, Execute, Stop, StopLimit }

/// <summary>Order states (StockSharp's names).</summary>
public enum OrderStates { None, Pending, Failed, Active, Done }

/// <summary>Candle states: the engine hands strategies finished candles only.</summary>
public enum CandleStates { None, Active, Finished }

/// <summary>Time in force (accepted, not emulated: every order is good till cancelled).</summary>
public enum TimeInForce { PutInQueue, MatchOrCancel, CancelBalance }

/// <summary>How a <see cref="Unit"/> is read.</summary>
public enum UnitTypes
{
    /// <summary>A price distance in price units.</summary>
    Absolute,
    /// <summary>Percent of the reference price (2 = 2 %).</summary>
    Percent,
    /// <summary>A number of price steps (<c>Security.PriceStep</c>).</summary>
    Point,
    /// <summary>A number of price steps (<c>Security.PriceStep</c>).</summary>
    Step,
    /// <summary>A limit value (accepted as Absolute).</summary>
    Limit,
}

/// <summary>Level1 fields (the few a candle strategy reads).</summary>
public enum Level1Fields { OpenPrice, HighPrice, LowPrice, ClosePrice, LastTradePrice, BestBidPrice, BestAskPrice, Volume, PriceStep, VolumeStep }

/// <summary>Security types.</summary>
public enum SecurityTypes { Stock, Future, Option, Index, Currency, Bond, Warrant, Forward, Swap, Commodity, Cfd, CryptoCurrency, Fund }

/// <summary>Subscription / strategy process states.</summary>
public enum ProcessStates { Stopped, Stopping, Started }

/// <summary>Log levels.</summary>
public enum LogLevels { Inherit, Verbose, Debug, Info, Warning, Error, Off }
