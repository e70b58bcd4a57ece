"""Probability of backtest overfitting (CSCV): split count, hand-worked cases, noise vs edge."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pystocksharp.validation.overfitting import (
    n_splits,
    probability_of_backtest_overfitting,
    returns_matrix,
    split_indicator,
)


def test_split_count_and_symmetry() -> None:
    splits = split_indicator(16)
    assert n_splits(16) == 12870 == math.comb(16, 8)
    assert splits.shape == (12870, 16)
    assert np.all(splits.sum(axis=1) == 8)
    rows = {tuple(r) for r in splits.astype(int)}
    assert len(rows) == 12870
    # symmetric: every IS choice's complement is also a split (each block set is IS once, OOS once)
    assert all(tuple(1 - np.array(r)) in rows for r in list(rows)[:500])


def test_hand_worked_reversal_is_fully_overfit() -> None:
    # 2 blocks of 2 rows, metric = mean. Column A wins block 0 (+1) and loses block 1 (-1),
    # C the reverse, B is flat. Split 1: IS = block 0 -> best A; OOS (block 1) values A -1, B 0,
    # C 1 -> A ranks 1 of 3 -> ω = 1/4, λ = ln(0.25/0.75) = -1.098612. Split 2 is the mirror.
    # PBO = 2/2 = 1; both IS-best values 1, OOS -1 -> P(OOS loss) = 1; IS constant -> no slope.
    m = np.array([[1, 0, -1], [1, 0, -1], [-1, 0, 1], [-1, 0, 1]], dtype=float)
    result = probability_of_backtest_overfitting(m, n_blocks=2, metric="mean")
    assert result.n_splits == 2
    assert result.pbo == 1.0
    assert result.logits == pytest.approx([math.log(1 / 3)] * 2)
    assert result.relative_ranks == pytest.approx([0.25, 0.25])
    assert result.best_is_combination == [0, 2]
    assert result.is_performance == [1.0, 1.0]
    assert result.oos_performance == [-1.0, -1.0]
    assert result.probability_oos_loss == 1.0
    assert result.degradation_slope is None


def test_hand_worked_persistent_winner() -> None:
    # B is best in both blocks: IS-best is B, OOS rank 3 of 3 -> ω = 3/4, λ = ln 3 > 0 -> PBO 0
    m = np.array([[0, 2, 1], [0, 2, 1], [0, 3, 1], [0, 3, 1]], dtype=float)
    result = probability_of_backtest_overfitting(m, n_blocks=2, metric="mean")
    assert result.pbo == 0.0
    assert result.logits == pytest.approx([math.log(3)] * 2)


def test_ties_take_the_average_rank() -> None:
    # all columns equal: IS argmax picks column 0, OOS ranks tie -> average rank (N+1)/2
    # -> ω = 0.5, λ = 0, which counts as overfit (λ <= 0)
    m = np.ones((8, 4))
    result = probability_of_backtest_overfitting(m, n_blocks=4, metric="mean")
    assert result.relative_ranks == pytest.approx([0.5] * 6)
    assert result.pbo == 1.0


def test_pure_noise_is_around_one_half() -> None:
    rng = np.random.default_rng(2026)
    noise = rng.normal(0.0, 0.01, size=(1000, 100))
    result = probability_of_backtest_overfitting(noise)
    assert result.n_splits == 12870
    assert len(result.logits) == 12870
    assert 0.3 <= result.pbo <= 0.7
    assert result.n_periods_used == 992  # 16 blocks of 62 rows; the oldest 8 rows dropped


def test_dominant_column_is_not_overfit() -> None:
    rng = np.random.default_rng(3)
    m = rng.normal(0.0, 0.01, size=(1600, 50))
    m[:, 17] += 0.004  # a true edge of 0.4 standard deviations per period
    result = probability_of_backtest_overfitting(pd.DataFrame(m))
    assert result.pbo < 0.02
    assert set(result.best_is_combination) == {17}
    assert result.probability_oos_loss == 0.0


def test_builtin_sharpe_equals_callable_path() -> None:
    rng = np.random.default_rng(11)
    m = rng.normal(0.0005, 0.01, size=(160, 12))

    def sharpe(block: np.ndarray) -> np.ndarray:
        return block.mean(axis=0) / block.std(axis=0, ddof=1)

    fast = probability_of_backtest_overfitting(m, n_blocks=8)
    slow = probability_of_backtest_overfitting(m, n_blocks=8, metric=sharpe)
    assert fast.best_is_combination == slow.best_is_combination
    assert fast.logits == pytest.approx(slow.logits, rel=1e-9)
    assert fast.is_performance == pytest.approx(slow.is_performance, rel=1e-9)
    assert slow.metric == "sharpe"


def test_degradation_regression_matches_polyfit() -> None:
    rng = np.random.default_rng(5)
    m = rng.normal(0.0, 0.01, size=(400, 30))
    result = probability_of_backtest_overfitting(m, n_blocks=10)
    slope, intercept = np.polyfit(result.is_performance, result.oos_performance, 1)
    assert result.degradation_slope == pytest.approx(slope)
    assert result.degradation_intercept == pytest.approx(intercept)
    assert result.probability_oos_loss == pytest.approx(np.mean(np.array(result.oos_performance) < 0))
    assert result.pbo == pytest.approx(np.mean(np.array(result.logits) <= 0))


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="even"):
        probability_of_backtest_overfitting(np.zeros((100, 3)), n_blocks=5)
    with pytest.raises(ValueError, match="periods"):
        probability_of_backtest_overfitting(np.zeros((20, 3)), n_blocks=16)
    with pytest.raises(ValueError, match="NaN"):
        probability_of_backtest_overfitting(np.full((64, 3), np.nan))
    with pytest.raises(ValueError, match="metric"):
        probability_of_backtest_overfitting(np.zeros((64, 3)), metric="median")


def test_invariant_to_scale_and_column_order() -> None:
    # Sharpe ignores a positive scale; relabelling columns moves the argmax but not the ranks
    rng = np.random.default_rng(8)
    m = rng.normal(0.0002, 0.01, size=(320, 25))
    base = probability_of_backtest_overfitting(m, n_blocks=8)
    scaled = probability_of_backtest_overfitting(m * 3.7, n_blocks=8)
    order = rng.permutation(25)
    permuted = probability_of_backtest_overfitting(m[:, order], n_blocks=8)
    assert scaled.logits == pytest.approx(base.logits)
    assert permuted.logits == pytest.approx(base.logits)
    assert [int(order[i]) for i in permuted.best_is_combination] == base.best_is_combination


def test_returns_matrix_from_equity_curves() -> None:
    # a: 100 -> 110 -> 99 gives 0, +10 %, -10 %; b: flat, 100 -> 100 -> 105 gives 0, 0, +5 %
    index = pd.date_range("2024-01-01", periods=3, freq="D")
    m = returns_matrix(
        {"a": pd.Series([100.0, 110.0, 99.0], index), "b": pd.Series([100.0, 100.0, 105.0], index)}
    )
    assert list(m.columns) == ["a", "b"]
    assert m.to_numpy().ravel().tolist() == pytest.approx([0.0, 0.0, 0.1, 0.0, -0.1, 0.05])
