"""Instrument specs from the data (price step) and exact quantities (hand-worked cases)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pystocksharp.backtest import backtest, bounded
from pystocksharp.data import PRICE_STEP_ATTR, infer_price_step, load_ohlcv, load_sample
from pystocksharp.metrics.trades import round_trips_frame


def _frame(prices: list[float]) -> pd.DataFrame:
    p = np.asarray(prices, dtype=float)
    index = pd.date_range("2024-01-01", periods=len(p), freq="D", tz="UTC", name="timestamp")
    return pd.DataFrame({"open": p, "high": p, "low": p, "close": p, "volume": 1.0}, index=index)


@pytest.mark.parametrize(
    ("prices", "step"),
    [
        ([1.0716, 1.07219, 1.0726], 1e-05),  # EURUSD: 5 decimals
        ([1412.25, 1413.5, 1410.0], 0.01),  # 2 decimals
        ([10.5, 11.0, 101.0], 0.01),  # coarser than a cent: never a 0.1 or 1.0 step
        ([1229.229980, 1248.810059, 2506.850098], 0.01),  # float32 exports of 1229.23 …: 0.01's grid
        ([0.00012345, 0.00012346], 1e-08),
        ([100.123456789, 100.2], 0.01),  # on no grid of up to 8 decimals (generated data): the default
    ],
)
def test_price_step_is_the_finest_decimal_grid_of_the_prices(prices: list[float], step: float) -> None:
    assert infer_price_step(_frame(prices)) == step


def test_sample_price_steps_and_windows_keep_the_whole_data_step() -> None:
    assert [load_sample(n).price_step for n in ("EURUSD_1h", "GOOG_1d", "SPX_1d", "NASDAQ_1d")] == [
        1e-05, 0.01, 0.01, 0.01,
    ]  # fmt: skip
    eurusd = load_sample("EURUSD_1h")
    # a window whose own prices might sit on a coarser grid keeps the data's step (walk-forward, replays)
    window = eurusd.frame.iloc[100:103]
    assert window.attrs[PRICE_STEP_ATTR] == 1e-05 and load_ohlcv(window).price_step == 1e-05
    assert bounded(eurusd, eurusd.frame.index[10], eurusd.frame.index[20]).price_step == 1e-05


_BUY_AT_1 = """
    from pystocksharp import Strategy


    class BuyOnce(Strategy):
        def on_candle(self, candle):
            if candle.index == 1:
                self.buy_market(1)
"""


def test_slippage_in_steps_uses_the_data_price_step(tmp_path: Path) -> None:
    path = tmp_path / "buy_once.py"
    path.write_text(textwrap.dedent(_BUY_AT_1), encoding="utf-8")
    frame = load_sample("EURUSD_1h").frame.iloc[:10]
    result = backtest(f"{path}:BuyOnce", frame, slippage_steps=1)
    # bought at bar 2's open 1.07256 plus one step of 0.00001 (not 0.01: that would be ~100 pips)
    assert frame["open"].iloc[2] == 1.07256
    assert result.trades["price"].tolist() == [pytest.approx(1.07257, abs=1e-12)]


_FRACTIONS = """
    from pystocksharp import Strategy


    class Fractions(Strategy):
        def on_candle(self, candle):
            if candle.index == 0:
                self.buy_market(0.1)
            elif candle.index == 1:
                self.buy_market(0.2)
            elif candle.index == 2:
                self.sell_market(0.3)
            elif candle.index == 3:
                self.sell_market(0.7)
            elif candle.index == 4:
                self.buy_market(0.7)
