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
/// A fast double-exponential moving average crossing a slow simple one: long on the DEMA's up-cross, short on its
/// down-cross (always in the market once the first cross happened). Written in the older
/// <c>OnStarted(DateTimeOffset)</c> style.
/// </summary>
public class DemaSmaCrossStrategy : Strategy
{
	private readonly StrategyParam<int> _demaLength;
	private readonly StrategyParam<int> _smaLength;
	private readonly StrategyParam<DataType> _candleType;

	private bool? _wasAbove;

	public int DemaLength { get => _demaLength.Value; set => _demaLength.Value = value; }
	public int SmaLength { get => _smaLength.Value; set => _smaLength.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public DemaSmaCrossStrategy()
	{
		_demaLength = Param(nameof(DemaLength), 12)
			.SetGreaterThanZero()
			.SetDisplay("DEMA length", "Fast double EMA length", "Indicators")
			.SetOptimize(6, 30, 3);
		_smaLength = Param(nameof(SmaLength), 30)
			.SetGreaterThanZero()
			.SetDisplay("SMA length", "Slow simple moving average length", "Indicators")
			.SetOptimize(20, 100, 10);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_wasAbove = null;
	}

	protected override void OnStarted(DateTimeOffset time)
	{
		base.OnStarted(time);

		var dema = new DoubleExponentialMovingAverage { Length = DemaLength };
		var sma = new SimpleMovingAverage { Length = SmaLength };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(dema, sma, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, dema);
			DrawIndicator(area, sma);
			DrawOwnTrades(area);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal dema, decimal sma)
	{
		if (candle.State != CandleStates.Finished)
			return;

		var isAbove = dema > sma;

		if (_wasAbove is bool was && was != isAbove && IsFormedAndOnlineAndAllowTrading())
		{
			if (isAbove && Position <= 0)
				BuyMarket(Volume + Math.Abs(Position));
			else if (!isAbove && Position >= 0)
				SellMarket(Volume + Math.Abs(Position));
		}

		_wasAbove = isAbove;
	}
}
