namespace PyStockSharp.Engine;

/// <summary>The position in one instrument: signed quantity, average entry price and realized PnL (gross of commission).</summary>
public sealed class InstrumentPosition
{
    internal double Qty, Avg, Realized, MarkPrice = double.NaN;

    internal readonly double Mult;

    internal InstrumentPosition(Instrument instrument) { Instrument = instrument; Mult = instrument.Multiplier; }

    public Instrument Instrument { get; }
    /// <summary>Signed quantity: &gt; 0 long, &lt; 0 short.</summary>
    public double Quantity => Qty;
    /// <summary>Average entry price of the open quantity; 0 when flat.</summary>
    public double AveragePrice => Avg;
    /// <summary>PnL realized by closing fills (gross of commission).</summary>
    public double RealizedPnL => Realized;
    /// <summary>The last price the position is valued at (its series' last close; NaN before its first bar).</summary>
    public double Mark => MarkPrice;
    /// <summary>Quantity × mark × multiplier (0 when flat).</summary>
    public double Value => Qty != 0 ? Qty * MarkPrice * Mult : 0;
    /// <summary>Quantity × (price - average price) × multiplier: the open position's PnL at <paramref name="price"/>.</summary>
    public double UnrealizedAt(double price) => Qty != 0 ? Qty * (price - Avg) * Mult : 0;

    public override string ToString() => $"{Instrument.Id}: {Qty} @ {Avg}";
}

/// <summary>
/// Cash and positions of an account. Fills change it through <see cref="Apply"/> only: cash moves by the fill's notional
/// (quantity × price × the instrument's multiplier) and commission, the position by the fill's quantity (added in
/// decimal: 0.1 + 0.2 - 0.3 is flat), and a fill against the position realizes (price - average) × multiplier per closed
/// unit. Equity = cash + Σ quantity × price × multiplier.
/// </summary>
public sealed class Portfolio
{
    internal double CashValue, CommissionTotal, RealizedTotal;
    private readonly List<InstrumentPosition> _positions = new();

    public Portfolio(double initialCash)
    {
        if (!double.IsFinite(initialCash)) throw new ArgumentException($"initialCash must be finite, got {initialCash}");
        InitialCash = initialCash; CashValue = initialCash;
    }

    public double InitialCash { get; }
    public double Cash => CashValue;
    /// <summary>Commission paid so far.</summary>
    public double Commission => CommissionTotal;
    /// <summary>Realized PnL of every position (gross of commission).</summary>
    public double RealizedPnL => RealizedTotal;
    public IReadOnlyList<InstrumentPosition> Positions => _positions;

    /// <summary>Cash + Σ quantity × mark × multiplier.</summary>
    public double Equity
    {
        get
        {
            double e = CashValue;
            foreach (var p in _positions) if (p.Qty != 0) e += p.Qty * p.MarkPrice * p.Mult;
            return e;
        }
    }

    /// <summary>Σ quantity × mark × multiplier of every position but <paramref name="except"/>.</summary>
    public double ValueOfOthers(InstrumentPosition except)
    {
        double v = 0;
        foreach (var p in _positions) if (!ReferenceEquals(p, except) && p.Qty != 0) v += p.Qty * p.MarkPrice * p.Mult;
        return v;
    }

    /// <summary>The position in <paramref name="instrument"/> (made, flat, on first use).</summary>
    public InstrumentPosition PositionOf(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        foreach (var p in _positions) if (ReferenceEquals(p.Instrument, instrument)) return p;
        var made = new InstrumentPosition(instrument);
        _positions.Add(made);
        return made;
    }

    /// <summary>
    /// Books a fill of <paramref name="volume"/> (&gt; 0) at <paramref name="price"/> on <paramref name="position"/>, buying when
    /// <paramref name="buy"/>; <paramref name="newQuantity"/> is the position after it (computed by the caller, in decimal).
    /// Returns the PnL the fill realized.
    /// </summary>
    internal double Apply(InstrumentPosition position, bool buy, double volume, double price, double commission, double newQuantity)
    {
        double q = buy ? volume : -volume;
        double pos = position.Qty;
        double realized = 0;
        if (pos == 0 || (pos > 0) == (q > 0))
        {
            double ap = Math.Abs(pos);
            position.Avg = (ap * position.Avg + volume * price) / (ap + volume);
        }
        else
        {
            double ap = Math.Abs(pos);
            double closing = volume < ap ? volume : ap;
            realized = (pos > 0 ? closing * (price - position.Avg) : closing * (position.Avg - price)) * position.Mult;
            if (newQuantity == 0) position.Avg = 0;          // flat
            else if (volume > ap) position.Avg = price;      // flipped: the rest opens at the fill price
        }
        position.Qty = newQuantity;
        if (double.IsNaN(position.MarkPrice)) position.MarkPrice = price;   // filled before its first close
        position.Realized += realized;
        CashValue -= q * price * position.Mult + commission;
        RealizedTotal += realized;
        CommissionTotal += commission;
        return realized;
    }
}
