namespace PyStockSharp.Engine;

/// <summary>
/// A strategy's setup does not fit its input (a parameter, the data): raised before the first bar so that callers can
/// report it as bad input. <see cref="Field"/> names the parameter or input at fault.
/// </summary>
public sealed class StrategyInputException : ArgumentException
{
    public StrategyInputException(string field, string message) : base(message) { Field = field; }
    public string Field { get; }
}

/// <summary>
/// A strategy written against another API (the StockSharp API layer) that runs on the engine through an
/// engine <see cref="Strategy"/> it owns.
/// </summary>
public interface IHostedStrategy
{
    /// <summary>The engine strategy that runs this one (the same object for the strategy's whole life).</summary>
    Strategy EngineStrategy { get; }
    /// <summary>What the hosted strategy logged in its last run ("time level: text").</summary>
    IReadOnlyList<string> LogMessages { get; }
    /// <summary>What the API layer said about the last run (candle types adapted to the data, …).</summary>
    IReadOnlyList<string> Notices { get; }
    /// <summary>Chart calls of the last run as "kind|area|what" (report annotations).</summary>
    IReadOnlyList<string> Annotations { get; }
    /// <summary>The indicators the strategy drew in its last run, sampled at the primary series' bars (empty by default).</summary>
    IReadOnlyList<IndicatorTrace> DrawnIndicators => Array.Empty<IndicatorTrace>();
}

/// <summary>
/// One line of a drawn indicator: <see cref="Name"/> (a complex indicator's parts are "Name Part"), its values at the
/// open times (UTC ns) of the primary series' bars on which it had a new formed value, <see cref="Measure"/> its scale
/// ("Price", "Percent", …) and <see cref="Area"/> where it was drawn: "candles" (the area the candles were drawn on),
/// "own" (another area) or "" (no candles were drawn).
/// </summary>
public sealed record IndicatorTrace(string Name, string Measure, string Area, long[] OpenTimesNs, double[] Values);

/// <summary>
/// Base of all strategies (StockSharp's shape). Callbacks are <c>public virtual</c> so that
/// Python subclasses (pythonnet, <c>__namespace__</c>) can override them.
/// </summary>
public abstract class Strategy
{
    private readonly List<IStrategyParam> _params = new();
    private readonly List<string> _timeFrames = new();
    private string? _name;
    /// <summary>The engine as this strategy sees it while it runs (null otherwise).</summary>
    public IStrategyContext? Context { get => _context; internal set { _context = value; _single = value as BacktestRun; } }
    private IStrategyContext? _context;
    /// <summary>The context when it is the single-series run (a sealed class): the members read every bar call it directly,
    /// without an interface dispatch.</summary>
    private BacktestRun? _single;

    /// <summary>Strategy name; defaults to the class name.</summary>
    public virtual string Name { get => _name ?? GetType().Name; set => _name = value; }

    /// <summary>The strategy of another API this engine strategy runs (null for engine strategies).</summary>
    public virtual IHostedStrategy? Hosted => null;

    /// <summary>Default order volume of the actions (1).</summary>
    public double Volume { get; set; } = 1;

    // ---- parameters -------------------------------------------------------------------

    /// <summary>Declares a parameter (call it once, typically in the constructor).</summary>
    public StrategyParam<T> Param<T>(string name, T defaultValue)
    {
        foreach (var p in _params)
            if (string.Equals(p.Name, name, StringComparison.Ordinal))
                throw new ArgumentException($"parameter '{name}' declared twice", nameof(name));
        var param = new StrategyParam<T>(name, defaultValue);
        _params.Add(param);
        return param;
    }

    /// <summary>Non-generic helpers for callers that cannot pick a generic method easily.</summary>
    public StrategyParam<int> ParamInt(string name, int defaultValue) => Param(name, defaultValue);
    public StrategyParam<double> ParamDouble(string name, double defaultValue) => Param(name, defaultValue);
    public StrategyParam<bool> ParamBool(string name, bool defaultValue) => Param(name, defaultValue);
    public StrategyParam<string> ParamString(string name, string defaultValue) => Param(name, defaultValue);

