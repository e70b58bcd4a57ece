"""StockSharp's API with two securities: ``Param<Security>``, ``SubscribeCandles(dt, security: …)``,
``BuyMarket(volume, security)``, ``GetPositionValue(security, …)``, ``ClosePosition(security)``, in C# and in
StockSharp's Python style (``strategies/stocksharp-multi/``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp import backtest
from pystocksharp.cli import main
from pystocksharp.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
CS = str(ROOT / "strategies/stocksharp-multi/RatioPairsStrategy.cs")
PY = str(ROOT / "strategies/stocksharp-multi/ratio_pairs_strategy.py")
DATA = {"SPX": "sample:SPX_1d", "NDX": "sample:NASDAQ_1d"}


def _bars(opens: list[float], closes: list[float]) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=len(closes), freq="1D", tz="UTC")
    return pd.DataFrame(
        {"open": opens, "high": [max(o, c) + 1 for o, c in zip(opens, closes, strict=True)],
         "low": [min(o, c) - 1 for o, c in zip(opens, closes, strict=True)], "close": closes, "volume": 1000.0},
        index=index,
    )  # fmt: skip


@pytest.mark.parametrize("spec", [CS, PY], ids=["cs", "py"])
def test_a_hand_worked_pair(spec: str) -> None:
    """Length 2, band 1 %: A's close jumps to 110 against B's constant 50 (ratio 2.2 vs mean 2.1: +4.8 %) -> sell A,
    buy B at bar 3's open; back to 100 (-4.8 %) -> buy 2 A, sell 2 B at bar 4's open; then ratio 2 = its mean ->
    close both at bar 5's open."""
    a = _bars([100, 100, 101, 109, 99, 100], [100, 100, 110, 100, 100, 100])
    b = _bars([50] * 6, [50] * 6)
    result = backtest(spec, {"A": a, "B": b},
                      params={"SecondSecurity": "B", "Length": 2, "Deviation": 1, "CandleType": "1d"})  # fmt: skip
    fills = result.trades[["bar", "symbol", "side", "volume", "price"]].to_dict("records")
    assert fills == [
        {"bar": 3, "symbol": "A", "side": -1, "volume": 1.0, "price": 109.0},
        {"bar": 3, "symbol": "B", "side": 1, "volume": 1.0, "price": 50.0},
        {"bar": 4, "symbol": "A", "side": 1, "volume": 2.0, "price": 99.0},
        {"bar": 4, "symbol": "B", "side": -1, "volume": 2.0, "price": 50.0},
        {"bar": 5, "symbol": "A", "side": -1, "volume": 1.0, "price": 100.0},
        {"bar": 5, "symbol": "B", "side": 1, "volume": 1.0, "price": 50.0},
    ]
    assert result.summary.net_profit == pytest.approx((109 - 99) * 1 + (100 - 99) * 1)  # A: +10, +1; B: flat at 50


def test_the_csharp_and_python_twins_trade_spx_against_nasdaq_identically() -> None:
    params = {"SecondSecurity": "NDX", "TradeVolume": 2, "CandleType": "1d"}
    cs = backtest(CS, DATA, params=params, capital=100_000, commission=0.0005)
    py = backtest(PY, DATA, params=params, capital=100_000, commission=0.0005)
    assert len(cs.trades) > 100
    assert set(cs.trades["symbol"]) == {"SPX", "NDX"}
    pd.testing.assert_frame_equal(cs.trades, py.trades)
    pd.testing.assert_frame_equal(cs.positions, py.positions)
    assert cs.summary == py.summary
    assert cs.parameters["SecondSecurity"] == "NDX"


def test_a_second_security_missing_from_the_data_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        backtest(CS, DATA, params={"SecondSecurity": "DAX", "CandleType": "1d"})
    text = " ".join(p.message for p in err.value.problems)
    assert "security DAX is not in the run's data (it has SPX, NDX)" in text
    assert "--data DAX=FILE" in text
    res = CliRunner().invoke(main, ["backtest", "-s", CS, "--data", "SPX=sample:SPX_1d", "-p", "SecondSecurity=NDX",
                                    "-p", "CandleType=1d"])  # fmt: skip
    assert res.exit_code == 2
    assert "security NDX is not in the run's data (it has SPX)" in res.output


def test_without_the_second_security_the_strategy_logs_and_stops() -> None:
    result = backtest(CS, DATA, params={"CandleType": "1d"})
    assert len(result.trades) == 0
    assert any("SecondSecurity is not set" in line for line in result.messages["log"])
