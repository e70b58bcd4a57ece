"""Running combinations of Python strategies, in this process or in spawned worker processes.

Python strategies (per-bar :class:`pystocksharp.Strategy` subclasses and
:class:`pystocksharp.VectorStrategy`) hold the GIL while they run, so threads cannot use more
than one core. Each worker is a separate *process* started with the ``spawn`` method (never
``fork``: a forked .NET runtime is not safe), which hosts its own .NET runtime, resolves the
strategy once and reads the candles once from a Parquet file the parent wrote; it then runs
chunks of combinations with :func:`pystocksharp.backtest.run_backtest` (the very code path of
a single backtest), writes each combination's captures itself and returns small
:class:`CombinationRecord` objects. Only the parent appends to the results log. The worker
processes themselves (one combination at a time, killed past a time or memory limit or replaced
when they crash; Ctrl-C) are :mod:`pystocksharp.optimization.isolation`'s.
"""

from __future__ import annotations

import copy
import time
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from pystocksharp.backtest import BacktestSettings, run_backtest
from pystocksharp.optimization.checkpoint import CaptureStore, CombinationRecord, ParamValue
from pystocksharp.resolver import resolve_strategy


@dataclass(frozen=True)
class ComboTask:
    """One combination to run: its position in the grid, hash and values."""

    index: int
    parameter_hash: str
    parameters: dict[str, ParamValue]


@dataclass(frozen=True)
class LoadedData:
    """Candles as :func:`pystocksharp.backtest.run_backtest` takes them (UTC DatetimeIndex frame)."""

    frame: pd.DataFrame
    symbol: str = ""
    timeframe: str = ""
    source_path: str | None = None
    price_step: float = 0.01  # the loaded data's (``OhlcvData.price_step``)


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs, all picklable: the strategy reference is re-resolved in the worker."""

    strategy: Any
    data_path: str
    symbol: str
    timeframe: str
    price_step: float
    settings: BacktestSettings
    capture_root: str | None
    with_metrics: bool


def chunked(tasks: Iterable[ComboTask], size: int) -> Iterator[list[ComboTask]]:
    chunk: list[ComboTask] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def metrics_for(
    equity: pa.RecordBatch | pa.Table | None, fills: pa.RecordBatch | pa.Table | None, capital: float
) -> dict[str, float | None]:
    """Performance metrics of one run (:func:`pystocksharp.metrics.compute_metrics`), NaN as None."""
    if equity is None:
        return {}
    from pystocksharp.metrics import compute_metrics  # noqa: PLC0415

    eq = equity.to_pandas() if not isinstance(equity, pd.DataFrame) else equity
    fl = fills.to_pandas() if fills is not None and not isinstance(fills, pd.DataFrame) else fills
    metrics = compute_metrics(eq, fl, initial_capital=capital)
    values = metrics.model_dump() if hasattr(metrics, "model_dump") else dict(metrics)
    out: dict[str, float | None] = {}
    for key, value in values.items():
        if key == "schema_version":
            continue
        if isinstance(value, bool | int | float) and not isinstance(value, bool):
            number = float(value)
            out[key] = None if number != number or number in (float("inf"), float("-inf")) else number
    return out


def build_record(
    task: ComboTask,
    *,
    summary: Mapping[str, float | int] | None,
    fills: pa.RecordBatch | pa.Table | None,
    equity: pa.RecordBatch | pa.Table | None,
    wall_ms: float,
    error: str | None,
    trace: str | None,
    store: CaptureStore | None,
    capital: float,
    with_metrics: bool,
    engine_metrics: Mapping[str, float] | None = None,
) -> CombinationRecord:
    """Metrics, captures (written before the record exists) and the record of one combination.

    ``engine_metrics``: the metrics the engine computed (C# strategies run without captures), used as they
    are; else, with ``with_metrics``, they are computed here from ``equity`` and ``fills`` (:func:`metrics_for`).
    """
    metrics: dict[str, float | None] = {}
    if error is None:
        try:
            if with_metrics and engine_metrics is not None:
                metrics = dict(engine_metrics)
            elif with_metrics:
                metrics = metrics_for(equity, fills, capital)
            if store is not None and fills is not None and equity is not None:
                store.write(task.parameter_hash, fills, equity)
        except OSError:  # disk full, permissions: the run's failure, not this combination's (--resume retries it)
            raise
        except Exception as exc:  # a metrics/capture failure is this combination's failure
            error, trace = f"{type(exc).__name__}: {exc}", traceback.format_exc()
    ok = error is None and summary is not None
    fields: dict[str, Any] = dict(summary) if ok and summary is not None else {}
    return CombinationRecord.model_validate(
        {
            **fields,
            "index": task.index,
            "parameter_hash": task.parameter_hash,
            "parameters": task.parameters,
            "metrics": metrics if ok else {},
            "wall_ms": wall_ms,
            "error": error,
            "traceback": trace,
        }
    )


class PythonRunner:
    """Runs combinations of one Python strategy on one data set (in a worker or in-process)."""

    def __init__(self, config: WorkerConfig, frame: pd.DataFrame | None = None) -> None:
        self.config = config
        self.resolved = resolve_strategy(config.strategy)
        data = frame if frame is not None else pd.read_parquet(config.data_path)
        self.data = LoadedData(data, config.symbol, config.timeframe, price_step=config.price_step)
        self.store = CaptureStore(config.capture_root) if config.capture_root else None

    def run(self, task: ComboTask) -> CombinationRecord:
        start = time.perf_counter()
        try:
            result = run_backtest(self.resolved, self.data, task.parameters, self.config.settings)
        except Exception as exc:
            return build_record(
                task,
                summary=None,
                fills=None,
                equity=None,
                wall_ms=(time.perf_counter() - start) * 1e3,
                error=f"{type(exc).__name__}: {exc}",
                trace=traceback.format_exc(),
                store=None,
                capital=self.config.settings.capital,
                with_metrics=False,
            )
        wall_ms = (time.perf_counter() - start) * 1e3
        s = result.summary
        summary = {
            "net_profit": s.net_profit,
            "final_equity": s.final_equity,
            "realized_pnl": s.realized_pnl,
            "commission": s.commission,
            "round_trips": s.round_trips,
            "fill_count": s.fills,
            "max_drawdown": s.max_drawdown,
        }
        return build_record(
            task,
            summary=summary,
            fills=result.arrow["fills"],
            equity=result.arrow["equity"],
            wall_ms=wall_ms,
            error=None,
            trace=None,
            store=self.store,
            capital=self.config.settings.capital,
            with_metrics=self.config.with_metrics,
        )

    def run_chunk(self, tasks: Sequence[ComboTask]) -> list[CombinationRecord]:
        return [self.run(task) for task in tasks]

    def with_store(self, store: CaptureStore | None) -> PythonRunner:
        """This runner (same strategy and candles) writing its captures into ``store`` (a cluster worker
        gives each chunk its own :class:`~pystocksharp.optimization.checkpoint.CaptureBuffer`)."""
        other = copy.copy(self)
        other.store = store
        return other
