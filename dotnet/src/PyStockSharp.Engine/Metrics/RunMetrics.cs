using System.Buffers;

namespace PyStockSharp.Engine;

/// <summary>
/// The scalar performance metrics of one finished run, computed in the engine with the conventions of Python's
/// <c>pystocksharp.metrics.compute_metrics</c> (docs/metrics.md) and under its field names (<see cref="Names"/>), so that
/// the optimizer need not send each run's per-bar columns and fills to Python. Undefined values are NaN.
/// <para>
/// Conventions: fractions, not percent; money in the account currency; durations in seconds. Period returns are simple
/// returns of the equity marked at each row's close, the first against the initial capital. P (periods per year) is
/// inferred from the row times as <c>(N − 1) / span_years</c> (365.25-day years; NaN with fewer than 2 rows or no span).
/// The risk-free rate is 0. Standard deviations use ddof 1; skewness and kurtosis the moment estimators
/// <c>m3 / m2^1.5</c>, <c>m4 / m2^2</c>; standard deviations at or below <see cref="ZeroStd"/> count as zero and
/// drawdowns shallower than <see cref="ZeroDrawdown"/> as none. VaR is numpy's default (linear) quantile of the returns;
/// CVaR the mean of the returns at or below it. Round trips are FIFO-matched (entry fill, exit fill) pairs per
/// instrument, net of their pro-rated commissions.
/// </para>
/// Not computed (Python-only inputs): <c>beta</c> and <c>alpha</c> (they need a benchmark).
/// </summary>
public static class RunMetrics
{
    /// <summary>Standard deviations at or below this are zero (float noise of constant returns).</summary>
    public const double ZeroStd = 1e-12;
    /// <summary>Drawdowns shallower than this (relative) are float rounding, counted as 0.</summary>
    public const double ZeroDrawdown = 1e-12;
    /// <summary>Seconds in a 365.25-day year.</summary>
    public const double SecondsPerYear = 365.25 * 86400.0;

    /// <summary>The metrics' names, in <c>PerformanceMetrics</c>' field order; <see cref="Values(BacktestResult)"/> is aligned with it.</summary>
    public static readonly string[] Names =
    {
        "initial_capital", "final_equity", "bars", "periods_per_year", "risk_free_rate",
        "total_return", "annualized_return", "max_drawdown", "round_trips", "win_rate", "profit_factor", "net_profit",
        "gross_profit", "gross_loss", "exposure_time", "commissions",
        "sharpe_ratio", "sortino_ratio", "calmar_ratio", "volatility", "probabilistic_sharpe_ratio",
        "average_win", "average_loss", "largest_win", "largest_loss", "expectancy", "payoff_ratio", "sqn",
        "average_holding_time", "median_holding_time", "max_consecutive_wins", "max_consecutive_losses",
        "long_round_trips", "long_win_rate", "long_net_profit", "short_round_trips", "short_win_rate", "short_net_profit",
        "time_under_water", "average_drawdown",
        "return_mean", "return_std", "skewness", "excess_kurtosis", "var_95", "cvar_95", "var_99", "cvar_99",
        "best_period", "worst_period",
    };

