using System.Globalization;

namespace PyStockSharp.Engine;

/// <summary>Untyped view of a strategy parameter.</summary>
public interface IStrategyParam
{
    string Name { get; }
    Type ValueType { get; }
    object? Value { get; }
    object? DefaultValue { get; }
    object? Min { get; }
    object? Max { get; }
    object? OptimizeFrom { get; }
    object? OptimizeTo { get; }
    object? OptimizeStep { get; }
    bool CanOptimize { get; }
    string DisplayName { get; }
    string Description { get; }
    string Group { get; }
    /// <summary>Converts and validates <paramref name="value"/>, then sets it. Throws ArgumentException.</summary>
    void SetValue(object? value);
    /// <summary>Discrete optimization values (<c>SetOptimizeValues</c>); null when none were given.</summary>
    IReadOnlyList<object?>? OptimizeValues => null;
    /// <summary>Validation rules as expressions in the ParameterSet language (e.g. <c>"period % 2 == 1"</c>).</summary>
    IReadOnlyList<string> Rules => Array.Empty<string>();
}

/// <summary>A typed strategy parameter (StockSharp's shape).</summary>
public sealed class StrategyParam<T> : IStrategyParam
{
    private bool _hasRange;
    private T _min = default!, _max = default!;

    public StrategyParam(string name, T defaultValue)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("parameter name must not be empty");
        Name = name; DefaultValue = defaultValue; Value = defaultValue; DisplayName = name;
    }

    public string Name { get; }
    public Type ValueType => typeof(T);
    public T Value { get; set; }
    public T DefaultValue { get; }
    public bool CanOptimize { get; private set; }
    public T OptimizeFrom { get; private set; } = default!;
    public T OptimizeTo { get; private set; } = default!;
    public T OptimizeStep { get; private set; } = default!;
    public string DisplayName { get; private set; }
    public string Description { get; private set; } = "";
    public string Group { get; private set; } = "";

    object? IStrategyParam.Value => Value;
    object? IStrategyParam.DefaultValue => DefaultValue;
    object? IStrategyParam.Min => _hasRange ? _min : null;
    object? IStrategyParam.Max => _hasRange ? _max : null;
    object? IStrategyParam.OptimizeFrom => CanOptimize ? OptimizeFrom : null;
    object? IStrategyParam.OptimizeTo => CanOptimize ? OptimizeTo : null;
    object? IStrategyParam.OptimizeStep => CanOptimize ? OptimizeStep : null;

    public StrategyParam<T> SetOptimize(T from, T to, T step)
    {
        OptimizeFrom = from; OptimizeTo = to; OptimizeStep = step; CanOptimize = true; return this;
    }
    public StrategyParam<T> SetCanOptimize(bool value) { CanOptimize = value; return this; }

    private T[]? _values;
    private readonly List<(Func<T, bool> Check, string Expression)> _rules = new();

    /// <summary>Discrete optimization values (instead of, or besides, a from/to/step range); enables optimization.</summary>
    public StrategyParam<T> SetOptimizeValues(params T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0) throw new ArgumentException($"parameter '{Name}': SetOptimizeValues needs at least one value");
        _values = (T[])values.Clone(); CanOptimize = true; return this;
    }

    /// <summary>The discrete optimization values, or null.</summary>
    public IReadOnlyList<T>? OptimizeValues => _values;

    /// <summary>
    /// A validation rule checked by <see cref="SetValue"/>: <paramref name="check"/> must hold for every value;
    /// <paramref name="expression"/> says the same in the ParameterSet expression language over the parameter's
    /// name (e.g. <c>"period % 2 == 1"</c>) so that Python's ParameterSet validates identically.
    /// </summary>
    public StrategyParam<T> AddRule(Func<T, bool> check, string expression)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (string.IsNullOrWhiteSpace(expression)) throw new ArgumentException($"parameter '{Name}': a rule needs its expression text");
        _rules.Add((check, expression)); return this;
    }

    IReadOnlyList<object?>? IStrategyParam.OptimizeValues => _values?.Select(v => (object?)v).ToArray();
    IReadOnlyList<string> IStrategyParam.Rules => _rules.Select(r => r.Expression).ToArray();

    public StrategyParam<T> SetDisplay(string displayName, string description = "", string group = "")
    {
        DisplayName = displayName ?? Name; Description = description ?? ""; Group = group ?? ""; return this;
    }

    /// <summary>Inclusive validation range for <see cref="IStrategyParam.SetValue"/>.</summary>
    public StrategyParam<T> SetRange(T min, T max)
    {
        if (Comparer<T>.Default.Compare(min, max) > 0) throw new ArgumentException($"parameter '{Name}': range min {min} > max {max}");
        _min = min; _max = max; _hasRange = true; return this;
    }

    public void SetValue(object? value)
    {
        T v = ParamConvert.To<T>(Name, value);
        if (_hasRange && (Comparer<T>.Default.Compare(v, _min) < 0 || Comparer<T>.Default.Compare(v, _max) > 0))
            throw new ArgumentException($"parameter '{Name}': value {Fmt(v)} outside the allowed range [{Fmt(_min)}, {Fmt(_max)}]", Name);
        foreach (var (check, expression) in _rules)
            if (!check(v)) throw new ArgumentException($"parameter '{Name}': value {Fmt(v)} breaks the rule '{expression}'", Name);
        Value = v;
    }

    private static string Fmt(T v) => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "null";

    public override string ToString() => $"{Name}={Fmt(Value)}";
}

