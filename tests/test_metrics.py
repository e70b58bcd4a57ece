"""Hand-worked cases for every metric of ``pystocksharp.metrics`` (arithmetic in the comments)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from pystocksharp.errors import InputError
from pystocksharp.metrics import (
    compare,
    compute_metrics,
    infer_periods_per_year,
    rf_per_period,
    round_trips,
    round_trips_frame,
)

DAY = 86400.0


def days(n: int, start: str = "2024-01-01") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="D", tz="UTC")


def curve(
    values: list[float], position: list[float] | None = None, start: str = "2024-01-01"
) -> pd.DataFrame:
    t = days(len(values), start)
    pos = position if position is not None else [0.0] * len(values)
    return pd.DataFrame({"time": t, "close": 1.0, "position": pos, "cash": 0.0, "equity": values})


def fills_frame(rows: list[tuple[int, int, float, float, float]], t: pd.DatetimeIndex) -> pd.DataFrame:
    """rows: (bar, side, price, volume, commission); order ids 1..n."""
    return pd.DataFrame(
        {
            "time": [t[b] for b, *_ in rows],
            "side": [s for _, s, *_ in rows],
            "price": [p for _, _, p, _, _ in rows],
            "volume": [v for *_, v, _ in rows],
            "commission": [c for *_, c in rows],
            "order_id": range(1, len(rows) + 1),
        }
    )


# Curve A: capital 100, equity 110, 99, 118.8 -> r = 0.1, -0.1, 0.2 (99/110 = 0.9, 118.8/99 = 1.2)
A = [110.0, 99.0, 118.8]


@pytest.fixture
def m_a():
    return compute_metrics(curve(A, [0, 1, 1]), None, initial_capital=100.0, periods_per_year=4)


def test_basic_returns(m_a) -> None:
    assert m_a.total_return == pytest.approx(0.188)  # 118.8 / 100 - 1
    assert m_a.net_profit == pytest.approx(18.8)  # 118.8 - 100
    assert m_a.final_equity == 118.8 and m_a.bars == 3
    # CAGR = (118.8/100)^(P/N) - 1 = 1.188^(4/3) - 1 = 0.2582161...
    assert m_a.annualized_return == pytest.approx(0.25821614671020865)
    # peaks 110, 110, 118.8 -> drawdowns 0, 99/110 - 1 = -0.1, 0
    assert m_a.max_drawdown == pytest.approx(-0.1)
    assert m_a.calmar_ratio == pytest.approx(2.5821614671020865)  # 0.2582161 / 0.1
    assert m_a.exposure_time == pytest.approx(2 / 3)  # position != 0 on 2 of 3 bars
    assert m_a.periods_per_year == 4 and m_a.periods_per_year_inferred is False
    assert m_a.risk_free_rate == 0.0


def test_risk_ratios(m_a) -> None:
    # mean = 0.2/3 = 0.0666667; deviations 0.0333, -0.1667, 0.1333; squares sum 0.0466667
    # std (ddof 1) = sqrt(0.0466667 / 2) = 0.1527525
    assert m_a.return_mean == pytest.approx(0.2 / 3)
    assert m_a.return_std == pytest.approx(0.1527525231651947)
    assert m_a.volatility == pytest.approx(0.1527525231651947 * 2)  # * sqrt(4)
    assert m_a.sharpe_ratio == pytest.approx(0.2 / 3 / 0.1527525231651947 * 2)  # 0.8728716
    # downside deviation = sqrt(mean(min(r,0)^2)) = sqrt(0.01/3) = 0.0577350
    # sortino = mean * P / (dd * sqrt P) = 0.0666667*4 / (0.0577350*2) = 2.3094011
    assert m_a.sortino_ratio == pytest.approx(2.309401076758503)


def test_distribution(m_a) -> None:
    # central moments: m2 = 0.0466667/3 = 0.0155556; m3 = -0.0022222/3 = -0.00074074; m4 = 0.00036296
    # skew = m3 / m2^1.5 = -0.3818018; kurtosis = m4 / m2^2 = 1.5 -> excess -1.5
    assert m_a.skewness == pytest.approx(-0.38180177416060623)
    assert m_a.excess_kurtosis == pytest.approx(-1.5)
    # sorted r = -0.1, 0.1, 0.2; linear quantile at 0.05: position 0.05*(3-1) = 0.1 -> -0.1 + 0.1*0.2 = -0.08
    assert m_a.var_95 == pytest.approx(-0.08)
    assert m_a.cvar_95 == pytest.approx(-0.1)  # mean of r <= -0.08
    assert m_a.var_99 == pytest.approx(-0.096)  # position 0.02 -> -0.1 + 0.02*0.2
    assert m_a.cvar_99 == pytest.approx(-0.1)
    assert m_a.best_period == pytest.approx(0.2) and m_a.worst_period == pytest.approx(-0.1)
    # 3 returns -> 3 equal bins over [-0.1, 0.2]: [-0.1,0), [0,0.1), [0.1,0.2] -> 1, 0, 2
    assert [(b.left, b.right, b.count) for b in m_a.return_histogram] == [
        pytest.approx((-0.1, 0.0, 1)),
        pytest.approx((0.0, 0.1, 0)),
        pytest.approx((0.1, 0.2, 2)),
    ]


def test_probabilistic_sharpe_ratio(m_a) -> None:
    # SR = 0.0666667 / 0.1527525 = 0.4364358 (per period); skew -0.3818018, kurtosis 1.5
    # denominator = 1 - (-0.3818018)(0.4364358) + (1.5 - 1)/4 * 0.4364358^2 = 1.1904415
    # z = SR * sqrt(N - 1) / sqrt(denominator) = 0.4364358 * 1.4142136 / 1.0910735 = 0.5656937
    # PSR = Phi(0.5656937) = 0.7141990
    assert m_a.probabilistic_sharpe_ratio == pytest.approx(0.71419898119746)


def test_drawdown_periods_and_time_under_water(m_a) -> None:
    assert m_a.time_under_water == pytest.approx(1 / 3)  # 1 bar of 3 below its peak
    assert m_a.average_drawdown == pytest.approx(-0.1)  # one period of depth -0.1
    (p,) = m_a.drawdown_periods
    t = days(3)
    assert (p.peak, p.trough, p.recovery, p.status) == (t[0], t[1], t[2], "recovered")
    assert (p.peak_bar, p.trough_bar, p.recovery_bar) == (0, 1, 2)
    assert (p.peak_equity, p.trough_equity) == (110.0, 99.0)
    assert p.depth == pytest.approx(-0.1)
    assert p.length_bars == 2 and p.duration == 2 * DAY


def test_top_drawdowns_sorted_and_not_recovered() -> None:
    # capital 100; equity 95, 100, 80, 90, 101, 100.
    # period 1: peak = capital (bar -1, time of bar 0), trough 95 (bar 0), recovered bar 1: depth -0.05, 2 bars
    # period 2: peak 100 (bar 1), trough 80 (bar 2) -> -0.2, recovered bar 4 (101): 3 bars, 3 days
    # period 3: peak 101 (bar 4), 100 at bar 5 -> 100/101 - 1, not recovered: 1 bar, 1 day
    m = compute_metrics(curve([95, 100, 80, 90, 101, 100]), None, initial_capital=100, periods_per_year=252)
    t = days(6)
    depths = [p.depth for p in m.drawdown_periods]
    assert depths == pytest.approx([-0.2, -0.05, 100 / 101 - 1])  # deepest first
    deep, first, last = m.drawdown_periods
    assert (deep.peak_bar, deep.trough_bar, deep.recovery_bar, deep.length_bars) == (1, 2, 4, 3)
    assert deep.duration == 3 * DAY
    assert (last.recovery, last.recovery_bar, last.status) == (None, None, "not recovered")
    assert (last.length_bars, last.duration) == (1, DAY)
    assert (first.peak_bar, first.peak, first.recovery, first.length_bars) == (-1, t[0], t[1], 2)
    assert m.max_drawdown == pytest.approx(-0.2)
    assert m.time_under_water == pytest.approx(4 / 6)  # bars 0, 2, 3, 5
    assert m.average_drawdown == pytest.approx((-0.05 - 0.2 + 100 / 101 - 1) / 3)
    top2 = compute_metrics(curve([95, 100, 80, 90, 101, 100]), None, initial_capital=100, top_drawdowns=2)
    assert [p.depth for p in top2.drawdown_periods] == pytest.approx([-0.2, -0.05])


def test_periods_per_year_inferred_and_risk_free_rate() -> None:
    # 3 daily bars span 2 days: P = (3 - 1) / (2 / 365.25) = 365.25
    m = compute_metrics(curve(A), None, initial_capital=100.0)
    assert m.periods_per_year == pytest.approx(365.25) and m.periods_per_year_inferred
    assert infer_periods_per_year(days(1)) is None
    # rf 21.550625%/year with P = 4: (1.21550625)^(1/4) - 1 = 0.05 per period (1.05^4 = 1.21550625)
    assert rf_per_period(0.21550625, 4) == pytest.approx(0.05)
    r = compute_metrics(curve(A), None, initial_capital=100.0, periods_per_year=4, risk_free_rate=0.21550625)
    # excess r - 0.05 = 0.05, -0.15, 0.15: mean 0.0166667, std unchanged 0.1527525 -> sharpe 0.0166667/0.1527525*2
    assert r.sharpe_ratio == pytest.approx(0.05 / 3 / 0.1527525231651947 * 2)
    # downside: min(x, 0) = 0, -0.15, 0 -> sqrt(0.0225/3) = 0.0866025; sortino = 0.0166667*4/(0.0866025*2)
    assert r.sortino_ratio == pytest.approx(0.05 / 3 * 4 / (math.sqrt(0.0225 / 3) * 2))
    assert r.volatility == pytest.approx(0.1527525231651947 * 2)  # volatility is of r, not of r - rf
    assert r.risk_free_rate == 0.21550625


def test_monthly_and_yearly_tables() -> None:
    # bars: 2023-12-31 -> 110; 2024-01-01 -> 121; 2024-01-31 -> 108.9; 2024-02-01 -> 119.79
    t = pd.DatetimeIndex(["2023-12-31", "2024-01-01", "2024-01-31", "2024-02-01"], tz="UTC")
    eq = pd.DataFrame({"time": t, "equity": [110.0, 121.0, 108.9, 119.79]})
    m = compute_metrics(eq, None, initial_capital=100.0)
    # Dec 2023: 110/100 - 1 = 0.1; Jan 2024: 108.9/110 - 1 = -0.01; Feb 2024: 119.79/108.9 - 1 = 0.1
    assert [(x.year, x.month) for x in m.monthly_returns] == [(2023, 12), (2024, 1), (2024, 2)]
    assert [x.return_ for x in m.monthly_returns] == pytest.approx([0.1, -0.01, 0.1])
    # 2023: 0.1; 2024: 119.79/110 - 1 = 0.089
    assert [(x.year, x.return_) for x in m.yearly_returns] == [
        (2023, pytest.approx(0.1)),
        (2024, pytest.approx(0.089)),
    ]
    assert json.loads(m.model_dump_json())["monthly_returns"][0] == {
        "year": 2023,
        "month": 12,
        "return": pytest.approx(0.1),
    }


# Fills F (bars of 8 daily bars):
#  1: bar 1 buy 2 @ 10, commission 0.2 (0.1 per unit)        -> long lot 2 @ 10
#  2: bar 4 sell 1 @ 13, commission 0.1                      -> trip 1: long 1, 10 -> 13, gross 3, comm 0.1+0.1, pnl 2.8
#  3: bar 4 sell 2 @ 13, commission 0.2                      -> trip 2: long 1, 10 -> 13, pnl 2.8; flip: short lot 1 @ 13
#  4: bar 5 buy 1 @ 12, commission 0.1                       -> trip 3: short 1, 13 -> 12, gross 1, comm 0.2, pnl 0.8
#  5: bar 6 buy 1 @ 12, commission 0                         -> long lot 1 @ 12
#  6: bar 7 sell 1 @ 11, commission 0                        -> trip 4: long 1, 12 -> 11, pnl -1
F = [(1, 1, 10.0, 2.0, 0.2), (4, -1, 13.0, 1.0, 0.1), (4, -1, 13.0, 2.0, 0.2), (5, 1, 12.0, 1.0, 0.1), (6, 1, 12.0, 1.0, 0.0), (7, -1, 11.0, 1.0, 0.0)]  # fmt: skip


def test_round_trips_fifo_with_flip() -> None:
    t = days(8)
    trips = round_trips(fills_frame(F, t))
    assert [(x.side, x.volume, x.entry_price, x.exit_price) for x in trips] == [
        ("long", 1.0, 10.0, 13.0),
        ("long", 1.0, 10.0, 13.0),
        ("short", 1.0, 13.0, 12.0),
        ("long", 1.0, 12.0, 11.0),
    ]
    assert [x.pnl for x in trips] == pytest.approx([2.8, 2.8, 0.8, -1.0])
    assert [x.commission for x in trips] == pytest.approx([0.2, 0.2, 0.2, 0.0])
    assert [x.gross_pnl for x in trips] == pytest.approx([3.0, 3.0, 1.0, -1.0])
    assert [(x.entry_order_id, x.exit_order_id) for x in trips] == [(1, 2), (1, 3), (3, 4), (5, 6)]
    assert [x.return_ for x in trips] == pytest.approx(
        [0.28, 0.28, 0.8 / 13, -1 / 12]
    )  # pnl / (entry * volume)
    assert [x.holding_time for x in trips] == [3 * DAY, 3 * DAY, DAY, DAY]
    assert (trips[0].entry_time, trips[0].exit_time) == (t[1], t[4])
    frame = round_trips_frame(fills_frame(F, t))
    assert list(frame["pnl"]) == pytest.approx([2.8, 2.8, 0.8, -1.0]) and "return" in frame.columns


def test_round_trips_fifo_order_and_open_lots() -> None:
    # buy 1 @ 10, buy 1 @ 20, sell 1 @ 15: FIFO closes the 10 lot (pnl +5); the 20 lot stays open (no trip)
    t = days(3)
    trips = round_trips(
        fills_frame([(0, 1, 10.0, 1.0, 0.0), (1, 1, 20.0, 1.0, 0.0), (2, -1, 15.0, 1.0, 0.0)], t)
    )
    assert [(x.entry_price, x.pnl) for x in trips] == [(10.0, 5.0)]
    # one exit fill against two entry lots is two round trips (the engine's count): sell 2 @ 15
    # after buy 1 @ 10 (comm 1) and buy 1 @ 20 (comm 0): pnl 5 - 1 - 0.5 = 3.5 and -5 - 0 - 0.5 = -5.5
    two = round_trips(
        fills_frame([(0, 1, 10.0, 1.0, 1.0), (1, 1, 20.0, 1.0, 0.0), (2, -1, 15.0, 2.0, 1.0)], t)
    )
    assert [x.pnl for x in two] == pytest.approx([3.5, -5.5])


def test_trade_statistics() -> None:
    t = days(8)
    m = compute_metrics(curve([100.0] * 8), fills_frame(F, t), initial_capital=100.0, periods_per_year=252)
    assert m.round_trips == 4
    assert m.commissions == pytest.approx(0.6)  # 0.2 + 0.1 + 0.2 + 0.1
    assert m.gross_profit == pytest.approx(6.4)  # 2.8 + 2.8 + 0.8
    assert m.gross_loss == pytest.approx(-1.0)
    assert m.win_rate == pytest.approx(0.75)  # 3 of 4
    assert m.profit_factor == pytest.approx(6.4)  # 6.4 / |-1|
    assert m.average_win == pytest.approx(6.4 / 3)
    assert m.average_loss == pytest.approx(-1.0)
    assert (m.largest_win, m.largest_loss) == (pytest.approx(2.8), pytest.approx(-1.0))
    assert m.expectancy == pytest.approx(1.35)  # (6.4 - 1) / 4
    assert m.payoff_ratio == pytest.approx(6.4 / 3)  # 2.1333 / 1
    # SQN: deviations from 1.35: 1.45, 1.45, -0.55, -2.35; squares sum 10.03; std = sqrt(10.03/3) = 1.8284784
    # SQN = sqrt(4) * 1.35 / 1.8284784 = 1.4766356
    assert m.sqn == pytest.approx(2 * 1.35 / math.sqrt(10.03 / 3))
    assert m.average_holding_time == 2 * DAY  # (3 + 3 + 1 + 1) / 4 days
    assert m.median_holding_time == 2 * DAY  # (1 + 3) / 2 days
    assert (m.max_consecutive_wins, m.max_consecutive_losses) == (3, 1)
    assert (m.long_round_trips, m.long_win_rate, m.long_net_profit) == (
        3,
        pytest.approx(2 / 3),
        pytest.approx(4.6),
    )
    assert (m.short_round_trips, m.short_win_rate, m.short_net_profit) == (1, 1.0, pytest.approx(0.8))


def test_beta_alpha_against_benchmark() -> None:
    # benchmark closes 100, 110, 99, 108.9 -> b = 0.1, -0.1, 0.1 (from bar 1)
    # strategy r_t = 2 b_t + 0.01 from bar 1: 0.21, -0.19, 0.21 -> equity 100, 121, 98.01, 118.5921
    t = days(4)
    eq = curve([100.0, 121.0, 98.01, 118.5921])
    bench = pd.Series([100.0, 110.0, 99.0, 108.9], index=t)
    m = compute_metrics(eq, None, initial_capital=100.0, periods_per_year=4, benchmark=bench)
    assert m.beta == pytest.approx(2.0)  # cov(2b + c, b) / var(b)
    assert m.alpha == pytest.approx(1.01**4 - 1)  # (1 + mean(r - 2b))^P - 1 = 1.01^4 - 1
    # rf = 21.550625%/year -> 0.05/period: mean(r - rf - 2(b - rf)) = 0.01 + 0.05 -> alpha = 1.06^4 - 1
    m_rf = compute_metrics(
        eq, None, initial_capital=100.0, periods_per_year=4, benchmark=bench, risk_free_rate=0.21550625
    )
    assert m_rf.alpha == pytest.approx(1.06**4 - 1)
    # a frame with time/close and an extra (off-grid) row: the last close at or before each bar is used
    frame = pd.DataFrame(
        {"time": [*t[:2], t[1] + pd.Timedelta(hours=1), *t[2:]], "close": [100.0, 110.0, 500.0, 99.0, 108.9]}
    )
    assert compute_metrics(
        eq, None, initial_capital=100.0, periods_per_year=4, benchmark=frame
    ).beta == pytest.approx(2.0)


def test_undefined_no_trades() -> None:
    m = compute_metrics(curve(A), None, initial_capital=100.0, periods_per_year=4)
    for name in ("win_rate", "profit_factor", "average_win", "average_loss", "largest_win", "largest_loss"):
        assert getattr(m, name) is None
    for name in ("expectancy", "payoff_ratio", "sqn", "average_holding_time", "median_holding_time"):
        assert getattr(m, name) is None and m.undefined[name] == "no round trips"
    assert (m.round_trips, m.gross_profit, m.gross_loss, m.commissions) == (0, 0.0, 0.0, 0.0)
    assert m.undefined["long_win_rate"] == "no long round trips"
    assert m.undefined["beta"] == m.undefined["alpha"] == "no benchmark given"


def test_undefined_zero_volatility() -> None:
    m = compute_metrics(curve([100.0, 100.0, 100.0]), None, initial_capital=100.0, periods_per_year=252)
    assert m.volatility == 0.0 and m.max_drawdown == 0.0 and m.total_return == 0.0
    for name in ("sharpe_ratio", "probabilistic_sharpe_ratio", "skewness", "excess_kurtosis"):
        assert getattr(m, name) is None and "zero volatility" in m.undefined[name]
    assert m.sortino_ratio is None and "downside deviation is 0" in m.undefined["sortino_ratio"]
    assert m.calmar_ratio is None and m.undefined["calmar_ratio"] == "no drawdown (max_drawdown is 0)"
    assert m.average_drawdown is None and m.undefined["average_drawdown"] == "no drawdown"
    assert m.drawdown_periods == [] and m.time_under_water == 0.0


def test_undefined_no_losing_trade() -> None:
    t = days(8)
    winners = fills_frame(F[:4], t)  # trips 2.8, 2.8, 0.8
    m = compute_metrics(curve([100.0] * 8), winners, initial_capital=100.0, periods_per_year=252)
    assert m.win_rate == 1.0 and m.gross_loss == 0.0
    for name in ("profit_factor", "average_loss", "largest_loss", "payoff_ratio"):
        assert getattr(m, name) is None and m.undefined[name] == "no losing round trip"
    assert m.max_consecutive_losses == 0 and m.max_consecutive_wins == 3


def test_undefined_one_bar() -> None:
    m = compute_metrics(curve([105.0]), None, initial_capital=100.0)
    assert m.total_return == pytest.approx(0.05) and m.periods_per_year is None and m.bars == 1
    for name in ("annualized_return", "volatility", "sharpe_ratio", "sortino_ratio"):
        assert getattr(m, name) is None and m.undefined[name].startswith("periods_per_year unknown")
    assert m.return_std is None and m.undefined["return_std"] == "fewer than 2 return periods"
    assert m.probabilistic_sharpe_ratio is None
    assert m.best_period == m.worst_period == m.var_95 == pytest.approx(0.05)
    given = compute_metrics(curve([105.0]), None, initial_capital=100.0, periods_per_year=252)
    assert given.annualized_return == pytest.approx(1.05**252 - 1)  # (105/100)^(252/1) - 1


def test_json_has_no_nan_and_every_null_has_a_reason() -> None:
    cases = [
        compute_metrics(curve([105.0]), None, initial_capital=100.0),
        compute_metrics(curve([100.0, 100.0, 100.0]), None, initial_capital=100.0),
        compute_metrics(curve([100.0] * 8), fills_frame(F, days(8)), initial_capital=100.0),
        compute_metrics(curve([1.0, 1e300]), None, initial_capital=1.0),  # growth^(P/N) overflows
    ]
    for m in cases:
        text = m.model_dump_json()
        assert "NaN" not in text and "Infinity" not in text
        data = json.loads(text)
        nulls = {k for k, v in data.items() if v is None and k not in ("recovery",)}
        assert nulls == set(data["undefined"])
    assert cases[3].undefined["annualized_return"].startswith("overflow")


def test_bad_input_lists_every_problem() -> None:
    bad = pd.DataFrame({"close": [1.0]})
    with pytest.raises(InputError) as err:
        compute_metrics(bad, None, initial_capital=0.0)
    fields = {p.field for p in err.value.problems}
    assert {"time", "equity", "initial_capital"} <= fields
    fills = fills_frame([(0, 2, 10.0, 0.0, 0.0)], days(1))
    with pytest.raises(InputError) as err:
        round_trips(fills)
    assert {p.field for p in err.value.problems} == {"side", "volume"}


def test_to_series_labels_and_values(m_a) -> None:
    s = m_a.to_series()
    assert s["Max drawdown"] == pytest.approx(-0.1)
    assert s["Annualized return (CAGR)"] == pytest.approx(0.25821614671020865)
    assert math.isnan(s["Profit factor"])
    assert "max_drawdown" in json.loads(m_a.model_dump_json())  # JSON stays snake_case


def test_compare_ranks_runs() -> None:
    up = compute_metrics(curve(A), None, initial_capital=100.0, periods_per_year=4)  # sharpe 0.873
    down = compute_metrics(curve([90.0, 99.0, 89.1]), None, initial_capital=100.0, periods_per_year=4)
    flat = compute_metrics(
        curve([100.0, 100.0]), None, initial_capital=100.0, periods_per_year=4
    )  # sharpe null
    table = compare([down, flat, up], labels=["down", "flat", "up"])
    assert list(table.index) == ["up", "down", "flat"]
    assert list(table["rank"]) == [1, 2, pd.NA] or table["rank"].iloc[2] is pd.NA
    assert table.loc["up", "sharpe_ratio"] == pytest.approx(up.sharpe_ratio)
    by_dd = compare([down, up], rank_by="max_drawdown", descending=True)  # least negative first
    assert list(by_dd.index) == ["run 2", "run 1"]
    with pytest.raises(InputError) as err:
        compare([up], labels=["a", "b"], rank_by="nope")
    assert {p.field for p in err.value.problems} == {"labels", "rank_by"}


def test_net_profit_uses_equity_not_trips() -> None:
    # an open position at the end: net profit is final equity - capital, round trips only closed pairs
    t = days(3)
    m = compute_metrics(
        curve([100.0, 101.0, 103.0], [1, 1, 1]),
        fills_frame([(0, 1, 10.0, 1.0, 0.0)], t),
        initial_capital=100.0,
    )
    assert m.net_profit == pytest.approx(3.0) and m.round_trips == 0 and m.exposure_time == 1.0
    assert np.isclose(m.total_return, 0.03)


def test_json_round_trip_through_atomic_write(tmp_path) -> None:
    from pystocksharp.io import atomic_write_json
    from pystocksharp.metrics import PerformanceMetrics

    t = days(8)
    m = compute_metrics(
        curve([100.0, 99.0, 101.0, 98.0, 102.0, 103.0, 101.0, 104.0]),
        fills_frame(F, t),
        initial_capital=100.0,
    )
    path = atomic_write_json(tmp_path / "performance-metrics.json", m)
    data = json.loads(path.read_text())
    assert data["monthly_returns"][0]["return"] == pytest.approx(0.04)  # 104 / 100 - 1, one month
    assert PerformanceMetrics.model_validate_json(path.read_text()) == m


def test_histogram_of_near_constant_returns_is_one_bin() -> None:
    """Equal returns up to the last bit made numpy's histogram raise 'Too many bins for data range'."""
    import numpy as np

    from pystocksharp.metrics.core import histogram

    r = np.array([-0.16090355879844004] * 4 + [np.nextafter(-0.16090355879844004, 0)])
    bins = histogram(r)
    assert len(bins) == 1 and bins[0].count == 5
    assert len(histogram(np.array([0.01, 0.02, 0.03, 0.04, 0.05]))) == 5
