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
/// Level1 trading without candles: the last trade price of each Level1 update feeds an EMA the strategy processes
/// itself; it goes long when the price is more than <see cref="BandSteps"/> price steps above the EMA and short when
/// it is as far below it, and closes the position when the price crosses the EMA again.
/// </summary>
public class Level1EmaBandStrategy : Strategy
{
	private readonly StrategyParam<int> _emaLength;
	private readonly StrategyParam<int> _bandSteps;

	private ExponentialMovingAverage _ema;

	public int EmaLength { get => _emaLength.Value; set => _emaLength.Value = value; }
	public int BandSteps { get => _bandSteps.Value; set => _bandSteps.Value = value; }

	public Level1EmaBandStrategy()
	{
		_emaLength = Param(nameof(EmaLength), 30)
			.SetGreaterThanZero()
			.SetDisplay("EMA length", "EMA of the last trade prices", "Indicators")
			.SetOptimize(10, 100, 10);
		_bandSteps = Param(nameof(BandSteps), 10)
			.SetGreaterThanZero()
			.SetDisplay("Band (steps)", "Distance from the EMA to an entry, in price steps", "Signals")
			.SetOptimize(5, 50, 5);
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, DataType.Level1)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_ema = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		_ema = new ExponentialMovingAverage { Length = EmaLength };

		SubscribeLevel1()
			.Bind(ProcessLevel1)
			.Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawIndicator(area, _ema);
			DrawOwnTrades(area);
		}
	}

	private void ProcessLevel1(Level1ChangeMessage message)
	{
		if (message.TryGetDecimal(Level1Fields.LastTradePrice) is not decimal price)
			return;

		var ema = _ema.Process(price, message.ServerTime, true).ToDecimal();

		if (!_ema.IsFormed || !IsFormedAndOnlineAndAllowTrading())
			return;

		var band = BandSteps * (Security.PriceStep ?? 0.01m);

		if (Position > 0 && price < ema)
			SellMarket(Position);
		else if (Position < 0 && price > ema)
			BuyMarket(Math.Abs(Position));
		else if (Position == 0 && price > ema + band)
			BuyMarket(Volume);
		else if (Position == 0 && price < ema - band)
			SellMarket(Volume);
	}
}
