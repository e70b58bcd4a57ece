using PyStockSharp.Engine.Indicators;
using Xunit;

namespace PyStockSharp.Engine.Tests;

/// <summary>SMA crossover written with Bind; records every event.</summary>
internal sealed class BoundCross : EnhancedStrategy
{
    public readonly List<PerformanceUpdate> Perf = new();
    public readonly List<TradeExecution> Executions = new();
    public readonly List<RiskViolation> Violations = new();
    public readonly List<(int Bar, double Fast, double Slow)> Calls = new();
    private double _pf = double.NaN, _ps = double.NaN;
    public int Fast = 5, Slow = 12;

    public BoundCross()
    {
        PerformanceUpdated += Perf.Add;
        TradeExecuted += Executions.Add;
        RiskViolationDetected += Violations.Add;
    }

    public override void OnStarted()
    {
        _pf = _ps = double.NaN;
        SubscribeCandles().Bind(new SimpleMovingAverage(Fast), new SimpleMovingAverage(Slow), OnProcess).Start();
    }

    private void OnProcess(Candle c, double f, double s)
    {
        Calls.Add((c.Index, f, s));
        if (!double.IsNaN(_pf))
        {
            if (_pf <= _ps && f > s && Position <= 0) BuyMarket(1 - Position);
            else if (_pf >= _ps && f < s && Position >= 0) SellMarket(1 + Position);
        }
        _pf = f; _ps = s;
    }
}

/// <summary>Buys in OnStarted and holds; optionally scripted.</summary>
internal sealed class BuyAndHold : EnhancedStrategy
{
    public double Qty = 1;
    public Action<BuyAndHold>? Setup;
    public readonly List<RiskViolation> Violations = new();
    public readonly List<int> BarsSeen = new();
    public BuyAndHold() { RiskViolationDetected += Violations.Add; }
    public override void OnStarted() { Setup?.Invoke(this); BuyMarket(Qty); }
    public override void OnBar(int index) => BarsSeen.Add(index);
}

public class EnhancedStrategyTests
{
    [Fact]
    public void Events_carry_the_values_of_the_fills_and_the_equity_curve()
    {
        var series = TestUtil.RandomWalk(600, 7);
        var s = new BoundCross();
        var r = BacktestEngine.Run(s, series, new EmulationSettings { CommissionFraction = 0.001 });
        Assert.True(r.FillCount > 4);
        // PerformanceUpdated == the recorded equity rows, bar by bar
        Assert.Equal(series.Count, s.Perf.Count);
        double peak = r.InitialCapital, minDd = 0;
        for (int i = 0; i < series.Count; i++)
        {
            var p = s.Perf[i];
            Assert.Equal(i, p.BarIndex);
            Assert.Equal(series.OpenTimes[i], p.Time);
            Assert.Equal(r.Equity.Equity[i], p.Equity);
            Assert.Equal(r.Equity.Position[i], p.Position);
            Assert.Equal(r.Equity.RealizedPnL[i], p.RealizedPnL);
            Assert.Equal(r.Equity.UnrealizedPnL[i], p.UnrealizedPnL);
            peak = Math.Max(peak, r.Equity.Equity[i]);
            Assert.Equal(r.Equity.Equity[i] / peak - 1, p.Drawdown);
            minDd = Math.Min(minDd, p.Drawdown);
        }
        Assert.Equal(r.MaxDrawdown, minDd);
        // TradeExecuted == the fills, each with its own (filled) order
        Assert.Equal(r.FillCount, s.Executions.Count);
        for (int k = 0; k < r.FillCount; k++)
        {
            var e = s.Executions[k];
            Assert.Equal(r.Trades[k], e.Trade);
            Assert.Equal(e.Trade.OrderId, e.Order.Id);
            Assert.Equal(OrderStates.Filled, e.Order.State);
            Assert.Equal(e.Trade.Price, e.Order.FillPrice);
        }
        Assert.Empty(s.Violations);
    }

