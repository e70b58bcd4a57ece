"""Writers of run artifacts: a backtest folder, an optimization folder, reports, metadata.

Every file is written atomically (:mod:`pystocksharp.io`); each folder's ``manifest.json``
is written last, after its files are made durable (fsync of each file, then of the folder
once), so a folder is complete exactly when its manifest exists. A writer removes an old
manifest first, so a folder being rewritten never looks complete.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ValidationError

from pystocksharp.artifacts import datasets
from pystocksharp.artifacts.layout import RunLayout, relative_posix, short_hash
from pystocksharp.artifacts.manifest import MANIFEST_FILE, write_manifest
from pystocksharp.artifacts.models import (
    BestConfiguration,
    BestConfigurations,
    DataMetadata,
    Fill,
    MarketDataRef,
    OptimizationResultsIndex,
    OptimizationResultsPage,
    PageRef,
    ParameterSchemas,
    PipelineSummary,
    RiskAnalysis,
    RiskEntry,
    RoundTrip,
    RunStatistics,
    StrategyConfig,
    StrategyDefinition,
    StrategyMetadata,
    TradesFile,
)
from pystocksharp.io import atomic_path, atomic_write_json
from pystocksharp.parameters import with_others

PAGE_SIZE = 1_000
DEFAULT_KEEP = 20
#: Columns of an optimization table that are neither parameters nor metrics.
NON_METRIC_COLUMNS = frozenset({"index", "parameter_hash", "error", "traceback"})
#: Risk metrics copied into risk-analysis.json when the table has them.
RISK_METRICS = (
    "max_drawdown",
    "max_drawdown_duration_bars",
    "volatility",
    "annual_volatility",
    "downside_deviation",
    "value_at_risk_95",
    "var_95",
    "expected_shortfall_95",
    "cvar_95",
    "ulcer_index",
    "worst_trade",
    "max_consecutive_losses",
    "exposure",
)
SHARPE_COLUMNS = ("sharpe_ratio", "sharpe")

Metrics = BaseModel | Mapping[str, Any]


# ---- small helpers -------------------------------------------------------------------------


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _clear_manifest(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (folder / MANIFEST_FILE).unlink()


def _write_parquet(target: Path, frame: datasets.Frame) -> Path:
    table = datasets.to_arrow(frame)
    with atomic_path(target, fsync=False) as tmp:
        datasets.write_parquet(table, tmp)
    return target


def _records(frame: pd.DataFrame, fields: Sequence[str]) -> list[dict[str, Any]]:
    """Rows of ``frame`` restricted to ``fields`` (snake_case names), times as UTC datetimes."""
    frame = frame.rename(columns={c: _snake(str(c)) for c in frame.columns})
    keep = [c for c in frame.columns if c in fields]
    out = frame[keep].copy()
    for column in keep:
        if column == "time" or column.endswith("_time"):
            values = out[column]
            if pd.api.types.is_integer_dtype(values):
                values = pd.to_datetime(values, unit="ns", utc=True)
            out[column] = pd.to_datetime(values, utc=True)
        elif column == "side" and not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(lambda s: 1 if str(s).lower() in ("buy", "1", "+1") else -1)
    records = out.astype(object).where(out.notna(), None).to_dict("records")
    for row in records:
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                row[key] = value.to_pydatetime()
            elif isinstance(value, np.generic):
                row[key] = value.item()
    return records


def trades_file(fills: pd.DataFrame, round_trips: pd.DataFrame | None = None) -> TradesFile:
    """``trades.json`` of engine fills (time, side, price, volume, commission, order_id, ...)."""
    fill_rows = _records(fills, list(Fill.model_fields))
    for row in fill_rows:
        row["side"] = 1 if row["side"] > 0 else -1
    trip_rows = [] if round_trips is None else _records(round_trips, list(RoundTrip.model_fields))
    return TradesFile.model_validate({"fills": fill_rows, "round_trips": trip_rows})


def market_data_ref(
    frame: pd.DataFrame, *, symbol: str, timeframe: str, path: str | None = None, sha256: str | None = None
) -> MarketDataRef:
    """``market-data.json`` of a bar frame (a ``time`` column or a DatetimeIndex, UTC)."""
    times = frame["time"] if "time" in frame.columns else pd.Series(frame.index)
    times = pd.to_datetime(times, utc=True)
    return MarketDataRef(
        symbol=symbol,
        timeframe=timeframe,
        path=path,
        sha256=sha256,
        bars=len(frame),
        first_timestamp=times.iloc[0].to_pydatetime() if len(times) else None,
        last_timestamp=times.iloc[-1].to_pydatetime() if len(times) else None,
    )


def _metrics_model(
    metrics: Metrics, equity: pd.DataFrame, fills: pd.DataFrame, capital: float
) -> BaseModel | dict[str, Any]:
    """What ``performance-metrics.json`` holds: the project's ``PerformanceMetrics``.

    A model passes through. A mapping is validated into ``PerformanceMetrics``; when it is
    not a complete one (e.g. an optimization table row), the metrics are computed from the
    run's equity and fills with ``compute_metrics``. Without the metrics module, the mapping
    is written as given.
    """
    if isinstance(metrics, BaseModel):
        return metrics
    try:
        from pystocksharp.metrics import PerformanceMetrics, compute_metrics  # type: ignore[attr-defined]
    except ImportError:
        return dict(metrics)
    try:
        return PerformanceMetrics.model_validate(dict(metrics))
    except ValidationError:
        return compute_metrics(equity, fills, initial_capital=capital)


def _metric_value(metrics: Metrics, name: str) -> float | None:
    value = getattr(metrics, name, None) if isinstance(metrics, BaseModel) else metrics.get(name)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return float(value)


# ---- one backtest --------------------------------------------------------------------------


def write_backtest_run(
    out_dir: str | os.PathLike[str],
    *,
    config: StrategyConfig,
    market_data: MarketDataRef,
    fills: pd.DataFrame,
    equity: pd.DataFrame,
    metrics: Metrics,
    round_trips: pd.DataFrame | None = None,
    statistics: RunStatistics | None = None,
    engine_version: str | None = None,
    fsync: bool = True,
) -> Path:
    """Write one run's folder; ``manifest.json`` last. Returns the manifest's path.

    Files: strategy-config.json, market-data.json, trades.json, performance-metrics.json,
    equity.parquet (per-bar rows), trades.parquet (fills).
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    _clear_manifest(folder)
    trades = trades_file(fills, round_trips)
    performance = _metrics_model(metrics, equity, fills, config.emulation.capital)
    atomic_write_json(folder / "strategy-config.json", config, fsync=False)
    atomic_write_json(folder / "market-data.json", market_data, fsync=False)
    atomic_write_json(folder / "trades.json", trades, fsync=False)
    atomic_write_json(folder / "performance-metrics.json", performance, fsync=False)
    _write_parquet(folder / "equity.parquet", equity)
    _write_parquet(folder / "trades.parquet", fills)
    # statistics from the metrics as given (the caller's record), else from the written model
    round_trip_count = _metric_value(metrics, "round_trips")
    if round_trip_count is None:
        round_trip_count = _metric_value(performance, "round_trips")
    stats = statistics or RunStatistics(
        combinations=1,
        successes=1,
        failures=0,
        best_sharpe=next(
            (
                v
                for m in (metrics, performance)
                for c in SHARPE_COLUMNS
                if (v := _metric_value(m, c)) is not None
            ),
            None,
        ),
        best_max_drawdown=next(
            (v for m in (metrics, performance) if (v := _metric_value(m, "max_drawdown")) is not None), None
        ),
    )
    return write_manifest(
        folder,
        kind="backtest",
        strategy=_strategy_metadata(config),
        data=_data_metadata(
            market_data,
            round_trips=int(round_trip_count)
            if round_trip_count is not None
            else len(trades.round_trips) or None,
        ),
        run=stats,
        engine_version=engine_version,
        fsync=fsync,
    )


