"""Several instruments in one strategy: the pairs twins (C# and Python) on SPX_1d + NASDAQ_1d give identical
fills, the portfolio's accounting holds per symbol on every row (recomputed from the fills and the data), and
the CLI takes ``--data SYMBOL=FILE`` repeatedly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp import backtest
from pystocksharp.cli import main
from pystocksharp.data import load_ohlcv
from pystocksharp.errors import InputError
from pystocksharp.metrics import round_trips_frame
from pystocksharp.strategy import Strategy

ROOT = Path(__file__).resolve().parents[1]
DATA = {"SPX": "sample:SPX_1d", "NDX": "sample:NASDAQ_1d"}
COSTS = {"capital": 100_000.0, "commission": 0.0005, "slippage_steps": 1.0}
PARAMS = {"lookback": 40, "entry": 1.5, "exit": 0.25}


@pytest.fixture(scope="module")
def twins() -> tuple:
    cs = backtest(str(ROOT / "strategies/PairsSpread.cs"), DATA, params=PARAMS, **COSTS)
    py = backtest(str(ROOT / "strategies/pairs_spread.py") + ":PairsSpread", DATA, params=PARAMS, **COSTS)
    return cs, py


def test_the_csharp_and_python_pairs_strategies_give_identical_fills(twins: tuple) -> None:
    cs, py = twins
    assert len(cs.trades) > 100
    assert set(cs.trades["symbol"]) == {"SPX", "NDX"}
    pd.testing.assert_frame_equal(cs.trades, py.trades)
    pd.testing.assert_frame_equal(cs.equity, py.equity)
    pd.testing.assert_frame_equal(cs.positions, py.positions)
    assert cs.summary == py.summary


def test_accounting_per_symbol_and_for_the_portfolio_on_every_row(twins: tuple) -> None:
    """equity[t] == capital + Σ_symbol (cash flow of its fills up to t + position[t] × its last close at t)."""
    result, _ = twins
    equity, positions, fills = result.equity, result.positions, result.trades
    total = pd.Series(COSTS["capital"], index=equity.index)
    for symbol, source in DATA.items():
        closes = load_ohlcv(source).frame["close"]
        last_close = closes.reindex(pd.DatetimeIndex(equity["time"]), method="ffill").to_numpy()
        own = fills[fills["symbol"] == symbol]
        flow = -(own["side"] * own["price"] * own["volume"]) - own["commission"]
        flow_by_time = flow.groupby(own["time"]).sum().reindex(equity["time"], fill_value=0.0).cumsum().to_numpy()
        value = np.where(positions[symbol].to_numpy() != 0, positions[symbol].to_numpy() * last_close, 0.0)
        total += flow_by_time + value
        # per symbol: the position is the sum of its fills; flat at the end, its cash flow is its realized PnL
        # net of its commission
        assert positions[symbol].iloc[-1] == pytest.approx(float((own["side"] * own["volume"]).sum()), abs=1e-9)
        assert positions[symbol].iloc[-1] == 0
        assert flow.sum() == pytest.approx(own["realized_pnl"].sum() - own["commission"].sum(), abs=1e-6)
    np.testing.assert_allclose(equity["equity"].to_numpy(), total.to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(equity["cash"], COSTS["capital"] - ((fills["side"] * fills["price"] * fills["volume"]) + fills["commission"]).groupby(fills["time"]).sum().reindex(equity["time"], fill_value=0.0).cumsum().to_numpy(), atol=1e-6)  # fmt: skip
    last = equity.iloc[-1]
    assert result.summary.final_equity == pytest.approx(last["equity"], abs=1e-9)
    assert result.summary.final_equity == pytest.approx(
        COSTS["capital"] + result.summary.realized_pnl + result.summary.unrealized_pnl - result.summary.commission,
        abs=1e-6,
    )


def test_round_trips_are_matched_per_symbol(twins: tuple) -> None:
    result, _ = twins
    trips = round_trips_frame(result.trades)
    assert len(trips) == result.summary.round_trips
    assert trips["pnl"].sum() == pytest.approx(
        result.trades["realized_pnl"].sum() - result.trades["commission"].sum(), abs=1e-6
    )  # flat at the end: every fill is in a round trip


def test_the_other_series_is_seen_only_up_to_the_primary_bar() -> None:
    """A strategy recording what it sees of NDX at each SPX bar: never a bar after the SPX bar's time."""

    class Peek(Strategy):
        def on_started(self) -> None:
            self.seen: list[tuple[int, int]] = []
            self.ndx_time = self.series_arrays(1).time

        def on_bar(self, index: int) -> None:
            j = self.last_index(1)
            self.seen.append((int(self.arrays.time[index]), int(self.ndx_time[j]) if j >= 0 else -1))

    strategy = Peek()
    backtest(strategy, DATA)
    assert len(strategy.seen) == 5031
    assert all(ndx <= spx for spx, ndx in strategy.seen)
    assert sum(ndx == spx for spx, ndx in strategy.seen) > 5000  # same calendar: the same day's bar


