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
/// MACD line crossing its signal line: reverse to long on an up-cross, to short on a down-cross, but only when the
/// MACD line is on the far side of zero from the move (an up-cross below zero, a down-cross above zero); other crosses
/// just close the position. <c>BindEx</c> with <see cref="MovingAverageConvergenceDivergenceSignalValue"/>.
/// </summary>
public class MacdSignalCrossStrategy : Strategy
{
	private readonly StrategyParam<int> _fastLength;
	private readonly StrategyParam<int> _slowLength;
	private readonly StrategyParam<int> _signalLength;
	private readonly StrategyParam<DataType> _candleType;

	private bool? _wasAbove;

	public int FastLength { get => _fastLength.Value; set => _fastLength.Value = value; }
	public int SlowLength { get => _slowLength.Value; set => _slowLength.Value = value; }
	public int SignalLength { get => _signalLength.Value; set => _signalLength.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public MacdSignalCrossStrategy()
	{
		_fastLength = Param(nameof(FastLength), 12)
			.SetGreaterThanZero()
			.SetDisplay("Fast EMA", "Short EMA of the MACD", "Indicators")
			.SetOptimize(6, 18, 3);
		_slowLength = Param(nameof(SlowLength), 26)
			.SetGreaterThanZero()
			.SetDisplay("Slow EMA", "Long EMA of the MACD", "Indicators")
			.SetOptimize(20, 40, 2);
		_signalLength = Param(nameof(SignalLength), 9)
			.SetGreaterThanZero()
			.SetDisplay("Signal", "Signal line EMA length", "Indicators")
			.SetOptimize(5, 13, 2);
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_wasAbove = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var macd = new MovingAverageConvergenceDivergenceSignal
		{
			Macd =
			{
				ShortMa = { Length = FastLength },
				LongMa = { Length = SlowLength },
			},
			SignalMa = { Length = SignalLength }
		};

		var subscription = SubscribeCandles(CandleType);
		subscription.BindEx(macd, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawOwnTrades(area);
			DrawIndicator(CreateChartArea(), macd);
		}
	}

	private void ProcessCandle(ICandleMessage candle, IIndicatorValue value)
	{
		if (candle.State != CandleStates.Finished || !value.IsFormed)
			return;

		var typed = (MovingAverageConvergenceDivergenceSignalValue)value;

		if (typed.Macd is not decimal macd || typed.Signal is not decimal signal)
			return;

		var isAbove = macd > signal;

		if (_wasAbove is bool was && was != isAbove && IsFormedAndOnlineAndAllowTrading())
		{
			if (isAbove)
			{
				if (macd < 0 && Position <= 0)
					BuyMarket(Volume + Math.Abs(Position));
				else if (Position < 0)
					BuyMarket(Math.Abs(Position));
			}
			else
			{
				if (macd > 0 && Position >= 0)
					SellMarket(Volume + Math.Abs(Position));
				else if (Position > 0)
					SellMarket(Position);
			}
		}

		_wasAbove = isAbove;
	}
}
