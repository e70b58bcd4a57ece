"""Export an optimization run (:class:`pystocksharp.optimization.OptimizationResult`) into
the artifacts layout: ``optimization/``, ``reports/`` and ``metadata/`` of its run folder.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from pystocksharp.artifacts.config import given_specs, strategy_ref
from pystocksharp.artifacts.layout import RunLayout
from pystocksharp.artifacts.models import (
    DataBinding,
    EmulationConfig,
    PipelineStage,
    StrategyConfig,
    StrategyDefinition,
)
from pystocksharp.artifacts.writer import (
    DEFAULT_KEEP,
    best_configurations,
    market_data_ref,
    pipeline_summary,
    run_statistics,
    write_metadata,
    write_optimization,
    write_reports,
)
from pystocksharp.parameters import with_others


def ranked_then_rest(result: Any) -> pd.DataFrame:
    """All rows: the ranking (successes passing the filters, best first), then the others in grid order."""
    ranked = result.ranked()
    rest = result.table[~result.table["parameter_hash"].isin(ranked["parameter_hash"])]
    return pd.concat([ranked, rest], ignore_index=True) if len(rest) else ranked.reset_index(drop=True)


def _captured(get: Any) -> Any:
    def read(parameter_hash: str) -> pd.DataFrame:
        try:
            return get(parameter_hash)
        except KeyError:  # failed combinations have no captures
            return pd.DataFrame()

    return read


def _capture_sources(result: Any, kept: set[str] | None) -> tuple[Any, Any, Any]:
    """Fills, equity and round-trips sources of ``result``'s combinations for ``write_optimization``.

    An optimizer result's captures are streamed in bulk (``result.captures``: many files read
    at once, bucket by bucket, memory flat); other results (anything with ``fills(hash)`` and
    ``equity(hash)``) are read one combination at a time.
    """
    if hasattr(result, "captures"):
        fills, equity = result.captures("fills"), result.captures("equity")

        def round_trips(parameter_hash: str) -> pd.DataFrame:
            if kept is not None and parameter_hash not in kept:
                return _no_round_trips()  # shared, read only
            return artifact_round_trips(fills(parameter_hash))

        return fills, equity, round_trips
    read_fills, read_trips = _fills_and_round_trips(_captured(result.fills), kept)
    return read_fills, _captured(result.equity), read_trips


def _fills_and_round_trips(read: Any, kept: set[str] | None) -> tuple[Any, Any]:
    """Readers of each combination's fills and of its round trips (:func:`artifact_round_trips`)
    for the combinations in ``kept`` (None: all; others get no rows: matching fills in Python
    costs milliseconds per combination). Fills read for the fills dataset are reused once."""
    pending: dict[str, pd.DataFrame] = {}

    def fills(parameter_hash: str) -> pd.DataFrame:
        frame = read(parameter_hash)
        if kept is None or parameter_hash in kept:
            pending[parameter_hash] = frame
        return frame

    def round_trips(parameter_hash: str) -> pd.DataFrame:
        if kept is not None and parameter_hash not in kept:
            return _no_round_trips()  # shared, read only
        frame = pending.pop(parameter_hash, None)
        return artifact_round_trips(read(parameter_hash) if frame is None else frame)

    return fills, round_trips


def _performance() -> Any:
    try:
        from pystocksharp.metrics import compute_metrics  # type: ignore[attr-defined]
    except ImportError:
        return None
    return compute_metrics


def export_optimization(
    result: Any,
    root: str | os.PathLike[str],
    *,
    data: Any = None,
    keep: int | Literal["all"] = DEFAULT_KEEP,
    engine_version: str | None = None,
    stages: Sequence[PipelineStage] = (),
    fsync: bool = True,
) -> RunLayout:
    """Write the artifacts of an optimization run under ``root``; returns its layout.

    ``data`` is the run's ``OhlcvData`` (default: loaded again from the run's data file).
    Kept folders get ``performance-metrics.json`` from :func:`pystocksharp.metrics.compute_metrics`
    when that module exists, else the optimizer's recorded metrics of the combination.
    Kept folders' ``trades.json`` list the FIFO round trips of their fills, and
    ``optimization/round-trips/`` holds those of the kept combinations only (the round trips of
    any other combination: ``pystocksharp.metrics.round_trips_frame`` of its ``fills`` rows).
    """
    from pystocksharp.data import load_ohlcv
    from pystocksharp.parameters import parse_grid

    started = time.perf_counter()
    spec = result.spec
    ohlcv = data if data is not None else load_ohlcv(spec.data)
    frame = ohlcv.frame
    symbol, timeframe = str(ohlcv.symbol or "unknown"), str(ohlcv.timeframe or "unknown")
    sha = f"sha256:{ohlcv.sha256}" if ohlcv.sha256 else None
    # absolute, so that a deployed configuration replays from any working directory
    path = str(Path(ohlcv.source_path).resolve()) if ohlcv.source_path is not None else None
    market_data = market_data_ref(frame, symbol=symbol, timeframe=timeframe, path=path, sha256=sha)
    table = ranked_then_rest(result)
    names = list(result.parameter_names)
    # every parameter: the grid's best values over the strategy's others (the record a backtest of it makes)
    fixed = dict(getattr(spec, "fixed_parameters", None) or {})
    best_params = with_others({} if result.best is None else {n: _plain(result.best[n]) for n in names}, fixed)
    config = StrategyConfig(
        strategy=strategy_ref(spec.strategy, kind=spec.strategy_kind),
        parameters=best_params,
        data=DataBinding(
            symbol=symbol,
            timeframe=timeframe,
            path=path,
            sha256=sha,
            start=market_data.first_timestamp,
            end=market_data.last_timestamp,
            instrument=given_specs(ohlcv),
        ),
        emulation=EmulationConfig(**spec.settings),
    )
    layout = RunLayout(Path(root), config.strategy.label, ohlcv.start, ohlcv.end, symbol, timeframe)
    compute = _performance()
    capital = config.emulation.capital
    performance = (lambda h, eq, fills: compute(eq, fills, initial_capital=capital)) if compute else None
    statistics = run_statistics(table)
    ranked = result.ranked()
    # top N of the ranking (rows failing the filters follow it in the table but get no folder)
    kept: int | Literal["all"] = keep if keep == "all" else min(int(keep), len(ranked))
    kept_list = ranked["parameter_hash"].astype(str).tolist()[: None if kept == "all" else kept]
    kept_hashes = None if kept == "all" else set(kept_list)
    if hasattr(result, "capture"):  # an optimizer run: the kept combinations it ran without captures run again
        result.capture(kept_list)
    fills, equity, trips = _capture_sources(result, kept_hashes)
    write_optimization(
        layout,
        table,
        parameter_names=names,
        fills=fills,
        equity=equity,
        round_trips=trips,
        config=config,
        market_data=market_data,
        performance=performance,
        keep=kept,
        statistics=statistics,
        engine_version=engine_version,
        fsync=fsync,
    )
    ranking = [str(k) for k in result.rank]
    best = best_configurations(
        ranked,
        names,
        top=DEFAULT_KEEP if keep == "all" else int(keep),
        ranking=ranking,
        run_dir=layout.run_dir,
        optimization_dir=layout.optimization_dir,
    )
    summary = pipeline_summary(
        table,
        config=config,
        market_data=market_data,
        started=started,
        stages=[*stages, PipelineStage(name="export", duration_s=time.perf_counter() - started)],
        ranking=ranking,
        filters=[f.text for f in result.filters],
        engine_version=engine_version,
    )
    write_reports(layout, summary=summary, best=best, fsync=fsync)
    pset = parse_grid(list(spec.grid), constraints=list(spec.constraints))
    definition = StrategyDefinition(
        strategy=config.strategy,
        parameters=[pset[n] for n in pset.names],
        constraints=list(spec.constraints),
    )
    write_metadata(layout, definition=definition, run_config=config, grid=list(spec.grid), fsync=fsync)
    return layout


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


TRIP_COLUMNS: dict[str, str] = {
    "entry_time": "datetime64[ns, UTC]",
    "exit_time": "datetime64[ns, UTC]",
    "side": "int64",
    "volume": "float64",
    "entry_price": "float64",
    "exit_price": "float64",
    "pnl": "float64",
    "commission": "float64",
    "return_fraction": "float64",
    "bars": "int64",
}


def artifact_round_trips(fills: pd.DataFrame) -> pd.DataFrame:
    """The FIFO round trips of engine ``fills`` (:func:`pystocksharp.metrics.round_trips_frame`) in
    the ``trades.json`` form (:class:`pystocksharp.artifacts.models.RoundTrip`), in exit order.

    Mapped: ``side`` "long"/"short" -> +1/-1; ``return`` -> ``return_fraction`` (a fraction of the
    entry notional); ``bars`` = exit fill's bar - entry fill's bar (from the fills' ``bar``
    column). ``pnl`` is net of the pro-rated entry and exit commissions (account currency).
    No fills (e.g. a failed combination's empty frame): no rows.
    """
    from pystocksharp.metrics import round_trips_frame

    if not len(fills):
        return _no_round_trips().copy()
    trips = round_trips_frame(fills)
    columns: dict[str, Any] = {
        "entry_time": trips["entry_time"],
        "exit_time": trips["exit_time"],
        "side": np.where(trips["side"].to_numpy() == "long", 1, -1).astype(np.int64),
        **{c: trips[c].to_numpy(dtype=np.float64) for c in ("volume", "entry_price", "exit_price", "pnl")},
        "commission": trips["commission"].to_numpy(dtype=np.float64),
        "return_fraction": trips["return"].to_numpy(dtype=np.float64),
    }
    if "bar" in fills.columns:  # fills are in time order: the first fill at a time gives its bar
        fill_ns = _ns(fills["time"])
        bar = fills["bar"].to_numpy(dtype=np.int64)
        entry = np.searchsorted(fill_ns, _ns(trips["entry_time"]))
        exit_ = np.searchsorted(fill_ns, _ns(trips["exit_time"]))
        columns["bars"] = bar[exit_] - bar[entry]
    return pd.DataFrame(columns)


@functools.cache
def _no_round_trips() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in TRIP_COLUMNS.items()})


def _ns(times: pd.Series) -> np.ndarray:
    """UTC nanoseconds since the epoch of a time column (tz-aware or naive-as-UTC)."""
    return pd.DatetimeIndex(pd.to_datetime(times, utc=True)).as_unit("ns").asi8


def write_backtest_result(
    out_dir: str | os.PathLike[str],
    result: Any,
    *,
    data: Any = None,
    metrics: Any = None,
    fsync: bool = True,
) -> Path:
    """Write a :class:`pystocksharp.backtest.BacktestResult` as a complete run folder; returns the
    path of its ``manifest.json`` (written last).

    Files: strategy-config.json (replayable with ``backtest --config``), market-data.json,
    trades.json (engine fills and their FIFO round trips), performance-metrics.json, equity.parquet,
    trades.parquet. ``data`` is the run's ``OhlcvData`` (default: the one the result ran on), for
    the data's hash and bar range. ``metrics`` defaults to ``result.metrics()``
    (:func:`pystocksharp.metrics.compute_metrics`, P inferred, risk-free rate 0).
    """
    from pystocksharp.artifacts.config import config_from_result
    from pystocksharp.artifacts.writer import write_backtest_run

    data = data if data is not None else getattr(result, "ohlcv", None)
    path = str(data.source_path) if data is not None and data.source_path is not None else result.data_source
    sha = f"sha256:{data.sha256}" if data is not None and data.sha256 else None
    bars = data.frame.reset_index() if data is not None else result.equity
    if "time" not in bars.columns:
        bars = bars.rename(columns={bars.columns[0]: "time"})
    times = pd.to_datetime(bars["time"], utc=True)
    first, last = (times.iloc[0], times.iloc[-1]) if len(times) else (None, None)
    config = config_from_result(result, data_path=path, data_sha256=sha, start=first, end=last)
    market_data = market_data_ref(
        bars,
        symbol=config.data.symbol,
        timeframe=config.data.timeframe,
        path=config.data.path,
        sha256=config.data.sha256,
    )
    if metrics is None:
        metrics = result.metrics() if hasattr(result, "metrics") else _default_metrics(result, config)
    return write_backtest_run(
        out_dir,
        config=config,
        market_data=market_data,
        fills=result.trades,
        equity=result.equity,
        metrics=metrics,
        round_trips=artifact_round_trips(result.trades),
        engine_version=result.engine_version,
        fsync=fsync,
    )


def _default_metrics(result: Any, config: StrategyConfig) -> Any:
    from pystocksharp.metrics import compute_metrics

    return compute_metrics(result.equity, result.trades, initial_capital=config.emulation.capital)
