"""Scalar metric kernels vectorized across curves: every function takes 2-D arrays (curves x points).

Both :func:`pystocksharp.metrics.compute_metrics` (one curve, shape ``(1, N)``) and
:func:`pystocksharp.metrics.compute_metrics_batch` (many curves) call these, so the two paths
agree by construction on the formulas; the hand-worked tests pin the formulas themselves.

Conventions (see ``docs/metrics.md``): returns are simple per-period fractions, the first one
``equity[0] / capital - 1``; ``P`` is periods per year; ``rf`` the risk-free rate per period.
Undefined results are NaN here; the callers turn them into ``null`` plus a reason.
"""

from __future__ import annotations

import math

import numpy as np

#: Standard deviations at or below this are treated as zero (float noise of constant returns).
ZERO_STD = 1e-12
#: Drawdowns shallower than this (relative) are float rounding, counted as 0 (not under water).
ZERO_DRAWDOWN = 1e-12

FloatArray = np.ndarray


def period_returns(equity: FloatArray, capital: FloatArray) -> FloatArray:
    """Simple returns per bar (fractions): ``r_0 = e_0 / capital - 1``, ``r_t = e_t / e_{t-1} - 1``."""
    prev = np.concatenate([capital.reshape(-1, 1), equity[:, :-1]], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return equity / prev - 1.0


def drawdown_series(equity: FloatArray, capital: FloatArray) -> FloatArray:
    """``equity / running_peak - 1`` per bar (<= 0), the running peak starting at the capital;
    values above ``-ZERO_DRAWDOWN`` (float rounding) are 0."""
    peak = np.maximum(np.maximum.accumulate(equity, axis=1), capital.reshape(-1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = equity / peak - 1.0
    return np.where(dd > -ZERO_DRAWDOWN, 0.0, dd)


def underwater_depths(dd: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per curve: the number of drawdown periods and the mean of their depths (NaN if none).

    A drawdown period is a maximal run of bars with ``dd < 0``; its depth is the run's minimum.
    """
    n, t = dd.shape
    uw = dd < 0
    prev = np.zeros_like(uw)
    prev[:, 1:] = uw[:, :-1]
    starts = uw & ~prev
    count = starts.sum(axis=1)
    mean = np.full(n, np.nan)
    if not count.any():
        return count.astype(float), mean
    flat_dd = np.where(uw, dd, np.inf).ravel()
    flat_starts = np.flatnonzero(starts.ravel())
    # each run ends before the next start (or the end of its row); a run never crosses rows because
    # the next row's first underwater bar is itself a start, and non-underwater bars hold +inf.
    depths = np.minimum.reduceat(flat_dd, flat_starts)
    rows = flat_starts // t
    sums = np.bincount(rows, weights=depths, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, sums / np.maximum(count, 1), np.nan)
    return count.astype(float), mean


def moments(x: FloatArray) -> dict[str, FloatArray]:
    """Mean, std (ddof=1), skewness and excess kurtosis per row.

    Skewness ``m3 / m2^1.5`` and kurtosis ``m4 / m2^2`` use the sample's central moments
    ``m_k = mean((x - mean)^k)`` (the moment estimators of Bailey & López de Prado 2012);
    NaN when fewer than 2 points or zero dispersion.
    """
    n = x.shape[1]
    mean = x.mean(axis=1) if n else np.full(x.shape[0], np.nan)
    dev = x - mean[:, None]
    dev2 = dev * dev  # products, not float powers: ** 3 / ** 4 go through pow() and are ~10x slower
    m2 = dev2.mean(axis=1) if n else np.full(x.shape[0], np.nan)
    std = np.sqrt(m2 * n / (n - 1)) if n > 1 else np.full(x.shape[0], np.nan)
    flat = ~(std > ZERO_STD)
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = (dev2 * dev).mean(axis=1) / m2**1.5 if n else np.full(x.shape[0], np.nan)
        kurt = (dev2 * dev2).mean(axis=1) / m2**2 if n else np.full(x.shape[0], np.nan)
    skew = np.where(flat, np.nan, skew)
    kurt = np.where(flat, np.nan, kurt)
    return {"mean": mean, "std": std, "skewness": skew, "kurtosis": kurt, "flat": flat}


def normal_cdf(z: FloatArray) -> FloatArray:
    """Standard normal CDF, ``(1 + erf(z / sqrt 2)) / 2``, NaN passed through."""
    erf = np.vectorize(
        lambda v: math.erf(v) if math.isfinite(v) else (math.copysign(1.0, v) if v == v else v)
    )
    return 0.5 * (1.0 + erf(np.asarray(z, dtype=float) / math.sqrt(2.0)))


def return_metrics(
    equity: FloatArray, capital: FloatArray, periods_per_year: float, rf_per_period: float
) -> dict[str, FloatArray]:
    """Return, risk and distribution metrics per curve (NaN where undefined).

    ``periods_per_year`` may be NaN (unknown: the annualized metrics are then NaN).
    """
    with np.errstate(all="ignore"):  # overflow of extreme curves ends as NaN/inf, reported as undefined
        return _return_metrics(equity, capital, periods_per_year, rf_per_period)


def _return_metrics(
    equity: FloatArray, capital: FloatArray, periods_per_year: float, rf_per_period: float
) -> dict[str, FloatArray]:
    n_points = equity.shape[1]
    r = period_returns(equity, capital)
    x = r - rf_per_period if rf_per_period else r
    p = float(periods_per_year)
    mr = moments(r)
    mx = moments(x) if rf_per_period else mr
    out: dict[str, FloatArray] = {}
    final = equity[:, -1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out["total_return"] = final / capital - 1.0
        out["net_profit"] = final - capital
        growth = final / capital
        out["annualized_return"] = np.where(growth > 0, np.abs(growth) ** (p / n_points) - 1.0, np.nan)
        out["volatility"] = mr["std"] * math.sqrt(p) if p == p else np.full_like(final, np.nan)
        sr = np.where(mx["flat"], np.nan, mx["mean"] / mx["std"])
        out["sharpe_ratio"] = sr * math.sqrt(p)
        downside = np.sqrt((np.minimum(x, 0.0) ** 2).mean(axis=1))
        out["sortino_ratio"] = np.where(
            downside > ZERO_STD, mx["mean"] * p / (downside * math.sqrt(p)), np.nan
        )
        # PSR (Bailey & López de Prado 2012) against SR* = 0 on the per-period Sharpe ratio
        denom = 1.0 - mx["skewness"] * sr + (mx["kurtosis"] - 1.0) / 4.0 * sr**2
        z = np.where(denom > 0, sr * math.sqrt(max(n_points - 1, 0)) / np.sqrt(denom), np.nan)
        out["probabilistic_sharpe_ratio"] = np.where(n_points >= 3, normal_cdf(z), np.nan)
    dd = drawdown_series(equity, capital)
    mdd = dd.min(axis=1)
    out["max_drawdown"] = np.minimum(mdd, 0.0) + 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        out["calmar_ratio"] = np.where(mdd < 0, out["annualized_return"] / np.abs(mdd), np.nan)
    out["time_under_water"] = (dd < 0).mean(axis=1)
    count, avg = underwater_depths(dd)
    out["drawdown_periods"] = count
    out["average_drawdown"] = avg
    out["return_mean"] = mr["mean"]
    out["return_std"] = mr["std"]
    out["skewness"] = mr["skewness"]
    out["excess_kurtosis"] = mr["kurtosis"] - 3.0
    for level, name in ((0.95, "95"), (0.99, "99")):
        var = np.quantile(r, 1.0 - level, axis=1)
        tail = np.where(r <= var[:, None], r, np.nan)
        out[f"var_{name}"] = var
        with np.errstate(invalid="ignore"):
            out[f"cvar_{name}"] = np.nanmean(tail, axis=1)
    out["best_period"] = r.max(axis=1)
    out["worst_period"] = r.min(axis=1)
    return out


def max_run(flags: FloatArray) -> FloatArray:
    """Longest run of True per row (0 if none)."""
    if flags.shape[1] == 0:
        return np.zeros(flags.shape[0])
    c = np.cumsum(flags, axis=1)
    resets = np.maximum.accumulate(np.where(flags, 0, c), axis=1)
    return (c - resets).max(axis=1).astype(float)


def trade_metrics(pnl: FloatArray) -> dict[str, FloatArray]:
    """Round-trip statistics per row of net PnLs (account currency), NaN-padded on the right.

    A win is ``pnl > 0``, a loss ``pnl < 0`` (a zero PnL is neither and breaks both streaks).
    """
    valid = ~np.isnan(pnl)
    n = valid.sum(axis=1).astype(float)
    p0 = np.where(valid, pnl, 0.0)
    wins = valid & (p0 > 0)
    losses = valid & (p0 < 0)
    nw, nl = wins.sum(axis=1).astype(float), losses.sum(axis=1).astype(float)
    gp = np.where(wins, p0, 0.0).sum(axis=1)
    gl = np.where(losses, p0, 0.0).sum(axis=1)
    out: dict[str, FloatArray] = {"round_trips": n, "gross_profit": gp, "gross_loss": gl}
    with np.errstate(divide="ignore", invalid="ignore"):
        out["win_rate"] = np.where(n > 0, nw / n, np.nan)
        out["profit_factor"] = np.where(nl > 0, gp / np.abs(gl), np.nan)
        out["average_win"] = np.where(nw > 0, gp / nw, np.nan)
        out["average_loss"] = np.where(nl > 0, gl / nl, np.nan)
        out["largest_win"] = np.where(
            nw > 0, np.where(wins, p0, -np.inf).max(axis=1, initial=-np.inf), np.nan
        )
        out["largest_loss"] = np.where(
            nl > 0, np.where(losses, p0, np.inf).min(axis=1, initial=np.inf), np.nan
        )
        mean = np.where(n > 0, p0.sum(axis=1) / n, np.nan)
        out["expectancy"] = mean
        out["payoff_ratio"] = np.where(
            (nw > 0) & (nl > 0), out["average_win"] / np.abs(out["average_loss"]), np.nan
        )
        var = np.where(valid, (p0 - mean[:, None]) ** 2, 0.0).sum(axis=1) / (n - 1)
        std = np.sqrt(var)
        out["sqn"] = np.where((n > 1) & (std > ZERO_STD), np.sqrt(n) * mean / std, np.nan)
    out["max_consecutive_wins"] = max_run(wins)
    out["max_consecutive_losses"] = max_run(losses)
    return out
