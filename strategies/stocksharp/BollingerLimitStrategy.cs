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
/// Bollinger band limit orders: while flat the strategy rests a buy limit at the lower band and a sell limit at the
/// upper band, moving both to the new bands at every candle (cancel and re-place); once in a position it cancels the
/// other entry and rests an exit limit at the middle line. Prices are rounded to <see cref="Security.PriceStep"/>.
/// </summary>
public class BollingerLimitStrategy : Strategy
{
	private readonly StrategyParam<int> _length;
	private readonly StrategyParam<decimal> _width;
	private readonly StrategyParam<DataType> _candleType;

	public int Length { get => _length.Value; set => _length.Value = value; }
	public decimal Width { get => _width.Value; set => _width.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public BollingerLimitStrategy()
	{
		_length = Param(nameof(Length), 20)
			.SetGreaterThanZero()
			.SetDisplay("Length", "Bollinger bands length", "Indicators")
			.SetOptimize(10, 40, 5);
		_width = Param(nameof(Width), 2m)
			.SetGreaterThanZero()
			.SetDisplay("Width", "Band width in standard deviations", "Indicators")
			.SetOptimize(1.5m, 3m, 0.5m);
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

		var bollinger = new BollingerBands { Length = Length, Width = Width };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(bollinger, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, bollinger);
			DrawOrders(area);
			DrawOwnTrades(area);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal middle, decimal upper, decimal lower)
	{
		if (candle.State != CandleStates.Finished || !IsFormedAndOnlineAndAllowTrading())
			return;

		CancelActiveOrders();

		var step = Security.PriceStep ?? 0.01m;

		if (Position == 0)
		{
			BuyLimit(Math.Floor(lower / step) * step, Volume);
			SellLimit(Math.Ceiling(upper / step) * step, Volume);
		}
		else if (Position > 0)
		{
			SellLimit(Math.Ceiling(middle / step) * step, Position);
		}
		else
		{
			BuyLimit(Math.Floor(middle / step) * step, Math.Abs(Position));
		}
	}
}
