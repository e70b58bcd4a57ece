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
/// The backtest's brokerage: keeps the active orders per instrument and, bar by bar, lets its fill model decide which
/// fill and at what price; each fill then gets the slippage model's price, the fee model's commission, the buying-power
/// model's consent and is booked on the <see cref="Portfolio"/>. Order ids are unique across instruments.
/// </summary>
public sealed class SimulatedBrokerage : IBrokerage, IFillExecution
{
    private sealed class Book
    {
        internal readonly Instrument Instrument;
        internal readonly InstrumentPosition Position;
        internal readonly long[] Times;
        internal readonly List<Order> Active = new();
        internal int FillBar = -1;        // the bar FilledOnBar is of
        internal double FilledOnBar;      // volume filled on that bar (every order), exact in decimal
        internal Book(Instrument instrument, InstrumentPosition position, long[] times) { Instrument = instrument; Position = position; Times = times; }
    }

    private readonly IFillModel _fill;
    private readonly IFeeModel _fee;
    private readonly ISlippageModel _slippage;
    private readonly IBuyingPowerModel _buyingPower;
    private readonly Portfolio _portfolio;
    private readonly IBrokerageEvents _events;
    private readonly List<Book> _books = new();
    private readonly List<Order> _orders = new();
    private readonly AppendOnlyList<MyTrade> _trades = new();
    private long _nextId = 1;
    private int _active;          // active orders over all books
    private Book _book = null!;   // the book being filled
    private int _bar;
    private Candle _candle;       // the bar being filled (for the slippage model)

    public SimulatedBrokerage(Portfolio portfolio, IBrokerageEvents events, IFillModel fill, IFeeModel fee, ISlippageModel slippage,
        IBuyingPowerModel buyingPower)
    {
        _portfolio = portfolio ?? throw new ArgumentNullException(nameof(portfolio));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _fill = fill ?? throw new ArgumentNullException(nameof(fill));
        _fee = fee ?? throw new ArgumentNullException(nameof(fee));
        _slippage = slippage ?? throw new ArgumentNullException(nameof(slippage));
        _buyingPower = buyingPower ?? throw new ArgumentNullException(nameof(buyingPower));
    }

