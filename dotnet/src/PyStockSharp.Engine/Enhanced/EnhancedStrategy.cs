namespace PyStockSharp.Engine;

/// <summary>
/// A <see cref="Strategy"/> with events, protections (StockSharp's <c>StartProtection</c>), risk rules and
/// <c>SubscribeCandles().Bind(...)</c>. All of it runs inside the engine's emulator on the run thread (the
/// thread that called <see cref="BacktestEngine.Run(Strategy, CandleSeries, EmulationSettings?)"/>), whatever
/// public callbacks a subclass (C# or Python) overrides.
///
/// Per bar i: fills of bar i (each raises <see cref="TradeExecuted"/> after <c>OnOrderChanged</c>/<c>OnNewMyTrade</c>,
/// then protections are re-placed for the new position and the max-position rule is checked); then, unless
/// stopped, bound indicators and handlers, then <c>OnBar(i)</c>; the bar row is recorded; then
/// <see cref="PerformanceUpdated"/> with that row, the bar-close risk rules and trailing-stop moves. Orders placed
/// by the bar-close step (risk closes, trailing stops) fill from bar i+1.
/// </summary>
public abstract class EnhancedStrategy : Strategy
{
    private readonly List<CandleSubscription> _subscriptions = new();
    private readonly List<RiskRule> _rules = new();
    private readonly List<RiskViolation> _violations = new();

    // protection
    private bool _protect, _trailing;
    private Unit _take, _stop;
    private Order? _stopOrder, _takeOrder;

    // run state
    private double _peak;
    private long _day = long.MinValue;
    private double _dayStartEquity, _lastEquity;
    private int _dayStartOrders, _dayOwnOrders;
    private bool[] _broken = Array.Empty<bool>();

    /// <summary>Each bar close (run thread).</summary>
    public event Action<PerformanceUpdate>? PerformanceUpdated;
    /// <summary>Each own trade with the order that caused it (run thread, while the bar's fills are processed).</summary>
    public event Action<TradeExecution>? TradeExecuted;
    /// <summary>When a risk rule trips (run thread), before its action is carried out.</summary>
    public event Action<RiskViolation>? RiskViolationDetected;

    /// <summary>True once a risk rule with a Stop or ClosePositionsAndStop action tripped: no more handlers or OnBar calls.</summary>
    public bool IsTradingStopped { get; private set; }
    /// <summary>Violations recorded in the current (or last) run, in order.</summary>
    public IReadOnlyList<RiskViolation> RiskViolations => _violations;
    public IReadOnlyList<RiskRule> RiskRules => _rules;
    /// <summary>Active protective stop order, if any.</summary>
    public Order? ProtectiveStop => _stopOrder is { State: OrderStates.Active } ? _stopOrder : null;
    /// <summary>Active protective take-profit order, if any.</summary>
    public Order? ProtectiveTake => _takeOrder is { State: OrderStates.Active } ? _takeOrder : null;

    // ---- configuration -----------------------------------------------------------------

    /// <summary>A new candle subscription; bind indicators and a handler to it.</summary>
    public CandleSubscription SubscribeCandles()
    {
        var s = new CandleSubscription(this);
        _subscriptions.Add(s);
        return s;
    }

    /// <summary>
    /// Protects every position: when the position changes (a fill), the previous protective orders are cancelled and,
    /// if not flat, a stop order (stop-loss) and a limit order (take-profit) for the whole position are placed at the
    /// average price -/+ the distances (mirrored for shorts). They are ordinary engine orders: they fill from the next
    /// bar with the usual rules (a gap through the stop fills at the open). A zero Unit disables that side. With
    /// <paramref name="isStopTrailing"/>, at each bar close the stop moves to close -/+ the stop distance (from the
    /// close) when that is better than the current stop. Call in the constructor or <c>OnStarted</c>.
    /// </summary>
    public void StartProtection(Unit takeProfit, Unit stopLoss, bool isStopTrailing = false)
    {
        _take = takeProfit; _stop = stopLoss; _trailing = isStopTrailing; _protect = takeProfit.IsSet || stopLoss.IsSet;
    }

    /// <summary>Same as <see cref="StartProtection(Unit, Unit, bool)"/> with plain numbers: percent (2 = 2 %) when <paramref name="isPercent"/>, else price units.</summary>
    public void StartProtection(double takeProfit, double stopLoss, bool isPercent, bool isStopTrailing = false)
    {
        var t = isPercent ? UnitTypes.Percent : UnitTypes.Absolute;
        StartProtection(new Unit(takeProfit, t), new Unit(stopLoss, t), isStopTrailing);
    }

