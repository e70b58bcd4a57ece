using Apache.Arrow;
using Apache.Arrow.Types;

namespace PyStockSharp.Engine;

/// <summary>Fills as columns (one row per own trade).</summary>
public sealed class FillColumns
{
    public required long[] Time { get; init; }
    public required int[] Bar { get; init; }
    /// <summary>+1 buy, -1 sell.</summary>
    public required sbyte[] Side { get; init; }
    public required double[] Price { get; init; }
    public required double[] Volume { get; init; }
    public required double[] Commission { get; init; }
    public required long[] OrderId { get; init; }
    public required double[] RealizedPnL { get; init; }
    public int Count => Time.Length;
}

/// <summary>Per-bar rows, recorded after the bar's fills and the strategy's decision.</summary>
public sealed class EquityColumns
{
    /// <summary>The series' own OpenTimes array (shared, do not mutate).</summary>
    public required long[] Time { get; init; }
    /// <summary>The series' own Close array (shared, do not mutate).</summary>
    public required double[] Close { get; init; }
    public required double[] Position { get; init; }
    public required double[] Cash { get; init; }
    public required double[] Equity { get; init; }
    public required double[] RealizedPnL { get; init; }
    public required double[] UnrealizedPnL { get; init; }
    /// <summary>Cumulative commission paid.</summary>
    public required double[] Commission { get; init; }
    public int Count => Time.Length;
}

/// <summary>Orders as columns (one row per order, by id).</summary>
public sealed class OrderColumns
{
    public required long[] Id { get; init; }
    /// <summary>+1 buy, -1 sell.</summary>
    public required sbyte[] Side { get; init; }
    /// <summary>(int)OrderTypes: 0 market, 1 limit, 2 stop.</summary>
    public required sbyte[] Type { get; init; }
    public required double[] Volume { get; init; }
    public required double[] Price { get; init; }
    /// <summary>(int)OrderStates: 0 active, 1 filled, 2 cancelled, 3 rejected.</summary>
    public required sbyte[] State { get; init; }
    public required int[] PlacedBar { get; init; }
    public required int[] DoneBar { get; init; }
    public required double[] FillPrice { get; init; }
    /// <summary>Null unless rejected.</summary>
    public required string?[] RejectReason { get; init; }
    public int Count => Id.Length;
}

/// <summary>What a backtest produced: summary, captured columns, Arrow export.</summary>
public sealed class BacktestResult
{
    internal BacktestResult(CandleSeries series, EmulationSettings settings, string strategyName, Order[] orders,
        IReadOnlyList<MyTrade> trades, int rejected, double[] pos, double[] cash, double[] eq, double[] real, double[] unreal,
        double[] comm, RunSummary sum, bool captured, long[]? times = null, double[]? closes = null, Instrument[]? instruments = null,
        double[][]? positions = null, EquityTape? tape = null)
    {
        Tape = tape;
        Instruments = instruments ?? new[] { Instrument.Of(series) };
        PositionsByInstrument = positions ?? new[] { pos };
        HasBarCapture = captured;
        Series = series; Settings = settings; StrategyName = strategyName;
        OrderList = orders; Trades = trades;
        InitialCapital = settings.InitialCapital;
        FinalEquity = sum.FinalEquity;
        NetProfit = FinalEquity - InitialCapital;
        RealizedPnL = sum.Realized;
        UnrealizedPnL = sum.Unrealized;
        Commission = sum.Commission;
        FinalPosition = sum.Pos;
        AveragePrice = sum.Avg;
        FillCount = trades.Count;
        OrderCount = orders.Length;
        RejectedCount = rejected;
        RoundTrips = CountRoundTripsPerInstrument(trades);
        MaxDrawdown = captured ? ComputeMaxDrawdown(InitialCapital, eq) : sum.MaxDrawdown;
        Equity = new EquityColumns
        {
            Time = captured ? times ?? series.OpenTimes : System.Array.Empty<long>(),
            Close = captured ? closes ?? series.Close : System.Array.Empty<double>(), Position = pos, Cash = cash, Equity = eq,
            RealizedPnL = real, UnrealizedPnL = unreal, Commission = comm,
        };
    }

