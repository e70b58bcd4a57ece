"""Vectorized strategies: whole-array signals in Python, one engine call to emulate them.

    class Momentum(VectorStrategy):
        name = "momentum"
        lookback = Param(20, min=1)

        def signals(self, data):               # data: OHLCV DataFrame, UTC DatetimeIndex
            up = data["close"].pct_change(self.lookback) > 0
            return np.where(up, 1.0, -1.0)     # target position (units) after each bar

With ``sizing = "weights"`` the targets are fractions of the equity instead of units (1.0 = all of it long,
-0.5 = half of it short, 0 = flat), turned into whole volume steps at each bar's close
(``Strategy.VolumeForPercent``; docs/strategies.md, "Sizing").

The target of bar i is traded by a market order placed after bar i closed (so it fills at the
next open, or at close[i] with ``fill="close"``); NaN means "no change". Fills, positions and
PnL are the engine's (``BacktestEngine.RunTargets``). No .NET is needed to define one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from pystocksharp.strategy_param import Param, convert_params, declared_params

__all__ = ["Param", "VectorStrategy"]


class VectorStrategy:
    """Base class: declare :class:`Param` attributes and implement :meth:`signals`."""

    name: ClassVar[str | None] = None
    #: What :meth:`signals` returns: "units" (signed position) or "weights" (signed fraction of the equity).
    sizing: ClassVar[Literal["units", "weights"]] = "units"

    def __init__(self, **params: Any) -> None:
        self._values = convert_params(type(self), params, self.strategy_name())

    @classmethod
    def strategy_name(cls) -> str:
        return cls.name or cls.__name__

    @classmethod
    def params(cls) -> dict[str, Param]:
        return declared_params(cls)

    def _param_value(self, name: str) -> Any:
        return self._values[name]

    def _set_param_value(self, name: str, value: Any) -> None:
        self.set_params({name: value})

    def set_params(self, values: Mapping[str, Any]) -> None:
        """Converts and validates every value (all problems in one InputError), then sets them."""
        resolved = convert_params(type(self), values, self.strategy_name())
        for name in values:
            self._values[name] = resolved[name]

    @property
    def param_values(self) -> dict[str, Any]:
        return dict(self._values)

    def signals(self, data: pd.DataFrame) -> np.ndarray | pd.Series:
        """Target position after each bar of ``data`` (units, signed; with ``sizing = "weights"`` a signed fraction
        of the equity); NaN = keep the position."""
        raise NotImplementedError

    def targets(self, data: pd.DataFrame) -> np.ndarray:
        """:meth:`signals` as a float64 array checked to have one value per bar. A Series indexed by bar times
        is aligned to the bars by label (another order is fine; missing or foreign times are an error); any
        other Series or array is taken by position."""
        if self.sizing not in ("units", "weights"):
            raise ValueError(f"{self.strategy_name()}.sizing must be 'units' or 'weights', got {self.sizing!r}")
        out = np.asarray(_aligned(self.signals(data), data.index, self.strategy_name()), dtype=np.float64)
        if out.shape != (len(data),):
            raise ValueError(
                f"{self.strategy_name()}.signals returned shape {out.shape}, expected ({len(data)},)"
            )
        return out


def _aligned(signals: Any, bars: pd.Index, strategy: str) -> Any:
    """``signals`` in bar order: a Series whose index is times is matched to ``bars`` by label."""
    if not isinstance(signals, pd.Series) or not isinstance(signals.index, pd.DatetimeIndex):
        return signals
    if signals.index.equals(bars):
        return signals
    if signals.index.has_duplicates:
        first = signals.index[signals.index.duplicated()][0]
        raise ValueError(f"{strategy}.signals returned a Series with repeated times (first {first})")
    missing, foreign = bars.difference(signals.index), signals.index.difference(bars)
    if len(missing) or len(foreign):
        parts = [f"{len(missing)} bar(s) missing (first {missing[0]})"] if len(missing) else []
        parts += [f"{len(foreign)} time(s) not among the bars (first {foreign[0]})"] if len(foreign) else []
        raise ValueError(f"{strategy}.signals returned a Series whose times are not the data's bars: {'; '.join(parts)}")
    return signals.reindex(bars)
