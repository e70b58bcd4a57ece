"""Sharpe ratio significance: probabilistic and deflated Sharpe ratios.

Conventions (the papers' own):

* Every Sharpe ratio here is **per period** (per bar or per trade), *not annualized*:
  ``SR = mean(r) / std(r)`` of simple returns ``r`` (fractions), ``std`` with ``ddof=1``.
  Multiply by ``sqrt(periods_per_year)`` only for display (:func:`annualize_sharpe`).
* ``skewness`` is the moment estimator ``m3 / m2**1.5`` and ``kurtosis`` is ``m4 / m2**2``
  (*not* excess: a normal distribution has kurtosis 3), with population moments ``m_k``.
* Probabilities are fractions in [0, 1].

References: D. H. Bailey and M. López de Prado, "The Sharpe Ratio Efficient Frontier",
Journal of Risk 15(2), 2012 (probabilistic Sharpe ratio); "The Deflated Sharpe Ratio:
Correcting for Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio
Management 40(5), 2014 (expected maximum Sharpe ratio, deflated Sharpe ratio).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from pystocksharp.validation.models import DeflatedSharpe, SharpeSignificance

#: Euler–Mascheroni constant γ.
EULER_GAMMA = 0.5772156649015329
_NORMAL = NormalDist()

ArrayLike = Sequence[float] | np.ndarray


def norm_cdf(x: float) -> float:
    """Standard normal cumulative distribution Φ(x)."""
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    return _NORMAL.cdf(x)


def norm_ppf(p: float) -> float:
    """Inverse standard normal Φ⁻¹(p) for 0 < p < 1."""
    return _NORMAL.inv_cdf(p)


def _returns(returns: ArrayLike) -> np.ndarray:
    values = np.asarray(returns, dtype=float).ravel()
    values = values[np.isfinite(values)]
    if values.size < 2:
        raise ValueError(f"need at least 2 finite returns, got {values.size}")
    return values


def sharpe_ratio(returns: ArrayLike) -> float:
    """Per-period Sharpe ratio ``mean(r) / std(r, ddof=1)`` (risk-free rate 0; 0.0 when std is 0)."""
    r = _returns(returns)
    std = float(r.std(ddof=1))
    return float(r.mean()) / std if std > 0 else 0.0


def column_sharpes(returns: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    """Per-period Sharpe of every column of a (periods x combinations) return matrix (e.g. the
    trials of an optimization, for :func:`deflated_sharpe`); 0 for a column with zero std."""
    matrix = np.asarray(returns, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] < 2:
        raise ValueError(f"need a (periods x combinations) matrix with >= 2 periods, got {matrix.shape}")
    std = matrix.std(axis=0, ddof=1)
    mean = matrix.mean(axis=0)
    return np.divide(mean, std, out=np.zeros_like(mean), where=std > 0)


def annualize_sharpe(per_period_sharpe: float, periods_per_year: float) -> float:
    """``SR * sqrt(periods_per_year)`` (e.g. 252 for daily bars), assuming i.i.d. returns."""
    return per_period_sharpe * math.sqrt(periods_per_year)


def skewness(returns: ArrayLike) -> float:
    """Sample skewness ``m3 / m2**1.5`` (population moments; 0 for a symmetric sample)."""
    r = _returns(returns)
    d = r - r.mean()
    m2 = float(np.mean(d**2))
    return float(np.mean(d**3)) / m2**1.5 if m2 > 0 else 0.0


def kurtosis(returns: ArrayLike) -> float:
    """Sample kurtosis ``m4 / m2**2`` (not excess: 3 for a normal distribution)."""
    r = _returns(returns)
    d = r - r.mean()
    m2 = float(np.mean(d**2))
    return float(np.mean(d**4)) / m2**2 if m2 > 0 else 3.0


def sharpe_standard_error(sharpe: float, n_observations: int, skew: float = 0.0, kurt: float = 3.0) -> float:
    """Standard error of a per-period Sharpe estimate under non-normal returns:
    ``sqrt((1 - skew*SR + (kurt - 1)/4 * SR**2) / (n - 1))`` (Bailey & López de Prado 2012, eq. 7)."""
    if n_observations < 2:
        raise ValueError("n_observations must be >= 2")
    variance = 1.0 - skew * sharpe + (kurt - 1.0) / 4.0 * sharpe**2
    if variance <= 0:
        raise ValueError(
            f"skew={skew} and kurtosis={kurt} give a non-positive Sharpe variance for SR={sharpe}"
        )
    return math.sqrt(variance / (n_observations - 1))


def probabilistic_sharpe_ratio(
    sharpe: float,
    n_observations: int,
    skew: float = 0.0,
    kurt: float = 3.0,
    benchmark_sharpe: float = 0.0,
) -> float:
    """PSR: probability that the true per-period Sharpe exceeds ``benchmark_sharpe``.

    ``PSR = Φ((SR - SR*) * sqrt(n - 1) / sqrt(1 - skew*SR + (kurt - 1)/4 * SR**2))``.
    """
    se = sharpe_standard_error(sharpe, n_observations, skew, kurt)
    return norm_cdf((sharpe - benchmark_sharpe) / se)


def expected_max_sharpe(n_trials: int, trials_sharpe_variance: float) -> float:
    """Expected maximum per-period Sharpe of ``n_trials`` unskilled strategies (true SR = 0).

    ``E[max SR] ≈ sqrt(V) * ((1 - γ) * Φ⁻¹(1 - 1/N) + γ * Φ⁻¹(1 - 1/(N e)))`` with ``V`` the
    variance of the trials' Sharpe ratios and γ Euler–Mascheroni. One trial gives 0 (no selection).
    """
    if n_trials < 1:
        raise ValueError("n_trials must be >= 1")
    if trials_sharpe_variance < 0:
        raise ValueError("trials_sharpe_variance must be >= 0")
    if n_trials == 1:
        return 0.0
    z1 = norm_ppf(1.0 - 1.0 / n_trials)
    z2 = norm_ppf(1.0 - 1.0 / (n_trials * math.e))
    return math.sqrt(trials_sharpe_variance) * ((1.0 - EULER_GAMMA) * z1 + EULER_GAMMA * z2)


def deflated_sharpe_ratio(
    sharpe: float,
    n_observations: int,
    n_trials: int,
    trials_sharpe_variance: float,
    skew: float = 0.0,
    kurt: float = 3.0,
) -> float:
    """DSR: the PSR of the selected strategy against the expected maximum Sharpe of
    ``n_trials`` unskilled trials, ``PSR(SR* = E[max SR])`` (a probability in [0, 1])."""
    benchmark = expected_max_sharpe(n_trials, trials_sharpe_variance)
    return probabilistic_sharpe_ratio(sharpe, n_observations, skew, kurt, benchmark)


def sharpe_significance(returns: ArrayLike, benchmark_sharpe: float = 0.0) -> SharpeSignificance:
    """Per-period Sharpe, skewness, kurtosis and PSR of one return series (fractions per period)."""
    r = _returns(returns)
    sr, sk, ku = sharpe_ratio(r), skewness(r), kurtosis(r)
    return SharpeSignificance(
        sharpe_ratio=sr,
        n_observations=int(r.size),
        skewness=sk,
        kurtosis=ku,
        benchmark_sharpe=benchmark_sharpe,
        standard_error=sharpe_standard_error(sr, r.size, sk, ku),
        probabilistic_sharpe_ratio=probabilistic_sharpe_ratio(sr, r.size, sk, ku, benchmark_sharpe),
    )


def deflated_sharpe(
    returns: ArrayLike, trial_sharpes: ArrayLike, *, n_trials: int | None = None
) -> DeflatedSharpe:
    """DSR of the selected strategy's ``returns`` given the per-period Sharpe ratios of every
    trial tried (the selected one included). ``n_trials`` defaults to ``len(trial_sharpes)``;
    pass a smaller *effective* number when trials are strongly correlated."""
    trials = np.asarray(trial_sharpes, dtype=float).ravel()
    trials = trials[np.isfinite(trials)]
    if trials.size < 1:
        raise ValueError("need at least one finite trial Sharpe ratio")
    r = _returns(returns)
    n = int(n_trials if n_trials is not None else trials.size)
    variance = float(trials.var(ddof=1)) if trials.size > 1 else 0.0
    sr, sk, ku = sharpe_ratio(r), skewness(r), kurtosis(r)
    benchmark = expected_max_sharpe(n, variance)
    return DeflatedSharpe(
        sharpe_ratio=sr,
        n_observations=int(r.size),
        skewness=sk,
        kurtosis=ku,
        n_trials=n,
        trials_sharpe_variance=variance,
        expected_max_sharpe=benchmark,
        deflated_sharpe_ratio=probabilistic_sharpe_ratio(sr, r.size, sk, ku, benchmark),
    )
