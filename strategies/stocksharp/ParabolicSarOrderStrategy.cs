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
/// Parabolic SAR reversals placed as explicit order objects: when the close crosses above the SAR the strategy
/// registers a market buy (<c>RegisterOrder(new Order { ... })</c>) that reverses any short, when it crosses below a
/// market sell that reverses any long.
/// </summary>
public class ParabolicSarOrderStrategy : Strategy
{
	private readonly StrategyParam<decimal> _acceleration;
	private readonly StrategyParam<decimal> _accelerationStep;
	private readonly StrategyParam<decimal> _accelerationMax;
	private readonly StrategyParam<DataType> _candleType;

	private bool? _wasAbove;

	public decimal Acceleration { get => _acceleration.Value; set => _acceleration.Value = value; }
	public decimal AccelerationStep { get => _accelerationStep.Value; set => _accelerationStep.Value = value; }
	public decimal AccelerationMax { get => _accelerationMax.Value; set => _accelerationMax.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public ParabolicSarOrderStrategy()
	{
		_acceleration = Param(nameof(Acceleration), 0.02m)
			.SetGreaterThanZero()
			.SetDisplay("Acceleration", "Initial acceleration factor", "Indicators")
			.SetOptimize(0.01m, 0.05m, 0.01m);
		_accelerationStep = Param(nameof(AccelerationStep), 0.02m)
			.SetGreaterThanZero()
			.SetDisplay("Acceleration step", "Increment of the factor at each new extreme", "Indicators");
		_accelerationMax = Param(nameof(AccelerationMax), 0.2m)
			.SetGreaterThanZero()
			.SetDisplay("Acceleration max", "Cap of the acceleration factor", "Indicators");
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

		var sar = new ParabolicSar
		{
			Acceleration = Acceleration,
			AccelerationStep = AccelerationStep,
			AccelerationMax = AccelerationMax,
		};

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(sar, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawIndicator(area, sar);
			DrawOwnTrades(area);
		}
	}

	private void ProcessCandle(ICandleMessage candle, decimal sar)
	{
		if (candle.State != CandleStates.Finished)
			return;

		var isAbove = candle.ClosePrice > sar;

		if (_wasAbove is bool was && was != isAbove && IsFormedAndOnlineAndAllowTrading())
		{
			if (isAbove && Position <= 0)
				Send(Sides.Buy, Volume + Math.Abs(Position), "SAR flip up");
			else if (!isAbove && Position >= 0)
				Send(Sides.Sell, Volume + Math.Abs(Position), "SAR flip down");
		}

		_wasAbove = isAbove;
	}

	private void Send(Sides side, decimal volume, string comment)
	{
		var order = new Order
		{
			Security = Security,
			Portfolio = Portfolio,
			Side = side,
			Type = OrderTypes.Market,
			Volume = volume,
			Comment = comment,
		};

		RegisterOrder(order);
	}
}
