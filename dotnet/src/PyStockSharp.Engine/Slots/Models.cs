using System.Globalization;

namespace PyStockSharp.Engine;

/// <summary>Executes a fill the fill model decided on (<see cref="SimulatedBrokerage"/>): slippage, commission, buying power, portfolio.</summary>
public interface IFillExecution
{
    /// <summary>
    /// Fills <paramref name="order"/> (all of its volume) at <paramref name="price"/>, moved against the order's side by the
    /// slippage model when <paramref name="slipped"/> (market and stop fills; limit fills are at their price or better).
    /// The buying-power model may reject it instead. Returns true when filled.
    /// </summary>
    bool Fill(Order order, double price, bool slipped);
}

/// <summary>
/// When and at what price active orders fill on a bar. Called by the brokerage with the orders still active, in id order;
/// an order placed while the strategy handled bar i (<see cref="Order.PlacedBar"/> == i) must not fill from that bar's
/// prices except at its close (<see cref="FillsAtClose"/>). Models must be stateless: one instance serves every run and
/// thread of an optimization.
/// </summary>
public interface IFillModel
{
    /// <summary>Fills, in the order they happen, the orders that execute during <paramref name="bar"/> (before the strategy sees it).</summary>
    void FillOnBar(IFillExecution execution, IReadOnlyList<Order> active, in Candle bar);

    /// <summary>True when <see cref="FillAtClose"/> must be called after the strategy handled each bar.</summary>
    bool FillsAtClose { get; }

    /// <summary>Fills at <paramref name="bar"/>'s close what the strategy just placed (market orders when filling at the close).</summary>
    void FillAtClose(IFillExecution execution, IReadOnlyList<Order> active, in Candle bar);
}

/// <summary>Commission of a fill, in account currency (&gt;= 0).</summary>
public interface IFeeModel
{
    double Commission(Order order, double price, double volume);
}

/// <summary>The price a market or stop fill of <paramref name="order"/> gets instead of <paramref name="price"/> (worse for the order's side).</summary>
public interface ISlippageModel
{
    double Apply(Order order, double price);
}

/// <summary>Whether the account can take a fill that grows the position; returns the reason to reject it, or null.</summary>
public interface IBuyingPowerModel
{
    /// <param name="portfolio">the account before the fill</param>
    /// <param name="position">the position the fill changes (before it)</param>
    /// <param name="newQuantity">the position's quantity after the fill</param>
    /// <param name="price">fill price (slippage included)</param>
    /// <param name="commission">the fill's commission</param>
    string? Reject(Portfolio portfolio, InstrumentPosition position, double newQuantity, double price, double commission);
}

/// <summary>
/// The engine's bar fill rules (docs/engine-api.md, "Emulation rules"), per bar in four passes: market orders at the open;
/// stops and limits the open gapped through (stops at the open, slipped; limits at the open); stops touched inside the
/// bar, at their price (adverse first); limits touched inside the bar, at their price. With
/// <see cref="MarketFillMode.Close"/>, market orders instead fill at the close of the bar that placed them.
/// </summary>
public sealed class BarFillModel : IFillModel
{
    public static readonly BarFillModel NextOpen = new(MarketFillMode.NextOpen);
    public static readonly BarFillModel AtClose = new(MarketFillMode.Close);

    public BarFillModel(MarketFillMode marketFill) { MarketFill = marketFill; }

    public MarketFillMode MarketFill { get; }
    public bool FillsAtClose => MarketFill == MarketFillMode.Close;

