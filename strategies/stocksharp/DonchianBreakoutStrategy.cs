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
/// Donchian channel breakout sized from the account: a close above the previous candle's upper band buys, a close
/// below its lower band sells, each for <see cref="RiskShare"/> of <see cref="Portfolio.CurrentValue"/> worth of units
/// (at least one); the position is closed when the close crosses the channel middle against it. <c>Bind</c> flattens
/// the channel into upper, lower, middle.
/// </summary>
public class DonchianBreakoutStrategy : Strategy
{
	private readonly StrategyParam<int> _length;
	private readonly StrategyParam<decimal> _riskShare;
	private readonly StrategyParam<DataType> _candleType;

	private decimal? _prevUpper;
	private decimal? _prevLower;

	public int Length { get => _length.Value; set => _length.Value = value; }
	public decimal RiskShare { get => _riskShare.Value; set => _riskShare.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public DonchianBreakoutStrategy()
	{
		_length = Param(nameof(Length), 20)
			.SetGreaterThanZero()
			.SetDisplay("Length", "Donchian channel length", "Indicators")
			.SetOptimize(10, 60, 5);
		_riskShare = Param(nameof(RiskShare), 0.1m)
			.SetGreaterThanZero()
			.SetDisplay("Account share", "Part of the account value put into one position", "Trading");
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_prevUpper = null;
		_prevLower = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var donchian = new DonchianChannels { Length = Length };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(donchian, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, donchian);
			DrawOwnTrades(area);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal upper, decimal lower, decimal middle)
	{
		if (candle.State != CandleStates.Finished)
			return;

		if (_prevUpper is decimal pu && _prevLower is decimal pl && IsFormedAndOnlineAndAllowTrading())
		{
			var close = candle.ClosePrice;

			if (Position > 0 && close < middle)
				SellMarket(Position);
			else if (Position < 0 && close > middle)
				BuyMarket(Math.Abs(Position));
			else if (Position == 0 && close > pu)
				BuyMarket(SizeFor(close));
			else if (Position == 0 && close < pl)
				SellMarket(SizeFor(close));
		}

		_prevUpper = upper;
		_prevLower = lower;
	}

	private decimal SizeFor(decimal price)
	{
		var value = Portfolio.CurrentValue ?? 0m;
		var units = Math.Floor(value * RiskShare / price);
		return Math.Max(1m, units);
	}
}