    /// <summary>The fills as columns, made from <see cref="Trades"/> on first use (a run whose caller reads only the summary,
    /// such as an optimizer's, never pays for them).</summary>
    private FillColumns MakeFills()
    {
        var trades = Trades;
        int f = trades.Count;
        var fills = new FillColumns
        {
            Time = new long[f], Bar = new int[f], Side = new sbyte[f], Price = new double[f], Volume = new double[f],
            Commission = new double[f], OrderId = new long[f], RealizedPnL = new double[f],
        };
        for (int k = 0; k < f; k++)
        {
            var t = trades[k];
            fills.Time[k] = t.Time; fills.Bar[k] = t.BarIndex; fills.Side[k] = t.Side == Sides.Buy ? (sbyte)1 : (sbyte)-1;
            fills.Price[k] = t.Price; fills.Volume[k] = t.Volume; fills.Commission[k] = t.Commission;
            fills.OrderId[k] = t.OrderId; fills.RealizedPnL[k] = t.RealizedPnL;
        }
        return fills;
    }

    /// <summary>The orders as columns, made from <see cref="OrderList"/> on first use.</summary>
    private OrderColumns MakeOrders()
    {
        var orders = OrderList;
        int m = orders.Count;
        var oc = new OrderColumns
        {
            Id = new long[m], Side = new sbyte[m], Type = new sbyte[m], Volume = new double[m], Price = new double[m],
            State = new sbyte[m], PlacedBar = new int[m], DoneBar = new int[m], FillPrice = new double[m], RejectReason = new string?[m],
        };
        for (int k = 0; k < m; k++)
        {
            var o = orders[k];
            oc.Id[k] = o.Id; oc.Side[k] = o.Side == Sides.Buy ? (sbyte)1 : (sbyte)-1; oc.Type[k] = (sbyte)o.Type;
            oc.Volume[k] = o.Volume; oc.Price[k] = o.Price; oc.State[k] = (sbyte)o.State; oc.PlacedBar[k] = o.PlacedBar;
            oc.DoneBar[k] = o.DoneBar; oc.FillPrice[k] = o.FillPrice; oc.RejectReason[k] = o.RejectReason;
        }
        return oc;
    }

    /// <summary>The primary series (the only one of a single-series run).</summary>
    public CandleSeries Series { get; }
    /// <summary>The run's instruments, the primary first (one for a single-series run).</summary>
    public IReadOnlyList<Instrument> Instruments { get; }
    /// <summary>Per instrument, its position after each recorded row (empty arrays without capture).</summary>
    public IReadOnlyList<double[]> PositionsByInstrument { get; }
    public EmulationSettings Settings { get; }
    public string StrategyName { get; }
    /// <summary>False when the run was made without per-bar capture (optimizer without keepCaptures): Equity columns are empty.</summary>
    public bool HasBarCapture { get; }
    /// <summary>Each row's equity and what <see cref="RunMetrics"/> needs of the rows, kept without capture when asked for
    /// (<see cref="BacktestEngine.Run(Strategy, CandleSeries, EmulationSettings?, bool, bool)"/> with keepEquity); else null.</summary>
    internal EquityTape? Tape { get; }
    /// <summary>True when <see cref="RunMetrics.Compute(BacktestResult)"/> can be computed: per-bar capture or the equity tape.</summary>
    public bool HasMetricsInput => HasBarCapture || Tape != null;

    // ---- summary ---------------------------------------------------------------------------
    public double InitialCapital { get; }
    public double FinalEquity { get; }
    public double NetProfit { get; }
    /// <summary>Gross realized PnL (commission not deducted).</summary>
    public double RealizedPnL { get; }
    /// <summary>Position * (last close - average price).</summary>
    public double UnrealizedPnL { get; }
    public double Commission { get; }
    public double FinalPosition { get; }
    public double AveragePrice { get; }
    public int FillCount { get; }
    public int RoundTrips { get; }
    /// <summary>Largest fall of per-bar equity from its running peak (the peak starts at InitialCapital), as a fraction &lt;= 0.</summary>
    public double MaxDrawdown { get; }
    public int OrderCount { get; }
    public int RejectedCount { get; }
    /// <summary>Always null for <see cref="BacktestEngine.Run"/> (exceptions propagate); set by the optimizer.</summary>
    public string? Error { get; internal set; }