    private static readonly Dictionary<string, int> Slot = Names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);

    /// <summary>The metrics of <paramref name="result"/> by name (see <see cref="Names"/>; NaN where undefined).</summary>
    public static IReadOnlyDictionary<string, double> Compute(BacktestResult result) => ToDictionary(Values(result));

    /// <summary>
    /// The metrics of <paramref name="result"/>, aligned with <see cref="Names"/>. The run must have its per-bar capture
    /// or its equity tape (<see cref="BacktestResult.HasMetricsInput"/>).
    /// </summary>
    public static double[] Values(BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.HasBarCapture)
        {
            var e = result.Equity;
            int exposed = 0;
            foreach (double q in e.Position) if (q != 0) exposed++;
            long first = e.Count > 0 ? e.Time[0] : 0, last = e.Count > 0 ? e.Time[e.Count - 1] : 0;
            return Values(result.InitialCapital, e.Equity, first, last, exposed, result.Trades);
        }
        if (result.Tape is { } tape)
            return Values(result.InitialCapital, tape.Equity, tape.FirstTime, tape.LastTime, tape.ExposedRows, result.Trades);
        throw new InvalidOperationException("the run kept neither its per-bar columns nor its equity: run it with captureBars or keepEquity");
    }

    /// <summary>
    /// The metrics of a run given as its initial capital (account currency, &gt; 0), each row's equity (marked at the row's
    /// close), the first and last row's times (UTC ns), the number of rows that held a position, and its fills in order.
    /// </summary>
    public static double[] Values(double initialCapital, double[] equity, long firstTime, long lastTime, int exposedRows,
        IReadOnlyList<MyTrade> fills)
    {
        ArgumentNullException.ThrowIfNull(equity);
        ArgumentNullException.ThrowIfNull(fills);
        if (equity.Length == 0) throw new ArgumentException("equity has no rows", nameof(equity));
        if (!(initialCapital > 0)) throw new ArgumentException($"initial capital must be > 0, got {initialCapital}", nameof(initialCapital));
        var v = new double[Names.Length];
        Array.Fill(v, double.NaN);
        int n = equity.Length;
        double p = PeriodsPerYear(n, firstTime, lastTime);
        Set(v, "initial_capital", initialCapital);
        Set(v, "final_equity", equity[n - 1]);
        Set(v, "bars", n);
        Set(v, "periods_per_year", p);
        Set(v, "risk_free_rate", 0.0);
        Set(v, "exposure_time", (double)exposedRows / n);
        double commissions = 0;
        for (int k = 0; k < fills.Count; k++) commissions += fills[k].Commission;   // indexed: no enumerator per run
        Set(v, "commissions", commissions);
        var pool = ArrayPool<double>.Shared;   // the returns and the VaR candidates: reused, not large objects per run
        int need = TailNeed(n);
        double threshold = SampledThreshold(equity, initialCapital, need);
        var buffer = pool.Rent(n);
        var kept = double.IsNaN(threshold) ? null : pool.Rent(n);
        try
        {
            var r = buffer.AsSpan(0, n);
            var scan = ReturnsAndScan(equity, initialCapital, r, threshold, kept, out int keptCount);
            var m = MomentsAndDrawdowns(r, scan.Sum, equity, initialCapital, out var drawdowns);
            ReturnMetrics(v, equity, initialCapital, m, scan, p);
            DrawdownMetrics(v, drawdowns, n);
            DistributionMetrics(v, n, kept != null && keptCount >= need ? kept.AsSpan(0, keptCount) : r, scan);
        }
        finally
        {
            pool.Return(buffer);
            if (kept != null) pool.Return(kept);
        }
        TradeMetrics(v, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(RoundTripMatcher.Match(fills)));
        return v;
    }

    /// <summary>Name → value of an array aligned with <see cref="Names"/>.</summary>
    public static IReadOnlyDictionary<string, double> ToDictionary(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Names.Length) throw new ArgumentException($"{values.Length} values for {Names.Length} names");
        var d = new Dictionary<string, double>(Names.Length, StringComparer.Ordinal);
        for (int k = 0; k < Names.Length; k++) d[Names[k]] = values[k];
        return d;
    }

    /// <summary>Observed rows per year, <c>(N − 1) / span_years</c>; NaN with fewer than 2 rows or no time span.</summary>
    public static double PeriodsPerYear(int rows, long firstTime, long lastTime)
    {
        if (rows < 2) return double.NaN;
        double span = (lastTime - firstTime) / 1e9 / SecondsPerYear;
        return span > 0 ? (rows - 1) / span : double.NaN;
    }

    private static void Set(double[] v, string name, double value) => v[Slot[name]] = value;

    /// <summary>What one pass over the returns gives: their sum, extremes, whether one is NaN, and the sum of squared
    /// negative returns (the downside deviation's).</summary>
    private readonly record struct ReturnScan(double Sum, double Min, double Max, bool AnyNaN, double DownSquares);

    /// <summary>Writes the simple return of each row into <paramref name="r"/> (<c>r_0 = e_0 / capital − 1</c>,
    /// <c>r_t = e_t / e_(t−1) − 1</c>) and scans them in the same pass; with <paramref name="kept"/> (capacity ≥ rows) it
    /// also copies there, in series order and branch-free, the returns at or below <paramref name="threshold"/>
    /// (<paramref name="keptCount"/> of them). ArgumentException when an equity is NaN or infinite.</summary>
    private static ReturnScan ReturnsAndScan(double[] equity, double capital, Span<double> r, double threshold, double[]? kept,
        out int keptCount)
    {
        double prev = capital, sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity, down = 0;
        bool nan = false, filter = kept != null;
        var dst = filter ? kept.AsSpan(0, equity.Length) : default;
        int count = 0;
        for (int i = 0; i < equity.Length; i++)
        {
            double e = equity[i];
            if (!double.IsFinite(e)) throw new ArgumentException("equity has NaN or infinite values", nameof(equity));
            double a = e / prev - 1.0;
            r[i] = a;
            if (filter)
            {
                dst[count] = a;
                count += a <= threshold ? 1 : 0;
            }
            prev = e;
            sum += a;
            if (a < min) min = a;
            if (a > max) max = a;
            double below = Math.Min(a, 0.0);   // no branch on the sign: half the returns are negative
            down += below * below;
            nan |= double.IsNaN(a);
        }
        keptCount = count;
        return new ReturnScan(sum, min, max, nan, down);
    }

    /// <summary>Mean, standard deviation (ddof 1), skewness and (non-excess) kurtosis; the moments are NaN when the
    /// standard deviation is zero (<see cref="ZeroStd"/>) or undefined.</summary>
    private readonly record struct Moments(double Mean, double Std, double Skewness, double Kurtosis, bool Flat);

    /// <remarks>One pass also runs <paramref name="drawdowns"/> over <paramref name="equity"/> (account currency): the
    /// moments' sums wait on their additions, which leaves room for the drawdowns' divisions; each accumulates in row order
    /// as it would alone.</remarks>
    private static Moments MomentsAndDrawdowns(ReadOnlySpan<double> x, double sum, double[] equity, double capital, out DrawdownTracker drawdowns)
    {
        int n = x.Length;
        if (equity.Length != n) throw new ArgumentException("one return per equity row expected", nameof(equity));
        double mean = sum / n;
        double s2 = 0, s3 = 0, s4 = 0;
        var dd = new DrawdownTracker(capital);
        for (int i = 0; i < n; i++)
        {
            double d = x[i] - mean, d2 = d * d;
            s2 += d2; s3 += d2 * d; s4 += d2 * d2;
            dd.Add(equity[i]);
        }
        drawdowns = dd;
        double m2 = s2 / n;
        double std = n > 1 ? Math.Sqrt(m2 * n / (n - 1)) : double.NaN;
        bool flat = !(std > ZeroStd);
        double skew = flat ? double.NaN : s3 / n / Math.Pow(m2, 1.5);
        double kurt = flat ? double.NaN : s4 / n / (m2 * m2);
        return new Moments(mean, std, skew, kurt, flat);
    }

    /// <summary>Total and annualized return, volatility, Sharpe, Sortino, probabilistic Sharpe and the return moments.</summary>
    private static void ReturnMetrics(double[] v, double[] equity, double capital, Moments m, ReturnScan scan, double p)
    {
        int n = equity.Length;
        double final = equity[n - 1];
        double growth = final / capital;
        Set(v, "total_return", final / capital - 1.0);
        Set(v, "net_profit", final - capital);
        double annual = growth > 0 ? Math.Pow(Math.Abs(growth), p / n) - 1.0 : double.NaN;
        Set(v, "annualized_return", annual);
        double sqrtP = Math.Sqrt(p);
        Set(v, "volatility", m.Std * sqrtP);
        double sr = m.Flat ? double.NaN : m.Mean / m.Std;   // per-period Sharpe ratio (risk-free rate 0)
        Set(v, "sharpe_ratio", sr * sqrtP);
        double downside = Math.Sqrt((scan.AnyNaN ? double.NaN : scan.DownSquares) / n);
        Set(v, "sortino_ratio", downside > ZeroStd ? m.Mean * p / (downside * sqrtP) : double.NaN);
        // PSR (Bailey & López de Prado 2012) against SR* = 0 on the per-period Sharpe ratio
        double denom = 1.0 - m.Skewness * sr + (m.Kurtosis - 1.0) / 4.0 * (sr * sr);
        double z = denom > 0 ? sr * Math.Sqrt(Math.Max(n - 1, 0)) / Math.Sqrt(denom) : double.NaN;
        Set(v, "probabilistic_sharpe_ratio", n >= 3 ? NormalCdf(z) : double.NaN);
        Set(v, "return_mean", m.Mean);
        Set(v, "return_std", m.Std);
        Set(v, "skewness", m.Skewness);
        Set(v, "excess_kurtosis", m.Kurtosis - 3.0);
    }

    /// <summary>Maximum and average drawdown, time under water and the Calmar ratio (needs the annualized return set), of
    /// <paramref name="rows"/> rows.</summary>
    private static void DrawdownMetrics(double[] v, DrawdownTracker d, int rows)
    {
        double depthSum = d.InRun ? d.DepthSum + d.RunMin : d.DepthSum;
        Set(v, "max_drawdown", d.Max + 0.0);
        Set(v, "time_under_water", (double)d.Under / rows);
        Set(v, "average_drawdown", d.Runs > 0 ? depthSum / d.Runs : double.NaN);
        Set(v, "calmar_ratio", d.Max < 0 ? v[Slot["annualized_return"]] / Math.Abs(d.Max) : double.NaN);
    }

    /// <summary>
    /// Drawdowns of an equity curve fed row by row (<see cref="Add"/>): each row's fall from the running peak (which starts
    /// at the initial capital), a fraction ≤ 0, 0 when shallower than <see cref="ZeroDrawdown"/>; the deepest
    /// (<see cref="Max"/>), the rows under water, and the runs under water with the sum of their deepest points (the run
    /// still open at the end, if any, in <see cref="RunMin"/>).
    /// </summary>
    private struct DrawdownTracker
    {
        private double _peak;
        internal double Max, DepthSum, RunMin;
        internal int Under, Runs;
        internal bool InRun;

        internal DrawdownTracker(double capital) { _peak = capital; }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal void Add(double e)
        {
            if (e > _peak) _peak = e;
            double dd = e / _peak - 1.0;
            if (dd > -ZeroDrawdown) dd = 0.0;
            if (dd < Max) Max = dd;
            if (dd < 0)
            {
                Under++;
                if (!InRun) { InRun = true; Runs++; RunMin = dd; }
                else if (dd < RunMin) RunMin = dd;
            }
            else if (InRun) { InRun = false; DepthSum += RunMin; }
        }
    }

    /// <summary>VaR and CVaR at 95% and 99%, best and worst period.</summary>
    /// <param name="v">the metrics, aligned with <see cref="Names"/></param>
    /// <param name="n">how many returns there are</param>
    /// <param name="candidates">the returns, or (in series order) those at or below a threshold when they include the
    /// <see cref="TailNeed"/> smallest: every return a VaR reads or a CVaR averages</param>
    /// <param name="scan">the returns' scan</param>
    private static void DistributionMetrics(double[] v, int n, ReadOnlySpan<double> candidates, ReturnScan scan)
    {
        Set(v, "best_period", scan.AnyNaN ? double.NaN : scan.Max);
        Set(v, "worst_period", scan.AnyNaN ? double.NaN : scan.Min);
        var tail = default(TailStats);
        if (!scan.AnyNaN) tail = Tail(n, candidates);
        Set(v, "var_95", tail.Var95);
        Set(v, "cvar_95", tail.Count95 > 0 ? tail.Sum95 / tail.Count95 : double.NaN);
        Set(v, "var_99", tail.Var99);
        Set(v, "cvar_99", tail.Count99 > 0 ? tail.Sum99 / tail.Count99 : double.NaN);
    }

    /// <summary>VaR at 95% and 99% (NaN when not computed) and the sum and count of the returns at or below each.</summary>
    private readonly record struct TailStats(double Var95, double Var99, double Sum95, int Count95, double Sum99, int Count99)
    {
        public TailStats() : this(double.NaN, double.NaN, 0, 0, 0, 0) { }
    }

    /// <summary>
    /// VaR at 95% and 99% of <paramref name="n"/> returns (no NaN) from the two order statistics each reads, and the sums
    /// for CVaR, from <paramref name="below"/> (see <see cref="DistributionMetrics"/>): selection on a pooled copy finds
    /// the order statistics, and one pass over them in series order sums those at or below each VaR (the same additions,
    /// in the same order, as a pass over all the returns).
    /// </summary>
    private static TailStats Tail(int n, ReadOnlySpan<double> below)
    {
        var work = ArrayPool<double>.Shared.Rent(below.Length);
        try
        {
            var sel = work.AsSpan(0, below.Length);
            below.CopyTo(sel);
            double var95 = SelectQuantile(sel, n, 1.0 - 0.95, out int k95);
            double var99 = SelectQuantile(sel[..Math.Min(k95 + 2, sel.Length)], n, 1.0 - 0.99, out _);   // k99 ≤ k95
            var (sum95, n95, sum99, n99) = SumsAtOrBelow(below, var95, var99);
            return new TailStats(var95, var99, sum95, n95, sum99, n99);
        }
        finally { ArrayPool<double>.Shared.Return(work); }
    }

    /// <summary>How many of the smallest of <paramref name="n"/> returns VaR 95 (and so VaR 99) reads.</summary>
    private static int TailNeed(int n) => Math.Min((int)Math.Floor((n - 1) * (1.0 - 0.95)) + 2, n);

    /// <summary>Sums and counts of the values of <paramref name="values"/> at or below <paramref name="x95"/> and at or
    /// below <paramref name="x99"/>, added in order (a NaN threshold takes none).</summary>
    private static (double Sum95, int Count95, double Sum99, int Count99) SumsAtOrBelow(ReadOnlySpan<double> values, double x95, double x99)
    {
        double sum95 = 0, sum99 = 0;
        int n95 = 0, n99 = 0;
        foreach (double a in values)
        {
            if (a <= x95) { sum95 += a; n95++; }
            if (a <= x99) { sum99 += a; n99++; }
        }
        return (sum95, n95, sum99, n99);
    }

    /// <summary>Values a threshold is estimated from (a strided, so deterministic, sample of the returns).</summary>
    private const int ThresholdSample = 2048;

    /// <summary>
    /// A threshold a little above the <paramref name="need"/>-th smallest of the returns of <paramref name="equity"/>
    /// (see <see cref="ReturnsAndScan"/>), estimated from a strided sample of them computed with the very same arithmetic;
    /// NaN when the series is small, the sample not finite, or the need a large share of the rows (then every return is a
    /// candidate). Whether it falls short is seen once the returns are counted against it.
    /// </summary>
    private static double SampledThreshold(double[] equity, double capital, int need)
    {
        int n = equity.Length;
        if (n < 8 * ThresholdSample || need * 8 > n) return double.NaN;
        int stride = n / ThresholdSample;
        Span<double> sample = stackalloc double[ThresholdSample];
        for (int j = 0; j < ThresholdSample; j++)
        {
            int i = j * stride;
            double a = equity[i] / (i == 0 ? capital : equity[i - 1]) - 1.0;
            if (!double.IsFinite(a)) return double.NaN;
            sample[j] = a;
        }
        int at = Math.Min(ThresholdSample - 1, (int)Math.Ceiling(1.5 * need / n * ThresholdSample) + 16);
        Select(sample, at);
        return sample[at];   // the sample's at-th smallest
    }

    /// <summary>
    /// The <paramref name="q"/> quantile (numpy's linear method, <see cref="Quantile(double[], double)"/>) of a sample of
    /// <paramref name="n"/> values whose smallest ones are in <paramref name="a"/> (as many as the quantile reads, any order;
    /// rearranged). On return a[k] is the k-th smallest and a[k + 1] the next (when there is one), a[..k] holds values at or
    /// below a[k], <paramref name="k"/> = ⌊(n − 1) q⌋: a[..(k + 2)] are the k + 2 smallest.
    /// </summary>
    private static double SelectQuantile(Span<double> a, int n, double q, out int k)
    {
        double h = (n - 1) * q;
        double lo = Math.Floor(h);
        k = (int)lo;
        if (h >= n - 1) { k = a.Length - 1; Select(a, k); return a[k]; }   // n = 1: the largest
        Select(a, k);
        int at = k + 1;   // the (k+1)-th smallest: the least of the rest, moved to a[k + 1]
        for (int i = k + 2; i < a.Length; i++) if (a[i] < a[at]) at = i;
        (a[k + 1], a[at]) = (a[at], a[k + 1]);
        return Interpolate(a[k], a[k + 1], h - lo);
    }

    /// <summary>
    /// Rearranges <paramref name="a"/> (no NaN) so that a[k] is its k-th smallest and a[..k] holds values at or below it
    /// (quickselect with a median-of-three pivot; each round splits the range into values below the pivot, equal to it
    /// and above it with two branch-free passes, so that neither random returns nor runs of equal ones cost mispredicted
    /// branches or rounds; after too many rounds it sorts what remains).
    /// </summary>
    private static void Select(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1, rounds = 0, limit = 2 * (int)Math.Log2(a.Length + 1) + 8;
        while (hi > lo)
        {
            if (++rounds > limit) { a.Slice(lo, hi - lo + 1).Sort(); return; }
            double x0 = a[lo], x1 = a[lo + (hi - lo) / 2], x2 = a[hi];
            double pivot = Math.Max(Math.Min(x0, x1), Math.Min(Math.Max(x0, x1), x2));
            int lt = lo + PartitionBelow(a[lo..(hi + 1)], pivot, orEqual: false);   // a[lo..lt) < pivot
            if (k < lt) { hi = lt - 1; continue; }
            int gt = lt + PartitionBelow(a[lt..(hi + 1)], pivot, orEqual: true);    // a[lt..gt) == pivot (one at least)
            if (k < gt) return;
            lo = gt;
        }
    }

    /// <summary>Moves the values of <paramref name="a"/> below <paramref name="pivot"/> (or at or below it when
    /// <paramref name="orEqual"/>) to its front, branch-free (each value is swapped into place and the front grows by
    /// the comparison's outcome); returns how many there are.</summary>
    private static int PartitionBelow(Span<double> a, double pivot, bool orEqual)
    {
        int w = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i];
            a[i] = a[w];
            a[w] = x;
            w += (orEqual ? x <= pivot : x < pivot) ? 1 : 0;
        }
        return w;
    }

    /// <summary>
    /// The <paramref name="q"/> quantile of <paramref name="sorted"/> (ascending, no NaN) as numpy's default "linear" method
    /// computes it: virtual index <c>h = (n − 1) q</c>, interpolated between its neighbours as numpy's <c>_lerp</c> does
    /// (from the upper neighbour when the weight is ≥ 0.5), so that the value is bit for bit numpy's.
    /// </summary>
    public static double Quantile(double[] sorted, double q) => Quantile(sorted, sorted.Length, q);

    /// <summary><see cref="Quantile(double[], double)"/> of a sample of <paramref name="n"/> values of which
    /// <paramref name="sortedPrefix"/> holds (at least) the smallest ones the quantile reads, ascending.</summary>
    private static double Quantile(double[] sortedPrefix, int n, double q)
    {
        if (n == 0) return double.NaN;
        double h = (n - 1) * q;
        if (h >= n - 1) return sortedPrefix[n - 1];
        if (h < 0) return sortedPrefix[0];
        double lo = Math.Floor(h);
        int k = (int)lo;
        return Interpolate(sortedPrefix[k], sortedPrefix[k + 1], h - lo);
    }

    /// <summary>numpy's <c>_lerp(a, b, t)</c>: from <paramref name="b"/> when the weight <paramref name="t"/> is ≥ 0.5.</summary>
    private static double Interpolate(double a, double b, double t)
    {
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    /// <summary>Round-trip statistics: counts, win rates, profit factor, averages, extremes, SQN, streaks, holding times.</summary>
    private static void TradeMetrics(double[] v, ReadOnlySpan<RoundTripMatcher.Trip> trips)
    {
        int n = trips.Length, nw = 0, nl = 0;
        double gp = 0, gl = 0, total = 0, largestWin = double.NegativeInfinity, largestLoss = double.PositiveInfinity;
        int streakW = 0, streakL = 0, maxW = 0, maxL = 0;
        foreach (var t in trips)
        {
            double pnl = t.Pnl;
            total += pnl;
            if (pnl > 0) { nw++; gp += pnl; largestWin = Math.Max(largestWin, pnl); streakW++; streakL = 0; }
            else if (pnl < 0) { nl++; gl += pnl; largestLoss = Math.Min(largestLoss, pnl); streakL++; streakW = 0; }
            else { streakW = 0; streakL = 0; }
            maxW = Math.Max(maxW, streakW); maxL = Math.Max(maxL, streakL);
        }
        double mean = n > 0 ? total / n : double.NaN;
        double avgWin = nw > 0 ? gp / nw : double.NaN, avgLoss = nl > 0 ? gl / nl : double.NaN;
        Set(v, "round_trips", n);
        Set(v, "gross_profit", gp);
        Set(v, "gross_loss", gl);
        Set(v, "win_rate", n > 0 ? (double)nw / n : double.NaN);
        Set(v, "profit_factor", nl > 0 ? gp / Math.Abs(gl) : double.NaN);
        Set(v, "average_win", avgWin);
        Set(v, "average_loss", avgLoss);
        Set(v, "largest_win", nw > 0 ? largestWin : double.NaN);
        Set(v, "largest_loss", nl > 0 ? largestLoss : double.NaN);
        Set(v, "expectancy", mean);
        Set(v, "payoff_ratio", nw > 0 && nl > 0 ? avgWin / Math.Abs(avgLoss) : double.NaN);
        double ss = 0;
        foreach (var t in trips) { double d = t.Pnl - mean; ss += d * d; }
        double std = Math.Sqrt(ss / (n - 1));
        Set(v, "sqn", n > 1 && std > ZeroStd ? Math.Sqrt(n) * mean / std : double.NaN);
        Set(v, "max_consecutive_wins", maxW);
        Set(v, "max_consecutive_losses", maxL);
        HoldingTimes(v, trips);
        SideMetrics(v, trips, long_: true);
        SideMetrics(v, trips, long_: false);
    }

    /// <summary>Mean and median holding time of the round trips, seconds.</summary>
    private static void HoldingTimes(double[] v, ReadOnlySpan<RoundTripMatcher.Trip> trips)
    {
        int n = trips.Length;
        if (n == 0) return;
        var buffer = ArrayPool<double>.Shared.Rent(n);
        try
        {
            var hold = buffer.AsSpan(0, n);
            double sum = 0;
            for (int k = 0; k < n; k++) { hold[k] = trips[k].HoldingSeconds; sum += hold[k]; }
            Set(v, "average_holding_time", sum / n);
            Set(v, "median_holding_time", Median(hold));
        }
        finally { ArrayPool<double>.Shared.Return(buffer); }
    }

    /// <summary>The median of <paramref name="x"/> (not empty, no NaN; rearranged): the middle order statistic, or the
    /// mean of the two middle ones, found by selection.</summary>
    private static double Median(Span<double> x)
    {
        int n = x.Length, k = n / 2;
        Select(x, k);
        if (n % 2 == 1) return x[k];
        double below = x[0];   // the (k−1)-th smallest: the largest of x[..k]
        for (int i = 1; i < k; i++) if (x[i] > below) below = x[i];
        return (below + x[k]) / 2.0;
    }

    /// <summary>Round trips, win rate and net profit of the long (entry a buy) or the short round trips.</summary>
    private static void SideMetrics(double[] v, ReadOnlySpan<RoundTripMatcher.Trip> trips, bool long_)
    {
        int count = 0, wins = 0;
        double net = 0;
        foreach (var t in trips)
        {
            if (t.Long != long_) continue;
            count++;
            if (t.Pnl > 0) wins++;
            net += t.Pnl;
        }
        string side = long_ ? "long" : "short";
        Set(v, side + "_round_trips", count);
        Set(v, side + "_win_rate", count > 0 ? (double)wins / count : double.NaN);
        Set(v, side + "_net_profit", net);
    }

    /// <summary>Standard normal CDF, <c>(1 + erf(z / √2)) / 2</c> (the same expression as Python's), NaN passed through.</summary>
    public static double NormalCdf(double z) => 0.5 * (1.0 + Erf(z / Math.Sqrt(2.0)));

    /// <summary>
    /// The error function to a few units in the last place: for |x| &lt; 6 the everywhere-convergent series of positive terms
    /// <c>erf x = (2/√π) e^(−x²) Σ (2x²)^k x / (1·3·…·(2k+1))</c> (no cancellation); beyond, ±1 (erf 6 rounds to 1).
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        if (ax >= 6.0) return Math.Sign(x);
        if (ax == 0) return x;
        double x2 = ax * ax, term = ax, sum = ax;
        for (int k = 1; k < 1000; k++)
        {
            term *= 2.0 * x2 / (2 * k + 1);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        double value = 2.0 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum;
        return x < 0 ? -Math.Min(value, 1.0) : Math.Min(value, 1.0);
    }
}

