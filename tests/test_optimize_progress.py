"""Progress tracking: counts, rate and ETA with a controlled clock; the rich bar renders them."""

from __future__ import annotations

import io

from rich.console import Console

from pystocksharp.optimization.progress import ProgressTracker, RichProgressBar


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_and_eta_count_only_combinations_finished_in_this_session() -> None:
    clock = _Clock()
    tracker = ProgressTracker(10, skipped=4, failed=1, clock=clock)
    first = tracker.update()
    assert (first.done, first.failed, first.rate_per_s, first.eta_s) == (4, 1, 0.0, None)
    clock.now += 2.0
    tracker.finished(ok=True)
    update = tracker.finished(ok=False)
    # 2 new combinations in 2 s -> 1/s; 10 - 6 = 4 left -> ETA 4 s
    assert (update.done, update.failed, update.succeeded) == (6, 2, 4)
    assert update.rate_per_s == 1.0 and update.eta_s == 4.0


def test_rich_bar_shows_done_total_and_failures() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, width=120)
    clock = _Clock()
    tracker = ProgressTracker(3, clock=clock)
    with RichProgressBar(console=console) as bar:
        bar(tracker.update())
        clock.now += 1.0
        bar(tracker.finished(ok=False))
        bar(tracker.finished(ok=True))
    text = buffer.getvalue()
    assert "2/3" in text and "1 failed" in text
