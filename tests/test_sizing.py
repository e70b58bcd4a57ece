"""Percent-of-equity sizing (hand-worked): Python strategies' order_target_percent / volume_for_percent and
vectorized strategies returning weights give the same fills as the engine's C# OrderTargetPercent (SizingTests)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pystocksharp.backtest import backtest

# opens 100, 104, 110, 108, 107; closes 102, 106, 109, 108, 107
BARS = pd.DataFrame(
    {"open": [100.0, 104, 110, 108, 107], "high": [103.0, 107, 111, 109, 108], "low": [99.0, 103, 108, 107, 106],
     "close": [102.0, 106, 109, 108, 107], "volume": 1000.0},
    index=pd.date_range("2024-01-01", periods=5, freq="D", tz="UTC", name="timestamp"),
)  # fmt: skip

# bar 0: 0.5 x 10,000 / 102 = 49.02 -> 49 bought at bar 1's open 104 (cash 4,904);
# bar 1: equity 4,904 + 49 x 106 = 10,098; 0.25 x 10,098 / 106 = 23.8 -> 23: 26 sold at bar 2's open 110
EXPECTED = [(1, 49.0, 104.0), (-1, 26.0, 110.0)]

_PERCENT = """
    from pystocksharp import Strategy


    class Percent(Strategy):
        def on_candle(self, candle):
            if candle.index == 0:
                self.seen = self.volume_for_percent(-0.3)
                self.order_target_percent(0.5)
            elif candle.index == 1:
                self.order_target_percent(0.25)
            elif candle.index == 2:
                assert self.order_target_percent(23 * 109 / self.equity) is None  # already there
"""

_WEIGHTS = """
    import numpy as np

    from pystocksharp.vectorized import VectorStrategy


    class Weights(VectorStrategy):
        sizing = "weights"

        def signals(self, data):
            return np.array([0.5, 0.25, np.nan, np.nan, np.nan])
"""


def _fills(result) -> list[tuple[int, float, float]]:
    return [(int(s), float(v), float(p)) for s, v, p in result.trades[["side", "volume", "price"]].to_numpy()]


def test_order_target_percent_and_weights_give_the_hand_worked_fills(tmp_path: Path) -> None:
    (tmp_path / "percent.py").write_text(textwrap.dedent(_PERCENT), encoding="utf-8")
    (tmp_path / "weights.py").write_text(textwrap.dedent(_WEIGHTS), encoding="utf-8")
    orders = backtest(f"{tmp_path / 'percent.py'}:Percent", BARS)
    weights = backtest(f"{tmp_path / 'weights.py'}:Weights", BARS)
    assert _fills(orders) == _fills(weights) == EXPECTED
    assert orders.summary.final_position == weights.summary.final_position == 23


def test_weights_never_exceed_the_equity_and_count_the_multiplier(tmp_path: Path) -> None:
    (tmp_path / "weights.py").write_text(textwrap.dedent(_WEIGHTS).replace("[0.5, 0.25", "[1.0, 1.0"), encoding="utf-8")
    # all-in at 102 (98 units), filled at 104: 98 x 104 = 10,192 > 10,000 of equity -> refused by buying power
    refused = backtest(f"{tmp_path / 'weights.py'}:Weights", BARS)
    assert refused.orders["state"].tolist()[0] == "rejected"
    assert refused.orders["reject_reason"].iloc[0].startswith("insufficient buying power: position 98 at 104")
    # with 2x leverage the same weight of 1 is one equity's worth: 98 units
    levered = backtest(f"{tmp_path / 'weights.py'}:Weights", BARS, leverage=2)
    assert _fills(levered)[0] == (1, 98.0, 104.0)
    # a multiplier of 10: 10,000 / (102 x 10) = 9.8 -> 9 contracts
    contracts = backtest(f"{tmp_path / 'weights.py'}:Weights", BARS, instrument={"multiplier": 10})
    assert _fills(contracts)[0] == (1, 9.0, 104.0)


def test_a_bad_sizing_is_named(tmp_path: Path) -> None:
    (tmp_path / "weights.py").write_text(textwrap.dedent(_WEIGHTS).replace('"weights"', '"percent"'), encoding="utf-8")
    with pytest.raises(ValueError, match="Weights.sizing must be 'units' or 'weights', got 'percent'"):
        backtest(f"{tmp_path / 'weights.py'}:Weights", BARS)


def test_the_csharp_and_python_percent_sizing_agree_on_real_data(tmp_path: Path) -> None:
    """A weekly rebalance to 60 % of equity on GOOG: the Python strategy and the vectorized weights agree."""
    script = """
        from pystocksharp import Strategy


        class Rebalance(Strategy):
            def on_candle(self, candle):
                if candle.index % 5 == 0:
                    self.order_target_percent(0.6)
    """
    vec = """
        import numpy as np

        from pystocksharp.vectorized import VectorStrategy


        class RebalanceVec(VectorStrategy):
            sizing = "weights"

            def signals(self, data):
                out = np.full(len(data), np.nan)
                out[::5] = 0.6
                return out
    """
    (tmp_path / "reb.py").write_text(textwrap.dedent(script), encoding="utf-8")
    (tmp_path / "vec.py").write_text(textwrap.dedent(vec), encoding="utf-8")
    a = backtest(f"{tmp_path / 'reb.py'}:Rebalance", "sample:GOOG_1d", commission=0.001)
    b = backtest(f"{tmp_path / 'vec.py'}:RebalanceVec", "sample:GOOG_1d", commission=0.001)
    assert len(a.trades) > 100 and _fills(a) == _fills(b)
    assert a.summary.final_equity == b.summary.final_equity
    held = a.equity["position"] * a.equity["close"] / a.equity["equity"]
    assert float(np.nanmax(held.to_numpy()[5:])) < 0.7  # never far above the 60 % asked
