using System.Globalization;

namespace PyStockSharp.Engine;

/// <summary>Executes a fill the fill model decided on (<see cref="SimulatedBrokerage"/>): slippage, commission, buying power, portfolio.</summary>
public interface IFillExecution
{
    /// <summary>
    /// Fills what is left of <paramref name="order"/> (its <see cref="Order.Balance"/>: all of its volume unless it was filled in
    /// parts) at <paramref name="price"/>, moved against the order's side by the slippage model when <paramref name="slipped"/>
    /// (market and stop fills; limit fills are at their price or better). The buying-power model may reject it instead.
    /// Returns true when filled.
    /// </summary>
    bool Fill(Order order, double price, bool slipped);

    /// <summary>
    /// Fills <paramref name="volume"/> (&gt; 0, at most the order's <see cref="Order.Balance"/>; kept exact in decimal) of
    /// <paramref name="order"/>, as <see cref="Fill(Order, double, bool)"/> does; the order stays active while a balance
    /// remains and is filled when it reaches 0. Each call is one <see cref="MyTrade"/>. Returns true when filled.
    /// </summary>
    bool Fill(Order order, double price, bool slipped, double volume);

    /// <summary>Volume filled so far on the current bar of the instrument being filled (every order, both sides).</summary>
    double FilledOnBar { get; }

    /// <summary>Cancels the unfilled rest of an active order (the fill model's decision, e.g. immediate-or-cancel); false when not active.</summary>
    bool CancelRemainder(Order order);
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

    /// <summary>
    /// The price a fill of <paramref name="volume"/> of <paramref name="order"/> during <paramref name="bar"/> gets instead of
    /// <paramref name="price"/>: what the brokerage calls. Models whose slippage depends on the fill's size or the bar
    /// (<see cref="SquareRootImpactSlippageModel"/>) implement it; the default is <see cref="Apply(Order, double)"/>.
    /// </summary>
    double Apply(Order order, double price, double volume, in Candle bar) => Apply(order, price);
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

    /// <summary>The same as <see cref="Apply(Order, double)"/>: the fill's size and bar do not matter.</summary>
    public double Apply(Order order, double price, double volume, in Candle bar) => Apply(order, price);
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

/// <summary>
/// Volume participation (docs/engine-api.md, "Volume participation and market impact"): the bar rules of
/// <see cref="BarFillModel"/> (same passes, prices and order), but the orders filled on a bar take together at most
/// <see cref="Participation"/> × the bar's volume, rounded down to the instrument's volume step (in decimal). What an order
/// could not fill stays active and fills on the following bars (<see cref="ParticipationRemainder.Carry"/>: a stop that filled
/// part of its volume fills its rest like a market order, at the following opens; a limit keeps its price) or is cancelled
/// (<see cref="ParticipationRemainder.Cancel"/>). A bar of volume 0 fills nothing. Stateless: what a bar already filled is
/// <see cref="IFillExecution.FilledOnBar"/>.
/// </summary>
public sealed class VolumeParticipationFillModel : IFillModel
{
    /// <param name="participation">fraction of each bar's volume the run's orders may fill, 0 &lt; p ≤ 1 (0.1 = 10 %)</param>
    /// <param name="remainder">what happens to the part not filled on the bar the order executed</param>
    /// <param name="marketFill">where market orders fill (their remainders too: the following opens, or closes)</param>
    public VolumeParticipationFillModel(double participation, ParticipationRemainder remainder = ParticipationRemainder.Carry,
        MarketFillMode marketFill = MarketFillMode.NextOpen)
    {
        if (!(participation > 0 && participation <= 1)) throw new ArgumentException($"participation must be in (0, 1], got {participation}");
        if (!Enum.IsDefined(remainder)) throw new ArgumentException($"remainder must be Carry or Cancel, got {remainder}");
        Participation = participation; Remainder = remainder; MarketFill = marketFill;
    }

    public double Participation { get; }
    public ParticipationRemainder Remainder { get; }
    public MarketFillMode MarketFill { get; }
    public bool FillsAtClose => MarketFill == MarketFillMode.Close;

    /// <summary>
    /// floor(participation × <paramref name="barVolume"/> / <paramref name="volumeStep"/>) × volumeStep, computed in decimal
    /// (0.29 × 100 is 29, not 28.999…); 0 for a bar without (or with an invalid) volume.
    /// </summary>
    public double Capacity(double barVolume, double volumeStep)
    {
        if (!(barVolume > 0) || !(volumeStep > 0)) return 0;
        if (barVolume < 1e20 && volumeStep > 1e-20)
        {
            decimal step = (decimal)volumeStep;
            return (double)(Math.Floor((decimal)Participation * (decimal)barVolume / step) * step);
        }
        return Math.Floor(Participation * barVolume / volumeStep) * volumeStep;   // beyond decimal's range
    }

    /// <summary>A stop that already filled part of its volume: triggered, its rest fills like a market order.</summary>
    private static bool Triggered(Order o) => o.Type == OrderTypes.Stop && o.Balance != o.Volume;

    /// <summary>Market orders fill at the open, except in Close mode, where only those placed in OnStarted fill at bar 0's open
    /// (the rest of theirs, and every other market order, at the closes).</summary>
    private bool FillsAtOpen(Order o) => MarketFill == MarketFillMode.NextOpen || (o.PlacedBar < 0 && o.Balance == o.Volume);

