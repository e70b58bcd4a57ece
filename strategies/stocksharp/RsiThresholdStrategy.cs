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
/// RSI threshold crossings: long when the RSI climbs back above the oversold level, short when it falls back below the
/// overbought level; a long is closed when the RSI reaches the exit level from below, a short from above. Percent
/// take-profit and stop-loss protect every position.
/// </summary>
public class RsiThresholdStrategy : Strategy
{
	private readonly StrategyParam<int> _rsiLength;
	private readonly StrategyParam<decimal> _oversold;
	private readonly StrategyParam<decimal> _overbought;
	private readonly StrategyParam<decimal> _exitLevel;
	private readonly StrategyParam<decimal> _takeProfitPercent;
	private readonly StrategyParam<decimal> _stopLossPercent;
	private readonly StrategyParam<DataType> _candleType;

	private decimal? _prevRsi;

	public int RsiLength { get => _rsiLength.Value; set => _rsiLength.Value = value; }
	public decimal Oversold { get => _oversold.Value; set => _oversold.Value = value; }
	public decimal Overbought { get => _overbought.Value; set => _overbought.Value = value; }
	public decimal ExitLevel { get => _exitLevel.Value; set => _exitLevel.Value = value; }
	public decimal TakeProfitPercent { get => _takeProfitPercent.Value; set => _takeProfitPercent.Value = value; }
	public decimal StopLossPercent { get => _stopLossPercent.Value; set => _stopLossPercent.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public RsiThresholdStrategy()
	{
		_rsiLength = Param(nameof(RsiLength), 14)
			.SetGreaterThanZero()
			.SetDisplay("RSI length", "Relative strength index length", "Indicators")
			.SetOptimize(7, 28, 7);
		_oversold = Param(nameof(Oversold), 30m)
			.SetGreaterThanZero()
			.SetDisplay("Oversold", "RSI level a long entry comes back from", "Signals")
			.SetOptimize(20m, 40m, 5m);
		_overbought = Param(nameof(Overbought), 70m)
			.SetGreaterThanZero()
			.SetDisplay("Overbought", "RSI level a short entry comes back from", "Signals")
			.SetOptimize(60m, 80m, 5m);
		_exitLevel = Param(nameof(ExitLevel), 55m)
			.SetGreaterThanZero()
			.SetDisplay("Exit level", "RSI level that closes a long (100 − level closes a short)", "Signals");
		_takeProfitPercent = Param(nameof(TakeProfitPercent), 4m)
			.SetGreaterThanZero()
			.SetDisplay("Take-profit %", "Take-profit distance in percent", "Risk");
		_stopLossPercent = Param(nameof(StopLossPercent), 2m)
			.SetGreaterThanZero()
			.SetDisplay("Stop-loss %", "Stop-loss distance in percent", "Risk");
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_prevRsi = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var rsi = new RelativeStrengthIndex { Length = RsiLength };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(rsi, ProcessCandle).Start();

		StartProtection(
			takeProfit: new Unit(TakeProfitPercent, UnitTypes.Percent),
			stopLoss: new Unit(StopLossPercent, UnitTypes.Percent));

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawOwnTrades(area);

			var rsiArea = CreateChartArea();
			DrawIndicator(rsiArea, rsi);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal rsi)
	{
		if (candle.State != CandleStates.Finished)
			return;

		if (_prevRsi is decimal prev && IsFormedAndOnlineAndAllowTrading())
		{
			var shortExit = 100m - ExitLevel;

			if (Position > 0 && prev < ExitLevel && rsi >= ExitLevel)
				SellMarket(Position);
			else if (Position < 0 && prev > shortExit && rsi <= shortExit)
				BuyMarket(Math.Abs(Position));
			else if (prev < Oversold && rsi >= Oversold && Position <= 0)
				BuyMarket(Volume + Math.Abs(Position));
			else if (prev > Overbought && rsi <= Overbought && Position >= 0)
				SellMarket(Volume + Math.Abs(Position));
		}

		_prevRsi = rsi;
	}
}
