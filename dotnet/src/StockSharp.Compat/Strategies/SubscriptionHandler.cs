using StockSharp.Algo.Indicators;
using StockSharp.BusinessEntities;
using StockSharp.Messages;

namespace StockSharp.Algo.Strategies;

/// <summary>
/// A market-data subscription of a strategy (StockSharp's <c>ISubscriptionHandler&lt;T&gt;</c>), made by
/// <c>SubscribeCandles</c>: bind indicators and handlers, then <see cref="Start"/>.
/// <para><c>Bind(i1, …, handler)</c>: at each finished candle every indicator is fed (with the candle; single-value
/// indicators read its close) and, once all of them are formed, the handler gets the candle and their values as
/// decimals — one per simple indicator, one per inner value of a complex one (e.g. Bollinger: middle, upper, lower).
/// <c>BindEx</c> hands the raw <see cref="IIndicatorValue"/>s at every candle where none is empty (formed or not:
/// check <c>IsFormed</c>), or at every candle with <c>allowEmpty: true</c>.</para>
/// </summary>
public partial interface ISubscriptionHandler<T>
{
    Subscription Subscription { get; }
    ISubscriptionHandler<T> Start();
    ISubscriptionHandler<T> Stop();
    /// <summary>A handler of every finished candle, without indicators.</summary>
    ISubscriptionHandler<T> Bind(Action<T> callback);
    /// <summary>Any number of indicators; the handler gets their flattened values (array reused between calls).</summary>
    ISubscriptionHandler<T> Bind(IIndicator[] indicators, Action<T, decimal[]> callback);
    ISubscriptionHandler<T> BindEx(IIndicator[] indicators, Action<T, IIndicatorValue[]> callback, bool allowEmpty = false);
    /// <summary>Binds with the values' validity: handlers get every candle once the indicators produced a value.</summary>
    ISubscriptionHandler<T> BindWithEmpty(IIndicator indicator, Action<T, decimal?> callback);
    /// <summary>The Python layer's binding (pystocksharp/stocksharp.py); returns the number of values per candle.</summary>
    int BindPython(IIndicator[] indicators, int id, bool raw, bool allowEmpty);
}

/// <summary>What the strategy drives: a subscription fed candles of its builder.</summary>
internal interface ISubscriptionFeed
{
    Subscription Subscription { get; }
    CandleBuilder Builder { get; set; }
    void Process(ICandleMessage candle);
}

internal sealed partial class SubscriptionHandler<T> : ISubscriptionHandler<T>, ISubscriptionFeed where T : class
{
    /// <summary>T is the candle interface (known once: no generic cast per candle).</summary>
    private readonly bool _isCandle = typeof(T) == typeof(ICandleMessage);
    private readonly Strategy _strategy;
    private Binding[] _bindingArray = Array.Empty<Binding>();
    private CandleIndicatorValue _input;
    private bool _started;

    internal SubscriptionHandler(Strategy strategy, Subscription subscription)
    {
        _strategy = strategy; Subscription = subscription;
    }

    public Subscription Subscription { get; }
    public CandleBuilder Builder { get; set; }

    private sealed class Binding
    {
        public IIndicator[] Indicators;
        public decimal[] Values;
        public IIndicatorValue[] Raw;
        public Action<T, decimal[]> Handler;
        public Action<T, IIndicatorValue[]> RawHandler;
        public Action<T> CandleHandler;
        public bool AllowEmpty;
        /// <summary>The indicators as BaseIndicator when every one of them has a fast step (else null).</summary>
        public BaseIndicator[] Fast;
    }

    private static bool AllFast(BaseIndicator[] fast)
    {
        for (int k = 0; k < fast.Length; k++) if (!fast[k].CanProcessFast) return false;
        return true;
    }

    private void AddBinding(Binding b) => _bindingArray = [.. _bindingArray, b];

    public ISubscriptionHandler<T> Start()
    {
        if (!_started) { _started = true; Subscription.State = ProcessStates.Started; _strategy.StartSubscription(this); }
        return this;
    }