    public IReadOnlyList<IStrategyParam> Parameters => _params;

    /// <summary>
    /// Registers a parameter object made elsewhere (the StockSharp API layer's own <c>StrategyParam&lt;T&gt;</c>);
    /// names must be unique.
    /// </summary>
    public void AddParameter(IStrategyParam parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        foreach (var p in _params)
            if (string.Equals(p.Name, parameter.Name, StringComparison.Ordinal))
                throw new ArgumentException($"parameter '{parameter.Name}' declared twice", nameof(parameter));
        _params.Add(parameter);
    }

    /// <summary>The parameter called <paramref name="name"/>; ArgumentException if unknown.</summary>
    public IStrategyParam GetParam(string name)
    {
        foreach (var p in _params)
            if (string.Equals(p.Name, name, StringComparison.Ordinal)) return p;
        var known = _params.Count == 0 ? "none" : string.Join(", ", _params.Select(p => p.Name));
        throw new ArgumentException($"unknown parameter '{name}' for strategy '{Name}'; known parameters: {known}", nameof(name));
    }

    public object? GetParameter(string name) => GetParam(name).Value;

    /// <summary>Converts (from int, long, double, decimal, string, ...) and validates, then sets.</summary>
    public void SetParameter(string name, object? value) => GetParam(name).SetValue(value);

    // ---- candle subscriptions -------------------------------------------------------------

    /// <summary>
    /// Asks for the primary series' candles in another time frame (a whole multiple of the data's, e.g. "1d" over hourly
    /// data), built by the engine (<see cref="CandleSeries.Resample"/>) and delivered as one more series after the data's
    /// (<see cref="OnSeriesBar"/>, series index = number of data series + the order of the calls), each bar once it has
    /// closed. Call it in the constructor. A finer time frame than the data is an error naming both.
    /// </summary>
    public void SubscribeTimeFrame(string timeFrame)
    {
        if (CandleSeries.ParseTimeFrame(timeFrame) is null)
            throw new ArgumentException($"time frame '{timeFrame}': expected a count and a unit s, m, min, h, d or w (e.g. 4h, 1d)", nameof(timeFrame));
        _timeFrames.Add(timeFrame.Trim());
    }

    /// <summary>The time frames <see cref="SubscribeTimeFrame"/> asked for, in order.</summary>
    public IReadOnlyList<string> TimeFrameSubscriptions => _timeFrames;

    // ---- callbacks --------------------------------------------------------------------

    public virtual void OnStarted() { }
    /// <summary>Bar <paramref name="index"/> closed. Default: <c>OnCandle(Series[index])</c>.</summary>
    public virtual void OnBar(int index) => OnCandle(Series[index]);
    public virtual void OnCandle(Candle candle) { }
    /// <summary>
    /// Bar <paramref name="index"/> of series <paramref name="series"/> (1, 2, … : not the primary) closed, in a run over several
    /// series. At one close time the other series' bars come first, then the primary's <see cref="OnBar"/>.
    /// </summary>
    public virtual void OnSeriesBar(int series, int index) { }
    public virtual void OnNewMyTrade(MyTrade trade) { }
    public virtual void OnOrderChanged(Order order) { }
    public virtual void OnStopped() { }

    // ---- engine hooks (internal: the emulator calls these; derived engine classes such as
    // EnhancedStrategy extend them without depending on the public callbacks being called) ----

    internal virtual void RunStarted() => OnStarted();
    internal virtual void RunBar(int index) => Bar(index);
    internal virtual void RunSeriesBar(int series, int index) => OnSeriesBar(series, index);

    /// <summary>
    /// When set, called at each bar instead of <see cref="OnBar"/>. For Python strategies: pythonnet dispatches a
    /// delegate made from a Python callable in about half the time of an overridden virtual method (which it
    /// looks up by name at every call).
    /// </summary>
    public Action<int>? BarCallback { get; set; }

