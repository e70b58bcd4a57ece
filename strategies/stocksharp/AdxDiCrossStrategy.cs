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
/// Directional-indicator crossings confirmed by trend strength: long when DI+ crosses above DI− while the ADX is above
/// <see cref="AdxThreshold"/>, short on the opposite cross; any position is closed when the ADX falls under
/// <see cref="ExitLevel"/>. <c>BindEx</c> with <see cref="AverageDirectionalIndexValue"/>.
/// </summary>
public class AdxDiCrossStrategy : Strategy
{
	private readonly StrategyParam<int> _length;
	private readonly StrategyParam<decimal> _adxThreshold;
	private readonly StrategyParam<decimal> _exitLevel;
	private readonly StrategyParam<DataType> _candleType;

	private bool? _plusWasAbove;

	public int Length { get => _length.Value; set => _length.Value = value; }
	public decimal AdxThreshold { get => _adxThreshold.Value; set => _adxThreshold.Value = value; }
	public decimal ExitLevel { get => _exitLevel.Value; set => _exitLevel.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public AdxDiCrossStrategy()
	{
		_length = Param(nameof(Length), 14)
			.SetGreaterThanZero()
			.SetDisplay("ADX length", "Directional movement length", "Indicators")
			.SetOptimize(7, 28, 7);
		_adxThreshold = Param(nameof(AdxThreshold), 20m)
			.SetGreaterThanZero()
			.SetDisplay("ADX threshold", "Minimum ADX for an entry", "Signals")
			.SetOptimize(15m, 35m, 5m);
		_exitLevel = Param(nameof(ExitLevel), 15m)
			.SetGreaterThanZero()
			.SetDisplay("Exit level", "ADX under which positions are closed", "Signals");
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_plusWasAbove = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var adx = new AverageDirectionalIndex { Length = Length };

		var subscription = SubscribeCandles(CandleType);
		subscription.BindEx(adx, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawOwnTrades(area);
			DrawIndicator(CreateChartArea(), adx);
		}
	}

	private void ProcessCandle(ICandleMessage candle, IIndicatorValue value)
	{
		if (candle.State != CandleStates.Finished || !value.IsFormed)
			return;

		var typed = (AverageDirectionalIndexValue)value;

		if (typed.MovingAverage is not decimal adx || typed.Dx.Plus is not decimal plus || typed.Dx.Minus is not decimal minus)
			return;

		var plusAbove = plus > minus;

		if (_plusWasAbove is bool was && IsFormedAndOnlineAndAllowTrading())
		{
			if (Position != 0 && adx < ExitLevel)
				ClosePosition();
			else if (!was && plusAbove && adx > AdxThreshold && Position <= 0)
				BuyMarket(Volume + Math.Abs(Position));
			else if (was && !plusAbove && adx > AdxThreshold && Position >= 0)
				SellMarket(Volume + Math.Abs(Position));
		}

		_plusWasAbove = plusAbove;
	}
}
