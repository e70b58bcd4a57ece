using System.Globalization;
using StockSharp.Messages;

using StockSharp.Algo.Strategies;

namespace StockSharp.Algo.Indicators;

/// <summary>What an indicator's values measure (drawing hint).</summary>
public enum IndicatorMeasures { Price, Percent, MinusOnePlusOne, Volume }

/// <summary>How a complex indicator feeds its inner indicators.</summary>
public enum ComplexIndicatorModes { Sequence, Parallel }

/// <summary>
/// An indicator (StockSharp's <c>IIndicator</c>): <see cref="Process"/> takes one input value (a number or a candle)
/// and returns the indicator's value for it; <see cref="IsFormed"/> once enough inputs were seen.
/// </summary>
public interface IIndicator
{
    string Name { get; set; }
    bool IsFormed { get; }
    int NumValuesToInitialize { get; }
    IndicatorMeasures Measure { get; }
    IIndicatorValue Process(IIndicatorValue input);
    void Reset();
    event Action<IIndicatorValue, IIndicatorValue> Changed;
    event Action Reseted;
}

/// <summary>An indicator made of inner indicators (Bollinger bands, MACD signal, Stochastic …).</summary>
public interface IComplexIndicator : IIndicator
{
    IReadOnlyList<IIndicator> InnerIndicators { get; }
    ComplexIndicatorModes Mode { get; }
}

/// <summary>An indicator's input or output value.</summary>
public interface IIndicatorValue : IComparable<IIndicatorValue>
{
    IIndicator Indicator { get; }
    bool IsEmpty { get; }
    bool IsFinal { get; set; }
    bool IsFormed { get; }
    /// <summary>Time of the input (UTC).</summary>
    DateTime Time { get; }
    T GetValue<T>(Level1Fields? field = null);
    /// <summary>The value as a decimal (the close price for a candle); InvalidOperationException when empty or complex.</summary>
    decimal ToDecimal();
    IEnumerable<object> ToValues();
}

/// <summary>Base of indicator values.</summary>
public abstract class BaseIndicatorValue : IIndicatorValue
{
    protected BaseIndicatorValue(IIndicator indicator, DateTime time) { Indicator = indicator; Time = time; }
    public IIndicator Indicator { get; }
    public DateTime Time { get; protected set; }
    public abstract bool IsEmpty { get; set; }
    public bool IsFinal { get; set; } = true;
    public bool IsFormed { get; set; }
    public abstract T GetValue<T>(Level1Fields? field = null);
    public virtual decimal ToDecimal() => GetValue<decimal>();
    public abstract IEnumerable<object> ToValues();
    public virtual int CompareTo(IIndicatorValue other) => other is null ? 1 : ToDecimal().CompareTo(other.ToDecimal());

    protected static T ConvertTo<T>(decimal value)
    {
        if (typeof(T) == typeof(decimal)) return (T)(object)value;
        if (typeof(T) == typeof(decimal?)) return (T)(object)value;
        if (typeof(T) == typeof(double)) return (T)(object)(double)value;
        if (typeof(T) == typeof(float)) return (T)(object)(float)value;
        if (typeof(T) == typeof(int)) return (T)(object)(int)value;
        if (typeof(T) == typeof(long)) return (T)(object)(long)value;
        if (typeof(T) == typeof(object)) return (T)(object)value;
        return (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
    }
}

/// <summary>A single number (StockSharp's <c>DecimalIndicatorValue</c>); <see cref="IsEmpty"/> when there is none.</summary>
public class DecimalIndicatorValue : BaseIndicatorValue
{
    public DecimalIndicatorValue(IIndicator indicator, decimal value, DateTime time) : base(indicator, time) { Value = value; }
    public DecimalIndicatorValue(IIndicator indicator, decimal value, DateTimeOffset time) : this(indicator, value, ToUtc(time)) { }
    public DecimalIndicatorValue(IIndicator indicator, DateTime time) : base(indicator, time) { _empty = true; }
    public DecimalIndicatorValue(IIndicator indicator, DateTimeOffset time) : this(indicator, ToUtc(time)) { }
    public DecimalIndicatorValue(IIndicator indicator, decimal value) : this(indicator, value, default(DateTime)) { }
    public DecimalIndicatorValue(IIndicator indicator) : this(indicator, default(DateTime)) { }

    private bool _empty;
    public decimal Value { get; }
    public override bool IsEmpty { get => _empty; set => _empty = value; }

