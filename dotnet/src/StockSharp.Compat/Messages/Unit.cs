using System.Globalization;

namespace StockSharp.Messages;

/// <summary>
/// A value with a unit (StockSharp's <c>Unit</c>): <c>new Unit(5)</c> is 5 price units, <c>new Unit(2, UnitTypes.Percent)</c>
/// 2 % of a reference price, <c>new Unit(10, UnitTypes.Step)</c> ten price steps. Implicit from decimal, int and double.
/// </summary>
public class Unit : IEquatable<Unit>, ICloneable
{
    public Unit() { }
    public Unit(decimal value, UnitTypes type = UnitTypes.Absolute) { Value = value; Type = type; }

    public decimal Value { get; set; }
    public UnitTypes Type { get; set; }

    /// <summary>The distance in price units from <paramref name="reference"/> (steps use <paramref name="priceStep"/>).</summary>
    public decimal ToDistance(decimal reference, decimal priceStep)
        => Type switch
        {
            UnitTypes.Percent => reference * Value / 100m,
            UnitTypes.Point or UnitTypes.Step => Value * (priceStep > 0 ? priceStep : 1m),
            _ => Value,
        };

    public static implicit operator Unit(decimal value) => new(value);
    public static implicit operator Unit(int value) => new(value);
    public static implicit operator Unit(double value) => new((decimal)value);
    public static explicit operator decimal(Unit unit) => unit?.Value ?? 0m;
    public static explicit operator double(Unit unit) => (double)(unit?.Value ?? 0m);

    public static Unit operator +(Unit a, Unit b) => new(a.Value + b.Value, a.Type);
    public static Unit operator -(Unit a, Unit b) => new(a.Value - b.Value, a.Type);
    public static Unit operator *(Unit a, decimal b) => new(a.Value * b, a.Type);
    public static Unit operator /(Unit a, decimal b) => new(a.Value / b, a.Type);
    public static Unit operator -(Unit a) => new(-a.Value, a.Type);

    public bool Equals(Unit other) => other is not null && other.Value == Value && other.Type == Type;
    public override bool Equals(object obj) => obj is Unit u && Equals(u);
    public override int GetHashCode() => HashCode.Combine(Value, Type);
    public object Clone() => new Unit(Value, Type);
    public override string ToString() => Type switch
    {
        UnitTypes.Percent => Value.ToString(CultureInfo.InvariantCulture) + "%",
        UnitTypes.Point or UnitTypes.Step => Value.ToString(CultureInfo.InvariantCulture) + " steps",
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>Helpers to build units: <c>2.Percents()</c>, <c>5m.Points()</c>.</summary>
public static class UnitHelper
{
    public static Unit Percents(this decimal value) => new(value, UnitTypes.Percent);
    public static Unit Percents(this int value) => new(value, UnitTypes.Percent);
    public static Unit Percents(this double value) => new((decimal)value, UnitTypes.Percent);
    public static Unit Points(this decimal value) => new(value, UnitTypes.Point);
    public static Unit Points(this int value) => new(value, UnitTypes.Point);
    public static Unit Pips(this decimal value) => new(value, UnitTypes.Step);
    public static Unit Pips(this int value) => new(value, UnitTypes.Step);
    public static Unit Steps(this decimal value) => new(value, UnitTypes.Step);
    public static Unit Steps(this int value) => new(value, UnitTypes.Step);
    public static Unit ToUnit(this decimal value, UnitTypes type = UnitTypes.Absolute) => new(value, type);
}
