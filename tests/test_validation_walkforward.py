"""Walk-forward orchestration with deterministic stand-in callables: the exact bars each
callable receives, stitching, efficiency, parameter stability and the holdout check."""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pystocksharp.optimization.ranking import SortKey
from pystocksharp.validation.models import WalkForwardResult
from pystocksharp.validation.partitions import HoldoutAccessError, Partitions, Window
from pystocksharp.validation.verdict import HoldoutThresholds, evaluate_holdout
from pystocksharp.validation.walkforward import (
    OptimizationOutcome,
    RunOutcome,
    equity_metrics,
    plateau,
    run_holdout,
    stitch_equity,
    walk_forward,
    window_table,
)

PPY = 252.0  # bars per year for annualization in these tests
# IS grid: sharpe_ratio per (fast, slow)
GRID = pd.DataFrame(
    {
        "fast": [5, 10, 15, 5, 10, 15],
        "slow": [20, 20, 20, 30, 30, 30],
        "sharpe_ratio": [1.0, 2.0, 1.5, 0.5, 1.0, 0.8],
    }
)
CHOSEN_FAST = [5, 10, 15, 10]
OOS_RETURNS = np.array([0.002, -0.001] * 5)  # per test bar, 10 bars a window


class StandIns:
    """Optimizer and runner that return precomputed curves and record what they receive."""

    def __init__(self) -> None:
        self.optimized: list[pd.DatetimeIndex] = []
        self.ran: list[tuple[pd.DatetimeIndex, dict[str, Any]]] = []

    def optimize(self, train: pd.DataFrame) -> OptimizationOutcome:
        k = len(self.optimized)
        self.optimized.append(train.index)
        equity = pd.Series(1000.0 * 1.001 ** np.arange(1, len(train) + 1), index=train.index)
        return OptimizationOutcome(
            best_params={"fast": CHOSEN_FAST[k], "slow": 20},
            equity=equity,
            start_equity=1000.0,
            metrics={"round_trips": 7.0},
            grid=GRID,
        )

    def run(self, test: pd.DataFrame, params: dict[str, Any]) -> RunOutcome:
        self.ran.append((test.index, params))
        returns = np.resize(OOS_RETURNS, len(test))
        return RunOutcome(
            equity=pd.Series(1000.0 * np.cumprod(1 + returns), index=test.index), start_equity=1000.0
        )


@pytest.fixture()
def frame() -> pd.DataFrame:
    index = pd.date_range("2020-01-01", periods=100, freq="D", tz="UTC", name="timestamp")
    return pd.DataFrame({"close": np.linspace(100, 120, 100)}, index=index)


def test_callables_receive_exactly_their_bars(frame: pd.DataFrame) -> None:
    p = Partitions.build(frame, train=40, test=10, holdout=20)
    stand = StandIns()
    walk_forward(frame, p, optimize=stand.optimize, run=stand.run, periods_per_year=PPY)
    idx = frame.index
    assert [list(i) for i in stand.optimized] == [list(idx[s : s + 40]) for s in (0, 10, 20, 30)]
    assert [list(i) for i, _ in stand.ran] == [list(idx[s : s + 10]) for s in (40, 50, 60, 70)]
    assert [params["fast"] for _, params in stand.ran] == CHOSEN_FAST  # each window's own best
    holdout_start = p.holdout_start
    for (test_index, _), train_index in zip(stand.ran, stand.optimized, strict=True):
        assert not set(test_index) & set(train_index)
        assert train_index.max() < test_index.min()
        assert train_index.max() < holdout_start and test_index.max() < holdout_start


