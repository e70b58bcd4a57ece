"""The StockSharp API layer (dotnet/src/StockSharp.Compat): StockSharp-style files run unmodified.

Independent paths: the same rule written in StockSharp's API and in the native engine API gives identical
fills; candles the layer builds equal pandas ``resample`` of the same data.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pystocksharp as pss
from pystocksharp.data import load_sample, sample_path
from pystocksharp.errors import InputError
from pystocksharp.optimization.runner import default_grid
from pystocksharp.resolver import resolve_strategy
from pystocksharp.synthetic import random_walk

ROOT = Path(__file__).resolve().parents[1]
SS = ROOT / "strategies" / "stocksharp"
GOOG = sample_path("GOOG_1d")


def _fills(result: pss.BacktestResult) -> pd.DataFrame:
    return result.trades[["time", "side", "price", "volume", "commission"]].reset_index(drop=True)


def test_sma_cross_in_stocksharp_api_equals_native_sma_cross() -> None:
    ss = pss.backtest(str(SS / "SmaCrossStrategy.cs"), GOOG, params={"Fast": 10, "Slow": 20}, commission=0.002)
    native = pss.backtest("sma_cross", GOOG, params={"fast": 10, "slow": 20, "volume": 1}, commission=0.002)
    pd.testing.assert_frame_equal(_fills(ss), _fills(native))
    assert ss.summary.final_equity == native.summary.final_equity
    assert round(ss.summary.final_equity, 2) == 11084.09
    assert len(ss.trades) == 94


def test_ema_cross_in_stocksharp_api_equals_native_ema_cross() -> None:
    ss = pss.backtest(str(SS / "EmaCrossStrategy.cs"), GOOG, params={"FastLength": 10, "SlowLength": 30}, commission=0.002)
    native = pss.backtest(str(ROOT / "strategies" / "EmaCrossFile.cs"), GOOG, params={"fast": 10, "slow": 30}, commission=0.002)
    pd.testing.assert_frame_equal(_fills(ss), _fills(native))
    assert round(ss.summary.final_equity, 2) == 10844.45
    assert len(ss.trades) == 48
    # the default CandleType (1 minute) is finer than the daily data: the data's candles are used, and said so
    assert ss.messages["notices"] == ["candle type 1m is finer than the data (1d): using the data's 1d candles"]


def test_python_twins_in_stocksharp_style_equal_their_csharp_strategies() -> None:
    sma_py = pss.backtest(str(SS / "py" / "sma_cross_strategy.py"), GOOG, params={"Fast": 10, "Slow": 20}, commission=0.002)
    native = pss.backtest("sma_cross", GOOG, params={"fast": 10, "slow": 20, "volume": 1}, commission=0.002)
    pd.testing.assert_frame_equal(_fills(sma_py), _fills(native))
    assert sma_py.strategy_kind == "stocksharp-python" and sma_py.strategy == "sma_cross_strategy"
    frame = random_walk(20_000, seed=3, freq="1min")
    ema_py = pss.backtest(str(SS / "py" / "ema_cross_strategy.py"), frame, params={"FastLength": 5, "SlowLength": 20})
    ema_cs = pss.backtest(str(SS / "EmaCrossStrategy.cs"), frame, params={"FastLength": 5, "SlowLength": 20})
    pd.testing.assert_frame_equal(_fills(ema_py), _fills(ema_cs))
    assert len(ema_cs.trades) > 500


def test_decimals_reach_python_as_exact_netdecimals() -> None:
    from pystocksharp.netdecimal import NetDecimal
    from pystocksharp.stocksharp import Strategy  # loads the layer and the codec

    assert Strategy.__name__ == "Strategy"
    from StockSharp.Messages import Unit, UnitTypes  # type: ignore[import-not-found]

    unit = Unit(2.5, UnitTypes.Percent)  # a Python float where .NET wants a decimal
    assert isinstance(unit.Value, NetDecimal) and unit.Value == NetDecimal("2.5")
    assert unit.Value + 0.1 == NetDecimal("2.6") and isinstance(unit.Value * 2, NetDecimal)
    assert float(unit.Value) == 2.5 and unit.Value > 2


def test_parameters_by_stocksharp_names_and_setoptimize_is_the_default_grid() -> None:
    resolved = resolve_strategy(str(SS / "SmaCrossStrategy.cs"))
    assert resolved.kind == "csharp-file"
    assert default_grid(resolved) == ["Fast=5:50:5", "Slow=20:200:10"]
    result = pss.backtest(resolved, GOOG, params={"Fast": 5, "CandleType": "1w"})
    assert result.parameters == {"Fast": 5, "Slow": 20, "CandleType": "1w"}
    assert result.messages["notices"] == ["building 1w candles from the 1d data"]
    with pytest.raises(InputError) as err:
        pss.backtest(resolved, GOOG, params={"Fast": 0})
    assert "Fast > 0" in str(err.value)


def test_a_candle_type_finer_than_the_data_given_explicitly_is_bad_input() -> None:
    with pytest.raises(InputError) as err:
        pss.backtest(str(SS / "SmaCrossStrategy.cs"), GOOG, params={"CandleType": "1h"})
    problem = err.value.problems[0]
    assert problem.field == "CandleType"
    assert "finer than the data's time frame 1d" in problem.message


_UNSUPPORTED = """
using System;
using StockSharp.Algo.Strategies;
using StockSharp.Messages;

