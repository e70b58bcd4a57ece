namespace PyStockSharp.Engine.Tests;

using static TestUtil;

public class EmulationTests
{
    [Fact]
    public void BuyStopGappedThroughFillsAtTheOpen()
    {
        // bar 1 opens at 12, above the buy stop at 11: the fill is the open (12), not the stop price.
        var s = Bars((10, 10.5, 9.5, 10), (12, 13, 11.5, 12.5), (12.5, 12.6, 12.4, 12.5));
        var st = new ScriptStrategy().At(0, x => x.BuyStop(11));
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        Assert.Single(r.Trades);
        Assert.Equal(12.0, r.Fills.Price[0]);
        Assert.Equal(1, r.Fills.Bar[0]);
        Assert.Equal(OrderStates.Filled, r.OrderList[0].State);
        // equity at bar 1: cash 10000 - 12 = 9988, + 1 * 12.5 = 10000.5
        Assert.Equal(10000.5, r.Equity.Equity[1], 9);
    }

    [Fact]
    public void SellStopGappedDownFillsAtTheOpenAndIntrabarStopAtItsPrice()
    {
        // id1 sell stop 9 (bar 1 opens 8 -> gapped, fills 8); id2 buy stop 10.8 (bar 1 high 10.9 >= 10.8, open 8 < 10.8 -> fills 10.8)
        var s = Bars((10, 10.5, 9.5, 10), (8, 10.9, 7.5, 10));
        var st = new ScriptStrategy().At(0, x => { x.SellStop(9); x.BuyStop(10.8); });
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        Assert.Equal(new long[] { 1, 2 }, r.Fills.OrderId);
        Assert.Equal(new[] { 8.0, 10.8 }, r.Fills.Price);
        // short 1 at 8 then buy 1 at 10.8: realized (8 - 10.8) * 1 = -2.8
        Assert.Equal(-2.8, r.RealizedPnL, 9);
    }

    [Fact]
    public void UntouchedLimitStaysActive()
    {
        // buy limit at 9; lows never go below 9.5
        var s = Bars((10, 10.5, 9.5, 10), (10, 10.6, 9.6, 10.2), (10.2, 10.4, 9.9, 10));
        var st = new ScriptStrategy().At(0, x => x.BuyLimit(9));
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        Assert.Empty(r.Trades);
        var o = r.OrderList[0];
        Assert.Equal(OrderStates.Active, o.State);
        Assert.Equal(-1, o.DoneBar);
        Assert.True(double.IsNaN(o.FillPrice));
        Assert.Equal(10000, r.FinalEquity);
    }

    [Fact]
    public void LimitGappedThroughFillsAtOpenAndTouchedLimitAtItsPrice()
    {
        // id1 buy limit 9.8: bar 1 opens 9.5 <= 9.8 -> fills at 9.5 (better than the limit)
        // id2 sell limit 10.4: bar 1 opens 9.5 < 10.4, high 10.5 >= 10.4 -> fills at 10.4
        var s = Bars((10, 10.5, 9.9, 10), (9.5, 10.5, 9.4, 10));
        var st = new ScriptStrategy().At(0, x => { x.BuyLimit(9.8); x.SellLimit(10.4); });
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        Assert.Equal(new[] { 9.5, 10.4 }, r.Fills.Price);
        Assert.Equal(0.9, r.RealizedPnL, 9); // 10.4 - 9.5
    }

    [Fact]
    public void OrderBeyondBuyingPowerIsRejectedWithReason()
    {
        // capital 1000, buy 200 at open[1] = 10: needs 200 * 10 = 2000 > 1 * 1000 -> rejected
        var s = Bars((10, 10, 10, 10), (10, 11, 9, 10), (10, 10, 10, 10));
        var st = new ScriptStrategy().At(0, x => x.BuyMarket(200));
        var r = BacktestEngine.Run(st, s, new EmulationSettings { InitialCapital = 1000 });
        var o = r.OrderList[0];
        Assert.Equal(OrderStates.Rejected, o.State);
        Assert.Contains("insufficient buying power", o.RejectReason);
        Assert.Equal(1, o.DoneBar);
        Assert.Equal(1, r.RejectedCount);
        Assert.Empty(r.Trades);
        Assert.Equal(1000, r.FinalEquity);
        Assert.Contains(o, st.Changed); // OnOrderChanged saw the rejection

        // leverage 2: available 2 * 1000 = 2000, needs 2000, not more -> filled
        var r2 = BacktestEngine.Run(new ScriptStrategy().At(0, x => x.BuyMarket(200)), s, new EmulationSettings { InitialCapital = 1000, Leverage = 2 });
        Assert.Equal(OrderStates.Filled, r2.OrderList[0].State);
        Assert.Equal(-1000, r2.Equity.Cash[2]); // 1000 - 200 * 10
    }

