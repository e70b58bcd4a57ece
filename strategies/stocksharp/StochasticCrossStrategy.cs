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
/// Stochastic %K/%D crossings at the extremes: long when %K crosses above %D while %K is under the low level, short
/// when it crosses below %D while %K is over the high level (reversing any open position). Uses <c>BindEx</c> with
/// <see cref="StochasticOscillatorValue"/>.
/// </summary>
public class StochasticCrossStrategy : Strategy
{
	private readonly StrategyParam<int> _kLength;
	private readonly StrategyParam<int> _dLength;
	private readonly StrategyParam<decimal> _lowLevel;
	private readonly StrategyParam<decimal> _highLevel;
	private readonly StrategyParam<DataType> _candleType;

	private decimal? _prevK;
	private decimal? _prevD;

	public int KLength { get => _kLength.Value; set => _kLength.Value = value; }
	public int DLength { get => _dLength.Value; set => _dLength.Value = value; }
	public decimal LowLevel { get => _lowLevel.Value; set => _lowLevel.Value = value; }
	public decimal HighLevel { get => _highLevel.Value; set => _highLevel.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public StochasticCrossStrategy()
	{
		_kLength = Param(nameof(KLength), 14)
			.SetGreaterThanZero()
			.SetDisplay("%K length", "Stochastic %K window", "Indicators")
			.SetOptimize(5, 21, 2);
		_dLength = Param(nameof(DLength), 3)
			.SetGreaterThanZero()
			.SetDisplay("%D length", "Smoothing of %K", "Indicators")
			.SetOptimize(2, 6, 1);
		_lowLevel = Param(nameof(LowLevel), 25m)
			.SetGreaterThanZero()
			.SetDisplay("Low level", "%K must be below it for a long", "Signals");
		_highLevel = Param(nameof(HighLevel), 75m)
			.SetGreaterThanZero()
			.SetDisplay("High level", "%K must be above it for a short", "Signals");
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_prevK = null;
		_prevD = null;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var stochastic = new StochasticOscillator();
		stochastic.K.Length = KLength;
		stochastic.D.Length = DLength;

		var subscription = SubscribeCandles(CandleType);
		subscription.BindEx(stochastic, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawOwnTrades(area);

			var oscArea = CreateChartArea();
			DrawIndicator(oscArea, stochastic);
		}
	}

	private void ProcessCandle(ICandleMessage candle, IIndicatorValue value)
	{
		if (candle.State != CandleStates.Finished || !value.IsFormed)
			return;

		var stoch = (StochasticOscillatorValue)value;

		if (stoch.K is not decimal k || stoch.D is not decimal d)
			return;

		if (_prevK is decimal pk && _prevD is decimal pd && IsFormedAndOnlineAndAllowTrading())
		{
			if (pk <= pd && k > d && k < LowLevel && Position <= 0)
				BuyMarket(Volume + Math.Abs(Position));
			else if (pk >= pd && k < d && k > HighLevel && Position >= 0)
				SellMarket(Volume + Math.Abs(Position));
		}

		_prevK = k;
		_prevD = d;
	}
}
