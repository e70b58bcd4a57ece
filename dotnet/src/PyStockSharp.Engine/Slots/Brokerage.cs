using System.Globalization;

namespace PyStockSharp.Engine;

/// <summary>What a brokerage tells the strategy's side: an order changed state (cancelled, rejected), an order filled.</summary>
public interface IBrokerageEvents
{
    void OrderChanged(Order order);
    void Filled(Order order, MyTrade trade);
}

/// <summary>
/// Where orders go: placed, cancelled, and reported back through <see cref="IBrokerageEvents"/>. The backtest's
/// implementation is <see cref="SimulatedBrokerage"/>; a live one would send them to a broker.
/// </summary>
public interface IBrokerage
{
    /// <summary>Places an order (price ignored for market orders); an invalid one comes back rejected, with its reason.</summary>
    Order Place(Instrument instrument, Sides side, OrderTypes type, double volume, double price, int bar);
    /// <summary>Cancels an active order; false when it was no longer active (or is not one of this brokerage's).</summary>
    bool Cancel(Order order, int bar);
    /// <summary>Cancels every active order.</summary>
    void CancelAll(int bar);
    /// <summary>Every order placed, by id.</summary>
    IReadOnlyList<Order> Orders { get; }
    /// <summary>Every own trade (fill), in the order they happened.</summary>
    IReadOnlyList<MyTrade> Trades { get; }
}

/// <summary>
/// The backtest's brokerage: keeps the active orders and, bar by bar, lets its fill model decide which fill and at what
/// price; each fill then gets the slippage model's price, the fee model's commission, the buying-power model's consent
/// and is booked on the <see cref="Portfolio"/>. One instrument per brokerage for now (the data's).
/// </summary>
public sealed class SimulatedBrokerage : IBrokerage, IFillExecution
{
    private readonly IFillModel _fill;
    private readonly IFeeModel _fee;
    private readonly ISlippageModel _slippage;
    private readonly IBuyingPowerModel _buyingPower;
    private readonly Portfolio _portfolio;
    private readonly InstrumentPosition _position;
    private readonly IBrokerageEvents _events;
    private readonly long[] _times;
    private readonly List<Order> _active = new();
    private readonly List<Order> _orders = new();
    private readonly List<MyTrade> _trades = new();
    private long _nextId = 1;
    private int _bar;

    public SimulatedBrokerage(Instrument instrument, Portfolio portfolio, IBrokerageEvents events, long[] barTimes,
        IFillModel fill, IFeeModel fee, ISlippageModel slippage, IBuyingPowerModel buyingPower)
    {
        ArgumentNullException.ThrowIfNull(instrument); ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(events); ArgumentNullException.ThrowIfNull(barTimes);
        _fill = fill ?? throw new ArgumentNullException(nameof(fill));
        _fee = fee ?? throw new ArgumentNullException(nameof(fee));
        _slippage = slippage ?? throw new ArgumentNullException(nameof(slippage));
        _buyingPower = buyingPower ?? throw new ArgumentNullException(nameof(buyingPower));
        Instrument = instrument; _portfolio = portfolio; _position = portfolio.PositionOf(instrument);
        _events = events; _times = barTimes;
    }

