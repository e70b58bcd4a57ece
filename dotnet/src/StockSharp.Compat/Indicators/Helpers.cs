namespace StockSharp.Algo.Indicators;

/// <summary>Small numeric helpers shared by the indicators (decimal in, decimal out).</summary>
internal static class IndMath
{
    /// <summary>Square root of a non-negative decimal (double estimate refined by two Newton steps in decimal).</summary>
    public static decimal Sqrt(decimal x)
    {
        if (x <= 0) return 0m;
        var r = (decimal)Math.Sqrt((double)x);
        if (r == 0) return 0m;
        r = (r + x / r) / 2;
        r = (r + x / r) / 2;
        return r;
    }

    public static decimal Log(decimal x) => (decimal)Math.Log((double)x);
    public static decimal Exp(decimal x) => (decimal)Math.Exp((double)x);

    /// <summary>True range of a candle given the previous close (high - low on the first candle).</summary>
    public static decimal TrueRange(ICandleMessageLike c, decimal? prevClose)
        => prevClose is { } pc ? Math.Max(c.High - c.Low, Math.Max(Math.Abs(c.High - pc), Math.Abs(c.Low - pc))) : c.High - c.Low;
}

/// <summary>High/low/close of a candle (internal shorthand).</summary>
internal readonly record struct ICandleMessageLike(decimal Open, decimal High, decimal Low, decimal Close, decimal Volume)
{
    public static ICandleMessageLike From(Messages.ICandleMessage c) => new(c.OpenPrice, c.HighPrice, c.LowPrice, c.ClosePrice, c.TotalVolume);
}

/// <summary>Base of indicators fed with candles (reads high/low/close/volume of each input candle).</summary>
public abstract class CandleLengthIndicator : LengthIndicator<decimal>
{
    internal ICandleMessageLike Bar(IIndicatorValue input) => ICandleMessageLike.From(input.ToCandle());
}
