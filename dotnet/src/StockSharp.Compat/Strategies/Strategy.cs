using System.Globalization;
using StockSharp.Algo.Indicators;
using StockSharp.BusinessEntities;
using StockSharp.Messages;
using E = PyStockSharp.Engine;

namespace StockSharp.Algo.Strategies;

/// <summary>
/// StockSharp's <c>Strategy</c>, implemented on our engine. A subclass written for StockSharp — <c>Param</c>s in the
/// constructor, <c>OnReseted</c>, <c>OnStarted2</c> subscribing candles and binding indicators, <c>BuyMarket</c> /
/// <c>SellMarket</c> in the handlers, <c>StartProtection</c> — compiles and runs unmodified.
/// <para>Engine semantics (docs/stocksharp.md): one security (the data series); handlers see finished candles;
/// market orders fill at the next bar's open (or the close with <c>--fill close</c>); limit and stop orders from the
/// next bar by the engine's rules; <c>StartProtection</c> places real stop and take-profit orders after each fill;
/// chart calls are recorded, never drawn.</para>
/// </summary>
public partial class Strategy : E.IHostedStrategy
{
    private readonly StrategyHost _host;
    private ISubscriptionFeed[] _subscriptions = Array.Empty<ISubscriptionFeed>();
    private ISubscriptionFeed[][] _otherSubscriptions = Array.Empty<ISubscriptionFeed[]>();   // per other series (1, 2, …)
    private Security[] _runSecurities = Array.Empty<Security>();                             // per series: its security
    private long[] _openNs = Array.Empty<long>();   // the series' open times (UTC ns), read every bar
    private readonly List<Order> _orders = new();
    private readonly List<Fill> _fills = new();
    private readonly Dictionary<long, Order> _byEngineId = new();
    private readonly List<string> _log = new();
    private readonly List<ChartRecord> _chart = new();
    private readonly DrawnIndicators _drawnIndicators = new();
    private string _name;
    private long _nextTransactionId = 1;
    private Portfolio _portfolio;
    private Security _security;
    private TimeSpan _dataTimeFrame;

    public Strategy()
    {
        _host = new StrategyHost(this);
    }

    /// <summary>The engine strategy that runs this one.</summary>
    public E.Strategy EngineStrategy => _host;

    // ---- identity and settings ------------------------------------------------------------------

    public virtual string Name { get => _name ?? GetType().Name; set => _name = value; }
    public Guid Id { get; set; } = Guid.NewGuid();
    public string Comment { get; set; }
    public LogLevels LogLevel { get; set; } = LogLevels.Info;

    /// <summary>Default order volume (1).</summary>
    public decimal Volume { get; set; } = 1m;

    /// <summary>The traded security: the data series (<c>PriceStep</c>/<c>VolumeStep</c> from the run).</summary>
    public virtual Security Security { get => _security ??= new Security { Id = "SECURITY", Code = "SECURITY" }; set => _security = value; }

    /// <summary>The account: values refreshed from the engine when read.</summary>
    public virtual Portfolio Portfolio
    {
        get
        {
            _portfolio ??= new Portfolio();
            if (_host.IsRunning)
            {
                _portfolio.CurrentValue = Dec(_host.Equity);
                _portfolio.RealizedPnL = Dec(_host.RealizedPnL);
                _portfolio.UnrealizedPnL = Dec(_host.UnrealizedPnL);
                _portfolio.Commission = Dec(_host.Commission);
            }
            return _portfolio;
        }
        set => _portfolio = value;
    }

    public object Connector { get; set; }
    public ProcessStates ProcessState { get; private set; } = ProcessStates.Stopped;
    public bool IsBacktesting => true;
    public bool WaitRulesOnStop { get; set; }
    public bool DisposeOnStop { get; set; }
    public bool CancelOrdersWhenStopping { get; set; } = true;
    public bool WaitAllTrades { get; set; }
    public bool CommentOrders { get; set; }
    public decimal? Slippage => null;
    public decimal? Latency => null;

    /// <summary>The strategy's parameters (the engine and the CLI see the same objects).</summary>
    public IReadOnlyList<E.IStrategyParam> Parameters => _host.Parameters;

    /// <summary>Indicators the strategy registered (<c>Indicators.Add</c>); <see cref="IsFormed"/> waits for them.</summary>
    public IList<IIndicator> Indicators { get; } = new List<IIndicator>();

    // ---- state --------------------------------------------------------------------------------------

    /// <summary>Position in units (positive long, negative short).</summary>
    public decimal Position
    {
        get
        {
            double p = _host.Position;
            if (p != _posDouble) { _posDouble = p; _posDecimal = Dec(p); }   // converted once per change
            return _posDecimal;
        }
        set => throw new NotSupportedException("StockSharp API member not supported: setting Strategy.Position (trade to change it)");
    }

    private double _posDouble;
    private decimal _posDecimal;

    /// <summary>Profit and loss in money: realized + unrealized − commission.</summary>
    public decimal PnL => Dec(_host.RealizedPnL + _host.UnrealizedPnL - _host.Commission);
    public decimal RealizedPnL => Dec(_host.RealizedPnL);
    public decimal? Commission => Dec(_host.Commission);
    /// <summary>Average entry price of the open position (0 when flat).</summary>
    public decimal PositionPrice => Dec(_host.AveragePrice);

    /// <summary>Close time of the bar being processed (UTC).</summary>
    public DateTime CurrentTime { get; private set; }
    public DateTime StartedTime { get; private set; }
    public TimeSpan TotalWorkingTime => CurrentTime - StartedTime;

