namespace PyStockSharp.Engine;

/// <summary>
/// The results recorder's columns (the run loop writes them in place): one row per bar, after the bar's fills and the strategy's decision (position, cash, equity,
/// realized and unrealized PnL, cumulative commission). Without capture it keeps only the running maximum drawdown.
/// </summary>
internal sealed class BarRecorder
{
    internal readonly double[] Position, Cash, Equity, Realized, Unrealized, Commission;
    internal readonly bool Capture;
    private double _mdd;

    internal BarRecorder(int bars, bool capture)
    {
        Capture = capture;
        int m = capture ? bars : 0;
        Position = GC.AllocateUninitializedArray<double>(m); Cash = GC.AllocateUninitializedArray<double>(m);
        Equity = GC.AllocateUninitializedArray<double>(m); Realized = GC.AllocateUninitializedArray<double>(m);
        Unrealized = GC.AllocateUninitializedArray<double>(m); Commission = GC.AllocateUninitializedArray<double>(m);
    }

    /// <summary>Largest fall of equity from its running peak (a fraction &lt;= 0), when not capturing; NaN otherwise.</summary>
    internal double MaxDrawdown => Capture ? double.NaN : _mdd;

    /// <summary>The drawdown the run loop tracked without capture.</summary>
    internal void SetMaxDrawdown(double mdd) => _mdd = mdd;
}

/// <summary>
/// What <see cref="RunMetrics"/> needs of a run whose per-bar columns are not captured (the optimizer asked for metrics but
/// not for captures): each row's equity (account currency, marked at the row's close, the very value the captured
/// <c>Equity</c> column would hold), the first and last row's time (UTC ns) and how many rows held a non-zero position of
/// the primary instrument. One <c>double</c> per row, nothing else.
/// </summary>
internal sealed class EquityTape
{
    private double[] _equity;

    internal EquityTape(int capacity) => _equity = GC.AllocateUninitializedArray<double>(Math.Max(capacity, 0));

    internal int Count { get; private set; }
    internal int ExposedRows { get; private set; }
    internal long FirstTime { get; private set; }
    internal long LastTime { get; private set; }
    internal double[] Equity => Count == _equity.Length ? _equity : (_equity = _equity[..Count]);

    /// <summary>The buffer to write <paramref name="rows"/> rows' equity into directly (then <see cref="Complete"/>).</summary>
    internal double[] Reserve(int rows)
    {
        if (_equity.Length < rows) _equity = GC.AllocateUninitializedArray<double>(rows);
        return _equity;
    }

    /// <summary>The first <paramref name="rows"/> (&gt; 0) values of <see cref="Reserve"/>'s buffer were written: the first
    /// and last row's time (UTC ns) and how many rows held a position.</summary>
    internal void Complete(int rows, long firstTime, long lastTime, int exposedRows)
    {
        Count = rows; FirstTime = firstTime; LastTime = lastTime; ExposedRows = exposedRows;
    }

    /// <summary>Records one row: its time (UTC ns), its equity and whether a position was held after it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void Add(long time, double equity, bool exposed)
    {
        if (Count == 0) FirstTime = time;
        LastTime = time;
        if (Count == _equity.Length) Array.Resize(ref _equity, Math.Max(4, 2 * Count));
        _equity[Count++] = equity;
        if (exposed) ExposedRows++;
    }
}