    public void FillOnBar(IFillExecution execution, IReadOnlyList<Order> active, in Candle bar)
    {
        int i = bar.Index, cnt = active.Count;
        if (cnt == 0) return;
        double open = bar.Open, high = bar.High, low = bar.Low;
        double capacity = Capacity(bar.Volume, active[0].Instrument?.VolumeStep ?? 1);
        // 1. market orders (and the rest of triggered stops) at the open
        for (int k = 0; k < cnt; k++)
        {
            var o = active[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i) continue;
            if (o.Type == OrderTypes.Market ? FillsAtOpen(o) : Triggered(o)) Take(execution, o, open, true, capacity);
        }
        // 2. stops and limits gapped through at the open, by id
        for (int k = 0; k < cnt; k++)
        {
            var o = active[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type == OrderTypes.Market || Triggered(o)) continue;
            double p = o.Price;
            if (o.Type == OrderTypes.Stop)
            {
                if (o.Side == Sides.Buy ? open >= p : open <= p) Take(execution, o, open, true, capacity);
            }
            else if (o.Side == Sides.Buy ? open <= p : open >= p)
                Take(execution, o, open, false, capacity);
        }
        // 3. stops touched inside the bar (adverse first)
        for (int k = 0; k < cnt; k++)
        {
            var o = active[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type != OrderTypes.Stop || Triggered(o)) continue;
            double p = o.Price;
            if (o.Side == Sides.Buy ? high >= p : low <= p) Take(execution, o, p, true, capacity);
        }
        // 4. limits touched inside the bar
        for (int k = 0; k < cnt; k++)
        {
            var o = active[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type != OrderTypes.Limit) continue;
            double p = o.Price;
            if (o.Side == Sides.Buy ? low <= p : high >= p) Take(execution, o, p, false, capacity);
        }
    }

    public void FillAtClose(IFillExecution execution, IReadOnlyList<Order> active, in Candle bar)
    {
        if (MarketFill != MarketFillMode.Close) return;
        int cnt = active.Count;
        if (cnt == 0) return;
        double capacity = Capacity(bar.Volume, active[0].Instrument?.VolumeStep ?? 1);
        for (int k = 0; k < cnt; k++)
        {
            var o = active[k];
            if (o.State != OrderStates.Active || o.Type != OrderTypes.Market) continue;
            Take(execution, o, bar.Close, true, capacity);
        }
    }

    /// <summary>
    /// The order executes at <paramref name="price"/>: it fills min(balance, what the bar has left of
    /// <paramref name="capacity"/>); the rest is carried or cancelled.
    /// </summary>
    private void Take(IFillExecution execution, Order o, double price, bool slipped, double capacity)
    {
        double left = BacktestRun.AddQuantities(capacity, -execution.FilledOnBar);
        double balance = o.Balance;
        if (left >= balance) { execution.Fill(o, price, slipped); return; }
        if (left > 0 && !execution.Fill(o, price, slipped, left)) return;   // rejected by buying power
        if (Remainder == ParticipationRemainder.Cancel) execution.CancelRemainder(o);
    }
}

/// <summary>
/// Square-root market impact (docs/engine-api.md, "Volume participation and market impact"): a market or stop fill of
/// volume q at p, during a bar of volume V, becomes p ± (p × fraction + steps × price step + p × k × σ × sqrt(q / V)),
/// + for buys, − for sells, with σ = (high − low) / close of the fill's bar (its range as a fraction of price, a per-bar
/// volatility estimate). The fixed part is <see cref="FixedSlippageModel"/>'s. The impact term is the "square-root law"
/// ΔP/P = Y σ sqrt(Q/V) (Almgren, Thum, Hauptmann, Li, "Direct Estimation of Equity Market Impact", Risk 2005; Tóth et al.,
/// "Anomalous price impact and the critical nature of liquidity", PRX 2011). A bar without volume counts as q / V = 1.
/// </summary>
public sealed class SquareRootImpactSlippageModel : ISlippageModel
{
    /// <param name="k">impact coefficient (≥ 0, dimensionless; the law's Y, of order 0.5–1 in the literature)</param>
    /// <param name="fraction">fixed slippage, a fraction of price (≥ 0)</param>
    /// <param name="steps">fixed slippage in price steps (≥ 0)</param>
    public SquareRootImpactSlippageModel(double k, double fraction = 0, double steps = 0)
    {
        if (!(k >= 0) || double.IsInfinity(k)) throw new ArgumentException($"impact coefficient must be a finite number >= 0, got {k}");
        if (!(fraction >= 0) || !(steps >= 0)) throw new ArgumentException("slippage must be >= 0");
        K = k; Fraction = fraction; Steps = steps;
    }

    public double K { get; }
    public double Fraction { get; }
    public double Steps { get; }

    /// <summary>σ of a bar: (high − low) / close (0 for a bar without a positive close).</summary>
    public static double Sigma(in Candle bar) => bar.Close > 0 && bar.High > bar.Low ? (bar.High - bar.Low) / bar.Close : 0;

    /// <summary>The impact of a fill of <paramref name="volume"/> during <paramref name="bar"/> as a fraction of price: k × σ × sqrt(q / V).</summary>
    public double ImpactFraction(double volume, in Candle bar)
    {
        double ratio = bar.Volume > 0 ? volume / bar.Volume : 1;
        return K * Sigma(bar) * Math.Sqrt(ratio);
    }

    /// <summary>The fixed part only (no fill size or bar is known).</summary>
    public double Apply(Order order, double price)
    {
        double slip = price * Fraction + Steps * (order.Instrument?.PriceStep ?? 0.01);
        return order.Side == Sides.Buy ? price + slip : price - slip;
    }

    public double Apply(Order order, double price, double volume, in Candle bar)
    {
        double slip = price * Fraction + Steps * (order.Instrument?.PriceStep ?? 0.01) + price * ImpactFraction(volume, bar);
        return order.Side == Sides.Buy ? price + slip : price - slip;
    }
}