    /// <summary><see cref="BarCallback"/> if set, else <see cref="OnBar"/>.</summary>
    protected void Bar(int index)
    {
        if (BarCallback is { } callback) callback(index);
        else OnBar(index);
    }
    /// <summary>True when <see cref="RunBarRecorded"/> must be called after each bar row is recorded.</summary>
    internal virtual bool WantsBarRecorded => false;
    internal virtual void RunBarRecorded(int index) { }
    internal virtual void RunOrderChanged(Order order) => OnOrderChanged(order);
    internal virtual void RunFilled(Order order, MyTrade trade) { OnOrderChanged(order); OnNewMyTrade(trade); }
    internal virtual void RunStopped() => OnStopped();

    // ---- actions ----------------------------------------------------------------------

    private IStrategyContext R => _context ?? throw new InvalidOperationException("orders can only be placed while the strategy runs in a backtest");

    public Order BuyMarket(double? volume = null) => R.Place(Sides.Buy, OrderTypes.Market, volume ?? Volume, 0);
    public Order SellMarket(double? volume = null) => R.Place(Sides.Sell, OrderTypes.Market, volume ?? Volume, 0);
    public Order BuyLimit(double price, double? volume = null) => R.Place(Sides.Buy, OrderTypes.Limit, volume ?? Volume, price);
    public Order SellLimit(double price, double? volume = null) => R.Place(Sides.Sell, OrderTypes.Limit, volume ?? Volume, price);
    public Order BuyStop(double price, double? volume = null) => R.Place(Sides.Buy, OrderTypes.Stop, volume ?? Volume, price);
    public Order SellStop(double price, double? volume = null) => R.Place(Sides.Sell, OrderTypes.Stop, volume ?? Volume, price);
    /// <summary>Places an order of any kind (price ignored for market orders).</summary>
    public Order RegisterOrder(Sides side, OrderTypes type, double volume, double price = 0) => R.Place(side, type, volume, price);
    /// <summary>Buys <paramref name="volume"/> of <paramref name="instrument"/> (one of <see cref="Instruments"/>) at market.</summary>
    public Order BuyMarket(Instrument instrument, double volume) => R.Place(instrument, Sides.Buy, OrderTypes.Market, volume, 0);
    /// <summary>Sells <paramref name="volume"/> of <paramref name="instrument"/> at market.</summary>
    public Order SellMarket(Instrument instrument, double volume) => R.Place(instrument, Sides.Sell, OrderTypes.Market, volume, 0);
    /// <summary>Places an order of any kind for <paramref name="instrument"/> (price ignored for market orders).</summary>
    public Order RegisterOrder(Instrument instrument, Sides side, OrderTypes type, double volume, double price = 0) => R.Place(instrument, side, type, volume, price);
    /// <summary>Market order for -PositionOf(instrument); null when flat.</summary>
    public Order? ClosePosition(Instrument instrument)
    {
        var p = PositionOf(instrument);
        if (p > 0) return SellMarket(instrument, p);
        if (p < 0) return BuyMarket(instrument, -p);
        return null;
    }
    /// <summary>
    /// Units of <paramref name="instrument"/> (null: the primary) worth <paramref name="fraction"/> of the current
    /// <see cref="Equity"/> at its last close: fraction × equity / (close × multiplier), rounded toward zero (in decimal)
    /// to a whole number of the instrument's volume steps (1 unless given), so it never exceeds the fraction at that
    /// close. Negative for a negative fraction (a short). 0 before the instrument's first close or when equity ≤ 0.
    /// A market order of it fills at the next open, where buying power is checked (docs/strategies.md, "Sizing").
    /// </summary>
    public double VolumeForPercent(double fraction, Instrument? instrument = null)
    {
        var ctx = R;
        var inst = instrument ?? ctx.Instrument;
        double mark = ctx.Portfolio.PositionOf(inst).Mark, equity = Equity;
        if (!double.IsFinite(fraction)) throw new ArgumentException($"fraction must be a finite number, got {fraction}");
        if (!(mark > 0) || !(equity > 0) || fraction == 0) return 0;
        double units = Math.Abs(fraction) * equity / (mark * inst.Multiplier);
        if (!(units < 7.9e27)) return 0;
        double whole = inst.FloorToStep(units);
        return fraction < 0 ? -whole : whole;
    }

