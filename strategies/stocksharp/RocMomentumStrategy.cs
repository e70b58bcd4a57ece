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
/// Rate-of-change momentum with a trend filter: long when the ROC crosses above zero while the close is above the SMA,
/// short when it crosses below zero while the close is under it; a zero cross against the position closes it. Written
/// in the older <c>OnStarted(DateTimeOffset)</c> style.
/// </summary>
public class RocMomentumStrategy : Strategy
{
	private readonly StrategyParam<int> _rocLength;
	private readonly StrategyParam<int> _smaLength;
	private readonly StrategyParam<DataType> _candleType;

	private decimal? _prevRoc;

	public int RocLength { get => _rocLength.Value; set => _rocLength.Value = value; }
	public int SmaLength { get => _smaLength.Value; set => _smaLength.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public RocMomentumStrategy()
	{
		_rocLength = Param(nameof(RocLength), 12)
			.SetGreaterThanZero()
			.SetDisplay("ROC length", "Rate-of-change lookback", "Indicators")
			.SetOptimize(5, 30, 5);
		_smaLength = Param(nameof(SmaLength), 50)
			.SetGreaterThanZero()
			.SetDisplay("SMA length", "Trend filter length", "Indicators")
			.SetOptimize(20, 200, 20);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_prevRoc = null;
	}

	protected override void OnStarted(DateTimeOffset time)
	{
		base.OnStarted(time);

		var roc = new RateOfChange { Length = RocLength };
		var sma = new SimpleMovingAverage { Length = SmaLength };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(roc, sma, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, sma);
			DrawOwnTrades(area);
			DrawIndicator(CreateChartArea(), roc);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal roc, decimal sma)
	{
		if (candle.State != CandleStates.Finished)
			return;

		if (_prevRoc is decimal prev && IsFormedAndOnlineAndAllowTrading())
		{
			var close = candle.ClosePrice;

			if (prev <= 0 && roc > 0)
			{
				if (close > sma && Position <= 0)
					BuyMarket(Volume + Math.Abs(Position));
				else if (Position < 0)
					BuyMarket(Math.Abs(Position));
			}
			else if (prev >= 0 && roc < 0)
			{
				if (close < sma && Position >= 0)
					SellMarket(Volume + Math.Abs(Position));
				else if (Position > 0)
					SellMarket(Position);
			}
		}

		_prevRoc = roc;
	}
}
