using System;
using System.Collections.Generic;

using StockSharp.Algo.Strategies;
using StockSharp.BusinessEntities;
using StockSharp.Messages;

namespace PyStockSharp.Samples.StockSharp;

/// <summary>
/// Two securities in StockSharp's API: the strategy's <see cref="Strategy.Security"/> and <see cref="SecondSecurity"/>,
/// each with its own candle subscription. On each candle of the first, the price ratio first / second (the second's
/// last candle) is compared with its mean over <see cref="Length"/> candles: more than <see cref="Deviation"/> percent
/// above it sells the first and buys the second, as far below buys the first and sells the second; back within a
/// quarter of the band both positions are closed. Run it with two data: --data SPX=... --data NDX=... -p SecondSecurity=NDX.
/// </summary>
public class RatioPairsStrategy : Strategy
{
	private readonly StrategyParam<Security> _secondSecurity;
	private readonly StrategyParam<int> _length;
	private readonly StrategyParam<decimal> _deviation;
	private readonly StrategyParam<decimal> _tradeVolume;
	private readonly StrategyParam<DataType> _candleType;

	private readonly Queue<decimal> _ratios = new();
	private decimal _ratioSum;
	private decimal _secondClose;

	public Security SecondSecurity { get => _secondSecurity.Value; set => _secondSecurity.Value = value; }
	public int Length { get => _length.Value; set => _length.Value = value; }
	public decimal Deviation { get => _deviation.Value; set => _deviation.Value = value; }
	public decimal TradeVolume { get => _tradeVolume.Value; set => _tradeVolume.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public RatioPairsStrategy()
	{
		_secondSecurity = Param<Security>(nameof(SecondSecurity))
			.SetDisplay("Second security", "The other leg of the pair", "General");
		_length = Param(nameof(Length), 30)
			.SetGreaterThanZero()
			.SetDisplay("Length", "Candles of the ratio's mean", "Signal")
			.SetOptimize(10, 60, 10);
		_deviation = Param(nameof(Deviation), 2m)
			.SetGreaterThanZero()
			.SetDisplay("Deviation %", "Distance from the mean that opens the pair", "Signal")
			.SetOptimize(1m, 4m, 0.5m);
		_tradeVolume = Param(nameof(TradeVolume), 1m)
			.SetGreaterThanZero()
			.SetDisplay("Volume", "Units of each leg", "Trading");
		_candleType = Param(nameof(CandleType), TimeSpan.FromDays(1).TimeFrame())
			.SetDisplay("Candle type", "Candles of both securities", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities()
		=> [(Security, CandleType), (SecondSecurity, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_ratios.Clear();
		_ratioSum = 0;
		_secondClose = 0;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);
		if (SecondSecurity == null)
		{
			LogError("SecondSecurity is not set");
			Stop();
			return;
		}
		SubscribeCandles(CandleType).Bind(OnFirstCandle).Start();
		SubscribeCandles(CandleType, security: SecondSecurity).Bind(OnSecondCandle).Start();
	}

	private void OnSecondCandle(ICandleMessage candle)
	{
		if (candle.State == CandleStates.Finished)
			_secondClose = candle.ClosePrice;
	}

	private void OnFirstCandle(ICandleMessage candle)
	{
		if (candle.State != CandleStates.Finished || _secondClose == 0)
			return;
		var ratio = candle.ClosePrice / _secondClose;
		_ratios.Enqueue(ratio);
		_ratioSum += ratio;
		if (_ratios.Count > Length)
			_ratioSum -= _ratios.Dequeue();
		if (_ratios.Count < Length)
			return;

		var deviation = (ratio / (_ratioSum / Length) - 1m) * 100m;
		var second = GetPositionValue(SecondSecurity, Portfolio) ?? 0m;
		if (deviation > Deviation && Position >= 0)
		{
			SellMarket(TradeVolume + Position);
			BuyMarket(TradeVolume - second, SecondSecurity);
		}
		else if (deviation < -Deviation && Position <= 0)
		{
			BuyMarket(TradeVolume - Position);
			SellMarket(TradeVolume + second, SecondSecurity);
		}
		else if (Math.Abs(deviation) < Deviation / 4m && (Position != 0 || second != 0))
		{
			ClosePosition();
			ClosePosition(SecondSecurity);
		}
	}
}
