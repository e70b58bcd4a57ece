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
/// Commodity channel index breakout: long when the CCI crosses above +Level, short when it crosses below −Level;
/// a long is closed once the CCI drops below zero, a short once it rises above zero.
/// </summary>
public class CciBreakoutStrategy : Strategy
{
	private readonly StrategyParam<int> _cciLength;
	private readonly StrategyParam<decimal> _level;
	private readonly StrategyParam<DataType> _candleType;

	private decimal? _prevCci;

	public int CciLength { get => _cciLength.Value; set => _cciLength.Value = value; }
	public decimal Level { get => _level.Value; set => _level.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public CciBreakoutStrategy()
	{
		_cciLength = Param(nameof(CciLength), 20)
			.SetGreaterThanZero()
			.SetDisplay("CCI length", "Commodity channel index length", "Indicators")
			.SetOptimize(10, 40, 5);
		_level = Param(nameof(Level), 100m)
			.SetGreaterThanZero()
			.SetDisplay("Level", "Breakout level (±)", "Signals")
			.SetOptimize(50m, 200m, 25m);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_prevCci = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var cci = new CommodityChannelIndex { Length = CciLength };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(cci, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawOwnTrades(area);
			DrawIndicator(CreateChartArea(), cci);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal cci)
	{
		if (candle.State != CandleStates.Finished)
			return;

		if (_prevCci is decimal prev && IsFormedAndOnlineAndAllowTrading())
		{
			if (Position > 0 && cci < 0)
				SellMarket(Position);
			else if (Position < 0 && cci > 0)
				BuyMarket(Math.Abs(Position));
			else if (Position == 0 && prev <= Level && cci > Level)
				BuyMarket(Volume);
			else if (Position == 0 && prev >= -Level && cci < -Level)
				SellMarket(Volume);
		}

		_prevCci = cci;
	}
}
