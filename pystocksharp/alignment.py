"""How the calendars of several instruments' data line up (a run over several series, ``backtest({...})``).

The engine merges the series' bars on one clock by close time and never waits for a missing bar
(docs/engine-api.md, "Several series"): on a close time where an instrument has no bar, the strategy still sees that
instrument's last bar (older than the others'), its position keeps that bar's close as its mark, and an order for it
fills from its next bar. That is right for a market holiday of one exchange, and wrong for data with holes; this
module says which it is before the numbers are trusted.

For each series of another symbol with the primary's time frame, over the span both cover (the later first bar to
the earlier last bar): ``missing`` — close times of the primary with no bar of this series, ``extra`` — close times
of this series the primary lacks (the run gets a row there only if the strategy trades this instrument), and the
longest run of consecutive missing primary bars. Series of other time frames are not compared (a daily series has
no bar on most hourly close times, by design). Times are UTC bar open times as in the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

#: How many missing / extra times a report lists (the counts are complete).
LISTED = 5


class SeriesAlignment(BaseModel):
    """One series against the primary (the first data)."""

    model_config = ConfigDict(extra="forbid")

    symbol: str
    timeframe: str
    bars: int = Field(description="bars of this series")
    compared: bool = Field(description="False for a series of another time frame than the primary's")
    overlap_bars: int = Field(0, description="primary bars in the span both series cover")
    missing: int = Field(0, description="primary bars in the common span with no bar of this series")
    extra: int = Field(0, description="bars of this series in the common span at times the primary has no bar")
    longest_gap: int = Field(0, description="most consecutive primary bars with no bar of this series")
    first_missing: list[str] = Field(default_factory=list, description=f"up to {LISTED} missing bar times (UTC)")
    first_extra: list[str] = Field(default_factory=list, description=f"up to {LISTED} extra bar times (UTC)")

    @property
    def aligned(self) -> bool:
        return self.missing == 0 and self.extra == 0


class CalendarReport(BaseModel):
    """The primary series and how every other series lines up with it."""

    model_config = ConfigDict(extra="forbid")

    primary: str
    timeframe: str
    bars: int
    series: list[SeriesAlignment]

    @property
    def aligned(self) -> bool:
        return all(s.aligned for s in self.series)

    def lines(self) -> list[str]:
        """One sentence per series that does not line up (empty when all do)."""
        out = []
        for s in self.series:
            if s.aligned:
                continue
            parts = []
            if s.missing:
                parts.append(f"has no bar on {s.missing} of {self.primary}'s {s.overlap_bars} bars (longest run "
                             f"{s.longest_gap}; first {', '.join(s.first_missing)})")  # fmt: skip
            if s.extra:
                parts.append(f"has {s.extra} bars {self.primary} lacks (first {', '.join(s.first_extra)})")
            out.append(f"{s.symbol} {' and '.join(parts)}")
        return out


def _stamp(value: Any) -> str:
    return pd.Timestamp(value).isoformat()


def _longest_run(flags: np.ndarray) -> int:
    if not flags.any():
        return 0
    padded = np.concatenate([[0], flags.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[0::2]).max())


def align(primary: pd.DatetimeIndex, other: pd.DatetimeIndex, *, symbol: str, timeframe: str,
          compared: bool = True) -> SeriesAlignment:  # fmt: skip
    """``other``'s bar times against ``primary``'s (both sorted UTC bar open times of one time frame)."""
    if not compared or len(primary) == 0 or len(other) == 0:
        return SeriesAlignment(symbol=symbol, timeframe=timeframe, bars=len(other), compared=compared)
    start, end = max(primary[0], other[0]), min(primary[-1], other[-1])
    p = primary[(primary >= start) & (primary <= end)]
    o = other[(other >= start) & (other <= end)]
    absent = ~p.isin(o)
    extra = o[~o.isin(p)]
    return SeriesAlignment(
        symbol=symbol, timeframe=timeframe, bars=len(other), compared=True, overlap_bars=len(p),
        missing=int(absent.sum()), extra=len(extra), longest_gap=_longest_run(np.asarray(absent)),
        first_missing=[_stamp(t) for t in p[absent][:LISTED]], first_extra=[_stamp(t) for t in extra[:LISTED]],
    )  # fmt: skip


def calendar_report(data: Sequence[Any]) -> CalendarReport:
    """How the series of ``data`` (``OhlcvData`` in run order, the first the primary) line up with the first.

    Series of the primary's own symbol (its other time frames) are left out; series of another time frame than the
    primary's are listed with ``compared=False``."""
    first = data[0]
    tf = str(first.timeframe or "")
    base = pd.DatetimeIndex(first.frame.index)
    rows = [
        align(base, pd.DatetimeIndex(d.frame.index), symbol=str(d.symbol or ""), timeframe=str(d.timeframe or ""),
              compared=str(d.timeframe or "") == tf)  # fmt: skip
        for d in data[1:]
        if str(d.symbol or "") != str(first.symbol or "")
    ]
    return CalendarReport(primary=str(first.symbol or ""), timeframe=tf, bars=len(base), series=rows)