    public IEnumerable<Order> Orders => _orders;
    /// <summary>The strategy's own trades, oldest first (made from the engine's fills when first asked for).</summary>
    public IEnumerable<MyTrade> MyTrades
    {
        get
        {
            var fills = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_fills);
            var list = new MyTrade[fills.Length];
            for (int k = 0; k < fills.Length; k++) list[k] = fills[k].Made ??= MakeMyTrade(fills[k]);
            return list;
        }
    }
    public IEnumerable<Order> ActiveOrders => _orders.Where(o => o.State == OrderStates.Active);

    /// <summary>All registered indicators formed.</summary>
    public bool IsFormed
    {
        get
        {
            var list = Indicators;
            for (int k = 0; k < list.Count; k++) if (!list[k].IsFormed) return false;
            return true;
        }
    }
    public bool IsOnline => ProcessState == ProcessStates.Started;
    public bool IsFormedAndOnline() => IsFormed && IsOnline;
    public bool AllowTrading(OrderTypes? type = null) => IsOnline && !_host.IsTradingStopped;
    /// <summary>True while the backtest runs and trading was not stopped by a risk rule.</summary>
    public bool IsFormedAndOnlineAndAllowTrading(OrderTypes? type = null) => IsFormed && AllowTrading(type);

    /// <summary>Messages the strategy logged (and what the layer said about the run), in order.</summary>
    public IReadOnlyList<string> LogMessages => _log;
    /// <summary>Chart calls, recorded (the report draws indicators from them).</summary>
    public IReadOnlyList<ChartRecord> ChartRecords => _chart;

    /// <summary>What the layer said about the run (candle types adapted to the data, …).</summary>
    public IReadOnlyList<string> Notices => _notices;
    private readonly List<string> _notices = new();

    IReadOnlyList<string> E.IHostedStrategy.Annotations => _chart.Select(c => $"{c.Kind}|{c.Area}|{c.What}").ToArray();

    IReadOnlyList<E.IndicatorTrace> E.IHostedStrategy.DrawnIndicators =>
        _drawnIndicators.Traces(_chart.Where(c => c.Kind == "candles").Select(c => c.Area).ToHashSet());

    internal void Notice(string message)
    {
        if (!_notices.Contains(message)) _notices.Add(message);
    }

    // ---- parameters -----------------------------------------------------------------------------

    /// <summary>Declares a parameter (in the constructor).</summary>
    public StrategyParam<T> Param<T>(string name, T initialValue = default)
    {
        var p = new StrategyParam<T>(name, initialValue);
        _host.AddParameter(p);
        return p;
    }

    // ---- overridables (StockSharp's names and signatures) ----------------------------------------

    /// <summary>Securities and candle types the strategy works with (informational here).</summary>
    public virtual IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => Array.Empty<(Security, DataType)>();

    protected virtual void OnReseted() { }
    protected virtual void OnStarted(DateTimeOffset time) { }
    protected virtual void OnStarted2(DateTime time) { }
    protected virtual void OnStarted2(DateTimeOffset time) { }
    protected virtual void OnStopping() { }
    protected virtual void OnStopped() { }
    protected virtual void OnNewMyTrade(MyTrade trade) { }
    protected virtual void OnOwnTradeReceived(MyTrade trade) { }
    protected virtual void OnOrderReceived(Order order) { }
    protected virtual void OnOrderRegistered(Order order) { }
    protected virtual void OnOrderChanged(Order order) { }
    protected virtual void OnOrderRegisterFailed(OrderFail fail, bool calcRisk) { }
    protected virtual void OnOrderCancelFailed(OrderFail fail) { }
    protected virtual void OnPositionReceived(Position position) { }
    protected virtual void OnPositionChanged(decimal diff) { }
    protected virtual void OnPositionChanged(Position position) { }
    protected virtual void OnNewPosition(Position position) { }
    protected virtual void OnError(Strategy strategy, Exception error) { }

    // ---- hooks for subclasses that cannot override protected members (Python through pythonnet) ----
    // Each is called right after its protected counterpart; the Python layer (pystocksharp/stocksharp.py)
    // overrides them and calls the StockSharp-named Python methods.

    public virtual void PythonReseted() { }
    public virtual void PythonStarted(DateTime time) { }
    /// <summary>Which of the fill hooks below the Python strategy needs (<see cref="PythonHook"/> flags; all by
    /// default): a .NET → Python call costs microseconds, so hooks nobody overrides are not called.</summary>
    public int PythonHooks { get => _pythonHooks; set { _pythonHooks = value; _pythonHost = true; } }
    private int _pythonHooks = -1;

    /// <summary>A Python strategy runs this one (it set <see cref="PythonHooks"/>). pythonnet overrides every public
    /// virtual member of such a subclass with a look-up of a Python method (microseconds per call), and the Python
    /// layer overrides none but the Python* hooks: internal paths then call the members' own code directly.</summary>
    private bool _pythonHost;

    /// <summary><see cref="Security"/> without a virtual call for a Python host.</summary>
    private Security Sec => _pythonHost ? _security ??= new Security { Id = "SECURITY", Code = "SECURITY" } : Security;

    /// <summary>The <see cref="PythonHooks"/> flags.</summary>
    public static class PythonHook
    {
        public const int OwnTrade = 1, OrderChanged = 2, PositionChanged = 4;
    }

    public virtual void PythonOwnTrade(MyTrade trade) { }
    public virtual void PythonOrderChanged(Order order) { }
    public virtual void PythonOrderRegisterFailed(OrderFail fail) { }
    public virtual void PythonPositionChanged(decimal diff) { }
    public virtual void PythonStopped() { }

    // ---- the Python fast path: one call per candle, the numbers in a pinned buffer ------------------
    // Layout of PythonBuffer (doubles): [0..4] open, high, low, close, volume of the candle; [5] the position;
    // [6], [7] the candle's open time in ticks (high and low 32 bits, exact); [8] its width in seconds;
    // [9] IsFormedAndOnlineAndAllowTrading() (1 or 0); [10..10+k) the bound indicators' values (flattened as for
    // Bind). Python reads it through numpy, no marshalling.

    /// <summary>Size of <see cref="PythonBufferAddress"/>'s buffer in doubles.</summary>
    public const int PythonBufferLength = 256;
    private readonly double[] _pyBuffer = GC.AllocateArray<double>(PythonBufferLength, pinned: true);

    /// <summary>Address of the pinned buffer the Python fast path reads (see the layout above).</summary>
    public unsafe long PythonBufferAddress { get { fixed (double* p = _pyBuffer) return (long)p; } }

    /// <summary>The raw values of a BindEx binding on the Python fast path (the array is reused).</summary>
    public IIndicatorValue[] PythonRawValues { get; private set; } = Array.Empty<IIndicatorValue>();

    /// <summary>A candle for binding <paramref name="bindingId"/> is in the buffer (Python overrides this).</summary>
    public virtual void PythonBound(int bindingId) { }

    /// <summary>When set, called instead of <see cref="PythonBound"/>: a delegate made from a Python callable is
    /// dispatched faster by pythonnet than an overridden virtual method (no name look-up per call).</summary>
    public Action<int> PythonBoundCallback { get; set; }

    internal void CallPython(int id, ICandleMessage c, decimal[] values, IIndicatorValue[] raw)
    {
        var b = _pyBuffer;
        b[0] = (double)c.OpenPrice; b[1] = (double)c.HighPrice; b[2] = (double)c.LowPrice; b[3] = (double)c.ClosePrice;
        b[4] = (double)c.TotalVolume; b[5] = _host.Position;
        long ticks = c.OpenTime.Ticks;
        b[6] = ticks >> 32; b[7] = ticks & 0xFFFFFFFFL;
        b[8] = (c.CloseTime - c.OpenTime).TotalSeconds;
        if (values != null)
        {
            if (values.Length > PythonBufferLength - 10) throw Unsupported($"Bind with more than {PythonBufferLength - 10} values");
            for (int k = 0; k < values.Length; k++) b[10 + k] = (double)values[k];
        }
        if (raw != null) PythonRawValues = raw;
        b[9] = IsFormedAndOnlineAndAllowTrading() ? 1 : 0;
        if (PythonBoundCallback is { } callback) callback(id);
        else PythonBound(id);
    }

    public event Action<MyTrade> NewMyTrade;
    public event Action<Subscription, MyTrade> OwnTradeReceived;
    public event Action<Order> OrderRegistered;
    public event Action<Order> OrderChanged;
    public event Action<OrderFail> OrderRegisterFailed;
    public event Action PositionChanged;
    public event Action<Position> PositionReceived;
    public event Action<Strategy> PnLChanged;
    public event Action<Strategy> ProcessStateChanged;

    /// <summary>A new instance with the same parameter values (the optimizer makes its own instances).</summary>
    public virtual Strategy CreateClone()
    {
        var clone = (Strategy)Activator.CreateInstance(GetType());
        foreach (var p in Parameters)
            if (clone.Parameters.FirstOrDefault(q => q.Name == p.Name) is { } q) q.SetValue(p.Value);
        clone.Volume = Volume;
        return clone;
    }

    public virtual void Reset() => OnReseted();
    public void Start() => throw Unsupported("Strategy.Start (run it with pystocksharp backtest)");
    public void Stop() => _host.StopTrading(false);

    // ---- market data ----------------------------------------------------------------------------

    /// <summary>Candles of <paramref name="dt"/> (a time frame equal to, or a whole multiple of, the data's).</summary>
    public ISubscriptionHandler<ICandleMessage> SubscribeCandles(DataType dt, bool isFinishedOnly = true, Security security = null)
    {
        ArgumentNullException.ThrowIfNull(dt);
        var h = new SubscriptionHandler<ICandleMessage>(this, new Subscription(dt, Check(security)));
        return h;
    }

    public ISubscriptionHandler<ICandleMessage> SubscribeCandles(TimeSpan tf, bool isFinishedOnly = true, Security security = null)
        => SubscribeCandles(DataType.TimeFrame(tf), isFinishedOnly, security);

    public ISubscriptionHandler<ICandleMessage> SubscribeCandles(Subscription subscription)
        => SubscribeCandles(subscription?.DataType ?? throw new ArgumentNullException(nameof(subscription)), true, subscription.Security);

    /// <summary>Level1 of the strategy's security: one message per data bar (last, bid and ask at its close).</summary>
    public ISubscriptionHandler<Level1ChangeMessage> SubscribeLevel1(Subscription subscription = null)
    {
        if (subscription?.Security is { } sec) Check(sec);
        return new SubscriptionHandler<Level1ChangeMessage>(this, subscription ?? new Subscription(DataType.Level1, Security));
    }

    public ISubscriptionHandler<Level1ChangeMessage> SubscribeLevel1(Security security) => SubscribeLevel1(new Subscription(DataType.Level1, Check(security)));

    internal void StartSubscription(ISubscriptionFeed handler)
    {
        if (!_host.IsRunning) throw new InvalidOperationException("subscriptions start while the strategy runs (call SubscribeCandles in OnStarted2)");
        var dt = handler.Subscription.DataType;
        int k = SeriesOf(handler.Subscription.Security);
        var series = _host.AllSeries[k];
        var data = k == 0 ? _dataTimeFrame : DataTimeFrame(series);
        var id = new SecurityId(_runSecurities[k].Code ?? _runSecurities[k].Id);
        handler.Builder = dt == DataType.Level1 ? new CandleBuilder(series, data, data, id) : MakeBuilder(dt, series, data, id);
        if (k == 0) _subscriptions = [.. _subscriptions, handler];
        else _otherSubscriptions[k - 1] = [.. _otherSubscriptions[k - 1], handler];
    }

    private CandleBuilder MakeBuilder(DataType dt, E.CandleSeries series, TimeSpan data, SecurityId id)
    {
        if (!dt.IsTFCandles)
            throw Unsupported($"SubscribeCandles({dt}): only time-frame candles are supported");
        var tf = dt.GetTimeFrame();
        if (tf < data)
        {
            var explicitParam = _host.Parameters.OfType<StrategyParam<DataType>>().FirstOrDefault(p => p.Value == dt && p.IsExplicit);
            if (explicitParam != null)
                throw new E.StrategyInputException(explicitParam.Name,
                    $"candles of {dt} are finer than the data's time frame {DataType.FormatTimeFrame(data)}; " +
                    $"use {DataType.FormatTimeFrame(data)} or a multiple of it, or finer data");
            Notice($"candle type {dt} is finer than the data ({DataType.FormatTimeFrame(data)}): using the data's {DataType.FormatTimeFrame(data)} candles");
            tf = data;
        }
        else if (tf > data)
        {
            if (tf.Ticks % data.Ticks != 0)
                throw new E.StrategyInputException(
                    _host.Parameters.OfType<StrategyParam<DataType>>().FirstOrDefault(p => p.Value == dt)?.Name ?? "CandleType",
                    $"candles of {dt} cannot be built from {DataType.FormatTimeFrame(data)} data: {dt} is not a whole multiple of {DataType.FormatTimeFrame(data)}");
            Notice($"building {dt} candles from the {DataType.FormatTimeFrame(data)} data");
        }
        return new CandleBuilder(series, tf, data, id);
    }

    // ---- orders ---------------------------------------------------------------------------------

    /// <summary>A new order object of this strategy (not registered).</summary>
    public Order CreateOrder(Sides side, decimal price, decimal? volume = null, Security security = null)
        => new() { Side = side, Price = price, Volume = volume ?? Volume, Type = price == 0 ? OrderTypes.Market : OrderTypes.Limit, Security = Check(security), Portfolio = Portfolio };

    public Order BuyMarket(decimal? volume = null, Security security = null) => Send(Sides.Buy, OrderTypes.Market, 0, volume, security);
    public Order SellMarket(decimal? volume = null, Security security = null) => Send(Sides.Sell, OrderTypes.Market, 0, volume, security);
    public Order BuyLimit(decimal price, decimal? volume = null, Security security = null) => Send(Sides.Buy, OrderTypes.Limit, price, volume, security);
    public Order SellLimit(decimal price, decimal? volume = null, Security security = null) => Send(Sides.Sell, OrderTypes.Limit, price, volume, security);
    /// <summary>A buy stop order of <paramref name="volume"/> triggered at <paramref name="price"/> (filled as a market order).</summary>
    public Order BuyStop(decimal volume, decimal price, Security security = null) => Send(Sides.Buy, OrderTypes.Conditional, price, volume, security);
    /// <summary>A sell stop order of <paramref name="volume"/> triggered at <paramref name="price"/> (filled as a market order).</summary>
    public Order SellStop(decimal volume, decimal price, Security security = null) => Send(Sides.Sell, OrderTypes.Conditional, price, volume, security);

    /// <summary>The position in <paramref name="security"/> (the strategy's own one, or another of the run's data; null
    /// for a security the run does not have).</summary>
    public decimal? GetPositionValue(Security security, Portfolio portfolio = null)
    {
        if (security is null || ReferenceEquals(security, _security) || security.Id == Security.Id) return Position;
        int k = FindSeries(security);
        return k < 0 ? null : Dec(_host.PositionOf(_host.Instruments[k]));
    }

    /// <summary>Rounds a price to the security's price step.</summary>
    public decimal NormalizePrice(decimal price)
    {
        var step = Security.PriceStep ?? 0m;
        return step > 0 ? Math.Round(price / step, MidpointRounding.AwayFromZero) * step : price;
    }

    /// <summary>Rounds a volume down to the security's volume step.</summary>
    public decimal NormalizeVolume(decimal volume)
    {
        var step = Security.VolumeStep ?? 0m;
        return step > 0 ? Math.Floor(volume / step) * step : volume;
    }

    /// <summary>The run's security <paramref name="security"/> stands for (null: the strategy's own); another security
    /// must be one of the run's data (matched by Id or Code: the data's symbol).</summary>
    private Security Check(Security security)
    {
        var own = Sec;
        if (security is null || ReferenceEquals(security, own) || security.Id == own.Id) return own;
        int k = FindSeries(security);
        if (k >= 0) return _runSecurities[k];
        var known = _runSecurities.Length == 0 ? own.Id : string.Join(", ", _runSecurities.Select(x => x.Id));
        throw new E.StrategyInputException("security",
            $"security {security.Id} is not in the run's data (it has {known}): give its candles too, e.g. --data {security.Id}=FILE");
    }

    /// <summary>Index of the run's series of <paramref name="security"/> (by reference, Id or Code), -1 if none.</summary>
    private int FindSeries(Security security)
    {
        for (int k = 0; k < _runSecurities.Length; k++)
        {
            var s = _runSecurities[k];
            if (ReferenceEquals(s, security) || s.Id == security.Id || (!string.IsNullOrEmpty(security.Code) && s.Code == security.Code)) return k;
        }
        return -1;
    }

    private int SeriesOf(Security security) => security is null ? 0 : Math.Max(0, FindSeries(security));

    private Order Send(Sides side, OrderTypes type, decimal price, decimal? volume, Security security)
    {
        var o = new Order { Side = side, Type = type, Price = price, Volume = volume ?? Volume, Security = Check(security) };
        if (type == OrderTypes.Conditional) o.StopPrice = price;
        if (_pythonHost) RegisterOrderCore(o); else RegisterOrder(o);
        return o;
    }

    /// <summary>
    /// The Python layer's <c>BuyMarket</c>/<c>SellMarket</c>: setting it registers a market order — "B" (buy) or "S"
    /// (sell) followed by the volume as decimal text (nothing for <see cref="Volume"/>) — and
    /// <see cref="PythonLastOrder"/> is the order. A property because pythonnet sets one in ~1 µs where a method
    /// call costs 10–50 µs; strategies place an order on a few percent of candles.
    /// </summary>
    public string PythonMarketOrder
    {
        get => "";
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            decimal? volume = value.Length == 1 ? null : decimal.Parse(value.AsSpan(1), NumberStyles.Float, CultureInfo.InvariantCulture);
            PythonLastOrder = Send(value[0] == 'B' ? Sides.Buy : Sides.Sell, OrderTypes.Market, 0, volume, null);
        }
    }

    /// <summary>The order <see cref="PythonMarketOrder"/> placed last.</summary>
    public Order PythonLastOrder { get; private set; }

    /// <summary>Registers an order: Market, Limit, or Conditional (a stop at <c>StopPrice</c>, else <c>Price</c>).</summary>
    public virtual void RegisterOrder(Order order) => RegisterOrderCore(order);

    private void RegisterOrderCore(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!_host.IsRunning) throw new InvalidOperationException("orders can only be registered while the strategy runs");
        var type = order.Type ?? (order.Price == 0 ? OrderTypes.Market : OrderTypes.Limit);
        E.OrderTypes et;
        double price;
        switch (type)
        {
            case OrderTypes.Market: et = E.OrderTypes.Market; price = 0; break;
            case OrderTypes.Limit: et = E.OrderTypes.Limit; price = (double)order.Price; break;
            case OrderTypes.Conditional or OrderTypes.Stop: et = E.OrderTypes.Stop; price = (double)(order.StopPrice ?? order.Price); break;
            default: throw Unsupported($"order type {type}");
        }
        order.Type = type;
        order.TransactionId = _nextTransactionId++;
        order.Security ??= Sec;
        order.Portfolio ??= _portfolio;
        order.Time = CurrentTime;
        order.Balance = order.Volume;
        order.State = OrderStates.Pending;
        _orders.Add(order);
        var side = order.Side == Sides.Buy ? E.Sides.Buy : E.Sides.Sell;
        int k = ReferenceEquals(order.Security, Sec) ? 0 : SeriesOf(Check(order.Security));
        var eo = k == 0 ? _host.RegisterOrder(side, et, (double)order.Volume, price)
            : _host.RegisterOrder(_host.Instruments[k], side, et, (double)order.Volume, price);
        order.Engine = eo;
        order.Id = eo.Id;
        _byEngineId[eo.Id] = order;
        if (eo.State == E.OrderStates.Rejected) Fail(order, eo.RejectReason);
        else
        {
            order.State = OrderStates.Active;
            if (!_pythonHost) OnOrderRegistered(order);
            OrderRegistered?.Invoke(order);
        }
    }

    public virtual void CancelOrder(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Engine is { } eo) _host.CancelOrder(eo);
    }

    /// <summary>Cancels <paramref name="oldOrder"/> and registers <paramref name="newOrder"/>.</summary>
    public virtual void ReRegisterOrder(Order oldOrder, Order newOrder)
    {
        CancelOrder(oldOrder);
        RegisterOrder(newOrder);
    }

    /// <summary>Cancels <paramref name="order"/> and registers a copy at <paramref name="price"/> (and <paramref name="volume"/>).</summary>
    public Order ReRegisterOrder(Order order, decimal price, decimal? volume = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        var copy = new Order { Side = order.Side, Type = order.Type, Price = price, Volume = volume ?? order.Volume, Security = order.Security, Comment = order.Comment };
        if (order.Type is OrderTypes.Conditional or OrderTypes.Stop) copy.StopPrice = price;
        ReRegisterOrder(order, copy);
        return copy;
    }

    public void CancelActiveOrders() => _host.CancelActiveOrders();

    /// <summary>A market order that flattens the position (none when flat).</summary>
    public Order ClosePosition(Security security = null, Portfolio portfolio = null)
    {
        var sec = Check(security);
        var p = GetPositionValue(sec) ?? 0m;
        if (p > 0) return SellMarket(p, sec);
        if (p < 0) return BuyMarket(-p, sec);
        return null;
    }

    // ---- protection -----------------------------------------------------------------------------

    /// <summary>
    /// Protects every position with a stop-loss and a take-profit (distances as <see cref="Unit"/>s: absolute, percent
    /// of the entry price, or price steps). After each fill the engine places a stop order and a limit order for the
    /// whole position; a null or zero unit disables that side. Timeouts and <paramref name="useMarketOrders"/> are
    /// accepted; the engine's stop order fills as a market order once triggered.
    /// </summary>
    public void StartProtection(Unit takeProfit = null, Unit stopLoss = null, bool isStopTrailing = false,
        TimeSpan? takeTimeout = null, TimeSpan? stopTimeout = null, bool useMarketOrders = false, bool isLocalStop = false)
    {
        var step = (double)(Security.PriceStep ?? 0.01m);
        _host.StartProtection(ToEngine(takeProfit, step), ToEngine(stopLoss, step), isStopTrailing);
    }

    private static E.Unit ToEngine(Unit u, double step)
    {
        if (u is null || u.Value <= 0) return default;
        return u.Type switch
        {
            UnitTypes.Percent => new E.Unit((double)u.Value, E.UnitTypes.Percent),
            UnitTypes.Point or UnitTypes.Step => new E.Unit((double)u.Value * step, E.UnitTypes.Absolute),
            _ => new E.Unit((double)u.Value, E.UnitTypes.Absolute),
        };
    }

    // ---- logging --------------------------------------------------------------------------------

    public void LogInfo(string message, params object[] args) => AddLog(LogLevels.Info, Format(message, args));
    public void LogWarning(string message, params object[] args) => AddLog(LogLevels.Warning, Format(message, args));
    public void LogError(string message, params object[] args) => AddLog(LogLevels.Error, Format(message, args));
    public void LogError(Exception error) => AddLog(LogLevels.Error, error?.Message ?? "");
    public void LogDebug(string message, params object[] args) => AddLog(LogLevels.Debug, Format(message, args));
    public void LogVerbose(string message, params object[] args) => AddLog(LogLevels.Verbose, Format(message, args));

    internal void AddLog(LogLevels level, string message)
    {
        if (_log.Count < 10_000) _log.Add($"{CurrentTime:yyyy-MM-dd HH:mm} {level}: {message}");
    }

    private static string Format(string message, object[] args)
    {
        if (args is null || args.Length == 0) return message ?? "";
        try { return string.Format(CultureInfo.InvariantCulture, message ?? "", args); }
        catch (FormatException) { return message + " " + string.Join(", ", args); }
    }

    // ---- charts (recorded) -----------------------------------------------------------------------

    /// <summary>A chart area; drawing calls on it are recorded as report annotations.</summary>
    public IChartArea CreateChartArea() => new ChartArea(this, $"area{_chart.Count(c => c.Kind == "area") + 1}");
    public IChart GetChart() => new ChartArea(this, "chart");

    public IChartElement DrawCandles(IChartArea area, ISubscriptionHandler<ICandleMessage> subscription) => Record("candles", area, subscription?.Subscription?.DataType?.ToString());
    public IChartElement DrawCandles(IChartArea area, Subscription subscription) => Record("candles", area, subscription?.DataType?.ToString());
    public IChartElement DrawIndicator(IChartArea area, IIndicator indicator, System.Drawing.Color? color = null, System.Drawing.Color? additionalColor = null)
    {
        _drawnIndicators.Add(indicator, (area as ChartArea)?.Name ?? "");
        return Record("indicator", area, indicator?.ToString());
    }
    public IChartElement DrawOwnTrades(IChartArea area) => Record("trades", area, null);
    public IChartElement DrawOrders(IChartArea area) => Record("orders", area, null);

    internal IChartElement Record(string kind, IChartArea area, string what)
    {
        if (_chart.Count < 1000) _chart.Add(new ChartRecord(kind, (area as ChartArea)?.Name ?? "", what ?? ""));
        return new ChartElement();
    }

    // ---- engine side ----------------------------------------------------------------------------

    private static decimal Dec(double v) => DecimalColumns.ToDecimal(v);
    private static NotSupportedException Unsupported(string member) => new($"StockSharp API member not supported yet: {member}");

    internal void EngineStarted()
    {
        var series = _host.Series;
        _subscriptions = Array.Empty<ISubscriptionFeed>(); _openNs = series.OpenTimes; _orders.Clear(); _fills.Clear(); _byEngineId.Clear(); _log.Clear(); _chart.Clear(); _drawnIndicators.Clear(); _notices.Clear();
        _nextTransactionId = 1;
        _dataTimeFrame = DataTimeFrame(series);
        var sec = Security;
        if (string.IsNullOrEmpty(sec.Id) || sec.Id == "SECURITY") { sec.Id = string.IsNullOrEmpty(series.Symbol) ? "SECURITY" : series.Symbol; sec.Code = sec.Id; }
        FillSpecs(sec, series);
        var all = _host.AllSeries;
        _runSecurities = new Security[all.Count];
        _runSecurities[0] = sec;
        for (int k = 1; k < all.Count; k++)
        {
            var other = all[k];
            _runSecurities[k] = SecurityParameterFor(other.Symbol) ?? new Security { Id = other.Symbol, Code = other.Symbol };
            FillSpecs(_runSecurities[k], other);
        }
        _otherSubscriptions = new ISubscriptionFeed[Math.Max(0, all.Count - 1)][];
        for (int k = 0; k < _otherSubscriptions.Length; k++) _otherSubscriptions[k] = Array.Empty<ISubscriptionFeed>();
        var pf = _portfolio ??= new Portfolio();
        pf.BeginValue = Dec(_host.Settings.InitialCapital);
        pf.CurrentValue = pf.BeginValue;
        pf.Leverage = Dec(_host.Settings.Leverage);
        foreach (var i in Indicators) i.Reset();
        long t0 = series.Count > 0 ? series.OpenTimes[0] : 0;
        StartedTime = CurrentTime = new DateTime(DateTime.UnixEpoch.Ticks + t0 / 100, DateTimeKind.Utc);
        ProcessState = ProcessStates.Started;
        ProcessStateChanged?.Invoke(this);
        OnReseted();
        PythonReseted();
        OnStarted(new DateTimeOffset(StartedTime));
        OnStarted2(StartedTime);
        OnStarted2(new DateTimeOffset(StartedTime));
        PythonStarted(StartedTime);
    }

    internal void EngineBar(int index)
    {
        CurrentTime = new DateTime(DateTime.UnixEpoch.Ticks + _openNs[index] / 100 + _dataTimeFrame.Ticks, DateTimeKind.Utc);
        Feed(_subscriptions, index);
        if (_drawnIndicators.Count > 0) _drawnIndicators.Sample(_openNs[index]);
    }

    /// <summary>Bar <paramref name="index"/> of the subscriptions' series closed: each builds its candles and handles them.</summary>
    private static void Feed(ISubscriptionFeed[] subs, int index)
    {
        for (int s = 0; s < subs.Length; s++)
        {
            var h = subs[s];
            int n = h.Builder.OnBar(index, out var first, out var second);
            if (n > 0) h.Process(first);
            if (n > 1) h.Process(second);
        }
    }

    /// <summary>The security's steps, multiplier and decimals from its series, where the strategy did not set them.</summary>
    private static void FillSpecs(Security sec, E.CandleSeries series)
    {
        sec.PriceStep ??= Dec(series.PriceStep);
        sec.VolumeStep ??= Dec(series.VolumeStep);
        sec.MinVolume ??= sec.VolumeStep;
        sec.Multiplier ??= Dec(series.Multiplier);
        sec.Decimals ??= Decimals(sec.PriceStep ?? 0.01m);
    }

    /// <summary>Bar <paramref name="index"/> of the run's other series <paramref name="series"/> closed: its subscriptions.</summary>
    internal void EngineSeriesBar(int series, int index)
    {
        var s = _host.AllSeries[series];
        long closeNs = s.OpenTimes[index] + s.BarNanoseconds;
        CurrentTime = new DateTime(DateTime.UnixEpoch.Ticks + closeNs / 100, DateTimeKind.Utc);
        Feed(_otherSubscriptions[series - 1], index);
    }

    /// <summary>A Security parameter whose value names <paramref name="symbol"/> (so the strategy's own object is used).</summary>
    private Security SecurityParameterFor(string symbol)
    {
        foreach (var p in _host.Parameters)
            if (p is StrategyParam<Security> { Value: { } s } && (s.Id == symbol || s.Code == symbol)) return s;
        return null;
    }

    internal void EngineStopped()
    {
        ProcessState = ProcessStates.Stopped;
        OnStopping();
        OnStopped();
        PythonStopped();
        ProcessStateChanged?.Invoke(this);
    }

    internal void EngineOrderChanged(E.Order eo)
    {
        if (!_byEngineId.TryGetValue(eo.Id, out var o)) return;
        switch (eo.State)
        {
            case E.OrderStates.Cancelled:
                o.State = OrderStates.Done; break;
            case E.OrderStates.Rejected:
                Fail(o, eo.RejectReason); return;
            case E.OrderStates.Filled:
                o.State = OrderStates.Done; o.Balance = 0; o.AveragePrice = Dec(eo.FillPrice); break;
            default: return;
        }
        if (!_pythonHost) OnOrderChanged(o);
        if ((PythonHooks & PythonHook.OrderChanged) != 0) PythonOrderChanged(o);
        OrderChanged?.Invoke(o);
    }

    private void Fail(Order o, string reason)
    {
        o.State = OrderStates.Failed;
        o.RejectReason = reason;
        var fail = new OrderFail { Order = o, Error = new InvalidOperationException(reason ?? "rejected"), ServerTime = CurrentTime };
        AddLog(LogLevels.Warning, $"order {o.TransactionId} rejected: {reason}");
        if (!_pythonHost) OnOrderRegisterFailed(fail, true);
        PythonOrderRegisterFailed(fail);
        OrderRegisterFailed?.Invoke(fail);
    }

    internal void EngineTrade(E.Order eo, E.MyTrade t)
    {
        if (!_byEngineId.TryGetValue(eo.Id, out var o))
        {
            // protective orders placed by the engine on the strategy's behalf
            o = new Order
            {
                Side = eo.Side == E.Sides.Buy ? Sides.Buy : Sides.Sell,
                Type = eo.Type switch { E.OrderTypes.Limit => OrderTypes.Limit, E.OrderTypes.Stop => OrderTypes.Conditional, _ => OrderTypes.Market },
                Price = Dec(eo.Price), Volume = Dec(eo.Volume), Security = Sec, Portfolio = _portfolio,
                TransactionId = _nextTransactionId++, Id = eo.Id, Engine = eo, Time = CurrentTime, Comment = "protection",
            };
            if (o.Type == OrderTypes.Conditional) o.StopPrice = o.Price;
            _orders.Add(o);
            _byEngineId[eo.Id] = o;
        }
        bool done = eo.State != E.OrderStates.Active;   // filled in parts: active until its balance is 0
        o.State = done ? OrderStates.Done : OrderStates.Active;
        o.Balance = done ? 0 : Dec(eo.Balance);
        o.AveragePrice = t.Volume == eo.Volume ? Dec(t.Price) : Dec(eo.FillPrice);   // filled in one fill: its price
        o.Commission = t.Volume == eo.Volume ? Dec(t.Commission) : (o.Commission ?? 0) + Dec(t.Commission);   // parts: their sum
        var fill = new Fill(o, t, Position);
        // the MyTrade and Position objects are made only for someone who looks at them (MyTrades makes the rest
        // when asked): a run with tens of thousands of fills keeps no objects but the orders
        // a Python host's class overrides every virtual (pythonnet): what it needs is in PythonHooks
        var hooks = _hooks ??= _pythonHost ? new Hooks(false, true, false) : Hooks.Of(GetType());
        bool pyTrade = hooks.Python && (PythonHooks & PythonHook.OwnTrade) != 0;
        if (hooks.Trades || pyTrade || NewMyTrade != null || OwnTradeReceived != null)
        {
            var my = fill.Made = MakeMyTrade(fill);
            if (!_pythonHost) OnOrderChanged(o);
            OrderChanged?.Invoke(o);
            if (!_pythonHost) OnNewMyTrade(my);
            NewMyTrade?.Invoke(my);
            if (!_pythonHost) OnOwnTradeReceived(my);
            OwnTradeReceived?.Invoke(null, my);
            if (pyTrade) PythonOwnTrade(my);
        }
        else
        {
            if (!_pythonHost) OnOrderChanged(o);
            OrderChanged?.Invoke(o);
        }
        _fills.Add(fill);
        decimal diff = o.Side == Sides.Buy ? Dec(t.Volume) : -Dec(t.Volume);
        if (!_pythonHost) OnPositionChanged(diff);
        if ((PythonHooks & PythonHook.PositionChanged) != 0) PythonPositionChanged(diff);
        PositionChanged?.Invoke();
        if (hooks.Positions || PositionReceived != null)
        {
            var pos = new Position
            {
                Security = Sec, Portfolio = _portfolio, CurrentValue = fill.Position, AveragePrice = PositionPrice,
                LastChangeTime = new DateTime(DateTime.UnixEpoch.Ticks + t.Time / 100, DateTimeKind.Utc),
            };
            if (!_pythonHost) OnPositionReceived(pos);
            if (!_pythonHost) OnPositionChanged(pos);
            PositionReceived?.Invoke(pos);
        }
        PnLChanged?.Invoke(this);
    }

    private Hooks _hooks;

    /// <summary>Which fill callbacks a strategy class overrides (looked up once per class).</summary>
    private sealed record Hooks(bool Trades, bool Python, bool Positions)
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Hooks> Cache = new();

        public static Hooks Of(Type type) => Cache.GetOrAdd(type, t => new Hooks(
            Overrides(t, nameof(OnNewMyTrade), typeof(MyTrade)) || Overrides(t, nameof(OnOwnTradeReceived), typeof(MyTrade)),
            Overrides(t, nameof(PythonOwnTrade), typeof(MyTrade)),
            Overrides(t, nameof(OnPositionReceived), typeof(Position)) || Overrides(t, nameof(OnPositionChanged), typeof(Position))
                || Overrides(t, nameof(OnNewPosition), typeof(Position))));

        private static bool Overrides(Type t, string name, Type arg)
            => t.GetMethod(name, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic,
                   null, new[] { arg }, null) is { } m && m.GetBaseDefinition().DeclaringType == typeof(Strategy) && m.DeclaringType != typeof(Strategy);
    }

    /// <summary>One fill of the engine, with the strategy's order and position after it.</summary>
    private struct Fill
    {
        public readonly Order Order;
        public readonly E.MyTrade Trade;
        public readonly decimal Position;
        public MyTrade Made;

        public Fill(Order order, E.MyTrade trade, decimal position) { Order = order; Trade = trade; Position = position; Made = null; }
    }

    private MyTrade MakeMyTrade(in Fill f)
    {
        var t = f.Trade;
        var o = f.Order;
        return new MyTrade
        {
            Order = o,
            Trade = new Trade
            {
                Id = o.Id ?? 0, Price = Dec(t.Price), Volume = Dec(t.Volume), ServerTime = new DateTime(DateTime.UnixEpoch.Ticks + t.Time / 100, DateTimeKind.Utc),
                OrderDirection = o.Side, Security = Sec,
            },
            Commission = Dec(t.Commission),
            PnL = Dec(t.RealizedPnL),
            Position = f.Position,
        };
    }

    private static TimeSpan DataTimeFrame(E.CandleSeries series)
    {
        if (DataType.TryParse(series.TimeFrame, out var dt)) return dt.GetTimeFrame();
        long best = long.MaxValue;
        var t = series.OpenTimes;
        for (int i = 1; i < Math.Min(t.Length, 1000); i++) { long d = t[i] - t[i - 1]; if (d > 0 && d < best) best = d; }
        return best == long.MaxValue ? TimeSpan.FromDays(1) : TimeSpan.FromTicks(best / 100);
    }

    private static int Decimals(decimal step)
    {
        int n = 0;
        step = Math.Abs(step);
        while (step > 0 && step != Math.Truncate(step) && n < 12) { step *= 10; n++; }
        return n;
    }
}

