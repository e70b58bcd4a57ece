using System.Security.Cryptography;
using System.Text;

namespace PyStockSharp.Engine.Tests;

/// <summary>
/// Bit-identical results across engine refactors: seeded random order flows under several settings, hashed over every
/// fill, order, per-bar row, summary value and callback. The expected digests were recorded with the engine before it
/// was split into slots (data feed, brokerage with fill/fee/slippage/buying-power models, portfolio, recorder); a
/// change of any bit of any result changes them.
/// </summary>
public class GoldenTests
{
    private static EmulationSettings Settings(int variant) => variant switch
    {
        0 => new EmulationSettings(),
        1 => new EmulationSettings
        {
            InitialCapital = 3000, CommissionFraction = 0.001, CommissionPerUnit = 0.02, MinCommission = 0.05,
            SlippageFraction = 0.0002, SlippageSteps = 1,
        },
        2 => new EmulationSettings { InitialCapital = 5000, MarketFill = MarketFillMode.Close, SlippageSteps = 2, MinCommission = 1 },
        3 => new EmulationSettings { InitialCapital = 20000, Leverage = 0.5, CommissionFraction = 0.0005 },
        _ => new EmulationSettings { InitialCapital = 1000, Leverage = 3, CommissionPerUnit = 0.01, MarketFill = MarketFillMode.Close },
    };

    internal static string Digest(BacktestResult r, string events)
    {
        using var sha = SHA256.Create();
        var b = new StringBuilder();
        void D(double v) => b.Append(BitConverter.DoubleToInt64Bits(v)).Append(',');
        D(r.FinalEquity); D(r.NetProfit); D(r.RealizedPnL); D(r.UnrealizedPnL); D(r.Commission); D(r.FinalPosition);
        D(r.AveragePrice); D(r.MaxDrawdown);
        b.Append(r.FillCount).Append(',').Append(r.RoundTrips).Append(',').Append(r.OrderCount).Append(',').Append(r.RejectedCount).Append('|');
        foreach (var t in r.Trades)
        {
            b.Append(t.OrderId).Append(',').Append(t.BarIndex).Append(',').Append(t.Time).Append(',').Append((int)t.Side).Append(',');
            D(t.Price); D(t.Volume); D(t.Commission); D(t.RealizedPnL);
        }
        b.Append('|');
        foreach (var o in r.OrderList)
        {
            b.Append(o.Id).Append(',').Append((int)o.Side).Append(',').Append((int)o.Type).Append(',').Append((int)o.State).Append(',')
                .Append(o.PlacedBar).Append(',').Append(o.DoneBar).Append(',').Append(o.RejectReason).Append(',');
            D(o.Volume); D(o.Price); D(o.FillPrice);
        }
        b.Append('|');
        var e = r.Equity;
        for (int i = 0; i < e.Count; i++) { D(e.Position[i]); D(e.Cash[i]); D(e.Equity[i]); D(e.RealizedPnL[i]); D(e.UnrealizedPnL[i]); D(e.Commission[i]); }
        b.Append('|').Append(events);
        return Convert.ToHexString(sha.ComputeHash(Encoding.UTF8.GetBytes(b.ToString())))[..16];
    }

    [Theory]
    [InlineData(1, 0, false, true, "81CF58BF0BD1ACAB")]
    [InlineData(2, 1, false, true, "AE311349196501FC")]
    [InlineData(3, 2, false, true, "995E6BA4096D8D06")]
    [InlineData(4, 3, true, true, "A67B95B6B529325C")]
    [InlineData(5, 4, true, true, "7659FFE93DB38673")]
    [InlineData(6, 1, true, false, "9BAC78F44DA6B00B")]
    [InlineData(7, 2, false, false, "93F3BD9BC85F7E91")]
    public void RandomFlowIsBitIdenticalToTheRecordedEngine(int seed, int variant, bool fractional, bool capture, string expected)
    {
        var s = TestUtil.RandomWalk(3000, seed);
        var strategy = new RandomOrderFlow(seed, fractional);
        var r = BacktestEngine.Run(strategy, s, Settings(variant), capture);
        Assert.True(r.FillCount > 100, $"fills {r.FillCount}");
        Assert.Equal(expected, Digest(r, strategy.Events.ToString()));
    }
}
