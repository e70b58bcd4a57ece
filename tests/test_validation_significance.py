"""Probabilistic and deflated Sharpe ratios against hand-worked numbers and the 2014 paper."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pystocksharp.validation.significance import (
    EULER_GAMMA,
    annualize_sharpe,
    column_sharpes,
    deflated_sharpe,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    kurtosis,
    norm_cdf,
    probabilistic_sharpe_ratio,
    sharpe_ratio,
    sharpe_significance,
    sharpe_standard_error,
    skewness,
)


def test_moments_hand_worked() -> None:
    # r = [0.01, 0.02, 0.03, -0.01]: mean 0.0125, deviations -0.0025, 0.0075, 0.0175, -0.0225
    # sum of squares 8.75e-4 -> std(ddof=1) = sqrt(8.75e-4 / 3) = 0.0170783 -> SR = 0.731925
    # m2 = 8.75e-4 / 4 = 2.1875e-4; m3 = -5.625e-6 / 4 = -1.40625e-6 -> skew = m3 / m2^1.5 = -0.434651
    # m4 = 3.5328125e-7 / 4 = 8.83203e-8 -> kurtosis = m4 / m2^2 = 1.845714
    r = [0.01, 0.02, 0.03, -0.01]
    assert sharpe_ratio(r) == pytest.approx(0.731925, abs=1e-6)
    assert skewness(r) == pytest.approx(-0.434651, abs=1e-6)
    assert kurtosis(r) == pytest.approx(1.845714, abs=1e-6)


def test_symmetric_two_point_sample() -> None:
    # [-1, 1, -1, 1]: m2 = 1, m3 = 0, m4 = 1 -> skew 0, kurtosis 1; mean 0 -> SR 0
    r = [-1.0, 1.0, -1.0, 1.0]
    assert skewness(r) == 0.0
    assert kurtosis(r) == 1.0
    assert sharpe_ratio(r) == 0.0


def test_psr_hand_worked() -> None:
    # SR = 0.1 per period, n = 252, skew 0, kurt 3, SR* = 0:
    # denominator sqrt(1 - 0 + (3 - 1) / 4 * 0.01) = sqrt(1.005) = 1.002497
    # z = 0.1 * sqrt(251) / 1.002497 = 1.584298 / 1.002497 = 1.580352 -> Φ(z) = 0.942987
    assert probabilistic_sharpe_ratio(0.1, 252) == pytest.approx(0.942987, abs=1e-6)
    # the same z through the standard error: 0.1 / sqrt(1.005 / 251)
    se = sharpe_standard_error(0.1, 252)
    assert se == pytest.approx(math.sqrt(1.005 / 251), rel=1e-12)
    assert norm_cdf(0.1 / se) == pytest.approx(probabilistic_sharpe_ratio(0.1, 252), rel=1e-12)


def test_psr_negative_skew_fat_tails_lower_the_probability() -> None:
    # skew -1, kurt 6: denominator sqrt(1 + 0.1 + 5/4 * 0.01) = sqrt(1.1125) = 1.054751
    # z = 1.584298 / 1.054751 = 1.502058 -> Φ = 0.933461
    assert probabilistic_sharpe_ratio(0.1, 252, skew=-1.0, kurt=6.0) == pytest.approx(0.933461, abs=1e-5)
    assert probabilistic_sharpe_ratio(0.1, 252, -1.0, 6.0) < probabilistic_sharpe_ratio(0.1, 252)


def test_psr_at_benchmark_is_one_half() -> None:
    assert probabilistic_sharpe_ratio(0.05, 100, benchmark_sharpe=0.05) == pytest.approx(0.5)


def test_expected_max_sharpe_hand_worked() -> None:
    # N = 100, V = 0.0025 (sd 0.05): z1 = Φ⁻¹(0.99) = 2.326348, z2 = Φ⁻¹(1 - 1/(100e)) = 2.680210
    # (1 - γ) z1 = 0.422784 * 2.326348 = 0.983544; γ z2 = 0.577216 * 2.680210 = 1.547060
    # E[max] = 0.05 * 2.530604 = 0.126530
    assert EULER_GAMMA == pytest.approx(0.5772156649)
    assert expected_max_sharpe(100, 0.0025) == pytest.approx(0.126530, abs=1e-6)
    assert expected_max_sharpe(1, 0.0025) == 0.0
    assert expected_max_sharpe(100, 0.0) == 0.0


def test_expected_max_sharpe_grows_with_trials() -> None:
    values = [expected_max_sharpe(n, 1.0) for n in (2, 10, 100, 1000, 10000)]
    assert values == sorted(values)


def test_dsr_hand_worked() -> None:
    # SR = 0.1, n = 252, normal, N = 100, V = 0.0025 -> SR* = 0.126530 (above)
    # z = (0.1 - 0.126530) * sqrt(251) / 1.002497 = -0.026530 * 15.803526 = -0.419268 -> Φ = 0.337510
    assert deflated_sharpe_ratio(0.1, 252, 100, 0.0025) == pytest.approx(0.337510, abs=1e-5)


def test_dsr_paper_example() -> None:
    # Bailey & López de Prado (2014), numerical example: annualized SR 2.5 over 1,250 daily
    # observations (250 a year), skew -3, kurtosis 10, N = 100 trials, annualized V = 0.5:
    # the paper reports DSR ≈ 0.9004. Per day: SR = 2.5 / sqrt(250), V = 0.5 / 250.
    dsr = deflated_sharpe_ratio(2.5 / math.sqrt(250), 1250, 100, 0.5 / 250, skew=-3.0, kurt=10.0)
    assert dsr == pytest.approx(0.9004, abs=1e-4)


def test_dsr_of_one_trial_is_psr() -> None:
    assert deflated_sharpe_ratio(0.08, 500, 1, 0.3) == probabilistic_sharpe_ratio(0.08, 500)


def test_deflated_sharpe_from_series_matches_formula() -> None:
    rng = np.random.default_rng(7)
    returns = rng.normal(0.001, 0.01, 750)
    trials = rng.normal(0.0, 0.04, 200)
    result = deflated_sharpe(returns, trials)
    sr, sk, ku = sharpe_ratio(returns), skewness(returns), kurtosis(returns)
    variance = float(np.var(trials, ddof=1))
    assert result.n_trials == 200
    assert result.trials_sharpe_variance == pytest.approx(variance)
    assert result.expected_max_sharpe == pytest.approx(expected_max_sharpe(200, variance))
    assert result.deflated_sharpe_ratio == pytest.approx(
        deflated_sharpe_ratio(sr, 750, 200, variance, sk, ku)
    )
    psr = sharpe_significance(returns)
    assert psr.probabilistic_sharpe_ratio > result.deflated_sharpe_ratio
    assert psr.n_observations == 750


def test_effective_trials_override() -> None:
    rng = np.random.default_rng(1)
    returns = rng.normal(0.001, 0.01, 500)
    trials = rng.normal(0.0, 0.04, 1000)
    assert (
        deflated_sharpe(returns, trials, n_trials=10).deflated_sharpe_ratio
        > deflated_sharpe(returns, trials).deflated_sharpe_ratio
    )


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError):
        sharpe_ratio([0.1])
    with pytest.raises(ValueError):
        expected_max_sharpe(0, 1.0)
    with pytest.raises(ValueError):
        sharpe_standard_error(1.0, 100, skew=3.0, kurt=3.0)  # 1 - 3 + 0.5 < 0


def test_column_sharpes_equal_the_series_function() -> None:
    rng = np.random.default_rng(4)
    m = rng.normal(0.001, 0.01, size=(300, 5))
    m[:, 4] = 0.0  # a combination that never traded: Sharpe 0, not NaN
    expected = [sharpe_ratio(m[:, j]) for j in range(5)]
    assert column_sharpes(m).tolist() == pytest.approx(expected)
    assert column_sharpes(m)[4] == 0.0


def test_annualize_sharpe() -> None:
    # 0.1 per day x sqrt(252) = 1.587451
    assert annualize_sharpe(0.1, 252) == pytest.approx(1.587451, abs=1e-6)