    // ---- captures --------------------------------------------------------------------------
    /// <summary>The fills as columns (one row per own trade), made on first use.</summary>
    public FillColumns Fills => _fills ??= MakeFills();
    public EquityColumns Equity { get; }
    /// <summary>The orders as columns (one row per order, by id), made on first use.</summary>
    public OrderColumns Orders => _orders ??= MakeOrders();
    private FillColumns? _fills;
    private OrderColumns? _orders;
    public IReadOnlyList<Order> OrderList { get; }
    public IReadOnlyList<MyTrade> Trades { get; }

    // ---- Arrow -------------------------------------------------------------------------------
    private static readonly TimestampType TsType = new(TimeUnit.Nanosecond, "UTC");

    /// <summary>time, side, price, volume, commission, order_id, bar, realized_pnl; and symbol when the run has several instruments
    /// (bar is then the index in that symbol's series).</summary>
    public RecordBatch FillsToArrow()
    {
        var f = Fills;
        var columns = new List<(string, IArrowArray)>
        {
            ("time", ArrowExport.Timestamp(f.Time)), ("side", ArrowExport.Int8(f.Side)), ("price", ArrowExport.Double(f.Price)),
            ("volume", ArrowExport.Double(f.Volume)), ("commission", ArrowExport.Double(f.Commission)),
            ("order_id", ArrowExport.Int64(f.OrderId)), ("bar", ArrowExport.Int32(f.Bar)), ("realized_pnl", ArrowExport.Double(f.RealizedPnL)),
        };
        if (Instruments.Count > 1)
            columns.Add(("symbol", ArrowExport.Utf8(Trades.Select(t => t.Instrument?.Id).ToArray())));
        return ArrowExport.Batch(f.Count, columns.ToArray());
    }

    /// <summary>time and one column per instrument (named by its symbol): each position after each recorded row.</summary>
    public RecordBatch PositionsToArrow()
    {
        var columns = new List<(string, IArrowArray)> { ("time", ArrowExport.Timestamp(Equity.Time)) };
        for (int k = 0; k < Instruments.Count; k++) columns.Add((Instruments[k].Id, ArrowExport.Double(PositionsByInstrument[k])));
        return ArrowExport.Batch(Equity.Count, columns.ToArray());
    }

    /// <summary>time, close, position, cash, equity, realized_pnl, unrealized_pnl, commission.</summary>
    public RecordBatch EquityToArrow()
    {
        var e = Equity;
        return ArrowExport.Batch(e.Count,
            ("time", ArrowExport.Timestamp(e.Time)), ("close", ArrowExport.Double(e.Close)), ("position", ArrowExport.Double(e.Position)),
            ("cash", ArrowExport.Double(e.Cash)), ("equity", ArrowExport.Double(e.Equity)), ("realized_pnl", ArrowExport.Double(e.RealizedPnL)),
            ("unrealized_pnl", ArrowExport.Double(e.UnrealizedPnL)), ("commission", ArrowExport.Double(e.Commission)));
    }

    /// <summary>
    /// Per fill, what its costs were made of (transaction cost analysis): order_id, placed_bar (the bar whose handling
    /// placed the order, -1 in OnStarted), reference_price (the fill model's price before slippage), slippage (money the
    /// slippage model cost: |price − reference| × volume × the instrument's multiplier) and commission; fills' order.
    /// </summary>
    public RecordBatch CostsToArrow()
    {
        int f = Trades.Count;
        var id = new long[f]; var placed = new int[f]; var reference = new double[f]; var slip = new double[f]; var comm = new double[f];
        var byId = new Dictionary<long, Order>(OrderList.Count);
        foreach (var o in OrderList) byId[o.Id] = o;
        for (int k = 0; k < f; k++)
        {
            var t = Trades[k];
            id[k] = t.OrderId; placed[k] = byId[t.OrderId].PlacedBar; reference[k] = t.ReferencePrice;
            slip[k] = Math.Abs(t.Price - t.ReferencePrice) * t.Volume; comm[k] = t.Commission;
            if (t.Instrument is { Multiplier: not 1 } inst) slip[k] *= inst.Multiplier;
        }
        return ArrowExport.Batch(f, ("order_id", ArrowExport.Int64(id)), ("placed_bar", ArrowExport.Int32(placed)),
            ("reference_price", ArrowExport.Double(reference)), ("slippage", ArrowExport.Double(slip)), ("commission", ArrowExport.Double(comm)));
    }

