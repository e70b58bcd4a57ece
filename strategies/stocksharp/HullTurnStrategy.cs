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
/// Hull moving-average turning points: when the HMA turns up (it rose after falling) the strategy reverses to long,
/// when it turns down it reverses to short. Every position carries a percent stop-loss (<see cref="Strategy.StartProtection"/>).
/// </summary>
public class HullTurnStrategy : Strategy
{
	private readonly StrategyParam<int> _length;
	private readonly StrategyParam<decimal> _stopLossPercent;
	private readonly StrategyParam<DataType> _candleType;

	private decimal? _prev;
	private decimal? _prev2;

	public int Length { get => _length.Value; set => _length.Value = value; }
	public decimal StopLossPercent { get => _stopLossPercent.Value; set => _stopLossPercent.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public HullTurnStrategy()
	{
		_length = Param(nameof(Length), 16)
			.SetGreaterThanZero()
			.SetDisplay("HMA length", "Hull moving average length", "Indicators")
			.SetOptimize(8, 48, 4);
		_stopLossPercent = Param(nameof(StopLossPercent), 3m)
			.SetGreaterThanZero()
			.SetDisplay("Stop-loss %", "Stop distance in percent of the entry price", "Risk")
			.SetOptimize(1m, 6m, 1m);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_prev = null;
		_prev2 = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var hma = new HullMovingAverage { Length = Length };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(hma, ProcessCandle).Start();

		StartProtection(stopLoss: new Unit(StopLossPercent, UnitTypes.Percent), useMarketOrders: true);

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, hma);
			DrawOwnTrades(area);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal hma)
	{
		if (candle.State != CandleStates.Finished)
			return;

		if (_prev is decimal p1 && _prev2 is decimal p2 && IsFormedAndOnlineAndAllowTrading())
		{
			var turnedUp = p1 < p2 && hma > p1;
			var turnedDown = p1 > p2 && hma < p1;

			if (turnedUp && Position <= 0)
				BuyMarket(Volume + Math.Abs(Position));
			else if (turnedDown && Position >= 0)
				SellMarket(Volume + Math.Abs(Position));
		}

		_prev2 = _prev;
		_prev = hma;
	}
}