    /// <summary>Adds a risk rule (thresholds: units, money, fraction of the peak, order count; see <see cref="RiskRuleTypes"/>).</summary>
    public EnhancedStrategy AddRiskRule(RiskRuleTypes rule, double threshold, RiskActions action = RiskActions.ClosePositionsAndStop)
    {
        if (!(threshold >= 0) || double.IsInfinity(threshold)) throw new ArgumentException($"risk rule {rule}: threshold must be a finite number >= 0, got {threshold}");
        _rules.Add(new RiskRule(rule, threshold, action));
        return this;
    }

    public EnhancedStrategy SetMaxPositionSize(double units, RiskActions action = RiskActions.ClosePositionsAndStop) => AddRiskRule(RiskRuleTypes.MaxPositionSize, units, action);
    public EnhancedStrategy SetMaxDailyLoss(double money, RiskActions action = RiskActions.ClosePositionsAndStop) => AddRiskRule(RiskRuleTypes.MaxDailyLoss, money, action);
    public EnhancedStrategy SetMaxDrawdown(double fraction, RiskActions action = RiskActions.ClosePositionsAndStop) => AddRiskRule(RiskRuleTypes.MaxDrawdown, fraction, action);
    public EnhancedStrategy SetMaxOrdersPerDay(int orders, RiskActions action = RiskActions.Stop) => AddRiskRule(RiskRuleTypes.MaxOrdersPerDay, orders, action);
    public void ClearRiskRules() => _rules.Clear();

    /// <summary>Stops trading as a risk action would: cancels active orders, optionally closes the position.</summary>
    public void StopTrading(bool closePosition)
    {
        if (IsTradingStopped) return;
        IsTradingStopped = true;
        CancelActiveOrders();
        if (closePosition && ClosePosition() is not null) _dayOwnOrders++;
    }

    private int _nextBinding;
    internal int NextBindingId() => _nextBinding++;

    /// <summary>
    /// Receives the values of bindings made with <see cref="CandleSubscription.BindToStrategy"/> (id, index of the
    /// finished candle in <see cref="Strategy.Series"/>, indicator values — the array is reused between calls).
    /// Public virtual for Python subclasses (plain arguments: cheap to marshal).
    /// </summary>
    public virtual void OnBoundValues(int bindingId, int barIndex, double[] values) { }

    // ---- engine hooks --------------------------------------------------------------------

    private int _keptSubscriptions = -1, _keptRules = -1;

    internal override void RunStarted()
    {
        // subscriptions and rules made in OnStarted belong to that run; those made before the first run stay
        if (_keptSubscriptions < 0) { _keptSubscriptions = _subscriptions.Count; _keptRules = _rules.Count; }
        _subscriptions.RemoveRange(_keptSubscriptions, _subscriptions.Count - _keptSubscriptions);
        if (_keptSubscriptions == 0) _nextBinding = 0;
        _rules.RemoveRange(_keptRules, _rules.Count - _keptRules);
        _violations.Clear();
        IsTradingStopped = false;
        _stopOrder = _takeOrder = null;
        double cap = Settings.InitialCapital;
        _peak = cap; _lastEquity = cap; _dayStartEquity = cap;
        _day = long.MinValue; _dayStartOrders = 0; _dayOwnOrders = 0;
        OnStarted();
        _broken = new bool[_rules.Count];
    }

    internal override void RunBar(int index)
    {
        if (IsTradingStopped) return;
        var series = Series;
        long day = _rules.Count == 0 ? _day : FloorDiv(series.OpenTimes[index], DayNs);   // days matter to rules only
        if (day != _day)
        {
            // the first day also counts the orders placed in OnStarted
            if (_day != long.MinValue) { _dayStartOrders = Orders.Count; _dayOwnOrders = 0; }
            _day = day; _dayStartEquity = _lastEquity;
            for (int k = 0; k < _rules.Count; k++)
                if (_rules[k].Rule is RiskRuleTypes.MaxDailyLoss or RiskRuleTypes.MaxOrdersPerDay) _broken[k] = false;
        }
        if (_subscriptions.Count > 0)
        {
            var candle = series[index];
            foreach (var s in _subscriptions) s.Process(candle);
        }
        Bar(index);
    }

