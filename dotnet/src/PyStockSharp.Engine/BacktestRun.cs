using System.Runtime.CompilerServices;

namespace PyStockSharp.Engine;

/// <summary>The state of a finished run the result is made from.</summary>
internal readonly record struct RunSummary(double Pos, double Avg, double Cash, double Realized, double Commission,
    double FinalEquity, double Unrealized, double MaxDrawdown);

/// <summary>
/// One backtest: the data feed's bar loop (one series, its arrays read in place) driving the simulated brokerage, the
/// strategy and the recorder, over a portfolio. Per bar i: the brokerage fills what executes during bar i; the strategy
/// handles the bar; fills at its close (when the fill model does that); the recorder takes the row. The strategy sees
/// this run only as its <see cref="IStrategyContext"/>. See docs/engine-api.md, "Emulation rules" and "Slots".
/// </summary>
internal sealed class BacktestRun : IStrategyContext, IBrokerageEvents
{
    private readonly Strategy _strategy;
    private readonly long[] _t;
    private readonly double[] _o, _h, _l, _c, _v;
    private readonly Portfolio _portfolio;
    private readonly InstrumentPosition _position;
    private readonly SimulatedBrokerage _broker;
    private readonly BarRecorder _recorder;
    private readonly EquityTape? _tape;     // without capture, when metrics are wanted
    private readonly Instrument[] _instruments;
    private readonly CandleSeries[] _allSeries;
    internal int Cur = -1;

    internal BacktestRun(Strategy strategy, CandleSeries series, EmulationSettings settings, bool captureBars = true, bool keepEquity = false)
    {
        _strategy = strategy; Series = series; Settings = settings;
        _t = series.OpenTimes; _o = series.Open; _h = series.High; _l = series.Low; _c = series.Close; _v = series.Volume;
        Instrument = Instrument.Of(series);
        _portfolio = new Portfolio(settings.InitialCapital);
        _position = _portfolio.PositionOf(Instrument);
        _broker = SimulatedBrokerage.FromSettings(settings, _portfolio, this);
        _broker.AddInstrument(Instrument, _t);
        _instruments = new[] { Instrument };
        _allSeries = new[] { series };
        _recorder = new BarRecorder(series.Count, captureBars);
        _tape = !captureBars && keepEquity ? new EquityTape(series.Count) : null;
    }

    public CandleSeries Series { get; }
    public EmulationSettings Settings { get; }
    public Instrument Instrument { get; }
    public Portfolio Portfolio => _portfolio;
    public int CurrentIndex => Cur;
    public double Position => _position.Qty;
    public double AveragePrice => _position.Avg;
    public double Cash => _portfolio.CashValue;
    public double Equity => Cur >= 0 ? _portfolio.CashValue + _position.Qty * _c[Cur] * _position.Mult : _portfolio.CashValue;
    public double RealizedPnL => _portfolio.RealizedTotal;
    public double UnrealizedPnL => Cur >= 0 && _position.Qty != 0 ? _position.Qty * (_c[Cur] - _position.Avg) * _position.Mult : 0;
    public double Commission => _portfolio.CommissionTotal;
    public IReadOnlyList<Order> Orders => _broker.OrderList;
    public IReadOnlyList<MyTrade> MyTrades => _broker.TradeList;

    public IReadOnlyList<Instrument> Instruments => _instruments;
    public IReadOnlyList<CandleSeries> AllSeries => _allSeries;
    public int LastIndexOf(int series) => series == 0 ? Cur : throw new ArgumentOutOfRangeException(nameof(series), $"series {series}: this run has one series");
    public double PositionOf(Instrument instrument) => ReferenceEquals(instrument, Instrument) ? _position.Qty
        : throw new ArgumentException($"instrument {instrument?.Id ?? "null"} is not traded in this run; traded: {Instrument.Id}");

    public Order Place(Sides side, OrderTypes type, double volume, double price) => _broker.Place(Instrument, side, type, volume, price, Cur);
    public Order Place(Instrument instrument, Sides side, OrderTypes type, double volume, double price) => _broker.Place(instrument, side, type, volume, price, Cur);
    public bool Cancel(Order order) => _broker.Cancel(order, Cur);
    public void CancelAll() => _broker.CancelAll(Cur);

