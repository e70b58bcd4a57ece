namespace PyStockSharp.Engine.Tests;

using static TestUtil;

/// <summary>
/// <see cref="RunMetrics"/> on a run worked out by hand, with and without per-bar capture, and through the optimizer.
/// </summary>
public class RunMetricsTests
{
    private const double Tol = 1e-12;

    // Five one-minute bars closing at 100, 110, 99, 105, 105; market orders fill at the bar's close; capital 1000;
    // commission 1 per unit. Bar 0 buys 1 (at 100), bar 1 sells it (at 110), bar 2 sells 1 short (at 99), bar 3 buys it
    // back (at 105).
    //   cash after each bar:  899, 1008, 1106, 1000, 1000     (each fill pays 1 of commission)
    //   position:             1,   0,    -1,   0,    0        -> exposure 2/5 = 0.4
    //   equity:               999, 1008, 1007, 1000, 1000     -> net profit 0, total return 0
    //   returns: r0 = 999/1000 - 1 = -1/1000, r1 = 1008/999 - 1 = 1/111, r2 = 1007/1008 - 1 = -1/1008,
    //            r3 = 1000/1007 - 1 = -7/1007, r4 = 0
    //   running peak 1000, 1008, 1008, 1008, 1008 -> drawdowns -1/1000, 0, -1/1008, -8/1008, -8/1008:
    //            max drawdown -1/126; under water 4 bars of 5 = 0.8; two drawdown periods of depths -1/1000 and -1/126
    //            -> average drawdown (-1/1000 - 1/126) / 2
    //   P = (5 - 1) / (240 s / 31,557,600 s) = 525,960 bars a year; growth 1 -> annualized return 0, Calmar 0
    //   round trips: long 100 -> 110: gross 10, commission 2, net +8; short 99 -> 105: gross -6, commission 2, net -8
    //            -> win rate 1/2, profit factor 8 / 8 = 1, expectancy 0, payoff 1, SQN sqrt(2) * 0 / std = 0,
    //               holding 60 s each, one win then one loss (streaks 1 and 1)
    private static readonly double[] Returns = { -1.0 / 1000, 1.0 / 111, -1.0 / 1008, -7.0 / 1007, 0.0 };

    private static (BacktestResult Run, ScriptStrategy Strategy) HandRun(bool capture, bool keepEquity)
    {
        var series = Bars((100, 100, 100, 100), (110, 110, 110, 110), (99, 99, 99, 99), (105, 105, 105, 105), (105, 105, 105, 105));
        var s = new ScriptStrategy()
            .At(0, x => x.BuyMarket(1)).At(1, x => x.SellMarket(1)).At(2, x => x.SellMarket(1)).At(3, x => x.BuyMarket(1));
        var settings = new EmulationSettings { InitialCapital = 1000, CommissionPerUnit = 1, MarketFill = MarketFillMode.Close };
        return (BacktestEngine.Run(s, series, settings, capture, keepEquity), s);
    }

