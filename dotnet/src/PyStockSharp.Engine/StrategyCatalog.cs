namespace PyStockSharp.Engine;

/// <summary>Strategies known by name (built-in: "sma_cross").</summary>
public static class StrategyCatalog
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Func<Strategy>> Factories = new(StringComparer.Ordinal)
    {
        ["sma_cross"] = () => new SmaCross(),
    };

    public static IReadOnlyList<string> Names
    {
        get { lock (Gate) { var l = new List<string>(Factories.Keys); l.Sort(StringComparer.Ordinal); return l; } }
    }

    public static bool Contains(string name) { lock (Gate) return Factories.ContainsKey(name); }

    /// <summary>A new instance of the strategy called <paramref name="name"/>; ArgumentException if unknown.</summary>
    public static Strategy Create(string name) => GetFactory(name)();

    public static Func<Strategy> GetFactory(string name)
    {
        lock (Gate)
        {
            if (name != null && Factories.TryGetValue(name, out var f)) return f;
            throw new ArgumentException($"unknown strategy '{name}'; known: {string.Join(", ", Names)}", nameof(name));
        }
    }

    /// <summary>Registers (or replaces) a factory.</summary>
    public static void Register(string name, Func<Strategy> factory)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("strategy name must not be empty", nameof(name));
        ArgumentNullException.ThrowIfNull(factory);
        lock (Gate) Factories[name] = factory;
    }
}
