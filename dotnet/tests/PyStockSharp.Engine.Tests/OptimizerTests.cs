namespace PyStockSharp.Engine.Tests;

using static TestUtil;

public class OptimizerTests
{
    private sealed class ThrowingCross : SmaCross
    {
        public override void OnStarted()
        {
            base.OnStarted();
            if (Fast == 13) throw new InvalidOperationException("fast 13 is unlucky");
        }
    }

    private static List<IReadOnlyDictionary<string, object>> Grid()
    {
        var combos = new List<IReadOnlyDictionary<string, object>>();
        foreach (var f in new[] { 3, 5, 8, 13 })
            foreach (var sl in new[] { 20, 30, 45 })
                combos.Add(new Dictionary<string, object> { ["fast"] = f, ["slow"] = (long)sl });
        return combos;
    }

    private static EmulationSettings Settings() => new() { InitialCapital = 50000, CommissionFraction = 0.001, SlippageSteps = 1 };

    [Fact]
    public void SameResultsWithOneOrTwoWorkersAndErrorsAreRecordedPerCombination()
    {
        var s = RandomWalk(3000, seed: 5);
        var combos = Grid();
        var seen = new List<int>();
        var one = BruteForceOptimizer.Run(() => new ThrowingCross(), combos, s, Settings(), workers: 1, onResult: r => seen.Add(r.Index));
        var two = BruteForceOptimizer.Run(() => new ThrowingCross(), combos, s, Settings(), workers: 2);
        Assert.Equal(12, one.Length);
        Assert.Equal(Enumerable.Range(0, 12), seen.OrderBy(x => x));
        for (int i = 0; i < combos.Count; i++)
        {
            Assert.Equal(i, one[i].Index);
            Assert.Equal(one[i].NetProfit, two[i].NetProfit);
            Assert.Equal(one[i].FinalEquity, two[i].FinalEquity);
            Assert.Equal(one[i].RoundTrips, two[i].RoundTrips);
            Assert.Equal(one[i].MaxDrawdown, two[i].MaxDrawdown);
            Assert.Equal(one[i].Commission, two[i].Commission);
            Assert.Equal(one[i].Error, two[i].Error);
        }
        // the 3 combinations with fast = 13 (indices 9, 10, 11) failed; the 9 others completed
        for (int i = 0; i < 12; i++)
        {
            if (i >= 9)
            {
                Assert.False(one[i].Ok);
                Assert.Equal("InvalidOperationException: fast 13 is unlucky", one[i].Error);
                Assert.Contains("ThrowingCross.OnStarted", one[i].ErrorStackTrace);
                Assert.True(double.IsNaN(one[i].NetProfit));
            }
            else
            {
                Assert.True(one[i].Ok, one[i].Error);
                Assert.True(one[i].FillCount > 0);
            }
        }
    }

    [Fact]
    public void OptimizerResultEqualsASingleRun()
    {
        var s = RandomWalk(3000, seed: 9);
        var combos = Grid();
        var res = BruteForceOptimizer.Run(() => new SmaCross(), combos, s, Settings(), workers: 2, keepCaptures: true);
        foreach (var i in new[] { 0, 4, 11 })
        {
            var st = new SmaCross();
            foreach (var kv in combos[i]) st.SetParameter(kv.Key, kv.Value);
            var single = BacktestEngine.Run(st, s, Settings());
            Assert.Equal(single.NetProfit, res[i].NetProfit);
            Assert.Equal(single.RoundTrips, res[i].RoundTrips);
            Assert.Equal(single.MaxDrawdown, res[i].MaxDrawdown);
            Assert.Equal(single.Commission, res[i].Commission);
            Assert.NotNull(res[i].Result);
            Assert.Equal(single.Equity.Equity, res[i].Result!.Equity.Equity);
            Assert.Same(s.Close, res[i].Result!.Equity.Close); // series shared, not copied
        }
        // without captures the summary (incl. on-the-fly max drawdown) is the same
        var lean = BruteForceOptimizer.Run(() => new SmaCross(), combos, s, Settings(), workers: 1);
        for (int i = 0; i < combos.Count; i++)
        {
            Assert.Null(lean[i].Result);
            Assert.Equal(res[i].MaxDrawdown, lean[i].MaxDrawdown);
            Assert.Equal(res[i].NetProfit, lean[i].NetProfit);
        }
    }

    [Fact]
    public void StreamingRunGivesTheSameResultsByIndex()
    {
        var s = RandomWalk(2000, seed: 21);
        var combos = Grid();
        var all = BruteForceOptimizer.Run(() => new ThrowingCross(), combos, s, Settings(), workers: 1);
        var streamed = new OptimizationResult?[combos.Count];
        int n = BruteForceOptimizer.RunStream(() => new ThrowingCross(), combos.Select(c => c), s, Settings(), 2, r => streamed[r.Index] = r);
        Assert.Equal(12, n);
        for (int i = 0; i < combos.Count; i++)
        {
            Assert.Equal(all[i].NetProfit, streamed[i]!.NetProfit);
            Assert.Equal(all[i].Error, streamed[i]!.Error);
            Assert.Same(combos[i], streamed[i]!.Parameters);
        }
    }

    [Fact]
    public void TextColumnsHoldIndicesIntoTheTexts()
    {
        // column "kind" is text: rows (fast 5, "Exponential"), (fast 10, "Simple"); fast stays a number
        var combos = BruteForceOptimizer.Combinations(new[] { "fast", "kind" }, new[] { 5.0, 1, 10, 0 },
            new[] { "Simple", "Exponential" }, new[] { false, true });
        Assert.Equal(5L, combos[0]["fast"]);
        Assert.Equal("Exponential", combos[0]["kind"]);
        Assert.Equal("Simple", combos[1]["kind"]);
        var bad = Assert.Throws<ArgumentException>(() => BruteForceOptimizer.Combinations(new[] { "kind" }, new[] { 2.0 },
            new[] { "Simple", "Exponential" }, new[] { true }));
        Assert.Contains("parameter 'kind': text index 2 outside the 2 texts given", bad.Message);
    }

    [Fact]
    public void GridFromRowMajorValuesAndFromOptimizeRanges()
    {
        // 2 rows x 2 names: (fast 5, slow 20), (fast 10, slow 2.5)
        var combos = BruteForceOptimizer.Combinations(new[] { "fast", "slow" }, new[] { 5.0, 20, 10, 2.5 });
        Assert.Equal(2, combos.Count);
        Assert.Equal(5L, combos[0]["fast"]);
        Assert.Equal(2.5, combos[1]["slow"]);
        var s = RandomWalk(500, seed: 1);
        var res = BruteForceOptimizer.RunGrid("sma_cross", new[] { "fast", "slow" }, new[] { 5.0, 20, 10, 2.5 }, s, Settings(), 2);
        Assert.True(res[0].Ok);
        Assert.Contains("parameter 'slow': expected a whole number", res[1].Error); // 2.5 rejected, run went on

        // SmaCross: fast 5..50 step 5 (10 values) x slow 20..200 step 10 (19 values) = 190
        var grid = BruteForceOptimizer.GridFromOptimize(new SmaCross());
        Assert.Equal(190, grid.Count);
        Assert.Equal(5, grid[0]["fast"]); Assert.Equal(20, grid[0]["slow"]);
        Assert.Equal(50, grid[189]["fast"]); Assert.Equal(200, grid[189]["slow"]);
    }
}
