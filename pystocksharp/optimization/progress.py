"""Progress of an optimization run: the callback type, a tracker and a rich progress bar.

The Python API takes ``progress: Callable[[ProgressUpdate], None]``, called after every
finished combination (and once at the start, with what a resume skipped). The CLI passes
a :class:`RichProgressBar`. Rates are combinations per second of wall time since the run
(or the resume) started; the ETA assumes that rate holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@dataclass(frozen=True)
class ProgressUpdate:
    """Where a run stands. ``done`` counts finished combinations, failures included."""

    done: int
    total: int
    failed: int
    skipped: int
    elapsed_s: float
    rate_per_s: float
    eta_s: float | None

    @property
    def succeeded(self) -> int:
        return self.done - self.failed


ProgressCallback = Callable[[ProgressUpdate], None]


class ProgressTracker:
    """Counts finished combinations and derives rate and ETA; ``skipped`` were done before a resume."""

    def __init__(
        self, total: int, *, skipped: int = 0, failed: int = 0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.total = total
        self.skipped = skipped
        self.done = skipped
        self.failed = failed
        self._clock = clock
        self._start = clock()

    def finished(self, ok: bool) -> ProgressUpdate:
        self.done += 1
        if not ok:
            self.failed += 1
        return self.update()

    def update(self) -> ProgressUpdate:
        elapsed = max(self._clock() - self._start, 0.0)
        new = self.done - self.skipped
        rate = new / elapsed if elapsed > 0 else 0.0
        remaining = self.total - self.done
        eta = remaining / rate if rate > 0 else (0.0 if remaining == 0 else None)
        return ProgressUpdate(self.done, self.total, self.failed, self.skipped, elapsed, rate, eta)


class RichProgressBar:
    """A rich progress bar (done/total, rate, elapsed, ETA, failures); use as a context manager."""

    def __init__(self, description: str = "optimizing", console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:.1f}/s"),
            TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._description = description
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgressBar:
        self._progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.stop()

    def __call__(self, update: ProgressUpdate) -> None:
        if self._task is None:
            self._task = self._progress.add_task(
                self._description, total=update.total, completed=update.done, rate=0.0, failed=update.failed
            )
        self._progress.update(
            self._task,
            completed=update.done,
            total=update.total,
            rate=update.rate_per_s,
            failed=update.failed,
        )
