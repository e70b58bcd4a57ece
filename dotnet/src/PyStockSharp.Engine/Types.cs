namespace PyStockSharp.Engine;

/// <summary>Engine build information.</summary>
public static class EngineInfo
{
    /// <summary>Engine version, "0.1.0".</summary>
    public const string Version = "0.1.0";
}

/// <summary>Order side.</summary>
public enum Sides { Buy, Sell }

/// <summary>Order type.</summary>
public enum OrderTypes { Market, Limit, Stop }

/// <summary>Order state.</summary>
public enum OrderStates { Active, Filled, Cancelled, Rejected }

/// <summary>Where market orders fill.</summary>
public enum MarketFillMode { NextOpen, Close }

/// <summary>
/// What happens to the part of an order a <see cref="VolumeParticipationFillModel"/> could not fill on the bar it executed:
/// <see cref="Carry"/> keeps it active to fill on the following bars, <see cref="Cancel"/> cancels it.
/// </summary>
public enum ParticipationRemainder { Carry, Cancel }

/// <summary>One bar of a <see cref="CandleSeries"/>.</summary>
public readonly struct Candle
{
    public Candle(int index, long openTime, double open, double high, double low, double close, double volume)
    {
        Index = index; OpenTime = openTime; Open = open; High = high; Low = low; Close = close; Volume = volume;
    }
    public int Index { get; }
    /// <summary>UTC nanoseconds since the Unix epoch.</summary>
    public long OpenTime { get; }
    public DateTime OpenTimeUtc => TimeUtil.ToDateTime(OpenTime);
    public double Open { get; }
    public double High { get; }
    public double Low { get; }
    public double Close { get; }
    public double Volume { get; }
    public override string ToString() => $"Candle[{Index}] {OpenTimeUtc:O} O={Open} H={High} L={Low} C={Close} V={Volume}";
}

internal static class TimeUtil
{
    public static DateTime ToDateTime(long ns) => new DateTime(DateTime.UnixEpoch.Ticks + ns / 100, DateTimeKind.Utc);
}

/// <summary>An order. Created by the strategy's actions; its state is kept by the engine.</summary>
public sealed class Order
{
    internal Order(long id, Sides side, OrderTypes type, double volume, double price, int placedBar)
    {
        Id = id; Side = side; Type = type; Volume = volume; Price = price; PlacedBar = placedBar; Balance = volume;
        State = OrderStates.Active; DoneBar = -1; FillPrice = double.NaN;
    }
    public long Id { get; }
    public Sides Side { get; }
    public OrderTypes Type { get; }
    public double Volume { get; }
    /// <summary>
    /// Volume not filled yet: <see cref="Volume"/> until the first fill, 0 once filled. Between the two when a fill model
    /// fills the order in parts (<see cref="VolumeParticipationFillModel"/>); a cancelled or rejected order keeps what it had left.
    /// </summary>
    public double Balance { get; internal set; }
    /// <summary>Volume filled so far: <see cref="Volume"/> − <see cref="Balance"/>, computed in decimal (exact).</summary>
    public double FilledVolume => Balance == Volume ? 0 : BacktestRun.AddQuantities(Volume, -Balance);
    /// <summary>Limit or stop price; 0 for market orders.</summary>
    public double Price { get; }
    public OrderStates State { get; internal set; }
    public string? RejectReason { get; internal set; }
    /// <summary>Bar whose handling placed the order (-1 if placed in OnStarted).</summary>
    public int PlacedBar { get; }
    /// <summary>What the order trades (the data's instrument, or one of several in a portfolio run).</summary>
    public Instrument? Instrument { get; internal set; }
    /// <summary>The brokerage that took the order (cancelling checks it in O(1)).</summary>
    internal object? Owner;
    /// <summary>Bar at which the order was filled, cancelled or rejected; -1 while active.</summary>
    public int DoneBar { get; internal set; }
    /// <summary>
    /// Fill price (slippage included): the volume-weighted average price of the order's fills (the price of its only fill
    /// unless filled in parts); NaN before the first fill.
    /// </summary>
    public double FillPrice { get; internal set; }
    public override string ToString() => $"Order#{Id} {Side} {Type} {Volume}@{Price} {State}{(Balance != 0 && Balance != Volume ? $" balance {Balance}" : "")}{(RejectReason is null ? "" : " (" + RejectReason + ")")}";
}

/// <summary>An own trade (a fill).</summary>
public readonly struct MyTrade
{
    public MyTrade(long orderId, int barIndex, long time, Sides side, double price, double volume, double commission, double realizedPnL,
        Instrument? instrument = null, double referencePrice = double.NaN)
    {
        OrderId = orderId; BarIndex = barIndex; Time = time; Side = side; Price = price; Volume = volume;
        Commission = commission; RealizedPnL = realizedPnL; Instrument = instrument;
        ReferencePrice = double.IsNaN(referencePrice) ? price : referencePrice;
    }
    /// <summary>The price the fill model chose, before slippage (== <see cref="Price"/> for limit fills and without slippage).</summary>
    public double ReferencePrice { get; }
    /// <summary>What was traded.</summary>
    public Instrument? Instrument { get; }
    public long OrderId { get; }
    /// <summary>Index of the fill's bar in its instrument's series.</summary>
    public int BarIndex { get; }
    /// <summary>Open time of the bar of the fill (UTC ns).</summary>
    public long Time { get; }
    public Sides Side { get; }
    public double Price { get; }
    public double Volume { get; }
    public double Commission { get; }
    /// <summary>PnL realized by this fill (gross of commission).</summary>
    public double RealizedPnL { get; }
    public override string ToString() => $"MyTrade order={OrderId} bar={BarIndex} {Side} {Volume}@{Price} comm={Commission} pnl={RealizedPnL}";
}

