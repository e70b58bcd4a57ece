"""pystocksharp.backtest and the backtest/doctor commands: settings, hand-worked fills, accounting, outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from pystocksharp.backtest import BacktestSettings, backtest
from pystocksharp.cli import main
from pystocksharp.cli.backtest import parse_params
from pystocksharp.data import load_ohlcv, sample_path
from pystocksharp.errors import InputError

SMA_PARAMS = {"fast": 10, "slow": 20, "volume": 10}

# four daily bars: open, high, low, close
BARS = pd.DataFrame(
    {
        "open": [10.0, 11.0, 12.0, 13.0],
        "high": [11.0, 12.0, 13.0, 14.0],
        "low": [9.0, 10.0, 11.0, 12.0],
        "close": [10.5, 11.5, 12.5, 13.5],
        "volume": [100.0, 100.0, 100.0, 100.0],
    },
    index=pd.DatetimeIndex(
        ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"], tz="UTC", name="timestamp"
    ),
)

BUY_AT_0_SELL_AT_2 = """
    from pystocksharp import Strategy


    class BuyTwoSellTwo(Strategy):
        def on_candle(self, candle):
            if candle.index == 0:
                self.buy_market(2)
            elif candle.index == 2:
                self.sell_market(2)
"""


@pytest.fixture
def buy_sell(tmp_path: Path) -> str:
    path = tmp_path / "buy_sell.py"
    path.write_text(textwrap.dedent(BUY_AT_0_SELL_AT_2), encoding="utf-8")
    return f"{path}:BuyTwoSellTwo"


# ---- settings ----------------------------------------------------------------------------------


def test_every_bad_setting_is_reported_before_anything_runs() -> None:
    with pytest.raises(InputError) as err:
        backtest(
            "no-such-strategy",
            "no-such-file.csv",
            capital=0,
            commission=-0.1,
            slippage=2,
            fill="open",
            leverage=float("nan"),
        )
    assert err.value.summary == "bad backtest settings"
    assert {p.field: p.message for p in err.value.problems} == {
        "capital": "must be > 0, got 0",
        "commission": "must be a fraction of notional in [0, 1) (0.002 = 0.2 %), got -0.1",
        "slippage": "must be a fraction of price in [0, 1), got 2",
        "fill": "must be one of next-open, close, got 'open'",
        "leverage": "must be a finite number, got nan",
    }


def test_settings_defaults() -> None:
    assert BacktestSettings.checked(**BacktestSettings().model_dump()) == BacktestSettings(
        capital=10_000,
        commission=0,
        commission_per_unit=0,
        min_commission=0,
        slippage=0,
        slippage_steps=0,
        fill="next-open",
        leverage=1,
    )


def test_settings_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        backtest("sma_cross", BARS, None, 10_000)  # type: ignore[misc]


@pytest.mark.engine
def test_unknown_and_bad_parameters_are_all_reported() -> None:
    with pytest.raises(InputError) as err:
        backtest("sma_cross_py", BARS, params={"fsat": 3, "slow": "x", "volume": -1})
    assert {p.field: p.message for p in err.value.problems} == {
        "fsat": "unknown parameter 'fsat' for strategy 'sma_cross_py'; known parameters: fast, slow, volume",
        "slow": "expected a whole number (Int32), got String 'x'",
        "volume": "value -1 outside the allowed range [1E-12, Infinity]",
    }
    with pytest.raises(InputError, match="known parameters: fast, slow, volume"):
        backtest("sma_cross_vec", BARS, params={"fsat": 3})


# ---- hand-worked fills -------------------------------------------------------------------------


@pytest.mark.engine
def test_hand_worked_market_orders_at_the_next_open(buy_sell: str) -> None:
    result = backtest(buy_sell, BARS, capital=1000, commission=0.01)
    # buy 2 placed at bar 0 fills at open[1] = 11; sell 2 placed at bar 2 fills at open[3] = 13
    assert result.trades[["bar", "side", "price", "volume"]].to_dict("records") == [
        {"bar": 1, "side": 1, "price": 11.0, "volume": 2.0},
        {"bar": 3, "side": -1, "price": 13.0, "volume": 2.0},
    ]
    # commissions 0.01 * 11 * 2 = 0.22 and 0.01 * 13 * 2 = 0.26
    assert list(result.trades["commission"]) == pytest.approx([0.22, 0.26])
    # cash: 1000 -> 1000 - 22 - 0.22 = 977.78 -> 977.78 + 26 - 0.26 = 1003.52
    assert list(result.equity["cash"]) == pytest.approx([1000.0, 977.78, 977.78, 1003.52])
    assert list(result.equity["position"]) == [0.0, 2.0, 2.0, 0.0]
    # equity = cash + position * close: 1000, 977.78 + 23 = 1000.78, 977.78 + 25 = 1002.78, 1003.52
    assert list(result.equity["equity"]) == pytest.approx([1000.0, 1000.78, 1002.78, 1003.52])
    s = result.summary
    assert (s.fills, s.round_trips, s.realized_pnl) == (2, 1, pytest.approx(4.0))  # 2 * (13 - 11)
    assert s.final_equity == pytest.approx(1003.52) and s.net_profit == pytest.approx(3.52)
    assert s.commission == pytest.approx(0.48)


@pytest.mark.engine
def test_hand_worked_fill_at_close(buy_sell: str) -> None:
    result = backtest(buy_sell, BARS, capital=1000, fill="close", slippage_steps=1)
    # close mode: the buy fills at close[0] = 10.5 + 1 step (0.01) = 10.51, the sell at close[2] - 0.01 = 12.49
    assert result.trades[["bar", "side", "price"]].to_dict("records") == [
        {"bar": 0, "side": 1, "price": pytest.approx(10.51)},
        {"bar": 2, "side": -1, "price": pytest.approx(12.49)},
    ]
    assert result.summary.final_equity == pytest.approx(1000 + 2 * (12.49 - 10.51))  # 1003.96
    assert result.settings.fill == "close"


# ---- accounting over the whole curve (GOOG, with costs) ----------------------------------------


@pytest.mark.engine
@pytest.mark.parametrize("strategy", ["sma_cross", "sma_cross_py"])
def test_accounting_identities_over_the_whole_curve(strategy: str) -> None:
    capital = 10_000.0
    result = backtest(
        strategy,
        sample_path("GOOG_1d"),
        params=SMA_PARAMS,
        capital=capital,
        commission=0.002,
        commission_per_unit=0.01,
        slippage=0.0005,
    )
    eq, tr = result.equity, result.trades
    assert len(eq) == 2148 and len(tr) == 94
    # equity == cash + position * close, every bar
    np.testing.assert_allclose(eq["equity"], eq["cash"] + eq["position"] * eq["close"], rtol=0, atol=1e-8)
    # cash rebuilt from the fills: capital - cumulative (side * price * volume + commission) up to each bar
    flows = (tr["side"] * tr["price"] * tr["volume"] + tr["commission"]).groupby(tr["bar"]).sum()
    cash = capital - flows.reindex(range(len(eq)), fill_value=0.0).cumsum()
    np.testing.assert_allclose(eq["cash"], cash, rtol=0, atol=1e-7)
    # position rebuilt from the fills
    position = (
        (tr["side"] * tr["volume"]).groupby(tr["bar"]).sum().reindex(range(len(eq)), fill_value=0.0).cumsum()
    )
    np.testing.assert_array_equal(eq["position"], position)
    # final equity == capital + realized + unrealized - commissions
    s = result.summary
    assert s.realized_pnl == pytest.approx(tr["realized_pnl"].sum(), abs=1e-8)
    assert s.commission == pytest.approx(tr["commission"].sum(), abs=1e-8)
    assert s.final_equity == pytest.approx(
        capital + s.realized_pnl + s.unrealized_pnl - s.commission, abs=1e-7
    )
    assert s.unrealized_pnl == eq["unrealized_pnl"].iloc[-1]
    # commission per fill = 0.002 * price * volume + 0.01 * volume
    np.testing.assert_allclose(
        tr["commission"], 0.002 * tr["price"] * tr["volume"] + 0.01 * tr["volume"], rtol=1e-12
    )
    # max drawdown: worst fall from the running peak (the peak starts at the capital)
    peak = np.maximum.accumulate(np.concatenate(([capital], eq["equity"].to_numpy())))[1:]
    assert s.max_drawdown == pytest.approx((eq["equity"] / peak - 1).min(), abs=1e-12)


@pytest.mark.engine
def test_result_metadata_and_parquet_round_trip(tmp_path: Path) -> None:
    data = load_ohlcv(sample_path("GOOG_1d"))
    result = backtest("sma_cross", data, params=SMA_PARAMS, commission=0.002)
    assert (result.strategy, result.symbol, result.timeframe, result.engine_version) == (
        "sma_cross",
        "GOOG",
        "1d",
        "0.1.0",
    )
    assert result.parameters == {"fast": 10, "slow": 20, "volume": 10.0}
    assert list(result.trades.columns[:6]) == ["time", "side", "price", "volume", "commission", "order_id"]
    assert list(result.equity.columns[:5]) == ["time", "close", "position", "cash", "equity"]
    assert set(result.orders["type"]) == {"market"} and set(result.orders["state"]) == {"filled"}
    written = result.to_parquet(tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["equity.parquet", "trades.parquet"]
    pd.testing.assert_frame_equal(pq.read_table(written["trades"]).to_pandas(), result.trades)
    pd.testing.assert_frame_equal(pq.read_table(written["equity"]).to_pandas(), result.equity)
    report = result.report()
    assert (report.bars, report.start, report.end) == (
        2148,
        "2004-08-19T00:00:00+00:00",
        "2013-03-01T00:00:00+00:00",
    )


@pytest.mark.engine
def test_backtest_is_callable_as_package_attribute_after_importing_the_module() -> None:
    import pystocksharp
    import pystocksharp.backtest as module

    direct = pystocksharp.backtest("sma_cross", BARS)
    via_module = module("sma_cross", BARS)
    assert direct.summary == via_module.summary


# ---- CLI ---------------------------------------------------------------------------------------


def test_parse_params_lists_every_malformed_item() -> None:
    assert parse_params(["fast=5", " slow = 30 "]) == {"fast": "5", "slow": "30"}
    with pytest.raises(InputError) as err:
        parse_params(["fast", "=3", "a=1", "a=2"])
    assert [p.message for p in err.value.problems] == [
        "expected NAME=VALUE, got 'fast'",
        "expected NAME=VALUE, got '=3'",
        "parameter 'a' given twice",
    ]


@pytest.mark.engine
def test_cli_backtest_json_and_out(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = [
        "backtest",
        "-s",
        "sma_cross_py",
        "-d",
        str(sample_path("GOOG_1d")),
        "-p",
        "fast=10",
        "-p",
        "slow=20",
        "-p",
        "volume=10",
    ]
    res = CliRunner().invoke(main, [*args, "--commission", "0.002", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    api = backtest("sma_cross", sample_path("GOOG_1d"), params=SMA_PARAMS, commission=0.002)
    assert payload["strategy"] == "sma_cross_py" and payload["parameters"] == {
        "fast": 10,
        "slow": 20,
        "volume": 10.0,
    }
    expected = {"fills": 94, "round_trips": 93, "engine_version": "0.1.0"}
    assert {k: payload[k] for k in expected} == expected
    for key in ("net_profit", "final_equity", "commission"):
        assert payload[key] == getattr(api.summary, key), key
    assert {k: payload["outputs"][k] for k in ("trades", "equity")} == {
        "trades": str(out / "trades.parquet"),
        "equity": str(out / "equity.parquet"),
    }
    assert pq.read_table(out / "trades.parquet").num_rows == 94


@pytest.mark.engine
def test_cli_backtest_table_output() -> None:
    res = CliRunner().invoke(main, ["backtest", "-s", "sma_cross", "-d", str(sample_path("GOOG_1d"))])
    assert res.exit_code == 0, res.output
    assert "final equity" in res.output and "round trips" in res.output


@pytest.mark.engine
def test_cli_backtest_bad_input_exits_2_listing_problems() -> None:
    res = CliRunner().invoke(
        main,
        [
            "backtest",
            "-s",
            "sma_cross",
            "-d",
            str(sample_path("GOOG_1d")),
            "-p",
            "fsat=3",
            "-p",
            "slow=x",
            "--json",
        ],
    )
    assert res.exit_code == 2
    payload = json.loads(res.output)
    assert payload["error"] == "bad_input" and len(payload["problems"]) == 2
    res = CliRunner().invoke(main, ["backtest", "-s", "nope", "-d", str(sample_path("GOOG_1d"))])
    assert res.exit_code == 2 and "unknown strategy 'nope'" in res.output


@pytest.mark.engine
def test_cli_doctor_json() -> None:
    res = CliRunner().invoke(main, ["doctor", "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["ok"] is True and payload["problems"] == []
    assert payload["python"]["ok"] and payload["dotnet"]["ok"] and payload["engine"]["ok"]
    assert payload["engine"]["version"] == "0.1.0"
    assert payload["dotnet"]["loaded_runtime"].startswith(".NET 10.")


def test_cli_doctor_reports_a_missing_engine(tmp_path: Path) -> None:
    env = {**os.environ, "PYSTOCKSHARP_ENGINE_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "pystocksharp.cli", "doctor", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 1
    payload = json.loads(proc.stdout)
    assert payload["ok"] is False and payload["engine"]["exists"] is False
    assert any("./scripts/setup.sh" in p for p in payload["problems"])


@pytest.mark.engine
def test_cli_strategy_exception_keeps_its_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text(
        "from pystocksharp import Strategy\n\n\nclass Broken(Strategy):\n    def on_candle(self, candle):\n        raise KeyError('bar %d' % candle.index)\n"
    )
    args = ["backtest", "-s", f"{path}:Broken", "-d", str(sample_path("GOOG_1d"))]
    res = CliRunner().invoke(main, [*args, "--json"])
    assert res.exit_code == 1
    payload = json.loads(res.output)
    assert (payload["error"], payload["message"]) == ("strategy_error", "KeyError: 'bar 0'")
    assert f'File "{path}", line 6, in on_candle\n' in "".join(payload["traceback"])
    res = CliRunner().invoke(main, args)  # without --json the exception itself propagates
    assert isinstance(res.exception, KeyError) and res.exit_code == 1
