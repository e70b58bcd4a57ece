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
/// Ichimoku cloud breaks: long when the close moves from inside or under the cloud to above it, short when it moves
/// under it; a long is closed when the close drops under the Kijun, a short when it rises above it. <c>Bind</c>
/// flattens the Ichimoku into Tenkan, Kijun, Senkou A, Senkou B, Chinkou. Written in the older
/// <c>OnStarted(DateTimeOffset)</c> style.
/// </summary>
public class IchimokuCloudBreakStrategy : Strategy
{
	private readonly StrategyParam<int> _tenkanLength;
	private readonly StrategyParam<int> _kijunLength;
	private readonly StrategyParam<int> _senkouLength;
	private readonly StrategyParam<DataType> _candleType;

	private int? _prevZone;

	public int TenkanLength { get => _tenkanLength.Value; set => _tenkanLength.Value = value; }
	public int KijunLength { get => _kijunLength.Value; set => _kijunLength.Value = value; }
	public int SenkouLength { get => _senkouLength.Value; set => _senkouLength.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public IchimokuCloudBreakStrategy()
	{
		_tenkanLength = Param(nameof(TenkanLength), 9)
			.SetGreaterThanZero()
			.SetDisplay("Tenkan", "Conversion line length", "Indicators");
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
		_prevZone = null;
	}

	protected override void OnStarted(DateTimeOffset time)
	{
		base.OnStarted(time);

		var ichimoku = new Ichimoku
		{
			Tenkan = { Length = TenkanLength },
			Kijun = { Length = KijunLength },
			SenkouB = { Length = SenkouLength },
		};

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(ichimoku, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, ichimoku);
			DrawOwnTrades(area);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal tenkan, decimal kijun, decimal senkouA, decimal senkouB, decimal chinkou)
	{
		if (candle.State != CandleStates.Finished)
			return;

		var close = candle.ClosePrice;
		var zone = close > Math.Max(senkouA, senkouB) ? 1 : close < Math.Min(senkouA, senkouB) ? -1 : 0;

		if (_prevZone is int prev && IsFormedAndOnlineAndAllowTrading())
		{
			if (prev != 1 && zone == 1 && Position <= 0)
				BuyMarket(Volume + Math.Abs(Position));
			else if (prev != -1 && zone == -1 && Position >= 0)
				SellMarket(Volume + Math.Abs(Position));
			else if (Position > 0 && close < kijun)
				SellMarket(Position);
			else if (Position < 0 && close > kijun)
				BuyMarket(Math.Abs(Position));
		}

		_prevZone = zone;
	}
}
