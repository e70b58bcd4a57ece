"""Per-symbol attribution: a hand-worked flip, the pairs run's symbols adding up to the engine's portfolio numbers to
the cent, the long/short split agreeing with the FIFO round trips, and the correlation against numpy's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp import backtest
from pystocksharp.cli import main
from pystocksharp.metrics import round_trips_frame
from pystocksharp.metrics.attribution import (
    ATTRIBUTION_COLUMNS,
    Attribution,
    closes_of_backtest,
    symbol_pnl,
)
from pystocksharp.strategy import Strategy

ROOT = Path(__file__).resolve().parents[1]
DATA = {"SPX": "sample:SPX_1d", "NDX": "sample:NASDAQ_1d"}
PAIRS = {"lookback": 40, "entry": 1.5, "exit": 0.25}
COSTS = {"capital": 100_000.0, "commission": 0.0005, "slippage_steps": 1.0}


class BuyThenFlip(Strategy):
    def on_bar(self, index: int) -> None:
        if index == 0:
            self.buy_market(10)
        elif index == 2:
            self.sell_market(20)


def _bars() -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=4, freq="1D", tz="UTC")
    return pd.DataFrame({"open": [100.0, 101.0, 103.0, 104.0], "high": [102.0, 104.0, 105.0, 106.0],
                         "low": [99.0, 100.0, 102.0, 103.0], "close": [100.5, 103.0, 104.5, 105.0],
                         "volume": 1000.0}, index=index)  # fmt: skip


@pytest.fixture(scope="module")
def pairs():
    return backtest(str(ROOT / "strategies/PairsSpread.cs"), DATA, params=PAIRS, **COSTS)


def test_a_hand_worked_flip_splits_into_long_and_short() -> None:
    """Buy 10 filled at bar 1's open 101; sell 20 filled at bar 3's open 104: 10 close the long, 10 open a short
    marked at the last close 105. Commission 0.1 %: 1.01 on the buy, 2.08 on the sell (half each side).
    Long: (104 - 101) * 10 - 1.01 - 1.04 = 27.95; short: (104 - 105) * 10 - 1.04 = -11.04."""
    result = backtest(BuyThenFlip(), _bars(), commission=0.001)
    row = result.attribution.iloc[0]
    assert list(result.attribution.columns) == list(ATTRIBUTION_COLUMNS)
    assert row["long_net_profit"] == pytest.approx(27.95)
    assert row["short_net_profit"] == pytest.approx(-11.04)
    assert row["net_profit"] == pytest.approx(16.91)
    assert row["realized_pnl"] == pytest.approx(30.0)
    assert row["unrealized_pnl"] == pytest.approx(-10.0)
    assert row["commission"] == pytest.approx(3.09)
    assert (row["fills"], row["round_trips"], row["long_round_trips"], row["short_round_trips"]) == (
        2,
        1,
        1,
        0,
    )
    assert row["exposure_time"] == pytest.approx(3 / 4)  # long after bars 1, 2, short after bar 3
    assert row["notional"] == pytest.approx(1010 + 2080)
    # per bar: 0, long 10 x (103 - 101) - 1.01, 10 x (104.5 - 103), then -5 closing and -10 opening - 2.08
    per_bar = symbol_pnl(result.equity, result.trades, result.positions, closes_of_backtest(result))
    assert per_bar.iloc[:, 0].tolist() == pytest.approx([0.0, 18.99, 15.0, -17.08])
    assert result.summary.net_profit == pytest.approx(16.91)


def test_the_symbols_add_up_to_the_portfolio_to_the_cent(pairs) -> None:
    frame = pairs.attribution
    summary = pairs.summary
    assert frame["symbol"].tolist() == ["SPX", "NDX"]
    assert abs(frame["net_profit"].sum() - summary.net_profit) < 0.005
    assert abs(frame["commission"].sum() - summary.commission) < 0.005
    assert abs(frame["realized_pnl"].sum() - summary.realized_pnl) < 0.005
    assert frame["fills"].sum() == summary.fills and frame["round_trips"].sum() == summary.round_trips
    assert frame["slippage"].sum() == pytest.approx(pairs.tca_summary()["slippage"])
    np.testing.assert_allclose(
        frame["long_net_profit"] + frame["short_net_profit"], frame["net_profit"], atol=1e-6
    )
    # per bar, the symbols' PnL is the change of the engine's equity
    per_bar = symbol_pnl(pairs.equity, pairs.trades, pairs.positions, closes_of_backtest(pairs))
    change = np.diff(pairs.equity["equity"].to_numpy(), prepend=summary.initial_capital)
    np.testing.assert_allclose(per_bar.sum(axis=1).to_numpy(), change, atol=1e-6)


def test_flat_at_the_end_the_side_split_is_the_round_trips(pairs) -> None:
    """Marked to market, the long and short PnL of a symbol flat at the end are its FIFO round trips' by side."""
    assert pairs.summary.final_position == 0
    for row in pairs.attribution.itertuples():
        fills = (
            pairs.trades[pairs.trades["symbol"] == row.symbol].drop(columns="symbol").reset_index(drop=True)
        )
        trips = round_trips_frame(fills)
        by_side = trips.groupby("side")["pnl"].sum()
        assert row.long_net_profit == pytest.approx(by_side["long"], abs=1e-6)
        assert row.short_net_profit == pytest.approx(by_side["short"], abs=1e-6)
        assert (row.long_round_trips, row.short_round_trips) == (
            int((trips["side"] == "long").sum()),
            int((trips["side"] == "short").sum()),
        )
        notional = float((fills["price"] * fills["volume"]).sum())
        assert row.turnover == pytest.approx(notional / pairs.equity["equity"].mean())
        held = pairs.positions[row.symbol].to_numpy()
        close = pairs.other_data[0].frame["close"] if row.symbol == "NDX" else pairs.ohlcv.frame["close"]
        marks = close.reindex(pd.DatetimeIndex(pairs.equity["time"]), method="ffill").to_numpy()
        assert row.gross_exposure == pytest.approx(
            np.mean(np.abs(held) * marks / pairs.equity["equity"].to_numpy())
        )
    # the pairs strategy always holds both legs at once: equal exposure time, and volume 1 vs 2 units
    assert pairs.attribution["exposure_time"].nunique() == 1
    assert pairs.attribution["exposure_time"].iloc[0] == pytest.approx(np.mean(pairs.positions["SPX"] != 0))