    [Fact]
    public void Bind_calls_the_handler_only_once_every_indicator_is_formed_with_their_values()
    {
        var series = TestUtil.RandomWalk(200, 3);
        var s = new BoundCross();
        BacktestEngine.Run(s, series);
        var fast = SimpleMovingAverage.Compute(series.Close, 5);
        var slow = SimpleMovingAverage.Compute(series.Close, 12);
        // the slow SMA(12) is formed from bar 11 on: one call per bar from there
        Assert.Equal(Enumerable.Range(11, 200 - 11), s.Calls.Select(c => c.Bar));
        foreach (var (bar, f, sl) in s.Calls) { Assert.Equal(fast[bar], f); Assert.Equal(slow[bar], sl); }
    }

    [Fact]
    public void Bind_same_as_builtin_sma_cross_fills()
    {
        var series = TestUtil.RandomWalk(800, 11);
        var bound = BacktestEngine.Run(new BoundCross { Fast = 10, Slow = 20 }, series);
        var builtin = BacktestEngine.Run(new SmaCross(), series);
        Assert.Equal(builtin.Fills.Price, bound.Fills.Price);
        Assert.Equal(builtin.Fills.Bar, bound.Fills.Bar);
        Assert.Equal(builtin.FinalEquity, bound.FinalEquity);
    }

    [Fact]
    public void Stop_loss_gapped_through_fills_at_the_open()
    {
        // bar 0: buy 1 at open 100 (placed in OnStarted); stop-loss 5 -> sell stop at 95 from bar 1.
        // bar 1 opens at 90, below the stop: fills at the open 90, realized 1 * (90 - 100) = -10.
        var series = TestUtil.Bars((100, 101, 99, 100), (90, 92, 88, 91), (91, 93, 90, 92));
        var s = new BuyAndHold { Setup = b => b.StartProtection(0, 5, isPercent: false) };
        var r = BacktestEngine.Run(s, series);
        Assert.Equal(2, r.FillCount);
        Assert.Equal(new[] { 0, 1 }, r.Fills.Bar);
        Assert.Equal(new[] { 100.0, 90.0 }, r.Fills.Price);
        Assert.Equal(-10, r.RealizedPnL);
        var stop = r.OrderList[1];
        Assert.Equal(OrderTypes.Stop, stop.Type);
        Assert.Equal(95, stop.Price);
        Assert.Equal(0, stop.PlacedBar);
        Assert.Equal(0, r.FinalPosition);
        Assert.Equal(9990, r.FinalEquity);
    }

    [Fact]
    public void Percent_take_profit_fills_at_its_limit_and_cancels_the_stop()
    {
        // long 2 at 100; take-profit 3 % -> sell limit 103, stop 2 % -> sell stop 98.
        // bar 1 high 104 touches 103 inside the bar: fills at 103; the stop is then cancelled.
        var series = TestUtil.Bars((100, 100, 100, 100), (101, 104, 100.5, 102), (102, 103, 97, 98));
        var s = new BuyAndHold { Qty = 2, Setup = b => b.StartProtection(Unit.Percent(3), Unit.Percent(2)) };
        var r = BacktestEngine.Run(s, series);
        Assert.Equal(new[] { 100.0, 103.0 }, r.Fills.Price);
        Assert.Equal(6, r.RealizedPnL, 9);   // 2 * (103 - 100)
        Assert.Equal(98, r.OrderList[1].Price, 9);
        Assert.Equal(OrderStates.Cancelled, r.OrderList[1].State);
        Assert.Equal(103, r.OrderList[2].Price, 9);
        Assert.Equal(OrderStates.Filled, r.OrderList[2].State);
    }