/// <summary>
/// FIFO matching of a run's fills into round trips, as Python's <c>pystocksharp.metrics.trades.match_fifo</c>: per
/// instrument, open lots are a queue of (fill, remaining volume); a fill against the queue's direction closes lots from the
/// front, the rest opens a lot its own way. Volumes are matched as exact decimals (fill volumes are quantities of 15
/// significant digits). Lots still open at the end are not round trips.
/// </summary>
public static class RoundTripMatcher
{
    /// <summary>One matched (entry fill, exit fill) pair: <see cref="Pnl"/> is net of its pro-rated commissions (money:
    /// quantity × price × the instrument's multiplier); <see cref="HoldingSeconds"/> is exit time − entry time.</summary>
    public readonly record struct Trip(bool Long, double Volume, double GrossPnl, double Commission, double Pnl, double HoldingSeconds);

    /// <summary>The round trips of <paramref name="fills"/> (in the order recorded), in exit order.</summary>
    /// <remarks>When every volume is a whole number below <see cref="BacktestRun.WholeLimit"/> the volumes are matched as
    /// longs (exact, as decimals are, and without decimal arithmetic).</remarks>
    public static List<Trip> Match(IReadOnlyList<MyTrade> fills)
    {
        ArgumentNullException.ThrowIfNull(fills);
        return BacktestResult.AllWholeVolumes(fills) ? Match<long>(fills) : Match<decimal>(fills);
    }