    public override T GetValue<T>(Level1Fields? field = null)
    {
        if (_empty)
        {
            if (default(T) is null) return default;
            throw new InvalidOperationException($"{Indicator?.Name ?? "indicator"} value at {Time:O} is empty (the indicator is not formed)");
        }
        return ConvertTo<T>(Value);
    }

    public override decimal ToDecimal() => _empty
        ? throw new InvalidOperationException($"{Indicator?.Name ?? "indicator"} value at {Time:O} is empty (the indicator is not formed)")
        : Value;

    public override IEnumerable<object> ToValues() { if (!_empty) yield return Value; }
    public override string ToString() => _empty ? "empty" : Value.ToString(CultureInfo.InvariantCulture);

    internal static DateTime ToUtc(DateTimeOffset time) => time == default ? default : time.UtcDateTime;
}

/// <summary>A candle as an indicator input; <see cref="ToDecimal"/> is its close price.</summary>
public class CandleIndicatorValue : BaseIndicatorValue
{
    public CandleIndicatorValue(IIndicator indicator, ICandleMessage candle) : base(indicator, candle?.OpenTime ?? default)
    {
        Value = candle ?? throw new ArgumentNullException(nameof(candle));
    }
    public ICandleMessage Value { get; private set; }

    /// <summary>Points this input at another candle (a subscription reuses one input object per binding).</summary>
    internal void Reset(ICandleMessage candle) { Value = candle; Time = candle.OpenTime; }
    public override bool IsEmpty { get => false; set { } }
    public override T GetValue<T>(Level1Fields? field = null)
    {
        if (Value is T c) return c;
        var price = field switch
        {
            Level1Fields.OpenPrice => Value.OpenPrice,
            Level1Fields.HighPrice => Value.HighPrice,
            Level1Fields.LowPrice => Value.LowPrice,
            Level1Fields.Volume => Value.TotalVolume,
            _ => Value.ClosePrice,
        };
        return ConvertTo<T>(price);
    }
    public override decimal ToDecimal() => Value.ClosePrice;
    public override IEnumerable<object> ToValues() { yield return Value; }
    public override string ToString() => Value.ToString();
}

/// <summary>The values of a complex indicator's inner indicators.</summary>
public class ComplexIndicatorValue : BaseIndicatorValue
{
    public ComplexIndicatorValue(IComplexIndicator indicator, DateTime time) : base(indicator, time) { }
    public ComplexIndicatorValue(IComplexIndicator indicator, DateTimeOffset time) : this(indicator, DecimalIndicatorValue.ToUtc(time)) { }
    public ComplexIndicatorValue(IComplexIndicator indicator) : this(indicator, default(DateTime)) { }

    /// <summary>Inner indicator → its value.</summary>
    public IDictionary<IIndicator, IIndicatorValue> InnerValues { get; } = new Dictionary<IIndicator, IIndicatorValue>();

    public IIndicatorValue this[IIndicator inner] => InnerValues.TryGetValue(inner, out var v) ? v : null;

    public void Add(IIndicator inner, IIndicatorValue value) => InnerValues[inner] = value;

    public override bool IsEmpty { get => InnerValues.Count == 0 || InnerValues.Values.All(v => v.IsEmpty); set { } }

    /// <summary>The inner value of <paramref name="inner"/> as a nullable decimal (null when empty or missing).</summary>
    protected decimal? Get(IIndicator inner)
    {
        if (inner is null || !InnerValues.TryGetValue(inner, out var v) || v is null || v.IsEmpty) return null;
        return v is ComplexIndicatorValue ? null : v.ToDecimal();
    }

    public override T GetValue<T>(Level1Fields? field = null)
        => throw new NotSupportedException($"{Indicator?.Name ?? "complex indicator"} has several values: read its typed properties or InnerValues");

    public override decimal ToDecimal()
        => throw new NotSupportedException($"{Indicator?.Name ?? "complex indicator"} has several values: read its typed properties or InnerValues");

    public override IEnumerable<object> ToValues()
    {
        if (Indicator is IComplexIndicator c)
            foreach (var inner in c.InnerIndicators)
                if (InnerValues.TryGetValue(inner, out var v)) foreach (var x in v.ToValues()) yield return x;
                else yield return null;
    }

    public override string ToString() => string.Join(", ", ToValues().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
}

/// <summary>A complex value typed by its indicator (StockSharp's <c>ComplexIndicatorValue&lt;TIndicator&gt;</c>).</summary>
public class ComplexIndicatorValue<TIndicator> : ComplexIndicatorValue where TIndicator : IComplexIndicator
{
    public ComplexIndicatorValue(TIndicator indicator, DateTime time) : base(indicator, time) { TypedIndicator = indicator; }

