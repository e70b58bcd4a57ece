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
/// Trend following gated by the ADX: long while the ADX is above <see cref="TrendLevel"/>, DI+ leads DI− and the close
/// is above the EMA; short in the mirrored situation; flat as soon as the setup behind the position no longer holds.
/// <c>Bind</c> flattens the ADX into DI+, DI−, ADX.
/// </summary>
public class AdxEmaTrendStrategy : Strategy
{
	private readonly StrategyParam<int> _adxLength;
	private readonly StrategyParam<int> _emaLength;
	private readonly StrategyParam<decimal> _trendLevel;
	private readonly StrategyParam<DataType> _candleType;

	public int AdxLength { get => _adxLength.Value; set => _adxLength.Value = value; }
	public int EmaLength { get => _emaLength.Value; set => _emaLength.Value = value; }
	public decimal TrendLevel { get => _trendLevel.Value; set => _trendLevel.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public AdxEmaTrendStrategy()
	{
		_adxLength = Param(nameof(AdxLength), 14)
			.SetGreaterThanZero()
			.SetDisplay("ADX length", "Directional movement length", "Indicators")
			.SetOptimize(7, 28, 7);
		_emaLength = Param(nameof(EmaLength), 30)
			.SetGreaterThanZero()
			.SetDisplay("EMA length", "Trend EMA length", "Indicators")
			.SetOptimize(10, 100, 10);
		_trendLevel = Param(nameof(TrendLevel), 20m)
			.SetGreaterThanZero()
			.SetDisplay("Trend level", "ADX above which a trend is traded", "Signals")
			.SetOptimize(15m, 35m, 5m);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var adx = new AverageDirectionalIndex { Length = AdxLength };
		var ema = new ExponentialMovingAverage { Length = EmaLength };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(adx, ema, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, ema);
			DrawOwnTrades(area);
			DrawIndicator(CreateChartArea(), adx);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal plus, decimal minus, decimal adx, decimal ema)
	{
		if (candle.State != CandleStates.Finished || !IsFormedAndOnlineAndAllowTrading())
			return;

		var close = candle.ClosePrice;
		var trending = adx > TrendLevel;
		var longSetup = trending && plus > minus && close > ema;
		var shortSetup = trending && minus > plus && close < ema;

		if (longSetup && Position <= 0)
			BuyMarket(Volume + Math.Abs(Position));
		else if (shortSetup && Position >= 0)
			SellMarket(Volume + Math.Abs(Position));
		else if (Position > 0 && !longSetup)
			SellMarket(Position);
		else if (Position < 0 && !shortSetup)
			BuyMarket(Math.Abs(Position));
	}
}
