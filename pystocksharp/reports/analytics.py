"""Portfolio analytics of one run for its page: trading costs (TCA totals), per-symbol attribution with the
correlation of the symbols' per-bar PnL, the capacity curve when one was computed, and the benchmark the run was
compared with (its close at each equity row).

``analytics.json`` in a backtest run folder (:class:`RunAnalytics`, written by ``backtest --out``) keeps them beside
the artifacts, so ``pystocksharp report`` rebuilds the same page. Plain data: nothing here runs the engine (the
capacity points come computed, see :mod:`pystocksharp.capacity`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, ValidationError

from pystocksharp.capacity import CapacityPoint, capacity_frame
from pystocksharp.errors import InputError, Problem
from pystocksharp.metrics.attribution import Attribution
from pystocksharp.reports.data import RunReport

ANALYTICS_FILE = "analytics.json"
DESCRIPTION = (
    "trading costs, per-symbol attribution and correlation, capacity curve, benchmark closes "
    "(money in account currency)"
)


class TcaSummary(BaseModel):
    """Totals of the run's transaction cost analysis (:func:`pystocksharp.metrics.tca.tca_summary`)."""

    fills: int
    commission: float
    slippage: float
    cost: float = Field(description="commission + slippage")
    notional: float = Field(description="sum of price * volume of the fills")
    cost_bps: float = Field(description="cost / notional * 1e4")
    shortfall_decision: float
    shortfall_arrival: float


class BenchmarkCloses(BaseModel):
    """The benchmark a run was compared with (:mod:`pystocksharp.benchmark`), at the run's equity rows."""

    label: str = Field(description="the name shown: the benchmark data's symbol, else its file's stem")
    source: str = Field(description="what was given: a path or sample:NAME; empty for in-memory data")
    sha256: str | None = Field(default=None, description="the benchmark file's sha256; null for in-memory data")
    close: list[float | None] = Field(
        description="the benchmark's last close at or before each equity row's time (UTC); null before its first bar"
    )


class IndicatorLine(BaseModel):
    """One line of an indicator the strategy drew (``DrawIndicator``; :attr:`pystocksharp.BacktestResult.indicators`)."""

    name: str
    pane: Literal["pane", "price"] | None = Field(
        default=None,
        description="pane: its own pane below the price; price: over the candles; null: over the candles if it "
        "tracks the close",
    )
    time_ns: list[int] = Field(description="UTC open times of the bars with a new value, ns since the epoch")
    value: list[float] = Field(description="the indicator's value after each of those bars, in its own unit")


class RunAnalytics(BaseModel):
    """``analytics.json``: what the run page's trading-costs, attribution and capacity sections show."""

    schema_version: Literal[1] = 1
    tca: TcaSummary | None = None
    attribution: Attribution | None = None
    capacity: list[CapacityPoint] | None = Field(
        default=None, description="ascending multipliers; null: not computed"
    )
    benchmark: BenchmarkCloses | None = Field(default=None, description="null: the run had no benchmark")
    indicators: list[IndicatorLine] = Field(default_factory=list, description="the indicators the strategy drew")


def analytics_of_backtest(result: Any, capacity: Sequence[CapacityPoint] | None = None) -> RunAnalytics:
    """The analytics of a :class:`pystocksharp.BacktestResult` (TCA only when the engine recorded costs)."""
    tca = TcaSummary(**result.tca_summary()) if "costs" in getattr(result, "arrow", {}) else None
    return RunAnalytics(
        tca=tca,
        attribution=result.attribution_report(),
        capacity=None if capacity is None else list(capacity),
        benchmark=benchmark_closes(getattr(result, "benchmark", None), result.equity["time"]),
        indicators=indicator_lines(getattr(result, "indicators", {}), getattr(result, "indicator_panes", {})),
    )


def indicator_lines(indicators: Mapping[str, pd.Series], panes: Mapping[str, str]) -> list[IndicatorLine]:
    """Drawn indicators (name -> Series by UTC time) as :class:`IndicatorLine` records (NaN values dropped)."""
    lines = []
    for name, series in indicators.items():
        s = series.dropna()
        ns = pd.DatetimeIndex(pd.to_datetime(s.index, utc=True)).as_unit("ns").asi8
        lines.append(
            IndicatorLine(name=name, pane=panes.get(name),
                          time_ns=ns.tolist(), value=s.to_numpy(dtype=float).tolist())  # fmt: skip
        )
    return lines


def benchmark_closes(benchmark: Any, times: Any) -> BenchmarkCloses | None:
    """A :class:`pystocksharp.benchmark.Benchmark` at ``times`` (the equity rows); None without one."""
    if benchmark is None:
        return None
    closes = benchmark.at(times)
    return BenchmarkCloses(
        label=benchmark.label,
        source=benchmark.source,
        sha256=benchmark.sha256,
        close=[float(v) if math.isfinite(v) else None for v in closes.tolist()],
    )


def write_analytics(folder: str | Path, analytics: RunAnalytics) -> Path:
    """Write ``analytics.json`` into a run folder and re-list the folder in its ``manifest.json`` (if it has one)."""
    from pystocksharp.artifacts import manifest
    from pystocksharp.io import atomic_write_json

    folder = Path(folder)
    path = atomic_write_json(folder / ANALYTICS_FILE, analytics)
    if (folder / manifest.MANIFEST_FILE).is_file():
        manifest.refresh_manifest(folder, descriptions={ANALYTICS_FILE: DESCRIPTION})
    return path


def read_analytics(folder: str | Path) -> RunAnalytics | None:
    """``analytics.json`` of a run folder, or None when the folder has none."""
    path = Path(folder) / ANALYTICS_FILE
    if not path.is_file():
        return None
    try:
        return RunAnalytics.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        raise InputError(
            f"cannot read {ANALYTICS_FILE}", [Problem(str(exc).splitlines()[0], file=str(path))]
        ) from exc


def with_analytics(report: RunReport, analytics: RunAnalytics | None) -> RunReport:
    """``report`` with the analytics' sections filled in (None: unchanged)."""
    if analytics is None:
        return report
    changes: dict[str, Any] = {}
    if analytics.tca is not None:
        changes["costs"] = analytics.tca.model_dump()
    if analytics.attribution is not None:
        rows = [s.model_dump() for s in analytics.attribution.symbols]
        changes["attribution"] = pd.DataFrame(rows)
        corr = analytics.attribution.correlation
        changes["correlation"] = pd.DataFrame(
            corr.values, index=corr.symbols, columns=corr.symbols, dtype=float
        )
    if analytics.capacity is not None:
        changes["capacity"] = capacity_frame(analytics.capacity)
    if analytics.indicators:
        drawn = {
            line.name: pd.Series(line.value, index=pd.to_datetime(line.time_ns, unit="ns", utc=True), dtype=float)
            for line in analytics.indicators
        }
        changes["indicators"] = {**drawn, **report.indicators}  # what the caller gave wins
        panes = {line.name: line.pane for line in analytics.indicators if line.pane is not None}
        changes["indicator_panes"] = {**panes, **report.indicator_panes}
    if analytics.benchmark is not None:
        closes = [math.nan if v is None else v for v in analytics.benchmark.close]
        changes["benchmark"] = np.asarray(closes, dtype=float)
        changes["benchmark_label"] = analytics.benchmark.label
    return dataclasses.replace(report, **changes)