    [Fact]
    public void ReducingOrderIsNotCheckedForBuyingPower()
    {
        // capital 100: buy 10 at 10 (needs 100, available 100 -> ok); price falls to 5; selling 10 only reduces -> filled
        var s = Bars((10, 10, 10, 10), (10, 10, 10, 10), (5, 5, 5, 5), (5, 5, 5, 5));
        var st = new ScriptStrategy().At(0, x => x.BuyMarket(10)).At(2, x => x.SellMarket(10));
        var r = BacktestEngine.Run(st, s, new EmulationSettings { InitialCapital = 100 });
        Assert.Equal(2, r.FillCount);
        Assert.Equal(-50, r.RealizedPnL, 9); // 10 * (5 - 10)
        Assert.Equal(50, r.FinalEquity, 9);
    }

    [Fact]
    public void ShortPositionPnL()
    {
        // sell 2 at open[1] = 20; bar 2 close 18; buy 2 at open[3] = 17
        var s = Bars((20, 20, 20, 20), (20, 21, 19, 19.5), (19.5, 19.6, 17.9, 18), (17, 17.5, 16.5, 17), (17, 17, 17, 17));
        var st = new ScriptStrategy().At(0, x => x.SellMarket(2)).At(2, x => x.ClosePosition());
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        // bar 2: position -2, avg 20, cash 10000 + 40 = 10040; unrealized -2 * (18 - 20) = 4; equity 10040 - 36 = 10004
        Assert.Equal(-2, r.Equity.Position[2]);
        Assert.Equal(10040, r.Equity.Cash[2], 9);
        Assert.Equal(4, r.Equity.UnrealizedPnL[2], 9);
        Assert.Equal(10004, r.Equity.Equity[2], 9);
        // buy back 2 at 17: realized 2 * (20 - 17) = 6
        Assert.Equal(6, r.Fills.RealizedPnL[1], 9);
        Assert.Equal(6, r.RealizedPnL, 9);
        Assert.Equal(10006, r.FinalEquity, 9);
        Assert.Equal(0, r.FinalPosition);
        Assert.Equal(1, r.RoundTrips);
    }

    [Fact]
    public void CommissionFractionPerUnitAndMinimum()
    {
        // fraction 0.001, per unit 0.05, minimum 1
        // fill 1: buy 10 at 100: 0.001*100*10 + 0.05*10 = 1 + 0.5 = 1.5 (> min)
        // fill 2: sell 1 at 100: 0.001*100*1 + 0.05*1 = 0.15 -> minimum 1
        var s = Bars((100, 100, 100, 100), (100, 100, 100, 100), (100, 100, 100, 100), (100, 100, 100, 100));
        var st = new ScriptStrategy().At(0, x => x.BuyMarket(10)).At(1, x => x.SellMarket(1));
        var r = BacktestEngine.Run(st, s, new EmulationSettings { CommissionFraction = 0.001, CommissionPerUnit = 0.05, MinCommission = 1 });
        Assert.Equal(new[] { 1.5, 1.0 }, r.Fills.Commission);
        Assert.Equal(2.5, r.Commission, 12);
        // cash: 10000 - 1000 - 1.5 + 100 - 1 = 9097.5; equity 9097.5 + 9 * 100 = 9997.5
        Assert.Equal(9097.5, r.Equity.Cash[3], 9);
        Assert.Equal(9997.5, r.FinalEquity, 9);
        Assert.Equal(2.5, r.Equity.Commission[3], 12);
        Assert.Equal(1.5, r.Equity.Commission[1], 12);
    }

    [Fact]
    public void NoCommissionWhenBothRatesAreZeroEvenWithMinimum()
    {
        var s = Bars((100, 100, 100, 100), (100, 100, 100, 100));
        var r = BacktestEngine.Run(new ScriptStrategy().At(0, x => x.BuyMarket(1)), s, new EmulationSettings { MinCommission = 5 });
        Assert.Equal(0, r.Commission);
    }