def test_stitching_efficiency_and_stability(frame: pd.DataFrame) -> None:
    p = Partitions.build(frame, train=40, test=10, holdout=20)
    stand = StandIns()
    result = walk_forward(frame, p, optimize=stand.optimize, run=stand.run, periods_per_year=PPY)
    assert len(result.windows) == 4
    # stitched OOS: 4 segments of (1.002 * 0.999)^5, continuing one from another
    # -> ends at 1000 * 1.000998^20 over frame bars 40..79
    assert list(result.oos_equity.index) == list(frame.index[40:80])
    assert result.oos_equity.iloc[-1] == pytest.approx(1000 * 1.000998**20)
    assert result.oos_equity.iloc[10] == pytest.approx(result.oos_equity.iloc[9] * 1.002)
    # IS: 40 bars of +0.1 % -> annualized 1.001^252 - 1 = 0.286434
    # OOS: 40 bars growing 1.000998^20 -> annualized 1.000998^(20 * 252 / 40) - 1 = 0.133925
    # WFE = 0.133925 / 0.286434 = 0.467561
    assert result.is_annualized_return == pytest.approx(0.286434, abs=1e-6)
    assert result.oos_metrics["annualized_return"] == pytest.approx(0.133925, abs=1e-6)
    assert result.walk_forward_efficiency == pytest.approx(0.467561, abs=1e-6)
    assert [w.efficiency for w in result.windows] == pytest.approx([0.467561] * 4, abs=1e-6)
    assert result.windows[0].is_metrics["round_trips"] == 7.0  # engine metrics pass through
    assert result.windows[0].test_start == frame.index[40].isoformat()
    assert result.windows[0].train_end == frame.index[39].isoformat()
    # fast moves 5 -> 10 -> 15 -> 10: |steps| 5, 5, 5 over the grid range 10 -> 0.5; slow stays
    assert result.stability.movement == {"fast": 0.5, "slow": 0.0}
    assert result.stability.mean_movement == 0.25
    # plateau ratios (mean of grid neighbours / chosen sharpe):
    # fast 5:  (2.0 + 0.5 + 1.0) / 3 / 1.0 = 1.166667
    # fast 10: (1.0 + 1.5 + 0.5 + 1.0 + 0.8) / 5 / 2.0 = 0.48
    # fast 15: (2.0 + 1.0 + 0.8) / 3 / 1.5 = 0.844444
    ratios = [w.plateau_ratio for w in result.windows]
    assert ratios == pytest.approx([1.166667, 0.48, 0.844444, 0.48], abs=1e-6)
    assert [w.neighbours for w in result.windows] == [3, 5, 3, 5]
    assert result.stability.mean_plateau_ratio == pytest.approx(
        (1.166667 + 0.48 + 0.844444 + 0.48) / 4, abs=1e-6
    )


def test_result_json_round_trip(frame: pd.DataFrame) -> None:
    p = Partitions.build(frame, train=40, test=10, holdout=20, anchored=True)
    stand = StandIns()
    result = walk_forward(frame, p, optimize=stand.optimize, run=stand.run, periods_per_year=PPY)
    text = result.model_dump_json()
    assert "oos_equity" not in text
    again = WalkForwardResult.model_validate_json(text)
    assert again.model_dump() == result.model_dump()
    assert again.anchored is True


def test_stitch_rebases_each_segment() -> None:
    # segment 1 from 100: 110, 121; segment 2 from 50: 50 -> 121, 45 -> 121 * 45 / 50 = 108.9
    a = pd.Series([110.0, 121.0], index=[0, 1])
    b = pd.Series([50.0, 45.0], index=[2, 3])
    assert stitch_equity([(a, 100.0), (b, 50.0)]).tolist() == pytest.approx([110.0, 121.0, 121.0, 108.9])


