namespace PyStockSharp.Engine.Tests;

/// <summary>The engine's slots: brokerage models replaced through <see cref="EmulationSettings"/>, the context a strategy sees.</summary>
public class SlotTests
{
    // the example of docs/engine-api.md, "Adding a fill model"
    private sealed class MidpointFillModel : IFillModel
    {
        public bool FillsAtClose => false;

        public void FillOnBar(IFillExecution execution, IReadOnlyList<Order> active, in Candle bar)
        {
            foreach (var o in active)
                if (o.State == OrderStates.Active && o.Type == OrderTypes.Market && o.PlacedBar < bar.Index)
                    execution.Fill(o, (bar.High + bar.Low) / 2, slipped: true);
            BarFillModel.NextOpen.FillOnBar(execution, active, bar);
        }

        public void FillAtClose(IFillExecution execution, IReadOnlyList<Order> active, in Candle bar) { }
    }

    private sealed class FlatFee : IFeeModel
    {
        public double Commission(Order order, double price, double volume) => 1.5;
    }

    private sealed class NoShorts : IBuyingPowerModel
    {
        public string? Reject(Portfolio portfolio, InstrumentPosition position, double newQuantity, double price, double commission)
            => newQuantity < 0 ? $"no shorts: {position.Instrument.Id} would be {newQuantity}" : null;
    }

    private static CandleSeries FourBars() => TestUtil.Bars((10, 12, 9, 11), (11, 14, 10, 13), (13, 13, 8, 9), (9, 10, 7, 8));

    [Fact]
    public void TheDocumentedMidpointFillModelFillsMarketOrdersAtTheBarMidpoint()
    {
        var s = new ScriptStrategy().At(0, x => x.BuyMarket(2)).At(1, x => x.BuyStop(12.5, 1)).At(2, x => x.SellMarket(3));
        var r = BacktestEngine.Run(s, FourBars(), new EmulationSettings { FillModel = new MidpointFillModel(), SlippageSteps = 1 });
        // bar 1 midpoint (14 + 10) / 2 = 12 + 1 step 0.01; the buy stop 12.5 placed at bar 1 gaps at bar 2's open 13
        // (+0.01); the sell at bar 3's midpoint (10 + 7) / 2 = 8.5 - 0.01
        Assert.Equal(new[] { 12.01, 13.01, 8.49 }, r.Trades.Select(t => t.Price).ToArray());
        Assert.Equal(new[] { 1, 2, 3 }, r.Trades.Select(t => t.BarIndex).ToArray());
        Assert.Equal(0, r.FinalPosition);
        Assert.Equal(3 * 8.49 - 2 * 12.01 - 13.01, r.RealizedPnL, 9);
    }

    [Fact]
    public void AFeeModelAndABuyingPowerModelReplaceTheDefaults()
    {
        var s = new ScriptStrategy().At(0, x => x.BuyMarket(1)).At(1, x => x.SellMarket(3)).At(2, x => x.SellMarket(1));
        var r = BacktestEngine.Run(s, FourBars(), new EmulationSettings { FeeModel = new FlatFee(), BuyingPowerModel = new NoShorts() });
        Assert.Equal(2, r.FillCount);                       // buy 1 at 11, sell 1 at 9; the sell of 3 would go short
        Assert.Equal(1, r.RejectedCount);
        var rejected = r.OrderList.Single(o => o.State == OrderStates.Rejected);
        Assert.Equal("no shorts: TEST would be -2", rejected.RejectReason);
        Assert.Equal(3.0, r.Commission);
        Assert.Equal(10000 + (9 - 11) - 3.0, r.FinalEquity, 9);
    }

    [Theory]
    [InlineData(1, MarketFillMode.NextOpen)]
    [InlineData(2, MarketFillMode.Close)]
    public void ExplicitDefaultModelsGiveTheResultsOfTheNumericSettings(int seed, MarketFillMode mode)
    {
        var series = TestUtil.RandomWalk(2000, seed);
        var numeric = new EmulationSettings
        {
            InitialCapital = 3000, CommissionFraction = 0.001, CommissionPerUnit = 0.02, MinCommission = 0.05,
            SlippageFraction = 0.0002, SlippageSteps = 1, MarketFill = mode, Leverage = 0.5,
        };
        var models = numeric.Clone();
        models.FillModel = new BarFillModel(mode);
        models.FeeModel = new RateFeeModel(0.001, 0.02, 0.05);
        models.SlippageModel = new FixedSlippageModel(0.0002, 1);
        models.BuyingPowerModel = new LeverageBuyingPower(0.5);
        var a = new RandomOrderFlow(seed);
        var b = new RandomOrderFlow(seed);
        var ra = BacktestEngine.Run(a, series, numeric);
        var rb = BacktestEngine.Run(b, series, models);
        Assert.True(ra.FillCount > 200 && ra.RejectedCount > 0, $"fills {ra.FillCount}, rejected {ra.RejectedCount}");
        Assert.Equal(GoldenTests.Digest(ra, ""), GoldenTests.Digest(rb, ""));
    }

    [Fact]
    public void TheStrategySeesTheRunThroughItsContextOnly()
    {
        IStrategyContext? seen = null;
        var s = new ScriptStrategy().At(0, x => { x.BuyMarket(2); seen = x.Context; }).At(2, x =>
        {
            var c = x.Context!;
            Assert.Equal(2, c.Position);
            Assert.Same(c.Instrument, c.Portfolio.Positions.Single().Instrument);
            Assert.Equal("TEST", c.Instrument.Id);
            Assert.Equal(0.01, c.Instrument.PriceStep);
            Assert.Equal(c.Cash + 2 * 9, c.Equity);
            Assert.Equal(2 * (9 - 11), c.Portfolio.Positions[0].UnrealizedAt(9));
        });
        BacktestEngine.Run(s, FourBars());
        Assert.NotNull(seen);
        Assert.Null(s.Context);                            // released after the run
        Assert.Throws<InvalidOperationException>(() => s.BuyMarket());
    }
}
