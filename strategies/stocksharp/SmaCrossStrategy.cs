using System;
using System.Collections.Generic;

using Ecng.Common;

using StockSharp.Algo.Indicators;
using StockSharp.Algo.Strategies;
using StockSharp.BusinessEntities;
using StockSharp.Messages;

namespace PyStockSharp.Samples.StockSharp;

/// <summary>
/// Moving-average crossover in StockSharp's API: long when the fast SMA crosses above the slow one, short when it
/// crosses below (the rule of the built-in native "sma_cross", so both give identical fills).
/// </summary>
public class SmaCrossStrategy : Strategy
{
	private readonly StrategyParam<int> _fast;
	private readonly StrategyParam<int> _slow;
	private readonly StrategyParam<DataType> _candleType;

	private decimal? _prevFast;
	private decimal? _prevSlow;

	public int Fast { get => _fast.Value; set => _fast.Value = value; }
	public int Slow { get => _slow.Value; set => _slow.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public SmaCrossStrategy()
	{
		_fast = Param(nameof(Fast), 10)
			.SetGreaterThanZero()
			.SetDisplay("Fast SMA", "Fast moving average length", "Indicators")
			.SetOptimize(5, 50, 5);
		_slow = Param(nameof(Slow), 20)
			.SetGreaterThanZero()
			.SetDisplay("Slow SMA", "Slow moving average length", "Indicators")
			.SetOptimize(20, 200, 10);
		_candleType = Param(nameof(CandleType), TimeSpan.FromDays(1).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_prevFast = null;
		_prevSlow = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var fast = new SimpleMovingAverage { Length = Fast };
		var slow = new SimpleMovingAverage { Length = Slow };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(fast, slow, OnProcess).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, fast);
			DrawIndicator(area, slow);
			DrawOwnTrades(area);
		}
	}

	private void OnProcess(ICandleMessage candle, decimal fast, decimal slow)
	{
		if (candle.State != CandleStates.Finished)
			return;

		if (_prevFast is decimal pf && _prevSlow is decimal ps && IsFormedAndOnlineAndAllowTrading())
		{
			if (pf <= ps && fast > slow && Position <= 0)
				BuyMarket(Volume - Position);
			else if (pf >= ps && fast < slow && Position >= 0)
				SellMarket(Volume + Position);
		}

		_prevFast = fast;
		_prevSlow = slow;
	}
}