/// <summary>An order the engine refused.</summary>
public class OrderFail
{
    public Order Order { get; set; }
    public Exception Error { get; set; }
    public DateTime ServerTime { get; set; }
}

/// <summary>
/// The engine strategy that runs a StockSharp-style <see cref="Strategy"/>: it is what the emulator, the optimizer and
/// the Python bridge see (parameters, name, fills), and forwards everything to the StockSharp strategy.
/// </summary>
internal sealed class StrategyHost : E.EnhancedStrategy
{
    private readonly Strategy _owner;
    internal bool IsRunning;

    public StrategyHost(Strategy owner) { _owner = owner; }

    public override string Name { get => _owner.Name; set => _owner.Name = value; }
    public override E.IHostedStrategy Hosted => _owner;

    public override void OnStarted() { IsRunning = true; _owner.EngineStarted(); }
    public override void OnBar(int index) => _owner.EngineBar(index);
    public override void OnSeriesBar(int series, int index) => _owner.EngineSeriesBar(series, index);
    public override void OnOrderChanged(E.Order order) { if (order.State != E.OrderStates.Filled) _owner.EngineOrderChanged(order); }
    public override void OnStopped() { _owner.EngineStopped(); IsRunning = false; }

    internal override void RunFilled(E.Order order, E.MyTrade trade)
    {
        base.RunFilled(order, trade);   // protection and risk rules first, as for any enhanced strategy
        _owner.EngineTrade(order, trade);
    }
}