    public ISubscriptionHandler<T> Stop() { Subscription.State = ProcessStates.Stopped; return this; }

    public ISubscriptionHandler<T> Bind(Action<T> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddBinding(new Binding { Indicators = Array.Empty<IIndicator>(), CandleHandler = callback });
        return this;
    }

    public ISubscriptionHandler<T> Bind(IIndicator[] indicators, Action<T, decimal[]> callback)
        => AddValues(indicators, -1, callback, callback);

    public ISubscriptionHandler<T> BindEx(IIndicator[] indicators, Action<T, IIndicatorValue[]> callback, bool allowEmpty = false)
        => AddRaw(indicators, callback, callback, allowEmpty);

    public ISubscriptionHandler<T> BindWithEmpty(IIndicator indicator, Action<T, decimal?> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return AddRaw(new[] { indicator }, callback, (c, v) => callback(c, v[0] is { IsEmpty: false } and not ComplexIndicatorValue ? v[0].ToDecimal() : null), true);
    }

    /// <summary>
    /// The Python layer's binding: at each candle the strategy's <see cref="Strategy.CallPython"/> puts the candle and
    /// the values in its pinned buffer and calls <see cref="Strategy.PythonBound"/> with <paramref name="id"/> (Bind
    /// semantics when <paramref name="raw"/> is false, BindEx otherwise). Returns the number of flattened values.
    /// </summary>
    public int BindPython(IIndicator[] indicators, int id, bool raw, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(indicators);
        var strategy = _strategy;
        if (indicators.Length == 0)
            Bind(c => strategy.CallPython(id, (ICandleMessage)c, null, null));
        else if (raw)
            AddRaw(indicators, (Action<T, IIndicatorValue[]>)((c, v) => strategy.CallPython(id, (ICandleMessage)c, null, v)),
                (c, v) => strategy.CallPython(id, (ICandleMessage)c, null, v), allowEmpty);
        else
            AddValues(indicators, -1, (Action<T, decimal[]>)((c, v) => strategy.CallPython(id, (ICandleMessage)c, v, null)),
                (c, v) => strategy.CallPython(id, (ICandleMessage)c, v, null));
        return raw ? indicators.Length : indicators.Sum(FlatCount);
    }

    /// <summary>How many decimals an indicator's value flattens to (1, or the inner count of a complex one).</summary>
    internal static int FlatCount(IIndicator indicator)
        => indicator is IComplexIndicator c ? c.InnerIndicators.Sum(FlatCount) : 1;

    private ISubscriptionHandler<T> AddValues(IIndicator[] indicators, int expected, Delegate original, Action<T, decimal[]> handler)
    {
        ArgumentNullException.ThrowIfNull(indicators);
        ArgumentNullException.ThrowIfNull(original);
        for (int k = 0; k < indicators.Length; k++)
            if (indicators[k] is null) throw new ArgumentNullException($"indicator {k + 1}", "Bind: an indicator is null");
        int total = indicators.Sum(FlatCount);
        if (expected >= 0 && total != expected)
            throw new ArgumentException(
                $"Bind: the indicators ({string.Join(", ", indicators.Select(i => $"{i.Name}: {FlatCount(i)} value(s)"))}) give {total} value(s) " +
                $"but the handler {original.Method.Name} takes {expected}");
        var fastInds = indicators.All(i => i is BaseIndicator { HasFastStep: true }) ? indicators.Cast<BaseIndicator>().ToArray() : null;
        AddBinding(new Binding { Indicators = indicators, Values = new decimal[total], Raw = new IIndicatorValue[indicators.Length], Handler = handler, Fast = fastInds });
        return this;
    }