def test_correlation_is_numpys_on_the_per_bar_pnl(pairs) -> None:
    per_bar = symbol_pnl(pairs.equity, pairs.trades, pairs.positions, closes_of_backtest(pairs))
    expected = np.corrcoef(per_bar.to_numpy().T)
    np.testing.assert_allclose(pairs.correlation.to_numpy(), expected, atol=1e-12)
    assert pairs.correlation.loc["SPX", "NDX"] < -0.5  # short one leg, long the other


def test_one_symbol_one_row_against_the_engine_summary() -> None:
    run = backtest("sma_cross", "sample:GOOG_1d", params={"fast": 10, "slow": 20, "volume": 10}, commission=0.002,
                   slippage=0.0005)  # fmt: skip
    assert run.summary.final_position != 0  # an open position at the end: unrealized PnL is the engine's
    frame = run.attribution
    assert frame["symbol"].tolist() == ["GOOG"]
    row = frame.iloc[0]
    assert abs(row["net_profit"] - run.summary.net_profit) < 0.005
    assert abs(row["unrealized_pnl"] - run.summary.unrealized_pnl) < 0.005
    assert row["realized_pnl"] == pytest.approx(run.summary.realized_pnl)
    assert row["slippage"] == pytest.approx(run.tca_summary()["slippage"])
    assert row["exposure_time"] == pytest.approx(run.metrics().exposure_time)
    assert run.correlation.to_numpy().tolist() == [[1.0]]
    model = Attribution.model_validate_json(run.attribution_report().model_dump_json())
    assert model.symbols[0].net_profit == pytest.approx(run.summary.net_profit)
    assert model.correlation.values == [[1.0]]


def test_cli_json_has_the_attribution(tmp_path: Path) -> None:
    args = ["backtest", "-s", str(ROOT / "strategies/PairsSpread.cs"), "--data", "SPX=sample:SPX_1d", "--data",
            "NDX=sample:NASDAQ_1d", "-p", "lookback=40", "-p", "entry=1.5", "-p", "exit=0.25", "--capital", "100000",
            "--commission", "0.0005", "--slippage-steps", "1", "--json"]  # fmt: skip
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    model = Attribution.model_validate(payload["attribution"])
    assert [s.symbol for s in model.symbols] == ["SPX", "NDX"]
    assert abs(sum(s.net_profit for s in model.symbols) - payload["net_profit"]) < 0.005
    assert model.correlation.symbols == ["SPX", "NDX"] and model.correlation.values[0][0] == pytest.approx(
        1.0
    )
