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
/// Ichimoku Tenkan/Kijun crossings filtered by the cloud: a Tenkan up-cross buys when the close is above the cloud's
/// bottom, a down-cross sells when the close is under the cloud's top; a cross against the position closes it even
/// when the filter forbids the reversal. <c>BindEx</c> with <see cref="IchimokuValue"/>.
/// </summary>
public class IchimokuTkCrossStrategy : Strategy
{
	private readonly StrategyParam<int> _tenkanLength;
	private readonly StrategyParam<int> _kijunLength;
	private readonly StrategyParam<int> _senkouLength;
	private readonly StrategyParam<DataType> _candleType;

	private bool? _tenkanWasAbove;

	public int TenkanLength { get => _tenkanLength.Value; set => _tenkanLength.Value = value; }
	public int KijunLength { get => _kijunLength.Value; set => _kijunLength.Value = value; }
	public int SenkouLength { get => _senkouLength.Value; set => _senkouLength.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public IchimokuTkCrossStrategy()
	{
		_tenkanLength = Param(nameof(TenkanLength), 9)
			.SetGreaterThanZero()
			.SetDisplay("Tenkan", "Conversion line length", "Indicators")
			.SetOptimize(5, 15, 2);
		_kijunLength = Param(nameof(KijunLength), 26)
			.SetGreaterThanZero()
			.SetDisplay("Kijun", "Base line length", "Indicators")
			.SetOptimize(15, 40, 5);
		_senkouLength = Param(nameof(SenkouLength), 52)
			.SetGreaterThanZero()
			.SetDisplay("Senkou B", "Leading span B length", "Indicators");
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_tenkanWasAbove = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var ichimoku = new Ichimoku
		{
			Tenkan = { Length = TenkanLength },
			Kijun = { Length = KijunLength },
			SenkouB = { Length = SenkouLength },
		};

		var subscription = SubscribeCandles(CandleType);
		subscription.BindEx(ichimoku, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, ichimoku);
			DrawOwnTrades(area);
		}
	}

	private void ProcessCandle(ICandleMessage candle, IIndicatorValue value)
	{
		if (candle.State != CandleStates.Finished || !value.IsFormed)
			return;

		var ich = (IchimokuValue)value;

		if (ich.Tenkan is not decimal tenkan || ich.Kijun is not decimal kijun ||
			ich.SenkouA is not decimal senkouA || ich.SenkouB is not decimal senkouB)
			return;

		var tenkanAbove = tenkan > kijun;

		if (_tenkanWasAbove is bool was && was != tenkanAbove && IsFormedAndOnlineAndAllowTrading())
		{
			var close = candle.ClosePrice;
			var cloudTop = Math.Max(senkouA, senkouB);
			var cloudBottom = Math.Min(senkouA, senkouB);

			if (tenkanAbove)
			{
				if (close > cloudBottom && Position <= 0)
					BuyMarket(Volume + Math.Abs(Position));
				else if (Position < 0)
					BuyMarket(Math.Abs(Position));
			}
			else
			{
				if (close < cloudTop && Position >= 0)
					SellMarket(Volume + Math.Abs(Position));
				else if (Position > 0)
					SellMarket(Position);
			}
		}

		_tenkanWasAbove = tenkanAbove;
	}
}