    /// <summary>The indicator that made this value.</summary>
    public TIndicator TypedIndicator { get; }

    /// <summary>The inner value of <paramref name="inner"/> as a nullable decimal (null when empty or missing).</summary>
    protected decimal? GetInnerDecimal(IIndicator inner) => Get(inner);
}

/// <summary>Base of indicators: name, formed state, events, <see cref="Process"/> → <see cref="OnProcess"/>.</summary>
public abstract class BaseIndicator : IIndicator
{
    protected BaseIndicator() { Name = GetType().Name; _hasFastStep = HasFastStep; UpdateFast(); }

    public virtual string Name { get; set; }
    public string Id { get; set; } = Guid.NewGuid().ToString("N");
    public virtual bool IsFormed { get; protected set; }
    public virtual int NumValuesToInitialize => 1;
    public virtual IndicatorMeasures Measure => IndicatorMeasures.Price;
    /// <summary>Which candle price single-value indicators read (close by default).</summary>
    public Level1Fields? Source { get => _source; set { _source = value; UpdateFast(); } }
    private Level1Fields? _source;
    public object Container { get; set; }

    public event Action<IIndicatorValue, IIndicatorValue> Changed
    {
        add { _changed += value; UpdateFast(); }
        remove { _changed -= value; UpdateFast(); }
    }
    private Action<IIndicatorValue, IIndicatorValue> _changed;
    public event Action Reseted;

    /// <summary>The last value <see cref="Process"/> returned (null before any, and after <see cref="Reset"/>).</summary>
    public IIndicatorValue LastValue
    {
        get
        {
            if (_fastPending)
            {
                _fastPending = false;
                _lastValue = new DecimalIndicatorValue(this, _fastValue, _fastTime) { IsFormed = _fastFormed };
            }
            return _lastValue;
        }
        private set { _lastValue = value; _fastPending = false; }
    }
    private IIndicatorValue _lastValue;

    // ---- the fast path of Bind: a single-value indicator computes from the close without allocating a value ----
    private bool _fastPending, _fastFormed;
    private decimal _fastValue;
    private DateTime _fastTime;

    /// <summary>True for indicators whose <see cref="FastStep"/> is their whole computation from one number.</summary>
    internal virtual bool HasFastStep => false;

    /// <summary>The indicator's step for one number (the state change of <see cref="OnProcess"/>, no value object).</summary>
    internal virtual decimal FastStep(decimal input) => throw new NotSupportedException();

    /// <summary>The step for a price given as the data's double (indicators computing in double precision skip a
    /// decimal → double conversion; the others take the decimal).</summary>
    internal virtual decimal FastStep(double input) => FastStep(DecimalColumns.ToDecimal(input));

    /// <summary>Whether <c>Bind</c> may use <see cref="FastProcess"/> now: a fast step, the close as input, nobody
    /// listening to <see cref="Changed"/> (kept up to date by their setters: read once per candle).</summary>
    internal bool CanProcessFast;
    private readonly bool _hasFastStep;
    private void UpdateFast() => CanProcessFast = _hasFastStep && _source is null && _changed is null;

    /// <summary>As <c>Process(new CandleIndicatorValue(candle))</c> for Bind, without allocating; <see cref="LastValue"/>
    /// is made when asked for.</summary>
    internal decimal FastProcess(double close, DateTime time, out bool formed)
    {
        var v = FastStep(close);
        formed = IsFormed;
        _fastValue = v; _fastTime = time; _fastFormed = formed; _fastPending = true;
        return v;
    }

    internal decimal FastProcess(decimal close, DateTime time, out bool formed)
    {
        var v = FastStep(close);
        formed = IsFormed;
        _fastValue = v; _fastTime = time; _fastFormed = formed; _fastPending = true;
        return v;
    }

    /// <summary>Processes one input; the returned value carries <see cref="IsFormed"/> as it is after this input.</summary>
    public IIndicatorValue Process(IIndicatorValue input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = OnProcess(input);
        if (result is BaseIndicatorValue b)
        {
            b.IsFinal = input.IsFinal;
            b.IsFormed = IsFormed;
        }
        LastValue = result;
        _changed?.Invoke(input, result);
        return result;
    }

    /// <summary>The indicator's value for <paramref name="input"/> (and its state change).</summary>
    protected abstract IIndicatorValue OnProcess(IIndicatorValue input);

    // Instance forms of IndicatorHelper's extensions: StockSharp's Python strategies call them as methods
    // (pythonnet, unlike StockSharp's IronPython host, does not see extension methods).