    [Theory]
    [InlineData(true, false)]   // from the captured per-bar columns
    [InlineData(false, true)]   // from the equity tape (the optimizer's path without captures)
    public void HandWorkedRun(bool capture, bool keepEquity)
    {
        var (run, _) = HandRun(capture, keepEquity);
        Assert.True(run.HasMetricsInput);
        var m = RunMetrics.Compute(run);

        Assert.Equal(1000, m["initial_capital"]);
        Assert.Equal(1000, m["final_equity"], Tol);
        Assert.Equal(5, m["bars"]);
        Assert.Equal(525_960, m["periods_per_year"], 1e-6);
        Assert.Equal(0, m["risk_free_rate"]);
        Assert.Equal(0, m["total_return"], Tol);
        Assert.Equal(0, m["net_profit"], Tol);
        Assert.Equal(0, m["annualized_return"], Tol);
        Assert.Equal(4, m["commissions"], Tol);
        Assert.Equal(0.4, m["exposure_time"], Tol);

        // drawdowns
        Assert.Equal(-1.0 / 126, m["max_drawdown"], Tol);
        Assert.Equal(0.8, m["time_under_water"], Tol);
        Assert.Equal((-1.0 / 1000 - 1.0 / 126) / 2, m["average_drawdown"], Tol);
        Assert.Equal(0, m["calmar_ratio"], Tol);

        // return distribution: mean, std (ddof 1), Sharpe = mean / std * sqrt(P), Sortino = mean * P / (downside * sqrt P)
        double mean = Returns.Sum() / 5;
        double ss = Returns.Sum(r => (r - mean) * (r - mean));
        double std = Math.Sqrt(ss / 4);
        double downside = Math.Sqrt(Returns.Sum(r => Math.Min(r, 0) * Math.Min(r, 0)) / 5);
        Assert.Equal(mean, m["return_mean"], 1e-15);
        Assert.Equal(std, m["return_std"], 1e-15);
        Assert.Equal(mean / std * Math.Sqrt(525_960), m["sharpe_ratio"], 1e-9);
        Assert.Equal(std * Math.Sqrt(525_960), m["volatility"], 1e-9);
        Assert.Equal(mean * 525_960 / (downside * Math.Sqrt(525_960)), m["sortino_ratio"], 1e-9);
        double m2 = ss / 5, m3 = Returns.Sum(r => Math.Pow(r - mean, 3)) / 5, m4 = Returns.Sum(r => Math.Pow(r - mean, 4)) / 5;
        double skew = m3 / Math.Pow(m2, 1.5), kurt = m4 / (m2 * m2);
        Assert.Equal(skew, m["skewness"], 1e-9);
        Assert.Equal(kurt - 3, m["excess_kurtosis"], 1e-9);
        // PSR: z = SR sqrt(N - 1) / sqrt(1 - skew SR + (kurt - 1) / 4 SR^2), per-period SR
        double sr = mean / std;
        double z = sr * 2 / Math.Sqrt(1 - skew * sr + (kurt - 1) / 4 * sr * sr);
        Assert.Equal(RunMetrics.NormalCdf(z), m["probabilistic_sharpe_ratio"], 1e-12);
        Assert.InRange(m["probabilistic_sharpe_ratio"], 0.5, 1.0);   // mean > 0
        // sorted returns: -7/1007, -1/1000, -1/1008, 0, 1/111; linear quantile at h = 4 q
        double r3 = -7.0 / 1007, r0 = -1.0 / 1000;
        Assert.Equal(r3 + 4 * (1 - 0.95) * (r0 - r3), m["var_95"], 1e-15);
        Assert.Equal(r3 + 4 * (1 - 0.99) * (r0 - r3), m["var_99"], 1e-15);
        Assert.Equal(r3, m["cvar_95"], 1e-15);
        Assert.Equal(r3, m["cvar_99"], 1e-15);
        Assert.Equal(1.0 / 111, m["best_period"], 1e-15);
        Assert.Equal(r3, m["worst_period"], 1e-15);

        // round trips
        Assert.Equal(2, m["round_trips"]);
        Assert.Equal(0.5, m["win_rate"]);
        Assert.Equal(1, m["profit_factor"], Tol);
        Assert.Equal(8, m["gross_profit"], Tol);
        Assert.Equal(-8, m["gross_loss"], Tol);
        Assert.Equal(8, m["average_win"], Tol);
        Assert.Equal(-8, m["average_loss"], Tol);
        Assert.Equal(8, m["largest_win"], Tol);
        Assert.Equal(-8, m["largest_loss"], Tol);
        Assert.Equal(0, m["expectancy"], Tol);
        Assert.Equal(1, m["payoff_ratio"], Tol);
        Assert.Equal(0, m["sqn"], Tol);
        Assert.Equal(60, m["average_holding_time"]);
        Assert.Equal(60, m["median_holding_time"]);
        Assert.Equal(1, m["max_consecutive_wins"]);
        Assert.Equal(1, m["max_consecutive_losses"]);
        Assert.Equal(1, m["long_round_trips"]);
        Assert.Equal(1, m["long_win_rate"]);
        Assert.Equal(8, m["long_net_profit"], Tol);
        Assert.Equal(1, m["short_round_trips"]);
        Assert.Equal(0, m["short_win_rate"]);
        Assert.Equal(-8, m["short_net_profit"], Tol);
    }