    /// <summary>The bar-close step runs only when something needs it: risk rules, a trailing stop or a
    /// <see cref="PerformanceUpdated"/> handler (decided once the strategy has started).</summary>
    internal override bool WantsBarRecorded => _rules.Count > 0 || (_protect && _trailing) || PerformanceUpdated != null;

    internal override void RunBarRecorded(int index)
    {
        var series = Series;
        double close = series.Close[index], pos = Position;
        double eq = Cash + pos * close;
        if (eq > _peak) _peak = eq;
        _lastEquity = eq;
        var perf = PerformanceUpdated;
        if (perf != null)
            perf(new PerformanceUpdate(index, series.OpenTimes[index], eq, pos, RealizedPnL, pos != 0 ? pos * (close - AveragePrice) : 0, _peak));
        if (IsTradingStopped) return;
        for (int k = 0; k < _rules.Count && !IsTradingStopped; k++)
        {
            var r = _rules[k];
            double value;
            bool broken;
            switch (r.Rule)
            {
                case RiskRuleTypes.MaxDailyLoss:
                    value = _dayStartEquity - eq; broken = value >= r.Threshold && value > 0; break;
                case RiskRuleTypes.MaxDrawdown:
                    value = _peak > 0 ? 1 - eq / _peak : 0; broken = value >= r.Threshold && value > 0; break;
                case RiskRuleTypes.MaxOrdersPerDay:
                    value = Orders.Count - _dayStartOrders - _dayOwnOrders; broken = value > r.Threshold; break;
                default: continue;
            }
            Check(k, value, broken, index);
        }
        if (!IsTradingStopped && _trailing && _stop.IsSet && pos != 0 && _stopOrder is { State: OrderStates.Active } so)
        {
            double d = _stop.Distance(close);
            double candidate = pos > 0 ? close - d : close + d;
            if (candidate > 0 && (pos > 0 ? candidate > so.Price : candidate < so.Price))
            {
                CancelOrder(so);
                _stopOrder = PlaceOwn(pos > 0 ? Sides.Sell : Sides.Buy, OrderTypes.Stop, Math.Abs(pos), candidate);
            }
        }
    }

    internal override void RunFilled(Order order, MyTrade trade)
    {
        OnOrderChanged(order);
        OnNewMyTrade(trade);
        TradeExecuted?.Invoke(new TradeExecution(trade, order));
        if (!IsTradingStopped)
        {
            if (_protect) Reprotect();
            for (int k = 0; k < _rules.Count && !IsTradingStopped; k++)
            {
                var r = _rules[k];
                if (r.Rule != RiskRuleTypes.MaxPositionSize) continue;
                double value = Math.Abs(Position);
                Check(k, value, value > r.Threshold, trade.BarIndex);
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    private const long DayNs = 86_400_000_000_000L;
    private static long FloorDiv(long a, long b) { long q = a / b; return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q; }

    private void Check(int k, double value, bool broken, int bar)
    {
        if (!broken) { _broken[k] = false; return; }
        if (_broken[k]) return;
        _broken[k] = true;
        var r = _rules[k];
        var v = new RiskViolation(r.Rule, value, r.Threshold, r.Action, bar, Series.OpenTimes[bar]);
        _violations.Add(v);
        RiskViolationDetected?.Invoke(v);
        if (r.Action != RiskActions.Warn) StopTrading(r.Action == RiskActions.ClosePositionsAndStop);
    }

    private Order PlaceOwn(Sides side, OrderTypes type, double volume, double price)
    {
        var o = RegisterOrder(side, type, volume, price);
        _dayOwnOrders++;
        return o;
    }

    private void Reprotect()
    {
        if (_stopOrder is { State: OrderStates.Active }) CancelOrder(_stopOrder);
        if (_takeOrder is { State: OrderStates.Active }) CancelOrder(_takeOrder);
        _stopOrder = _takeOrder = null;
        double pos = Position;
        if (pos == 0) return;
        double avg = AveragePrice, vol = Math.Abs(pos);
        var exit = pos > 0 ? Sides.Sell : Sides.Buy;
        if (_stop.IsSet)
        {
            double d = _stop.Distance(avg);
            double p = pos > 0 ? avg - d : avg + d;
            if (p > 0) _stopOrder = PlaceOwn(exit, OrderTypes.Stop, vol, p);
        }
        if (_take.IsSet)
        {
            double d = _take.Distance(avg);
            double p = pos > 0 ? avg + d : avg - d;
            if (p > 0) _takeOrder = PlaceOwn(exit, OrderTypes.Limit, vol, p);
        }
    }
}
