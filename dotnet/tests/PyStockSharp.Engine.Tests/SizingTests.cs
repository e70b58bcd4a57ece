namespace PyStockSharp.Engine.Tests;

/// <summary>Percent-of-equity sizing: <see cref="Strategy.VolumeForPercent"/> and <see cref="Strategy.OrderTargetPercent"/> (hand-worked).</summary>
public class SizingTests
{
    // opens 100, 104, 110, 108; closes 102, 106, 109, 108
    private static CandleSeries Bars() => TestUtil.Bars((100, 103, 99, 102), (104, 107, 103, 106), (110, 111, 108, 109), (108, 109, 107, 108));

    [Fact]
    public void TargetPercentBuysAndTrimsWholeUnitsOfTheEquityAtTheLastClose()
    {
        var seen = new List<double>();
        var s = new ScriptStrategy()
            .At(0, x => { seen.Add(x.VolumeForPercent(-0.3)); x.OrderTargetPercent(0.5); })
            .At(1, x => x.OrderTargetPercent(0.25))
            .At(2, x => Assert.Null(x.OrderTargetPercent(23 * 109 / x.Equity)));  // already there: no order
        var r = BacktestEngine.Run(s, Bars(), new EmulationSettings());
        // bar 0: 0.5 x 10,000 / 102 = 49.02 -> 49, bought at bar 1's open 104 (cash 4,904);
        // bar 1: equity 4,904 + 49 x 106 = 10,098; 0.25 x 10,098 / 106 = 23.8 -> 23: sell 26 at bar 2's open 110
        Assert.Equal(new[] { -29.0 }, seen);   // -0.3 x 10,000 / 102 = -29.4 -> -29 (toward zero)
        Assert.Equal(new[] { (Sides.Buy, 49.0, 104.0), (Sides.Sell, 26.0, 110.0) }, r.Trades.Select(t => (t.Side, t.Volume, t.Price)).ToArray());
        Assert.Equal(23, r.FinalPosition);
    }

    [Fact]
    public void PercentSizingCountsTheMultiplierAndTheVolumeStep()
    {
        double units = double.NaN;
        var s = new ScriptStrategy().At(0, x => units = x.VolumeForPercent(0.5));
        BacktestEngine.Run(s, Bars().WithSpecs(0.01, 5, enforceVolumeStep: true, multiplier: 2), new EmulationSettings());
        Assert.Equal(20, units);   // 0.5 x 10,000 / (102 x 2) = 24.5 -> 20 in steps of 5
    }
}