    /// <summary>Processes a number at <paramref name="time"/>.</summary>
    public IIndicatorValue Process(decimal value, DateTime time, bool isFinal = true) => Process(new DecimalIndicatorValue(this, value, time) { IsFinal = isFinal });

    /// <summary>Processes a number at <paramref name="time"/>.</summary>
    public IIndicatorValue Process(decimal value, DateTimeOffset time, bool isFinal = true) => Process(value, DecimalIndicatorValue.ToUtc(time), isFinal);

    /// <summary>Processes a candle.</summary>
    public IIndicatorValue Process(ICandleMessage candle) => Process(new CandleIndicatorValue(this, candle));

    public virtual void Reset()
    {
        IsFormed = false;
        LastValue = null;
        Reseted?.Invoke();
    }

    /// <summary>The number an input stands for: the value, or the candle's <see cref="Source"/> price (close by default).</summary>
    protected decimal InputPrice(IIndicatorValue input) => Source is { } f && input is CandleIndicatorValue c ? c.GetValue<decimal>(f) : input.ToDecimal();

    protected DecimalIndicatorValue Result(IIndicatorValue input, decimal value) => new(this, value, input.Time);
    protected DecimalIndicatorValue Empty(IIndicatorValue input) => new(this, input.Time);

    public override string ToString() => Name;
}

/// <summary>A fixed-capacity FIFO window (oldest first).</summary>
public class CircularBuffer<T> : IEnumerable<T>
{
    private T[] _items;
    private int _start, _count;

    public CircularBuffer(int capacity) { _items = new T[Math.Max(capacity, 1)]; }
    public int Capacity
    {
        get => _items.Length;
        set { if (value < 1) value = 1; if (value != _items.Length) { _items = new T[value]; _start = _count = 0; } }
    }
    public int Count => _count;
    /// <summary>i-th value, oldest first.</summary>
    public T this[int index] => _items[(_start + index) % _items.Length];
    public T First() => this[0];
    public T Last() => this[_count - 1];
    /// <summary>Appends; when full the oldest value is dropped and returned through <paramref name="dropped"/>.</summary>
    public bool PushBack(T value, out T dropped)
    {
        if (_count < _items.Length) { _items[(_start + _count) % _items.Length] = value; _count++; dropped = default; return false; }
        dropped = _items[_start];
        _items[_start] = value;
        _start = (_start + 1) % _items.Length;
        return true;
    }
    public void PushBack(T value) => PushBack(value, out _);
    public void Clear() { _start = _count = 0; Array.Clear(_items); }
    public IEnumerator<T> GetEnumerator() { for (int i = 0; i < _count; i++) yield return this[i]; }
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>An indicator over a window of <see cref="Length"/> inputs.</summary>
public abstract class LengthIndicator<TResult> : BaseIndicator
{
    private int _length = 1;

    protected LengthIndicator() { Buffer = new CircularBuffer<TResult>(_length); }

    /// <summary>Window length (> 0).</summary>
    public virtual int Length
    {
        get => _length;
        set
        {
            if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, $"{Name}.Length must be > 0");
            _length = value;
            Buffer.Capacity = value;
            Reset();
        }
    }

    /// <summary>The last <see cref="Length"/> values the indicator keeps.</summary>
    protected CircularBuffer<TResult> Buffer { get; }

    public override int NumValuesToInitialize => Length;
    public override bool IsFormed { get => Buffer.Count >= Length; protected set { } }

    public override void Reset()
    {
        Buffer.Clear();
        base.Reset();
    }

    public override string ToString() => $"{Name} {Length}";
}

/// <summary>
/// Base of complex indicators: every input goes to each inner indicator (Parallel) or through them in turn
/// (Sequence); the value holds one inner value per inner indicator, in <see cref="InnerIndicators"/> order (the
/// order <c>Bind</c> hands them to a handler).
/// </summary>
public abstract class BaseComplexIndicator : BaseIndicator, IComplexIndicator
{
    private readonly List<IIndicator> _inner = new();

    protected BaseComplexIndicator(params IIndicator[] inner) { foreach (var i in inner) AddInner(i); }

    public IReadOnlyList<IIndicator> InnerIndicators => _inner;
    public ComplexIndicatorModes Mode { get; protected set; } = ComplexIndicatorModes.Parallel;

    protected void AddInner(IIndicator indicator) => _inner.Add(indicator ?? throw new ArgumentNullException(nameof(indicator)));
    protected void ReplaceInner(int index, IIndicator indicator) => _inner[index] = indicator ?? throw new ArgumentNullException(nameof(indicator));