public class UsesOrderBook : Strategy
{
    protected override void OnStarted2(DateTime time)
    {
        base.OnStarted2(time);
        SubscribeOrderBook(Security);
    }
}
"""


def test_a_member_the_layer_lacks_is_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "UsesOrderBook.cs"
    path.write_text(_UNSUPPORTED, encoding="utf-8")
    with pytest.raises(InputError) as err:
        resolve_strategy(str(path), cache_dir=tmp_path / "cache")
    messages = [p.message for p in err.value.problems]
    assert messages[0] == "error CS0103: StockSharp API member not supported yet: Strategy.SubscribeOrderBook"


_CANDLE_LOGGER = """
using System;
using StockSharp.Algo.Strategies;
using StockSharp.Messages;

public class CandleLogger : Strategy
{
    private readonly StrategyParam<DataType> _candleType;

    public CandleLogger()
    {
        _candleType = Param("CandleType", TimeSpan.FromMinutes(5).TimeFrame());
    }

    protected override void OnStarted2(DateTime time)
    {
        base.OnStarted2(time);
        SubscribeCandles(_candleType.Value).Bind(c =>
            LogInfo("{0:O} {1} {2} {3} {4} {5} {6:O}", c.OpenTime, c.OpenPrice, c.HighPrice, c.LowPrice, c.ClosePrice, c.TotalVolume, CurrentTime)).Start();
    }
}
"""


@pytest.mark.parametrize("timeframe", ["5m", "1h", "1d"])
def test_built_candles_equal_pandas_resample(tmp_path: Path, timeframe: str) -> None:
    path = tmp_path / "CandleLogger.cs"
    path.write_text(_CANDLE_LOGGER, encoding="utf-8")
    frame = random_walk(3 * 1440 + 17, seed=11, freq="1min").round(4)
    frame = frame.drop(frame.index[100:130])  # a 30-minute gap
    result = pss.backtest(str(path), frame, params={"CandleType": timeframe})
    rows = [line.split(" Info: ")[1].split() for line in result.messages["log"]]
    got = pd.DataFrame(
        [[pd.Timestamp(r[0]), *map(float, r[1:6]), pd.Timestamp(r[6])] for r in rows],
        columns=["time", "open", "high", "low", "close", "volume", "seen_at"],
    ).set_index("time")
    rule = {"5m": "5min", "1h": "1h", "1d": "1D"}[timeframe]
    expected = (
        frame.resample(rule, label="left", closed="left")
        .agg({"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"})
        .dropna()
    )
    last_bar = frame.index[-1] + pd.Timedelta(minutes=1)
    expected = expected[expected.index + pd.Timedelta(rule) <= last_bar]  # the unfinished last candle is never handed over
    got.index = got.index.tz_convert("UTC")
    expected.index = expected.index.tz_localize("UTC") if expected.index.tz is None else expected.index
    np.testing.assert_allclose(got[["open", "high", "low", "close", "volume"]].to_numpy(), expected.to_numpy(), rtol=1e-12)
    assert list(got.index) == list(expected.index)
    # never before the candle has closed: it is handed over at (or, after a gap, past) its close
    assert (got["seen_at"].dt.tz_convert("UTC") >= got.index + pd.Timedelta(rule)).all()
    if timeframe != "1d":
        assert re.match(r"building \d+[mhd] candles from the 1m data", result.messages["notices"][0])


_CANDLE_KEEPER = """
using System;
using System.Collections.Generic;
using StockSharp.Algo.Strategies;
using StockSharp.Messages;

public class CandleKeeper : Strategy
{
    private readonly List<ICandleMessage> _kept = new();
    private readonly StrategyParam<bool> _setClose;

    public CandleKeeper() { _setClose = Param("SetClose", false); }

    protected override void OnStarted2(DateTime time)
    {
        base.OnStarted2(time);
        SubscribeCandles(TimeSpan.FromDays(1).TimeFrame()).Bind(c =>
        {
            if (_setClose.Value) c.ClosePrice = 1m;
            _kept.Add(c);
        }).Start();
    }