    private ISubscriptionHandler<T> AddRaw(IIndicator[] indicators, Delegate original, Action<T, IIndicatorValue[]> handler, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(indicators);
        ArgumentNullException.ThrowIfNull(original);
        for (int k = 0; k < indicators.Length; k++)
            if (indicators[k] is null) throw new ArgumentNullException($"indicator {k + 1}", "BindEx: an indicator is null");
        AddBinding(new Binding { Indicators = indicators, Raw = new IIndicatorValue[indicators.Length], RawHandler = handler, AllowEmpty = allowEmpty });
        return this;
    }

    /// <summary>Feeds one finished candle to every binding (engine run thread).</summary>
    public void Process(ICandleMessage candle)
    {
        if (Subscription.State != ProcessStates.Started) return;
        var typed = _isCandle ? System.Runtime.CompilerServices.Unsafe.As<T>(candle) : (T)(object)ToLevel1(candle);
        CandleIndicatorValue input = null;
        var bindings = _bindingArray;
        for (int j = 0; j < bindings.Length; j++)
        {
            var b = bindings[j];
            if (b.CandleHandler != null) { b.CandleHandler(typed); continue; }
            if (b.Handler != null && b.Fast is { } fast && AllFast(fast))
            {
                // simple indicators fed the close: no value objects (see BaseIndicator.FastProcess)
                var time = candle.OpenTime;
                bool allFormed = true;
                var values = b.Values;
                if (candle is SeriesCandle data)
                {
                    double close = data.CloseDouble;   // the data's own number: no decimal round trip
                    for (int k = 0; k < fast.Length; k++)
                    {
                        values[k] = fast[k].FastProcess(close, time, out var f);
                        allFormed &= f;
                    }
                }
                else
                {
                    decimal close = candle.ClosePrice;
                    for (int k = 0; k < fast.Length; k++)
                    {
                        values[k] = fast[k].FastProcess(close, time, out var f);
                        allFormed &= f;
                    }
                }
                if (allFormed) b.Handler(typed, values);
                continue;
            }
            if (input is null)
            {
                input = _input;   // the indicators' input, reused from candle to candle
                if (input is null) _input = input = new CandleIndicatorValue(null, candle);
                else input.Reset(candle);
            }
            var inds = b.Indicators;
            bool formed = true, empty = false;
            for (int k = 0; k < inds.Length; k++)
            {
                var v = inds[k].Process(input);
                b.Raw[k] = v;
                if (v.IsEmpty) { empty = true; formed = false; }
                else if (!v.IsFormed) formed = false;
            }
            if (b.RawHandler != null)
            {
                if (!empty || b.AllowEmpty) b.RawHandler(typed, b.Raw);
                continue;
            }
            if (!formed) continue;
            int pos = 0;
            for (int k = 0; k < inds.Length; k++) pos = Flatten(b.Raw[k], b.Values, pos);
            b.Handler(typed, b.Values);
        }
    }

    private static Level1ChangeMessage ToLevel1(ICandleMessage c)
    {
        var m = new Level1ChangeMessage { SecurityId = c.SecurityId, ServerTime = c.CloseTime, LocalTime = c.CloseTime };
        m.Add(Level1Fields.LastTradePrice, c.ClosePrice).Add(Level1Fields.BestBidPrice, c.ClosePrice).Add(Level1Fields.BestAskPrice, c.ClosePrice)
         .Add(Level1Fields.OpenPrice, c.OpenPrice).Add(Level1Fields.HighPrice, c.HighPrice).Add(Level1Fields.LowPrice, c.LowPrice)
         .Add(Level1Fields.ClosePrice, c.ClosePrice).Add(Level1Fields.Volume, c.TotalVolume);
        return m;
    }

    private static int Flatten(IIndicatorValue value, decimal[] into, int pos)
    {
        if (value is ComplexIndicatorValue c && c.Indicator is IComplexIndicator ci)
        {
            foreach (var inner in ci.InnerIndicators)
            {
                if (c.InnerValues.TryGetValue(inner, out var iv) && iv != null) pos = Flatten(iv, into, pos);
                else pos += FlatCount(inner);
            }
            return pos;
        }
        into[pos] = value.IsEmpty ? 0m : value.ToDecimal();
        return pos + 1;
    }
}