    /// <summary>One instrument's open lots: (fill index, remaining volume), oldest first from <see cref="Head"/>, all of
    /// one direction (<see cref="Sign"/>: +1 long, −1 short).</summary>
    private sealed class Book<T> where T : struct
    {
        internal readonly List<(int Fill, T Remaining)> Lots = new();
        internal int Head;
        internal int Sign;
    }

    /// <summary><see cref="Match(IReadOnlyList{MyTrade})"/> with volumes held as <typeparamref name="T"/>, into which each
    /// fill's volume converts exactly.</summary>
    private static List<Trip> Match<T>(IReadOnlyList<MyTrade> fills) where T : struct, System.Numerics.INumber<T>
    {
        var trips = new List<Trip>();
        var books = new Dictionary<string, Book<T>>(StringComparer.Ordinal);
        string? lastKey = null;
        Book<T>? book = null;
        for (int i = 0; i < fills.Count; i++)
        {
            var f = fills[i];
            string key = f.Instrument?.Id ?? "";
            if (book == null || !ReferenceEquals(key, lastKey))
            {
                if (!books.TryGetValue(key, out book)) books[key] = book = new Book<T>();
                lastKey = key;
            }
            int sign = f.Side == Sides.Buy ? 1 : -1;
            T remaining = T.CreateChecked(f.Volume);
            var lots = book.Lots;
            while (remaining > T.Zero && book.Head < lots.Count && book.Sign != sign)
            {
                var (fill, left) = lots[book.Head];
                T vol = T.Min(left, remaining);
                trips.Add(MakeTrip(fills[fill], f, double.CreateChecked(vol)));
                left -= vol;
                remaining -= vol;
                if (left <= T.Zero) book.Head++;
                else lots[book.Head] = (fill, left);
            }
            if (remaining > T.Zero)
            {
                if (book.Head == lots.Count) { lots.Clear(); book.Head = 0; }
                lots.Add((i, remaining));
                book.Sign = sign;
            }
        }
        return trips;
    }

    private static Trip MakeTrip(MyTrade entry, MyTrade exit, double vol)
    {
        double sign = entry.Side == Sides.Buy ? 1 : -1;
        double mult = entry.Instrument?.Multiplier ?? 1.0;
        double gross = sign * (exit.Price - entry.Price) * vol;
        if (mult != 1.0) gross *= mult;
        double commission = (entry.Commission / entry.Volume + exit.Commission / exit.Volume) * vol;
        return new Trip(sign > 0, vol, gross, commission, gross - commission, (exit.Time - entry.Time) / 1e9);
    }
}
