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
/// SuperTrend direction flips: the strategy reverses to long when the SuperTrend turns up and to short when it turns
/// down. <c>BindEx</c> reads <see cref="SuperTrendIndicatorValue.IsUpTrend"/>.
/// </summary>
public class SuperTrendFlipStrategy : Strategy
{
	private readonly StrategyParam<int> _length;
	private readonly StrategyParam<decimal> _multiplier;
	private readonly StrategyParam<DataType> _candleType;

	private bool? _wasUp;

	public int Length { get => _length.Value; set => _length.Value = value; }
	public decimal Multiplier { get => _multiplier.Value; set => _multiplier.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public SuperTrendFlipStrategy()
	{
		_length = Param(nameof(Length), 10)
			.SetGreaterThanZero()
			.SetDisplay("ATR length", "ATR length of the SuperTrend", "Indicators")
			.SetOptimize(7, 21, 7);
		_multiplier = Param(nameof(Multiplier), 2m)
			.SetGreaterThanZero()
			.SetDisplay("Multiplier", "Band distance in ATRs", "Indicators")
			.SetOptimize(1m, 4m, 0.5m);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_wasUp = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var superTrend = new SuperTrend { Length = Length, Multiplier = Multiplier };

		var subscription = SubscribeCandles(CandleType);
		subscription.BindEx(superTrend, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, superTrend);
			DrawOwnTrades(area);
		}
	}

	private void ProcessCandle(ICandleMessage candle, IIndicatorValue value)
	{
		if (candle.State != CandleStates.Finished || !value.IsFormed)
			return;

		var isUp = ((SuperTrendIndicatorValue)value).IsUpTrend;

		if (_wasUp is bool wasUp && wasUp != isUp && IsFormedAndOnlineAndAllowTrading())
		{
			if (isUp && Position <= 0)
				BuyMarket(Volume + Math.Abs(Position));
			else if (!isUp && Position >= 0)
				SellMarket(Volume + Math.Abs(Position));
		}

		_wasUp = isUp;
	}
}