def test_an_unknown_symbol_names_the_known_ones() -> None:
    class Wrong(Strategy):
        def on_bar(self, index: int) -> None:
            if index == 3:
                self.buy_market(1, symbol="DAX")

    with pytest.raises(ValueError, match="unknown symbol 'DAX': this run trades SPX, NDX"):
        backtest(Wrong(), DATA)


def test_bad_data_mappings_are_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        backtest("sma_cross", {"SPX": "sample:SPX_1d", "": "sample:GOOG_1d", "X": str(tmp_path / "missing.csv")})
    text = str(err.value) + " ".join(p.message for p in err.value.problems)
    assert "symbol '' must be a non-empty string" in text
    with pytest.raises(InputError, match="a vectorized strategy trades one instrument"):
        backtest("sma_cross_vec", DATA)


def test_cli_backtest_takes_several_data(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["backtest", "-s", str(ROOT / "strategies/PairsSpread.cs"), "--data", "SPX=sample:SPX_1d",
            "--data", "NDX=sample:NASDAQ_1d", "--capital", "100000", "--commission", "0.0005", "--slippage-steps", "1",
            "-p", "lookback=40", "-p", "entry=1.5", "-p", "exit=0.25", "--json"]  # fmt: skip
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    api = backtest(str(ROOT / "strategies/PairsSpread.cs"), DATA, params=PARAMS, **COSTS)
    assert out["net_profit"] == api.summary.net_profit
    assert out["fills"] == api.summary.fills
    assert out["round_trips"] == api.summary.round_trips
    bad = runner.invoke(main, ["backtest", "-s", "sma_cross", "--data", "sample:SPX_1d", "--data", "NDX=sample:NASDAQ_1d",
                               "--data", "NDX=sample:GOOG_1d"])  # fmt: skip
    assert bad.exit_code == 2
    assert "give each of several data as SYMBOL=FILE" in bad.output
    assert "symbol 'NDX' given twice" in bad.output
    # a run folder of several instruments: written, valid, and replayed exactly from its strategy-config.json
    folder = runner.invoke(main, [*args[:-1], "--out", str(tmp_path / "run"), "--no-report"])
    assert folder.exit_code == 0, folder.output
    [config] = (tmp_path / "run").rglob("strategy-config.json")
    saved = json.loads(config.read_text())
    assert [saved["data"]["symbol"], *(o["symbol"] for o in saved["other_data"])] == ["SPX", "NDX"]
    assert saved["other_data"][0]["sha256"].startswith("sha256:") and saved["other_data"][0]["path"].endswith("NASDAQ_1d.csv")
    assert runner.invoke(main, ["validate", str(tmp_path / "run")]).exit_code == 0
    replay = runner.invoke(main, ["backtest", "--config", str(config), "--json"])
    assert replay.exit_code == 0, replay.output
    again = json.loads(replay.output)
    assert (again["net_profit"], again["fills"], again["round_trips"]) == (out["net_profit"], out["fills"], out["round_trips"])
    fills = pd.read_parquet(config.parent / "trades.parquet")
    assert sorted(fills["symbol"].unique()) == ["NDX", "SPX"] and len(fills) == out["fills"]


# ---- several time frames of one instrument ------------------------------------------------------------------

MTF = {"daily_length": 5, "hourly_length": 20, "volume": 10000.0}
MTF_COSTS = {"capital": 100_000.0, "commission": 0.0001, "slippage_steps": 1.0}


def test_the_daily_filter_hourly_entry_twins_give_identical_fills() -> None:
    cs = backtest(str(ROOT / "strategies/DailyTrendHourlyEntry.cs"), "sample:EURUSD_1h", params=MTF, **MTF_COSTS)
    py = backtest(str(ROOT / "strategies/daily_trend_hourly_entry.py") + ":DailyTrendHourlyEntry", "sample:EURUSD_1h",
                  params=MTF, **MTF_COSTS)  # fmt: skip
    assert len(cs.trades) > 50
    pd.testing.assert_frame_equal(cs.trades, py.trades)
    pd.testing.assert_frame_equal(cs.equity, py.equity)
    assert cs.summary == py.summary
    assert "symbol" not in cs.trades.columns  # one instrument in two time frames
    assert len(cs.equity) == len(load_ohlcv("sample:EURUSD_1h").frame)


@pytest.mark.parametrize("rule", ["4h", "1d"])
def test_engine_candles_equal_pandas_resample(rule: str) -> None:
    from pystocksharp import bridge

    data = load_ohlcv("sample:EURUSD_1h")
    built = bridge.candle_series(data.frame, symbol="EURUSD", timeframe="1h").Resample(rule)
    expected = (
        data.frame.tz_localize(None)
        .resample(rule.replace("d", "D"), label="left", closed="left", origin="epoch")
        .agg({"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"})
        .dropna(subset=["open"])
    )
    assert int(built.Count) == len(expected) > 100
    np.testing.assert_array_equal(bridge.to_numpy(built.OpenTimes), expected.index.as_unit("ns").asi8)  # UTC, naive
    for column, net in (("open", built.Open), ("high", built.High), ("low", built.Low), ("close", built.Close)):
        np.testing.assert_array_equal(bridge.to_numpy(net), expected[column].to_numpy())
    np.testing.assert_allclose(bridge.to_numpy(built.Volume), expected["volume"].to_numpy(), rtol=1e-12)


def test_a_daily_bar_is_seen_only_after_its_day_closed() -> None:
    class Peek(Strategy):
        timeframes = ("1d",)

        def on_started(self) -> None:
            self.seen: list[tuple[int, int]] = []
            self.day_open = self.series_arrays(1).time

        def on_bar(self, index: int) -> None:
            j = self.last_index(1)
            self.seen.append((int(self.arrays.time[index]), int(self.day_open[j]) if j >= 0 else -1))

    strategy = Peek()
    backtest(strategy, "sample:EURUSD_1h")
    hour, day = 3600 * 10**9, 86400 * 10**9
    assert all(seen == -1 or seen + day <= t + hour for t, seen in strategy.seen)  # its close <= the hour's close
    opens = strategy.day_open
    latest = [int(opens[np.searchsorted(opens + day, t + hour, side="right") - 1]) for t, _ in strategy.seen]
    assert [seen for _, seen in strategy.seen][24:] == latest[24:]  # the latest day that closed, not an earlier one


def test_a_time_frame_finer_than_the_data_is_an_input_error(tmp_path: Path) -> None:
    class TooFine(Strategy):
        timeframes = ("30m",)

    with pytest.raises(InputError) as err:
        backtest(TooFine(), "sample:EURUSD_1h")
    assert "time frame 30m is finer than the data's 1h" in " ".join(p.message for p in err.value.problems)
    source = tmp_path / "fine.py"
    source.write_text("from pystocksharp.strategy import Strategy\n\nclass Fine(Strategy):\n    timeframes = ('30m',)\n")
    res = CliRunner().invoke(main, ["backtest", "-s", f"{source}:Fine", "-d", "sample:EURUSD_1h"])
    assert res.exit_code == 2
    assert "finer than the data's 1h" in res.output


def test_the_optimizer_refuses_several_instruments_clearly(tmp_path: Path) -> None:
    from pystocksharp import optimize

    with pytest.raises(InputError) as err:
        optimize("sma_cross", DATA, grid=["fast=5:10:5"], out=tmp_path / "opt", workers=1)
    assert "several instruments are not supported here yet" in str(err.value)
    assert "only backtest() and `pystocksharp backtest` run several instruments" in err.value.problems[0].message
    assert not (tmp_path / "opt").exists()
