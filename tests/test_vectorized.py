"""Vectorized strategies: what signals() may return and how it meets the bars (hand-worked cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pystocksharp.backtest import backtest
from pystocksharp.data import load_sample
from pystocksharp.vectorized import VectorStrategy

BARS = load_sample("GOOG_1d").frame.iloc[:300]


class _Momentum(VectorStrategy):
    """Long 1 unit after an up close, flat after a down close; ``order`` says how signals() returns it."""

    order = "index"

    def raw(self, data: pd.DataFrame) -> pd.Series:
        return pd.Series(np.where(data["close"].diff() > 0, 1.0, 0.0), index=data.index)

    def signals(self, data: pd.DataFrame) -> np.ndarray | pd.Series:
        s = self.raw(data)
        if self.order == "reversed":
            return s.iloc[::-1]  # the same labels in another order
        if self.order == "missing":
            return s.drop(s.index[[5, 9]])
        if self.order == "array":
            return s.to_numpy()
        return s


def _run(order: str) -> pd.DataFrame:
    strategy = type(f"M_{order}", (_Momentum,), {"order": order})
    return backtest(strategy, BARS).trades


def test_a_series_in_another_order_is_aligned_by_its_times() -> None:
    expected = _run("index")
    assert len(expected) > 50
    pd.testing.assert_frame_equal(_run("reversed"), expected)  # by label, not by position
    pd.testing.assert_frame_equal(_run("array"), expected)  # an array: by position


def test_a_series_missing_bars_is_an_error_naming_them() -> None:
    with pytest.raises(ValueError, match=r"2 bar\(s\) missing \(first 2004-08-26"):
        _run("missing")
