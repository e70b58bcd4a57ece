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
/// Weighted moving-average slope: long while the close is above a rising WMA, short while it is below a falling one;
/// the position reverses when the opposite condition appears (a flat WMA keeps the position).
/// </summary>
public class WmaSlopeStrategy : Strategy
{
	private readonly StrategyParam<int> _length;
	private readonly StrategyParam<DataType> _candleType;

	private decimal? _prevWma;

	public int Length { get => _length.Value; set => _length.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public WmaSlopeStrategy()
	{
		_length = Param(nameof(Length), 20)
			.SetGreaterThanZero()
			.SetDisplay("WMA length", "Weighted moving average length", "Indicators")
			.SetOptimize(10, 60, 5);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_prevWma = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var wma = new WeightedMovingAverage { Length = Length };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(wma, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, wma);
			DrawOwnTrades(area);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal wma)
	{
		if (candle.State != CandleStates.Finished)
			return;

		if (_prevWma is decimal prev && IsFormedAndOnlineAndAllowTrading())
		{
			var rising = wma > prev;
			var falling = wma < prev;

			if (rising && candle.ClosePrice > wma && Position <= 0)
				BuyMarket(Volume + Math.Abs(Position));
			else if (falling && candle.ClosePrice < wma && Position >= 0)
				SellMarket(Volume + Math.Abs(Position));
		}

		_prevWma = wma;
	}
}