internal static class ParamConvert
{
    public static T To<T>(string name, object? value) => (T)To(name, typeof(T), value)!;

    /// <summary>pythonnet passes Python objects to <c>object</c> parameters as Python.Runtime.PyObject; turn them into .NET primitives.</summary>
    internal static object? Normalize(object? value)
    {
        if (value is null) return null;
        var vt = value.GetType();
        bool isPy = false;
        for (var b = vt; b != null; b = b.BaseType)
            if (b.FullName == "Python.Runtime.PyObject") { isPy = true; break; }
        if (!isPy) return value;
        try
        {
            var conv = value as IConvertible;
            string pyType = vt.Name switch
            {
                "PyInt" => "int", "PyFloat" => "float", "PyString" => "str",
                _ => vt.GetMethod("GetPythonType", Type.EmptyTypes)?.Invoke(value, null)?.ToString() ?? "",
            };
            if (pyType.Contains("NoneType", StringComparison.Ordinal)) return null;
            if (conv != null)
            {
                if (pyType.Contains("bool", StringComparison.Ordinal)) return conv.ToBoolean(CultureInfo.InvariantCulture);
                if (pyType.Contains("int", StringComparison.Ordinal)) return conv.ToInt64(CultureInfo.InvariantCulture);
                if (pyType.Contains("float", StringComparison.Ordinal) || pyType.Contains("Decimal", StringComparison.Ordinal))
                    return conv.ToDouble(CultureInfo.InvariantCulture);
            }
        }
        catch (Exception) { }
        return value.ToString();
    }

    public static object? To(string name, Type t, object? value)
    {
        value = Normalize(value);
        string Bad(string why) => $"parameter '{name}': expected {Describe(t)}, got {(value is null ? "null" : $"{value.GetType().Name} '{Convert.ToString(value, CultureInfo.InvariantCulture)}'")}{why}";
        if (value is null)
        {
            if (!t.IsValueType || Nullable.GetUnderlyingType(t) != null) return null;
            throw new ArgumentException(Bad(""), name);
        }
        var target = Nullable.GetUnderlyingType(t) ?? t;
        if (target.IsInstanceOfType(value)) return value;
        try
        {
            if (target == typeof(string)) return Convert.ToString(value, CultureInfo.InvariantCulture);
            if (target.IsEnum)
            {
                if (value is string es)
                {
                    if (Enum.TryParse(target, es, true, out var ev) && Enum.IsDefined(target, ev!)) return ev;
                    throw new ArgumentException(Bad($" (one of {string.Join(", ", Enum.GetNames(target))})"), name);
                }
                var iv = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                var e = Enum.ToObject(target, iv);
                if (!Enum.IsDefined(target, e)) throw new ArgumentException(Bad($" (one of {string.Join(", ", Enum.GetNames(target))})"), name);
                return e;
            }
            if (target == typeof(bool))
            {
                if (value is string bs)
                {
                    switch (bs.Trim().ToLowerInvariant())
                    {
                        case "true": case "1": case "yes": return true;
                        case "false": case "0": case "no": return false;
                    }
                    throw new ArgumentException(Bad(""), name);
                }
                if (value is IConvertible) { var d = Convert.ToDouble(value, CultureInfo.InvariantCulture); if (d == 0) return false; if (d == 1) return true; }
                throw new ArgumentException(Bad(""), name);
            }
            if (value is bool && target != typeof(bool)) throw new ArgumentException(Bad(""), name);
            if (target == typeof(int) || target == typeof(long) || target == typeof(short) || target == typeof(byte))
            {
                decimal d;
                if (value is string s)
                {
                    if (!decimal.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out d)) throw new ArgumentException(Bad(""), name);
                }
                else if (value is double dd)
                {
                    if (double.IsNaN(dd) || double.IsInfinity(dd) || Math.Abs(dd) > 9e18) throw new ArgumentException(Bad(""), name);
                    d = (decimal)dd;
                }
                else if (value is float ff) { if (!float.IsFinite(ff)) throw new ArgumentException(Bad(""), name); d = (decimal)ff; }
                else if (value is IConvertible) d = Convert.ToDecimal(value, CultureInfo.InvariantCulture);
                else throw new ArgumentException(Bad(""), name);
                if (d != decimal.Truncate(d)) throw new ArgumentException(Bad(" (not a whole number)"), name);
                try { return Convert.ChangeType(d, target, CultureInfo.InvariantCulture); }
                catch (OverflowException) { throw new ArgumentException(Bad(" (out of range)"), name); }
            }
            if (target == typeof(double) || target == typeof(float) || target == typeof(decimal))
            {
                if (value is string s)
                {
                    if (!double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var pd)) throw new ArgumentException(Bad(""), name);
                    value = pd;
                }
                if (value is bool || value is not IConvertible) throw new ArgumentException(Bad(""), name);
                return Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
            }
            if (value is IConvertible) return Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }
        catch (ArgumentException) { throw; }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
        {
            throw new ArgumentException(Bad(""), name, ex);
        }
        throw new ArgumentException(Bad(""), name);
    }

    private static string Describe(Type t)
    {
        var u = Nullable.GetUnderlyingType(t) ?? t;
        if (u == typeof(int) || u == typeof(long) || u == typeof(short) || u == typeof(byte)) return $"a whole number ({u.Name})";
        if (u == typeof(double) || u == typeof(float) || u == typeof(decimal)) return $"a number ({u.Name})";
        if (u == typeof(bool)) return "a boolean";
        if (u == typeof(string)) return "a string";
        if (u.IsEnum) return $"a {u.Name} value";
        return u.Name;
    }
}