    /// <summary>The brokerage <paramref name="settings"/> describe: their models, or the ones built from their numbers.</summary>
    public static SimulatedBrokerage FromSettings(EmulationSettings settings, Portfolio portfolio, IBrokerageEvents events)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SimulatedBrokerage(portfolio, events,
            settings.FillModel ?? (settings.Participation > 0
                ? new VolumeParticipationFillModel(settings.Participation, settings.ParticipationRemainder, settings.MarketFill)
                : settings.MarketFill == MarketFillMode.Close ? BarFillModel.AtClose : BarFillModel.NextOpen),
            settings.FeeModel ?? new RateFeeModel(settings.CommissionFraction, settings.CommissionPerUnit, settings.MinCommission),
            settings.SlippageModel ?? (settings.Impact > 0
                ? new SquareRootImpactSlippageModel(settings.Impact, settings.SlippageFraction, settings.SlippageSteps)
                : new FixedSlippageModel(settings.SlippageFraction, settings.SlippageSteps)),
            settings.BuyingPowerModel ?? new LeverageBuyingPower(settings.Leverage));
    }

    /// <summary>Trades <paramref name="instrument"/> too, whose bars open at <paramref name="barTimes"/>; returns its number (0, 1, …).</summary>
    public int AddInstrument(Instrument instrument, long[] barTimes)
    {
        ArgumentNullException.ThrowIfNull(instrument); ArgumentNullException.ThrowIfNull(barTimes);
        foreach (var b in _books)
            if (ReferenceEquals(b.Instrument, instrument)) throw new ArgumentException($"instrument {instrument.Id} added twice", nameof(instrument));
        _books.Add(new Book(instrument, _portfolio.PositionOf(instrument), barTimes));
        if (_books.Count == 1) _book = _books[0];
        return _books.Count - 1;
    }

    public IFillModel FillModel => _fill;
    public IReadOnlyList<Order> Orders => _orders;
    public IReadOnlyList<MyTrade> Trades => _trades;
    /// <summary>Orders rejected so far (invalid, or refused by the buying-power model).</summary>
    public int RejectedCount { get; private set; }
    internal bool HasActive => _active > 0;
    internal bool HasActiveOn(int instrument) => _books[instrument].Active.Count > 0;
    internal List<Order> OrderList => _orders;
    internal AppendOnlyList<MyTrade> TradeList => _trades;

    public Order Place(Instrument instrument, Sides side, OrderTypes type, double volume, double price, int bar)
    {
        Book? book = null;
        foreach (var b in _books) if (ReferenceEquals(b.Instrument, instrument)) { book = b; break; }
        if (book == null)
            throw new ArgumentException($"instrument {instrument?.Id ?? "null"} is not traded in this run; traded: {string.Join(", ", _books.Select(b => b.Instrument.Id))}", nameof(instrument));
        double asked = volume = BacktestRun.Quantity(volume);
        volume = instrument.RoundVolume(volume);
        var o = new Order(_nextId++, side, type, volume, type == OrderTypes.Market ? 0 : price, bar) { Instrument = instrument, Owner = this };
        _orders.Add(o);
        string? why = null;
        if (!(asked > 0) || double.IsInfinity(asked)) why = $"invalid volume {asked.ToString(CultureInfo.InvariantCulture)}: must be a finite number > 0";
        else if (!(volume > 0)) why = string.Create(CultureInfo.InvariantCulture, $"volume {asked} is below the volume step {instrument.VolumeStep} of {instrument.Id}");
        else if (type != OrderTypes.Market && (!(price > 0) || double.IsInfinity(price))) why = $"invalid {type.ToString().ToLowerInvariant()} price {price.ToString(CultureInfo.InvariantCulture)}: must be a finite number > 0";
        if (why != null)
        {
            o.State = OrderStates.Rejected; o.RejectReason = why; o.DoneBar = bar; RejectedCount++;
            return o;
        }
        book.Active.Add(o);
        _active++;
        return o;
    }

    public bool Cancel(Order order, int bar)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.State != OrderStates.Active || !ReferenceEquals(order.Owner, this)) return false;
        order.State = OrderStates.Cancelled; order.DoneBar = bar;
        _events.OrderChanged(order);
        return true;
    }

    public void CancelAll(int bar)
    {
        foreach (var b in _books)
        {
            var active = b.Active;
            int cnt = active.Count;
            for (int k = 0; k < cnt; k++)
            {
                var o = active[k];
                if (o.State == OrderStates.Active) { o.State = OrderStates.Cancelled; o.DoneBar = bar; _events.OrderChanged(o); }
            }
        }
    }

    /// <summary>Bar <paramref name="bar"/> of instrument <paramref name="instrument"/> opened: the fill model fills what executes during it.</summary>
    internal void FillOnBar(int instrument, in Candle bar)
    {
        var book = _book = _books[instrument];
        _bar = bar.Index; _candle = bar;
        _fill.FillOnBar(this, book.Active, bar);
        Compact(book);
    }

    /// <summary>The strategy handled <paramref name="bar"/> of <paramref name="instrument"/>: fills at its close (when the fill model does that).</summary>
    internal void FillAtClose(int instrument, in Candle bar)
    {
        var book = _book = _books[instrument];
        _bar = bar.Index; _candle = bar;
        _fill.FillAtClose(this, book.Active, bar);
        Compact(book);
    }

    public bool Fill(Order order, double price, bool slipped)
    {
        ArgumentNullException.ThrowIfNull(order);
        return Fill(order, price, slipped, order.Balance);
    }

    public bool Fill(Order order, double price, bool slipped, double volume)
    {
        ArgumentNullException.ThrowIfNull(order);
        var book = _book;
        if (order.State != OrderStates.Active || !ReferenceEquals(order.Instrument, book.Instrument)) return false;
        double balance = order.Balance;
        double vol = volume == balance ? balance : BacktestRun.Quantity(volume);
        if (!(vol > 0) || vol > balance)
            throw new ArgumentOutOfRangeException(nameof(volume), volume, $"a fill must be > 0 and at most the order's balance {balance}");
        int i = _bar;
        double reference = price;
        if (slipped) price = _slippage.Apply(order, price, vol, _candle);
        bool buy = order.Side == Sides.Buy;
        double comm = (book.Instrument.FeeModel ?? _fee).Commission(order, price, vol);
        var position = book.Position;
        double newQty = BacktestRun.AddQuantities(position.Qty, buy ? vol : -vol);
        if (_buyingPower.Reject(_portfolio, position, newQty, price, comm) is { } why)
        {
            order.State = OrderStates.Rejected; order.DoneBar = i; RejectedCount++;
            order.RejectReason = why;
            _events.OrderChanged(order);
            return false;
        }
        double realized = _portfolio.Apply(position, buy, vol, price, comm, newQty);
        if (vol == balance)
        {
            order.FillPrice = balance == order.Volume ? price : Vwap(order, price, vol);
            order.Balance = 0; order.State = OrderStates.Filled; order.DoneBar = i;
        }
        else
        {
            order.FillPrice = balance == order.Volume ? price : Vwap(order, price, vol);
            order.Balance = BacktestRun.AddQuantities(balance, -vol);
        }
        if (book.FillBar == i) book.FilledOnBar = BacktestRun.AddQuantities(book.FilledOnBar, vol);
        else { book.FillBar = i; book.FilledOnBar = vol; }
        var trade = new MyTrade(order.Id, i, book.Times[i], order.Side, price, vol, comm, realized, book.Instrument, reference);
        _trades.Add(trade);
        _events.Filled(order, trade);
        return true;
    }

    /// <summary>The order's average fill price after one more fill of <paramref name="vol"/> at <paramref name="price"/>.</summary>
    private static double Vwap(Order order, double price, double vol)
    {
        double done = order.FilledVolume;
        return (order.FillPrice * done + price * vol) / (done + vol);
    }

    /// <summary>Volume filled so far on the bar being filled, of the instrument being filled.</summary>
    public double FilledOnBar => _book.FillBar == _bar ? _book.FilledOnBar : 0;

    public bool CancelRemainder(Order order) => Cancel(order, _bar);

    private void Compact(Book book)
    {
        var list = book.Active;
        int w = 0, n = list.Count;
        for (int r = 0; r < n; r++)
        {
            var o = list[r];
            if (o.State == OrderStates.Active) { if (w != r) list[w] = o; w++; }
        }
        if (w < n) { _active -= n - w; list.RemoveRange(w, n - w); }
    }
}
