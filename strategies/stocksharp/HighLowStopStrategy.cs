using System;
using System.Linq;
using System.Collections.Generic;

using Ecng.Common;

using StockSharp.Algo.Indicators;
using StockSharp.Algo.Strategies;
using StockSharp.BusinessEntities;
using StockSharp.Messages;

namespace PyStockSharp.Samples.StockSharp;

/// <summary>
/// Breakout of the recent range with stop orders: while flat the strategy keeps a buy stop a few price steps above the
/// highest high of the last <see cref="Length"/> candles and a sell stop the same distance under the lowest low; the
/// stops are re-placed each candle and dropped once a position exists (<c>OnPositionChanged</c>). Positions are
/// managed by a trailing percent stop (<see cref="Strategy.StartProtection"/> with <c>isStopTrailing</c>).
/// </summary>
public class HighLowStopStrategy : Strategy
{
	private readonly StrategyParam<int> _length;
	private readonly StrategyParam<int> _offsetSteps;
	private readonly StrategyParam<decimal> _trailingPercent;
	private readonly StrategyParam<DataType> _candleType;

	private Order _buyStop;
	private Order _sellStop;

	public int Length { get => _length.Value; set => _length.Value = value; }
	public int OffsetSteps { get => _offsetSteps.Value; set => _offsetSteps.Value = value; }
	public decimal TrailingPercent { get => _trailingPercent.Value; set => _trailingPercent.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public HighLowStopStrategy()
	{
		_length = Param(nameof(Length), 20)
			.SetGreaterThanZero()
			.SetDisplay("Length", "Candles of the range", "Indicators")
			.SetOptimize(10, 60, 5);
		_offsetSteps = Param(nameof(OffsetSteps), 2)
			.SetNotNegative()
			.SetDisplay("Offset (steps)", "Stop distance beyond the range in price steps", "Orders");
		_trailingPercent = Param(nameof(TrailingPercent), 1m)
			.SetGreaterThanZero()
			.SetDisplay("Trailing stop %", "Trailing stop distance in percent", "Risk")
			.SetOptimize(0.5m, 5m, 0.5m);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_buyStop = null;
		_sellStop = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var highest = new Highest { Length = Length };
		var lowest = new Lowest { Length = Length };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(highest, lowest, ProcessCandle).Start();

		StartProtection(stopLoss: new Unit(TrailingPercent, UnitTypes.Percent), isStopTrailing: true, useMarketOrders: true);

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, highest);
			DrawIndicator(area, lowest);
			DrawOwnTrades(area);
		}
	}

	protected override void OnPositionChanged(decimal diff)
	{
		base.OnPositionChanged(diff);

		// entered: the remaining entry stop must go
		if (Position != 0)
			CancelEntries();
	}

	private void ProcessCandle(ICandleMessage candle, decimal highest, decimal lowest)
	{
		if (candle.State != CandleStates.Finished || !IsFormedAndOnlineAndAllowTrading())
			return;

		if (Position != 0)
			return;

		CancelEntries();

		var offset = OffsetSteps * (Security.PriceStep ?? 0.01m);
		_buyStop = BuyStop(Volume, highest + offset);
		_sellStop = SellStop(Volume, lowest - offset);
	}

	private void CancelEntries()
	{
		foreach (var order in new[] { _buyStop, _sellStop })
		{
			if (order != null && order.State == OrderStates.Active)
				CancelOrder(order);
		}

		_buyStop = null;
		_sellStop = null;
	}
}
