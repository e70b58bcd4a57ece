"""Property tests of the metrics (hypothesis) and batch == per-curve."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pystocksharp.errors import InputError
from pystocksharp.metrics import BATCH_COLUMNS, compute_metrics, compute_metrics_batch, round_trips_frame

RATIOS = (
    "total_return", "annualized_return", "max_drawdown", "volatility", "sharpe_ratio", "sortino_ratio",
    "calmar_ratio", "probabilistic_sharpe_ratio", "time_under_water", "average_drawdown", "return_mean",
    "return_std", "skewness", "excess_kurtosis", "var_95", "cvar_95", "best_period", "worst_period",
)  # fmt: skip

returns_lists = st.lists(st.floats(-0.2, 0.2, allow_nan=False), min_size=3, max_size=10)


def frame_from_returns(returns: list[float], capital: float = 100.0) -> pd.DataFrame:
    equity = capital * np.cumprod(1.0 + np.asarray(returns))
    return pd.DataFrame(
        {"time": pd.date_range("2024-01-01", periods=len(returns), freq="D", tz="UTC"), "equity": equity}
    )


def same(a: float | None, b: float | None, rel: float = 1e-7, abs_: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


@settings(max_examples=60, deadline=None)
@given(returns_lists, st.floats(0.01, 1000.0))
def test_scaling_equity_changes_no_ratio(returns: list[float], k: float) -> None:
    base = frame_from_returns(returns)
    scaled = base.assign(equity=base["equity"] * k)
    m1 = compute_metrics(base, None, initial_capital=100.0, periods_per_year=252)
    m2 = compute_metrics(scaled, None, initial_capital=100.0 * k, periods_per_year=252)
    for name in RATIOS:
        a, b = getattr(m1, name), getattr(m2, name)
        # near-zero-volatility curves sit on the undefined threshold; compare only when both are defined
        if name in (
            "sharpe_ratio",
            "skewness",
            "excess_kurtosis",
            "probabilistic_sharpe_ratio",
            "sortino_ratio",
        ) and (a is None or b is None):
            continue
        assert same(a, b, rel=1e-6, abs_=1e-9), (name, a, b)
    assert same(m2.net_profit, m1.net_profit * k, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(returns_lists, st.floats(-0.1, 0.1))
def test_shifting_returns_shifts_the_mean(returns: list[float], c: float) -> None:
    m1 = compute_metrics(frame_from_returns(returns), None, initial_capital=100.0, periods_per_year=252)
    m2 = compute_metrics(
        frame_from_returns([r + c for r in returns]), None, initial_capital=100.0, periods_per_year=252
    )
    assert m2.return_mean == pytest.approx(m1.return_mean + c, abs=1e-12)
    assert m2.best_period == pytest.approx(m1.best_period + c, abs=1e-12)
    if m1.return_std is not None and m1.return_std > 1e-6:
        assert m2.return_std == pytest.approx(m1.return_std, rel=1e-6)  # dispersion is unchanged


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 0.2, allow_nan=False), min_size=1, max_size=10))
def test_rising_curve_has_no_drawdown(returns: list[float]) -> None:
    m = compute_metrics(frame_from_returns(returns), None, initial_capital=100.0, periods_per_year=252)
    assert m.max_drawdown == 0.0 and m.time_under_water == 0.0 and m.drawdown_periods == []
    assert m.calmar_ratio is None and m.average_drawdown is None


fill_rows = st.lists(
    st.tuples(st.sampled_from([1, -1]), st.integers(1, 50), st.integers(1, 5), st.integers(0, 20)),
    min_size=1,
    max_size=12,
)


def random_fills(rows: list[tuple[int, int, int, int]], flatten: bool) -> pd.DataFrame:
    """(side, price, volume, commission cents) per fill; optionally a last fill that flattens."""
    pos = sum(s * v for s, _, v, _ in rows)
    if flatten and pos:
        rows = [*rows, (-1 if pos > 0 else 1, 25, abs(pos), 7)]
    t = pd.date_range("2024-01-01", periods=len(rows), freq="h", tz="UTC")
    return pd.DataFrame(
        {
            "time": t,
            "side": [r[0] for r in rows],
            "price": [float(r[1]) for r in rows],
            "volume": [float(r[2]) for r in rows],
            "commission": [r[3] / 100 for r in rows],
            "order_id": range(len(rows)),
        }
    )


@settings(max_examples=80, deadline=None)
@given(fill_rows)
def test_round_trips_of_a_flat_book_add_up_to_the_cash_flows(rows) -> None:
    # independent path: when the book ends flat, total gross PnL = sum of -side * price * volume
    fills = random_fills(rows, flatten=True)
    trips = round_trips_frame(fills)
    cash = float((-fills["side"] * fills["price"] * fills["volume"]).sum())
    assert trips["gross_pnl"].sum() == pytest.approx(cash, abs=1e-9)
    assert trips["commission"].sum() == pytest.approx(fills["commission"].sum(), abs=1e-9)
    # each unit bought is matched once: matched volume = total volume / 2
    assert trips["volume"].sum() == pytest.approx(fills["volume"].sum() / 2)


def test_batch_equals_per_curve() -> None:
    rng = np.random.default_rng(3)
    n, t = 25, 60
    times = pd.date_range("2020-01-01", periods=t, freq="B", tz="UTC")
    equity = 1000.0 * np.cumprod(1.0 + rng.normal(0.001, 0.02, size=(n, t)), axis=1)
    equity[0] = 1000.0  # a flat curve: sharpe etc. undefined
    equity[1] = np.linspace(1001.0, 1100.0, t)  # rising: no drawdown
    fills_per_curve = [random_fills([tuple(int(v) for v in row) for row in zip(rng.choice([1, -1], k), rng.integers(1, 50, k), rng.integers(1, 5, k), rng.integers(0, 20, k), strict=True)], flatten=bool(i % 2))
                       for i, k in enumerate(rng.integers(0, 12, n))]  # fmt: skip
    batch = compute_metrics_batch(
        equity, fills_per_curve, initial_capital=1000.0, times=times, risk_free_rate=0.02
    )
    for i in range(n):
        eq = pd.DataFrame({"time": times, "equity": equity[i]})
        single = compute_metrics(eq, fills_per_curve[i], initial_capital=1000.0, risk_free_rate=0.02)
        for name in BATCH_COLUMNS:
            got = batch.loc[i, name]
            want = getattr(single, name)
            if want is None:
                assert np.isnan(got), (i, name, got)
            else:
                assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (i, name)
    assert batch["sharpe_ratio"].isna().iloc[0] and batch["max_drawdown"].iloc[1] == 0.0
    # PnLs given directly (NaN-padded matrix) give the same trade statistics
    pnl = [round_trips_frame(f)["pnl"].to_numpy() for f in fills_per_curve]
    width = max(len(p) for p in pnl)
    matrix = np.full((n, width), np.nan)
    for i, p in enumerate(pnl):
        matrix[i, : len(p)] = p
    again = compute_metrics_batch(equity, matrix, initial_capital=1000.0, times=times, risk_free_rate=0.02)
    pd.testing.assert_frame_equal(again, batch)


@settings(max_examples=40, deadline=None)
@given(returns_lists, st.floats(0.0, 0.1), st.sampled_from([4.0, 12.0, 252.0]))
def test_ratios_equal_an_independent_pandas_computation(
    returns: list[float], rf_year: float, p: float
) -> None:
    frame = frame_from_returns(returns)
    m = compute_metrics(frame, None, initial_capital=100.0, periods_per_year=p, risk_free_rate=rf_year)
    r = pd.concat([pd.Series([100.0]), frame["equity"]], ignore_index=True).pct_change().dropna()
    x = r - ((1 + rf_year) ** (1 / p) - 1)
    assert m.volatility == pytest.approx(r.std() * math.sqrt(p), rel=1e-9, abs=1e-12)
    if x.std() > 1e-9:
        assert m.sharpe_ratio == pytest.approx(x.mean() / x.std() * math.sqrt(p), rel=1e-6)
    downside = math.sqrt((x.clip(upper=0) ** 2).mean())
    if downside > 1e-9:
        assert m.sortino_ratio == pytest.approx(x.mean() * p / (downside * math.sqrt(p)), rel=1e-6)
    dd = frame["equity"] / np.maximum(frame["equity"].cummax(), 100.0) - 1
    assert m.max_drawdown == pytest.approx(min(dd.min(), 0.0), abs=1e-12)


def test_batch_positions_commissions_and_bad_input() -> None:
    eq = np.array([[100.0, 101.0, 99.0], [100.0, 100.0, 100.0]])
    pos = np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    out = compute_metrics_batch(
        eq, None, initial_capital=100.0, periods_per_year=252, positions=pos, commissions=np.array([1.5, 0.0])
    )
    assert list(out["exposure_time"]) == pytest.approx([2 / 3, 0.0])
    assert list(out["commissions"]) == [1.5, 0.0]
    assert list(out["round_trips"]) == [0.0, 0.0] and out["win_rate"].isna().all()
    assert list(out["max_drawdown"]) == pytest.approx([99 / 101 - 1, 0.0])
    with pytest.raises(InputError) as err:
        compute_metrics_batch(np.zeros(3), None, initial_capital=1.0)
    assert {p.field for p in err.value.problems} == {"equity_matrix", "periods_per_year"}