    protected override void OnStopped()
    {
        foreach (var c in _kept) LogInfo("{0:O} {1} {2}", c.OpenTime, c.ClosePrice, c.State);
        base.OnStopped();
    }
}
"""


def test_candles_a_strategy_keeps_stay_those_of_their_bar_across_runs(tmp_path: Path) -> None:
    # the data's candles are shared read-only objects, one per bar: keeping them is safe, run after run
    path = tmp_path / "CandleKeeper.cs"
    path.write_text(_CANDLE_KEEPER, encoding="utf-8")
    frame = load_sample("GOOG_1d").frame.iloc[:300]
    for _ in range(2):
        result = pss.backtest(str(path), frame)
        rows = [line.split(" Info: ")[1].split() for line in result.messages["log"]]
        assert [pd.Timestamp(r[0]) for r in rows] == list(frame.index)
        assert [float(r[1]) for r in rows] == frame["close"].tolist()
        assert {r[2] for r in rows} == {"Finished"}


def test_setting_a_value_of_a_data_candle_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "CandleKeeper.cs"
    path.write_text(_CANDLE_KEEPER, encoding="utf-8")
    with pytest.raises(InputError) as err:
        pss.backtest(str(path), load_sample("GOOG_1d").frame.iloc[:50], params={"SetClose": True})
    assert err.value.problems[0].message.startswith(
        "StockSharp API member not supported yet: setting ICandleMessage.ClosePrice on a candle of the data"
    )


def test_strategy_with_protection_limit_orders_and_own_trades(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """
        using System;
        using StockSharp.Algo.Strategies;
        using StockSharp.BusinessEntities;
        using StockSharp.Messages;

        public class ProtectedDipBuyer : Strategy
        {
            private int _trades;
            protected override void OnStarted(DateTimeOffset time)
            {
                base.OnStarted(time);
                StartProtection(takeProfit: new Unit(5, UnitTypes.Percent), stopLoss: new Unit(3, UnitTypes.Percent));
                SubscribeCandles(TimeSpan.FromDays(1)).Bind(OnCandle).Start();
            }
            private void OnCandle(ICandleMessage candle)
            {
                if (Position != 0)
                    return;
                CancelActiveOrders();
                BuyLimit(Math.Round(candle.ClosePrice * 0.99m, 2), 10);
            }
            protected override void OnOwnTradeReceived(MyTrade trade)
            {
                base.OnOwnTradeReceived(trade);
                _trades++;
                LogInfo("{0} {1} {2} pos={3}", trade.Order.Side, trade.Trade.Volume, trade.Trade.Price, Position);
            }
        }
        """
    )
    path = tmp_path / "ProtectedDipBuyer.cs"
    path.write_text(source, encoding="utf-8")
    result = pss.backtest(str(path), GOOG, commission=0.001)
    trades = result.trades
    # entries are the limit orders, every exit is the protective stop or take-profit for the whole position
    assert (trades["volume"] == 10).all()
    assert list(trades["side"][:4]) == [1, -1, 1, -1]
    entries, exits = trades.iloc[0::2].reset_index(drop=True), trades.iloc[1::2].reset_index(drop=True)
    n = len(exits)
    move = exits["price"].to_numpy() / entries["price"].to_numpy()[:n] - 1
    assert np.all((move >= 0.05 - 1e-9) | (move <= -0.03 + 1e-9))
    assert len(result.messages["log"]) == len(trades)
    assert result.messages["log"][0].endswith("Buy 10 " + f"{entries['price'][0]:g}" + " pos=10")


_DECIMAL_IDIOMS = """
import clr
clr.AddReference("StockSharp.Algo.Strategies")
import System
from System import TimeSpan, Decimal
from StockSharp.Algo.Indicators import SimpleMovingAverage
from StockSharp.Algo.Strategies import Strategy

class decimal_idioms_strategy(Strategy):
    def OnStarted2(self, time):
        super(decimal_idioms_strategy, self).OnStarted2(time)
        self._sma = SimpleMovingAverage()
        self._sma.Length = 3
        self.SubscribeCandles(TimeSpan.FromDays(1)).Bind(self.process_candle).Start()

    def process_candle(self, candle):
        value = self._sma.Process(candle.ClosePrice, candle.OpenTime, True)
        if not value.IsFormed:
            return
        x = Decimal(candle.ClosePrice) - System.Decimal(float(value))   # a decimal of a decimal; float() of a value
        self.LogInfo("{0}", x)
"""


def test_stocksharp_python_decimal_idioms(tmp_path: Path) -> None:
    path = tmp_path / "decimal_idioms_strategy.py"
    path.write_text(_DECIMAL_IDIOMS, encoding="utf-8")
    result = pss.backtest(str(path), GOOG)
    closes = pd.read_csv(GOOG)["close"]
    expected = closes.iloc[2] - closes.iloc[0:3].mean()
    assert float(result.messages["log"][0].split(": ", 1)[1]) == pytest.approx(expected, rel=1e-12)
    assert len(result.messages["log"]) == len(closes) - 2
