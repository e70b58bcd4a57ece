using System.Globalization;

namespace PyStockSharp.Engine;

/// <summary>The emulator of one run (see docs/engine-api.md, "Emulation rules").</summary>
internal readonly record struct RunSummary(double Pos, double Avg, double Cash, double Realized, double Commission,
    double FinalEquity, double Unrealized, double MaxDrawdown);

internal sealed class BacktestRun
{
    internal readonly CandleSeries Series;
    internal readonly EmulationSettings Settings;
    private readonly Strategy _strategy;
    private readonly long[] _t;
    private readonly double[] _o, _h, _l, _c;
    private readonly double _commFrac, _commUnit, _commMin, _slipFrac, _slipAbs, _leverage;
    private readonly bool _hasComm, _closeMode;

    internal double Cash, Pos, Avg, Realized, CommissionTotal;
    internal int Cur = -1;
    private long _nextId = 1;
    private readonly List<Order> _active = new();
    internal readonly List<Order> AllOrders = new();
    internal readonly List<MyTrade> Trades = new();
    private int _rejected;

    // per-bar columns
    private readonly double[] _posCol, _cashCol, _eqCol, _realCol, _unrealCol, _commCol;

    private readonly bool _capture;
    private readonly double _peak;

    internal BacktestRun(Strategy strategy, CandleSeries series, EmulationSettings settings, bool captureBars = true)
    {
        _capture = captureBars;
        _strategy = strategy; Series = series; Settings = settings;
        _t = series.OpenTimes; _o = series.Open; _h = series.High; _l = series.Low; _c = series.Close;
        _commFrac = settings.CommissionFraction; _commUnit = settings.CommissionPerUnit; _commMin = settings.MinCommission;
        _hasComm = _commFrac != 0 || _commUnit != 0;
        _slipFrac = settings.SlippageFraction; _slipAbs = settings.SlippageSteps * series.PriceStep;
        _leverage = settings.Leverage; _closeMode = settings.MarketFill == MarketFillMode.Close;
        Cash = settings.InitialCapital;
        int n = series.Count;
        int m = captureBars ? n : 0;
        _posCol = GC.AllocateUninitializedArray<double>(m); _cashCol = GC.AllocateUninitializedArray<double>(m);
        _eqCol = GC.AllocateUninitializedArray<double>(m); _realCol = GC.AllocateUninitializedArray<double>(m);
        _unrealCol = GC.AllocateUninitializedArray<double>(m); _commCol = GC.AllocateUninitializedArray<double>(m);
        _peak = settings.InitialCapital;
    }

    internal double EquityNow => Cur >= 0 ? Cash + Pos * _c[Cur] : Cash;
    internal double UnrealizedNow => Cur >= 0 && Pos != 0 ? Pos * (_c[Cur] - Avg) : 0;

