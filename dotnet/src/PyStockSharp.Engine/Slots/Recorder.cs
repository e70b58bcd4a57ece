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