    [Fact]
    public void TapeAndCaptureGiveIdenticalValuesAndARunWithNeitherRefuses()
    {
        var s = RandomWalk(800, seed: 9);
        var settings = new EmulationSettings { InitialCapital = 20_000, CommissionFraction = 0.001, SlippageSteps = 1 };
        var a = RunMetrics.Values(BacktestEngine.Run(new SmaCross { Fast = 5, Slow = 20 }, s, settings, true, false));
        var b = RunMetrics.Values(BacktestEngine.Run(new SmaCross { Fast = 5, Slow = 20 }, s, settings, false, true));
        Assert.Equal(a, b);
        Assert.True(a[Array.IndexOf(RunMetrics.Names, "round_trips")] > 5);
        var lean = BacktestEngine.Run(new SmaCross { Fast = 5, Slow = 20 }, s, settings, false, false);
        Assert.False(lean.HasMetricsInput);
        Assert.Throws<InvalidOperationException>(() => RunMetrics.Values(lean));
    }

    [Fact]
    public void NoTradeRunHasUndefinedTradeAndRiskRatios()
    {
        var series = Bars((100, 100, 100, 100), (101, 101, 101, 101), (102, 102, 102, 102));
        var run = BacktestEngine.Run(new ScriptStrategy(), series, new EmulationSettings { InitialCapital = 1000 }, false, true);
        var m = RunMetrics.Compute(run);
        Assert.Equal(0, m["round_trips"]);
        Assert.Equal(0, m["max_drawdown"]);
        Assert.Equal(0, m["return_std"]);
        foreach (var name in new[] { "win_rate", "profit_factor", "sqn", "expectancy", "sharpe_ratio", "sortino_ratio", "skewness",
                     "probabilistic_sharpe_ratio", "calmar_ratio", "average_drawdown", "average_holding_time", "long_win_rate" })
            Assert.True(double.IsNaN(m[name]), name);
    }