    /// <summary>The brokerage <paramref name="settings"/> describe: their models, or the ones built from their numbers.</summary>
    public static SimulatedBrokerage FromSettings(EmulationSettings settings, Instrument instrument, Portfolio portfolio,
        IBrokerageEvents events, long[] barTimes)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SimulatedBrokerage(instrument, portfolio, events, barTimes,
            settings.FillModel ?? (settings.MarketFill == MarketFillMode.Close ? BarFillModel.AtClose : BarFillModel.NextOpen),
            settings.FeeModel ?? new RateFeeModel(settings.CommissionFraction, settings.CommissionPerUnit, settings.MinCommission),
            settings.SlippageModel ?? new FixedSlippageModel(settings.SlippageFraction, settings.SlippageSteps * instrument.PriceStep),
            settings.BuyingPowerModel ?? new LeverageBuyingPower(settings.Leverage));
    }

    public Instrument Instrument { get; }
    public IFillModel FillModel => _fill;
    public IReadOnlyList<Order> Orders => _orders;
    public IReadOnlyList<MyTrade> Trades => _trades;
    /// <summary>Orders rejected so far (invalid, or refused by the buying-power model).</summary>
    public int RejectedCount { get; private set; }
    internal bool HasActive => _active.Count > 0;
    internal List<Order> OrderList => _orders;
    internal List<MyTrade> TradeList => _trades;

    public Order Place(Instrument instrument, Sides side, OrderTypes type, double volume, double price, int bar)
    {
        if (!ReferenceEquals(instrument, Instrument))
            throw new ArgumentException($"this brokerage trades {Instrument.Id} only, not {instrument?.Id}", nameof(instrument));
        volume = BacktestRun.Quantity(volume);
        var o = new Order(_nextId++, side, type, volume, type == OrderTypes.Market ? 0 : price, bar);
        _orders.Add(o);
        string? why = null;
        if (!(volume > 0) || double.IsInfinity(volume)) why = $"invalid volume {volume.ToString(CultureInfo.InvariantCulture)}: must be a finite number > 0";
        else if (type != OrderTypes.Market && (!(price > 0) || double.IsInfinity(price))) why = $"invalid {type.ToString().ToLowerInvariant()} price {price.ToString(CultureInfo.InvariantCulture)}: must be a finite number > 0";
        if (why != null)
        {
            o.State = OrderStates.Rejected; o.RejectReason = why; o.DoneBar = bar; RejectedCount++;
            return o;
        }
        _active.Add(o);
        return o;
    }

    public bool Cancel(Order order, int bar)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.State != OrderStates.Active || !_orders.Contains(order)) return false;
        order.State = OrderStates.Cancelled; order.DoneBar = bar;
        _events.OrderChanged(order);
        return true;
    }

    public void CancelAll(int bar)
    {
        int cnt = _active.Count;
        for (int k = 0; k < cnt; k++)
        {
            var o = _active[k];
            if (o.State == OrderStates.Active) { o.State = OrderStates.Cancelled; o.DoneBar = bar; _events.OrderChanged(o); }
        }
    }

    /// <summary>Bar <paramref name="bar"/> opened: the fill model fills what executes during it.</summary>
    internal void FillOnBar(in Candle bar)
    {
        _bar = bar.Index;
        _fill.FillOnBar(this, _active, bar);
        Compact();
    }

    /// <summary>The strategy handled <paramref name="bar"/>: fills at its close (when the fill model does that).</summary>
    internal void FillAtClose(in Candle bar)
    {
        _bar = bar.Index;
        _fill.FillAtClose(this, _active, bar);
        Compact();
    }

    public bool Fill(Order order, double price, bool slipped)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.State != OrderStates.Active) return false;
        int i = _bar;
        if (slipped) price = _slippage.Apply(order.Side, price);
        double vol = order.Volume;
        bool buy = order.Side == Sides.Buy;
        double comm = _fee.Commission(order, price, vol);
        double newQty = BacktestRun.AddQuantities(_position.Qty, buy ? vol : -vol);
        if (_buyingPower.Reject(_portfolio, _position, newQty, price, comm) is { } why)
        {
            order.State = OrderStates.Rejected; order.DoneBar = i; RejectedCount++;
            order.RejectReason = why;
            _events.OrderChanged(order);
            return false;
        }
        double realized = _portfolio.Apply(_position, buy, vol, price, comm, newQty);
        order.State = OrderStates.Filled; order.DoneBar = i; order.FillPrice = price;
        var trade = new MyTrade(order.Id, i, _times[i], order.Side, price, vol, comm, realized);
        _trades.Add(trade);
        _events.Filled(order, trade);
        return true;
    }

    private void Compact()
    {
        var list = _active;
        int w = 0, n = list.Count;
        for (int r = 0; r < n; r++)
        {
            var o = list[r];
            if (o.State == OrderStates.Active) { if (w != r) list[w] = o; w++; }
        }
        if (w < n) list.RemoveRange(w, n - w);
    }
}
