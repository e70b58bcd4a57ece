"""Monte Carlo of trade returns: order shuffling and bootstrap resampling (seeded, vectorized).

Input: per-trade returns as fractions of equity at entry (``0.02`` = +2 %), compounding:
equity after ``k`` trades is ``prod(1 + r_i)`` times the start. Statistics per simulated path:

* ``final_return = equity_end / start - 1``;
* ``max_drawdown = min(equity / running_peak - 1)`` (<= 0), the peak starting at the start
  equity, as the engine measures it;
* ``longest_drawdown``: the longest run of consecutive trades with equity below its running
  peak (a run still open at the end counts to the end);
* ruin: equity at or below ``(1 - ruin_loss)`` x start at any point.

**Shuffling** permutes the order of the same trades. Compounding is commutative, so every
shuffled path ends at exactly the original final return: the shuffle shows how path statistics
(drawdowns, ruin) depend on luck of ordering, never how uncertain the final return is.
**Bootstrap** draws ``n_trades`` trades with replacement; its spread of final returns gives the
final-return confidence interval (:class:`~pystocksharp.validation.models.MonteCarloReport`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from pystocksharp.validation.models import Distribution, MonteCarloReport, MonteCarloResult

Method = Literal["shuffle", "bootstrap"]
FAN_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)


def _trade_returns(trade_returns: Sequence[float] | np.ndarray) -> np.ndarray:
    r = np.asarray(trade_returns, dtype=float).ravel()
    if r.size < 1:
        raise ValueError("need at least one trade return")
    if not np.all(np.isfinite(r)):
        raise ValueError("trade returns must be finite")
    if np.any(r < -1.0):
        raise ValueError("a trade return below -1 (a loss over 100 % of equity) is impossible")
    return r


def equity_paths(paths_returns: np.ndarray) -> np.ndarray:
    """Equity multiples (start = 1) after each trade, row-wise cumulative product."""
    return np.cumprod(1.0 + np.atleast_2d(paths_returns), axis=1)


def max_drawdowns(equity: np.ndarray) -> np.ndarray:
    """Per row: ``min(equity / running_peak - 1)`` with the peak starting at 1 (<= 0)."""
    peak = np.maximum(np.maximum.accumulate(equity, axis=1), 1.0)
    return np.minimum((equity / peak - 1.0).min(axis=1), 0.0)


def longest_drawdowns(equity: np.ndarray) -> np.ndarray:
    """Per row: longest run of consecutive trades with equity strictly below its running peak."""
    peak = np.maximum(np.maximum.accumulate(equity, axis=1), 1.0)
    under = equity < peak
    steps = np.arange(equity.shape[1])
    last_at_peak = np.maximum.accumulate(np.where(under, -1, steps), axis=1)
    runs = np.where(under, steps - last_at_peak, 0)
    return runs.max(axis=1).astype(float)


def simulate_paths(
    trade_returns: Sequence[float] | np.ndarray,
    method: Method,
    n_simulations: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Simulated trade-return paths (simulations x trades) by ``method``."""
    r = _trade_returns(trade_returns)
    if n_simulations < 1:
        raise ValueError("n_simulations must be >= 1")
    if method == "shuffle":
        return rng.permuted(np.broadcast_to(r, (n_simulations, r.size)), axis=1)
    if method == "bootstrap":
        return r[rng.integers(0, r.size, size=(n_simulations, r.size))]
    raise ValueError(f"method must be 'shuffle' or 'bootstrap', got {method!r}")


def _distribution(values: np.ndarray, original: float, confidence: tuple[float, float]) -> Distribution:
    lower, upper = np.quantile(values, confidence)
    return Distribution(
        original=float(original),
        mean=float(values.mean()),
        median=float(np.median(values)),
        std=float(values.std(ddof=1)) if values.size > 1 else 0.0,
        lower=float(lower),
        upper=float(upper),
        values=values.tolist(),
    )


