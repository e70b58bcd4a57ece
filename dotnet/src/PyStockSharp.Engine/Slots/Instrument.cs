using System.Globalization;

namespace PyStockSharp.Engine;

/// <summary>
/// A tradable instrument as the brokerage and the portfolio see it: its id (the data's symbol), the price step (tick:
/// slippage in steps is a multiple of it), the volume step, the contract multiplier and, optionally, its own fee model.
/// </summary>
/// <remarks>
/// Money is quantity × price × <see cref="Multiplier"/> (a futures contract of multiplier 50 quoted at 4,000 is worth
/// 200,000). When <see cref="VolumeStepEnforced"/>, the brokerage rounds every order's volume down to a whole number of
/// <see cref="VolumeStep"/>s and rejects an order smaller than one step (docs/engine-api.md, "Instrument specs").
/// </remarks>
public sealed class Instrument
{
    public Instrument(string id, double priceStep = 0.01, double volumeStep = 1, double multiplier = 1,
        bool volumeStepEnforced = false, IFeeModel? feeModel = null)
    {
        if (!(priceStep > 0) || double.IsInfinity(priceStep)) throw new ArgumentException($"priceStep must be a finite number > 0, got {priceStep}");
        if (!(volumeStep > 0) || double.IsInfinity(volumeStep)) throw new ArgumentException($"volumeStep must be a finite number > 0, got {volumeStep}");
        if (!(multiplier > 0) || double.IsInfinity(multiplier)) throw new ArgumentException($"multiplier must be a finite number > 0, got {multiplier}");
        Id = id ?? ""; PriceStep = priceStep; VolumeStep = volumeStep; Multiplier = multiplier;
        VolumeStepEnforced = volumeStepEnforced; FeeModel = feeModel;
    }

    /// <summary>The instrument a candle series is of (its symbol and the specs it carries).</summary>
    public static Instrument Of(CandleSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return new Instrument(series.Symbol, series.PriceStep, series.VolumeStep, series.Multiplier, series.VolumeStepEnforced, series.FeeModel);
    }

    public string Id { get; }
    /// <summary>Smallest price change (e.g. 0.01, 0.00001).</summary>
    public double PriceStep { get; }
    /// <summary>Smallest volume change.</summary>
    public double VolumeStep { get; }
    /// <summary>Money per unit of price per unit of quantity (1 for shares and spot; e.g. 50 for an index future).</summary>
    public double Multiplier { get; }
    /// <summary>Whether order volumes are rounded down to whole <see cref="VolumeStep"/>s (an order below one step is rejected).</summary>
    public bool VolumeStepEnforced { get; }
    /// <summary>This instrument's commission; null: the brokerage's fee model.</summary>
    public IFeeModel? FeeModel { get; }

    /// <summary>
    /// <paramref name="volume"/> as the brokerage accepts it: rounded down (in decimal) to a whole number of volume steps
    /// when they are enforced, else unchanged.
    /// </summary>
    public double RoundVolume(double volume)
        => VolumeStepEnforced && double.IsFinite(volume) && volume > 0 && volume < 7.9e27 ? FloorToStep(volume) : volume;

    /// <summary><paramref name="volume"/> (finite, &gt; 0, &lt; 7.9e27) rounded down, in decimal, to a whole number of volume steps.</summary>
    public double FloorToStep(double volume)
    {
        decimal step = (decimal)VolumeStep;
        return (double)(decimal.Floor((decimal)volume / step) * step);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Instrument({Id}, step {PriceStep}, volume step {VolumeStep}{(Multiplier != 1 ? $", multiplier {Multiplier}" : "")})");
}
