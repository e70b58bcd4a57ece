using System.Globalization;

namespace PyStockSharp.Engine;

/// <summary>How a <see cref="Unit"/> is read: an absolute price distance or a percent of the reference price.</summary>
public enum UnitTypes { Absolute, Percent }

/// <summary>
/// A distance in StockSharp's manner: <c>new Unit(5)</c> is 5 price units, <c>new Unit(2, UnitTypes.Percent)</c>
/// is 2 percent (not a fraction: 2 means 2 %) of the reference price (the position's average price, or the
/// close when trailing).
/// </summary>
public readonly struct Unit
{
    public Unit(double value, UnitTypes type = UnitTypes.Absolute)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentException($"Unit value must be a finite number >= 0, got {value}");
        Value = value; Type = type;
    }
    public double Value { get; }
    public UnitTypes Type { get; }
    public bool IsSet => Value > 0;
    public static Unit Absolute(double value) => new(value, UnitTypes.Absolute);
    public static Unit Percent(double percent) => new(percent, UnitTypes.Percent);
    /// <summary>The distance in price units from <paramref name="reference"/>.</summary>
    public double Distance(double reference) => Type == UnitTypes.Percent ? reference * Value / 100.0 : Value;
    public override string ToString() => Type == UnitTypes.Percent ? Value.ToString(CultureInfo.InvariantCulture) + "%" : Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The kinds of risk rule of <see cref="EnhancedStrategy"/>.</summary>
public enum RiskRuleTypes
{
    /// <summary>|position| after a fill greater than the threshold (units).</summary>
    MaxPositionSize,
    /// <summary>Loss since the previous UTC day's last bar-close equity (money, positive number) at or above the threshold.</summary>
    MaxDailyLoss,
    /// <summary>Drawdown of bar-close equity from its running peak (fraction, e.g. 0.1 = 10 %) at or above the threshold.</summary>
    MaxDrawdown,
    /// <summary>Orders placed by the strategy's own code during the UTC day greater than the threshold.</summary>
    MaxOrdersPerDay,
}

/// <summary>What happens when a risk rule trips.</summary>
public enum RiskActions
{
    /// <summary>Cancel active orders, close the position with a market order and stop trading.</summary>
    ClosePositionsAndStop,
    /// <summary>Cancel active orders and stop trading (the position stays open).</summary>
    Stop,
    /// <summary>Only record the violation (once each time the rule goes from satisfied to broken).</summary>
    Warn,
}

/// <summary>A risk rule: kind, threshold and action.</summary>
public sealed record RiskRule(RiskRuleTypes Rule, double Threshold, RiskActions Action);

/// <summary>Raised at each bar close with the values of that bar's recorded equity row.</summary>
public sealed class PerformanceUpdate
{
    internal PerformanceUpdate(int bar, long time, double equity, double position, double realized, double unrealized, double peak)
    {
        BarIndex = bar; Time = time; Equity = equity; Position = position; RealizedPnL = realized; UnrealizedPnL = unrealized;
        Peak = peak; Drawdown = peak > 0 ? equity / peak - 1 : 0;
    }
    public int BarIndex { get; }
    /// <summary>Open time of the bar, UTC ns.</summary>
    public long Time { get; }
    public DateTime TimeUtc => TimeUtil.ToDateTime(Time);
    /// <summary>Cash + position * close (money).</summary>
    public double Equity { get; }
    public double Position { get; }
    /// <summary>Gross realized PnL so far.</summary>
    public double RealizedPnL { get; }
    public double UnrealizedPnL { get; }
    /// <summary>Running peak of bar-close equity (starts at the initial capital).</summary>
    public double Peak { get; }
    /// <summary>equity / peak - 1: a fraction &lt;= 0.</summary>
    public double Drawdown { get; }
    public override string ToString() => $"Performance[{BarIndex}] equity={Equity} pos={Position} dd={Drawdown:P2}";
}

/// <summary>An own trade together with the order that caused it.</summary>
public sealed class TradeExecution
{
    internal TradeExecution(MyTrade trade, Order order) { Trade = trade; Order = order; }
    public MyTrade Trade { get; }
    public Order Order { get; }
    public override string ToString() => $"{Trade} by {Order}";
}

/// <summary>A tripped risk rule.</summary>
public sealed class RiskViolation
{
    internal RiskViolation(RiskRuleTypes rule, double value, double threshold, RiskActions action, int bar, long time)
    {
        Rule = rule; Value = value; Threshold = threshold; Action = action; BarIndex = bar; Time = time;
    }
    public RiskRuleTypes Rule { get; }
    /// <summary>The measured value, in the rule's unit (units, money, fraction or a count).</summary>
    public double Value { get; }
    public double Threshold { get; }
    public RiskActions Action { get; }
    public int BarIndex { get; }
    /// <summary>Open time of the bar, UTC ns.</summary>
    public long Time { get; }
    public DateTime TimeUtc => TimeUtil.ToDateTime(Time);
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Rule}: {Value} vs threshold {Threshold} at bar {BarIndex} ({TimeUtc:O}) -> {Action}");
}
