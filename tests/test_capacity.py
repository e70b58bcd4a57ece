"""Capacity curve: at 0x costs the run pays nothing and its net is the 1x run's gross, costs scale with the
multiplier, net profit and Sharpe fall as costs grow, and the 1x point is the plain backtest."""

from __future__ import annotations

from pathlib import Path

import pytest

from pystocksharp import backtest
from pystocksharp.capacity import CAPACITY_COLUMNS, capacity_curve, capacity_frame, capacity_of_backtest
from pystocksharp.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SMA = {"fast": 10, "slow": 20, "volume": 10}
COSTS = {"commission": 0.002, "slippage": 0.0005}


@pytest.fixture(scope="module")
def curve():
    return capacity_curve("sma_cross", "sample:GOOG_1d", params=SMA, **COSTS)


@pytest.fixture(scope="module")
def plain():
    return backtest("sma_cross", "sample:GOOG_1d", params=SMA, **COSTS)


def test_the_1x_point_is_the_plain_backtest(curve, plain) -> None:
    assert list(curve.columns) == list(CAPACITY_COLUMNS)
    assert curve["multiplier"].tolist() == [0.0, 0.5, 1.0, 2.0, 4.0]
    one = curve[curve["multiplier"] == 1.0].iloc[0]
    metrics = plain.metrics()
    assert one["net_profit"] == plain.summary.net_profit  # exactly: the same run again
    assert one["sharpe_ratio"] == metrics.sharpe_ratio
    assert one["max_drawdown"] == metrics.max_drawdown
    assert one["cost"] == plain.tca_summary()["cost"]
    assert one["fills"] == plain.summary.fills == 94


def test_without_costs_net_is_the_gross_of_the_costly_run(curve, plain) -> None:
    """Fixed volume and next-open fills: the same orders at every multiplier, so the 0x run's net profit is the 1x
    run's net plus what it paid (commission + slippage, reconciled in tests/test_tca.py)."""
    zero = curve.iloc[0]
    assert zero["commission"] == 0 and zero["slippage"] == 0 and zero["cost"] == 0
    gross = plain.summary.net_profit + plain.tca_summary()["cost"]
    assert zero["net_profit"] == pytest.approx(gross, abs=0.005)
    assert curve["fills"].nunique() == 1 and curve["round_trips"].nunique() == 1


def test_costs_scale_and_net_numbers_decay(curve) -> None:
    """0.2 % commission + 0.05 % slippage = 25 bps of the notional at 1x (the notional includes the slippage, so
    a hair above), 25 * m bps at m x; net profit and net Sharpe fall strictly as costs grow."""
    for row in curve.itertuples():
        assert row.cost_bps == pytest.approx(25 * row.multiplier, rel=1e-4)
    assert curve["net_profit"].is_monotonic_decreasing and curve["net_profit"].is_unique
    assert curve["sharpe_ratio"].is_monotonic_decreasing and curve["sharpe_ratio"].is_unique
    # money lost between two points is the extra cost paid (same orders, cost linear in the multiplier)
    one, two = curve.iloc[2], curve.iloc[3]
    assert one["net_profit"] - two["net_profit"] == pytest.approx(two["cost"] - one["cost"], rel=1e-3)


def test_a_result_reruns_itself_with_several_instruments() -> None:
    data = {"SPX": "sample:SPX_1d", "NDX": "sample:NASDAQ_1d"}
    run = backtest(str(ROOT / "strategies/PairsSpread.cs"), data, params={"lookback": 40, "entry": 1.5, "exit": 0.25},
                   capital=100_000, commission=0.0005, slippage_steps=1)  # fmt: skip
    frame = capacity_frame(capacity_of_backtest(run, [1.0, 0.0]))
    assert frame["multiplier"].tolist() == [0.0, 1.0]
    assert frame.iloc[1]["net_profit"] == run.summary.net_profit
    assert frame.iloc[0]["net_profit"] == pytest.approx(
        run.summary.net_profit + run.tca_summary()["cost"], abs=0.005
    )


def test_bad_multipliers_are_refused_before_any_run() -> None:
    with pytest.raises(InputError) as err:
        capacity_curve("sma_cross", "sample:GOOG_1d", multipliers=[-1, 2, 2])
    messages = " ".join(p.message for p in err.value.problems)
    assert "finite number >= 0, got -1" in messages and "repeat" in messages
    with pytest.raises(InputError) as err:  # 0.3 x 4 is not a fraction of notional below 1
        capacity_curve("sma_cross", "sample:GOOG_1d", commission=0.3, multipliers=[1, 4])
    assert [p.field for p in err.value.problems] == ["commission"]
