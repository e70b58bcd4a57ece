using System.Globalization;
using System.Text.RegularExpressions;

namespace StockSharp.Messages;

/// <summary>
/// A kind of market data (StockSharp's <c>DataType</c>). Candle strategies use <see cref="TimeFrame(TimeSpan)"/>;
/// the text form is the bar width in our vocabulary ("1m", "5m", "1h", "1d") and parses back
/// (also "00:05:00" and "TimeFrame:00:05:00").
/// </summary>
public sealed partial class DataType : IEquatable<DataType>
{
    private DataType(Type messageType, object arg, string name) { MessageType = messageType; Arg = arg; Name = name; }

    public Type MessageType { get; }
    public object Arg { get; }
    public string Name { get; }

    public bool IsCandles => MessageType == typeof(TimeFrameCandleMessage) || typeof(ICandleMessage).IsAssignableFrom(MessageType);
    public bool IsTFCandles => Arg is TimeSpan && IsCandles;
    public bool IsMarketData => true;

    public static DataType Ticks { get; } = new(typeof(object), null, "Ticks");
    public static DataType Level1 { get; } = new(typeof(object), null, "Level1");
    public static DataType MarketDepth { get; } = new(typeof(object), null, "MarketDepth");
    public static DataType OrderLog { get; } = new(typeof(object), null, "OrderLog");
    public static DataType Transactions { get; } = new(typeof(object), null, "Transactions");
    public static DataType News { get; } = new(typeof(object), null, "News");
    public static DataType CandleTimeFrame { get; } = new(typeof(TimeFrameCandleMessage), null, "Candles");

    /// <summary>Time-frame candles of width <paramref name="tf"/>.</summary>
    public static DataType TimeFrame(TimeSpan tf)
    {
        if (tf <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(tf), tf, "a time frame must be > 0");
        return new DataType(typeof(TimeFrameCandleMessage), tf, "TimeFrame");
    }

    public static DataType Create(Type messageType, object arg) => messageType == typeof(TimeFrameCandleMessage) && arg is TimeSpan ts ? TimeFrame(ts) : new DataType(messageType, arg, messageType?.Name ?? "");
    public static DataType Create<TMessage>(object arg) => Create(typeof(TMessage), arg);

    /// <summary>The candle width; InvalidOperationException if this is not time-frame candles.</summary>
    public TimeSpan GetTimeFrame() => Arg is TimeSpan ts ? ts : throw new InvalidOperationException($"{this} is not a time-frame candle type");
    public TimeSpan? TimeFrameOrNull => Arg as TimeSpan?;
    public object GetArg() => Arg;

    public bool Equals(DataType other) => other is not null && other.MessageType == MessageType && Equals(other.Arg, Arg) && other.Name == Name;
    public override bool Equals(object obj) => obj is DataType d && Equals(d);
    public override int GetHashCode() => HashCode.Combine(MessageType, Arg, Name);
    public static bool operator ==(DataType a, DataType b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(DataType a, DataType b) => !(a == b);

    public override string ToString() => Arg is TimeSpan ts ? FormatTimeFrame(ts) : Name;

    /// <summary>"1m", "5m", "1h", "4h", "1d", "1w", "30s"; other widths as "hh:mm:ss".</summary>
    public static string FormatTimeFrame(TimeSpan ts)
    {
        long s = (long)ts.TotalSeconds;
        if (ts.Ticks % TimeSpan.TicksPerSecond == 0 && s > 0)
        {
            if (s % (7 * 86400) == 0) return $"{s / (7 * 86400)}w";
            if (s % 86400 == 0) return $"{s / 86400}d";
            if (s % 3600 == 0) return $"{s / 3600}h";
            if (s % 60 == 0) return $"{s / 60}m";
            return $"{s}s";
        }
        return ts.ToString("c", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\s*(\d+)\s*(s|min|m|h|d|w)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex TfRegex();

    /// <summary>Parses "5m", "1h", "1d", "00:05:00", "TimeFrame:00:05:00" (what <see cref="ToString"/> writes).</summary>
    public static bool TryParse(string text, out DataType value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        if (t.StartsWith("TimeFrame:", StringComparison.OrdinalIgnoreCase)) t = t["TimeFrame:".Length..];
        var m = TfRegex().Match(t);
        if (m.Success)
        {
            long n = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            if (n <= 0) return false;
            long unit = m.Groups[2].Value.ToLowerInvariant() switch { "s" => 1, "m" or "min" => 60, "h" => 3600, "d" => 86400, _ => 7 * 86400 };
            value = TimeFrame(TimeSpan.FromSeconds(n * unit));
            return true;
        }
        if (TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var ts) && ts > TimeSpan.Zero)
        {
            value = TimeFrame(ts);
            return true;
        }
        return false;
    }

    public static DataType Parse(string text)
        => TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a time frame (expected e.g. 1m, 5m, 1h, 1d or 00:05:00)");
}

/// <summary><c>TimeSpan.FromMinutes(5).TimeFrame()</c> and friends.</summary>
public static class DataTypeExtensions
{
    public static DataType TimeFrame(this TimeSpan tf) => DataType.TimeFrame(tf);
    public static TimeSpan GetTimeFrame(this ICandleMessage candle) => candle?.Arg is TimeSpan tf ? tf : TimeSpan.Zero;
    public static bool IsTimeFrame(this DataType dt) => dt?.IsTFCandles == true;
    public static DataType ToDataType(this TimeSpan tf) => DataType.TimeFrame(tf);
}