def _strategy_metadata(config: StrategyConfig) -> StrategyMetadata:
    return StrategyMetadata(
        name=config.strategy.label,
        version=config.strategy.version,
        parameters=dict(config.parameters),
        parameter_hash=config.parameter_hash,
    )


def _run_strategy_metadata(config: StrategyConfig) -> StrategyMetadata:
    """The strategy of a whole run (many combinations): no parameters, no parameter hash."""
    return _strategy_metadata(config.model_copy(update={"parameters": {}, "parameter_hash": None}))


def _data_metadata(market_data: MarketDataRef, *, round_trips: int | None = None) -> DataMetadata:
    return DataMetadata(
        symbol=market_data.symbol,
        timeframe=market_data.timeframe,
        start=market_data.first_timestamp,
        end=market_data.last_timestamp,
        bars=market_data.bars,
        round_trips=round_trips,
    )


# ---- optimization table ---------------------------------------------------------------------


def metric_columns(table: pd.DataFrame, parameter_names: Sequence[str]) -> list[str]:
    """Numeric columns of ``table`` that are neither parameters nor bookkeeping."""
    return [
        str(c)
        for c in table.columns
        if c not in NON_METRIC_COLUMNS
        and c not in parameter_names
        and pd.api.types.is_numeric_dtype(table[c])
    ]