    public void FillOnBar(IFillExecution execution, IReadOnlyList<Order> active, in Candle bar)
    {
        int i = bar.Index, cnt = active.Count;
        double open = bar.Open, high = bar.High, low = bar.Low;
        // 1. market orders at the open
        for (int k = 0; k < cnt; k++)
        {
            var o = active[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type != OrderTypes.Market) continue;
            execution.Fill(o, open, slipped: true);
        }
        // 2. stops and limits gapped through at the open, by id
        for (int k = 0; k < cnt; k++)
        {
            var o = active[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type == OrderTypes.Market) continue;
            double p = o.Price;
            if (o.Type == OrderTypes.Stop)
            {
                if (o.Side == Sides.Buy ? open >= p : open <= p) execution.Fill(o, open, slipped: true);
            }
            else if (o.Side == Sides.Buy ? open <= p : open >= p)
                execution.Fill(o, open, slipped: false);
        }
        // 3. stops touched inside the bar (adverse first)
        for (int k = 0; k < cnt; k++)
        {
            var o = active[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type != OrderTypes.Stop) continue;
            double p = o.Price;
            if (o.Side == Sides.Buy ? high >= p : low <= p) execution.Fill(o, p, slipped: true);
        }
        // 4. limits touched inside the bar
        for (int k = 0; k < cnt; k++)
        {
            var o = active[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type != OrderTypes.Limit) continue;
            double p = o.Price;
            if (o.Side == Sides.Buy ? low <= p : high >= p) execution.Fill(o, p, slipped: false);
        }
    }

    public void FillAtClose(IFillExecution execution, IReadOnlyList<Order> active, in Candle bar)
    {
        if (MarketFill != MarketFillMode.Close) return;
        int cnt = active.Count;
        for (int k = 0; k < cnt; k++)
        {
            var o = active[k];
            if (o.State != OrderStates.Active || o.Type != OrderTypes.Market) continue;
            execution.Fill(o, bar.Close, slipped: true);
        }
    }
}

/// <summary>
/// commission = max(fraction × price × volume × multiplier + perUnit × volume, minimum) (the fraction is of the fill's notional,
/// the multiplier the order's instrument's); no commission at all when both rates are 0.
/// </summary>
public sealed class RateFeeModel : IFeeModel
{
    public RateFeeModel(double fraction, double perUnit = 0, double minimum = 0)
    {
        if (!(fraction >= 0) || !(perUnit >= 0) || !(minimum >= 0)) throw new ArgumentException("commission rates must be >= 0");
        Fraction = fraction; PerUnit = perUnit; Minimum = minimum;
    }

    public double Fraction { get; }
    public double PerUnit { get; }
    public double Minimum { get; }

    public double Commission(Order order, double price, double volume)
    {
        if (Fraction == 0 && PerUnit == 0) return 0;
        double comm = Fraction * price * volume;
        if (order.Instrument is { Multiplier: not 1 } inst) comm *= inst.Multiplier;
        comm += PerUnit * volume;
        return comm < Minimum ? Minimum : comm;
    }
}

/// <summary>A fill at p becomes p ± (p × fraction + steps × the order's instrument's price step): + for buys, − for sells.</summary>
public sealed class FixedSlippageModel : ISlippageModel
{
    public FixedSlippageModel(double fraction, double steps)
    {
        if (!(fraction >= 0) || !(steps >= 0)) throw new ArgumentException("slippage must be >= 0");
        Fraction = fraction; Steps = steps;
    }

    public double Fraction { get; }
    public double Steps { get; }

    public double Apply(Order order, double price)
    {
        double slip = price * Fraction + Steps * (order.Instrument?.PriceStep ?? 0.01);
        return order.Side == Sides.Buy ? price + slip : price - slip;
    }
}

/// <summary>
/// A fill that grows the position must fit: |new quantity| × price ≤ leverage × equity − commission, the equity
/// being cash + quantity × price (the fill price) + the other positions at their marks (last closes). Reducing or
/// closing a position is always allowed.
/// </summary>
public sealed class LeverageBuyingPower : IBuyingPowerModel
{
    public LeverageBuyingPower(double leverage)
    {
        if (!(leverage > 0)) throw new ArgumentException($"leverage must be > 0, got {leverage}");
        Leverage = leverage;
    }

    public double Leverage { get; }

    public string? Reject(Portfolio portfolio, InstrumentPosition position, double newQuantity, double price, double commission)
    {
        double pos = position.Qty;
        if (!(Math.Abs(newQuantity) > Math.Abs(pos))) return null;
        double mult = position.Mult;
        double need = Math.Abs(newQuantity) * price * mult;
        double equity = portfolio.CashValue + pos * price * mult;
        if (portfolio.Positions.Count > 1) equity += portfolio.ValueOfOthers(position);
        double avail = Leverage * equity - commission;
        if (!(need > avail)) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"insufficient buying power: position {newQuantity} at {price} needs {need}, available {avail} (leverage {Leverage} x equity {equity} - commission {commission})");
    }
}
