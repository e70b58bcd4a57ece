"""``compute_metrics``: every metric of one run from its engine equity curve and fills.

Conventions (``docs/metrics.md``): fractions not percent; ``max_drawdown`` <= 0; period returns
are simple returns of the equity marked at each bar close, the first against the initial capital;
``P`` (periods per year) given or inferred as ``(N - 1) / span_years`` (365.25-day years);
``risk_free_rate`` is per year, used per period as ``(1 + rf)^(1/P) - 1``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.errors import InputError, Problem
from pystocksharp.metrics import kernels
from pystocksharp.metrics.models import (
    DrawdownPeriod,
    HistogramBin,
    MonthlyReturn,
    PerformanceMetrics,
    YearlyReturn,
)
from pystocksharp.metrics.trades import round_trips_frame

SECONDS_PER_YEAR = 365.25 * 86400.0
HISTOGRAM_BINS = 20


def infer_periods_per_year(times: pd.Series | pd.DatetimeIndex | np.ndarray) -> float | None:
    """Observed bars per year, ``(N - 1) / span_years`` with 365.25-day years; None if undefined."""
    stamps = pd.DatetimeIndex(pd.to_datetime(times, utc=True))
    if len(stamps) < 2:
        return None
    span = (stamps[-1] - stamps[0]).total_seconds() / SECONDS_PER_YEAR
    return (len(stamps) - 1) / span if span > 0 else None


def rf_per_period(risk_free_rate: float, periods_per_year: float | None) -> float:
    """Per-period risk-free rate ``(1 + rf)^(1/P) - 1`` (0 when P is unknown or rf is 0)."""
    if not risk_free_rate or periods_per_year is None:
        return 0.0
    return (1.0 + risk_free_rate) ** (1.0 / periods_per_year) - 1.0


def _check_equity(equity: pd.DataFrame, initial_capital: float) -> None:
    problems = [
        Problem(f"equity lacks column {c!r}", field=c) for c in ("time", "equity") if c not in equity.columns
    ]
    if not len(equity):
        problems.append(Problem("equity has no rows", field="equity"))
    if not (isinstance(initial_capital, int | float) and initial_capital > 0):
        problems.append(
            Problem(f"initial_capital must be > 0, got {initial_capital!r}", field="initial_capital")
        )
    if "equity" in equity.columns and len(equity) and not np.isfinite(equity["equity"].to_numpy(float)).all():
        problems.append(Problem("equity has NaN or infinite values", field="equity"))
    if "time" in equity.columns and len(equity) > 1:
        stamps = pd.DatetimeIndex(pd.to_datetime(equity["time"], utc=True))
        if not stamps.is_monotonic_increasing:
            problems.append(Problem("equity times must be in increasing order", field="time"))
    if problems:
        raise InputError("bad equity curve", problems)


def _none(value: Any) -> Any:
    """NaN/inf -> None; numpy scalars -> Python numbers."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def benchmark_returns(benchmark: pd.Series | pd.DataFrame, times: pd.DatetimeIndex) -> np.ndarray:
    """Benchmark simple returns aligned to the equity bars (NaN at bar 0 and where unknown).

    ``benchmark`` is a close series indexed by time, or a frame with ``time`` and ``close``; its
    close at each equity bar is the last finite close at or before the bar's time
    (:func:`pystocksharp.benchmark.closes_at`, the alignment the run page draws).
    """
    from pystocksharp.benchmark import closes_at  # noqa: PLC0415
    if isinstance(benchmark, pd.DataFrame):
        missing = [c for c in ("time", "close") if c not in benchmark.columns]
        if missing:
            raise InputError(
                "bad benchmark", [Problem(f"benchmark lacks column {c!r}", field=c) for c in missing]
            )
        series = pd.Series(
            benchmark["close"].to_numpy(float), index=pd.to_datetime(benchmark["time"], utc=True)
        )
    else:
        series = pd.Series(benchmark.to_numpy(float), index=pd.to_datetime(benchmark.index, utc=True))
    closes = closes_at(series, times)
    out = np.full(len(times), np.nan)
    out[1:] = closes[1:] / closes[:-1] - 1.0
    return out


