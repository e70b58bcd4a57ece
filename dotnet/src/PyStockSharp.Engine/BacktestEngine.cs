namespace PyStockSharp.Engine;

/// <summary>Runs strategies over candle series.</summary>
public static class BacktestEngine
{
    /// <summary>
    /// Runs <paramref name="strategy"/> bar by bar. Exceptions thrown by the strategy's callbacks
    /// propagate unchanged (the run is abandoned).
    /// </summary>
    public static BacktestResult Run(Strategy strategy, CandleSeries series, EmulationSettings? settings = null)
        => Run(strategy, series, settings, captureBars: true);

    /// <summary>
    /// As <see cref="Run(Strategy, CandleSeries, EmulationSettings?)"/>; with <paramref name="captureBars"/> false the
    /// per-bar columns are not kept (summary, fills and orders are; MaxDrawdown is computed on the fly).
    /// </summary>
    public static BacktestResult Run(Strategy strategy, CandleSeries series, EmulationSettings? settings, bool captureBars)
        => Run(strategy, series, settings, captureBars, keepEquity: false);

    /// <summary>
    /// As <see cref="Run(Strategy, CandleSeries, EmulationSettings?, bool)"/>; with <paramref name="keepEquity"/> (and no
    /// <paramref name="captureBars"/>) the run keeps only each row's equity and exposure, enough for
    /// <see cref="RunMetrics.Compute(BacktestResult)"/> (one <c>double</c> per bar instead of six columns).
    /// </summary>
    public static BacktestResult Run(Strategy strategy, CandleSeries series, EmulationSettings? settings, bool captureBars, bool keepEquity)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(series);
        if (strategy.TimeFrameSubscriptions.Count > 0) return Run(strategy, new[] { series }, settings, captureBars, keepEquity);
        return Execute(strategy, settings, s => new BacktestRun(strategy, series, s, captureBars, keepEquity), run => run.Execute());
    }

    /// <summary>
    /// Runs <paramref name="strategy"/> over several series on one clock (see <see cref="PortfolioRun"/>): series k is
    /// instrument k (its symbol, price step), the first is the primary (<see cref="Strategy.OnBar"/>, Position, the equity
    /// row's close); the others reach <see cref="Strategy.OnSeriesBar"/>. One series: the same as the single-series run.
    /// </summary>
    public static BacktestResult Run(Strategy strategy, IReadOnlyList<CandleSeries> series, EmulationSettings? settings, bool captureBars)
        => Run(strategy, series, settings, captureBars, keepEquity: false);

    /// <summary>The several-series run with <paramref name="keepEquity"/> as for the single-series one.</summary>
    public static BacktestResult Run(Strategy strategy, IReadOnlyList<CandleSeries> series, EmulationSettings? settings, bool captureBars,
        bool keepEquity)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("no series to run on", nameof(series));
        foreach (var s in series) ArgumentNullException.ThrowIfNull(s, nameof(series));
        if (strategy.TimeFrameSubscriptions.Count > 0) series = WithSubscriptions(strategy, series);
        else if (series.Count == 1) return Run(strategy, series[0], settings, captureBars, keepEquity);
        return Execute(strategy, settings, s => new PortfolioRun(strategy, series, s, captureBars, keepEquity), run => run.Execute());
    }

    /// <summary>Validates a copy of the settings, makes the run (the strategy's context) and executes it; the strategy
    /// is released from it however the run ends.</summary>
    private static BacktestResult Execute<TRun>(Strategy strategy, EmulationSettings? settings, Func<EmulationSettings, TRun> make,
        Func<TRun, BacktestResult> execute) where TRun : IStrategyContext
    {
        settings = (settings ?? new EmulationSettings()).Clone();
        settings.Validate();
        if (strategy.Context != null) throw new InvalidOperationException($"strategy '{strategy.Name}' is already running");
        var run = make(settings);
        strategy.Context = run;
        try { return execute(run); }
        finally { strategy.Context = null; }
    }

    /// <summary>The data's series and, after them, the primary's candles in each time frame the strategy subscribed to.</summary>
    private static CandleSeries[] WithSubscriptions(Strategy strategy, IReadOnlyList<CandleSeries> series)
    {
        var all = series.ToList();
        foreach (var tf in strategy.TimeFrameSubscriptions)
        {
            try { all.Add(series[0].Resample(tf)); }
            catch (ArgumentException e) { throw new StrategyInputException("timeframe", $"strategy '{strategy.Name}' subscribes to {e.Message}"); }
        }
        return all.ToArray();
    }

    /// <summary>
    /// Vectorized strategies: at each bar i (after the bar closed) a market order for
    /// <c>targetPositions[i] - Position</c> when non-zero, emulated with the same rules as <see cref="Run"/>.
    /// NaN targets mean "no change".
    /// </summary>
    public static BacktestResult RunTargets(CandleSeries series, double[] targetPositions, EmulationSettings? settings = null)
        => RunTargets(series, targetPositions, settings, weights: false);

    /// <summary>
    /// Like <see cref="RunTargets(CandleSeries, double[], EmulationSettings?)"/>; with <paramref name="weights"/> each target is a
    /// fraction of the equity (1 = all of it long, -0.5 = half of it short), turned into units at that bar by
    /// <see cref="Strategy.VolumeForPercent"/>.
    /// </summary>
    public static BacktestResult RunTargets(CandleSeries series, double[] targetPositions, EmulationSettings? settings, bool weights)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(targetPositions);
        if (targetPositions.Length != series.Count)
            throw new ArgumentException($"targetPositions has {targetPositions.Length} values, the series {series.Count} bars");
        return Run(new TargetPositionStrategy(targetPositions, weights), series, settings);
    }
}

/// <summary>
/// Trades toward a precomputed target position per bar, in units or as a fraction of the equity (used by
/// <see cref="BacktestEngine.RunTargets(CandleSeries, double[], EmulationSettings?, bool)"/>). An order still
/// working from an earlier bar (filled in parts under volume participation) is kept while its balance is what the target
/// still needs, else cancelled and replaced by one for target − position.
/// </summary>
public sealed class TargetPositionStrategy : Strategy
{
    private readonly double[] _targets;
    private readonly bool _weights;
    private Order? _working;
    public TargetPositionStrategy(double[] targets, bool weights = false)
    {
        _targets = targets ?? throw new ArgumentNullException(nameof(targets)); _weights = weights; Name = "targets";
    }

    public override void OnBar(int index)
    {
        double t = _targets[index];
        if (double.IsNaN(t)) return;
        if (_weights) t = VolumeForPercent(t);
        double d = t - Position;
        var w = _working;
        if (w != null)
        {
            _working = null;
            if (w.State == OrderStates.Active)
            {
                if ((w.Side == Sides.Buy ? w.Balance : -w.Balance) == d) { _working = w; return; }
                CancelOrder(w);
            }
        }
        if (d > 0) _working = BuyMarket(d);
        else if (d < 0) _working = SellMarket(-d);
    }
}
