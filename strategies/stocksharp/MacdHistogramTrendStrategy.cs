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
/// MACD histogram with a trend filter: when the histogram (MACD − signal) turns positive and the close is above the
/// trend EMA the strategy goes long; when it turns negative and the close is below the EMA it goes short; a histogram
/// sign change against the position closes it. <c>Bind</c> flattens the MACD-with-signal into two decimals.
/// </summary>
public class MacdHistogramTrendStrategy : Strategy
{
	private readonly StrategyParam<int> _fastLength;
	private readonly StrategyParam<int> _slowLength;
	private readonly StrategyParam<int> _signalLength;
	private readonly StrategyParam<int> _trendLength;
	private readonly StrategyParam<DataType> _candleType;

	private decimal? _prevHistogram;

	public int FastLength { get => _fastLength.Value; set => _fastLength.Value = value; }
	public int SlowLength { get => _slowLength.Value; set => _slowLength.Value = value; }
	public int SignalLength { get => _signalLength.Value; set => _signalLength.Value = value; }
	public int TrendLength { get => _trendLength.Value; set => _trendLength.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public MacdHistogramTrendStrategy()
	{
		_fastLength = Param(nameof(FastLength), 12)
			.SetGreaterThanZero()
			.SetDisplay("Fast EMA", "Short EMA of the MACD", "Indicators");
		_slowLength = Param(nameof(SlowLength), 26)
			.SetGreaterThanZero()
			.SetDisplay("Slow EMA", "Long EMA of the MACD", "Indicators");
		_signalLength = Param(nameof(SignalLength), 9)
			.SetGreaterThanZero()
			.SetDisplay("Signal", "Signal line EMA length", "Indicators");
		_trendLength = Param(nameof(TrendLength), 50)
			.SetGreaterThanZero()
			.SetDisplay("Trend EMA", "Trend filter EMA length", "Indicators")
			.SetOptimize(20, 200, 20);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_prevHistogram = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var macd = new MovingAverageConvergenceDivergenceSignal(
			new MovingAverageConvergenceDivergence(
				new ExponentialMovingAverage { Length = SlowLength },
				new ExponentialMovingAverage { Length = FastLength }),
			new ExponentialMovingAverage { Length = SignalLength });
		var trend = new ExponentialMovingAverage { Length = TrendLength };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(macd, trend, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, trend);
			DrawOwnTrades(area);
			DrawIndicator(CreateChartArea(), macd);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal macd, decimal signal, decimal trend)
	{
		if (candle.State != CandleStates.Finished)
			return;

		var histogram = macd - signal;

		if (_prevHistogram is decimal prev && IsFormedAndOnlineAndAllowTrading())
		{
			var close = candle.ClosePrice;
			var turnedUp = prev <= 0 && histogram > 0;
			var turnedDown = prev >= 0 && histogram < 0;

			if (turnedUp)
			{
				if (close > trend && Position <= 0)
					BuyMarket(Volume + Math.Abs(Position));
				else if (Position < 0)
					BuyMarket(Math.Abs(Position));
			}
			else if (turnedDown)
			{
				if (close < trend && Position >= 0)
					SellMarket(Volume + Math.Abs(Position));
				else if (Position > 0)
					SellMarket(Position);
			}
		}

		_prevHistogram = histogram;
	}
}
