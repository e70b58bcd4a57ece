using System.Runtime.CompilerServices;

namespace EngineSpeed;

/// <summary>What a run of the SMA cross ends with (money in account currency; drawdown a fraction ≤ 0).</summary>
internal readonly record struct CrossOutcome(double NetProfit, int Fills, double MaxDrawdown);

/// <summary>
/// The built-in <c>sma_cross</c> written as one bare loop over the arrays, with the engine's arithmetic: the same
/// incremental SMAs (ring buffer, exact re-sum once per cycle), the same cross rule, market orders filled at the next
/// bar's open (no slippage) with commission = fraction × price × volume, and the equity (cash + position × close) and its
/// running maximum drawdown every bar. No orders, brokerage, portfolio or strategy objects: the floor the engine is
/// measured against. Buying power is not checked (the benchmark's capital covers the position; the engine's run must
/// report no rejected order).
/// </summary>
internal static class BareSmaCross
{
    /// <summary>Runs the cross over <paramref name="open"/>/<paramref name="close"/> (price units).</summary>
    /// <param name="fast">fast SMA length, bars</param>
    /// <param name="slow">slow SMA length, bars</param>
    /// <param name="volume">position size when in the market, units</param>
    /// <param name="capital">initial cash, account currency</param>
    /// <param name="commissionFraction">commission as a fraction of each fill's notional</param>
    internal static CrossOutcome Run(double[] open, double[] close, int fast, int slow, double volume, double capital,
        double commissionFraction)
    {
        var fastSma = new RingSma(fast);
        var slowSma = new RingSma(slow);
        double cash = capital, pos = 0, pending = 0;   // pending: signed units of the market order to fill at the next open
        double prevFast = double.NaN, prevSlow = double.NaN, peak = capital, mdd = 0;
        int fills = 0, n = close.Length;
        if (open.Length < n) throw new ArgumentException("open is shorter than close");
        for (int i = 0; i < n; i++)
        {
            if (pending != 0)
            {
                double price = open[i];
                double comm = commissionFraction * price * Math.Abs(pending);
                cash -= pending * price + comm;
                pos += pending;
                pending = 0;
                fills++;
            }
            double x = close[i];
            double f = fastSma.Process(x), s = slowSma.Process(x);
            double pf = prevFast, ps = prevSlow;
            prevFast = f; prevSlow = s;
            if (!double.IsNaN(f) && !double.IsNaN(s) && !double.IsNaN(pf) && !double.IsNaN(ps))
            {
                if (pf <= ps && f > s) { if (pos <= 0) pending = volume - pos; }
                else if (pf >= ps && f < s) { if (pos >= 0) pending = -(volume + pos); }
            }
            double eq = cash + pos * x;
            if (eq > peak) peak = eq;
            else if (peak > 0) { double dd = eq / peak - 1; if (dd < mdd) mdd = dd; }
        }
        double last = n > 0 ? close[n - 1] : 0;
        return new CrossOutcome(cash + pos * last - capital, fills, mdd);
    }

    /// <summary>
    /// Simple moving average of the last <c>length</c> values with the engine's arithmetic (running sum, re-summed
    /// exactly each time the ring buffer wraps); NaN until <c>length</c> values were seen.
    /// </summary>
    private struct RingSma
    {
        private readonly double[] _buf;
        private int _pos, _count;
        private double _sum;

        internal RingSma(int length) { _buf = new double[length]; _pos = 0; _count = 0; _sum = 0; }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal double Process(double input)
        {
            var buf = _buf;
            int len = buf.Length;
            if (_count < len) { _count++; _sum += input; }
            else _sum += input - buf[_pos];
            buf[_pos] = input;
            if (++_pos == len) _pos = 0;
            if (_count < len) return double.NaN;
            if (_pos == 0) { double s = 0; for (int k = 0; k < len; k++) s += buf[k]; _sum = s; }
            return _sum / len;
        }
    }
}
