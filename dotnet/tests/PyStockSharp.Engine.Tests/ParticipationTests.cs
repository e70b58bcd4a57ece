namespace PyStockSharp.Engine.Tests;

/// <summary>
/// Volume participation (partial fills, carry or cancel) and square-root market impact, against values worked by hand
/// (docs/engine-api.md, "Volume participation and market impact").
/// </summary>
public class ParticipationTests
{
    /// <summary>Series from (open, high, low, close, volume) rows, one bar per minute.</summary>
    private static CandleSeries Bars(double volumeStep, params (double O, double H, double L, double C, double V)[] rows)
    {
        int n = rows.Length;
        var t = new long[n]; var o = new double[n]; var h = new double[n]; var l = new double[n]; var c = new double[n]; var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            t[i] = i * TestUtil.Minute; o[i] = rows[i].O; h[i] = rows[i].H; l[i] = rows[i].L; c[i] = rows[i].C; v[i] = rows[i].V;
        }
        return new CandleSeries("TEST", "1m", t, o, h, l, c, v, 0.01, volumeStep);
    }

    /// <summary>Four bars of volume 1,000 (opens 10.2, 10.5, 10.7 after the first).</summary>
    private static CandleSeries FourBars() => Bars(1,
        (10, 10.5, 9.5, 10, 1000), (10.2, 10.6, 10.0, 10.4, 1000), (10.5, 10.8, 10.3, 10.6, 1000), (10.7, 11.0, 10.6, 10.9, 1000));

    /// <summary>Records, at each fill, the order's state, balance and filled volume as the strategy sees them.</summary>
    private sealed class Recorder : Strategy
    {
        private readonly Action<Recorder, int> _onBar;
        public readonly List<string> Seen = new();
        public Recorder(Action<Recorder, int> onBar) { _onBar = onBar; }
        public override void OnBar(int index) => _onBar(this, index);
        public override void OnOrderChanged(Order order) => Seen.Add($"changed {order.Id} {order.State}");
        public override void OnNewMyTrade(MyTrade trade)
        {
            var o = Orders.First(x => x.Id == trade.OrderId);
            Seen.Add($"trade {trade.OrderId} {trade.Volume}@{trade.Price} bar {trade.BarIndex}: {o.State} balance {o.Balance} filled {o.FilledVolume}");
        }
    }

    [Fact]
    public void CarryFillsTenPercentOfEachBarUntilTheOrderIsDone()
    {
        // 250 at 10 % of 1,000 a bar: 100 at bar 1's open 10.2, 100 at bar 2's 10.5, the last 50 at bar 3's 10.7
        var st = new Recorder((s, i) => { if (i == 0) s.BuyMarket(250); });
        var r = BacktestEngine.Run(st, FourBars(), new EmulationSettings { Participation = 0.1 });
        Assert.Equal(new[] { 100.0, 100, 50 }, r.Fills.Volume);
        Assert.Equal(new[] { 10.2, 10.5, 10.7 }, r.Fills.Price);
        Assert.Equal(new[] { 1, 2, 3 }, r.Fills.Bar);
        Assert.Equal(new long[] { 1, 1, 1 }, r.Fills.OrderId);
        var o = r.OrderList.Single();
        Assert.Equal(OrderStates.Filled, o.State);
        Assert.Equal(3, o.DoneBar);
        Assert.Equal(0.0, o.Balance);
        Assert.Equal(250.0, o.FilledVolume);
        Assert.Equal(2605.0 / 250, o.FillPrice, 12);                    // (1020 + 1050 + 535) / 250 = 10.42
        Assert.Equal(new[] { 0.0, 100, 200, 250 }, r.Equity.Position);
        Assert.Equal(10000 - 2605.0, r.Equity.Cash[3], 9);
        Assert.Equal(new[]
        {
            "changed 1 Active", "trade 1 100@10.2 bar 1: Active balance 150 filled 100",
            "changed 1 Active", "trade 1 100@10.5 bar 2: Active balance 50 filled 200",
            "changed 1 Filled", "trade 1 50@10.7 bar 3: Filled balance 0 filled 250",
        }, st.Seen);
        Assert.Equal(3, r.FillCount);
        Assert.Equal(0, r.RoundTrips);
    }

    [Fact]
    public void CancelFillsOneBarsShareAndCancelsTheRest()
    {
        var st = new Recorder((s, i) => { if (i == 0) s.BuyMarket(250); });
        var r = BacktestEngine.Run(st, FourBars(),
            new EmulationSettings { Participation = 0.1, ParticipationRemainder = ParticipationRemainder.Cancel });
        Assert.Equal(new[] { 100.0 }, r.Fills.Volume);
        Assert.Equal(new[] { 10.2 }, r.Fills.Price);
        var o = r.OrderList.Single();
        Assert.Equal(OrderStates.Cancelled, o.State);
        Assert.Equal(1, o.DoneBar);
        Assert.Equal(150.0, o.Balance);
        Assert.Equal(100.0, o.FilledVolume);
        Assert.Equal(10.2, o.FillPrice);
        Assert.Equal(new[] { "changed 1 Active", "trade 1 100@10.2 bar 1: Active balance 150 filled 100", "changed 1 Cancelled" }, st.Seen);
        Assert.Equal(new[] { 0.0, 100, 100, 100 }, r.Equity.Position);
    }

    [Fact]
    public void OrdersOfOneBarShareItsCapacityInFillOrder()
    {
        // two buys of 80 and a sell of 30 placed at bar 0; 10 % of 1,000 = 100 a bar over all of them, by id:
        // bar 1: #1 80, #2 20 (capacity spent), #3 nothing; bar 2: #2 60, #3 30
        var st = new Recorder((s, i) => { if (i == 0) { s.BuyMarket(80); s.BuyMarket(80); s.SellMarket(30); } });
        var r = BacktestEngine.Run(st, FourBars(), new EmulationSettings { Participation = 0.1 });
        Assert.Equal(new long[] { 1, 2, 2, 3 }, r.Fills.OrderId);
        Assert.Equal(new[] { 80.0, 20, 60, 30 }, r.Fills.Volume);
        Assert.Equal(new[] { 1, 1, 2, 2 }, r.Fills.Bar);
        Assert.Equal(new[] { 0.0, 100, 130, 130 }, r.Equity.Position);
    }

    [Fact]
    public void CapacityIsRoundedDownToTheVolumeStepInDecimal()
    {
        var m = new VolumeParticipationFillModel(0.1);
        Assert.Equal(100.0, m.Capacity(1005, 1));       // 100.5 -> 100
        Assert.Equal(100.5, m.Capacity(1005, 0.1));
        Assert.Equal(29.0, new VolumeParticipationFillModel(0.29).Capacity(100, 1));   // 0.29 * 100 = 28.999999999999996 in double
        Assert.Equal(0.0, m.Capacity(0, 1));
        Assert.Equal(0.0, m.Capacity(double.NaN, 1));
        Assert.Equal(0.0, m.Capacity(9, 1));            // 0.9 -> 0
    }

    [Fact]
    public void PartialFillsKeepPositionsExact()
    {
        // volume step 0.1, bars of volume 3: 10 % is 0.3 a bar. Buy 1.0: 0.3, 0.3, 0.3, 0.1 (in double 0.3+0.3+0.3+0.1 is
        // 0.9999999999999999); then sell 1.0 the same way: flat, exactly
        var rows = Enumerable.Range(0, 10).Select(_ => (10.0, 10.5, 9.5, 10.0, 3.0)).ToArray();
        var st = new Recorder((s, i) => { if (i == 0) s.BuyMarket(1.0); if (i == 4) s.SellMarket(1.0); });
        var r = BacktestEngine.Run(st, Bars(0.1, rows), new EmulationSettings { Participation = 0.1 });
        Assert.Equal(new[] { 0.3, 0.3, 0.3, 0.1, 0.3, 0.3, 0.3, 0.1 }, r.Fills.Volume);
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7, 8 }, r.Fills.Bar);
        Assert.Equal(1.0, r.Equity.Position[4]);
        Assert.Equal(0.9, r.Equity.Position[3]);
        Assert.Equal(0.0, r.FinalPosition);
        Assert.Equal(0.0, r.Equity.Position[8]);
        Assert.All(r.OrderList, o => { Assert.Equal(OrderStates.Filled, o.State); Assert.Equal(0.0, o.Balance); Assert.Equal(1.0, o.FilledVolume); });
        Assert.Equal(10000.0, r.FinalEquity, 9);
    }

    [Fact]
    public void TriggeredStopFillsItsRestAtTheFollowingOpensAndALimitKeepsItsPrice()
    {
        // buy stop 10.5 x 250: bar 1 (high 10.8) triggers it: 100 at 10.5; bar 2 opens 10.3, below the stop, but the stop
        // has triggered: 100 at the open 10.3; bar 3: 50 at 10.6.
        // buy limit 10 x 150: bar 1 touches it (low 9.9) but the stop took bar 1's capacity first (stops before limits)
        var s = Bars(1, (10, 10.2, 9.8, 10, 1000), (10.2, 10.8, 9.9, 10.4, 1000), (10.3, 10.5, 10.2, 10.4, 1000),
            (10.6, 10.7, 10.5, 10.6, 1000), (9.8, 10.0, 9.7, 9.9, 1000), (9.9, 10.0, 9.8, 9.9, 1000));
        var st = new Recorder((x, i) => { if (i == 0) { x.BuyStop(10.5, 250); x.BuyLimit(10, 150); } });
        var r = BacktestEngine.Run(st, s, new EmulationSettings { Participation = 0.1 });
        Assert.Equal(new long[] { 1, 1, 1, 2, 2 }, r.Fills.OrderId);
        Assert.Equal(new[] { 100.0, 100, 50, 100, 50 }, r.Fills.Volume);
        Assert.Equal(new[] { 10.5, 10.3, 10.6, 9.8, 9.9 }, r.Fills.Price);
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, r.Fills.Bar);
        // the limit: bar 1 had no capacity left, bars 2 and 3 stay above 10 (lows 10.2, 10.5), bar 4 opens 9.8 <= 10:
        // 100 at the open; bar 5 opens 9.9 <= 10: the last 50 at 9.9
        Assert.Equal(new[] { 0.0, 100, 200, 250, 350, 400 }, r.Equity.Position);
    }

    [Fact]
    public void CloseModeCarriesMarketOrdersToTheFollowingCloses()
    {
        var st = new Recorder((s, i) => { if (i == 0) s.BuyMarket(250); });
        var r = BacktestEngine.Run(st, FourBars(), new EmulationSettings { Participation = 0.1, MarketFill = MarketFillMode.Close });
        Assert.Equal(new[] { 100.0, 100, 50 }, r.Fills.Volume);
        Assert.Equal(new[] { 10.0, 10.4, 10.6 }, r.Fills.Price);   // closes of bars 0, 1, 2
        Assert.Equal(new[] { 0, 1, 2 }, r.Fills.Bar);
    }

    [Fact]
    public void ABarWithoutVolumeFillsNothing()
    {
        var s = Bars(1, (10, 10.5, 9.5, 10, 1000), (10.2, 10.6, 10.0, 10.4, 0), (10.5, 10.8, 10.3, 10.6, 1000));
        var carry = BacktestEngine.Run(new Recorder((x, i) => { if (i == 0) x.BuyMarket(50); }), s, new EmulationSettings { Participation = 0.1 });
        Assert.Equal(new[] { 2 }, carry.Fills.Bar);
        Assert.Equal(new[] { 10.5 }, carry.Fills.Price);
        var cancel = BacktestEngine.Run(new Recorder((x, i) => { if (i == 0) x.BuyMarket(50); }), s,
            new EmulationSettings { Participation = 0.1, ParticipationRemainder = ParticipationRemainder.Cancel });
        Assert.Empty(cancel.Trades);
        Assert.Equal(OrderStates.Cancelled, cancel.OrderList[0].State);
        Assert.Equal(1, cancel.OrderList[0].DoneBar);
        Assert.Equal(50.0, cancel.OrderList[0].Balance);
    }

    [Fact]
    public void FullParticipationOnDeepBarsIsTheBarFillModel()
    {
        // every order of the random flow (1..3 units, every kind) fits in 100 % of 1,000: the same fills as the default
        var series = TestUtil.RandomWalk(3000, 11);
        var a = BacktestEngine.Run(new RandomOrderFlow(5), series, new EmulationSettings { CommissionFraction = 0.001, SlippageSteps = 1 });
        var b = BacktestEngine.Run(new RandomOrderFlow(5), series, new EmulationSettings { CommissionFraction = 0.001, SlippageSteps = 1, Participation = 1 });
        Assert.True(a.FillCount > 500);
        Assert.Equal(a.Fills.Price, b.Fills.Price);
        Assert.Equal(a.Fills.Volume, b.Fills.Volume);
        Assert.Equal(a.Fills.OrderId, b.Fills.OrderId);
        Assert.Equal(a.Equity.Equity, b.Equity.Equity);
        Assert.Equal(a.FinalEquity, b.FinalEquity);
    }

    [Fact]
    public void TargetsKeepAWorkingOrderAndReplaceItWhenTheTargetMoves()
    {
        // targets 250, 250, 0, 0, 0, 0 at 10 % of 1,000: #1 buy 250 fills 100 (bar 1), keeps working (balance 150 = what
        // the target needs), 100 (bar 2); at bar 2 the target is 0 with 200 held: #1 (balance 50) is cancelled and #2
        // sells 200: 100 at bar 3, kept, 100 at bar 4
        var rows = Enumerable.Range(0, 6).Select(i => (10.0 + i, 10.5 + i, 9.5 + i, 10.0 + i, 1000.0)).ToArray();
        var r = BacktestEngine.RunTargets(Bars(1, rows), new double[] { 250, 250, 0, 0, 0, 0 }, new EmulationSettings { Participation = 0.1 });
        Assert.Equal(new long[] { 1, 1, 2, 2 }, r.Fills.OrderId);
        Assert.Equal(new[] { 100.0, 100, 100, 100 }, r.Fills.Volume);
        Assert.Equal(new sbyte[] { 1, 1, -1, -1 }, r.Fills.Side);
        Assert.Equal(2, r.OrderCount);
        Assert.Equal((OrderStates.Cancelled, 50.0, 2), (r.OrderList[0].State, r.OrderList[0].Balance, r.OrderList[0].DoneBar));
        Assert.Equal((OrderStates.Filled, 200.0), (r.OrderList[1].State, r.OrderList[1].Volume));
        Assert.Equal(new[] { 0.0, 100, 200, 100, 0, 0 }, r.Equity.Position);
    }

    [Fact]
    public void SquareRootImpactByHand()
    {
        // bar 1: open 10, high 10.4, low 9.6, close 10, volume 400: sigma = 0.8 / 10 = 0.08; a fill of 100: sqrt(100/400) = 0.5;
        // k = 0.5: impact = 0.5 * 0.08 * 0.5 = 2 % of the price = 0.2; fixed part 10 * 0.001 + 1 step 0.01 = 0.02.
        // buy: 10 + 0.22 = 10.22; sell: 10 - 0.22 = 9.78
        var s = Bars(1, (10, 10.1, 9.9, 10, 400), (10, 10.4, 9.6, 10, 400), (10, 10.1, 9.9, 10, 400));
        var settings = new EmulationSettings { Impact = 0.5, SlippageFraction = 0.001, SlippageSteps = 1 };
        var buy = BacktestEngine.Run(new Recorder((x, i) => { if (i == 0) x.BuyMarket(100); }), s, settings);
        Assert.Equal(10.22, buy.Fills.Price[0], 12);
        Assert.Equal(10.0, buy.Trades[0].ReferencePrice);
        var sell = BacktestEngine.Run(new Recorder((x, i) => { if (i == 0) x.SellMarket(100); }), s, settings);
        Assert.Equal(9.78, sell.Fills.Price[0], 12);
        // limit fills get no slippage at all
        var limit = BacktestEngine.Run(new Recorder((x, i) => { if (i == 0) x.BuyLimit(9.7, 100); }), s, settings);
        Assert.Equal(9.7, limit.Fills.Price[0]);
        // a fill of 400 (the whole bar): sqrt(1) = 1: impact 0.5 * 0.08 = 4 % = 0.4, + 0.02
        var all = BacktestEngine.Run(new Recorder((x, i) => { if (i == 0) x.BuyMarket(400); }), s, new EmulationSettings { Impact = 0.5, SlippageFraction = 0.001, SlippageSteps = 1 });
        Assert.Equal(10.42, all.Fills.Price[0], 12);
    }

    [Fact]
    public void ImpactOfPartialFillsFollowsEachFillsShare()
    {
        // 250 at 10 % of 1,000: fills of 100, 100, 50. Bars 1..3: high - low = 0.6, close 10 -> sigma 0.06; k = 1:
        // 100 of 1,000: 0.06 * sqrt(0.1) = 0.018973665961010276 of the open; 50: 0.06 * sqrt(0.05) = 0.013416407864998738
        var s = Bars(1, (10, 10.3, 9.7, 10, 1000), (10, 10.3, 9.7, 10, 1000), (10, 10.3, 9.7, 10, 1000), (10, 10.3, 9.7, 10, 1000));
        var r = BacktestEngine.Run(new Recorder((x, i) => { if (i == 0) x.BuyMarket(250); }), s,
            new EmulationSettings { Participation = 0.1, Impact = 1 });
        Assert.Equal(10.18973665961010276, r.Fills.Price[0], 12);
        Assert.Equal(10.18973665961010276, r.Fills.Price[1], 12);
        Assert.Equal(10.13416407864998738, r.Fills.Price[2], 12);
        Assert.Equal((100 * 10.18973665961010276 * 2 + 50 * 10.13416407864998738) / 250, r.OrderList[0].FillPrice, 12);
    }

    [Fact]
    public void ZeroImpactIsTheFixedSlippage()
    {
        var series = TestUtil.RandomWalk(2000, 3);
        var a = BacktestEngine.Run(new RandomOrderFlow(9), series, new EmulationSettings { SlippageFraction = 0.0005, SlippageSteps = 2 });
        var b = BacktestEngine.Run(new RandomOrderFlow(9), series, new EmulationSettings
        {
            SlippageFraction = 0.0005, SlippageSteps = 2, SlippageModel = new SquareRootImpactSlippageModel(0, 0.0005, 2),
        });
        Assert.Equal(a.Fills.Price, b.Fills.Price);
        Assert.Equal(a.FinalEquity, b.FinalEquity);
    }

    [Theory]
    [InlineData(-0.1, 0)]
    [InlineData(1.5, 0)]
    [InlineData(double.NaN, 0)]
    [InlineData(0.1, -1)]
    [InlineData(0.1, double.PositiveInfinity)]
    public void BadSettingsAreRefused(double participation, double impact)
    {
        var settings = new EmulationSettings { Participation = participation, Impact = impact };
        Assert.Throws<ArgumentException>(settings.Validate);
        Assert.Throws<ArgumentException>(() => BacktestEngine.Run(new Recorder((_, _) => { }), FourBars(), settings));
        Assert.Throws<ArgumentException>(() => new VolumeParticipationFillModel(0));
        Assert.Throws<ArgumentException>(() => new SquareRootImpactSlippageModel(-0.5));
    }

    [Fact]
    public void AFillBeyondTheBalanceIsAnError()
    {
        var model = new OverFill();
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => BacktestEngine.Run(new Recorder((x, i) => { if (i == 0) x.BuyMarket(5); }),
            FourBars(), new EmulationSettings { FillModel = model }));
        Assert.Contains("balance 5", r.Message);
    }

    private sealed class OverFill : IFillModel
    {
        public bool FillsAtClose => false;
        public void FillOnBar(IFillExecution execution, IReadOnlyList<Order> active, in Candle bar)
        {
            foreach (var o in active) if (o.State == OrderStates.Active && o.PlacedBar < bar.Index) execution.Fill(o, bar.Open, false, 6);
        }
        public void FillAtClose(IFillExecution execution, IReadOnlyList<Order> active, in Candle bar) { }
    }
}