/// <summary>Costs, capital and fill rules of a backtest.</summary>
public sealed class EmulationSettings
{
    public double InitialCapital { get; set; } = 10000;
    public double CommissionFraction { get; set; }
    public double CommissionPerUnit { get; set; }
    public double MinCommission { get; set; }
    public double SlippageFraction { get; set; }
    public double SlippageSteps { get; set; }
    public MarketFillMode MarketFill { get; set; } = MarketFillMode.NextOpen;
    public double Leverage { get; set; } = 1;
    /// <summary>
    /// Volume participation: an order fills at most this fraction of each bar's volume (0 &lt; p ≤ 1, e.g. 0.1 = 10 %),
    /// rounded down to the instrument's volume step, through <see cref="VolumeParticipationFillModel"/>; 0 (default): off,
    /// orders fill whole. See docs/engine-api.md, "Volume participation and market impact".
    /// </summary>
    public double Participation { get; set; }
    /// <summary>With <see cref="Participation"/>: the unfilled rest of an order stays active (Carry, default) or is cancelled.</summary>
    public ParticipationRemainder ParticipationRemainder { get; set; } = ParticipationRemainder.Carry;
    /// <summary>
    /// Square-root market impact coefficient k (≥ 0, dimensionless): market and stop fills move against the order by
    /// price × k × σ × sqrt(fill volume / bar volume), σ = (high − low) / close of the fill's bar, on top of the fixed
    /// slippage (<see cref="SquareRootImpactSlippageModel"/>); 0 (default): off.
    /// </summary>
    public double Impact { get; set; }

    // ---- brokerage models (docs/engine-api.md, "Slots"); null: built from the numbers above ----------------------
    /// <summary>
    /// When and at what price orders fill; null: <see cref="BarFillModel"/> with <see cref="MarketFill"/>, or
    /// <see cref="VolumeParticipationFillModel"/> when <see cref="Participation"/> &gt; 0.
    /// </summary>
    public IFillModel? FillModel { get; set; }
    /// <summary>Commission per fill; null: <see cref="RateFeeModel"/> of CommissionFraction, CommissionPerUnit, MinCommission.</summary>
    public IFeeModel? FeeModel { get; set; }
    /// <summary>
    /// Price of market and stop fills; null: <see cref="FixedSlippageModel"/> of SlippageFraction and SlippageSteps × price step,
    /// or <see cref="SquareRootImpactSlippageModel"/> (the same fixed part plus the impact) when <see cref="Impact"/> &gt; 0.
    /// </summary>
    public ISlippageModel? SlippageModel { get; set; }
    /// <summary>Whether a fill that grows a position fits the account; null: <see cref="LeverageBuyingPower"/> of Leverage.</summary>
    public IBuyingPowerModel? BuyingPowerModel { get; set; }

    public EmulationSettings Clone() => (EmulationSettings)MemberwiseClone();

    /// <summary>Throws ArgumentException on an impossible setting.</summary>
    public void Validate()
    {
        if (!(InitialCapital > 0) || double.IsInfinity(InitialCapital)) throw new ArgumentException($"InitialCapital must be a finite number > 0, got {InitialCapital}");
        if (!(CommissionFraction >= 0)) throw new ArgumentException($"CommissionFraction must be >= 0, got {CommissionFraction}");
        if (!(CommissionPerUnit >= 0)) throw new ArgumentException($"CommissionPerUnit must be >= 0, got {CommissionPerUnit}");
        if (!(MinCommission >= 0)) throw new ArgumentException($"MinCommission must be >= 0, got {MinCommission}");
        if (!(SlippageFraction >= 0)) throw new ArgumentException($"SlippageFraction must be >= 0, got {SlippageFraction}");
        if (!(SlippageSteps >= 0)) throw new ArgumentException($"SlippageSteps must be >= 0, got {SlippageSteps}");
        if (!(Leverage > 0)) throw new ArgumentException($"Leverage must be > 0, got {Leverage}");
        if (!(Participation >= 0 && Participation <= 1)) throw new ArgumentException($"Participation must be in (0, 1] (0 = off), got {Participation}");
        if (!Enum.IsDefined(ParticipationRemainder)) throw new ArgumentException($"ParticipationRemainder must be Carry or Cancel, got {ParticipationRemainder}");
        if (!(Impact >= 0) || double.IsInfinity(Impact)) throw new ArgumentException($"Impact must be a finite number >= 0, got {Impact}");
    }
}
