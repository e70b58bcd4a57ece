"""Probability of backtest overfitting (PBO) by combinatorially symmetric cross-validation.

Bailey, Borwein, López de Prado and Zhu, "The Probability of Backtest Overfitting", Journal of
Computational Finance 20(4), 2017 (working paper 2013/2015).

Input is a performance matrix ``M`` of shape (periods x combinations): per-period returns
(fractions) of every parameter combination tried, rows in time order. Rows are split into ``S``
contiguous blocks of equal size (the oldest ``T mod S`` rows are dropped). For each of the
``C(S, S/2)`` ways to pick half the blocks as in-sample (IS, the rest out-of-sample, OOS):

1. the IS-best combination ``n*`` maximizes the metric over the IS rows;
2. ``ω`` is the relative rank of ``n*`` among all combinations OOS, ``rank / (N + 1)``
   (rank 1 = worst, N = best; ties take the average rank);
3. ``λ = ln(ω / (1 - ω))``.

``PBO = share of λ <= 0``: how often the IS winner is at or below the OOS median.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from pystocksharp.validation.models import OverfittingResult

#: Metric of one block set: (rows x combinations) returns -> one value per combination.
MetricFn = Callable[[np.ndarray], np.ndarray]

_CHUNK = 128


def split_indicator(n_blocks: int) -> np.ndarray:
    """All ``C(S, S/2)`` IS block choices as a 0/1 matrix (splits x blocks), lexicographic."""
    if n_blocks < 2 or n_blocks % 2:
        raise ValueError(f"n_blocks must be an even number >= 2, got {n_blocks}")
    combos = list(itertools.combinations(range(n_blocks), n_blocks // 2))
    out = np.zeros((len(combos), n_blocks), dtype=float)
    rows = np.repeat(np.arange(len(combos)), n_blocks // 2)
    out[rows, np.asarray(combos).ravel()] = 1.0
    return out


def _sharpe_inplace(total: np.ndarray, squares: np.ndarray, scratch: np.ndarray, count: float) -> np.ndarray:
    """Per-period Sharpe (std ddof=1) from sums over ``count`` rows, written into ``squares``;
    0 where the variance is 0. In place (no allocation of full-size arrays): the CSCV hot loop."""
    np.multiply(total, total, out=scratch)
    scratch /= count
    np.subtract(squares, scratch, out=squares)
    squares /= count - 1.0
    np.maximum(squares, 0.0, out=squares)
    np.sqrt(squares, out=squares)
    flat = squares <= 1e-15
    np.maximum(squares, 1e-15, out=squares)
    np.divide(total, squares, out=squares)
    squares /= count
    squares[flat] = 0.0
    return squares


def _relative_rank(oos: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """ω per split: average rank (1 = worst) of the chosen column's OOS value / (N + 1)."""
    picked = oos[np.arange(oos.shape[0]), chosen][:, None]
    below = np.sum(oos < picked, axis=1)
    equal = np.sum(oos == picked, axis=1)
    rank = below + (equal + 1) / 2.0
    return rank / (oos.shape[1] + 1.0)


def _as_matrix(performance: pd.DataFrame | np.ndarray) -> np.ndarray:
    matrix = np.asarray(performance, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"performance must be 2-D (periods x combinations), got shape {matrix.shape}")
    if matrix.shape[1] < 2:
        raise ValueError("need at least 2 combinations (columns)")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("performance has NaN or infinite values; fill them (e.g. 0 for no position)")
    return matrix


def _blocks(matrix: np.ndarray, n_blocks: int) -> np.ndarray:
    """The newest ``n_blocks * (T // n_blocks)`` rows of a (T periods x combinations) matrix as ``n_blocks``
    contiguous blocks (blocks x rows x combinations; the oldest ``T mod n_blocks`` rows are dropped)."""
    block_size = matrix.shape[0] // n_blocks
    if block_size < 2:
        raise ValueError(f"need at least {2 * n_blocks} periods for {n_blocks} blocks, got {matrix.shape[0]}")
    return matrix[matrix.shape[0] - block_size * n_blocks :].reshape(n_blocks, block_size, matrix.shape[1])