    [Fact]
    public void SlippageFractionAndSteps()
    {
        // slippage = price * 0.01 + 2 * 0.01 (price step) : buy at open 100 -> 100 + 1 + 0.02 = 101.02;
        // sell at open[2] 110 -> 110 - 1.1 - 0.02 = 108.88; limits never slip
        var s = Bars((100, 100, 100, 100), (100, 100, 100, 100), (110, 110, 110, 110), (110, 110, 100, 110));
        var st = new ScriptStrategy().At(0, x => x.BuyMarket(1)).At(1, x => x.SellMarket(1)).At(2, x => x.BuyLimit(105));
        var r = BacktestEngine.Run(st, s, new EmulationSettings { SlippageFraction = 0.01, SlippageSteps = 2 });
        Assert.Equal(101.02, r.Fills.Price[0], 9);
        Assert.Equal(108.88, r.Fills.Price[1], 9);
        Assert.Equal(105, r.Fills.Price[2], 9);
        Assert.Equal(108.88 - 101.02, r.Fills.RealizedPnL[1], 9);
    }

    [Fact]
    public void NothingFillsOnTheBarItWasPlaced()
    {
        // bar 0's own range (low 9) would satisfy a buy limit at 9.5, but the order exists only after bar 0 closed;
        // bar 1 low is 9.8 > 9.5 -> no fill; the market order fills at open[1] = 10.1
        var s = Bars((10, 10.2, 9, 10), (10.1, 10.3, 9.8, 10.2));
        var st = new ScriptStrategy().At(0, x => { x.BuyLimit(9.5); x.BuyMarket(1); });
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        Assert.Single(r.Trades);
        Assert.Equal(1, r.Fills.Bar[0]);
        Assert.Equal(10.1, r.Fills.Price[0]);
        Assert.Equal(OrderStates.Active, r.OrderList[0].State);
        Assert.Equal(0, r.Equity.Position[0]); // nothing at bar 0
    }

    [Fact]
    public void CloseModeFillsMarketOrdersAtTheClose()
    {
        // Close mode: market order placed at bar 0 fills at close[0] = 10 (bar 0), position already 1 in bar 0's row
        var s = Bars((10.5, 10.6, 9.9, 10), (10.1, 10.3, 9.8, 10.2));
        var st = new ScriptStrategy().At(0, x => x.BuyMarket(1));
        var r = BacktestEngine.Run(st, s, new EmulationSettings { MarketFill = MarketFillMode.Close });
        Assert.Equal(0, r.Fills.Bar[0]);
        Assert.Equal(10.0, r.Fills.Price[0]);
        Assert.Equal(1, r.Equity.Position[0]);
        // equity bar 1: 10000 - 10 + 10.2 = 10000.2
        Assert.Equal(10000.2, r.Equity.Equity[1], 9);
    }

    [Fact]
    public void SeveralOrdersInOneBarFollowTheConservativeOrder()
    {
        // placed at bar 0, in id order: 1 buy limit 9 (touched at low 8.5), 2 sell stop 9.2 (touched),
        // 3 buy stop 9.8 (gapped: open 10 >= 9.8), 4 buy market.
        // bar 1 order: market (4) at open 10, gapped (3) at open 10, stops (2) at 9.2, limits (1) at 9.
        var s = Bars((9.7, 9.9, 9.5, 9.6), (10, 10.2, 8.5, 9));
        var st = new ScriptStrategy().At(0, x => { x.BuyLimit(9); x.SellStop(9.2); x.BuyStop(9.8); x.BuyMarket(); });
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        Assert.Equal(new long[] { 4, 3, 2, 1 }, r.Fills.OrderId);
        Assert.Equal(new[] { 10.0, 10.0, 9.2, 9.0 }, r.Fills.Price);
        // position +1 +1 -1 +1 = 2; the sell at 9.2 closed 1 of avg 10: realized -0.8
        Assert.Equal(2, r.FinalPosition);
        Assert.Equal(-0.8, r.RealizedPnL, 9);
        // avg of the remaining: after the sell 1 @ avg 10; buy 1 @ 9 -> (10 + 9) / 2 = 9.5
        Assert.Equal(9.5, r.AveragePrice, 9);
        Assert.Equal(new[] { "order 4 Filled", "trade 4", "order 3 Filled", "trade 3", "order 2 Filled", "trade 2", "order 1 Filled", "trade 1" }, st.Events);
    }

