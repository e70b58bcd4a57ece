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
/// Williams %R pullback entries with limit orders: when %R is deeply oversold the strategy bids a few price steps under
/// the close (a buy limit), when deeply overbought it offers a few steps above it (a sell limit); an unfilled entry is
/// cancelled after <see cref="WaitCandles"/> candles. A long is closed at market when %R recovers above the exit level,
/// a short when it falls below the mirrored level.
/// </summary>
public class WilliamsRLimitStrategy : Strategy
{
	private readonly StrategyParam<int> _length;
	private readonly StrategyParam<decimal> _entryLevel;
	private readonly StrategyParam<decimal> _exitLevel;
	private readonly StrategyParam<int> _offsetSteps;
	private readonly StrategyParam<int> _waitCandles;
	private readonly StrategyParam<DataType> _candleType;

	private Order _entryOrder;
	private int _candlesWaited;

	public int Length { get => _length.Value; set => _length.Value = value; }
	public decimal EntryLevel { get => _entryLevel.Value; set => _entryLevel.Value = value; }
	public decimal ExitLevel { get => _exitLevel.Value; set => _exitLevel.Value = value; }
	public int OffsetSteps { get => _offsetSteps.Value; set => _offsetSteps.Value = value; }
	public int WaitCandles { get => _waitCandles.Value; set => _waitCandles.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public WilliamsRLimitStrategy()
	{
		_length = Param(nameof(Length), 14)
			.SetGreaterThanZero()
			.SetDisplay("%R length", "Williams %R window", "Indicators")
			.SetOptimize(7, 28, 7);
		_entryLevel = Param(nameof(EntryLevel), 85m)
			.SetGreaterThanZero()
			.SetDisplay("Entry level", "Oversold below −level, overbought above level − 100", "Signals");
		_exitLevel = Param(nameof(ExitLevel), 40m)
			.SetGreaterThanZero()
			.SetDisplay("Exit level", "A long closes above −level, a short below level − 100", "Signals");
		_offsetSteps = Param(nameof(OffsetSteps), 5)
			.SetNotNegative()
			.SetDisplay("Offset (steps)", "Limit price distance from the close in price steps", "Orders")
			.SetOptimize(0, 20, 5);
		_waitCandles = Param(nameof(WaitCandles), 3)
			.SetGreaterThanZero()
			.SetDisplay("Wait candles", "Candles an entry order may rest before it is cancelled", "Orders");
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_entryOrder = null;
		_candlesWaited = 0;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var williams = new WilliamsR { Length = Length };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(williams, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawOrders(area);
			DrawOwnTrades(area);
			DrawIndicator(CreateChartArea(), williams);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal wr)
	{
		if (candle.State != CandleStates.Finished || !IsFormedAndOnlineAndAllowTrading())
			return;

		if (_entryOrder != null && _entryOrder.State == OrderStates.Active)
		{
			if (++_candlesWaited >= WaitCandles)
			{
				CancelOrder(_entryOrder);
				_entryOrder = null;
			}
			return;
		}

		_entryOrder = null;

		if (Position > 0)
		{
			if (wr > -ExitLevel)
				SellMarket(Position);
			return;
		}

		if (Position < 0)
		{
			if (wr < ExitLevel - 100m)
				BuyMarket(Math.Abs(Position));
			return;
		}

		var step = Security.PriceStep ?? 0.01m;
		var offset = OffsetSteps * step;

		if (wr < -EntryLevel)
			_entryOrder = BuyLimit(RoundToStep(candle.ClosePrice - offset, step), Volume);
		else if (wr > EntryLevel - 100m)
			_entryOrder = SellLimit(RoundToStep(candle.ClosePrice + offset, step), Volume);

		_candlesWaited = 0;
	}

	private static decimal RoundToStep(decimal price, decimal step)
		=> Math.Round(price / step) * step;
}
