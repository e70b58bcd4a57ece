"""Bar time frames ("1m", "5m", "1h", "4h", "1d", "1w") and window lengths ("30d", "6m", "2y", 500).

Two notations, deliberately different, as traders write them:

* A **time frame** is the width of one bar. Units: ``s`` seconds, ``m`` (or ``min``) minutes,
  ``h`` hours, ``d`` days, ``w`` weeks. ``"1m"`` is one *minute* here.
* A **duration** is a calendar length such as a walk-forward window. Units: ``d`` days,
  ``w`` weeks, ``m`` (or ``mo``) *months*, ``y`` years, ``h`` hours; or a plain integer, which
  counts bars. ``"6m"`` is six *months* here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from pystocksharp.errors import InputError, Problem

_TIMEFRAME_UNITS: dict[str, int] = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_CANONICAL_UNITS: tuple[tuple[str, int], ...] = (
    ("w", 7 * 86400),
    ("d", 86400),
    ("h", 3600),
    ("m", 60),
    ("s", 1),
)
_TIMEFRAME_RE = re.compile(r"^\s*(\d+)\s*(s|min|m|h|d|w)\s*$", re.IGNORECASE)
_DURATION_RE = re.compile(r"^\s*(\d+)\s*(h|d|w|mo|m|y)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Timeframe:
    """A bar width: ``count`` of ``unit`` (one of s, m, h, d, w); ``str()`` gives the canonical text."""

    count: int
    unit: str

    @property
    def seconds(self) -> int:
        """Bar width in seconds."""
        return self.count * _TIMEFRAME_UNITS[self.unit]

    @property
    def timedelta(self) -> pd.Timedelta:
        """Bar width as a pandas ``Timedelta`` (a fixed length: a week is 7 days)."""
        return pd.Timedelta(seconds=self.seconds)

    @property
    def pandas_freq(self) -> str:
        """A pandas frequency string for ``date_range``/``resample`` ("5min", "4h", "1D", "7D")."""
        return {
            "s": f"{self.count}s",
            "m": f"{self.count}min",
            "h": f"{self.count}h",
            "d": f"{self.count}D",
        }.get(self.unit, f"{7 * self.count}D")

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


def parse_timeframe(text: str | Timeframe, *, field: str = "timeframe") -> Timeframe:
    """``"5m"`` -> ``Timeframe(5, "m")`` (five minutes), canonical (``"60m"`` -> ``1h``, ``"7d"`` -> ``1w``).

    Raises ``InputError`` naming the expected form.
    """
    if isinstance(text, Timeframe):
        return text
    match = _TIMEFRAME_RE.match(str(text))
    if not match or int(match[1]) <= 0:
        raise InputError(
            f"bad time frame {text!r}",
            [
                Problem(
                    f"expected a positive count and a unit s, m, h, d or w (e.g. 1m, 5m, 1h, 4h, 1d, 1w), got {text!r}",
                    field=field,
                )
            ],
        )
    unit = match[2].lower()
    return timeframe_from_seconds(int(match[1]) * _TIMEFRAME_UNITS[unit])


def is_timeframe(text: str) -> bool:
    """True when ``text`` parses as a time frame."""
    match = _TIMEFRAME_RE.match(text)
    return match is not None and int(match[1]) > 0


def timeframe_seconds(text: str | Timeframe) -> int:
    """Bar width of a time frame in seconds (``"1h"`` -> 3600)."""
    return parse_timeframe(text).seconds


def timeframe_from_seconds(seconds: float) -> Timeframe:
    """The canonical time frame for a bar width in seconds, largest unit that divides it (86400 -> 1d)."""
    whole = int(round(seconds))
    if whole <= 0:
        raise ValueError(f"a bar width must be positive, got {seconds} s")
    for unit, size in _CANONICAL_UNITS:
        if whole % size == 0:
            return Timeframe(whole // size, unit)
    raise AssertionError("unreachable: seconds divide every whole number")


@dataclass(frozen=True)
class Duration:
    """A window length: either ``bars`` (a bar count) or a calendar ``count`` of ``unit`` (h, d, w, m=months, y)."""

    bars: int | None = None
    count: int | None = None
    unit: str | None = None

    @property
    def is_bars(self) -> bool:
        return self.bars is not None

    @property
    def offset(self) -> pd.DateOffset:
        """The calendar length as a pandas ``DateOffset`` (months and years are calendar months/years)."""
        if self.count is None or self.unit is None:
            raise ValueError("a bar-count duration has no calendar offset")
        key = {"h": "hours", "d": "days", "w": "weeks", "m": "months", "y": "years"}[self.unit]
        return pd.DateOffset(**{key: self.count})

    def end_from(self, start: pd.Timestamp) -> pd.Timestamp:
        """``start`` plus this calendar length (``"1m"`` from Jan 31 ends Feb 28/29, as pandas does)."""
        return start + self.offset

    def __str__(self) -> str:
        return str(self.bars) if self.bars is not None else f"{self.count}{self.unit}"


def parse_duration(text: str | int | Duration, *, field: str = "duration") -> Duration:
    """``"30d"``, ``"6m"`` (months), ``"2y"``, ``"4w"``, ``"12h"``, or a bar count (``500`` / ``"500"``)."""
    if isinstance(text, Duration):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        if text <= 0:
            raise InputError(
                "bad duration", [Problem(f"a bar count must be positive, got {text}", field=field)]
            )
        return Duration(bars=text)
    raw = str(text).strip()
    if raw.isdigit() and int(raw) > 0:
        return Duration(bars=int(raw))
    match = _DURATION_RE.match(raw)
    if not match or int(match[1]) <= 0:
        raise InputError(
            f"bad duration {text!r}",
            [
                Problem(
                    f"expected a bar count (e.g. 500) or a positive count and a unit h, d, w, m (months) or y "
                    f"(e.g. 30d, 6m, 2y), got {text!r}",
                    field=field,
                )
            ],
        )
    unit = match[2].lower()
    return Duration(count=int(match[1]), unit="m" if unit == "mo" else unit)
