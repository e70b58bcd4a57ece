using System.Globalization;

namespace Ecng.Common
{
    /// <summary>The helpers of StockSharp's Ecng.Common that strategies call.</summary>
    public static class CompatHelpers
    {
        public static decimal Max(this decimal a, decimal b) => Math.Max(a, b);
        public static decimal Min(this decimal a, decimal b) => Math.Min(a, b);
        public static int Max(this int a, int b) => Math.Max(a, b);
        public static int Min(this int a, int b) => Math.Min(a, b);
        public static long Max(this long a, long b) => Math.Max(a, b);
        public static long Min(this long a, long b) => Math.Min(a, b);
        public static double Max(this double a, double b) => Math.Max(a, b);
        public static double Min(this double a, double b) => Math.Min(a, b);
        public static TimeSpan Max(this TimeSpan a, TimeSpan b) => a >= b ? a : b;
        public static TimeSpan Min(this TimeSpan a, TimeSpan b) => a <= b ? a : b;
        public static DateTimeOffset Max(this DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
        public static DateTimeOffset Min(this DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;
        public static decimal Abs(this decimal v) => Math.Abs(v);
        public static int Abs(this int v) => Math.Abs(v);
        public static long Abs(this long v) => Math.Abs(v);
        public static double Abs(this double v) => Math.Abs(v);
        public static int Sign(this decimal v) => Math.Sign(v);
        public static decimal Round(this decimal v) => Math.Round(v);
        public static decimal Round(this decimal v, int digits) => Math.Round(v, digits);
        public static decimal Round(this decimal v, int digits, MidpointRounding mode) => Math.Round(v, digits, mode);
        public static decimal Floor(this decimal v) => Math.Floor(v);
        public static decimal Ceiling(this decimal v) => Math.Ceiling(v);
        public static decimal Truncate(this decimal v) => Math.Truncate(v);
        public static decimal Pow(this decimal v, decimal p) => (decimal)Math.Pow((double)v, (double)p);
        public static double Pow(this double v, double p) => Math.Pow(v, p);
        public static decimal Sqrt(this decimal v) => (decimal)Math.Sqrt((double)v);
        public static double Sqrt(this double v) => Math.Sqrt(v);
        /// <summary>Rounds <paramref name="value"/> to a multiple of <paramref name="step"/> (0 or less: unchanged).</summary>
        public static decimal Round(this decimal value, decimal step, int? digits, MidpointRounding? rounding = null)
        {
            if (step <= 0) return value;
            var r = Math.Round(value / step, rounding ?? MidpointRounding.ToEven) * step;
            return digits is int d ? Math.Round(r, d) : r;
        }
        public static int GetDecimalInfo(this decimal value) => BitConverter.GetBytes(decimal.GetBits(value)[3])[2];

        public static bool IsEmpty(this string value) => string.IsNullOrEmpty(value);
        public static bool IsEmptyOrWhiteSpace(this string value) => string.IsNullOrWhiteSpace(value);
        public static bool IsEmpty<T>(this T[] value) => value is null || value.Length == 0;
        public static bool IsEmpty(this decimal value) => value == 0;
        public static bool IsEmpty(this Guid value) => value == Guid.Empty;
        public static bool IsDefault<T>(this T value) => EqualityComparer<T>.Default.Equals(value, default);
        public static bool IsNull<T>(this T value) where T : class => value is null;
        public static T ThrowIfNull<T>(this T value, string name = null) where T : class => value ?? throw new ArgumentNullException(name);
        public static string Put(this string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

        /// <summary>Converts with the invariant culture (numbers, enums, TimeSpan, strings).</summary>
        public static T To<T>(this object value)
        {
            if (value is T t) return t;
            var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            if (value is null) return default;
            if (target.IsEnum) return (T)(value is string s ? Enum.Parse(target, s, true) : Enum.ToObject(target, value));
            if (target == typeof(TimeSpan)) return (T)(object)TimeSpan.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture);
            return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }

        public static decimal? ToDecimal(this object value) => value is null ? null : Convert.ToDecimal(value, CultureInfo.InvariantCulture);
        public static string ToStringInvariant(this object value) => Convert.ToString(value, CultureInfo.InvariantCulture);
        public static DateTime ToDateTime(this DateTimeOffset value) => value.UtcDateTime;
        public static bool EqualsIgnoreCase(this string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        public static bool ContainsIgnoreCase(this string a, string b) => a?.Contains(b ?? "", StringComparison.OrdinalIgnoreCase) == true;
        public static bool CompareIgnoreCase(this string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A thread-safe-enough lock object (StockSharp's SyncObject).</summary>
    public class SyncObject { }
}

namespace Ecng.Collections
{
    /// <summary>Collection helpers strategies call.</summary>
    public static class CollectionHelper
    {
        public static bool IsEmpty<T>(this IEnumerable<T> source) => source is null || !source.Any();
        public static bool IsEmpty<T>(this ICollection<T> source) => source is null || source.Count == 0;
        public static void AddRange<T>(this ICollection<T> target, IEnumerable<T> items) { foreach (var i in items) target.Add(i); }
        public static void RemoveWhere<T>(this ICollection<T> target, Func<T, bool> predicate) { foreach (var i in target.Where(predicate).ToList()) target.Remove(i); }
        public static TValue SafeAdd<TKey, TValue>(this IDictionary<TKey, TValue> d, TKey key) where TValue : new()
        {
            if (!d.TryGetValue(key, out var v)) d[key] = v = new TValue();
            return v;
        }
        public static TValue SafeAdd<TKey, TValue>(this IDictionary<TKey, TValue> d, TKey key, Func<TKey, TValue> create)
        {
            if (!d.TryGetValue(key, out var v)) d[key] = v = create(key);
            return v;
        }
        public static TValue TryGetValue<TKey, TValue>(this IDictionary<TKey, TValue> d, TKey key) => d.TryGetValue(key, out var v) ? v : default;
        public static void ForEach<T>(this IEnumerable<T> source, Action<T> action) { foreach (var i in source) action(i); }
        public static T[] CopyAndClear<T>(this ICollection<T> source) { var a = source.ToArray(); source.Clear(); return a; }
    }

    /// <summary>A list that keeps at most <see cref="MaxSize"/> items (oldest dropped).</summary>
    public class CircularBufferList<T> : List<T> { public int MaxSize { get; set; } }

    /// <summary>A synchronized dictionary (single-threaded in a backtest).</summary>
    public class SynchronizedDictionary<TKey, TValue> : Dictionary<TKey, TValue> where TKey : notnull { }

    /// <summary>A synchronized list (single-threaded in a backtest).</summary>
    public class SynchronizedList<T> : List<T> { }

    /// <summary>A synchronized set (single-threaded in a backtest).</summary>
    public class SynchronizedSet<T> : HashSet<T> { }

    /// <summary>A fixed-capacity buffer.</summary>
    public class CircularBuffer<T> : StockSharp.Algo.Indicators.CircularBuffer<T>
    {
        public CircularBuffer(int capacity) : base(capacity) { }
    }
}

namespace Ecng.Serialization
{
    /// <summary>A settings bag (StockSharp's SettingsStorage): name → value.</summary>
    public class SettingsStorage : Dictionary<string, object>
    {
        public SettingsStorage Set<T>(string name, T value) { this[name] = value; return this; }
        public T GetValue<T>(string name, T defaultValue = default) => TryGetValue(name, out var v) && v is not null ? Ecng.Common.CompatHelpers.To<T>(v) : defaultValue;
        public bool Contains(string name) => ContainsKey(name);
    }

    /// <summary>An object that saves and loads its settings.</summary>
    public interface IPersistable
    {
        void Load(SettingsStorage storage);
        void Save(SettingsStorage storage);
    }
}

namespace Ecng.ComponentModel
{
    /// <summary>Marks a property's display name (accepted, unused).</summary>
    [AttributeUsage(AttributeTargets.All)]
    public sealed class DisplayAttribute : Attribute
    {
        public string Name { get; set; }
        public string Description { get; set; }
        public string GroupName { get; set; }
        public int Order { get; set; }
    }
}