"""


def test_fractional_quantities_add_up_exactly(tmp_path: Path) -> None:
    path = tmp_path / "fractions.py"
    path.write_text(textwrap.dedent(_FRACTIONS), encoding="utf-8")
    frame = _frame([10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0])
    result = backtest(f"{path}:Fractions", frame)
    position = result.equity["position"].to_numpy()
    # 0.1 + 0.2 - 0.3 is flat (in doubles it is 5.55e-17); the short of 0.7 is closed exactly
    assert position.tolist() == [0.0, 0.1, pytest.approx(0.3, abs=0), 0.0, -0.7, 0.0, 0.0]
    assert result.summary.final_position == 0.0
    trips = round_trips_frame(result.trades)
    assert len(trips) == result.summary.round_trips == 3  # 0.1 and 0.2 closed by the 0.3; the 0.7 short
    assert trips["volume"].tolist() == [pytest.approx(0.1), pytest.approx(0.2), pytest.approx(0.7)]


def test_engine_round_trips_equal_fifo_round_trips_with_fractional_volumes() -> None:
    from pystocksharp.backtest import BacktestSettings
    from pystocksharp.bridge import candle_series, emulation_settings, result_batches, run_targets
    from pystocksharp.synthetic import random_walk

    frame = random_walk(3000, seed=5, freq="1h")
    rng = np.random.default_rng(5)
    targets = rng.choice([-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3], size=len(frame))
    targets[rng.random(len(frame)) < 0.5] = np.nan  # no change on half the bars
    targets[-2:] = 0.0  # end flat
    series = candle_series(frame)
    net = run_targets(series, targets, emulation_settings(**BacktestSettings(capital=1e9).model_dump()))
    fills = result_batches(net)["fills"].to_pandas()
    assert len(fills) > 500
    assert int(net.RoundTrips) == len(round_trips_frame(fills))
    assert float(net.FinalPosition) == 0.0


# ---- contract multiplier, enforced volume step, an instrument's own commission (docs/engine-api.md) ----------------

SMA = {"fast": 10, "slow": 30}


def test_a_multiplier_scales_every_amount_of_money() -> None:
    from pystocksharp.metrics.tca import reconcile

    plain = backtest("sma_cross", "sample:GOOG_1d", params=SMA, capital=1e6)
    ten = backtest("sma_cross", "sample:GOOG_1d", params=SMA, capital=1e6, instrument={"multiplier": 10})
    assert plain.summary.net_profit == pytest.approx(922.05, abs=1e-6)  # 1 share per signal, no costs
    assert ten.summary.net_profit == pytest.approx(10 * plain.summary.net_profit, rel=1e-12)
    assert ten.summary.realized_pnl == pytest.approx(10 * plain.summary.realized_pnl, rel=1e-12)
    assert ten.summary.unrealized_pnl == pytest.approx(10 * plain.summary.unrealized_pnl, rel=1e-12)
    assert ten.trades["multiplier"].tolist() == [10.0] * len(ten.trades)
    # the Python side values the same fills in money too: FIFO round trips and the equity rows
    assert ten.round_trips["pnl"].sum() == pytest.approx(ten.summary.realized_pnl, abs=1e-6)
    assert ten.equity["equity"].iloc[-1] == pytest.approx(ten.summary.final_equity, abs=1e-6)
    # an instrument's commission (fraction of notional, multiplier included) replaces the run's on it
    costly = backtest("sma_cross", "sample:GOOG_1d", params=SMA, capital=1e6, commission=0.5,
                      instrument={"multiplier": 10, "commission": 0.001})  # fmt: skip
    tca = costly.tca
    assert costly.tca_summary()["cost_bps"] == pytest.approx(10.0, abs=1e-9)
    assert tca["notional"].sum() == pytest.approx((tca["price"] * tca["volume"] * 10).sum())
    final_value = costly.summary.final_position * costly.equity["close"].iloc[-1] * 10
    assert reconcile(tca, costly.summary.net_profit, final_value) == pytest.approx(0, abs=0.01)


_BUY_1500 = """
    from pystocksharp import Strategy


    class Buy1500(Strategy):
        def on_candle(self, candle):
            if candle.index == 1:
                self.buy_market(1500)
            elif candle.index == 3:
                self.sell_market(400)