    void IBrokerageEvents.OrderChanged(Order order) => _strategy.RunOrderChanged(order);
    void IBrokerageEvents.Filled(Order order, MyTrade trade) => _strategy.RunFilled(order, trade);

    private Candle Bar(int i) => new(i, _t[i], _o[i], _h[i], _l[i], _c[i], _v[i]);

    /// <summary>The brokerage fills what executes during bar <paramref name="i"/>. Out of line: it runs on the few bars with
    /// active orders, and inlined it would crowd the bar loops' registers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FillOnBar(int i) => _broker.FillOnBar(0, Bar(i));

    /// <summary>The brokerage fills at bar <paramref name="i"/>'s close (fill models that do). Out of line, as <see cref="FillOnBar"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FillAtClose(int i) => _broker.FillAtClose(0, Bar(i));

    internal BacktestResult Execute()
    {
        var s = _strategy;
        s.RunStarted();
        if (_recorder.Capture) RunCaptured();
        else if (_tape is { } tape) _recorder.SetMaxDrawdown(RunOntoTape(tape));
        else
        {
            var none = new NoRows();
            _recorder.SetMaxDrawdown(RunSummaryOnly(ref none));
        }
        s.RunStopped();
        int n = _t.Length;
        var c = _c;
        var broker = _broker;
        var pf = _portfolio;
        var position = _position;
        double mult = position.Mult;
        var rec = _recorder;
        double lastClose = n > 0 ? c[n - 1] : 0;
        double pos = position.Qty, cash = pf.CashValue;
        var summary = new RunSummary(pos, position.Avg, cash, pf.RealizedTotal, pf.CommissionTotal,
            n > 0 ? cash + pos * lastClose * mult : cash, n > 0 && pos != 0 ? pos * (lastClose - position.Avg) * mult : 0, rec.MaxDrawdown);
        return new BacktestResult(Series, Settings, s.Name, broker.OrderList.ToArray(), broker.TradeList, broker.RejectedCount,
            rec.Position, rec.Cash, rec.Equity, rec.Realized, rec.Unrealized, rec.Commission, summary, rec.Capture, tape: _tape);
    }

    /// <summary>The bar loop with per-bar capture: each row's position, cash, equity, realized and unrealized PnL and
    /// cumulative commission (account currency) into the recorder's columns.</summary>
    private void RunCaptured()
    {
        var s = _strategy;
        bool post = s.WantsBarRecorded;
        int n = _t.Length;
        var c = _c;
        var broker = _broker;
        var pf = _portfolio;
        var position = _position;
        double mult = position.Mult;
        var rec = _recorder;
        bool atClose = broker.FillModel.FillsAtClose;
        var posCol = rec.Position; var cashCol = rec.Cash; var eqCol = rec.Equity; var realCol = rec.Realized;
        var unrealCol = rec.Unrealized; var commCol = rec.Commission;
        if (posCol.Length < n || cashCol.Length < n || eqCol.Length < n || realCol.Length < n || unrealCol.Length < n || commCol.Length < n || c.Length < n)
            throw new InvalidOperationException("column length mismatch");
        for (int i = 0; i < n; i++)
        {
            Cur = i;
            if (broker.HasActive) FillOnBar(i);
            double close = c[i];
            position.MarkPrice = close;
            s.RunBar(i);
            if (atClose && broker.HasActive) FillAtClose(i);
            double q = position.Qty, money = pf.CashValue;
            posCol[i] = q;
            cashCol[i] = money;
            eqCol[i] = money + q * close * mult;
            realCol[i] = pf.RealizedTotal;
            unrealCol[i] = q != 0 ? q * (close - position.Avg) * mult : 0;
            commCol[i] = pf.CommissionTotal;
            if (post) s.RunBarRecorded(i);
        }
    }

    /// <summary>The summary loop writing every row's equity straight into <paramref name="tape"/> (one row per bar);
    /// returns the maximum drawdown.</summary>
    private double RunOntoTape(EquityTape tape)
    {
        int n = _t.Length;
        var rows = new TapeRows(tape.Reserve(n));
        double mdd = RunSummaryOnly(ref rows);
        if (n > 0) tape.Complete(n, _t[0], _t[n - 1], rows.Exposed);
        return mdd;
    }

