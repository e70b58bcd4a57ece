using StockSharp.Messages;

namespace StockSharp.BusinessEntities;

/// <summary>
/// An instrument (StockSharp's <c>Security</c>). In a backtest it describes the data series: <see cref="PriceStep"/>,
/// <see cref="VolumeStep"/> and <see cref="Multiplier"/> come from the run's instrument specs (the price step inferred
/// from the data, volume step 1 and multiplier 1 unless given).
/// </summary>
public class Security
{
    public string Id { get; set; } = "";
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string ShortName { get; set; } = "";
    public string Board { get; set; } = "";
    public SecurityTypes? Type { get; set; }
    public decimal? PriceStep { get; set; }
    public decimal? VolumeStep { get; set; }
    public decimal? MinVolume { get; set; }
    public decimal? MaxVolume { get; set; }
    public decimal? StepPrice { get; set; }
    public decimal? Multiplier { get; set; }
    public int? Decimals { get; set; }
    public string Currency { get; set; } = "";
    public decimal? MinPrice { get; set; }
    public decimal? MaxPrice { get; set; }
    public decimal? MarginBuy { get; set; }
    public decimal? MarginSell { get; set; }
    public DateTimeOffset? ExpiryDate { get; set; }
    public string UnderlyingSecurityId { get; set; } = "";
    public override string ToString() => Id;
}

/// <summary>The trading account (StockSharp's <c>Portfolio</c>): values in money, updated every bar.</summary>
public class Portfolio
{
    public string Name { get; set; } = "Simulator";
    public decimal? BeginValue { get; set; }
    public decimal? CurrentValue { get; set; }
    public decimal? CurrentBalance { get => CurrentValue; set => CurrentValue = value; }
    public decimal? BlockedValue { get; set; }
    public decimal? RealizedPnL { get; set; }
    public decimal? UnrealizedPnL { get; set; }
    public decimal? Commission { get; set; }
    public decimal? Leverage { get; set; }
    public string Currency { get; set; } = "";
    public override string ToString() => Name;
}

/// <summary>A position on one security.</summary>
public class Position
{
    public Security Security { get; set; }
    public Portfolio Portfolio { get; set; }
    public decimal? CurrentValue { get; set; }
    public decimal? BeginValue { get; set; }
    public decimal? AveragePrice { get; set; }
    public decimal? RealizedPnL { get; set; }
    public decimal? UnrealizedPnL { get; set; }
    public decimal? Commission { get; set; }
    public DateTime LastChangeTime { get; set; }
    public override string ToString() => $"{Security}: {CurrentValue}";
}

/// <summary>
/// An order (StockSharp's <c>Order</c>). Make one with <c>new Order { Side, Type, Price, Volume }</c> and
/// <c>RegisterOrder</c>, or with the strategy's <c>BuyMarket</c>/<c>SellLimit</c>/… helpers; the engine keeps
/// <see cref="State"/>, <see cref="Balance"/> and <see cref="AveragePrice"/> up to date.
/// </summary>
public class Order
{
    public long? Id { get; set; }
    public long TransactionId { get; set; }
    public Sides Side { get; set; }
    /// <summary>Older name of <see cref="Side"/>.</summary>
    public Sides Direction { get => Side; set => Side = value; }
    public OrderTypes? Type { get; set; }
    public decimal Price { get; set; }
    public decimal Volume { get; set; }
    /// <summary>Volume not filled yet.</summary>
    public decimal Balance { get; set; }
    public OrderStates State { get; set; } = OrderStates.None;
    public Security Security { get; set; }
    public Portfolio Portfolio { get; set; }
    public DateTime Time { get; set; }
    public DateTime ServerTime { get => Time; set => Time = value; }
    public decimal? AveragePrice { get; set; }
    public decimal? Commission { get; set; }
    /// <summary>Stop (trigger) price of a Conditional order; when set the order is a stop order.</summary>
    public decimal? StopPrice { get; set; }
    public string Comment { get; set; }
    internal PyStockSharp.Engine.Order Engine { get; set; }