    [Fact]
    public void Trailing_stop_follows_the_close_and_never_moves_back()
    {
        // long 1 at 100, trailing stop 5: 95 placed at the fill; bar-0 close 100 -> 95 (no move);
        // bar-1 close 110 -> 105; bar-2 close 108 -> stays 105; bar 3 low 104 touches 105 -> fills at 105.
        var series = TestUtil.Bars((100, 100, 100, 100), (101, 111, 100, 110), (109, 109, 107, 108), (107, 108, 104, 106));
        var s = new BuyAndHold { Setup = b => b.StartProtection(Unit.Absolute(0), Unit.Absolute(5), isStopTrailing: true) };
        var r = BacktestEngine.Run(s, series);
        Assert.Equal(new[] { 100.0, 105.0 }, r.Fills.Price);
        Assert.Equal(3, r.Fills.Bar[1]);
        Assert.Equal(new[] { 95.0, 105.0 }, r.OrderList.Where(o => o.Type == OrderTypes.Stop).Select(o => o.Price));
    }

    [Fact]
    public void Max_drawdown_rule_stops_a_losing_strategy_at_its_threshold_and_the_equity_is_flat_after()
    {
        // long 10 at 100 from bar 0 on a falling series: close 100 - 1.5 i. Equity = 10000 + 10 (close - 100).
        // Drawdown 1 - eq/10000 >= 0.1 % when close <= 99: bar 1 (close 98.5, dd 0.15 %). ClosePositionsAndStop:
        // market sell at bar 2's open.
        int n = 30;
        var rows = Enumerable.Range(0, n).Select(i => (O: 100 - 1.5 * i + 0.5, H: 100 - 1.5 * i + 1, L: 100 - 1.5 * i - 1, C: 100 - 1.5 * i)).ToArray();
        rows[0] = (100, 101, 99, 100);
        var series = TestUtil.Bars(rows);
        var s = new BuyAndHold { Qty = 10, Setup = b => b.SetMaxDrawdown(0.001) };
        var r = BacktestEngine.Run(s, series);
        var v = Assert.Single(s.Violations);
        Assert.Equal(RiskRuleTypes.MaxDrawdown, v.Rule);
        Assert.Equal(1, v.BarIndex);
        Assert.Equal(0.0015, v.Value, 12);
        Assert.Equal(RiskActions.ClosePositionsAndStop, v.Action);
        Assert.Same(v, s.RiskViolations[0]);
        Assert.True(s.IsTradingStopped);
        // OnBar no longer called after the trip
        Assert.Equal(new[] { 0, 1 }, s.BarsSeen);
        // exit at bar 2's open (100 - 3 + 0.5 = 97.5): realized 10 * (97.5 - 100) = -25
        Assert.Equal(2, r.Fills.Bar[1]);
        Assert.Equal(97.5, r.Fills.Price[1]);
        for (int i = 2; i < n; i++) { Assert.Equal(0, r.Equity.Position[i]); Assert.Equal(9975, r.Equity.Equity[i]); }
    }

    [Fact]
    public void Warn_records_without_stopping_and_stop_keeps_the_position()
    {
        var rows = Enumerable.Range(0, 10).Select(i => (O: 100.0 - i, H: 101.0 - i, L: 99.0 - i, C: 100.0 - i)).ToArray();
        var series = TestUtil.Bars(rows);
        var warn = new BuyAndHold { Setup = b => b.SetMaxDailyLoss(3, RiskActions.Warn) };
        var rw = BacktestEngine.Run(warn, series);
        // equity 10000 + (close - 100): loss >= 3 first at bar 3 (close 97); recorded once (all bars same UTC day)
        var v = Assert.Single(warn.Violations);
        Assert.Equal((RiskRuleTypes.MaxDailyLoss, 3, 3.0), (v.Rule, v.BarIndex, v.Value));
        Assert.Equal(10, warn.BarsSeen.Count);
        Assert.Equal(1, rw.FinalPosition);

        var stop = new BuyAndHold { Setup = b => b.SetMaxDailyLoss(3, RiskActions.Stop) };
        var rs = BacktestEngine.Run(stop, series);
        Assert.Equal(1, rs.FinalPosition);
        Assert.Equal(1, rs.FillCount);
        Assert.Equal(4, stop.BarsSeen.Count);
    }

