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
