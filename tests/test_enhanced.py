"""EnhancedStrategy from Python and C#: events equal what the fills and equity curve imply, protections,
risk rules, bind, parameter sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def goog() -> Any:
    from pystocksharp.data import load_ohlcv, sample_path

    return load_ohlcv(sample_path("GOOG_1d"))


def candles(rows: list[tuple[float, float, float, float]]) -> pd.DataFrame:
    """Daily bars from (open, high, low, close) rows, volume 100."""
    index = pd.date_range("2024-01-01", periods=len(rows), freq="D", tz="UTC", name="timestamp")
    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index, dtype=float)
    frame["volume"] = 100.0
    return frame


def py_cross_class() -> type:
    from pystocksharp.enhanced import EnhancedStrategy, Indicators, Param

    class PyCross(EnhancedStrategy):
        fast = Param(10, min=1, optimize=(5, 20, 5))
        slow = Param(30, min=2)
        dd_warn = Param(0.05)

        def on_started(self) -> None:
            self.calls: list[tuple[int, float, float]] = []
            self.prev = (np.nan, np.nan)
            self.add_risk_rule("max_drawdown", self.dd_warn, "warn")
            fast, slow = Indicators.SimpleMovingAverage(self.fast), Indicators.SimpleMovingAverage(self.slow)
            self.subscribe_candles().bind(fast, slow, self.on_values)

        def on_values(self, candle: Any, fast: float, slow: float) -> None:
            self.calls.append((candle.index, fast, slow))
            pf, ps = self.prev
            self.prev = (fast, slow)
            if pf <= ps and fast > slow and self.position <= 0:
                self.buy_market(10 - self.position)
            elif pf >= ps and fast < slow and self.position > 0:
                self.sell_market(self.position)

    return PyCross


def recorder(strategy: Any) -> dict[str, list[Any]]:
    got: dict[str, list[Any]] = {"perf": [], "trades": [], "risk": []}
    strategy.performance_updated += got["perf"].append
    strategy.trade_executed += got["trades"].append
    strategy.risk_violation_detected += got["risk"].append
    return got


def assert_events_match(result: Any, got: dict[str, list[Any]], capital: float = 10_000.0) -> None:
    """PerformanceUpdated == the equity rows; drawdown from the running peak; TradeExecuted == the fills."""
    eq = result.equity
    perf = pd.DataFrame(got["perf"])
    assert len(perf) == len(eq)
    np.testing.assert_array_equal(perf["bar"], np.arange(len(eq)))
    np.testing.assert_array_equal(perf["time_ns"], eq["time"].astype("int64"))
    for col in ("equity", "position", "realized_pnl", "unrealized_pnl"):
        np.testing.assert_array_equal(perf[col], eq[col], err_msg=col)
    peak = np.maximum.accumulate(np.concatenate([[capital], eq["equity"].to_numpy()]))[1:]
    np.testing.assert_array_equal(perf["peak"], peak)
    np.testing.assert_array_equal(perf["drawdown"], eq["equity"] / peak - 1)
    assert perf["drawdown"].min() == pytest.approx(result.summary.max_drawdown, abs=0, rel=1e-15)
    fills = result.trades
    assert len(got["trades"]) == len(fills) > 0
    for (trade, order), row in zip(got["trades"], fills.itertuples(), strict=True):
        assert (trade.order_id, trade.bar, trade.side, trade.price, trade.volume) == (
            row.order_id,
            row.bar,
            row.side,
            row.price,
            row.volume,
        )
        assert trade.realized_pnl == row.realized_pnl and trade.commission == row.commission
        assert order.id == trade.order_id and order.state == "filled" and order.fill_price == trade.price


def test_python_enhanced_strategy_emits_the_three_events(goog: Any) -> None:
    from pystocksharp import backtest

    s = py_cross_class()()
    got = recorder(s)
    result = backtest(s, goog, commission=0.001)
    assert_events_match(result, got)
    # warn rule: recorded each time the drawdown goes from < 5 % to >= 5 % (never stops trading)
    eq = result.equity["equity"].to_numpy()
    dd = 1 - eq / np.maximum.accumulate(np.concatenate([[10_000.0], eq]))[1:]
    broken = dd >= 0.05
    edges = [i for i in range(len(dd)) if broken[i] and (i == 0 or not broken[i - 1])]
    assert len(edges) >= 1
    assert [v.bar for v in got["risk"]] == edges
    assert [v.value for v in got["risk"]] == pytest.approx(dd[edges].tolist(), rel=1e-12)
    assert {(v.rule, v.action, v.threshold) for v in got["risk"]} == {("max_drawdown", "warn", 0.05)}
    assert s.risk_violations == got["risk"] and not s.is_trading_stopped


def test_bind_calls_the_handler_once_all_indicators_are_formed(goog: Any) -> None:
    from pystocksharp import backtest
    from pystocksharp import indicators as ta

    s = py_cross_class()()
    backtest(s, goog)
    close = goog.frame["close"].to_numpy()
    fast, slow = ta.sma(close, 10), ta.sma(close, 30)
    bars = [c[0] for c in s.calls]
    assert bars == list(range(29, len(close)))  # SMA(30) formed from bar 29
    np.testing.assert_array_equal([c[1] for c in s.calls], fast[29:])
    np.testing.assert_array_equal([c[2] for c in s.calls], slow[29:])


def test_csharp_enhanced_strategy_events_through_python(goog: Any, tmp_path: Path) -> None:
    from pystocksharp import backtest, bridge
    from pystocksharp.enhanced import connect

    factory = bridge.compile_csharp_strategy(
        ROOT / "strategies" / "EnhancedSmaCross.cs", "EnhancedSmaCross", tmp_path
    )
    s = factory()
    bridge.set_parameters(s, {"max_drawdown": 0.01})  # the unprotected run falls 1.23 %
    got: dict[str, list[Any]] = {"perf": [], "trades": [], "risk": []}
    connect(s, "performance_updated", got["perf"].append)
    connect(s, "trade_executed", got["trades"].append)
    connect(s, "risk_violation_detected", got["risk"].append)
    result = backtest(s, goog)
    assert_events_match(result, got)
    # ClosePositionsAndStop at 1 %: one violation at the first bar whose drawdown reaches 1 %, flat after
    (v,) = got["risk"]
    eq = result.equity["equity"].to_numpy()
    dd = 1 - eq / np.maximum.accumulate(np.concatenate([[10_000.0], eq]))[1:]
    assert v.bar == int(np.argmax(dd >= 0.01)) and v.value == pytest.approx(dd[v.bar], rel=1e-12)
    assert (v.rule, v.action) == ("max_drawdown", "close_positions_and_stop")
    assert (result.equity["position"].iloc[v.bar + 1 :] == 0).all()
    assert result.equity["equity"].iloc[v.bar + 1 :].nunique() == 1
    # protections: every entry got a 5 % stop and a 10 % take-profit at its fill price
    orders = result.orders
    entries = result.trades[result.trades["side"] == 1]
    stops = orders[orders["type"] == "stop"]
    assert len(stops) >= 1
    first_entry, first_stop = entries.iloc[0], stops.iloc[0]
    assert first_stop["price"] == pytest.approx(first_entry["price"] * 0.95, rel=1e-12)
    assert first_stop["placed_bar"] == first_entry["bar"]


def test_max_drawdown_rule_stops_a_losing_python_strategy(tmp_path: Path) -> None:
    from pystocksharp import backtest
    from pystocksharp.enhanced import EnhancedStrategy

    class Loser(EnhancedStrategy):
        def on_started(self) -> None:
            self.add_risk_rule("max_drawdown", 0.001)
            self.seen: list[int] = []
            self.buy_market(10)

        def on_bar(self, index: int) -> None:
            self.seen.append(index)

    # close 100 - 1.5 i; long 10 from bar 0's open 100: equity 10000 + 10 (close - 100).
    # bar 1: close 98.5 -> drawdown 15/10000 = 0.15 % >= 0.1 %: trip; market sell at bar 2's open 97.5
    # -> realized 10 * (97.5 - 100) = -25, equity 9975 from bar 2 on.
    rows = [(100.0, 101.0, 99.0, 100.0)] + [
        (100 - 1.5 * i + 0.5, 100 - 1.5 * i + 1, 100 - 1.5 * i - 1, 100 - 1.5 * i) for i in range(1, 30)
    ]
    s = Loser()
    result = backtest(s, candles(rows))
    (v,) = s.risk_violations
    assert (v.rule, v.bar, v.action) == ("max_drawdown", 1, "close_positions_and_stop")
    assert v.value == pytest.approx(0.0015, rel=1e-12)
    assert s.is_trading_stopped and s.seen == [0, 1]
    assert result.trades["price"].tolist() == [100.0, 97.5]
    assert (result.equity["position"].iloc[2:] == 0).all()
    assert (result.equity["equity"].iloc[2:] == 9975.0).all()


def test_stop_loss_gapped_through_fills_at_the_open() -> None:
    from pystocksharp import backtest
    from pystocksharp.enhanced import EnhancedStrategy

    class Protected(EnhancedStrategy):
        def on_started(self) -> None:
            self.start_protection(take_profit=0, stop_loss=5)
            self.buy_market(2)

    # bar 0: buy 2 at 100; stop 95 from bar 1; bar 1 opens at 90 (gap below 95): the stop fills at 90.
    # realized 2 * (90 - 100) = -20; equity 9980.
    rows = [(100.0, 101.0, 99.0, 100.0), (90.0, 92.0, 88.0, 91.0), (91.0, 93.0, 90.0, 92.0)]
    result = backtest(Protected(), candles(rows))
    assert result.trades["price"].tolist() == [100.0, 90.0]
    assert result.trades["bar"].tolist() == [0, 1]
    stop = result.orders.iloc[1]
    assert (stop["type"], stop["price"], stop["state"], stop["fill_price"]) == ("stop", 95.0, "filled", 90.0)
    assert result.summary.realized_pnl == -20.0 and result.summary.final_equity == 9980.0


def test_parameter_sets_from_csharp_and_python_declarations(tmp_path: Path) -> None:
    from pystocksharp import bridge
    from pystocksharp.enhanced import parameter_set

    cs = bridge.compile_csharp_strategy(
        ROOT / "strategies" / "EnhancedSmaCross.cs", "EnhancedSmaCross", tmp_path
    )()
    ps = parameter_set(cs, ["fast < slow"])
    assert ps.names == ["fast", "slow", "stop_pct", "max_drawdown"]
    assert list(ps["slow"].values or []) == [20, 30, 50, 100]  # SetOptimizeValues
    assert (ps["fast"].min, ps["fast"].max, ps["fast"].step) == (5, 50, 5)  # SetOptimize
    assert ps["stop_pct"].rules == ["stop_pct >= 0"]  # AddRule
    problems = ps.validate({"fast": 7, "slow": 25, "stop_pct": -1.0})
    fields = sorted(p.field or "" for p in problems)
    assert "fast" in fields and "slow" in fields and "stop_pct" in fields
    # grid: fast 5..50 step 5 x slow in (20, 30, 50, 100) with fast < slow: 3 + 5 + 9 + 10 = 27
    combos = list(ps.generate_combinations())
    assert len(combos) == sum(1 for f in range(5, 55, 5) for s in (20, 30, 50, 100) if f < s) == 27
    assert all(ps.validate(c) == [] for c in combos)
    py = parameter_set(py_cross_class()())
    assert (py["fast"].min, py["fast"].max, py["fast"].step) == (5, 20, 5)
    assert py.defaults() == {"fast": 10, "slow": 30, "dd_warn": 0.05}


def test_bad_rule_names_and_handlers_are_reported() -> None:
    from pystocksharp.enhanced import EnhancedStrategy

    s = EnhancedStrategy()
    with pytest.raises(ValueError, match="unknown risk rule 'max_loss'; one of max_position_size"):
        s.add_risk_rule("max_loss", 1)
    with pytest.raises(ValueError, match="unknown risk action"):
        s.add_risk_rule("max_drawdown", 0.1, "panic")
    with pytest.raises(TypeError, match="must be callable"):
        s.performance_updated += 3