    [Fact]
    public void CancelledOrderNeverFills()
    {
        var s = Bars((10, 10, 10, 10), (10, 10, 10, 10), (9, 9, 8, 9));
        Order? o = null;
        var st = new ScriptStrategy().At(0, x => o = x.BuyLimit(9.5)).At(1, x => Assert.True(x.CancelOrder(o!)));
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        Assert.Empty(r.Trades);
        Assert.Equal(OrderStates.Cancelled, o!.State);
        Assert.Equal(1, o.DoneBar);
    }

    [Fact]
    public void InvalidVolumeIsRejectedAtOnce()
    {
        var s = Bars((10, 10, 10, 10), (10, 10, 10, 10));
        Order? o = null;
        var r = BacktestEngine.Run(new ScriptStrategy().At(0, x => o = x.BuyMarket(0)), s, new EmulationSettings());
        Assert.Equal(OrderStates.Rejected, o!.State);
        Assert.Contains("invalid volume", o.RejectReason);
        Assert.Equal(1, r.RejectedCount);
    }

    [Fact]
    public void FlipCountsRoundTripsFifo()
    {
        // buy 1 @10 (bar1), sell 2 @12 (bar2: closes the long = 1 round trip, opens short 1), buy 1 @11 (bar3: 1 round trip)
        var s = Bars((10, 10, 10, 10), (10, 10, 10, 10), (12, 12, 12, 12), (11, 11, 11, 11));
        var st = new ScriptStrategy().At(0, x => x.BuyMarket(1)).At(1, x => x.SellMarket(2)).At(2, x => x.BuyMarket(1));
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        Assert.Equal(2, r.RoundTrips);
        // realized: (12 - 10) + (12 - 11) = 3
        Assert.Equal(new[] { 0.0, 2.0, 1.0 }, r.Fills.RealizedPnL);
        Assert.Equal(10003, r.FinalEquity, 9);

        // two entries closed by one exit: buy 1, buy 1, sell 2 -> 2 pairs
        var st2 = new ScriptStrategy().At(0, x => x.BuyMarket(1)).At(1, x => x.BuyMarket(1)).At(2, x => x.SellMarket(2));
        Assert.Equal(2, BacktestEngine.Run(st2, s, new EmulationSettings()).RoundTrips);
    }

    [Fact]
    public void MaxDrawdownFromPerBarEquity()
    {
        // long 100 units from open[1] = 10 (capital 10000, cash 9000); closes 10, 12, 9, 11
        // equity: 10000, 10200, 9900, 10100; peak 10200 -> 9900 / 10200 - 1 = -0.0294117647...
        var s = Bars((10, 10, 10, 10), (10, 12, 10, 12), (12, 12, 9, 9), (9, 11, 9, 11));
        var r = BacktestEngine.Run(new ScriptStrategy().At(0, x => x.BuyMarket(100)), s, new EmulationSettings());
        Assert.Equal(new[] { 10000.0, 10200, 9900, 10100 }, r.Equity.Equity);
        Assert.Equal(9900.0 / 10200.0 - 1, r.MaxDrawdown, 12);
    }

    [Fact]
    public void CallbackExceptionPropagates()
    {
        var s = Bars((10, 10, 10, 10), (10, 10, 10, 10));
        var st = new ScriptStrategy().At(1, x => throw new InvalidOperationException("boom"));
        var ex = Assert.Throws<InvalidOperationException>(() => BacktestEngine.Run(st, s, new EmulationSettings()));
        Assert.Equal("boom", ex.Message);
        // the strategy is released and can run again
        var r = BacktestEngine.Run(new ScriptStrategy(), s, new EmulationSettings());
        Assert.Equal(10000, r.FinalEquity);
    }

    [Fact]
    public void OrdersPlacedInOnStartedFillAtBarZero()
    {
        var s = Bars((10, 10, 10, 10), (11, 11, 11, 11));
        var st = new ScriptStrategy { Started = x => x.BuyMarket(1) };
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        Assert.Equal(0, r.Fills.Bar[0]);
        Assert.Equal(-1, r.OrderList[0].PlacedBar);
    }
}