    [Fact]
    public void OptimizerFillsMetricsOnlyWhenAsked()
    {
        var s = RandomWalk(1500, seed: 4);
        var combos = BruteForceOptimizer.Combinations(new[] { "fast", "slow" }, new[] { 5.0, 20, 8, 40 });
        var settings = new EmulationSettings { InitialCapital = 50_000, CommissionFraction = 0.001 };
        var plain = BruteForceOptimizer.Run(() => new SmaCross(), combos, s, settings, workers: 2);
        var lean = BruteForceOptimizer.Run(() => new SmaCross(), combos, s, settings, workers: 2, computeMetrics: true);
        var full = BruteForceOptimizer.Run(() => new SmaCross(), combos, s, settings, workers: 2, keepCaptures: true, computeMetrics: true);
        Assert.All(plain, r => Assert.Null(r.MetricValues));
        for (int i = 0; i < combos.Count; i++)
        {
            Assert.Null(lean[i].Result);
            Assert.Equal(full[i].MetricValues, lean[i].MetricValues);
            Assert.Equal(RunMetrics.Values(full[i].Result!), lean[i].MetricValues);
            Assert.Equal(plain[i].NetProfit, lean[i].Metrics!["net_profit"], 1e-9);
            Assert.Equal(plain[i].RoundTrips, lean[i].Metrics!["round_trips"]);
            Assert.Equal(plain[i].MaxDrawdown, lean[i].Metrics!["max_drawdown"], 1e-12);
        }
        var matrix = BruteForceOptimizer.MetricMatrix(lean);
        Assert.Equal(lean.Length * RunMetrics.Names.Length, matrix.Length);
        Assert.Equal(lean[1].MetricValues, matrix.AsSpan(RunMetrics.Names.Length, RunMetrics.Names.Length).ToArray());
        Assert.All(BruteForceOptimizer.MetricMatrix(plain), v => Assert.True(double.IsNaN(v)));
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(7, 0.0)]
    [InlineData(1000, 0.0)]
    [InlineData(1000, 0.8)]      // mostly flat equity: long runs of equal (zero) returns
    [InlineData(20_001, 0.3)]
    [InlineData(200_000, 0.0)]   // the threshold path: one pass under a threshold from a strided sample
    [InlineData(200_000, 0.5)]
    [InlineData(50_000, 0.97)]   // the threshold is 0: the kept values are most of them, still exact
    public void VarFromSelectionEqualsVarFromTheFullySortedReturns(int n, double flatShare)
    {
        var rnd = new Random(n);
        var equity = new double[n];
        double e = 1000;
        for (int i = 0; i < n; i++) { if (rnd.NextDouble() >= flatShare) e *= 1 + (rnd.NextDouble() - 0.5) * 0.02; equity[i] = e; }
        var v = RunMetrics.Values(1000, equity, 0, n * Minute, 0, Array.Empty<MyTrade>());
        var r = new double[n];
        for (int i = 0; i < n; i++) r[i] = equity[i] / (i == 0 ? 1000 : equity[i - 1]) - 1;
        Array.Sort(r);
        Assert.Equal(RunMetrics.Quantile(r, 1.0 - 0.95), v[Array.IndexOf(RunMetrics.Names, "var_95")]);
        Assert.Equal(RunMetrics.Quantile(r, 1.0 - 0.99), v[Array.IndexOf(RunMetrics.Names, "var_99")]);
        foreach (var (level, q) in new[] { ("95", 1.0 - 0.95), ("99", 1.0 - 0.99) })
        {
            double var = RunMetrics.Quantile(r, q), sum = 0;   // CVaR: the mean of the returns at or below VaR
            int count = 0;
            foreach (double x in r) if (x <= var) { sum += x; count++; }
            Assert.Equal(sum / count, v[Array.IndexOf(RunMetrics.Names, "cvar_" + level)], 1e-15);
        }
        Assert.Equal(r[0], v[Array.IndexOf(RunMetrics.Names, "worst_period")]);
        Assert.Equal(r[^1], v[Array.IndexOf(RunMetrics.Names, "best_period")]);
    }

    [Fact]
    public void QuantileIsNumpysLinearMethodAndErfIsAccurate()
    {
        var x = new[] { 1.0, 2, 4, 8 };
        Assert.Equal(1.0, RunMetrics.Quantile(x, 0));
        Assert.Equal(8.0, RunMetrics.Quantile(x, 1));
        Assert.Equal(3.0, RunMetrics.Quantile(x, 0.5));                  // h = 1.5: 2 + 0.5 * 2
        Assert.Equal(1.15, RunMetrics.Quantile(x, 0.05), 1e-15);        // h = 0.15
        Assert.Equal(5.0, RunMetrics.Quantile(new[] { 5.0 }, 0.05));
        // erf at known points (Abramowitz & Stegun table values)
        Assert.Equal(0.8427007929497149, RunMetrics.Erf(1), 1e-15);
        Assert.Equal(-0.9953222650189527, RunMetrics.Erf(-2), 1e-15);
        Assert.Equal(0.9999779095030014, RunMetrics.Erf(3), 1e-15);
        Assert.Equal(0.5, RunMetrics.NormalCdf(0));
        Assert.Equal(0.9772498680518208, RunMetrics.NormalCdf(2), 1e-15);
        Assert.True(double.IsNaN(RunMetrics.NormalCdf(double.NaN)));
    }
}
