"""Volume participation (partial fills, carried or cancelled) and square-root market impact through the Python API and
the CLI, against hand-worked values; the TCA still reconciles; bad values are refused before any work (exit 2)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp import backtest
from pystocksharp.cli import main
from pystocksharp.errors import InputError
from pystocksharp.metrics.tca import reconcile
from pystocksharp.strategy import Strategy

STRATEGY_FILE = '''
from pystocksharp.strategy import Strategy


class Buy250(Strategy):
    def on_bar(self, index):
        if index == 0:
            self.buy_market(250)
'''


class Buy250(Strategy):
    def on_bar(self, index: int) -> None:
        if index == 0:
            self.buy_market(250)


class RoundTrip(Strategy):
    """Buys 250 at bar 0, sells 250 at bar 4 (both filled 100 / 100 / 50 at 10 % of 1,000)."""

    def on_bar(self, index: int) -> None:
        if index == 0:
            self.buy_market(250)
        elif index == 4:
            self.sell_market(250)


def _bars(n: int = 4) -> pd.DataFrame:
    """Daily bars of volume 1,000; opens 10, 10.2, 10.5, 10.7, then 10.8, 11.0, 11.1, 11.2."""
    index = pd.date_range("2024-01-01", periods=n, freq="1D", tz="UTC")
    opens = [10.0, 10.2, 10.5, 10.7, 10.8, 11.0, 11.1, 11.2][:n]
    return pd.DataFrame({"open": opens, "high": [o + 0.4 for o in opens], "low": [o - 0.2 for o in opens],
                         "close": [o + 0.2 for o in opens], "volume": 1000.0}, index=index)  # fmt: skip


def test_carry_fills_ten_percent_of_each_bar_at_the_opens() -> None:
    # 250 at 10 % of 1,000 a bar: 100 at 10.2, 100 at 10.5, 50 at 10.7; commission 0.1 % of each fill's notional
    result = backtest(Buy250(), _bars(), participation=0.1, commission=0.001)
    trades = result.trades
    assert trades["volume"].tolist() == [100.0, 100.0, 50.0]
    assert trades["price"].tolist() == [10.2, 10.5, 10.7]
    assert trades["bar"].tolist() == [1, 2, 3]
    assert trades["order_id"].nunique() == 1
    assert trades["commission"].tolist() == pytest.approx([1.02, 1.05, 0.535])
    order = result.orders.iloc[0]
    assert (order["state"], order["done_bar"], order["volume"]) == ("filled", 3, 250.0)
    assert order["fill_price"] == pytest.approx(2605 / 250)  # (1020 + 1050 + 535) / 250 = 10.42
    assert result.equity["position"].tolist() == [0.0, 100.0, 200.0, 250.0]
    assert result.summary.fills == 3 and result.summary.orders == 1
    assert result.summary.final_equity == pytest.approx(10_000 - 2605 - 2.605 + 250 * 10.9)


def test_cancel_fills_one_bars_share_and_cancels_the_rest() -> None:
    result = backtest(Buy250(), _bars(), participation=0.1, participation_remainder="cancel")
    assert result.trades["volume"].tolist() == [100.0]
    assert result.trades["price"].tolist() == [10.2]
    order = result.orders.iloc[0]
    assert (order["state"], order["done_bar"], order["fill_price"]) == ("cancelled", 1, 10.2)
    assert result.equity["position"].tolist() == [0.0, 100.0, 100.0, 100.0]


def test_square_root_impact_by_hand() -> None:
    # bar 1: high - low = 0.6, close 10.4: sigma = 0.6 / 10.4; a fill of 100 of 1,000: sqrt(0.1); k = 0.5;
    # the open 10.2 moves up by 10.2 * 0.5 * sigma * sqrt(0.1) plus one price step (0.01)
    result = backtest(Buy250(), _bars(), participation=0.1, impact=0.5, slippage_steps=1)
    sigma = [0.6 / 10.4, 0.6 / 10.7, 0.6 / 10.9]
    share = [0.1, 0.1, 0.05]
    expected = [o + o * 0.5 * s * math.sqrt(q) + 0.01 for o, s, q in zip([10.2, 10.5, 10.7], sigma, share, strict=True)]
    assert result.trades["price"].tolist() == pytest.approx(expected, abs=1e-12)
    assert expected[0] == pytest.approx(10.2 + 0.093043939 + 0.01, abs=1e-8)  # 10.2 * 0.5 * 0.0576923 * 0.3162278
    tca = result.tca
    assert tca["reference_price"].tolist() == [10.2, 10.5, 10.7]
    assert tca["slippage"].tolist() == pytest.approx(
        [(p - o) * v for p, o, v in zip(expected, [10.2, 10.5, 10.7], [100, 100, 50], strict=True)]
    )


def test_tca_reconciles_with_partial_fills_and_impact_by_hand() -> None:
    result = backtest(RoundTrip(), _bars(8), participation=0.1, impact=0.5, commission=0.001, slippage_steps=2)
    tca = result.tca
    assert tca["volume"].tolist() == [100.0, 100.0, 50.0, 100.0, 100.0, 50.0]
    assert tca["side"].tolist() == [1, 1, 1, -1, -1, -1]
    assert result.summary.final_position == 0.0
    assert (tca["slippage"] > 0).all()
    # gross at the reference prices (the opens): sells 100 * 11.0 + 100 * 11.1 + 50 * 11.2 - buys 2605 = 165
    assert result.summary.net_profit == pytest.approx(165 - tca["cost"].sum(), abs=1e-9)
    assert abs(reconcile(tca, result.summary.net_profit, 0.0)) < 0.01
    assert result.summary.round_trips == 3  # FIFO pairs: (100, 100), (100, 100), (50, 50)


@pytest.mark.parametrize("remainder", ["carry", "cancel"])
def test_tca_reconciles_on_the_sample_with_partial_fills(remainder: str) -> None:
    # GOOG's daily volume is 0.84M .. 41M shares: 2e-6 of it is 1 .. 82 shares a bar, so orders of 10 (20 on a flip)
    # are often split
    result = backtest("sma_cross", "sample:GOOG_1d", params={"fast": 10, "slow": 20, "volume": 10}, capital=100_000,
                      commission=0.001, slippage=0.0005, slippage_steps=1, participation=2e-6,
                      participation_remainder=remainder, impact=0.5)  # fmt: skip
    tca = result.tca
    assert len(tca) > 50 and (tca["slippage"] > 0).all()
    if remainder == "carry":
        assert result.summary.fills > result.summary.orders
        assert (result.trades.groupby("order_id").size() > 1).any()
    else:
        assert (result.orders["state"] == "cancelled").sum() > 10
    last_close = float(result.ohlcv.frame["close"].iloc[-1])
    assert abs(reconcile(tca, result.summary.net_profit, result.summary.final_position * last_close)) < 0.01
    assert tca["commission"].sum() == pytest.approx(result.summary.commission)


def test_bad_values_are_input_errors_naming_the_setting() -> None:
    with pytest.raises(InputError) as err:
        backtest(Buy250(), "no/such/file.csv", participation=0, impact=-1, participation_remainder="later")  # type: ignore[arg-type]
    assert {p.field: p.message for p in err.value.problems} == {
        "participation": "must be a fraction of bar volume in (0, 1] (0.1 = 10 %), got 0",
        "impact": "must be >= 0, got -1",
        "participation_remainder": "must be one of carry, cancel, got 'later'",
    }
    with pytest.raises(InputError) as err:
        backtest(Buy250(), _bars(), participation=1.5)
    assert [p.field for p in err.value.problems] == ["participation"]
    with pytest.raises(InputError) as err:
        backtest(Buy250(), _bars(), participation_remainder="cancel")
    assert [p.field for p in err.value.problems] == ["participation_remainder"]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "bars.csv"
    frame = _bars().reset_index(names="timestamp")
    frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%d")
    frame.to_csv(data, index=False)
    strategy = tmp_path / "buy250.py"
    strategy.write_text(STRATEGY_FILE)
    return data, strategy


def test_cli_carry_and_cancel(files: tuple[Path, Path]) -> None:
    data, strategy = files
    base = ["backtest", "-s", f"{strategy}:Buy250", "-d", str(data), "--participation", "0.1", "--json"]
    carry = CliRunner().invoke(main, base)
    assert carry.exit_code == 0, carry.output
    payload = json.loads(carry.output)
    assert (payload["fills"], payload["final_position"]) == (3, 250.0)
    assert payload["settings"]["participation"] == 0.1 and payload["settings"]["participation_remainder"] == "carry"
    cancel = CliRunner().invoke(main, [*base, "--participation-remainder", "cancel"])
    assert cancel.exit_code == 0, cancel.output
    assert (json.loads(cancel.output)["fills"], json.loads(cancel.output)["final_position"]) == (1, 100.0)
    impact = CliRunner().invoke(main, [*base, "--impact", "0.5"])
    api = backtest(Buy250(), _bars(), participation=0.1, impact=0.5)
    assert json.loads(impact.output)["final_equity"] == pytest.approx(api.summary.final_equity, abs=1e-9)
    assert json.loads(impact.output)["tca"]["slippage"] == pytest.approx(api.tca_summary()["slippage"])


def test_cli_run_folder_replays_participation_and_impact(files: tuple[Path, Path], tmp_path: Path) -> None:
    data, strategy = files
    out = tmp_path / "run"
    args = ["backtest", "-s", f"{strategy}:Buy250", "-d", str(data), "--participation", "0.1",
            "--participation-remainder", "cancel", "--impact", "0.5", "--out", str(out), "--no-report", "--json"]  # fmt: skip
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    config = json.loads((out / "strategy-config.json").read_text())
    assert {k: config["emulation"][k] for k in ("participation", "participation_remainder", "impact")} == {
        "participation": 0.1, "participation_remainder": "cancel", "impact": 0.5}  # fmt: skip
    again = CliRunner().invoke(main, ["backtest", "--config", str(out / "strategy-config.json"), "--json"])
    assert again.exit_code == 0, again.output
    a, b = json.loads(first.output), json.loads(again.output)
    assert a["fills"] == 1 and a["final_position"] == 100.0
    assert (b["fills"], b["final_position"], b["final_equity"]) == (a["fills"], a["final_position"], a["final_equity"])
    clash = CliRunner().invoke(main, ["backtest", "--config", str(out / "strategy-config.json"), "--impact", "1"])
    assert clash.exit_code == 2 and "--impact" in clash.output


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--participation", "0", "participation"),
        ("--participation", "-0.1", "participation"),
        ("--participation", "1.5", "participation"),
        ("--impact", "-1", "impact"),
    ],
)
def test_cli_bad_values_exit_2_before_any_work(tmp_path: Path, option: str, value: str, says: str) -> None:
    out = tmp_path / "run"
    # a data file that does not exist: the settings are refused before anything is loaded
    res = CliRunner().invoke(main, ["backtest", "-s", "sma_cross", "-d", str(tmp_path / "missing.csv"), option, value,
                                    "--out", str(out), "--json"])  # fmt: skip
    assert res.exit_code == 2, res.output
    payload = json.loads(res.output)
    assert payload["error"] == "bad_input"
    assert len(payload["problems"]) == 1 and f"field '{says}'" in payload["problems"][0]
    assert not out.exists()
    remainder = CliRunner().invoke(main, ["backtest", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--participation-remainder", "later"])
    assert remainder.exit_code == 2 and "--participation-remainder" in remainder.output


def test_stocksharp_layer_strategy_with_partial_fills_reconciles() -> None:
    # StockSharp's API on the layer: orders filled in parts reach it as fills of an order still active
    strategy = str(Path(__file__).resolve().parents[1] / "strategies/stocksharp/EmaCrossStrategy.cs")
    plain = backtest(strategy, "sample:GOOG_1d", capital=100_000, commission=0.001)
    split = backtest(strategy, "sample:GOOG_1d", capital=100_000, commission=0.001, participation=2e-7, impact=0.5)
    assert split.summary.fills > plain.summary.fills
    assert (split.trades.groupby("order_id").size() > 1).any()
    last_close = float(split.ohlcv.frame["close"].iloc[-1])
    assert abs(reconcile(split.tca, split.summary.net_profit, split.summary.final_position * last_close)) < 0.01
