"""Performance metrics of backtests, from the engine's equity curve and fills (pure numpy/pandas).

- :func:`compute_metrics` -> :class:`PerformanceMetrics` (``performance-metrics.json``)
- :func:`round_trips` / :func:`round_trips_frame`: FIFO matching of fills into round trips
- :func:`compute_metrics_batch`: scalar metrics of many curves at once
- :func:`compare`: runs side by side, ranked

Conventions and references: ``docs/metrics.md``.
"""

from __future__ import annotations

from pystocksharp.metrics.batch import BATCH_COLUMNS, compute_metrics_batch
from pystocksharp.metrics.compare import compare
from pystocksharp.metrics.core import (
    compute_metrics,
    infer_periods_per_year,
    metrics_of_backtest,
    rf_per_period,
)
from pystocksharp.metrics.models import (
    DrawdownPeriod,
    HistogramBin,
    MonthlyReturn,
    PerformanceMetrics,
    RoundTrip,
    YearlyReturn,
)
from pystocksharp.metrics.trades import round_trips, round_trips_frame

__all__ = [
    "BATCH_COLUMNS",
    "DrawdownPeriod",
    "HistogramBin",
    "MonthlyReturn",
    "PerformanceMetrics",
    "RoundTrip",
    "YearlyReturn",
    "compare",
    "compute_metrics",
    "compute_metrics_batch",
    "infer_periods_per_year",
    "metrics_of_backtest",
    "rf_per_period",
    "round_trips",
    "round_trips_frame",
]
