namespace PyStockSharp.Engine.Tests;

/// <summary>Instrument specs: contract multiplier, enforced volume step, an instrument's own commission (hand-worked).</summary>
public class InstrumentSpecTests
{
    // opens 100, 104, 110, 108; closes 102, 106, 109, 108
    private static CandleSeries Bars() => TestUtil.Bars((100, 103, 99, 102), (104, 107, 103, 106), (110, 111, 108, 109), (108, 109, 107, 108));

    [Fact]
    public void AMultiplierScalesCashPnLEquityAndTheCommissionFraction()
    {
        var series = Bars().WithSpecs(0.25, 1, enforceVolumeStep: false, multiplier: 50);
        var s = new ScriptStrategy().At(0, x => x.BuyMarket(2)).At(1, x => x.SellMarket(2));
        var r = BacktestEngine.Run(s, series, new EmulationSettings { InitialCapital = 100_000, CommissionFraction = 0.001 }, captureBars: true);
        // bought 2 at bar 1's open 104, sold 2 at bar 2's open 110: (110 - 104) * 2 * 50 = 600 gross;
        // commission 0.001 * notional: 0.001 * 104 * 2 * 50 = 10.4 and 0.001 * 110 * 2 * 50 = 11
        Assert.Equal(600, r.RealizedPnL, 9);
        Assert.Equal(21.4, r.Commission, 9);
        Assert.Equal(100_000 + 600 - 21.4, r.FinalEquity, 9);
        // bar 1 (long 2 at 104, close 106): equity = cash + 2 * 106 * 50 = 100000 - 10.4 + 2 * (106 - 104) * 50
        Assert.Equal(100_000 - 10.4 + 200, r.Equity.Equity[1], 9);
        Assert.Equal(200, r.Equity.UnrealizedPnL[1], 9);
    }

    [Fact]
    public void BuyingPowerCountsTheMultiplier()
    {
        var series = Bars().WithSpecs(0.25, 1, enforceVolumeStep: false, multiplier: 50);
        // 10,000 of capital: 2 contracts at 104 need 2 * 104 * 50 = 10,400 > 10,000 (leverage 1): rejected
        var r = BacktestEngine.Run(new ScriptStrategy().At(0, x => x.BuyMarket(2)), series, new EmulationSettings());
        Assert.Equal(0, r.FillCount);
        Assert.Equal(1, r.RejectedCount);
        Assert.StartsWith("insufficient buying power: position 2 at 104 needs 10400", r.OrderList[0].RejectReason);
    }

    [Fact]
    public void AnEnforcedVolumeStepRoundsOrdersDownAndRejectsOrdersBelowOneStep()
    {
        var series = Bars().WithSpecs(0.01, 5, enforceVolumeStep: true, multiplier: 1);
        var s = new ScriptStrategy().At(0, x => x.BuyMarket(12)).At(1, x => x.SellMarket(3)).At(2, x => x.SellMarket(10.000000001));
        var r = BacktestEngine.Run(s, series, new EmulationSettings { InitialCapital = 100_000 });
        Assert.Equal(new[] { 10.0, 10.0 }, r.Trades.Select(t => t.Volume).ToArray());   // 12 -> 10; 10.000000001 -> 10
        var rejected = r.OrderList.Single(o => o.State == OrderStates.Rejected);
        Assert.Equal("volume 3 is below the volume step 5 of TEST", rejected.RejectReason);
        Assert.Equal(0, r.FinalPosition);
    }

    [Fact]
    public void AVolumeStepThatIsNotEnforcedLeavesVolumesAsGiven()
    {
        var s = new ScriptStrategy().At(0, x => x.BuyMarket(0.3));
        var r = BacktestEngine.Run(s, Bars().WithSpecs(0.01, 5, enforceVolumeStep: false, multiplier: 1), new EmulationSettings());
        Assert.Equal(0.3, r.Trades.Single().Volume);
    }

    [Fact]
    public void AnInstrumentsOwnCommissionReplacesTheRunsOnThatInstrumentOnly()
    {
        var a = Bars().WithSpecs(0.01, 1, false, 1, commissionFraction: double.NaN, commissionPerUnit: 2.5);
        var b = TestUtil.Bars((100, 103, 99, 102), (104, 107, 103, 106), (110, 111, 108, 109), (108, 109, 107, 108));
        b = new CandleSeries("OTHER", "1d", b.OpenTimes, b.Open, b.High, b.Low, b.Close, b.Volume);
        var s = new ScriptStrategy().At(0, x => { x.BuyMarket(1); x.BuyMarket(x.Context!.Instruments[1], 1); });
        var r = BacktestEngine.Run(s, new[] { a, b }, new EmulationSettings { InitialCapital = 100_000, CommissionFraction = 0.001 }, captureBars: false);
        // TEST: 2.5 per unit (its own fee model); OTHER: the run's 0.001 * 104 * 1
        Assert.Equal(new[] { 2.5, 0.104 }, r.Trades.Select(t => Math.Round(t.Commission, 12)).ToArray());
    }
}