    /// <summary>What the summary loop does with each row besides the drawdown (a struct: the loop is compiled for each).</summary>
    private interface IRowSink
    {
        /// <summary>Row <paramref name="i"/> has <paramref name="equity"/> (account currency); <paramref name="exposed"/>:
        /// a position is held after it.</summary>
        void Row(int i, double equity, bool exposed);
    }

    /// <summary>Nothing kept (summary only).</summary>
    private struct NoRows : IRowSink
    {
        public readonly void Row(int i, double equity, bool exposed) { }
    }

    /// <summary>Each row's equity into an equity tape's buffer, and the count of exposed rows.</summary>
    private struct TapeRows : IRowSink
    {
        private readonly double[] _equity;
        internal int Exposed;
        internal TapeRows(double[] equity) { _equity = equity; Exposed = 0; }
        public void Row(int i, double equity, bool exposed)
        {
            _equity[i] = equity;
            Exposed += exposed ? 1 : 0;
        }
    }

    /// <summary>The bar loop without capture: each row's equity (account currency) feeds the running maximum drawdown
    /// (returned, a fraction ≤ 0, against a peak that starts at the initial capital) and <paramref name="sinkRef"/>.</summary>
    private double RunSummaryOnly<TSink>(ref TSink sinkRef) where TSink : struct, IRowSink
    {
        var sink = sinkRef;   // a local copy the loop can keep in registers
        var s = _strategy;
        bool post = s.WantsBarRecorded;
        int n = _t.Length;
        var c = _c;
        var broker = _broker;
        var pf = _portfolio;
        var position = _position;
        double mult = position.Mult;
        bool atClose = broker.FillModel.FillsAtClose;
        double peak = Settings.InitialCapital, mdd = 0;   // the running drawdown, kept in registers
        if (c.Length < n) throw new InvalidOperationException("column length mismatch");
        for (int i = 0; i < n; i++)
        {
            Cur = i;
            if (broker.HasActive) FillOnBar(i);
            position.MarkPrice = c[i];
            s.RunBar(i);
            if (atClose && broker.HasActive) FillAtClose(i);
            double eq = pf.CashValue + position.Qty * c[i] * mult;
            sink.Row(i, eq, position.Qty != 0);
            if (eq > peak) peak = eq;
            else if (peak > 0) { double dd = eq / peak - 1; if (dd < mdd) mdd = dd; }
            if (post) s.RunBarRecorded(i);
        }
        sinkRef = sink;
        return mdd;
    }

    /// <summary>
    /// A quantity as the engine keeps it: the double of its decimal to 15 significant digits (what a price or
    /// volume written in decimal means), so quantities add up exactly — 0.1 + 0.2 − 0.3 is flat, not 5.55e-17.
    /// Non-finite or huge values are returned as they are (and rejected by the caller).
    /// </summary>
    /// <remarks>A whole number of units other than 0 below <see cref="WholeLimit"/> is its own decimal (15 digits at most)
    /// and comes back unchanged: returned without the conversions.</remarks>
    internal static double Quantity(double v)
    {
        if (IsWholeNonZero(v)) return v;
        return double.IsFinite(v) && Math.Abs(v) < 7.9e27 ? (double)(decimal)v : v;
    }

    /// <summary><paramref name="a"/> + <paramref name="b"/> of two quantities, computed in decimal.</summary>
    /// <remarks>Two whole numbers below <see cref="WholeLimit"/> add up exactly in double as in decimal (the sum is below
    /// 2^53); a zero sum still goes through decimal, which gives it the sign (−1 + 1 is −0 there).</remarks>
    internal static double AddQuantities(double a, double b)
    {
        if (IsWhole(a) && IsWhole(b))
        {
            double sum = a + b;
            if (sum != 0) return sum;
        }
        return (double)((decimal)a + (decimal)b);
    }

    /// <summary>Quantities (units) below this in magnitude that are whole numbers have at most 15 digits: exact in decimal
    /// and in double, as are their sums.</summary>
    internal const double WholeLimit = 1e15;

    /// <summary>True for a whole number of magnitude below <see cref="WholeLimit"/>, ±0 included (false for NaN).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static bool IsWhole(double v) => Math.Abs(v) < WholeLimit && v == Math.Floor(v);

    /// <summary><see cref="IsWhole"/> and not ±0 (the decimal of −0 is 0).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static bool IsWholeNonZero(double v) => v != 0 && IsWhole(v);
}