    /// <summary>id, side, type, volume, price, state, placed_bar, done_bar, fill_price, reject_reason.</summary>
    public RecordBatch OrdersToArrow()
    {
        var o = Orders;
        return ArrowExport.Batch(o.Count,
            ("id", ArrowExport.Int64(o.Id)), ("side", ArrowExport.Int8(o.Side)), ("type", ArrowExport.Int8(o.Type)),
            ("volume", ArrowExport.Double(o.Volume)), ("price", ArrowExport.Double(o.Price)), ("state", ArrowExport.Int8(o.State)),
            ("placed_bar", ArrowExport.Int32(o.PlacedBar)), ("done_bar", ArrowExport.Int32(o.DoneBar)),
            ("fill_price", ArrowExport.Double(o.FillPrice)), ("reject_reason", ArrowExport.Utf8(o.RejectReason)));
    }

    // ---- helpers -----------------------------------------------------------------------------

    /// <summary><see cref="CountRoundTrips"/> per instrument, summed.</summary>
    internal static int CountRoundTripsPerInstrument(IReadOnlyList<MyTrade> trades)
    {
        bool several = false;
        for (int k = 1; k < trades.Count && !several; k++) several = !ReferenceEquals(trades[k].Instrument, trades[0].Instrument);
        if (!several) return CountRoundTrips(trades);
        return trades.GroupBy(t => t.Instrument).Sum(g => CountRoundTrips(g.ToList()));
    }

    /// <summary>FIFO-matched (entry fill, exit fill) pairs; a flip closes one and opens another. Volumes are
    /// matched in decimal (fill volumes are quantities of 15 significant digits), so no residue opens a lot; when every
    /// volume is a whole number below <see cref="BacktestRun.WholeLimit"/> they are matched as longs instead (exact too,
    /// and without decimal arithmetic).</summary>
    internal static int CountRoundTrips(IReadOnlyList<MyTrade> trades)
        => AllWholeVolumes(trades) ? CountRoundTrips<long>(trades) : CountRoundTrips<decimal>(trades);

    /// <summary>True when every fill's volume is a whole number below <see cref="BacktestRun.WholeLimit"/> (units).</summary>
    internal static bool AllWholeVolumes(IReadOnlyList<MyTrade> trades)
    {
        for (int k = 0; k < trades.Count; k++)
            if (!BacktestRun.IsWhole(trades[k].Volume)) return false;
        return true;
    }

    /// <summary><see cref="CountRoundTrips(IReadOnlyList{MyTrade})"/> with volumes held as <typeparamref name="T"/>, into
    /// which each fill's volume converts exactly.</summary>
    private static int CountRoundTrips<T>(IReadOnlyList<MyTrade> trades) where T : struct, System.Numerics.INumber<T>
    {
        var lots = new List<T>(); // remaining volume of open entry fills, oldest first from `head`
        int head = 0, pairs = 0;
        int sign = 0;                    // +1 lots are long, -1 short
        for (int k = 0; k < trades.Count; k++)
        {
            var t = trades[k];
            int q = t.Side == Sides.Buy ? 1 : -1;
            T rest = T.CreateChecked(t.Volume);
            if (head < lots.Count && q != sign)
            {
                while (rest > T.Zero && head < lots.Count)
                {
                    T lot = lots[head];
                    pairs++;
                    if (lot > rest) { lots[head] = lot - rest; rest = T.Zero; }
                    else { head++; rest -= lot; }
                }
            }
            if (rest > T.Zero)
            {
                if (head >= lots.Count) { lots.Clear(); head = 0; sign = q; }
                lots.Add(rest);
            }
        }
        return pairs;
    }

    internal static double ComputeMaxDrawdown(double initial, double[] equity)
    {
        double peak = initial, mdd = 0;
        for (int i = 0; i < equity.Length; i++)
        {
            double e = equity[i];
            if (e > peak) peak = e;
            else if (peak > 0)
            {
                double dd = e / peak - 1;
                if (dd < mdd) mdd = dd;
            }
        }
        return mdd;
    }

    public override string ToString() =>
        $"BacktestResult({StrategyName}: net {NetProfit:G6}, final equity {FinalEquity:G8}, fills {FillCount}, round trips {RoundTrips}, max dd {MaxDrawdown:P2})";
}
