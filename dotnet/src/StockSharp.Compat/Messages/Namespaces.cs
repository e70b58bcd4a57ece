// Namespaces StockSharp strategy files import; each holds at least one type so that `using` them compiles.

namespace StockSharp.Algo
{
    /// <summary>Helpers of StockSharp.Algo that strategies call.</summary>
    public static class AlgoHelper
    {
        /// <summary>Whether <paramref name="order"/> is done (filled, cancelled or failed).</summary>
        public static bool IsMatched(this StockSharp.BusinessEntities.Order order) => order?.State == StockSharp.Messages.OrderStates.Done && order.Balance == 0;
        public static bool IsCanceled(this StockSharp.BusinessEntities.Order order) => order?.State == StockSharp.Messages.OrderStates.Done && order.Balance > 0;
        public static bool IsMatchedEmpty(this StockSharp.BusinessEntities.Order order) => order?.State == StockSharp.Messages.OrderStates.Done && order.Balance == order.Volume;
        public static bool IsMatchedPartially(this StockSharp.BusinessEntities.Order order) => order is not null && order.Balance > 0 && order.Balance < order.Volume;
        public static decimal GetMatchedVolume(this StockSharp.BusinessEntities.Order order) => order is null ? 0 : order.Volume - order.Balance;
        public static StockSharp.Messages.Sides Invert(this StockSharp.Messages.Sides side) => side == StockSharp.Messages.Sides.Buy ? StockSharp.Messages.Sides.Sell : StockSharp.Messages.Sides.Buy;
        public static StockSharp.Messages.SecurityId ToSecurityId(this StockSharp.BusinessEntities.Security security) => new(security?.Code ?? security?.Id ?? "", security?.Board ?? "");
        /// <summary>Rounds a price to the security's price step.</summary>
        public static decimal ShrinkPrice(this StockSharp.BusinessEntities.Security security, decimal price)
        {
            var step = security?.PriceStep ?? 0.01m;
            return step > 0 ? Math.Round(price / step, MidpointRounding.ToEven) * step : price;
        }
    }
}

namespace StockSharp.Algo.Candles
{
    /// <summary>Candle helpers.</summary>
    public static class CandleHelper
    {
        public static bool IsBullish(this StockSharp.Messages.ICandleMessage c) => c.ClosePrice > c.OpenPrice;
        public static bool IsBearish(this StockSharp.Messages.ICandleMessage c) => c.ClosePrice < c.OpenPrice;
        public static decimal GetLength(this StockSharp.Messages.ICandleMessage c) => c.HighPrice - c.LowPrice;
        public static decimal GetBody(this StockSharp.Messages.ICandleMessage c) => Math.Abs(c.OpenPrice - c.ClosePrice);
        public static decimal GetTopShadow(this StockSharp.Messages.ICandleMessage c) => c.HighPrice - Math.Max(c.OpenPrice, c.ClosePrice);
        public static decimal GetBottomShadow(this StockSharp.Messages.ICandleMessage c) => Math.Min(c.OpenPrice, c.ClosePrice) - c.LowPrice;
        public static decimal GetMiddlePrice(this StockSharp.Messages.ICandleMessage c) => (c.HighPrice + c.LowPrice) / 2;
    }
}

namespace StockSharp.Logging
{
    /// <summary>Old-style logging extensions (<c>this.AddInfoLog(...)</c>).</summary>
    public static class LoggingHelper
    {
        public static void AddInfoLog(this StockSharp.Algo.Strategies.Strategy s, string message, params object[] args) => s.LogInfo(message, args);
        public static void AddWarningLog(this StockSharp.Algo.Strategies.Strategy s, string message, params object[] args) => s.LogWarning(message, args);
        public static void AddErrorLog(this StockSharp.Algo.Strategies.Strategy s, string message, params object[] args) => s.LogError(message, args);
        public static void AddErrorLog(this StockSharp.Algo.Strategies.Strategy s, Exception error) => s.LogError(error);
        public static void AddDebugLog(this StockSharp.Algo.Strategies.Strategy s, string message, params object[] args) => s.LogDebug(message, args);
        public static void AddVerboseLog(this StockSharp.Algo.Strategies.Strategy s, string message, params object[] args) => s.LogVerbose(message, args);
    }
}

namespace StockSharp.Charting
{
    /// <summary>Chart element kinds (accepted, not drawn).</summary>
    public enum ChartIndicatorDrawStyles { Line, Histogram, Dot, Area }
}

namespace StockSharp.Localization { internal static class Placeholder { } }
namespace StockSharp.Algo.Strategies.Protective { internal static class Placeholder { } }
namespace StockSharp.Algo.Testing { internal static class Placeholder { } }
namespace StockSharp.Algo.Storages { internal static class Placeholder { } }

namespace StockSharp
{
    /// <summary>
    /// Makes assembly names of StockSharp's packages (StockSharp.Algo, StockSharp.Messages, Ecng.Common …) resolve to
    /// this layer, so that <c>clr.AddReference("StockSharp.Algo")</c> in StockSharp's Python strategies works.
    /// </summary>
    public static class StockSharpAssemblies
    {
        private static int _installed;

        public static void Install()
        {
            if (System.Threading.Interlocked.Exchange(ref _installed, 1) == 1) return;
            AppDomain.CurrentDomain.AssemblyResolve += (_, e) =>
            {
                var name = new System.Reflection.AssemblyName(e.Name).Name ?? "";
                return name.StartsWith("StockSharp.", StringComparison.Ordinal) || name.StartsWith("Ecng.", StringComparison.Ordinal) || name == "StockSharp"
                    ? typeof(StockSharpAssemblies).Assembly
                    : null;
            };
        }
    }
}
