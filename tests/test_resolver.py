"""Strategy references: Python subclasses of EnhancedStrategy are Python strategies (class, file, instance)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pystocksharp.optimization import optimize
from pystocksharp.resolver import is_python_strategy_class, resolve_strategy

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[1]
GOOG = str(ROOT / "pystocksharp" / "sample_data" / "GOOG_1d.csv")

# The C# SmaCross rule (strategies/sma_cross_py.py states it) on EnhancedStrategy's bound SMAs:
# reverse between +volume and -volume on crosses of the fast over the slow SMA.
ENHANCED_CROSS = """
from pystocksharp.enhanced import EnhancedStrategy, Indicators, Param


class EnhancedCross(EnhancedStrategy):
    fast = Param(10, min=1)
    slow = Param(20, min=2)
    volume = Param(1.0)

    def on_started(self):
        self.prev = (float("nan"), float("nan"))
        fast, slow = Indicators.SimpleMovingAverage(self.fast), Indicators.SimpleMovingAverage(self.slow)
        self.subscribe_candles().bind(fast, slow, self.on_values)

    def on_values(self, candle, fast, slow):
        pf, ps = self.prev
        self.prev = (fast, slow)
        pos = self.position
        if pf <= ps and fast > slow and pos <= 0:
            self.buy_market(self.volume - pos)
        elif pf >= ps and fast < slow and pos >= 0:
            self.sell_market(self.volume + pos)
"""


@pytest.fixture()
def strategy_file(tmp_path: Path) -> Path:
    path = tmp_path / "enhanced_cross.py"
    path.write_text(ENHANCED_CROSS)
    return path


def test_enhanced_subclasses_are_python_strategies_and_the_bases_are_not(strategy_file: Path) -> None:
    from pystocksharp.enhanced import EnhancedStrategy
    from pystocksharp.resolver import load_python_class
    from pystocksharp.strategy import Strategy

    cls = load_python_class(strategy_file, None)  # the only strategy class of the file
    assert cls.__name__ == "EnhancedCross"
    assert is_python_strategy_class(cls)
    assert not is_python_strategy_class(EnhancedStrategy) and not is_python_strategy_class(Strategy)
    assert not is_python_strategy_class(int)
    by_file = resolve_strategy(f"{strategy_file}:EnhancedCross")
    by_class = resolve_strategy(cls)
    by_instance = resolve_strategy(cls())
    assert (by_file.kind, by_class.kind, by_instance.kind) == ("python", "python", "python")
    assert by_file.source == str(strategy_file.resolve())
    # a C# instance stays C#
    from pystocksharp import bridge

    assert resolve_strategy(bridge.catalog_factory("sma_cross")()).kind == "csharp"


def test_enhanced_file_strategy_optimizes_in_two_processes_like_sequentially_and_like_csharp(
    strategy_file: Path, tmp_path: Path
) -> None:
    spec = f"{strategy_file}:EnhancedCross"
    grid = ["fast=5:10:5", "slow=20:30:10", "volume=10"]  # 2 x 2 = 4 combinations
    parallel = optimize(spec, GOOG, grid=grid, workers=2, out=tmp_path / "par")
    sequential = optimize(spec, GOOG, grid=grid, workers=1, out=tmp_path / "seq")
    csharp = optimize("sma_cross", GOOG, grid=grid, workers=1, out=tmp_path / "cs")
    assert parallel.spec.strategy_kind == "python"
    assert (parallel.completed, parallel.failed) == (4, 0)
    columns = ["fast", "slow", "parameter_hash", "net_profit", "final_equity", "round_trips", "commission"]
    assert parallel.table[columns].equals(sequential.table[columns])
    # the same rule as the C# built-in: the same fills, so the same money
    assert parallel.table[["fast", "slow", "net_profit", "round_trips"]].equals(
        csharp.table[["fast", "slow", "net_profit", "round_trips"]]
    )
    assert (parallel.table["round_trips"] > 0).all()
    for h in parallel.table["parameter_hash"]:
        assert parallel.fills(h).equals(sequential.fills(h))
