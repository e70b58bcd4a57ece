namespace PyStockSharp.Engine;

/// <summary>
/// A backtest over several series (one instrument each) on one clock: the data feed merges their bars by close time
/// (open + <see cref="CandleSeries.BarNanoseconds"/>), so a bar reaches the strategy only once it has closed, whatever
/// its time frame. Per step (one close time t):
/// 1. every instrument with a bar closing at t fills what executes during that bar (series order);
/// 2. those bars' closes become their positions' marks;
/// 3. the strategy handles them: <see cref="Strategy.OnSeriesBar"/> for the other series (in order), then
///    <see cref="Strategy.OnBar"/> for the first (primary) series, last, so it sees every series up to t;
/// 4. fills at those bars' closes (when the fill model does that);
/// 5. the recorder takes the portfolio's row (equity = cash + Σ quantity × mark), when a traded series (not only
///    another time frame of one) had a bar closing at t.
/// An order for instrument k placed at step t fills from k's first bar that opens at or after t. Several series of one
/// symbol are time frames of one instrument: the first trades it (fills and marks), the others are read-only.
/// </summary>
internal sealed class PortfolioRun : IStrategyContext, IBrokerageEvents
{
    private readonly Strategy _strategy;
    private readonly CandleSeries[] _series;
    private readonly Instrument[] _instruments;          // per series (another time frame of an instrument repeats it)
    private readonly Instrument[] _distinct;             // each instrument once, in order of first series
    private readonly InstrumentPosition[] _positions;    // per series
    private readonly int[] _book;                        // per series: the brokerage's book of its instrument
    private readonly bool[] _trading;                    // per series: the first series of its instrument (fills, marks)
    private readonly Portfolio _portfolio;
    private readonly SimulatedBrokerage _broker;
    private readonly int[] _last;      // per series: index of its last delivered bar (-1 before)
    private readonly long[] _times;    // the clock: distinct close times, ascending
    private long _now = long.MinValue; // close time of the current step
    private readonly bool _capture;
    private readonly EquityTape? _tape;     // without capture, when metrics are wanted

    internal PortfolioRun(Strategy strategy, IReadOnlyList<CandleSeries> series, EmulationSettings settings, bool captureBars,
        bool keepEquity = false)
    {
        _strategy = strategy; Settings = settings; _capture = captureBars;
        _tape = !captureBars && keepEquity ? new EquityTape(series.Count > 0 ? series[0].Count : 0) : null;
        _series = series.ToArray();
        int n = _series.Length;
        _instruments = new Instrument[n];
        _positions = new InstrumentPosition[n];
        _book = new int[n];
        _trading = new bool[n];
        _portfolio = new Portfolio(settings.InitialCapital);
        _broker = SimulatedBrokerage.FromSettings(settings, _portfolio, this);
        var bySymbol = new Dictionary<string, int>(StringComparer.Ordinal);   // symbol -> its trading series
        var distinct = new List<Instrument>();
        for (int k = 0; k < n; k++)
        {
            var s = _series[k];
            CheckIncreasing(s);
            if (bySymbol.TryGetValue(s.Symbol, out int first))
            {   // another time frame of an instrument: read-only, its orders fill on the first series of the symbol
                _instruments[k] = _instruments[first]; _positions[k] = _positions[first]; _book[k] = _book[first];
                continue;
            }
            bySymbol[s.Symbol] = k;
            _instruments[k] = Instrument.Of(s);
            _positions[k] = _portfolio.PositionOf(_instruments[k]);
            _book[k] = _broker.AddInstrument(_instruments[k], s.OpenTimes);
            _trading[k] = true;
            distinct.Add(_instruments[k]);
        }
        _distinct = distinct.ToArray();
        _last = Enumerable.Repeat(-1, n).ToArray();
        _times = Clock(_series);
    }

    private static void CheckIncreasing(CandleSeries s)
    {
        var t = s.OpenTimes;
        for (int i = 1; i < t.Length; i++)
            if (t[i] <= t[i - 1]) throw new ArgumentException($"series {s.Symbol}: bar times must increase (bar {i})");
    }

