namespace PyStockSharp.Engine;

/// <summary>
/// A tradable instrument as the brokerage and the portfolio see it: its id (the data's symbol), the price step
/// (tick: slippage in steps is a multiple of it) and the volume step.
/// </summary>
public sealed class Instrument
{
    public Instrument(string id, double priceStep = 0.01, double volumeStep = 1)
    {
        if (!(priceStep > 0) || double.IsInfinity(priceStep)) throw new ArgumentException($"priceStep must be a finite number > 0, got {priceStep}");
        if (!(volumeStep > 0) || double.IsInfinity(volumeStep)) throw new ArgumentException($"volumeStep must be a finite number > 0, got {volumeStep}");
        Id = id ?? ""; PriceStep = priceStep; VolumeStep = volumeStep;
    }

    /// <summary>The instrument a candle series is of (its symbol, price step and volume step).</summary>
    public static Instrument Of(CandleSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return new Instrument(series.Symbol, series.PriceStep, series.VolumeStep);
    }

    public string Id { get; }
    /// <summary>Smallest price change (e.g. 0.01, 0.00001).</summary>
    public double PriceStep { get; }
    /// <summary>Smallest volume change.</summary>
    public double VolumeStep { get; }

    public override string ToString() => $"Instrument({Id}, step {PriceStep}, volume step {VolumeStep})";
}