    internal BacktestResult Execute()
    {
        var s = _strategy;
        s.RunStarted();
        bool post = s.WantsBarRecorded;
        int n = _t.Length;
        var c = _c;
        var active = _active;
        bool closeMode = _closeMode;
        double peak = _peak, mdd = 0;
        if (_capture)
        {
            var posCol = _posCol; var cashCol = _cashCol; var eqCol = _eqCol; var realCol = _realCol; var unrealCol = _unrealCol; var commCol = _commCol;
            if (posCol.Length < n || cashCol.Length < n || eqCol.Length < n || realCol.Length < n || unrealCol.Length < n || commCol.Length < n || c.Length < n)
                throw new InvalidOperationException("column length mismatch");
            for (int i = 0; i < n; i++)
            {
                Cur = i;
                if (active.Count > 0) ProcessFills(i);
                s.RunBar(i);
                if (closeMode && active.Count > 0) FillMarketAtClose(i);
                double close = c[i], pos = Pos, cash = Cash;
                double eq = cash + pos * close;
                posCol[i] = pos;
                cashCol[i] = cash;
                eqCol[i] = eq;
                realCol[i] = Realized;
                unrealCol[i] = pos != 0 ? pos * (close - Avg) : 0;
                commCol[i] = CommissionTotal;
                if (post) s.RunBarRecorded(i);
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                Cur = i;
                if (active.Count > 0) ProcessFills(i);
                s.RunBar(i);
                if (closeMode && active.Count > 0) FillMarketAtClose(i);
                double eq = Cash + Pos * c[i];
                if (eq > peak) peak = eq;
                else if (peak > 0) { double dd = eq / peak - 1; if (dd < mdd) mdd = dd; }
                if (post) s.RunBarRecorded(i);
            }
        }
        s.RunStopped();
        double lastClose = n > 0 ? c[n - 1] : 0;
        var summary = new RunSummary(Pos, Avg, Cash, Realized, CommissionTotal,
            n > 0 ? Cash + Pos * lastClose : Cash, n > 0 && Pos != 0 ? Pos * (lastClose - Avg) : 0, _capture ? double.NaN : mdd);
        return new BacktestResult(Series, Settings, s.Name, AllOrders.ToArray(), Trades.ToArray(), _rejected,
            _posCol, _cashCol, _eqCol, _realCol, _unrealCol, _commCol, summary, _capture);
    }

    // ---- orders -------------------------------------------------------------------------

    /// <summary>
    /// A quantity as the engine keeps it: the double of its decimal to 15 significant digits (what a price or
    /// volume written in decimal means), so quantities add up exactly — 0.1 + 0.2 − 0.3 is flat, not 5.55e-17.
    /// Non-finite or huge values are returned as they are (and rejected by the caller).
    /// </summary>
    internal static double Quantity(double v) => double.IsFinite(v) && Math.Abs(v) < 7.9e27 ? (double)(decimal)v : v;

    /// <summary><paramref name="a"/> + <paramref name="b"/> of two quantities, computed in decimal.</summary>
    internal static double AddQuantities(double a, double b) => (double)((decimal)a + (decimal)b);

    internal Order Place(Sides side, OrderTypes type, double volume, double price)
    {
        volume = Quantity(volume);
        var o = new Order(_nextId++, side, type, volume, type == OrderTypes.Market ? 0 : price, Cur);
        AllOrders.Add(o);
        string? why = null;
        if (!(volume > 0) || double.IsInfinity(volume)) why = $"invalid volume {volume.ToString(CultureInfo.InvariantCulture)}: must be a finite number > 0";
        else if (type != OrderTypes.Market && (!(price > 0) || double.IsInfinity(price))) why = $"invalid {type.ToString().ToLowerInvariant()} price {price.ToString(CultureInfo.InvariantCulture)}: must be a finite number > 0";
        if (why != null)
        {
            o.State = OrderStates.Rejected; o.RejectReason = why; o.DoneBar = Cur; _rejected++;
            return o;
        }
        _active.Add(o);
        return o;
    }

