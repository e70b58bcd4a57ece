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
/// Money flow index reversal with its own trade journal: long when the MFI is below the low level, short when above
/// the high level; a position is closed when the MFI crosses 50 or the close moves a loss of <see cref="MaxLossPercent"/>
/// away from the entry price, which the strategy tracks itself from its fills (<c>OnOwnTradeReceived</c>).
/// </summary>
public class MfiTradeJournalStrategy : Strategy
{
	private readonly StrategyParam<int> _mfiLength;
	private readonly StrategyParam<decimal> _lowLevel;
	private readonly StrategyParam<decimal> _highLevel;
	private readonly StrategyParam<decimal> _maxLossPercent;
	private readonly StrategyParam<DataType> _candleType;

	private decimal _entryPrice;
	private decimal _position;
	private int _fills;
	private decimal _boughtVolume;
	private decimal _soldVolume;

	public int MfiLength { get => _mfiLength.Value; set => _mfiLength.Value = value; }
	public decimal LowLevel { get => _lowLevel.Value; set => _lowLevel.Value = value; }
	public decimal HighLevel { get => _highLevel.Value; set => _highLevel.Value = value; }
	public decimal MaxLossPercent { get => _maxLossPercent.Value; set => _maxLossPercent.Value = value; }
	public DataType CandleType { get => _candleType.Value; set => _candleType.Value = value; }

	public MfiTradeJournalStrategy()
	{
		_mfiLength = Param(nameof(MfiLength), 14)
			.SetGreaterThanZero()
			.SetDisplay("MFI length", "Money flow index length", "Indicators")
			.SetOptimize(7, 28, 7);
		_lowLevel = Param(nameof(LowLevel), 25m)
			.SetGreaterThanZero()
			.SetDisplay("Low level", "MFI level under which the strategy buys", "Signals");
		_highLevel = Param(nameof(HighLevel), 75m)
			.SetGreaterThanZero()
			.SetDisplay("High level", "MFI level over which the strategy sells", "Signals");
		_maxLossPercent = Param(nameof(MaxLossPercent), 2m)
			.SetGreaterThanZero()
			.SetDisplay("Max loss %", "Adverse move from the entry price that closes the position", "Risk");
		_candleType = Param(nameof(CandleType), TimeSpan.FromMinutes(5).TimeFrame())
			.SetDisplay("Candle type", "Candles to trade on", "General");
	}

	public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, CandleType)];

	protected override void OnReseted()
	{
		base.OnReseted();
		_entryPrice = 0;
		_position = 0;
		_fills = 0;
		_boughtVolume = 0;
		_soldVolume = 0;
	}

	protected override void OnStarted2(DateTime time)
	{
		base.OnStarted2(time);

		var mfi = new MoneyFlowIndex { Length = MfiLength };

		var subscription = SubscribeCandles(CandleType);
		subscription.Bind(mfi, ProcessCandle).Start();

		var area = CreateChartArea();
		if (area != null)
		{
			DrawCandles(area, subscription);
			DrawOwnTrades(area);
			DrawIndicator(CreateChartArea(), mfi);
		}
	}

	protected override void OnOwnTradeReceived(MyTrade trade)
	{
		base.OnOwnTradeReceived(trade);

		var volume = trade.Trade.Volume;
		var signed = trade.Order.Side == Sides.Buy ? volume : -volume;
		var before = _position;
		_position += signed;
		_fills++;

		if (trade.Order.Side == Sides.Buy)
			_boughtVolume += volume;
		else
			_soldVolume += volume;

		// a fill that opens or flips the position sets a new entry price
		if (_position != 0 && (before == 0 || Math.Sign(before) != Math.Sign(_position)))
			_entryPrice = trade.Trade.Price;
		else if (_position == 0)
			_entryPrice = 0;
	}

	protected override void OnStopped()
	{
		LogInfo("fills {0}, bought {1}, sold {2}", _fills, _boughtVolume, _soldVolume);
		base.OnStopped();
	}

	private void ProcessCandle(ICandleMessage candle, decimal mfi)
	{
		if (candle.State != CandleStates.Finished || !IsFormedAndOnlineAndAllowTrading())
			return;

		var close = candle.ClosePrice;
		var maxLoss = _entryPrice * MaxLossPercent / 100m;

		if (_position > 0)
		{
			if (mfi > 50m || close < _entryPrice - maxLoss)
				SellMarket(_position);
		}
		else if (_position < 0)
		{
			if (mfi < 50m || close > _entryPrice + maxLoss)
				BuyMarket(-_position);
		}
		else if (mfi < LowLevel)
		{
			BuyMarket(Volume);
		}
		else if (mfi > HighLevel)
		{
			SellMarket(Volume);
		}
	}
}