    /// <summary>
    /// A market order that brings the position in <paramref name="instrument"/> (null: the primary) to
    /// <see cref="VolumeForPercent"/>(<paramref name="fraction"/>) units; null when it is there already.
    /// </summary>
    public Order? OrderTargetPercent(double fraction, Instrument? instrument = null)
    {
        var inst = instrument ?? R.Instrument;
        double delta = BacktestRun.AddQuantities(VolumeForPercent(fraction, inst), -PositionOf(inst));
        if (delta > 0) return BuyMarket(inst, delta);
        if (delta < 0) return SellMarket(inst, -delta);
        return null;
    }

    /// <summary>Cancels an active order; returns false if it was no longer active.</summary>
    public bool CancelOrder(Order order) => R.Cancel(order);
    /// <summary>Cancels every active order.</summary>
    public void CancelActiveOrders() => R.CancelAll();
    /// <summary>Market order for -Position; null when flat.</summary>
    public Order? ClosePosition()
    {
        var p = Position;
        if (p > 0) return SellMarket(p);
        if (p < 0) return BuyMarket(-p);
        return null;
    }

    // ---- state ------------------------------------------------------------------------

    public double Position => _single is { } r ? r.Position : _context?.Position ?? 0;
    public double AveragePrice => _single is { } r ? r.AveragePrice : _context?.AveragePrice ?? 0;
    public double Cash => _single is { } r ? r.Cash : _context?.Cash ?? 0;
    public double Equity => _single is { } r ? r.Equity : _context?.Equity ?? 0;
    public double RealizedPnL => Context?.RealizedPnL ?? 0;
    public double UnrealizedPnL => Context?.UnrealizedPnL ?? 0;
    public double Commission => Context?.Commission ?? 0;
    public int CurrentIndex => _single is { } r ? r.Cur : _context?.CurrentIndex ?? -1;
    public DateTime CurrentTime => Context is { CurrentIndex: >= 0 } r ? TimeUtil.ToDateTime(r.Series.OpenTimes[r.CurrentIndex]) : DateTime.MinValue;
    public CandleSeries Series => _single?.Series ?? _context?.Series ?? throw new InvalidOperationException("the strategy is not running");
    public EmulationSettings Settings => Context?.Settings ?? throw new InvalidOperationException("the strategy is not running");
    /// <summary>The instrument traded (the data's); null when not running.</summary>
    public Instrument? Instrument => Context?.Instrument;
    /// <summary>Every instrument of the run, the primary's first (series k trades Instruments[k]).</summary>
    public IReadOnlyList<Instrument> Instruments => Context?.Instruments ?? Array.Empty<Instrument>();
    /// <summary>Every series of the run, the primary first.</summary>
    public IReadOnlyList<CandleSeries> AllSeries => Context?.AllSeries ?? Array.Empty<CandleSeries>();
    /// <summary>Index of the last bar of series <paramref name="series"/> delivered so far (-1 before its first): its bars up to this one are all the strategy may look at.</summary>
    public int LastIndexOf(int series) => Context?.LastIndexOf(series) ?? -1;
    /// <summary>Signed position in <paramref name="instrument"/>.</summary>
    public double PositionOf(Instrument instrument) => Context?.PositionOf(instrument) ?? 0;
    /// <summary>Every order placed in the current run.</summary>
    public IReadOnlyList<Order> Orders => Context?.Orders ?? Array.Empty<Order>();
    /// <summary>Every own trade of the current run.</summary>
    public IReadOnlyList<MyTrade> MyTrades => Context?.MyTrades ?? Array.Empty<MyTrade>();
}