def beta_alpha(
    r: np.ndarray, b: np.ndarray, rf: float, periods_per_year: float | None
) -> tuple[float, float, str | None]:
    """``beta = cov(r, b) / var(b)`` (ddof 1) on the periods where both are known;
    ``alpha = (1 + mean(r - rf - beta (b - rf)))^P - 1``. NaNs and a reason when undefined."""
    ok = np.isfinite(r) & np.isfinite(b)
    if ok.sum() < 2:
        return math.nan, math.nan, "fewer than 2 periods aligned with the benchmark"
    rr, bb = r[ok], b[ok]
    var_b = float(np.var(bb, ddof=1))
    if var_b <= kernels.ZERO_STD**2:
        return math.nan, math.nan, "benchmark returns have zero variance"
    beta = float(np.cov(rr, bb, ddof=1)[0, 1] / var_b)
    if periods_per_year is None:
        return beta, math.nan, None
    excess = float(np.mean(rr - rf - beta * (bb - rf)))
    return beta, (1.0 + excess) ** periods_per_year - 1.0, None


def drawdown_periods(
    equity: np.ndarray, capital: float, times: pd.DatetimeIndex, top: int
) -> list[DrawdownPeriod]:
    """The ``top`` deepest drawdown periods (deepest first); see :class:`DrawdownPeriod`."""
    dd = kernels.drawdown_series(equity[None, :], np.array([capital]))[0]
    peak = np.maximum(np.maximum.accumulate(equity), capital)
    uw = dd < 0
    edges = np.diff(np.concatenate([[0], uw.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    n = len(equity)
    if not len(starts):
        return []
    depths = np.minimum.reduceat(dd, starts)  # bars between runs have dd 0, above any run's depth
    chosen = np.lexsort((starts, depths))[: max(top, 0)]  # deepest first, earlier first on ties
    periods = []
    for k in chosen:
        s, e = int(starts[k]), int(ends[k])
        trough = int(s + np.argmin(dd[s : e + 1]))
        recovery = e + 1 if e + 1 < n else None
        last = recovery if recovery is not None else n - 1
        peak_bar = s - 1
        periods.append(
            DrawdownPeriod(
                peak=times[max(peak_bar, 0)],
                trough=times[trough],
                recovery=None if recovery is None else times[recovery],
                status="recovered" if recovery is not None else "not recovered",
                peak_bar=peak_bar,
                trough_bar=trough,
                recovery_bar=recovery,
                peak_equity=float(peak[s]),
                trough_equity=float(equity[trough]),
                depth=float(dd[trough]),
                length_bars=last - peak_bar,
                duration=(times[last] - times[max(peak_bar, 0)]).total_seconds(),
            )
        )
    return periods


def _period_ends(keys: np.ndarray) -> np.ndarray:
    """Index of the last bar of each run of equal ``keys`` (bars are in time order)."""
    return np.flatnonzero(np.append(keys[1:] != keys[:-1], True))


def period_tables(
    equity: np.ndarray, capital: float, times: pd.DatetimeIndex
) -> tuple[list[MonthlyReturn], list[YearlyReturn]]:
    """Compounded calendar-month and calendar-year returns (UTC): last equity of the period over the
    last equity of the previous period (the initial capital before the first)."""
    years_of = times.year.to_numpy()
    months_of = times.month.to_numpy()
    tables: list[list[Any]] = []
    for keys in (years_of * 12 + months_of - 1, years_of):
        ends = _period_ends(keys)
        last = equity[ends]
        prev = np.concatenate([[capital], last[:-1]])
        tables.append(
            [
                (int(years_of[i]), int(months_of[i]), float(v / q - 1.0))
                for i, v, q in zip(ends, last, prev, strict=True)
            ]
        )
    months = [MonthlyReturn.model_validate({"year": y, "month": m, "return": v}) for y, m, v in tables[0]]
    years = [YearlyReturn.model_validate({"year": y, "return": v}) for y, _, v in tables[1]]
    return months, years


def histogram(r: np.ndarray, bins: int = HISTOGRAM_BINS) -> list[HistogramBin]:
    """Equal-width histogram of the period returns (numpy's ``histogram``); (near-)constant returns, whose range
    is too narrow for equal-width bins, make one bin."""
    finite = r[np.isfinite(r)]
    if not len(finite):
        return []
    n_bins = min(bins, len(finite))
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo <= 4 * n_bins * float(np.spacing(max(abs(lo), abs(hi), 1e-300))):
        return [HistogramBin(left=lo, right=hi, count=len(finite))]
    counts, edges = np.histogram(finite, bins=n_bins)
    return [
        HistogramBin(left=float(a), right=float(b), count=int(c))
        for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)
    ]


def scalar_block(
    equity: np.ndarray, capital: np.ndarray, periods_per_year: float | None, rf_p: float, pnl: np.ndarray
) -> dict[str, np.ndarray]:
    """All scalar metrics computable from equity and round-trip PnLs, per row (NaN if undefined)."""
    p = math.nan if periods_per_year is None else float(periods_per_year)
    out = kernels.return_metrics(equity, capital, p, rf_p)
    out.update(kernels.trade_metrics(pnl))
    return out


#: Metrics computed from the equity returns (their undefined cases are not about trades).
RETURN_BASED = frozenset(
    {"volatility", "return_std", "return_mean", "sharpe_ratio", "sortino_ratio", "skewness", "excess_kurtosis",
     "probabilistic_sharpe_ratio", "calmar_ratio", "annualized_return", "beta", "alpha"}
)  # fmt: skip


def _reason(name: str, ctx: Mapping[str, Any]) -> str:
    """Why metric ``name`` is undefined, from the run's context."""
    n, p, trips = ctx["n"], ctx["p"], ctx["trips"]
    annual = {"annualized_return", "volatility", "sharpe_ratio", "sortino_ratio", "calmar_ratio", "alpha"}
    if name in {"beta", "alpha"} and ctx["beta_reason"]:
        return ctx["beta_reason"]
    if name in annual and p is None:
        return "periods_per_year unknown (fewer than 2 bars or no time span); pass periods_per_year"
    if name == "annualized_return":
        return "final equity is not positive" if ctx["final"] <= 0 else "overflow: growth^(P/N) is not finite"
    if name == "calmar_ratio":
        return "no drawdown (max_drawdown is 0)" if ctx["mdd"] == 0 else "annualized_return undefined"
    if (
        name
        in {
            "volatility",
            "return_std",
            "sharpe_ratio",
            "skewness",
            "excess_kurtosis",
            "probabilistic_sharpe_ratio",
        }
        and n < 2
    ):
        return "fewer than 2 return periods"
    if name == "probabilistic_sharpe_ratio" and n < 3:
        return "fewer than 3 return periods"
    if name in {"sharpe_ratio", "skewness", "excess_kurtosis", "probabilistic_sharpe_ratio"} and ctx["flat"]:
        return "zero volatility of (excess) returns"
    if name == "probabilistic_sharpe_ratio":
        return "PSR denominator 1 - skew*SR + (kurt-1)/4*SR^2 is not positive"
    if name == "sortino_ratio":
        return "no negative excess return (downside deviation is 0)"
    if name == "average_drawdown":
        return "no drawdown"
    if name in RETURN_BASED:
        return "not finite (numeric overflow)"
    if name == "exposure_time":
        return "equity has no position column"
    if name.startswith("long_") or name.startswith("short_"):
        return f"no {name.split('_')[0]} round trips"
    if trips == 0:
        return "no round trips"
    if name in {"profit_factor", "average_loss", "largest_loss"}:
        return "no losing round trip"
    if name in {"average_win", "largest_win"}:
        return "no winning round trip"
    if name == "payoff_ratio":
        return "no winning round trip" if ctx["wins"] == 0 else "no losing round trip"
    if name == "sqn":
        return "fewer than 2 round trips" if trips < 2 else "all round-trip PnLs are equal (std 0)"
    return "undefined"


def compute_metrics(
    equity: pd.DataFrame,
    fills: pd.DataFrame | None,
    *,
    initial_capital: float,
    periods_per_year: float | None = None,
    risk_free_rate: float = 0.0,
    benchmark: pd.Series | pd.DataFrame | None = None,
    top_drawdowns: int = 5,
) -> PerformanceMetrics:
    """Every metric of one run (see ``docs/metrics.md`` for formulas and references).

    ``equity``: the engine's per-bar frame (``time`` UTC, ``equity`` marked at close, optional
    ``position``); ``fills``: the engine's fills (``time``, ``side`` +1/-1, ``price``, ``volume``,
    ``commission``, ``order_id``) or None; ``initial_capital`` in account currency;
    ``periods_per_year`` P (None: inferred from the bar times); ``risk_free_rate`` per year
    (fraction); ``benchmark`` a close series (time index) or frame (``time``, ``close``) for
    beta/alpha. Undefined metrics are None with their reason in ``undefined``.
    """
    _check_equity(equity, initial_capital)
    if periods_per_year is not None and not periods_per_year > 0:
        raise InputError(
            "bad periods_per_year",
            [Problem(f"periods_per_year must be > 0, got {periods_per_year!r}", field="periods_per_year")],
        )
    times = pd.DatetimeIndex(pd.to_datetime(equity["time"], utc=True))
    eq = equity["equity"].to_numpy(dtype=float)
    capital = float(initial_capital)
    inferred = periods_per_year is None
    p = infer_periods_per_year(times) if inferred else float(periods_per_year)  # type: ignore[arg-type]
    rf_p = rf_per_period(risk_free_rate, p)
    trips = round_trips_frame(fills)
    pnl = trips["pnl"].to_numpy(float)
    values: dict[str, Any] = {
        k: v[0] for k, v in scalar_block(eq[None, :], np.array([capital]), p, rf_p, pnl[None, :]).items()
    }
    values.pop("drawdown_periods")
    r = kernels.period_returns(eq[None, :], np.array([capital]))[0]

    beta_reason: str | None = "no benchmark given"
    values["beta"] = values["alpha"] = math.nan
    if benchmark is not None:
        values["beta"], values["alpha"], beta_reason = beta_alpha(
            r, benchmark_returns(benchmark, times), rf_p, p
        )
    values["exposure_time"] = (
        float(np.mean(equity["position"].to_numpy(float) != 0)) if "position" in equity.columns else math.nan
    )
    hold = trips["holding_time"].to_numpy(float)
    values["average_holding_time"] = float(hold.mean()) if len(hold) else math.nan
    values["median_holding_time"] = float(np.median(hold)) if len(hold) else math.nan
    for side in ("long", "short"):
        sel = trips["side"] == side
        side_pnl = pnl[sel.to_numpy()]
        values[f"{side}_round_trips"] = len(side_pnl)
        values[f"{side}_win_rate"] = float((side_pnl > 0).mean()) if len(side_pnl) else math.nan
        values[f"{side}_net_profit"] = float(side_pnl.sum())
    commissions = 0.0 if fills is None or not len(fills) else float(fills["commission"].sum())

    with np.errstate(all="ignore"):
        flat = bool(len(eq) >= 2 and not np.std(r - rf_p, ddof=1) > kernels.ZERO_STD and np.isfinite(r).all())
    ctx = {
        "n": len(eq),
        "p": p,
        "trips": len(pnl),
        "wins": int((pnl > 0).sum()),
        "mdd": values["max_drawdown"],
        "final": float(eq[-1]),
        "flat": flat,
        "beta_reason": beta_reason,
    }
    undefined: dict[str, str] = {}
    clean: dict[str, Any] = {}
    optional = {
        name
        for name, f in PerformanceMetrics.model_fields.items()
        if not f.is_required() or "None" in str(f.annotation)
    }
    for name, value in values.items():
        if name not in PerformanceMetrics.model_fields:
            continue
        number = _none(value)
        if number is None and name in optional:
            undefined[name] = _reason(name, ctx)
        clean[name] = number
    if p is None:
        undefined["periods_per_year"] = (
            "cannot infer: fewer than 2 bars or no time span; pass periods_per_year"
        )
    for name in ("round_trips", "max_consecutive_wins", "max_consecutive_losses"):
        clean[name] = int(clean[name])
    months, years = period_tables(eq, capital, times)
    return PerformanceMetrics(
        initial_capital=capital,
        final_equity=float(eq[-1]),
        bars=len(eq),
        start=times[0],
        end=times[-1],
        periods_per_year=p,
        periods_per_year_inferred=inferred,
        risk_free_rate=float(risk_free_rate),
        commissions=commissions,
        drawdown_periods=drawdown_periods(eq, capital, times, top_drawdowns),
        return_histogram=histogram(r),
        monthly_returns=months,
        yearly_returns=years,
        undefined=dict(sorted(undefined.items())),
        **clean,
    )


def metrics_of_backtest(result: Any, **kwargs: Any) -> PerformanceMetrics:
    """:func:`compute_metrics` of a :class:`pystocksharp.BacktestResult` (its ``equity``, ``trades``
    and ``summary.initial_capital``; its ``benchmark``, if any, unless ``kwargs`` give one); ``kwargs`` as for
    :func:`compute_metrics`. Write it next to ``equity.parquet`` with
    ``pystocksharp.io.atomic_write_json(folder / "performance-metrics.json", m)``."""
    compared = getattr(result, "benchmark", None)
    if kwargs.get("benchmark") is None and compared is not None:
        kwargs["benchmark"] = compared.close
    return compute_metrics(
        result.equity, result.trades, initial_capital=float(result.summary.initial_capital), **kwargs
    )
