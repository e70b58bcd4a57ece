namespace PyStockSharp.Engine.Indicators;

/// <summary>An incremental indicator over one input value per bar.</summary>
public interface IIndicator
{
    string Name { get; }
    /// <summary>True once enough values were processed for <see cref="Value"/> to be defined.</summary>
    bool IsFormed { get; }
    /// <summary>Latest output; NaN while not formed.</summary>
    double Value { get; }
    /// <summary>Feeds one value and returns the new output (NaN while not formed).</summary>
    double Process(double input);
    void Reset();
}

/// <summary>An indicator fed with whole candles (high/low/close/volume).</summary>
public interface ICandleIndicator
{
    string Name { get; }
    bool IsFormed { get; }
    double Value { get; }
    double Process(Candle candle);
    /// <summary>Feeds one bar; time in UTC ns (only session-aware indicators use it).</summary>
    double Process(long time, double open, double high, double low, double close, double volume);
    void Reset();
}

/// <summary>Base of indicators that take a single length.</summary>
public abstract class LengthIndicator : IIndicator
{
    private int _length;
    protected LengthIndicator(int length) { Length = length; }

    /// <summary>Window length; setting it resets the indicator.</summary>
    public int Length
    {
        get => _length;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(Length), $"{GetType().Name}: Length must be >= 1, got {value}");
            _length = value; OnLengthChanged(); Reset();
        }
    }

    public virtual string Name => $"{GetType().Name}({Length})";
    public bool IsFormed { get; protected set; }
    public double Value { get; protected set; } = double.NaN;
    public abstract double Process(double input);
    public virtual void Reset() { IsFormed = false; Value = double.NaN; }
    protected virtual void OnLengthChanged() { }
    public override string ToString() => $"{Name}={Value}";
}