    public override bool IsFormed { get => _inner.All(i => i.IsFormed); protected set { } }

    /// <summary>Makes the (typed) value object of this indicator.</summary>
    protected virtual ComplexIndicatorValue CreateValue(DateTime time) => new(this, time);

    protected override IIndicatorValue OnProcess(IIndicatorValue input)
    {
        var value = CreateValue(input.Time);
        foreach (var inner in _inner)
        {
            var r = inner.Process(input);
            value.Add(inner, r);
            if (Mode == ComplexIndicatorModes.Sequence)
            {
                // the next indicator only sees formed values of the previous one (e.g. MACD signal line:
                // the EMA of MACD starts once MACD itself is formed)
                if (r.IsEmpty || !inner.IsFormed) break;
                input = r;
            }
        }
        return value;
    }

    public override void Reset()
    {
        foreach (var i in _inner) i.Reset();
        base.Reset();
    }
}

/// <summary>Extension methods on indicators and values (StockSharp's <c>IndicatorHelper</c>).</summary>
public static class IndicatorHelper
{
    public static IIndicatorValue Process(this IIndicator indicator, decimal value, DateTime time, bool isFinal = true)
        => indicator.Process(new DecimalIndicatorValue(indicator, value, time) { IsFinal = isFinal });

    public static IIndicatorValue Process(this IIndicator indicator, decimal value, DateTimeOffset time, bool isFinal = true)
        => indicator.Process(value, DecimalIndicatorValue.ToUtc(time), isFinal);

    public static IIndicatorValue Process(this IIndicator indicator, ICandleMessage candle)
        => indicator.Process(new CandleIndicatorValue(indicator, candle));

    public static IIndicatorValue Process(this IIndicator indicator, ICandleMessage candle, bool isFinal)
        => indicator.Process(new CandleIndicatorValue(indicator, candle) { IsFinal = isFinal });

    public static IIndicatorValue Process<TValue>(this IIndicator indicator, TValue value, DateTime time, bool isFinal) where TValue : struct, IConvertible
        => indicator.Process(Convert.ToDecimal(value, CultureInfo.InvariantCulture), time, isFinal);

    /// <summary>The value as a decimal (also callable as <c>IndicatorHelper.ToDecimal(v)</c>, as StockSharp's Python files do).</summary>
    public static decimal ToDecimal(this IIndicatorValue value) => value.ToDecimal();

    public static decimal ToDecimal(this IIndicatorValue value, Level1Fields? field) => value.GetValue<decimal>(field);

    /// <summary>The candle an input value carries; a clear error for a plain number.</summary>
    public static ICandleMessage ToCandle(this IIndicatorValue value)
        => value is CandleIndicatorValue c ? c.Value
        : throw new ArgumentException($"{value?.Indicator?.Name ?? "indicator"} needs candles as input, got a plain value ({value?.GetType().Name}); bind it to a candle subscription");

    public static decimal? ToNullableDecimal(this IIndicatorValue value) => value is null || value.IsEmpty ? null : value.ToDecimal();

    /// <summary>The indicator's last value as a decimal (0 before any value).</summary>
    public static decimal GetCurrentValue(this IIndicator indicator) => GetNullableCurrentValue(indicator) ?? 0m;

    public static decimal? GetNullableCurrentValue(this IIndicator indicator)
        => (indicator as BaseIndicator)?.LastValue is { IsEmpty: false } v and not ComplexIndicatorValue ? v.ToDecimal() : null;

    public static bool IsEmpty(this IIndicatorValue value, bool checkFormed) => value is null || value.IsEmpty || (checkFormed && !value.IsFormed);
}

/// <summary>
/// An indicator over the last <c>Length</c> + 1 inputs (<see cref="Prices"/>, oldest first): changes over
/// <c>Length</c> steps. Formed after Length + 1 inputs.
/// </summary>
public abstract class PriceWindowIndicator : LengthIndicator<decimal>
{
    private readonly CircularBuffer<decimal> _prices = new(2);

    /// <summary>The last Length + 1 inputs, oldest first.</summary>
    protected CircularBuffer<decimal> Prices => _prices;

    public override int Length { get => base.Length; set { _prices.Capacity = value + 1; base.Length = value; } }
    public override bool IsFormed { get => _prices.Count > Length; protected set { } }
    public override int NumValuesToInitialize => Length + 1;

    public override void Reset() { _prices?.Clear(); base.Reset(); }
}