    /// <summary>Distinct close times of all series, ascending.</summary>
    private static long[] Clock(CandleSeries[] series)
    {
        var all = new List<long>();
        foreach (var s in series)
        {
            long d = s.BarNanoseconds;
            foreach (var t in s.OpenTimes) all.Add(t + d);
        }
        all.Sort();
        int w = 0;
        for (int r = 0; r < all.Count; r++) if (w == 0 || all[r] != all[w - 1]) all[w++] = all[r];
        return all.GetRange(0, w).ToArray();
    }

    public CandleSeries Series => _series[0];
    public EmulationSettings Settings { get; }
    public Instrument Instrument => _instruments[0];
    public IReadOnlyList<Instrument> Instruments => _instruments;
    public IReadOnlyList<CandleSeries> AllSeries => _series;
    public Portfolio Portfolio => _portfolio;
    public int CurrentIndex => _last[0];
    public double Position => _positions[0].Qty;
    public double AveragePrice => _positions[0].Avg;
    public double Cash => _portfolio.CashValue;
    public double Equity => _portfolio.Equity;
    public double RealizedPnL => _portfolio.RealizedTotal;
    public double UnrealizedPnL => Unrealized();
    public double Commission => _portfolio.CommissionTotal;
    public IReadOnlyList<Order> Orders => _broker.OrderList;
    public IReadOnlyList<MyTrade> MyTrades => _broker.TradeList;
    public int LastIndexOf(int series) => _last[series];
    public double PositionOf(Instrument instrument) => _positions[IndexOf(instrument)].Qty;
    /// <summary>Each instrument once.</summary>
    internal IReadOnlyList<Instrument> DistinctInstruments => _distinct;

    public Order Place(Sides side, OrderTypes type, double volume, double price) => Place(_instruments[0], side, type, volume, price);

    public Order Place(Instrument instrument, Sides side, OrderTypes type, double volume, double price)
        => _broker.Place(instrument, side, type, volume, price, OpenedBefore(IndexOf(instrument), _now));

    public bool Cancel(Order order) => _broker.Cancel(order, order?.Instrument is { } i ? _last[IndexOf(i)] : _last[0]);
    public void CancelAll() => _broker.CancelAll(_last[0]);

    void IBrokerageEvents.OrderChanged(Order order) => _strategy.RunOrderChanged(order);
    void IBrokerageEvents.Filled(Order order, MyTrade trade) => _strategy.RunFilled(order, trade);

    private int IndexOf(Instrument instrument)
    {
        for (int k = 0; k < _instruments.Length; k++) if (ReferenceEquals(_instruments[k], instrument) && _trading[k]) return k;
        throw new ArgumentException($"instrument {instrument?.Id ?? "null"} is not traded in this run; traded: {string.Join(", ", _instruments.Select(i => i.Id))}");
    }

    /// <summary>Index of series k's last bar that opened before <paramref name="time"/> (-1 if none): an order placed at
    /// <paramref name="time"/> fills from the bar after it, so never at a price from before the order.</summary>
    private int OpenedBefore(int k, long time)
    {
        var t = _series[k].OpenTimes;
        int j = _last[k];
        while (j + 1 < t.Length && t[j + 1] < time) j++;
        return j;
    }

    private double Unrealized()
    {
        double u = 0;
        foreach (var p in _portfolio.Positions) if (p.Qty != 0) u += p.Qty * (p.MarkPrice - p.Avg) * p.Mult;
        return u;
    }

    private static Candle BarOf(CandleSeries s, int j) => new(j, s.OpenTimes[j], s.Open[j], s.High[j], s.Low[j], s.Close[j], s.Volume[j]);

