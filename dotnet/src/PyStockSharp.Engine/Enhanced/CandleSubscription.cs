using PyStockSharp.Engine.Indicators;

namespace PyStockSharp.Engine;

/// <summary>
/// The strategy's candles, StockSharp style: <c>SubscribeCandles().Bind(fast, slow, OnProcess).Start()</c>.
/// At each bar close every bound indicator is fed (single-input ones with the close, candle indicators
/// with the candle) and the handler is called with the finished candle and the indicators' values only
/// once all of them are formed. Bind each indicator instance once.
/// </summary>
public sealed class CandleSubscription
{
    private readonly List<Binding> _bindings = new();

    private readonly EnhancedStrategy _owner;

    internal CandleSubscription(EnhancedStrategy owner) { _owner = owner; }

    private sealed class Binding
    {
        public required IIndicator?[] Single;
        public required ICandleIndicator?[] Candles;
        public required double[] Values;
        public required Action<Candle, double[]> Handler;
    }

    public CandleSubscription Bind(object indicator, Action<Candle, double> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return BindValues(new[] { indicator }, (c, v) => handler(c, v[0]));
    }

    public CandleSubscription Bind(object first, object second, Action<Candle, double, double> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return BindValues(new[] { first, second }, (c, v) => handler(c, v[0], v[1]));
    }

    public CandleSubscription Bind(object first, object second, object third, Action<Candle, double, double, double> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return BindValues(new[] { first, second, third }, (c, v) => handler(c, v[0], v[1], v[2]));
    }

    /// <summary>
    /// Any number of indicators (<see cref="IIndicator"/> or <see cref="ICandleIndicator"/>); the handler gets their
    /// values in order (the array is reused between calls: copy it to keep it).
    /// </summary>
    public CandleSubscription BindValues(IReadOnlyList<object> indicators, Action<Candle, double[]> handler)
        => BindValues(indicators?.ToArray()!, handler);

    /// <summary>As the list overload; the array form is what pythonnet passes a Python list as.</summary>
    public CandleSubscription BindValues(object[] indicators, Action<Candle, double[]> handler)
    {
        ArgumentNullException.ThrowIfNull(indicators);
        ArgumentNullException.ThrowIfNull(handler);
        if (indicators.Length == 0) throw new ArgumentException("bind at least one indicator");
        var single = new IIndicator?[indicators.Length];
        var candles = new ICandleIndicator?[indicators.Length];
        for (int k = 0; k < indicators.Length; k++)
        {
            switch (indicators[k])
            {
                case IIndicator s: single[k] = s; break;
                case ICandleIndicator c: candles[k] = c; break;
                default:
                    throw new ArgumentException($"indicator {k} is {(indicators[k]?.GetType().Name ?? "null")}, not an IIndicator or ICandleIndicator");
            }
        }
        _bindings.Add(new Binding { Single = single, Candles = candles, Values = new double[indicators.Length], Handler = handler });
        return this;
    }

    /// <summary>
    /// Binds without a delegate: the values go to the strategy's virtual
    /// <see cref="EnhancedStrategy.OnBoundValues"/> with the returned binding id (how Python subclasses bind:
    /// they override that method instead of passing a .NET delegate).
    /// </summary>
    public int BindToStrategy(object[] indicators)
    {
        int id = _owner.NextBindingId();
        BindValues(indicators, (c, v) => _owner.OnBoundValues(id, c.Index, v));
        return id;
    }

    /// <summary>No-op kept for StockSharp's <c>.Bind(...).Start()</c> shape: bindings are live as soon as made.</summary>
    public CandleSubscription Start() => this;

    internal void Process(in Candle candle)
    {
        foreach (var b in _bindings)
        {
            bool formed = true;
            for (int k = 0; k < b.Values.Length; k++)
            {
                double v;
                bool f;
                if (b.Single[k] is { } s) { v = s.Process(candle.Close); f = s.IsFormed; }
                else
                {
                    var c = b.Candles[k]!;
                    v = c.Process(candle); f = c.IsFormed;
                }
                b.Values[k] = v;
                formed &= f;
            }
            if (formed) b.Handler(candle, b.Values);
        }
    }
}