"""


def _eurusd_copy(tmp_path: Path) -> Path:
    data = tmp_path / "EURUSD_1h.csv"
    load_sample("EURUSD_1h").frame.iloc[:10].reset_index().to_csv(data, index=False)
    return data


def test_a_sidecar_file_gives_the_specs_and_the_volume_step_is_enforced(tmp_path: Path) -> None:
    strategy = tmp_path / "buy.py"
    strategy.write_text(textwrap.dedent(_BUY_1500), encoding="utf-8")
    data = _eurusd_copy(tmp_path)
    (tmp_path / "EURUSD_1h.instrument.json").write_text('{"volume_step": 1000}', encoding="utf-8")
    loaded = load_ohlcv(data)
    assert loaded.instrument is not None and loaded.instrument.given() == {"volume_step": 1000.0}
    assert loaded.price_step == 1e-05  # still inferred from the prices
    result = backtest(f"{strategy}:Buy1500", data)
    # 1500 is rounded down to one lot of 1000; the sell of 400 is below one lot: rejected with the reason
    assert result.trades["volume"].tolist() == [1000.0]
    assert result.orders["state"].tolist() == ["filled", "rejected"]
    assert result.orders["reject_reason"].iloc[1] == "volume 400 is below the volume step 1000 of EURUSD"
    # the API's specs replace the file's field by field
    again = backtest(f"{strategy}:Buy1500", data, instrument={"volume_step": 100})
    assert again.trades["volume"].tolist() == [1500.0, 400.0]


def test_bad_specs_name_the_file_and_the_field(tmp_path: Path) -> None:
    from pystocksharp.errors import InputError

    data = _eurusd_copy(tmp_path)
    sidecar = tmp_path / "EURUSD_1h.instrument.json"
    sidecar.write_text('{"volume_stp": 1000, "multiplier": -1}', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_ohlcv(data)
    assert [(p.file, p.message) for p in err.value.problems] == [
        (str(sidecar), "multiplier: Input should be greater than 0 (got -1)"),
        (str(sidecar), "unknown instrument field 'volume_stp' (did you mean 'volume_step'?); known: price_step, "
                       "volume_step, multiplier, commission, commission_per_unit"),
    ]  # fmt: skip
    with pytest.raises(InputError, match="did you mean 'NDX'"):
        backtest("sma_cross", {"SPX": "sample:SPX_1d", "NDX": "sample:NASDAQ_1d"}, instrument={"NDQ": {"multiplier": 2}})


def test_parquet_files_keep_their_specs(tmp_path: Path) -> None:
    import dataclasses

    from pystocksharp.data import write_parquet
    from pystocksharp.instruments import InstrumentSpec

    spec = InstrumentSpec(price_step=0.25, multiplier=50)
    target = write_parquet(dataclasses.replace(load_sample("GOOG_1d"), instrument=spec), tmp_path / "ES_1d.parquet")
    loaded = load_ohlcv(target)
    assert loaded.instrument == spec and loaded.price_step == 0.25


def test_cli_instrument_option_config_replay_and_the_optimizer_refusal(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from pystocksharp.cli import main

    runner = CliRunner()
    base = ["backtest", "-s", "sma_cross", "-d", "sample:GOOG_1d", "-p", "fast=10", "-p", "slow=30", "--capital", "1000000"]
    out = tmp_path / "run"
    res = runner.invoke(main, [*base, "--instrument", "GOOG:multiplier=10", "--out", str(out), "--no-report", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["net_profit"] == pytest.approx(9220.5, abs=1e-6)
    config = out / "strategy-config.json"
    assert json.loads(config.read_text())["data"]["instrument"] == {"multiplier": 10.0}
    replay = runner.invoke(main, ["backtest", "--config", str(config), "--json"])
    assert replay.exit_code == 0, replay.output
    assert json.loads(replay.output)["net_profit"] == json.loads(res.output)["net_profit"]
    bad = runner.invoke(main, [*base, "--instrument", "multipler=10", "--instrument", "price_step=x"])
    assert bad.exit_code == 2
    assert "unknown instrument field 'multipler' (did you mean 'multiplier'?)" in bad.output
    assert "'price_step=x' in 'price_step=x': expected a number" in bad.output
    two = ["backtest", "-s", "sma_cross", "--data", "SPX=sample:SPX_1d", "--data", "NDX=sample:NASDAQ_1d"]
    unnamed = runner.invoke(main, [*two, "--instrument", "multiplier=2"])
    assert unnamed.exit_code == 2 and "name the symbol (SYMBOL:FIELD=VALUE) with several --data" in unnamed.output
    # the optimizer runs the price step only: other specs are refused before any combination runs
    data = _eurusd_copy(tmp_path)
    (tmp_path / "EURUSD_1h.instrument.json").write_text('{"multiplier": 2}', encoding="utf-8")
    opt_out = tmp_path / "opt"
    opt = runner.invoke(main, ["optimize", "-s", "sma_cross", "-d", str(data), "--grid", "fast=2:3:1", "--grid",
                               "slow=5:6:1", "--out", str(opt_out)])  # fmt: skip
    assert opt.exit_code == 2 and "the optimizer does not run instrument specs beyond the price step yet" in opt.output
    assert not opt_out.exists()


def test_attribution_values_a_multiplier_like_the_engine() -> None:
    ten = backtest("sma_cross", "sample:GOOG_1d", params=SMA, capital=1e6, commission=0.001,
                   instrument={"multiplier": 10})  # fmt: skip
    [row] = ten.attribution.to_dict("records")
    assert row["net_profit"] == pytest.approx(ten.summary.net_profit, abs=0.005)
    assert row["long_net_profit"] + row["short_net_profit"] == pytest.approx(row["net_profit"], abs=1e-6)
    assert row["notional"] == pytest.approx(float((ten.trades["price"] * ten.trades["volume"]).sum()) * 10)
