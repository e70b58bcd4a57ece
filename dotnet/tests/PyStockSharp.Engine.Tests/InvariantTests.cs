namespace PyStockSharp.Engine.Tests;

/// <summary>Random order flow (seeded): the emulator's accounting and fill rules hold for every order and bar.</summary>
public class InvariantTests
{
    [Theory]
    [InlineData(1, MarketFillMode.NextOpen)]
    [InlineData(2, MarketFillMode.NextOpen)]
    [InlineData(3, MarketFillMode.Close)]
    [InlineData(4, MarketFillMode.Close)]
    public void RandomOrderFlowKeepsAccountingAndFillRules(int seed, MarketFillMode mode)
    {
        var s = TestUtil.RandomWalk(2000, seed);
        var set = new EmulationSettings
        {
            InitialCapital = 3000, CommissionFraction = 0.001, CommissionPerUnit = 0.02, MinCommission = 0.05,
            SlippageFraction = 0.0002, SlippageSteps = 1, MarketFill = mode,
        };
        var r = BacktestEngine.Run(new RandomOrderFlow(seed), s, set);
        Assert.True(r.FillCount > 300, $"fills {r.FillCount}");
        Assert.True(r.RejectedCount > 0, "capital 3000 on ~100 price should reject some orders");
        var byId = r.OrderList.ToDictionary(o => o.Id);

        // fill rules per order
        foreach (var t in r.Trades)
        {
            var o = byId[t.OrderId];
            int i = t.BarIndex;
            double open = s.Open[i], high = s.High[i], low = s.Low[i], close = s.Close[i];
            double slip(double p) => p * set.SlippageFraction + set.SlippageSteps * s.PriceStep;
            double sign = t.Side == Sides.Buy ? 1 : -1;
            Assert.Equal(OrderStates.Filled, o.State);
            Assert.Equal(o.FillPrice, t.Price);
            if (o.Type == OrderTypes.Market && mode == MarketFillMode.Close && i == o.PlacedBar)
                Assert.Equal(close + sign * slip(close), t.Price, 9);
            else
            {
                Assert.True(i > o.PlacedBar, $"order {o.Id} placed at {o.PlacedBar} filled at {i}");
                switch (o.Type)
                {
                    case OrderTypes.Market:
                        Assert.Equal(open + sign * slip(open), t.Price, 9);
                        break;
                    case OrderTypes.Limit:
                        Assert.True(sign > 0 ? t.Price <= o.Price : t.Price >= o.Price); // never worse than the limit
                        Assert.True(t.Price >= low && t.Price <= high);
                        Assert.Equal(sign > 0 ? Math.Min(open, o.Price) : Math.Max(open, o.Price), t.Price);
                        break;
                    case OrderTypes.Stop:
                        double trigger = sign > 0 ? Math.Max(open, o.Price) : Math.Min(open, o.Price);
                        Assert.Equal(trigger + sign * slip(trigger), t.Price, 9);
                        break;
                }
            }
            double comm = Math.Max(set.CommissionFraction * t.Price * t.Volume + set.CommissionPerUnit * t.Volume, set.MinCommission);
            Assert.Equal(comm, t.Commission, 12);
        }

        // per-bar accounting: position = sum of signed fills so far; cash = capital - sum(q p) - commission
        var e = r.Equity;
        int f = 0;
        double pos = 0, cash = set.InitialCapital;
        for (int i = 0; i < s.Count; i++)
        {
            for (; f < r.Trades.Count && r.Trades[f].BarIndex == i; f++)
            {
                var t = r.Trades[f];
                double q = t.Side == Sides.Buy ? t.Volume : -t.Volume;
                pos += q; cash -= q * t.Price + t.Commission;
            }
            Assert.Equal(pos, e.Position[i]);
            Assert.Equal(cash, e.Cash[i], 6);
            double eq = e.Cash[i] + e.Position[i] * s.Close[i];
            Assert.True(Math.Abs(e.Equity[i] - eq) <= 1e-9 * Math.Abs(eq));
            double viaPnl = set.InitialCapital + e.RealizedPnL[i] + e.UnrealizedPnL[i] - e.Commission[i];
            Assert.True(Math.Abs(e.Equity[i] - viaPnl) <= 1e-9 * Math.Abs(viaPnl), $"bar {i}: {e.Equity[i]} vs {viaPnl}");
        }
        Assert.Equal(r.Trades.Count, f);

        // rejected orders: only by buying power (volumes/prices were valid), each with a reason, never filled
        foreach (var o in r.OrderList.Where(o => o.State == OrderStates.Rejected))
        {
            Assert.StartsWith("insufficient buying power", o.RejectReason);
            Assert.DoesNotContain(r.Trades, t => t.OrderId == o.Id);
        }
        Assert.Equal(r.OrderList.Count(o => o.State == OrderStates.Rejected), r.RejectedCount);
    }
}
