namespace StockSharp.Algo.Strategies;

/// <summary>A chart of the strategy (drawing is recorded, not rendered).</summary>
public interface IChart { }

/// <summary>A chart area (StockSharp's <c>IChartArea</c>).</summary>
public interface IChartArea : IChart { string Name { get; } }

/// <summary>A drawn element.</summary>
public interface IChartElement { }

/// <summary>A recorded chart call: kind ("candles", "indicator", "trades", "orders"), area and what.</summary>
public sealed record ChartRecord(string Kind, string Area, string What);

internal sealed class ChartArea : IChartArea
{
    public ChartArea(Strategy owner, string name) { Name = name; owner.Record("area", this, name); }
    public string Name { get; }
}

internal sealed class ChartElement : IChartElement { }