def test_equity_metrics_hand_worked() -> None:
    # start 100 -> 110, 99, 121 over 3 bars at 3 bars a year (1 year):
    # total 0.21, annualized 0.21; peak 110 -> max drawdown 99 / 110 - 1 = -0.1
    # bar returns 0.1, -0.1, 0.222222: mean 0.0740741, std(ddof=1) sqrt(0.0529218 / 2) = 0.162668
    # -> 0.455370 * sqrt(3) = 0.788723
    m = equity_metrics(pd.Series([110.0, 99.0, 121.0]), 100.0, periods_per_year=3)
    assert m["total_return"] == pytest.approx(0.21)
    assert m["annualized_return"] == pytest.approx(0.21)
    assert m["max_drawdown"] == pytest.approx(-0.1)
    returns = np.array([0.1, -0.1, 121 / 99 - 1])
    assert m["sharpe_ratio"] == pytest.approx(returns.mean() / returns.std(ddof=1) * math.sqrt(3))
    assert m["sharpe_ratio"] == pytest.approx(0.788723, abs=1e-6)


def test_calendar_annualization() -> None:
    # 366 daily bars from 2020-01-01 span 366 days = 1.002053 years of 365.25 days
    index = pd.date_range("2020-01-01", periods=366, freq="D", tz="UTC")
    m = equity_metrics(pd.Series(np.linspace(101, 110, 366), index=index), 100.0)
    assert m["annualized_return"] == pytest.approx(1.1 ** (365.25 / 366) - 1)


def test_plateau_edge_cases() -> None:
    key = SortKey("sharpe_ratio", True)
    assert plateau(None, {"fast": 10}, key) == (None, 0)
    assert plateau(GRID, {"fast": 7, "slow": 20}, key) == (None, 0)  # not a grid point
    low = GRID.assign(sharpe_ratio=[-1.0, -2.0, -1.5, -0.5, -1.0, -0.8])
    assert plateau(low, {"fast": 10, "slow": 20}, key) == (None, 5)  # ratio of losses is meaningless


def test_tampered_window_cannot_reach_the_holdout(frame: pd.DataFrame) -> None:
    p = Partitions.build(frame, train=40, test=10, holdout=20)
    bad = dataclasses.replace(p, windows=(*p.windows, Window(4, slice(45, 85), slice(85, 95))))
    stand = StandIns()
    with pytest.raises(HoldoutAccessError):
        walk_forward(frame, bad, optimize=stand.optimize, run=stand.run, periods_per_year=PPY)
    assert all(i.max() < p.holdout_start for i in stand.optimized)


def test_holdout_run_gets_only_the_holdout(frame: pd.DataFrame) -> None:
    p = Partitions.build(frame, train=40, test=10, holdout=20)
    stand = StandIns()
    check = run_holdout(
        frame,
        p,
        {"fast": 10, "slow": 20},
        run=stand.run,
        evaluate=functools.partial(evaluate_holdout, thresholds=HoldoutThresholds()),
        periods_per_year=PPY,
    )
    assert list(stand.ran[0][0]) == list(frame.index[80:])
    # 20 bars alternating +0.2 % / -0.1 % -> total 1.000998^10 - 1 = 0.009025 > 0
    assert check.metrics["total_return"] == pytest.approx(1.000998**10 - 1)
    assert check.passed and check.reasons == []


def test_window_table_for_the_timeline(frame: pd.DataFrame) -> None:
    p = Partitions.build(frame, train=40, test=10, holdout=20)
    stand = StandIns()
    result = walk_forward(frame, p, optimize=stand.optimize, run=stand.run, periods_per_year=PPY)
    table = window_table(result, metric="total_return")
    assert list(table.columns[:7]) == [
        "window",
        "train_start",
        "train_end",
        "test_start",
        "test_end",
        "is_value",
        "oos_value",
    ]
    # IS: 1.001^40 - 1 = 0.040780; OOS: 1.000998^5 - 1 = 0.004998
    assert table["is_value"].tolist() == pytest.approx([1.001**40 - 1] * 4)
    assert table["oos_value"].tolist() == pytest.approx([1.000998**5 - 1] * 4)
    assert table["test_start"].tolist() == [frame.index[s].isoformat() for s in (40, 50, 60, 70)]
    assert window_table(result, metric="absent")["is_value"].isna().all()