def _check(confidence: tuple[float, float], ruin_loss: float) -> None:
    low, high = confidence
    if not 0.0 <= low < high <= 1.0:
        raise ValueError(f"confidence must be quantiles 0 <= low < high <= 1, got {confidence}")
    if not 0.0 < ruin_loss <= 1.0:
        raise ValueError(f"ruin_loss must be in (0, 1], got {ruin_loss}")


def monte_carlo_method(
    trade_returns: Sequence[float] | np.ndarray,
    method: Method,
    *,
    n_simulations: int = 1000,
    seed: int | None = None,
    confidence: tuple[float, float] = (0.05, 0.95),
    ruin_loss: float = 0.5,
) -> MonteCarloResult:
    """Distributions of final return, max drawdown and longest drawdown over ``n_simulations``
    paths by ``method``, and the probability of ruin (equity <= (1 - ruin_loss) x start)."""
    _check(confidence, ruin_loss)
    r = _trade_returns(trade_returns)
    rng = np.random.default_rng(seed)
    equity = equity_paths(simulate_paths(r, method, n_simulations, rng))
    original = equity_paths(r)
    ruined = equity.min(axis=1) <= 1.0 - ruin_loss
    return MonteCarloResult(
        method=method,
        n_simulations=n_simulations,
        n_trades=int(r.size),
        seed=seed,
        confidence=confidence,
        ruin_loss=ruin_loss,
        final_return=_distribution(equity[:, -1] - 1.0, original[0, -1] - 1.0, confidence),
        max_drawdown=_distribution(max_drawdowns(equity), max_drawdowns(original)[0], confidence),
        longest_drawdown=_distribution(longest_drawdowns(equity), longest_drawdowns(original)[0], confidence),
        probability_of_ruin=float(ruined.mean()),
    )


def monte_carlo(
    trade_returns: Sequence[float] | np.ndarray,
    *,
    n_simulations: int = 1000,
    seed: int | None = None,
    confidence: tuple[float, float] = (0.05, 0.95),
    ruin_loss: float = 0.5,
) -> MonteCarloReport:
    """Shuffle and bootstrap of the same trades. Two independent child seeds are spawned from
    ``seed`` (numpy ``SeedSequence``) and recorded in each result, so both are reproducible."""
    seeds = np.random.SeedSequence(seed).spawn(2)
    shuffle_seed, boot_seed = (int(s.generate_state(1)[0]) for s in seeds)
    kwargs = {"n_simulations": n_simulations, "confidence": confidence, "ruin_loss": ruin_loss}
    shuffle = monte_carlo_method(trade_returns, "shuffle", seed=shuffle_seed, **kwargs)  # type: ignore[arg-type]
    boot = monte_carlo_method(trade_returns, "bootstrap", seed=boot_seed, **kwargs)  # type: ignore[arg-type]
    return MonteCarloReport(
        shuffle=shuffle,
        bootstrap=boot,
        final_return_ci=(boot.final_return.lower, boot.final_return.upper),
        max_drawdown_ci=(shuffle.max_drawdown.lower, shuffle.max_drawdown.upper),
        longest_drawdown_ci=(shuffle.longest_drawdown.lower, shuffle.longest_drawdown.upper),
        probability_of_ruin=boot.probability_of_ruin,
    )


def equity_fan(
    trade_returns: Sequence[float] | np.ndarray,
    method: Method = "bootstrap",
    *,
    n_simulations: int = 1000,
    seed: int | None = None,
    quantiles: Sequence[float] = FAN_QUANTILES,
) -> pd.DataFrame:
    """Quantiles of simulated equity (multiple of start, 1.0 = unchanged) after each trade:
    columns ``step`` (0 = start) and ``p05``, ``p25``, ... for a fan chart."""
    rng = np.random.default_rng(seed)
    equity = equity_paths(simulate_paths(trade_returns, method, n_simulations, rng))
    equity = np.hstack([np.ones((equity.shape[0], 1)), equity])
    levels = np.quantile(equity, list(quantiles), axis=0)
    frame = pd.DataFrame({f"p{round(q * 100):02d}": row for q, row in zip(quantiles, levels, strict=True)})
    frame.insert(0, "step", np.arange(equity.shape[1]))
    return frame
