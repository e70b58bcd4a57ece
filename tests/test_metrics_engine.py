"""Metrics agree with what the engine recorded on the GOOG sample backtest (to the cent)."""

from __future__ import annotations

import pytest

import pystocksharp
from pystocksharp.data import sample_path
from pystocksharp.metrics import compute_metrics, round_trips_frame

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def run():
    # commission makes the pro-rating of commissions visible
    return pystocksharp.backtest(
        "sma_cross", sample_path("GOOG_1d"), params={"fast": 10, "slow": 20}, commission=0.001
    )


def test_net_profit_commissions_round_trips_match_engine(run) -> None:
    s = run.summary
    m = compute_metrics(run.equity, run.trades, initial_capital=s.initial_capital)
    assert round(m.net_profit, 2) == round(s.net_profit, 2)
    assert round(m.commissions, 2) == round(s.commission, 2)
    assert m.round_trips == s.round_trips > 0
    assert m.max_drawdown == pytest.approx(s.max_drawdown, abs=1e-12)
    assert m.final_equity == pytest.approx(s.final_equity, abs=0.005)


def test_round_trip_pnl_matches_engine_realized_pnl_per_exit_fill(run) -> None:
    trips = round_trips_frame(run.trades)
    fills = run.trades.set_index("order_id")
    per_exit = trips.groupby("exit_order_id")["gross_pnl"].sum()
    # every exit fill's realized PnL (engine, gross of commission) is the sum of its round trips' gross PnL
    for order_id, gross in per_exit.items():
        assert round(gross, 2) == round(float(fills.loc[order_id, "realized_pnl"]), 2)
    assert round(trips["gross_pnl"].sum(), 2) == round(run.summary.realized_pnl, 2)
    # commissions of closed trips + the open lot's share = all commissions paid
    open_lot = run.summary.final_position != 0
    assert trips["commission"].sum() <= run.summary.commission + 1e-9
    if not open_lot:
        assert round(trips["commission"].sum(), 2) == round(run.summary.commission, 2)
    # net pnl = gross - commission per trip
    assert (trips["pnl"] - (trips["gross_pnl"] - trips["commission"])).abs().max() < 1e-9


def test_metrics_of_backtest_writes_valid_json(run, tmp_path) -> None:
    from pystocksharp.io import atomic_write_json
    from pystocksharp.metrics import PerformanceMetrics, metrics_of_backtest

    m = metrics_of_backtest(run, periods_per_year=252)
    run.to_parquet(tmp_path)
    atomic_write_json(tmp_path / "performance-metrics.json", m)
    back = PerformanceMetrics.model_validate_json((tmp_path / "performance-metrics.json").read_text())
    assert back.round_trips == run.summary.round_trips and back.periods_per_year == 252
    assert back.long_round_trips + back.short_round_trips == back.round_trips
