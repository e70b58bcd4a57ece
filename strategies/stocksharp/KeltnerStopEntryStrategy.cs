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
/// Keltner channel stop entries: while flat the strategy keeps a buy stop at the upper line and a sell stop at the
/// lower line (both moved every candle); the first one to fill cancels the other (<c>OnNewMyTrade</c>). A long is
/// closed at market when the close falls under the middle line, a short when it rises above it.
/// <c>BindEx</c> with <see cref="KeltnerChannelsValue"/>.
/// </summary>
public class KeltnerStopEntryStrategy : Strategy
{
	private readonly StrategyParam<int> _length;
	private readonly StrategyParam<decimal> _multiplier;
	private readonly StrategyParam<DataType> _candleType;

	private Order _buyStop;
	private Order _sellStop;

	public int Length { get => _length.Value; set => _length.Value = value; }
	public decimal Multiplier { get => _multiplier.Value; set => _multiplier.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public KeltnerStopEntryStrategy()
	{
		_length = Param(nameof(Length), 20)
			.SetGreaterThanZero()
			.SetDisplay("Length", "EMA and ATR length of the channel", "Indicators")
			.SetOptimize(10, 40, 5);
		_multiplier = Param(nameof(Multiplier), 1.5m)
			.SetGreaterThanZero()
			.SetDisplay("Multiplier", "Channel half-width in ATRs", "Indicators")
			.SetOptimize(1m, 3m, 0.5m);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_buyStop = null;
		_sellStop = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var keltner = new KeltnerChannels { Length = Length, Multiplier = Multiplier };

		var subscription = SubscribeCandles(CandleType);
		subscription.BindEx(keltner, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, keltner);
			DrawOrders(area);
			DrawOwnTrades(area);
		}
	}

	protected override void OnNewMyTrade(MyTrade trade)
	{
		base.OnNewMyTrade(trade);

		// one entry filled: the opposite stop must not turn the position around
		if (trade.Order == _buyStop && _sellStop != null)
			CancelOrder(_sellStop);
		else if (trade.Order == _sellStop && _buyStop != null)
			CancelOrder(_buyStop);
	}

	private void ProcessCandle(ICandleMessage candle, IIndicatorValue value)
	{
		if (candle.State != CandleStates.Finished || !value.IsFormed || !IsFormedAndOnlineAndAllowTrading())
			return;

		var channel = (KeltnerChannelsValue)value;

		if (channel.Upper is not decimal upper || channel.Lower is not decimal lower || channel.Middle is not decimal middle)
			return;

		CancelStops();

		if (Position > 0)
		{
			if (candle.ClosePrice < middle)
				SellMarket(Position);
			return;
		}

		if (Position < 0)
		{
			if (candle.ClosePrice > middle)
				BuyMarket(Math.Abs(Position));
			return;
		}

		var step = Security.PriceStep ?? 0.01m;
		_buyStop = BuyStop(Volume, Math.Ceiling(upper / step) * step);
		_sellStop = SellStop(Volume, Math.Floor(lower / step) * step);
	}

	private void CancelStops()
	{
		if (_buyStop != null && _buyStop.State == OrderStates.Active)
			CancelOrder(_buyStop);
		if (_sellStop != null && _sellStop.State == OrderStates.Active)
			CancelOrder(_sellStop);

		_buyStop = null;
		_sellStop = null;
	}
}