    internal bool Cancel(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.State != OrderStates.Active || !AllOrders.Contains(order)) return false;
        order.State = OrderStates.Cancelled; order.DoneBar = Cur;
        _strategy.RunOrderChanged(order);
        return true;
    }

    internal void CancelAll()
    {
        int cnt = _active.Count;
        for (int k = 0; k < cnt; k++)
        {
            var o = _active[k];
            if (o.State == OrderStates.Active) { o.State = OrderStates.Cancelled; o.DoneBar = Cur; _strategy.RunOrderChanged(o); }
        }
    }

    private void ProcessFills(int i)
    {
        var list = _active;
        int cnt = list.Count;
        double open = _o[i], high = _h[i], low = _l[i];
        // 1. market orders at the open
        for (int k = 0; k < cnt; k++)
        {
            var o = list[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type != OrderTypes.Market) continue;
            Fill(o, o.Side == Sides.Buy ? open + Slip(open) : open - Slip(open), i);
        }
        // 2. stops and limits gapped through at the open, by id
        for (int k = 0; k < cnt; k++)
        {
            var o = list[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type == OrderTypes.Market) continue;
            double p = o.Price;
            if (o.Type == OrderTypes.Stop)
            {
                if (o.Side == Sides.Buy ? open >= p : open <= p)
                    Fill(o, o.Side == Sides.Buy ? open + Slip(open) : open - Slip(open), i);
            }
            else if (o.Side == Sides.Buy ? open <= p : open >= p)
                Fill(o, open, i);
        }
        // 3. stops touched inside the bar (adverse first)
        for (int k = 0; k < cnt; k++)
        {
            var o = list[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type != OrderTypes.Stop) continue;
            double p = o.Price;
            if (o.Side == Sides.Buy ? high >= p : low <= p)
                Fill(o, o.Side == Sides.Buy ? p + Slip(p) : p - Slip(p), i);
        }
        // 4. limits touched inside the bar
        for (int k = 0; k < cnt; k++)
        {
            var o = list[k];
            if (o.State != OrderStates.Active || o.PlacedBar >= i || o.Type != OrderTypes.Limit) continue;
            double p = o.Price;
            if (o.Side == Sides.Buy ? low <= p : high >= p)
                Fill(o, p, i);
        }
        Compact();
    }

    private void FillMarketAtClose(int i)
    {
        var list = _active;
        int cnt = list.Count;
        double close = _c[i];
        for (int k = 0; k < cnt; k++)
        {
            var o = list[k];
            if (o.State != OrderStates.Active || o.Type != OrderTypes.Market) continue;
            Fill(o, o.Side == Sides.Buy ? close + Slip(close) : close - Slip(close), i);
        }
        Compact();
    }

    private void Compact()
    {
        var list = _active;
        int w = 0, n = list.Count;
        for (int r = 0; r < n; r++)
        {
            var o = list[r];
            if (o.State == OrderStates.Active) { if (w != r) list[w] = o; w++; }
        }
        if (w < n) list.RemoveRange(w, n - w);
    }

    private double Slip(double price) => price * _slipFrac + _slipAbs;

    private void Fill(Order o, double price, int i)
    {
        double vol = o.Volume;
        double q = o.Side == Sides.Buy ? vol : -vol;
        double comm = 0;
        if (_hasComm)
        {
            comm = _commFrac * price * vol + _commUnit * vol;
            if (comm < _commMin) comm = _commMin;
        }
        double pos = Pos, newPos = AddQuantities(pos, q);
        if (Math.Abs(newPos) > Math.Abs(pos))
        {
            double need = Math.Abs(newPos) * price;
            double avail = _leverage * (Cash + pos * price) - comm;
            if (need > avail)
            {
                o.State = OrderStates.Rejected; o.DoneBar = i; _rejected++;
                o.RejectReason = string.Create(CultureInfo.InvariantCulture,
                    $"insufficient buying power: position {newPos} at {price} needs {need}, available {avail} (leverage {_leverage} x equity {Cash + pos * price} - commission {comm})");
                _strategy.RunOrderChanged(o);
                return;
            }
        }
        double realized = 0;
        if (pos == 0 || (pos > 0) == (q > 0))
        {
            double ap = Math.Abs(pos);
            Avg = (ap * Avg + vol * price) / (ap + vol);
        }
        else
        {
            double ap = Math.Abs(pos);
            double closing = vol < ap ? vol : ap;
            realized = pos > 0 ? closing * (price - Avg) : closing * (Avg - price);
            if (newPos == 0) Avg = 0;            // flat
            else if (vol > ap) Avg = price;      // flipped: the rest opens at the fill price
        }
        Pos = newPos;
        Cash -= q * price + comm;
        Realized += realized;
        CommissionTotal += comm;
        o.State = OrderStates.Filled; o.DoneBar = i; o.FillPrice = price;
        var trade = new MyTrade(o.Id, i, _t[i], o.Side, price, vol, comm, realized);
        Trades.Add(trade);
        _strategy.RunFilled(o, trade);
    }
}
