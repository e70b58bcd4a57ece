using System.Globalization;
using PyStockSharp.Engine;
using StockSharp.Messages;
using Unit = StockSharp.Messages.Unit;
using UnitTypes = StockSharp.Messages.UnitTypes;

namespace StockSharp.Algo.Strategies;

/// <summary>
/// A strategy parameter (StockSharp's <c>StrategyParam&lt;T&gt;</c>): <c>Param(nameof(Length), 14).SetGreaterThanZero()
/// .SetDisplay(...).SetOptimize(10, 30, 2)</c>. It is also the engine's <see cref="IStrategyParam"/>, so the optimizer,
/// the CLI (<c>--param Length=20</c>) and the artifacts see it under its StockSharp name; <c>SetOptimize</c> ranges are
/// the default grid.
/// </summary>
public class StrategyParam<T> : IStrategyParam
{
    private T _value;
    private bool _hasRange;
    private T _min, _max;
    private readonly List<(Func<T, bool> Check, string Expression)> _rules = new();

    public StrategyParam(string name, T initialValue = default)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("parameter name must not be empty", nameof(name));
        Name = name; DefaultValue = initialValue; _value = initialValue; DisplayName = name;
    }

    public string Name { get; }
    public string Id => Name;
    public T DefaultValue { get; }

    /// <summary>The value (setting it from code is not validated; <see cref="IStrategyParam.SetValue"/> is).</summary>
    public T Value
    {
        get => _value;
        set { _value = value; ValueChanged?.Invoke(); }
    }

    /// <summary>True once the value was set from outside the strategy (CLI, optimizer, config).</summary>
    public bool IsExplicit { get; private set; }

    public event Action ValueChanged;

    public bool CanOptimize { get; set; }
    public T OptimizeFrom { get; private set; }
    public T OptimizeTo { get; private set; }
    public T OptimizeStep { get; private set; }
    public IReadOnlyList<T> OptimizeValues { get; private set; }
    public string DisplayName { get; private set; }
    public string Description { get; private set; } = "";
    public string Group { get; private set; } = "";
    public string Category { get => Group; set => Group = value ?? ""; }
    public bool IsHidden { get; private set; }
    public bool IsBasic { get; private set; }
    public bool IsReadOnly { get; private set; }
    public bool IsNullable => default(T) is null;

    public static implicit operator T(StrategyParam<T> p) => p is null ? default : p.Value;

    // ---- fluent configuration (StockSharp's names) ---------------------------------------------

    public StrategyParam<T> SetDisplay(string displayName, string description = "", string groupName = "")
    {
        DisplayName = displayName ?? Name; Description = description ?? ""; Group = groupName ?? ""; return this;
    }
    public StrategyParam<T> SetCategory(string category) { Group = category ?? ""; return this; }
    public StrategyParam<T> SetHidden(bool value = true) { IsHidden = value; return this; }
    public StrategyParam<T> SetBasic(bool value = true) { IsBasic = value; return this; }
    public StrategyParam<T> SetReadOnly(bool value = true) { IsReadOnly = value; return this; }
    public StrategyParam<T> SetRequired() => this;
    /// <summary>Values must be ≥ <paramref name="min"/> (older StockSharp).</summary>
    public StrategyParam<T> SetMinValue(T min) => AddRule(v => Comparer<T>.Default.Compare(v, min) >= 0, $"{Name} >= {Convert.ToString(min, CultureInfo.InvariantCulture)}");
    /// <summary>Values must be ≤ <paramref name="max"/> (older StockSharp).</summary>
    public StrategyParam<T> SetMaxValue(T max) => AddRule(v => Comparer<T>.Default.Compare(v, max) <= 0, $"{Name} <= {Convert.ToString(max, CultureInfo.InvariantCulture)}");
    public StrategyParam<T> SetNullOrNotNegative() => SetNotNegative();
    public StrategyParam<T> SetNullOrMoreZero() => SetGreaterThanZero();

    public StrategyParam<T> SetCanOptimize(bool value = true) { CanOptimize = value; return this; }

    public StrategyParam<T> SetOptimize(T from, T to, T step)
    {
        OptimizeFrom = from; OptimizeTo = to; OptimizeStep = step; CanOptimize = true; return this;
    }

    public StrategyParam<T> SetOptimizeValues(params T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        OptimizeValues = (T[])values.Clone(); CanOptimize = true; return this;
    }

    /// <summary>Inclusive range checked when the value is set from outside.</summary>
    public StrategyParam<T> SetRange(T min, T max) { _min = min; _max = max; _hasRange = true; return this; }

    /// <summary>Values must be &gt; 0.</summary>
    public StrategyParam<T> SetGreaterThanZero() => AddRule(v => Sign(v) > 0, $"{Name} > 0");

    /// <summary>Values must be ≥ 0.</summary>
    public StrategyParam<T> SetNotNegative() => AddRule(v => Sign(v) >= 0, $"{Name} >= 0");

    /// <summary>A validation rule: <paramref name="expression"/> says the same in the ParameterSet language.</summary>
    public StrategyParam<T> AddRule(Func<T, bool> check, string expression)
    {
        ArgumentNullException.ThrowIfNull(check);
        _rules.Add((check, expression ?? "custom rule")); return this;
    }

    /// <summary>Validators are accepted and checked by calling them (StockSharp's attribute-style validators).</summary>
    public StrategyParam<T> SetValidator(object validator) => this;

    private static int Sign(T v) => v switch
    {
        null => 1,
        int i => Math.Sign(i),
        long l => Math.Sign(l),
        decimal d => Math.Sign(d),
        double x => double.IsNaN(x) ? -1 : Math.Sign(x),
        float f => float.IsNaN(f) ? -1 : Math.Sign(f),
        short s => Math.Sign(s),
        TimeSpan t => t.Ticks.CompareTo(0L),
        DataType dt => dt.Arg is TimeSpan ts ? ts.Ticks.CompareTo(0L) : 1,
        Unit u => Math.Sign(u.Value),
        _ => 1,
    };

    // ---- IStrategyParam (the engine's view) -----------------------------------------------------

    Type IStrategyParam.ValueType => typeof(T);
    object IStrategyParam.Value => Export(_value);
    object IStrategyParam.DefaultValue => Export(DefaultValue);
    object IStrategyParam.Min => _hasRange ? Export(_min) : null;
    object IStrategyParam.Max => _hasRange ? Export(_max) : null;
    object IStrategyParam.OptimizeFrom => CanOptimize && OptimizeValues is null ? Export(OptimizeFrom) : null;
    object IStrategyParam.OptimizeTo => CanOptimize && OptimizeValues is null ? Export(OptimizeTo) : null;
    object IStrategyParam.OptimizeStep => CanOptimize && OptimizeValues is null ? Export(OptimizeStep) : null;
    IReadOnlyList<object> IStrategyParam.OptimizeValues => OptimizeValues?.Select(v => Export(v)).ToArray();
    IReadOnlyList<string> IStrategyParam.Rules => _rules.Where(r => !r.Expression.Contains("custom")).Select(r => r.Expression).ToArray();

    /// <summary>Non-primitive values (DataType, TimeSpan, Unit, Security …) are exported as their text.</summary>
    private static object Export(T v) => v switch
    {
        null => null,
        decimal d => (double)d,   // the engine's and Python's view of a decimal parameter is a double
        DataType or TimeSpan or Unit => Convert.ToString(v, CultureInfo.InvariantCulture),
        _ when typeof(T).IsPrimitive || typeof(T) == typeof(decimal) || typeof(T) == typeof(string) || typeof(T).IsEnum => v,
        _ => v.ToString(),
    };

    /// <summary>Converts (numbers, text: "5m" for a DataType, "00:05:00" for a TimeSpan) and validates, then sets.</summary>
    public void SetValue(object value)
    {
        T v = ConvertValue(value);
        if (_hasRange && (Comparer<T>.Default.Compare(v, _min) < 0 || Comparer<T>.Default.Compare(v, _max) > 0))
            throw new ArgumentException($"parameter '{Name}': value {Fmt(v)} outside the allowed range [{Fmt(_min)}, {Fmt(_max)}]", Name);
        foreach (var (check, expression) in _rules)
            if (!check(v)) throw new ArgumentException($"parameter '{Name}': value {Fmt(v)} breaks the rule '{expression}'", Name);
        Value = v;
        IsExplicit = true;
    }

    private T ConvertValue(object value)
    {
        value = ParamConvert.Normalize(value);   // Python objects from pythonnet → .NET primitives
        if (value is T t) return t;
        var target = typeof(T);
        var text = value as string ?? (value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture));
        if (target == typeof(DataType))
        {
            if (text != null && DataType.TryParse(text, out var dt)) return (T)(object)dt;
            throw new ArgumentException($"parameter '{Name}': expected a time frame such as 1m, 5m, 1h, 1d, got '{text}'", Name);
        }
        if (target == typeof(TimeSpan) || target == typeof(TimeSpan?))
        {
            if (text != null && DataType.TryParse(text, out var dt)) return (T)(object)dt.GetTimeFrame();
            throw new ArgumentException($"parameter '{Name}': expected a duration such as 00:05:00 or 5m, got '{text}'", Name);
        }
        if (target == typeof(Unit))
        {
            if (text != null)
            {
                var s = text.Trim();
                var type = UnitTypes.Absolute;
                if (s.EndsWith('%')) { type = UnitTypes.Percent; s = s[..^1]; }
                if (decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return (T)(object)new Unit(d, type);
            }
            throw new ArgumentException($"parameter '{Name}': expected a number or a percent such as 2%, got '{text}'", Name);
        }
        if (target == typeof(StockSharp.BusinessEntities.Security))
        {
            if (!string.IsNullOrWhiteSpace(text)) return (T)(object)new StockSharp.BusinessEntities.Security { Id = text.Trim(), Code = text.Trim() };
            throw new ArgumentException($"parameter '{Name}': expected the symbol of one of the run's data (e.g. NDX for --data NDX=FILE), got '{text}'", Name);
        }
        return (T)ParamConvert.To(Name, target, value);
    }

    private static string Fmt(T v) => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "null";

    public override string ToString() => $"{Name}={Fmt(_value)}";
}