def table_rows(
    table: pd.DataFrame, parameter_names: Sequence[str], metric_names: Sequence[str]
) -> list[dict[str, Any]]:
    """Plain dict rows (``OptimizationRow`` shape) of a ranked table; NaN becomes None."""
    n = len(table)
    params = {p: table[p].astype(object).where(table[p].notna(), None).tolist() for p in parameter_names}
    values = (
        table[list(metric_names)].to_numpy(dtype=float, na_value=np.nan) if metric_names else np.empty((n, 0))
    )
    metric_lists = [[None if v != v else v for v in row] for row in values.tolist()]
    hashes = table["parameter_hash"].astype(str).tolist()
    errors = table["error"].tolist() if "error" in table.columns else [None] * n
    rows = []
    for i in range(n):
        error = errors[i]
        rows.append(
            {
                "rank": i + 1,
                "parameter_hash": hashes[i],
                "parameters": {p: _plain(params[p][i]) for p in parameter_names},
                "metrics": dict(zip(metric_names, metric_lists[i], strict=True)),
                "error": error if isinstance(error, str) and error else None,
            }
        )
    return rows


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def write_results_table(
    opt_dir: Path,
    table: pd.DataFrame,
    parameter_names: Sequence[str],
    metric_names: Sequence[str],
    *,
    page_size: int = PAGE_SIZE,
) -> list[Path]:
    """``optimization-results.json`` (+ pages above ``page_size`` rows) and ``.parquet``."""
    written = [_write_parquet(opt_dir / "optimization-results.parquet", table)]
    rows = table_rows(table, parameter_names, metric_names)
    page_count = max(1, -(-len(rows) // page_size))
    common = {"parameter_names": list(parameter_names), "metric_names": list(metric_names)}
    for stale in opt_dir.glob("optimization-results-*.json"):
        stale.unlink()
    if page_count == 1:
        page = _page(rows, 1, 1, len(rows), 0, common)
        written.append(atomic_write_json(opt_dir / "optimization-results.json", page, fsync=False))
        return written
    refs = []
    for number in range(1, page_count + 1):
        offset = (number - 1) * page_size
        chunk = rows[offset : offset + page_size]
        name = f"optimization-results-{number:04d}.json"
        written.append(
            atomic_write_json(
                opt_dir / name, _page(chunk, number, page_count, len(rows), offset, common), fsync=False
            )
        )
        refs.append(PageRef(path=name, rows=len(chunk), first_rank=offset + 1, last_rank=offset + len(chunk)))
    index = OptimizationResultsIndex(
        total_rows=len(rows),
        page_size=page_size,
        pages=refs,
        parquet="optimization-results.parquet",
        parameter_names=common["parameter_names"],
        metric_names=common["metric_names"],
    )
    written.append(atomic_write_json(opt_dir / "optimization-results.json", index, fsync=False))
    return written


def _page(
    rows: list[dict[str, Any]], page: int, count: int, total: int, offset: int, common: dict[str, Any]
) -> OptimizationResultsPage:
    return OptimizationResultsPage.model_validate(
        {"page": page, "page_count": count, "total_rows": total, "row_offset": offset, "rows": rows, **common}
    )


def run_statistics(table: pd.DataFrame, execution_time_s: float | None = None) -> RunStatistics:
    """Combinations, successes, failures, best Sharpe and shallowest drawdown of a table."""
    failed = table["error"].notna() & (table["error"].astype(str) != "") if "error" in table.columns else None
    failures = int(failed.sum()) if failed is not None else 0
    ok = table[~failed] if failed is not None else table
    sharpe_col = next((c for c in SHARPE_COLUMNS if c in table.columns), None)
    best_sharpe = ok[sharpe_col].max() if sharpe_col and len(ok) else None
    best_dd = ok["max_drawdown"].max() if "max_drawdown" in table.columns and len(ok) else None
    return RunStatistics(
        combinations=len(table),
        successes=len(table) - failures,
        failures=failures,
        execution_time_s=execution_time_s,
        best_sharpe=None if best_sharpe is None or pd.isna(best_sharpe) else float(best_sharpe),
        best_max_drawdown=None if best_dd is None or pd.isna(best_dd) else float(best_dd),
    )


# ---- optimization folder --------------------------------------------------------------------


@dataclass
class OptimizationExport:
    """What :func:`write_optimization` wrote."""

    optimization_dir: Path
    kept: list[str] = field(default_factory=list)  # parameter hashes with a folder, best first
    files: list[Path] = field(default_factory=list)


def _kept_hashes(table: pd.DataFrame, keep: int | Literal["all"]) -> list[str]:
    ok = table
    if "error" in table.columns:
        ok = table[table["error"].isna() | (table["error"].astype(str) == "")]
    hashes = ok["parameter_hash"].astype(str).tolist()
    return hashes if keep == "all" else hashes[: int(keep)]


class _Source:
    """Per-combination frames from a combined table, a mapping or a function."""

    def __init__(self, data: datasets.CombinationFrames, combined: pa.Table) -> None:
        self.data = data
        self.combined = combined

    def prefetch(self, hashes: Sequence[str]) -> None:
        """Keep only the rows of ``hashes`` of a combined table (one pass instead of one per hash)."""
        if isinstance(self.data, pd.DataFrame | pa.Table) and hashes:
            mask = datasets.hashes_mask(self.combined.column(datasets.HASH_COLUMN), hashes)
            self.combined = self.combined.filter(mask)

    def get(self, parameter_hash: str) -> pd.DataFrame:
        if isinstance(self.data, Mapping):
            return datasets.to_arrow(self.data[parameter_hash]).to_pandas()
        if callable(self.data) and not isinstance(self.data, pd.DataFrame | pa.Table):
            return datasets.to_arrow(self.data(parameter_hash)).to_pandas()
        rows = self.combined.filter(
            datasets.hash_mask(self.combined.column(datasets.HASH_COLUMN), parameter_hash)
        )
        return rows.drop_columns([datasets.HASH_COLUMN]).to_pandas()


def write_optimization(
    layout: RunLayout | str | os.PathLike[str],
    table: pd.DataFrame,
    *,
    parameter_names: Sequence[str],
    fills: datasets.CombinationFrames,
    equity: datasets.CombinationFrames,
    config: StrategyConfig,
    market_data: MarketDataRef,
    metric_names: Sequence[str] | None = None,
    round_trips: datasets.CombinationFrames | None = None,
    performance: Mapping[str, Metrics] | Callable[[str, pd.DataFrame, pd.DataFrame], Metrics] | None = None,
    keep: int | Literal["all"] = DEFAULT_KEEP,
    statistics: RunStatistics | None = None,
    engine_version: str | None = None,
    page_size: int = PAGE_SIZE,
    fsync: bool = True,
) -> OptimizationExport:
    """Write ``optimization/``: the ranked table, every combination's datasets, top folders.

    ``table`` is ranked best first, one row per combination, with a ``parameter_hash``
    column, the ``parameter_names`` columns, numeric metric columns and optionally
    ``error``. ``config`` is the run's base configuration: each kept folder gets a copy with
    its own parameters and hash. ``performance`` gives each kept combination's metrics (a
    mapping by hash, or ``f(hash, equity, fills)``); by default the table row's metrics.
    """
    opt_dir = layout.optimization_dir if isinstance(layout, RunLayout) else Path(layout)
    opt_dir.mkdir(parents=True, exist_ok=True)
    _clear_manifest(opt_dir)
    table = table.reset_index(drop=True)
    metric_names = list(metric_names) if metric_names is not None else metric_columns(table, parameter_names)
    hashes = table["parameter_hash"].astype(str).tolist()
    export = OptimizationExport(opt_dir)
    export.files += write_results_table(opt_dir, table, parameter_names, metric_names, page_size=page_size)
    fills_all = datasets.combine(fills, hashes)
    equity_all = datasets.combine(equity, hashes)
    datasets.write_partitioned(fills_all, opt_dir / "fills")
    datasets.write_partitioned(equity_all, opt_dir / "equity")
    trip_source = None
    if round_trips is not None:
        trips_all = datasets.combine(round_trips, hashes)
        datasets.write_partitioned(trips_all, opt_dir / "round-trips")
        trip_source = _Source(round_trips, trips_all)
    export.kept = _kept_hashes(table, keep)
    sources = (_Source(fills, fills_all), _Source(equity, equity_all))
    for source in (*sources, trip_source):
        if source is not None:
            source.prefetch(export.kept)
    rows = table.set_index(table["parameter_hash"].astype(str))
    for h in export.kept:
        row = rows.loc[h]
        combo_fills, combo_equity = sources[0].get(h), sources[1].get(h)
        metrics: Metrics
        if performance is None:
            metrics = {m: (None if pd.isna(row[m]) else _plain(row[m])) for m in metric_names}
        elif isinstance(performance, Mapping):
            metrics = performance[h]
        else:
            metrics = performance(h, combo_equity, combo_fills)
        params = with_others({p: _plain(row[p]) for p in parameter_names}, config.parameters)  # the others stay
        write_backtest_run(
            opt_dir / short_hash(h),
            config=config.model_copy(update={"parameters": params, "parameter_hash": h}),
            market_data=market_data,
            fills=combo_fills,
            equity=combo_equity,
            metrics=metrics,
            round_trips=trip_source.get(h) if trip_source else None,
            engine_version=engine_version,
            fsync=fsync,
        )
    write_manifest(
        opt_dir,
        kind="optimization",
        strategy=_run_strategy_metadata(config),
        data=_data_metadata(market_data),
        run=statistics or run_statistics(table),
        engine_version=engine_version,
        fsync=fsync,
    )
    return export


# ---- reports and metadata -------------------------------------------------------------------


def best_configurations(
    table: pd.DataFrame,
    parameter_names: Sequence[str],
    *,
    metric_names: Sequence[str] | None = None,
    top: int = DEFAULT_KEEP,
    ranking: Sequence[str] = (),
    run_dir: Path | None = None,
    optimization_dir: Path | None = None,
) -> BestConfigurations:
    """The first ``top`` successful rows of a ranked table, with their folders when they exist."""
    metric_names = list(metric_names) if metric_names is not None else metric_columns(table, parameter_names)
    ranked = table.reset_index(drop=True)
    kept = set(_kept_hashes(ranked, top))
    entries = []
    for row in table_rows(ranked, parameter_names, metric_names):
        if row["parameter_hash"] not in kept:
            continue
        folder = None
        if optimization_dir is not None:
            candidate = optimization_dir / short_hash(row["parameter_hash"])
            if candidate.is_dir():
                folder = relative_posix(candidate, run_dir or optimization_dir.parent)
        entries.append(
            BestConfiguration(
                rank=row["rank"],
                parameter_hash=row["parameter_hash"],
                parameters=row["parameters"],
                metrics=row["metrics"],
                folder=folder,
            )
        )
    return BestConfigurations(ranking=list(ranking), configurations=entries)


def risk_analysis(best: BestConfigurations, metrics: Sequence[str] = RISK_METRICS) -> RiskAnalysis:
    """Risk metrics (those present) of the best configurations."""
    present = [m for m in metrics if any(m in c.metrics for c in best.configurations)]
    return RiskAnalysis(
        metrics=present,
        configurations=[
            RiskEntry(
                rank=c.rank, parameter_hash=c.parameter_hash, risk={m: c.metrics.get(m) for m in present}
            )
            for c in best.configurations
        ],
    )


def write_reports(
    layout: RunLayout | str | os.PathLike[str],
    *,
    summary: PipelineSummary,
    best: BestConfigurations,
    risk: RiskAnalysis | None = None,
    fsync: bool = True,
) -> Path:
    """``reports/``: pipeline-summary.json, best-configurations.json, risk-analysis.json."""
    folder = layout.reports_dir if isinstance(layout, RunLayout) else Path(layout)
    folder.mkdir(parents=True, exist_ok=True)
    _clear_manifest(folder)
    atomic_write_json(folder / "pipeline-summary.json", summary, fsync=False)
    atomic_write_json(folder / "best-configurations.json", best, fsync=False)
    atomic_write_json(folder / "risk-analysis.json", risk or risk_analysis(best), fsync=False)
    return write_manifest(
        folder,
        kind="reports",
        strategy=summary.strategy,
        data=summary.data,
        run=summary.statistics,
        engine_version=summary.engine_version,
        fsync=fsync,
    )


def parameters_json_schema(definition: StrategyDefinition) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of a parameter dict, from the declared parameters.

    Bounds become ``minimum``/``maximum``, discrete values an ``enum``; decimals are JSON
    strings (they are written as text to stay exact), timeframes strings such as ``"1h"``.
    """
    types = {
        "int": "integer",
        "float": "number",
        "decimal": "string",
        "bool": "boolean",
        "timeframe": "string",
    }
    properties: dict[str, Any] = {}
    for p in definition.parameters:
        dumped = p.model_dump(mode="json")
        prop: dict[str, Any] = {}
        if p.type in types:
            prop["type"] = types[p.type]
        if dumped.get("values") is not None:
            prop["enum"] = dumped["values"]
        if p.type in ("int", "float"):
            if dumped.get("min") is not None:
                prop["minimum"] = dumped["min"]
            if dumped.get("max") is not None:
                prop["maximum"] = dumped["max"]
        if dumped.get("default") is not None:
            prop["default"] = dumped["default"]
        if p.description:
            prop["description"] = p.description
        properties[p.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def write_metadata(
    layout: RunLayout | str | os.PathLike[str],
    *,
    definition: StrategyDefinition,
    run_config: StrategyConfig,
    grid: Sequence[str] = (),
    parameter_schemas: ParameterSchemas | None = None,
    fsync: bool = True,
) -> Path:
    """``metadata/``: strategy-definition.json, parameter-schemas.json, run-config.json."""
    folder = layout.metadata_dir if isinstance(layout, RunLayout) else Path(layout)
    folder.mkdir(parents=True, exist_ok=True)
    _clear_manifest(folder)
    schemas = parameter_schemas or ParameterSchemas(
        strategy=definition.strategy.label,
        parameters_schema=parameters_json_schema(definition),
        grid=list(grid),
    )
    atomic_write_json(folder / "strategy-definition.json", definition, fsync=False)
    atomic_write_json(folder / "parameter-schemas.json", schemas, fsync=False)
    atomic_write_json(folder / "run-config.json", run_config, fsync=False)
    return write_manifest(folder, kind="metadata", strategy=_strategy_metadata(run_config), fsync=fsync)


def pipeline_summary(
    table: pd.DataFrame,
    *,
    config: StrategyConfig,
    market_data: MarketDataRef,
    started: float,
    stages: Sequence[Any] = (),
    ranking: Sequence[str] = (),
    filters: Sequence[str] = (),
    engine_version: str | None = None,
) -> PipelineSummary:
    """A pipeline summary of an optimization table; ``started`` is a ``time.perf_counter()``."""
    return PipelineSummary(
        strategy=_run_strategy_metadata(config),
        data=_data_metadata(market_data),
        statistics=run_statistics(table, execution_time_s=time.perf_counter() - started),
        stages=list(stages),
        ranking=list(ranking),
        filters=list(filters),
        engine_version=engine_version,
        created_at=datetime.now(UTC),
    )