    internal BacktestResult Execute()
    {
        var s = _strategy;
        int n = _series.Length, steps = _times.Length;
        var next = new int[n];
        var at = new int[n];             // bar of series k closing at this step, or -1
        var durations = _series.Select(x => x.BarNanoseconds).ToArray();
        long primaryDuration = durations[0];
        bool atClose = _broker.FillModel.FillsAtClose;
        int m = _capture ? steps : 0;
        var time = new long[m]; var close = new double[m]; var pos = new double[m]; var cash = new double[m];
        var eq = new double[m]; var real = new double[m]; var unreal = new double[m]; var comm = new double[m];
        int d = _distinct.Length;
        var positions = new double[d][];
        for (int k = 0; k < d; k++) positions[k] = new double[m];
        var held = _distinct.Select(i => _portfolio.PositionOf(i)).ToArray();
        double peak = Settings.InitialCapital, mdd = 0;
        int row = 0;

        s.RunStarted();
        bool post = s.WantsBarRecorded;
        for (int step = 0; step < steps; step++)
        {
            long now = _times[step];
            for (int k = 0; k < n; k++)
            {
                var t = _series[k].OpenTimes;
                int j = next[k];
                at[k] = j < t.Length && t[j] + durations[k] == now ? j : -1;
                if (at[k] >= 0) next[k] = j + 1;
            }
            _now = now;
            for (int k = 0; k < n; k++)                                   // 1. fills during the bars closing now
                if (at[k] >= 0 && _trading[k] && _broker.HasActiveOn(_book[k])) _broker.FillOnBar(_book[k], BarOf(_series[k], at[k]));
            for (int k = 0; k < n; k++)                                   // 2. marks
                if (at[k] >= 0) { _last[k] = at[k]; if (_trading[k]) _positions[k].MarkPrice = _series[k].Close[at[k]]; }
            for (int k = 1; k < n; k++)                                   // 3. the strategy: other series, then the primary
                if (at[k] >= 0) s.RunSeriesBar(k, at[k]);
            if (at[0] >= 0) s.RunBar(at[0]);
            if (atClose)                                                  // 4. fills at the close
                for (int k = 0; k < n; k++)
                    if (at[k] >= 0 && _trading[k] && _broker.HasActiveOn(_book[k])) _broker.FillAtClose(_book[k], BarOf(_series[k], at[k]));
            bool traded = false;                                          // 5. the row, when a traded series had a bar
            for (int k = 0; k < n && !traded; k++) traded = at[k] >= 0 && _trading[k];
            if (!traded) continue;                                        // (a coarser time frame's close alone: no row)
            double equity = _portfolio.Equity;
            if (_capture)
            {
                time[row] = now - primaryDuration;
                close[row] = _positions[0].MarkPrice;
                pos[row] = _positions[0].Qty;
                cash[row] = _portfolio.CashValue;
                eq[row] = equity;
                real[row] = _portfolio.RealizedTotal;
                unreal[row] = Unrealized();
                comm[row] = _portfolio.CommissionTotal;
                for (int k = 0; k < d; k++) positions[k][row] = held[k].Qty;
            }
            else
            {
                _tape?.Add(now - primaryDuration, equity, _positions[0].Qty != 0);
                if (equity > peak) peak = equity;
                else if (peak > 0) { double dd = equity / peak - 1; if (dd < mdd) mdd = dd; }
            }
            row++;
            if (post && at[0] >= 0) s.RunBarRecorded(at[0]);
        }
        if (_capture && row < m)
        {
            Array.Resize(ref time, row); Array.Resize(ref close, row); Array.Resize(ref pos, row); Array.Resize(ref cash, row);
            Array.Resize(ref eq, row); Array.Resize(ref real, row); Array.Resize(ref unreal, row); Array.Resize(ref comm, row);
            for (int k = 0; k < d; k++) Array.Resize(ref positions[k], row);
        }
        s.RunStopped();
        var summary = new RunSummary(_positions[0].Qty, _positions[0].Avg, _portfolio.CashValue, _portfolio.RealizedTotal,
            _portfolio.CommissionTotal, _portfolio.Equity, Unrealized(), _capture ? double.NaN : mdd);
        return new BacktestResult(_series[0], Settings, s.Name, _broker.OrderList.ToArray(), _broker.TradeList, _broker.RejectedCount,
            pos, cash, eq, real, unreal, comm, summary, _capture, time, close, _distinct, positions, _tape);
    }
}
