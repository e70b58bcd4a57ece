namespace StockSharp.Algo.Indicators;

/// <summary>
/// On-balance volume over candles: OBV += volume when close &gt; previous close, −= when lower, unchanged when equal;
/// the first candle sets OBV = 0. Formed from the first candle.
/// </summary>
public class OnBalanceVolume : BaseIndicator
{
    private decimal? _prevClose;
    private decimal _obv;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var c = input.ToCandle();
        if (_prevClose is { } p)
        {
            if (c.ClosePrice > p) _obv += c.TotalVolume;
            else if (c.ClosePrice < p) _obv -= c.TotalVolume;
        }
        _prevClose = c.ClosePrice;
        IsFormed = true;
        return Result(input, _obv);
    }

    public override void Reset() { _prevClose = null; _obv = 0; base.Reset(); }
}

/// <summary>Short name of <see cref="OnBalanceVolume"/>.</summary>
public class OBV : OnBalanceVolume { }

/// <summary>
/// Accumulation/distribution line over candles: ADL += ((C − L) − (H − C))/(H − L) · volume (0 when H = L), starting at 0.
/// Formed from the first candle.
/// </summary>
public class AccumulationDistributionLine : BaseIndicator
{
    private decimal _adl;

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var c = input.ToCandle();
        var range = c.HighPrice - c.LowPrice;
        if (range != 0) _adl += ((c.ClosePrice - c.LowPrice) - (c.HighPrice - c.ClosePrice)) / range * c.TotalVolume;
        IsFormed = true;
        return Result(input, _adl);
    }

    public override void Reset() { _adl = 0; base.Reset(); }
}