def _block_sums(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each block's sum and sum of squares per combination (blocks x combinations): what :func:`_split_metrics` adds up."""
    return blocks.sum(axis=1), np.einsum("bij,bij->bj", blocks, blocks)


class _Buffers:
    """Reusable (chunk x combinations) work arrays, so the loop over splits allocates nothing big."""

    def __init__(self, rows: int, cols: int) -> None:
        self.is_sum, self.oos_sum, self.is_sq, self.oos_sq, self.scratch = (
            np.empty((rows, cols)) for _ in range(5)
        )

    def view(self, rows: int) -> tuple[np.ndarray, ...]:
        return tuple(a[:rows] for a in (self.is_sum, self.oos_sum, self.is_sq, self.oos_sq, self.scratch))


def _split_metrics(
    blocks: np.ndarray,
    sums: tuple[np.ndarray, np.ndarray],
    splits: np.ndarray,
    metric: str | MetricFn,
    buffers: _Buffers,
) -> tuple[np.ndarray, np.ndarray]:
    """IS and OOS metric (splits x combinations) for every split; ``sums`` are the per-block
    sums and sums of squares (blocks x combinations). Results may be views of ``buffers``."""
    n_blocks, block_size, n_combos = blocks.shape
    if callable(metric):
        is_out = np.empty((splits.shape[0], n_combos))
        oos_out = np.empty_like(is_out)
        for i, row in enumerate(splits.astype(bool)):
            is_out[i] = metric(blocks[row].reshape(-1, n_combos))
            oos_out[i] = metric(blocks[~row].reshape(-1, n_combos))
        return is_out, oos_out
    block_sums, block_squares = sums
    is_sum, oos_sum, is_sq, oos_sq, scratch = buffers.view(splits.shape[0])
    count = float(n_blocks // 2 * block_size)
    np.einsum("sb,bc->sc", splits, block_sums, out=is_sum)  # no BLAS threads
    np.subtract(block_sums.sum(axis=0)[None, :], is_sum, out=oos_sum)
    if metric == "mean":
        return np.divide(is_sum, count, out=is_sq), np.divide(oos_sum, count, out=oos_sq)
    np.einsum("sb,bc->sc", splits, block_squares, out=is_sq)
    np.subtract(block_squares.sum(axis=0)[None, :], is_sq, out=oos_sq)
    return (
        _sharpe_inplace(is_sum, is_sq, scratch, count),
        _sharpe_inplace(oos_sum, oos_sq, scratch, count),
    )


def _regression(x: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """OLS ``y = a + b x``: (slope b, intercept a, R²); None when x is constant."""
    dx = x - x.mean()
    sxx = float(dx @ dx)
    if sxx <= 0:
        return None, None, None
    slope = float(dx @ (y - y.mean())) / sxx
    intercept = float(y.mean() - slope * x.mean())
    resid = y - (intercept + slope * x)
    syy = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(resid @ resid) / syy if syy > 0 else None
    return slope, intercept, r2


def probability_of_backtest_overfitting(
    performance: pd.DataFrame | np.ndarray,
    n_blocks: int = 16,
    *,
    metric: str | MetricFn = "sharpe",
) -> OverfittingResult:
    """CSCV PBO of a (periods x combinations) matrix of per-period returns (fractions).

    ``metric``: "sharpe" (per-period Sharpe of the rows of a block set, default), "mean", or a
    callable taking a (rows x combinations) array and returning one value per combination
    (slower: one call per split and side). Vectorized over splits for the built-in metrics:
    2,000 combinations x 1,000 periods with S = 16 (12,870 splits) takes about a second.
    """
    matrix = _as_matrix(performance)
    splits = split_indicator(n_blocks)
    blocks = _blocks(matrix, n_blocks)
    used = blocks.shape[0] * blocks.shape[1]
    if not callable(metric) and metric not in ("sharpe", "mean"):
        raise ValueError(f"metric must be 'sharpe', 'mean' or a callable, got {metric!r}")
    sums = _block_sums(blocks)
    n_splits = splits.shape[0]
    ranks = np.empty(n_splits)
    chosen_all = np.empty(n_splits, dtype=int)
    is_best = np.empty(n_splits)
    oos_best = np.empty(n_splits)
    buffers = _Buffers(min(_CHUNK, n_splits), matrix.shape[1])
    for start in range(0, n_splits, _CHUNK):
        part = splits[start : start + _CHUNK]
        is_values, oos_values = _split_metrics(blocks, sums, part, metric, buffers)
        chosen = np.argmax(is_values, axis=1)
        rows = np.arange(part.shape[0])
        stop = start + part.shape[0]
        chosen_all[start:stop] = chosen
        is_best[start:stop] = is_values[rows, chosen]
        oos_best[start:stop] = oos_values[rows, chosen]
        ranks[start:stop] = _relative_rank(oos_values, chosen)
    logits = np.log(ranks / (1.0 - ranks))
    slope, intercept, r2 = _regression(is_best, oos_best)
    return OverfittingResult(
        pbo=float(np.mean(logits <= 0.0)),
        n_blocks=n_blocks,
        n_splits=n_splits,
        n_periods_used=used,
        n_combinations=matrix.shape[1],
        metric=metric if isinstance(metric, str) else getattr(metric, "__name__", "custom"),
        logits=logits.tolist(),
        relative_ranks=ranks.tolist(),
        best_is_combination=chosen_all.tolist(),
        is_performance=is_best.tolist(),
        oos_performance=oos_best.tolist(),
        degradation_slope=slope,
        degradation_intercept=intercept,
        degradation_r2=r2,
        probability_oos_loss=float(np.mean(oos_best < 0.0)),
    )


#: Combinations whose CSCV OOS values are held at once by :func:`cscv_median_oos_sharpe` (12,870 splits x 256 x 8 B).
_COLUMN_CHUNK = 256


def cscv_median_oos_sharpe(performance: pd.DataFrame | np.ndarray, n_blocks: int = 16) -> np.ndarray:
    """Each combination's median, over the ``C(S, S/2)`` CSCV splits, of its per-period Sharpe on the split's
    out-of-sample blocks (the blocks as in :func:`probability_of_backtest_overfitting`; 0 where a block set's
    returns do not vary). Every half of the blocks is the OOS side of exactly one split, so this is the median
    Sharpe over all halves of the history: a score no single lucky stretch decides, which a selection can
    maximize instead of the in-sample best (``walk_forward(select="cscv")``)."""
    matrix = np.asarray(performance, dtype=float)
    if matrix.ndim != 2 or not np.all(np.isfinite(matrix)):
        raise ValueError(f"performance must be a finite 2-D (periods x combinations) matrix, got shape {matrix.shape}")
    splits = split_indicator(n_blocks)
    blocks = _blocks(matrix, n_blocks)
    out = np.empty(matrix.shape[1])
    for start in range(0, matrix.shape[1], _COLUMN_CHUNK):
        part = blocks[:, :, start : start + _COLUMN_CHUNK]
        buffers = _Buffers(splits.shape[0], part.shape[2])
        _, oos = _split_metrics(part, _block_sums(part), splits, "sharpe", buffers)
        out[start : start + part.shape[2]] = np.median(oos, axis=0)
    return out


def n_splits(n_blocks: int) -> int:
    """Number of CSCV splits, ``C(S, S/2)`` (12,870 for S = 16)."""
    return math.comb(n_blocks, n_blocks // 2)


def returns_matrix(equities: Mapping[str, pd.Series]) -> pd.DataFrame:
    """The (periods x combinations) input of :func:`probability_of_backtest_overfitting` from
    per-combination equity curves on the same bars: simple returns per bar (fractions), one
    column per key, the first bar's return 0 (no previous value), missing bars 0 (flat)."""
    if not equities:
        raise ValueError("no equity curves")
    frame = pd.DataFrame({name: curve.astype(float) for name, curve in equities.items()})
    return frame.pct_change().fillna(0.0)
