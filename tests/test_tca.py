"""Transaction cost analysis: hand-worked fills, and the costs reconcile with gross minus net PnL to the cent."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pystocksharp import backtest
from pystocksharp.metrics.tca import reconcile, tca_summary
from pystocksharp.strategy import Strategy

ROOT = Path(__file__).resolve().parents[1]


class BuyThenSell(Strategy):
    def on_bar(self, index: int) -> None:
        if index == 0:
            self.buy_market(10)
        elif index == 2:
            self.sell_market(10)


def _bars() -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=4, freq="1D", tz="UTC")
    return pd.DataFrame({"open": [100.0, 101.0, 103.0, 104.0], "high": [102.0, 104.0, 105.0, 106.0],
                         "low": [99.0, 100.0, 102.0, 103.0], "close": [100.5, 103.0, 104.5, 105.0],
                         "volume": 1000.0}, index=index)  # fmt: skip


def test_a_hand_worked_round_trip() -> None:
    """Buy 10 decided at bar 0's close 100.5, filled at bar 1's open 101 + 2 steps (0.02) = 101.02; sell 10 decided at
    bar 2's close 104.5, filled at bar 3's open 104 - 0.02 = 103.98. Commission 0.1 % of the notional."""
    result = backtest(BuyThenSell(), _bars(), commission=0.001, slippage_steps=2)
    tca = result.tca
    assert tca["price"].tolist() == pytest.approx([101.02, 103.98])
    assert tca["reference_price"].tolist() == [101.0, 104.0]
    assert tca["decision_price"].tolist() == [100.5, 104.5]
    assert tca["arrival_price"].tolist() == [101.0, 104.0]
    assert tca["slippage"].tolist() == pytest.approx([0.2, 0.2])
    assert tca["commission"].tolist() == pytest.approx([1.0102, 1.0398])
    # shortfall vs decision: buy (101.02 - 100.5) * 10 + 1.0102; sell -(103.98 - 104.5) * 10 + 1.0398
    assert tca["shortfall_decision"].tolist() == pytest.approx([5.2 + 1.0102, 5.2 + 1.0398])
    assert tca["shortfall_arrival"].tolist() == pytest.approx([0.2 + 1.0102, 0.2 + 1.0398])
    assert tca["cost_bps"].tolist() == pytest.approx([(0.2 + 1.0102) / 1010.2 * 1e4, (0.2 + 1.0398) / 1039.8 * 1e4])
    summary = result.tca_summary()
    assert summary["cost"] == pytest.approx(0.4 + 2.05)
    # gross at the reference prices (104 - 101) * 10 = 30; net = 30 - 0.4 - 2.05
    assert result.summary.net_profit == pytest.approx(30 - 0.4 - 2.05)
    assert reconcile(tca, result.summary.net_profit, 0.0) == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize(
    ("strategy", "data", "params"),
    [
        ("sma_cross", "sample:GOOG_1d", {"fast": 10, "slow": 20, "volume": 10}),
        (str(ROOT / "strategies/stocksharp/HighLowStopStrategy.cs"), "sample:GOOG_1d", {}),
    ],
    ids=["sma_cross", "stops"],
)
def test_costs_reconcile_with_gross_minus_net_to_the_cent(strategy: str, data: str, params: dict) -> None:
    result = backtest(strategy, data, params=params, capital=100_000, commission=0.001, slippage=0.0005,
                      slippage_steps=1)  # fmt: skip
    tca = result.tca
    assert len(tca) > 50 and (tca["slippage"] > 0).all()
    last_close = float(result.ohlcv.frame["close"].iloc[-1])
    assert abs(reconcile(tca, result.summary.net_profit, result.summary.final_position * last_close)) < 0.01
    summary = tca_summary(tca)
    assert summary["commission"] == pytest.approx(result.summary.commission)


def test_several_instruments_use_each_symbols_bars() -> None:
    data = {"SPX": "sample:SPX_1d", "NDX": "sample:NASDAQ_1d"}
    result = backtest(str(ROOT / "strategies/PairsSpread.cs"), data, capital=100_000, commission=0.0005, slippage_steps=1)
    tca = result.tca
    assert set(tca["symbol"]) == {"SPX", "NDX"}
    ndx = tca[tca["symbol"] == "NDX"]
    opens = result.other_data[0].frame["open"].to_numpy()
    fills = result.trades[result.trades["symbol"] == "NDX"]
    assert ndx["arrival_price"].tolist() == opens[fills["bar"].to_numpy()].tolist()
    assert abs(reconcile(tca, result.summary.net_profit, 0.0)) < 0.01  # the pair ends flat


def test_cli_backtest_reports_the_trading_costs() -> None:
    import json

    from click.testing import CliRunner

    from pystocksharp.cli import main

    args = ["backtest", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--commission", "0.001", "--slippage-steps", "1"]
    out = CliRunner().invoke(main, [*args, "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    api = backtest("sma_cross", "sample:GOOG_1d", commission=0.001, slippage_steps=1).tca_summary()
    assert payload["tca"] == pytest.approx(api)
    assert payload["tca"]["commission"] == pytest.approx(payload["commission"])
    assert payload["tca"]["slippage"] == pytest.approx(0.01 * sum(1 if i == 0 else 2 for i in range(payload["fills"])))
    table = CliRunner().invoke(main, args)
    assert "trading costs" in table.output and "bps" in table.output
