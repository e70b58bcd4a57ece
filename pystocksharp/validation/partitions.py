"""Training / testing windows and an untouchable final holdout segment.

Lengths are :mod:`pystocksharp.timeframes` durations: calendar lengths (``"30d"``, ``"6m"``
months, ``"2y"``) or bar counts (``500``). Calendar lengths are measured from the open time of a
window's first bar; a window holds the bars whose open time falls in ``[start, start + length)``.

* **Rolling** window ``k``: training starts ``k`` steps after the first bar and lasts ``train``;
  the test window follows immediately and lasts ``test``.
* **Anchored** window ``k``: training always starts at the first bar and ends ``k`` steps after
  the first window's training end; the test window follows.
* ``step`` defaults to ``test``; a step shorter than the test length would make test windows
  overlap (the stitched out-of-sample curve would count bars twice), so it is rejected.
* A window is kept only when its whole test length fits before the holdout (or the data end).
* The **holdout** is the final ``holdout`` length of the data. No window touches it, and
  :meth:`Partitions.training_data` / :meth:`Partitions.selection_view` cut it off. A
  :class:`HoldoutGuard` wraps selection-stage callables (optimizer, ranking, window runs) and
  raises :class:`HoldoutAccessError` when one receives any bar at or after the holdout start.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from pystocksharp.errors import InputError, Problem, PyStockSharpError
from pystocksharp.timeframes import Duration, parse_duration

F = TypeVar("F", bound=Callable[..., Any])


class HoldoutAccessError(PyStockSharpError):
    """A selection-stage step received bars of the holdout segment."""


@dataclass(frozen=True)
class Window:
    """One walk-forward window: ``train`` and ``test`` are bar positions ``[start, stop)``."""

    index: int
    train: slice
    test: slice

    @property
    def train_bars(self) -> int:
        return self.train.stop - self.train.start

    @property
    def test_bars(self) -> int:
        return self.test.stop - self.test.start


@dataclass(frozen=True)
class HoldoutGuard:
    """Raises :class:`HoldoutAccessError` when a frame reaches the holdout.

    ``start_time`` is checked against a ``DatetimeIndex``; ``start_position`` against an integer
    index (bar positions, as frames sliced from a ``RangeIndex`` frame keep). ``None`` for both:
    no holdout, every frame passes.
    """

    start_position: int | None
    start_time: pd.Timestamp | None = None

    def check(self, frame: pd.DataFrame | pd.Series, stage: str) -> None:
        """Raise if ``frame`` holds any bar at or after the holdout start."""
        if self.start_position is None or len(frame) == 0:
            return
        index = frame.index
        if isinstance(index, pd.DatetimeIndex):
            if self.start_time is None:
                raise HoldoutAccessError(
                    f"{stage}: cannot check a time-indexed frame against a bar-count holdout"
                )
            last = index.max()
            if last >= self.start_time:
                raise HoldoutAccessError(
                    f"{stage} received holdout bars: last bar {last} >= holdout start {self.start_time}"
                )
            return
        if pd.api.types.is_integer_dtype(index.dtype):
            last_pos = int(index.max())
            if last_pos >= self.start_position:
                raise HoldoutAccessError(
                    f"{stage} received holdout bars: bar {last_pos} >= holdout start bar {self.start_position}"
                )
            return
        raise HoldoutAccessError(f"{stage}: cannot tell bar positions from a {type(index).__name__}")

    def wrap(self, fn: F, stage: str) -> F:
        """``fn`` whose first argument (a frame) is checked before every call."""

        @functools.wraps(fn)
        def guarded(frame: pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
            self.check(frame, stage)
            return fn(frame, *args, **kwargs)

        return guarded  # type: ignore[return-value]


def _parse(value: str | int | Duration | None, field: str, problems: list[Problem]) -> Duration | None:
    if value is None:
        return None
    try:
        return parse_duration(value, field=field)
    except InputError as err:
        problems.extend(err.problems)
        return None


@dataclass(frozen=True)
class _Mark:
    """A window boundary: the first bar position at or after it and its nominal time (calendar
    lengths chain from nominal times, so weekends and holidays do not make windows drift)."""

    pos: int
    time: pd.Timestamp | None
    fits: bool = True


class _Clock:
    """Moves window boundaries forward by durations over one index."""

    def __init__(self, n_bars: int, times: pd.DatetimeIndex | None, limit: int) -> None:
        self.n_bars = n_bars
        self.times = times
        self._ns = times.as_unit("ns").asi8 if times is not None else None
        self.limit = limit  # first position the windows may not reach (holdout start or n_bars)
        self.limit_time: pd.Timestamp | None = None
        if times is not None and limit < n_bars:
            self.limit_time = times[limit]
        elif times is not None:
            spacing = pd.Series(times).diff().median() if n_bars > 1 else pd.Timedelta(0)
            self.limit_time = times[-1] + spacing

    def start(self) -> _Mark:
        return _Mark(0, self.times[0] if self.times is not None else None)

    def _time_at(self, pos: int) -> pd.Timestamp | None:
        if self.times is None:
            return None
        return self.times[pos] if pos < self.limit else self.limit_time

    def advance(self, mark: _Mark, length: Duration, times: int = 1) -> _Mark:
        """The boundary ``times`` lengths after ``mark``; ``fits`` is False past the limit."""
        if length.bars is not None:
            end = mark.pos + times * length.bars
            pos = min(end, self.limit)
            return _Mark(pos, self._time_at(pos), end <= self.limit)
        assert mark.time is not None and self._ns is not None and self.limit_time is not None
        target = pd.Timestamp(mark.time + times * length.offset)
        end = int(np.searchsorted(self._ns, target.as_unit("ns").value, side="left"))
        return _Mark(min(end, self.limit), target, target <= self.limit_time)


@dataclass(frozen=True)
class Partitions:
    """Walk-forward windows over ``n_bars`` bars and the holdout from ``selection_end`` on."""

    n_bars: int
    index: pd.DatetimeIndex | None
    windows: tuple[Window, ...]
    selection_end: int
    anchored: bool
    train: Duration
    test: Duration
    step: Duration
    holdout: Duration | None

    @classmethod
    def build(
        cls,
        bars: pd.DatetimeIndex | pd.DataFrame | int,
        *,
        train: str | int | Duration,
        test: str | int | Duration,
        step: str | int | Duration | None = None,
        anchored: bool = False,
        holdout: str | int | Duration | None = None,
    ) -> Partitions:
        """Windows over a frame's ``DatetimeIndex`` (or an index, or a bar count: then only
        bar-count lengths). Raises ``InputError`` listing every problem."""
        problems: list[Problem] = []
        index = bars.index if isinstance(bars, pd.DataFrame) else bars
        times = index if isinstance(index, pd.DatetimeIndex) else None
        n_bars = len(index) if not isinstance(index, int) else index
        if times is not None and not times.is_monotonic_increasing:
            problems.append(Problem("bar times must be increasing", field="bars"))
        if n_bars < 2:
            problems.append(Problem(f"need at least 2 bars, got {n_bars}", field="bars"))
        parsed = {
            name: _parse(value, name, problems)
            for name, value in (("train", train), ("test", test), ("step", step), ("holdout", holdout))
        }
        for name, value in parsed.items():
            if value is not None and value.bars is None and times is None:
                problems.append(
                    Problem(f"calendar length {value} needs bar times; use a bar count", field=name)
                )
        if problems:
            raise InputError("invalid walk-forward partitions", problems)
        train_d, test_d = parsed["train"], parsed["test"]
        assert train_d is not None and test_d is not None
        step_d = parsed["step"] or test_d
        holdout_d = parsed["holdout"]
        selection_end = _holdout_start(n_bars, times, holdout_d, problems)
        if problems:
            raise InputError("invalid walk-forward partitions", problems)
        clock = _Clock(n_bars, times, selection_end)
        windows = _windows(clock, train_d, test_d, step_d, anchored)
        if not windows:
            problems.append(
                Problem(
                    f"no complete window: train {train_d} + test {test_d} does not fit in the "
                    f"{selection_end} bars before the holdout",
                    field="train",
                )
            )
        for prev, nxt in zip(windows, windows[1:], strict=False):
            if prev.test.stop > nxt.test.start:
                problems.append(
                    Problem(
                        f"step {step_d} is shorter than test {test_d}: test windows {prev.index} and "
                        f"{nxt.index} overlap",
                        field="step",
                    )
                )
                break
        if problems:
            raise InputError("invalid walk-forward partitions", problems)
        return cls(n_bars, times, tuple(windows), selection_end, anchored, train_d, test_d, step_d, holdout_d)

    @property
    def has_holdout(self) -> bool:
        return self.selection_end < self.n_bars

    @property
    def holdout_start(self) -> pd.Timestamp | int | None:
        """Open time (or position, without bar times) of the first holdout bar; None without holdout."""
        if not self.has_holdout:
            return None
        return self.index[self.selection_end] if self.index is not None else self.selection_end

    def _check_frame(self, frame: pd.DataFrame) -> None:
        if len(frame) != self.n_bars:
            raise ValueError(f"frame has {len(frame)} bars, the partitions were built for {self.n_bars}")
        if self.index is not None and not frame.index.equals(self.index):
            raise ValueError("frame index differs from the one the partitions were built on")

    def training_data(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` without the holdout: the only data optimization and selection may see."""
        self._check_frame(frame)
        return frame.iloc[: self.selection_end]

    def selection_view(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Alias of :meth:`training_data` for selection stages (ranking, PBO, DSR)."""
        return self.training_data(frame)

    def _window_slice(self, frame: pd.DataFrame, span: slice, what: str) -> pd.DataFrame:
        if span.stop > self.selection_end:
            raise HoldoutAccessError(
                f"{what} bars {span.start}..{span.stop - 1} reach the holdout (from bar {self.selection_end})"
            )
        return self.training_data(frame).iloc[span]

    def train_data(self, frame: pd.DataFrame, window: Window) -> pd.DataFrame:
        """The training bars of ``window`` (raises ``HoldoutAccessError`` if it reaches the holdout)."""
        return self._window_slice(frame, window.train, f"window {window.index} training")

    def test_data(self, frame: pd.DataFrame, window: Window) -> pd.DataFrame:
        """The out-of-sample test bars of ``window`` (raises if it reaches the holdout)."""
        return self._window_slice(frame, window.test, f"window {window.index} test")

    def holdout_data(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The holdout bars: for the final check of the chosen configuration only."""
        self._check_frame(frame)
        if not self.has_holdout:
            raise ValueError("these partitions have no holdout")
        return frame.iloc[self.selection_end :]

    def guard(self, frame: pd.DataFrame | None = None) -> HoldoutGuard:
        """A guard for this holdout (``frame`` supplies bar times for bar-count partitions)."""
        if not self.has_holdout:
            return HoldoutGuard(None)
        index = self.index if self.index is not None else (frame.index if frame is not None else None)
        start_time = index[self.selection_end] if isinstance(index, pd.DatetimeIndex) else None
        return HoldoutGuard(self.selection_end, start_time)

    def label(self, position: int) -> str:
        """Bar time (ISO 8601) at ``position``, or the position itself without bar times."""
        return self.index[position].isoformat() if self.index is not None else str(position)

    def table(self) -> pd.DataFrame:
        """One row per window: window, train_start, train_end, test_start, test_end (inclusive
        bars, times or positions), train_bars, test_bars."""
        rows = [
            {
                "window": w.index,
                "train_start": self.label(w.train.start),
                "train_end": self.label(w.train.stop - 1),
                "test_start": self.label(w.test.start),
                "test_end": self.label(w.test.stop - 1),
                "train_bars": w.train_bars,
                "test_bars": w.test_bars,
            }
            for w in self.windows
        ]
        return pd.DataFrame(rows)


def _holdout_start(
    n_bars: int, times: pd.DatetimeIndex | None, holdout: Duration | None, problems: list[Problem]
) -> int:
    if holdout is None:
        return n_bars
    if holdout.bars is not None:
        start = n_bars - holdout.bars
    else:
        assert times is not None
        cut = pd.Timestamp(times[-1] - holdout.offset).as_unit("ns").value
        start = int(np.searchsorted(times.as_unit("ns").asi8, cut, side="right"))
    if start <= 0:
        problems.append(Problem(f"holdout {holdout} covers all {n_bars} bars", field="holdout"))
    return start


def _windows(clock: _Clock, train: Duration, test: Duration, step: Duration, anchored: bool) -> list[Window]:
    windows: list[Window] = []
    origin = clock.start()
    first_train_end = clock.advance(origin, train)
    k = 0
    while True:
        if anchored:
            train_start = origin
            train_end = clock.advance(first_train_end, step, k) if k else first_train_end
        else:
            train_start = clock.advance(origin, step, k) if k else origin
            train_end = clock.advance(train_start, train)
        test_end = clock.advance(train_end, test)
        if not (train_start.fits and train_end.fits and test_end.fits):
            break
        if train_end.pos > train_start.pos and test_end.pos > train_end.pos:
            windows.append(
                Window(
                    len(windows), slice(train_start.pos, train_end.pos), slice(train_end.pos, test_end.pos)
                )
            )
        k += 1
    return windows
