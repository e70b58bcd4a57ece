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
/// Kaufman adaptive moving average with an ATR band: long when the close rises above KAMA + k·ATR, short when it falls
/// below KAMA − k·ATR; a long is closed when the close drops back under KAMA, a short when it climbs back above it.
/// </summary>
public class KamaAtrBandStrategy : Strategy
{
	private readonly StrategyParam<int> _kamaLength;
	private readonly StrategyParam<int> _atrLength;
	private readonly StrategyParam<decimal> _bandMultiplier;
	private readonly StrategyParam<DataType> _candleType;

	public int KamaLength { get => _kamaLength.Value; set => _kamaLength.Value = value; }
	public int AtrLength { get => _atrLength.Value; set => _atrLength.Value = value; }
	public decimal BandMultiplier { get => _bandMultiplier.Value; set => _bandMultiplier.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public KamaAtrBandStrategy()
	{
		_kamaLength = Param(nameof(KamaLength), 10)
			.SetGreaterThanZero()
			.SetDisplay("KAMA length", "Efficiency-ratio window of KAMA", "Indicators")
			.SetOptimize(5, 30, 5);
		_atrLength = Param(nameof(AtrLength), 14)
			.SetGreaterThanZero()
			.SetDisplay("ATR length", "Average true range length", "Indicators")
			.SetOptimize(7, 28, 7);
		_bandMultiplier = Param(nameof(BandMultiplier), 0.5m)
			.SetGreaterThanZero()
			.SetDisplay("Band (ATR)", "Distance from KAMA to the entry level, in ATRs", "Indicators")
			.SetOptimize(0.25m, 2m, 0.25m);
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

		var kama = new KaufmanAdaptiveMovingAverage { Length = KamaLength };
		var atr = new AverageTrueRange { Length = AtrLength };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(kama, atr, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, kama);
			DrawOwnTrades(area);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal kama, decimal atr)
	{
		if (candle.State != CandleStates.Finished || !IsFormedAndOnlineAndAllowTrading())
			return;

		var close = candle.ClosePrice;
		var band = BandMultiplier * atr;

		if (Position > 0 && close < kama)
			SellMarket(Position);
		else if (Position < 0 && close > kama)
			BuyMarket(Math.Abs(Position));
		else if (Position == 0 && close > kama + band)
			BuyMarket(Volume);
		else if (Position == 0 && close < kama - band)
			SellMarket(Volume);
	}
}
