"""Monte Carlo of trade returns: path statistics by hand, reproducibility, intervals."""

from __future__ import annotations

import numpy as np
import pytest

from pystocksharp.validation.montecarlo import (
    equity_fan,
    equity_paths,
    longest_drawdowns,
    max_drawdowns,
    monte_carlo,
    monte_carlo_method,
    simulate_paths,
)


def _trades(n: int = 300, seed: int = 42) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.004, 0.03, n)


def test_path_statistics_hand_worked() -> None:
    # trades +10 %, -5 %, -5 %, +20 %: equity 1.1, 1.045, 0.99275, 1.1913
    # peak 1.1 -> max drawdown 0.99275 / 1.1 - 1 = -0.0975; trades 2 and 3 under water -> 2
    equity = equity_paths(np.array([0.1, -0.05, -0.05, 0.2]))
    assert equity[0] == pytest.approx([1.1, 1.045, 0.99275, 1.1913])
    assert max_drawdowns(equity)[0] == pytest.approx(-0.0975)
    assert longest_drawdowns(equity)[0] == 2.0


def test_drawdown_from_start_and_open_at_end() -> None:
    # -10 %, +5 %, +1 %: 0.9, 0.945, 0.95445; the peak is the start (1.0) -> under water for
    # all 3 trades (run still open at the end counts), max drawdown -0.1
    equity = equity_paths(np.array([-0.1, 0.05, 0.01]))
    assert longest_drawdowns(equity)[0] == 3.0
    assert max_drawdowns(equity)[0] == pytest.approx(-0.1)
    # only gains: no drawdown at all
    up = equity_paths(np.array([0.01, 0.02]))
    assert max_drawdowns(up)[0] == 0.0 and longest_drawdowns(up)[0] == 0.0


def test_shuffle_is_a_permutation_and_keeps_final_return() -> None:
    trades = _trades()
    paths = simulate_paths(trades, "shuffle", 50, np.random.default_rng(0))
    assert np.array_equal(np.sort(paths, axis=1), np.broadcast_to(np.sort(trades), (50, trades.size)))
    result = monte_carlo_method(trades, "shuffle", n_simulations=200, seed=1)
    # multiplicative compounding commutes: every shuffled path ends at the original return
    assert np.allclose(result.final_return.values, result.final_return.original, rtol=1e-10)
    assert result.final_return.original == pytest.approx(np.prod(1 + trades) - 1)


def test_reproducible_for_a_fixed_seed() -> None:
    trades = _trades()
    a = monte_carlo(trades, n_simulations=300, seed=123)
    b = monte_carlo(trades, n_simulations=300, seed=123)
    c = monte_carlo(trades, n_simulations=300, seed=124)
    assert a.model_dump() == b.model_dump()
    assert a.bootstrap.final_return.values != c.bootstrap.final_return.values
    assert a.shuffle.seed != a.bootstrap.seed


def test_confidence_intervals_contain_the_original_values() -> None:
    trades = _trades()
    report = monte_carlo(trades, seed=9)
    low, high = report.final_return_ci
    assert low <= report.bootstrap.final_return.original <= high
    low, high = report.max_drawdown_ci
    assert low <= report.shuffle.max_drawdown.original <= high
    low, high = report.longest_drawdown_ci
    assert low <= report.shuffle.longest_drawdown.original <= high
    assert report.shuffle.n_simulations == 1000  # the default
    assert len(report.bootstrap.max_drawdown.values) == 1000
    dist = report.bootstrap.final_return
    assert dist.lower == pytest.approx(np.quantile(dist.values, 0.05))
    assert dist.upper == pytest.approx(np.quantile(dist.values, 0.95))


def test_probability_of_ruin() -> None:
    # four -20 % trades: 0.8, 0.64, 0.512, 0.4096 in every order -> below 0.5 always, above 0.3 always
    trades = [-0.2] * 4
    assert (
        monte_carlo_method(trades, "shuffle", n_simulations=20, seed=0, ruin_loss=0.5).probability_of_ruin
        == 1.0
    )
    assert (
        monte_carlo_method(trades, "shuffle", n_simulations=20, seed=0, ruin_loss=0.7).probability_of_ruin
        == 0.0
    )
    # bootstrap of {+50 %, -50 %} over 2 trades, ruin at equity <= 0.5 (ruin_loss 0.5): a first
    # draw of -50 % already sits at 0.5 -> ruined; +50 % then -50 % gives 0.75 -> P(ruin) = 1/2.
    # At <= 0.4 (ruin_loss 0.6) only two -50 % draws (0.25) ruin -> P(ruin) = 1/4.
    half = monte_carlo_method([0.5, -0.5], "bootstrap", n_simulations=20000, seed=3).probability_of_ruin
    quarter = monte_carlo_method(
        [0.5, -0.5], "bootstrap", n_simulations=20000, seed=3, ruin_loss=0.6
    ).probability_of_ruin
    assert half == pytest.approx(0.5, abs=0.015)
    assert quarter == pytest.approx(0.25, abs=0.015)


def test_fan_quantiles() -> None:
    fan = equity_fan(_trades(40), n_simulations=500, seed=2)
    assert list(fan.columns) == ["step", "p05", "p25", "p50", "p75", "p95"]
    assert len(fan) == 41
    assert fan.iloc[0, 1:].tolist() == [1.0] * 5
    assert (fan["p05"] <= fan["p50"]).all() and (fan["p50"] <= fan["p95"]).all()


def test_bad_inputs() -> None:
    with pytest.raises(ValueError):
        monte_carlo_method([], "shuffle")
    with pytest.raises(ValueError):
        monte_carlo_method([-1.5], "shuffle")
    with pytest.raises(ValueError):
        monte_carlo_method([0.1], "shuffle", confidence=(0.9, 0.1))
    with pytest.raises(ValueError):
        monte_carlo_method([0.1], "jackknife")  # type: ignore[arg-type]
