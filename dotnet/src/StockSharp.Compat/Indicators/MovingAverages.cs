namespace StockSharp.Algo.Indicators;

/// <summary>Simple moving average: the mean of the last <c>Length</c> inputs; formed after <c>Length</c> inputs.</summary>
public class SimpleMovingAverage : LengthIndicator<decimal>
{
    private decimal _sum;

    public SimpleMovingAverage() { Length = 32; }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var price = InputPrice(input);
        if (Buffer.PushBack(price, out var dropped)) _sum -= dropped;
        _sum += price;
        return Result(input, _sum / Buffer.Count);
    }

    public override void Reset() { _sum = 0; base.Reset(); }
}

/// <summary>Short name of <see cref="SimpleMovingAverage"/>.</summary>
public class SMA : SimpleMovingAverage { }

/// <summary>
/// Exponential moving average, α = 2 / (Length + 1), seeded with the simple average of the first <c>Length</c>
/// inputs (before that the running mean of the inputs so far); formed after <c>Length</c> inputs.
/// </summary>
public class ExponentialMovingAverage : LengthIndicator<decimal>
{
    private decimal _prev, _sum;
    private int _count;

    public ExponentialMovingAverage() { Length = 32; }

    public override bool IsFormed { get => _count >= Length; protected set { } }

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var price = InputPrice(input);
        if (_count < Length)
        {
            _count++;
            _sum += price;
            _prev = _sum / _count;
            return Result(input, _prev);
        }
        var k = 2m / (Length + 1);
        _prev = (price - _prev) * k + _prev;
        return Result(input, _prev);
    }

    public override void Reset() { _prev = _sum = 0; _count = 0; base.Reset(); }
}

/// <summary>Short name of <see cref="ExponentialMovingAverage"/>.</summary>
public class EMA : ExponentialMovingAverage { }