    // members few strategies set live in one object made on first use (a backtest keeps every order)
    private sealed class Rare
    {
        public string StringId, UserOrderId, ClientCode, RejectReason;
        public DateTime LocalTime;
        public decimal? VisibleVolume;
        public DateTimeOffset? ExpiryDate;
        public TimeInForce? TimeInForce;
        public bool? IsMarketMaker, PostOnly, MarginMode;
    }
    private Rare _rare;
    private Rare R => _rare ??= new Rare();

    public string StringId { get => _rare?.StringId; set => R.StringId = value; }
    public decimal? VisibleVolume { get => _rare?.VisibleVolume; set => R.VisibleVolume = value; }
    public DateTime LocalTime { get => _rare?.LocalTime ?? default; set => R.LocalTime = value; }
    public DateTimeOffset? ExpiryDate { get => _rare?.ExpiryDate; set => R.ExpiryDate = value; }
    public TimeInForce? TimeInForce { get => _rare?.TimeInForce; set => R.TimeInForce = value; }
    public string UserOrderId { get => _rare?.UserOrderId; set => R.UserOrderId = value; }
    public string ClientCode { get => _rare?.ClientCode; set => R.ClientCode = value; }
    public bool? IsMarketMaker { get => _rare?.IsMarketMaker; set => R.IsMarketMaker = value; }
    public bool? PostOnly { get => _rare?.PostOnly; set => R.PostOnly = value; }
    public bool? MarginMode { get => _rare?.MarginMode; set => R.MarginMode = value; }
    /// <summary>Why the engine rejected the order (null unless <see cref="State"/> is Failed).</summary>
    public string RejectReason { get => _rare?.RejectReason; internal set => R.RejectReason = value; }
    public override string ToString() => $"Order#{TransactionId} {Side} {Type} {Volume}@{Price} {State}";
}

/// <summary>A trade (a fill's market side).</summary>
public class Trade
{
    public long Id { get; set; }
    public string StringId { get; set; }
    public decimal Price { get; set; }
    public decimal Volume { get; set; }
    public DateTime ServerTime { get; set; }
    public DateTime Time { get => ServerTime; set => ServerTime = value; }
    public Sides? OrderDirection { get; set; }
    public Security Security { get; set; }
    public override string ToString() => $"Trade {Volume}@{Price} {ServerTime:O}";
}

/// <summary>An own trade: the order and the fill.</summary>
public class MyTrade
{
    public Order Order { get; set; }
    public Trade Trade { get; set; }
    public decimal? Commission { get; set; }
    public string CommissionCurrency { get; set; }
    /// <summary>PnL realized by this fill (gross of commission).</summary>
    public decimal? PnL { get; set; }
    /// <summary>The strategy's position after the fill.</summary>
    public decimal? Position { get; set; }
    public decimal? Slippage { get; set; }
    public bool? Initiator { get; set; }
    public override string ToString() => $"MyTrade {Order?.Side} {Trade?.Volume}@{Trade?.Price}";
}

/// <summary>A market-data subscription (StockSharp's <c>Subscription</c>).</summary>
public class Subscription
{
    public Subscription(DataType dataType, Security security = null) { DataType = dataType; Security = security; }
    public Subscription(DataType dataType, object marketData) { DataType = dataType; }
    public DataType DataType { get; }
    /// <summary>How the data is built (accepted; the engine builds from the data series).</summary>
    public MarketDataMessage MarketData { get; } = new();
    public Security Security { get; set; }
    public long TransactionId { get; set; }
    public ProcessStates State { get; internal set; } = ProcessStates.Stopped;
    public override string ToString() => $"Subscription({DataType}, {Security})";
}

/// <summary>A subscription's build settings (StockSharp's <c>MarketDataMessage</c>; accepted, informational here).</summary>
public class MarketDataMessage
{
    public Level1Fields? BuildField { get; set; }
    public object BuildMode { get; set; }
    public DataType BuildFrom { get; set; }
    public DateTime? From { get; set; }
    public DateTime? To { get; set; }
    public bool IsFinishedOnly { get; set; } = true;
}