    [Fact]
    public void Max_position_size_trips_on_the_fill_and_max_orders_counts_only_the_strategys_orders()
    {
        var series = TestUtil.Bars((100, 100, 100, 100), (100, 100, 100, 100), (100, 100, 100, 100), (100, 100, 100, 100));
        var big = new BuyAndHold { Qty = 3, Setup = b => b.SetMaxPositionSize(2) };
        var r = BacktestEngine.Run(big, series);
        var v = Assert.Single(big.Violations);
        Assert.Equal((RiskRuleTypes.MaxPositionSize, 0, 3.0), (v.Rule, v.BarIndex, v.Value));
        Assert.Equal(0, r.FinalPosition);   // closed at bar 1's open

        // 1 own order (the entry) + protection orders; threshold 1 -> never above
        var prot = new BuyAndHold { Setup = b => { b.StartProtection(5, 5, false); b.SetMaxOrdersPerDay(1); } };
        BacktestEngine.Run(prot, series);
        Assert.Empty(prot.Violations);
        var zero = new BuyAndHold { Setup = b => b.SetMaxOrdersPerDay(0) };
        BacktestEngine.Run(zero, series);
        Assert.Equal(RiskRuleTypes.MaxOrdersPerDay, Assert.Single(zero.Violations).Rule);
    }

    [Fact]
    public void Parameters_with_discrete_values_and_rules()
    {
        var s = new BuyAndHold();
        var p = s.Param("period", 15).SetOptimizeValues(5, 9, 15).AddRule(v => v % 2 == 1, "period % 2 == 1");
        var mode = s.Param("mode", "fast").SetOptimizeValues("fast", "slow");
        IStrategyParam ip = p;
        Assert.Equal(new object?[] { 5, 9, 15 }, ip.OptimizeValues);
        Assert.Equal(new[] { "period % 2 == 1" }, ip.Rules);
        Assert.True(ip.CanOptimize);
        Assert.Equal(new object?[] { "fast", "slow" }, ((IStrategyParam)mode).OptimizeValues);
        s.SetParameter("period", 7);
        var ex = Assert.Throws<ArgumentException>(() => s.SetParameter("period", 8));
        Assert.Contains("breaks the rule 'period % 2 == 1'", ex.Message);
        Assert.Equal(7, s.GetParameter("period"));
        Assert.Null(((IStrategyParam)s.Param("plain", 1.0)).OptimizeValues);
    }

    [Fact]
    public void Optimizer_grid_uses_discrete_values()
    {
        var s = new BuyAndHold();
        s.Param("fast", 5).SetOptimize(5, 15, 5);
        s.Param("mode", "a").SetOptimizeValues("a", "b");
        s.Param("slow", 30).SetOptimizeValues(30, 60);
        var grid = BruteForceOptimizer.GridFromOptimize(s);
        // 3 x 2 x 2 combinations, discrete axes exactly their values
        Assert.Equal(12, grid.Count);
        Assert.Equal(new object[] { "a", "b" }, grid.Select(g => g["mode"]).Distinct());
        Assert.Equal(new object[] { 30, 60 }, grid.Select(g => g["slow"]).Distinct());
        Assert.Equal(new object[] { 5, 10, 15 }, grid.Select(g => g["fast"]).Distinct());
    }

    [Fact]
    public void A_rerun_starts_from_a_clean_state()
    {
        var series = TestUtil.RandomWalk(300, 5);
        var s = new BoundCross();
        var a = BacktestEngine.Run(s, series);
        int calls = s.Calls.Count;
        var b = BacktestEngine.Run(s, series);
        Assert.Equal(a.FinalEquity, b.FinalEquity);
        Assert.Equal(a.Fills.Price, b.Fills.Price);
        Assert.Equal(2 * calls, s.Calls.Count);   // one binding per run, not two

        var h = new BuyAndHold { Setup = x => x.SetMaxDrawdown(0.5) };
        BacktestEngine.Run(h, series);
        BacktestEngine.Run(h, series);
        Assert.Single(h.RiskRules);
    }
}
