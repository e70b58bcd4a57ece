"""``optimize``: run a parameter grid, checkpointed, in parallel, with failure isolation.

How combinations run:

* C# strategies (built-in names, ``File.cs:Class``) go through the engine's
  ``BruteForceOptimizer`` on engine threads, sharing one read-only candle series, in
  batches: while the engine runs batch k+1 on a background thread (pythonnet releases the
  GIL), the main thread computes metrics, writes captures and appends the records of batch k.
* Python strategies (per-bar and vectorized) run in ``workers`` spawned processes, each
  hosting its own .NET runtime and reading the candles once, one combination at a time (see
  :mod:`.workers`, :mod:`.isolation`); with ``workers=1`` they run in this process.
* With ``combination_timeout`` or ``memory_limit``, either kind runs in those worker processes, which
  are killed past a limit (the combination is recorded failed with the reason); a worker process that
  crashes (a stack overflow) fails its combination only (:mod:`.isolation`).
* With ``cluster`` (``local:N``, ``tcp://HOST:PORT``), either kind runs in chunks on the workers of a
  Dask cluster through the same code (see :mod:`.cluster`); this process records.

Every finished combination is appended (fsynced) to ``out/results.jsonl`` before the next
is recorded; ``resume=True`` skips the parameter hashes already there. ``out/in-flight.jsonl`` names
the combinations running (written before they start); a resume runs those not recorded first, each alone
in a worker process (:class:`~.checkpoint.InFlightLog`). A run holds an
exclusive lock on ``out`` (:func:`pystocksharp.io.exclusive_folder`) from its first check of
the folder to its end: a second run on the same folder fails at once with ``InputError``. Ctrl-C stops
submitting work, keeps what finished (what still runs :data:`~.isolation.STOP_GRACE_S` later is stopped
unrecorded) and returns a result with ``interrupted=True`` (a second Ctrl-C aborts at once). Results are identical whatever the number of workers:
each combination is an independent, deterministic engine run.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import ValidationError

from pystocksharp.backtest import BACKTEST_ONLY_SETTINGS, BacktestSettings, FillMode, load_data
from pystocksharp.errors import InputError, Problem, did_you_mean
from pystocksharp.io import atomic_write_json, exclusive_folder
from pystocksharp.optimization.checkpoint import (
    CAPTURES_DIR,
    RESULTS_FILE,
    CaptureStore,
    CombinationRecord,
    InFlightLog,
    ResultsLog,
    RunSpec,
    clear_run,
    read_run_spec,
    scan_results,
    write_run_spec,
)
from pystocksharp.optimization.isolation import (
    STOP_GRACE_S,
    IsolatedJob,
    IsolatedPool,
    Limits,
    check_limits,
    run_suspects,
)
from pystocksharp.optimization.leaders import Leaders, write_tally
from pystocksharp.optimization.progress import ProgressCallback, ProgressTracker
from pystocksharp.optimization.ranking import Filter, SortKey, parse_filters, parse_sort_keys
from pystocksharp.optimization.result import RESERVED_COLUMNS, OptimizationResult
from pystocksharp.optimization.search import (
    NOT_FITNESS,
    SEARCH_FILE,
    SETTINGS,
    GeneticSettings,
    GridSettings,
    GridSpace,
    RandomSettings,
    Search,
    build_search,
    fitness_names,
)
from pystocksharp.optimization.workers import (
    ComboTask,
    PythonRunner,
    WorkerConfig,
    chunked,
)
from pystocksharp.resolver import ResolvedStrategy, resolve_strategy

if TYPE_CHECKING:
    from pystocksharp.optimization.cluster import ClusterAddress

OnResult = Callable[[CombinationRecord], None]
AnySearchSettings = GridSettings | RandomSettings | GeneticSettings
#: Runs a batch of tasks (consumed lazily), recording each finished combination.
Execute = Callable[[Iterator[ComboTask]], None]


@dataclass
class _Grid:
    names: list[str]
    total: int
    combinations: Callable[[], Iterable[Mapping[str, Any]]]
    hash_of: Callable[[Mapping[str, Any]], str]
    specs: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    pset: Any = None


def optimize(
    strategy: Any,
    data: Any,
    *,
    grid: Any = None,
    constraints: Sequence[str] = (),
    rank: str | Sequence[str] = "net_profit:desc",
    filters: str | Sequence[str] = (),
    search: str | Mapping[str, Any] | AnySearchSettings = "grid",
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    overwrite: bool = False,
    capital: float = 10_000,
    commission: float = 0.0,
    commission_per_unit: float = 0.0,
    min_commission: float = 0.0,
    slippage: float = 0.0,
    slippage_steps: float = 0.0,
    fill: FillMode = "next-open",
    leverage: float = 1.0,
    keep_fills: bool = False,
    metrics: bool | None = None,
    fsync: bool = True,
    progress: ProgressCallback | None = None,
    on_result: OnResult | None = None,
    symbol: str | None = None,
    timeframe: str | None = None,
    batch_size: int | None = None,
    cluster: str | ClusterAddress | None = None,
    combination_timeout: float | None = None,
    memory_limit: str | int | None = None,
) -> OptimizationResult:
    """Run the combinations of ``grid`` a ``search`` picks for ``strategy`` on ``data``; return the ranked results.

    ``grid``: a ``ParameterSet``, a list of specs such as ``["fast=5:50:5", "slow=20:200:10"]``
    (inclusive ranges), or a mapping name -> list of values; ``constraints`` such as
    ``"fast < slow"`` drop combinations. ``rank`` (``"metric:desc"``, then tie-breakers) and
    ``filters`` (``"round_trips >= 30"``) order :attr:`OptimizationResult.top`. ``search``:
    ``"grid"`` (every combination, the default), ``"random"`` or ``"genetic"`` with default
    settings, a mapping such as ``{"kind": "random", "samples": 200, "seed": 7}``, or a
    :class:`~pystocksharp.optimization.search.RandomSettings` /
    :class:`~pystocksharp.optimization.search.GeneticSettings` (see :mod:`.search`). ``workers``:
    engine threads (C#) or processes (Python), default all cores. ``out``: the run directory
    (checkpoint, captures), a temporary directory when omitted; ``resume`` continues a run
    there; ``overwrite`` replaces a run there (its records and captures are removed first; without it, or
    ``resume``, a directory holding a run is refused). Costs as in :func:`pystocksharp.backtest` (fractions, not percent). ``keep_fills``
    stores every combination's fills and per-bar equity (Parquet) as it runs; without it (the default) only the
    summary and metrics are kept, and the combinations whose fills or equity are asked for later
    (:meth:`OptimizationResult.fills`, the kept folders of an export) are run again, deterministically
    (:meth:`OptimizationResult.capture`). ``metrics`` computes
    :func:`pystocksharp.metrics.compute_metrics` per combination (None: when that module is
    installed; True: required). ``progress`` is called with
    a :class:`ProgressUpdate` after each combination, ``on_result`` with its record.
    ``cluster``: run the combinations on Dask (:mod:`.cluster`), ``"local:N"`` (N worker processes
    started for the run) or ``"tcp://HOST:PORT"`` (a running scheduler); ``workers`` is then unused and
    ``batch_size`` is the combinations per task. None: engine threads or worker processes here.
    ``combination_timeout`` (seconds) and ``memory_limit`` (``"2G"``, ``"512M"`` or bytes, the resident memory of
    a worker process) guard against runaway combinations: with either, every combination (C# too) runs in a
    worker process that is killed when it exceeds them, and the combination is recorded failed with the reason
    (:mod:`.isolation`). A worker process that crashes (a stack overflow) fails its combination only, always.
    """
    settings = BacktestSettings.checked(
        capital=capital, commission=commission, commission_per_unit=commission_per_unit,
        min_commission=min_commission, slippage=slippage, slippage_steps=slippage_steps, fill=fill, leverage=leverage,
    )  # fmt: skip
    if overwrite and resume:
        raise InputError("resume or overwrite, not both",
                         [Problem("resume continues the run in out; overwrite replaces it", field="overwrite")])  # fmt: skip
    keys, flts = _ranking(rank, filters)
    how = search_settings(search)
    n_workers = _workers(workers)
    with_metrics = _metrics_wanted(metrics)
    where = cluster_address(cluster)
    limits = check_limits(combination_timeout, memory_limit)
    resolved = resolve_strategy(strategy)
    if where is not None:
        _check_cluster_strategy(strategy, resolved)
        _refuse_limits_on_cluster(limits)
    elif limits.any:
        _check_isolatable(strategy, resolved, limits)
    declared = declared_parameters(resolved)
    pgrid = _grid(grid, constraints, resolved, declared)
    check_before_running(
        resolved, pgrid.names, keys, flts, declared=declared, with_metrics=with_metrics, search=how,
        axes=pgrid.pset.axes() if hasattr(pgrid.pset, "axes") else None,
    )
    ohlcv = load_data(data, symbol=symbol, timeframe=timeframe)
    refuse_contract_specs(ohlcv)
    out_dir = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="pystocksharp-optimize-"))
    spec = RunSpec(
        strategy=resolved.spec,
        strategy_kind=resolved.kind,
        data=str(data) if isinstance(data, str | os.PathLike) else "<frame>",
        data_fingerprint=_fingerprint(ohlcv.frame),
        grid=pgrid.specs,
        constraints=pgrid.constraints,
        settings=settings.model_dump(exclude=set(BACKTEST_ONLY_SETTINGS)),
        total=pgrid.total,
        keep_fills=keep_fills,
        fixed_parameters=fixed_parameters(resolved, declared, pgrid.names),
        search=how,
    )
    # one writer at a time: a second run fails here, writing nothing; so does a cluster that cannot be reached
    with exclusive_folder(out_dir), _connected(where) as client:
        if overwrite:
            clear_run(out_dir)
        leaders = Leaders(keys, flts)
        done = _prepare_out(out_dir, spec, resume, leaders)
        space = GridSpace(pgrid.pset, pgrid.total, fixed=spec.fixed_parameters)
        searcher = build_search(how, space, pgrid.combinations(), keys[0], flts)
        run = _Run(
            out=out_dir,
            spec=spec,
            settings=settings,
            keep_fills=keep_fills,
            with_metrics=with_metrics,
            fsync=fsync,
            progress=progress,
            on_result=on_result,
            tracker=ProgressTracker(
                searcher.budget, skipped=len(done), failed=sum(1 for r in done.values() if not r.ok)
            ),
            search=searcher,
            leaders=leaders,
        )
        journal = InFlightLog.open(out_dir, done, fsync=fsync)
        with (
            contextlib.closing(journal),
            ResultsLog.open(out_dir / RESULTS_FILE, fsync=fsync) as log,
            _StopOnCtrlC() as stop,
            _Isolation(run, strategy, resolved, ohlcv, pgrid.names, limits) as isolation,
        ):  # fmt: skip
            run.log = log
            run.stop = stop
            run.journal = journal
            run.emit_progress()
            if journal.suspects:
                _rerun_suspects(run, isolation, journal, done)
            csharp = resolved.kind in ("csharp", "csharp-file")
            if client is not None:
                executor = _cluster_executor(run, client, strategy, resolved, ohlcv, pgrid.names, batch_size)
            elif limits.any or (not csharp and n_workers > 1 and isolation.possible):
                executor = isolation.executor(n_workers)
            elif csharp:
                executor = _csharp_executor(run, resolved, ohlcv, pgrid.names, n_workers, batch_size)
            else:
                executor = _python_executor(run, strategy, resolved, ohlcv, n_workers)
            with executor as execute:
                _drive(run, searcher, execute, done)
            journal.finished = searcher.done and not run.stopping
        _close_search(run, searcher)
        write_tally(out_dir, run.leaders, fsync=fsync)
        return OptimizationResult(
            out_dir,
            parameter_names=pgrid.names,
            rank=keys,
            filters=flts,
            interrupted=run.stop.requested if run.stop else False,
            abort_reason=run.abort_reason,
            runaway_at_stop=run.left_running,
            data=ohlcv,
            strategy=strategy,
        )


def _drive(run: _Run, search: Search, execute: Execute, done: Mapping[str, CombinationRecord]) -> None:
    """Ask the search for batches until it is done (or the run stops); evaluate each batch."""
    while not search.done and not run.stopping:
        execute(_not_recorded(search, search.ask(), done))


def _not_recorded(
    search: Search, tasks: Iterable[ComboTask], done: Mapping[str, CombinationRecord]
) -> Iterator[ComboTask]:
    """The tasks to run: a combination already in the checkpoint is told to the search from
    there (never run twice)."""
    for task in tasks:
        previous = done.get(task.parameter_hash)
        if previous is None:
            yield task
        else:
            search.tell(previous)


def _close_search(run: _Run, search: Search) -> None:
    """Write ``out/search.json``; a finished search's progress ends at what it evaluated."""
    finished = search.done and not run.stopping
    if finished and run.tracker.total != run.tracker.done:
        run.tracker.total = run.tracker.done  # a genetic search's budget was only an upper bound
        run.emit_progress()
    atomic_write_json(run.out / SEARCH_FILE, search.report(finished=finished), fsync=run.fsync)


# ---- set-up ------------------------------------------------------------------------------------


def _ranking(rank: str | Sequence[str], filters: str | Sequence[str]) -> tuple[list[SortKey], list[Filter]]:
    """Parse ranking criteria and filters, reporting the problems of both at once."""
    problems: list[Problem] = []
    keys: list[SortKey] = []
    flts: list[Filter] = []
    try:
        keys = parse_sort_keys(rank)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        flts = parse_filters(filters)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError("invalid ranking criteria or filters", problems)
    return keys, flts


def _metrics_wanted(metrics: bool | None) -> bool:
    available = importlib.util.find_spec("pystocksharp.metrics") is not None
    if metrics and not available:
        raise InputError(
            "metrics were asked for", [Problem("pystocksharp.metrics is not installed", field="metrics")]
        )
    return available if metrics is None else bool(metrics)


def _workers(workers: int | None) -> int:
    if workers is None or workers == 0:
        return max(1, os.cpu_count() or 1)
    if workers < 0:
        raise InputError(
            "bad worker count", [Problem(f"workers must be >= 1, got {workers}", field="workers")]
        )
    return int(workers)


def cluster_address(cluster: str | ClusterAddress | None) -> ClusterAddress | None:
    """The parsed ``cluster`` (:func:`.cluster.parse_cluster`), None without one; checked before anything runs."""
    if cluster is None:
        return None
    from pystocksharp.optimization.cluster import parse_cluster  # noqa: PLC0415 (Dask only for cluster runs)

    return parse_cluster(cluster)


def _check_cluster_strategy(strategy: Any, resolved: ResolvedStrategy) -> None:
    """Cluster workers get a strategy by name, file or import: not a class from a notebook or a function,
    nor an instance."""
    if not workers_can_import(strategy):
        raise InputError(
            f"strategy {resolved.spec} cannot run on a cluster",
            [Problem("cluster workers cannot import it (a class defined in a notebook or a function, or an "
                     "instance): give a built-in name, 'file.py:Class', or a class defined in a module", field="strategy")],
        )  # fmt: skip


@contextlib.contextmanager
def _connected(where: ClusterAddress | None) -> Iterator[Any]:
    """A Dask client for the run (:func:`.cluster.connect`), None without a cluster."""
    if where is None:
        yield None
        return
    from pystocksharp.optimization.cluster import connect  # noqa: PLC0415

    with connect(where) as client:
        yield client


def _grid(grid: Any, constraints: Sequence[str], resolved: ResolvedStrategy, declared: Sequence[Any] | None) -> _Grid:
    from pystocksharp import parameters as P  # noqa: PLC0415

    if grid is None or (not isinstance(grid, str | Mapping) and isinstance(grid, Sequence) and not grid):
        grid = default_grid(resolved, declared)
    specs: list[str] = []
    if isinstance(grid, Mapping):
        specs = [f"{k}={','.join(str(v) for v in vs)}" for k, vs in grid.items()]
        pset = P.parse_grid(specs, constraints=list(constraints))
    elif isinstance(grid, str) or (isinstance(grid, Sequence) and all(isinstance(g, str) for g in grid)):
        specs = [grid] if isinstance(grid, str) else list(grid)
        pset = P.parse_grid(specs, constraints=list(constraints))
    else:
        pset = grid
        specs = [str(getattr(pset, "describe", lambda: repr(pset))())]
    names = list(pset.names)
    clashes = [n for n in names if n in RESERVED_COLUMNS]
    if clashes:
        raise InputError(
            "parameter names clash with result columns",
            [Problem(f"rename parameter '{n}'", field="grid") for n in clashes],
        )
    return _Grid(
        names=names,
        total=int(pset.count()),
        combinations=pset.generate_combinations,
        hash_of=P.parameter_hash,
        specs=specs,
        constraints=[str(c) for c in constraints],
        pset=pset,
    )


def search_settings(search: str | Mapping[str, Any] | AnySearchSettings) -> AnySearchSettings:
    """The settings of a search given as a name (``"random"``: default settings), a mapping
    ``{"kind": "genetic", "population": 30, ...}`` or a settings object; :class:`InputError`
    listing every problem (an unknown name with "did you mean", options the search does not take,
    values out of range)."""
    if isinstance(search, GridSettings | RandomSettings | GeneticSettings):
        return search
    options = {"kind": search} if isinstance(search, str) else dict(search)
    kind = str(options.get("kind", "grid")).strip().lower()
    model = SETTINGS.get(kind)
    if model is None:
        raise InputError("unknown search", [Problem(
            f"unknown search '{kind}'{did_you_mean(kind, SETTINGS)}; searches: {', '.join(SETTINGS)}", field="search"
        )])  # fmt: skip
    problems = [
        Problem(f"option '{name}' (--{name}) does not apply to the {kind} search; it takes: "
                f"{', '.join(f for f in model.model_fields if f != 'kind') or 'no options'}", field=name)
        for name in options if name != "kind" and name not in model.model_fields
    ]  # fmt: skip
    if problems:
        raise InputError(f"bad {kind} search settings", problems)
    try:
        return model.model_validate({**options, "kind": kind})  # type: ignore[return-value]
    except ValidationError as exc:
        raise InputError(f"bad {kind} search settings", [_settings_problem(e) for e in exc.errors()]) from None


def _settings_problem(error: Any) -> Problem:
    """One pydantic error as a problem naming the option: "population: must be >= 2, got 1"."""
    name = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    message = message.replace("Input should be greater than or equal to", "must be >=")
    message = message.replace("Input should be less than or equal to", "must be <=")
    got = f", got {error['input']!r}" if name and "input" in error else ""
    return Problem(f"{name}: {message}{got}" if name else message, field=name or "search")


def check_before_running(
    resolved: ResolvedStrategy,
    names: Sequence[str],
    keys: Sequence[SortKey],
    flts: Sequence[Filter],
    *,
    declared: Sequence[Any] | None,
    with_metrics: bool,
    search: AnySearchSettings | None = None,
    axes: Mapping[str, Sequence[Any]] | None = None,
) -> None:
    """Every grid name is a parameter the strategy declares (``declared``: its ``ParamInfo``s, None for a
    vectorized strategy, which takes any), every grid value (``axes``) is one the strategy takes, every ranking,
    filter or fitness (``search``) column is a result column: else one :class:`InputError` listing them all, with
    "did you mean", before any combination runs."""
    problems: list[Problem] = []
    declared = None if declared is None else [p.name for p in declared]
    if declared is not None:
        for name in names:
            if name not in declared:
                problems.append(Problem(f"unknown parameter '{name}'{did_you_mean(name, declared)}; "
                                        f"'{resolved.name}' declares: {', '.join(declared) or 'none'}", field="grid"))  # fmt: skip
        if axes is not None:
            problems.extend(grid_value_problems(resolved, {n: v for n, v in axes.items() if n in declared}))
    columns = set(RESERVED_COLUMNS) | set(names) | set(declared or ())
    if with_metrics:
        from pystocksharp.metrics.models import PerformanceMetrics  # noqa: PLC0415

        columns |= set(PerformanceMetrics.model_fields)
    for key in keys:
        if key.column not in columns:
            problems.append(Problem(f"unknown metric '{key.column}'{did_you_mean(key.column, columns)}", field="rank"))
    for flt in flts:
        for column in flt.columns():
            if column not in columns:
                problems.append(Problem(f"'{flt.text}': unknown metric '{column}'{did_you_mean(column, columns)}", field="filter"))
    if isinstance(search, GeneticSettings):
        problems.extend(_fitness_problems(search, keys, columns - NOT_FITNESS))
    if problems:
        raise InputError("the run was not started", problems)


#: Values of an explicit list axis checked one by one; past this, and for a ``start:stop:step`` range, the ends and
#: the second value (a range's values share the type of those three and lie between its ends).
_CHECKED_VALUES = 1_000


def grid_value_problems(resolved: ResolvedStrategy, axes: Mapping[str, Sequence[Any]]) -> list[Problem]:
    """The grid values the strategy refuses, one problem per parameter: each value is set on one new instance
    through the strategy's own ``SetParameter`` (its declared type, range and rules, e.g. "expected a time frame
    such as 1m, 5m" or "value 0 breaks the rule 'Length > 0'"), the check a combination would fail on."""
    from pystocksharp import bridge  # noqa: PLC0415

    instance = resolved.new()
    problems = []
    for name, values in axes.items():
        refused = []
        for value in _probed(values):
            try:
                bridge.set_parameters(instance, {name: value})
            except InputError as exc:
                refused.append(f"{value!r}: {exc.problems[0].message if exc.problems else exc.summary}")
        if refused:
            more = f" (and {len(refused) - 3} more)" if len(refused) > 3 else ""
            problems.append(Problem(f"grid values the strategy refuses: {'; '.join(refused[:3])}{more}", field=name))
    return problems


def _probed(values: Sequence[Any]) -> list[Any]:
    """The values of an axis :func:`grid_value_problems` sets: every one of a short list, else the ends and the second."""
    n = len(values)
    if n <= _CHECKED_VALUES and isinstance(values, list | tuple):
        return list(dict.fromkeys(values))
    return list(dict.fromkeys(values[i] for i in (0, min(1, n - 1), n - 1))) if n else []


def _fitness_problems(search: GeneticSettings, keys: Sequence[SortKey], columns: set[str]) -> list[Problem]:
    """A genetic search's fitness reads result columns only (not wall_ms, which differs run to run)."""
    if search.fitness is None:
        column = keys[0].column if keys else ""
        if column in NOT_FITNESS:
            return [Problem(f"the genetic search cannot maximize '{column}' (the first --rank); give --fitness", field="fitness")]
        return []
    return [
        Problem(f"--fitness '{search.fitness}': unknown metric '{name}'{did_you_mean(name, columns)}", field="fitness")
        for name in sorted(fitness_names(search)) if name not in columns
    ]  # fmt: skip


def refuse_contract_specs(ohlcv: Any) -> None:
    """The optimizer takes the data's price step only: specs beyond it (volume step, multiplier, an instrument's
    commission; :mod:`pystocksharp.instruments`) are an InputError rather than a run that differs from backtest()."""
    spec = getattr(ohlcv, "instrument", None)
    beyond = sorted(set(spec.given()) - {"price_step"}) if spec is not None else []
    if beyond:
        from pystocksharp.instruments import sidecar_path  # noqa: PLC0415

        where = f" (from {sidecar_path(ohlcv.source_path)} or the file's metadata)" if ohlcv.source_path else ""
        raise InputError(
            "the optimizer does not run instrument specs beyond the price step yet",
            [Problem(f"{', '.join(beyond)} given for {ohlcv.symbol or 'the data'}{where}: backtest it with "
                     "`pystocksharp backtest`, or optimize without them", field="data")],
        )  # fmt: skip


def declared_parameters(resolved: ResolvedStrategy) -> list[Any] | None:
    """The parameters a strategy declares, as ``bridge.ParamInfo`` (None for vectorized strategies, which take
    any); read once per run from one new instance."""
    if resolved.runs_on_targets:
        return None
    from pystocksharp import bridge  # noqa: PLC0415

    return bridge.strategy_parameters(resolved.new())


def fixed_parameters(resolved: ResolvedStrategy, declared: Sequence[Any] | None, names: Sequence[str]) -> dict[str, Any]:
    """The strategy's parameters outside the grid ``names`` at the values a new instance resolves them to: what a
    backtest records for them, so a combination's parameter record (and hash) is the same in the optimizer and in
    ``backtest``. ``declared``: :func:`declared_parameters` (None: a vectorized strategy, asked for its values)."""
    values = dict(resolved.new().param_values) if declared is None else {p.name: p.value for p in declared}
    return {k: v for k, v in values.items() if k not in names}


def default_grid(resolved: ResolvedStrategy, declared: Sequence[Any] | None = None) -> list[str]:
    """The grid a strategy declares: its ``SetOptimize(from, to, step)`` ranges and ``SetOptimizeValues`` lists.

    StockSharp strategies declare them on their ``Param``s; parameters without one keep their default.
    ``declared``: the strategy's ``ParamInfo``s when already read (:func:`declared_parameters`).
    """
    specs = []
    for p in declared if declared is not None else (declared_parameters(resolved) or []):
        if p.optimize_values is not None:
            specs.append(f"{p.name}={','.join(str(v) for v in p.optimize_values)}")
        elif p.can_optimize and p.optimize_from is not None and p.optimize_to is not None and p.optimize_step:
            specs.append(f"{p.name}={p.optimize_from}:{p.optimize_to}:{p.optimize_step}")
    if not specs:
        raise InputError(
            "no parameter grid",
            [
                Problem(
                    f"strategy '{resolved.name}' declares no optimization ranges (SetOptimize); "
                    "give grid=['name=start:stop:step', ...] (--grid on the command line)",
                    field="grid",
                )
            ],
        )
    return specs


def _fingerprint(frame: pd.DataFrame) -> str:
    """sha256 over the bar times and OHLCV values (the run's identity for resume)."""
    digest = hashlib.sha256()
    index = frame.index
    times = (
        index.as_unit("ns").asi8 if isinstance(index, pd.DatetimeIndex) else np.asarray(index, dtype=np.int64)
    )
    digest.update(np.ascontiguousarray(times, dtype=np.int64).tobytes())
    for column in ("open", "high", "low", "close", "volume"):
        digest.update(np.ascontiguousarray(frame[column].to_numpy(dtype=np.float64)).tobytes())
    return f"{len(frame)}:{digest.hexdigest()}"


def _prepare_out(out: Path, spec: RunSpec, resume: bool, leaders: Leaders) -> dict[str, CombinationRecord]:
    """Check the run directory against ``spec``; the records already done (by hash) when resuming, each told to
    ``leaders`` as read. A search that only counts what it is told (grid, random) gets them without their metrics
    and traceback (a tenth of a record's memory); a genetic search, whose fitness reads them, whole."""
    previous = read_run_spec(out)
    results = out / RESULTS_FILE
    if previous is None:
        if results.exists() and results.stat().st_size > 0:
            raise InputError(
                f"{out} holds results but no run.json", [Problem("choose a new --out", file=str(out))]
            )
        write_run_spec(out, spec)
        return {}
    if not resume:
        raise InputError(
            f"{out} already holds an optimization run",
            [Problem("pass --resume (resume=True) to continue it, --overwrite (overwrite=True) to replace it, or "
                     "choose a new --out", file=str(out))],
        )
    differ = previous.mismatches(spec)
    if differ:
        raise InputError(
            "cannot resume: the run differs from the one in the output directory",
            [
                Problem(f"{name}: was {getattr(previous, name)!r}, now {getattr(spec, name)!r}", field=name)
                for name in differ
            ],
        )
    whole = isinstance(spec.search, GeneticSettings)
    done: dict[str, CombinationRecord] = {}
    for record in scan_results(results, CombinationRecord.model_validate_json):
        if record.parameter_hash in done:
            continue  # duplicates keep their first record
        leaders.add(record)
        done[record.parameter_hash] = record if whole else record.model_copy(update={"metrics": {}, "traceback": None})
    return done


# ---- the run's sink ---------------------------------------------------------------------------


class _StopOnCtrlC:
    """First Ctrl-C: ask the run to stop after what is in flight. Second: KeyboardInterrupt."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def __enter__(self) -> _StopOnCtrlC:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


@dataclass
class _Run:
    out: Path
    spec: RunSpec
    settings: BacktestSettings
    keep_fills: bool
    with_metrics: bool
    fsync: bool
    progress: ProgressCallback | None
    on_result: OnResult | None
    tracker: ProgressTracker
    #: the best records and the counts, kept online (out/tally.json when the run stops)
    leaders: Leaders
    search: Search | None = None
    log: ResultsLog | None = None
    stop: _StopOnCtrlC | None = None
    abort_reason: str | None = None
    journal: InFlightLog | None = None
    #: a combination was still running STOP_GRACE_S after Ctrl-C and was left (killed, or left on its thread)
    left_running: bool = False

    @property
    def capture_root(self) -> Path | None:
        return self.out / CAPTURES_DIR if self.keep_fills else None

    @property
    def stopping(self) -> bool:
        return bool(self.stop and self.stop.requested) or self.abort_reason is not None

    def record(self, rec: CombinationRecord, *, tell: bool = True) -> None:
        """Append ``rec`` to the results log (fsynced), tell the search (unless ``tell`` is false: a combination it
        has not asked for yet), count it and call the callbacks."""
        assert self.log is not None
        self.log.append(rec)
        self.leaders.add(rec)
        if self.search is not None and tell:
            self.search.tell(rec)
        update = self.tracker.finished(rec.ok)
        if self.on_result is not None:
            self.on_result(rec)
        if self.progress is not None:
            self.progress(update)

    def emit_progress(self) -> None:
        if self.progress is not None:
            self.progress(self.tracker.update())


# ---- C#: engine threads -------------------------------------------------------------------------


@contextlib.contextmanager
def _csharp_executor(
    run: _Run,
    resolved: ResolvedStrategy,
    ohlcv: Any,
    names: list[str],
    workers: int,
    batch_size: int | None,
) -> Iterator[Execute]:
    """Engine set-up done once per run (candles, factory, threads); yields what runs a batch of tasks."""
    from pystocksharp.optimization import _engine_optimizer as eo  # noqa: PLC0415

    # metrics alone no longer keep per-bar columns: the engine computes them (RunMetrics); with captures
    # they are computed in Python from the captured columns, as before
    capture = run.keep_fills
    engine_run = eo.EngineRun.build(
        resolved, ohlcv.frame, symbol=ohlcv.symbol or "", timeframe=ohlcv.timeframe or "",
        price_step=ohlcv.price_step, settings=run.settings.model_dump(), capture=capture, metrics=run.with_metrics,
    )  # fmt: skip
    size = batch_size or (4 * workers if capture else 32 * workers)
    store = CaptureStore(run.capture_root) if run.capture_root else None

    def finish(pair: tuple[ComboTask, eo.EngineOutcome]) -> CombinationRecord:
        task, outcome = pair
        return eo.outcome_record(
            task, outcome, store=store, capital=run.settings.capital, with_metrics=run.with_metrics
        )

    # Parquet encoding and compression release the GIL: a batch's captures are written by
    # `workers` threads, then its records are appended in grid order.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pystocksharp-capture") as writers:

        def launch(batch: list[ComboTask]) -> Future[list[eo.EngineOutcome]]:
            if run.journal is not None:
                run.journal.started(batch)  # a stack overflow in an engine thread ends this process
            combos = [t.parameters for t in batch]
            return _in_engine_thread(engine_run.run, names, combos, workers)

        def records(batch: list[ComboTask], outcomes: list[eo.EngineOutcome]) -> Iterable[CombinationRecord]:
            pairs = zip(batch, outcomes, strict=True)
            return writers.map(finish, pairs) if capture else map(finish, pairs)

        yield lambda tasks: _pipeline(run, chunked(tasks, size), launch, records)


def _pipeline(
    run: _Run,
    batches: Iterator[list[ComboTask]],
    launch: Callable[[list[ComboTask]], Future[Any]],
    records: Callable[[list[ComboTask], Any], Iterable[CombinationRecord]],
) -> None:
    """While the engine runs batch k+1, record batch k (metrics, captures, checkpoint)."""
    current = next(batches, None)
    pending = launch(current) if current else None
    while pending is not None and current is not None:
        outcomes = _result_interruptibly(pending, run)
        if outcomes is None:  # a runaway after Ctrl-C: left running, its batch unrecorded (--resume runs it)
            if run.journal is not None:
                run.journal.released(current)
            return
        following = None if run.stopping else next(batches, None)
        pending = launch(following) if following else None
        finished = records(current, outcomes)
        for rec in finished:
            run.record(rec)
        del outcomes, finished
        pa.default_memory_pool().release_unused()  # keep the peak flat: return freed buffers
        current = following


def _result_interruptibly(future: Future[Any], run: _Run | None = None) -> Any:
    """Wait in short slices so the main thread runs signal handlers (Ctrl-C) meanwhile. Once the run was asked
    to stop, wait :data:`~.isolation.STOP_GRACE_S` seconds more at most: then None (a thread cannot be killed;
    it is a daemon thread, left to the process's exit)."""
    stop_since: float | None = None
    while True:
        with contextlib.suppress(TimeoutError):
            return future.result(timeout=0.2)
        if run is not None and run.stopping:
            stop_since = stop_since if stop_since is not None else time.monotonic()
            if time.monotonic() - stop_since > STOP_GRACE_S:
                run.left_running = True
                return None


#: Name of the daemon threads that run engine batches in this process.
ENGINE_THREAD = "pystocksharp-engine"


def _in_engine_thread(fn: Callable[..., Any], *args: Any) -> Future[Any]:
    """``fn(*args)`` on a new daemon thread: a runaway batch never blocks this process's exit (a
    ``ThreadPoolExecutor`` joins its threads at exit)."""
    future: Future[Any] = Future()

    def target() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 (handed to the waiting thread)
            future.set_exception(exc)

    threading.Thread(target=target, name=ENGINE_THREAD, daemon=True).start()
    return future


def engine_thread_left_running() -> bool:
    """Whether an engine batch of this process is still running (a runaway left behind at a Ctrl-C): the
    process must then leave with ``os._exit`` (its interpreter's shutdown would wait on .NET)."""
    return any(t.name == ENGINE_THREAD and t.is_alive() for t in threading.enumerate())


# ---- a Dask cluster ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _cluster_executor(
    run: _Run,
    client: Any,
    strategy: Any,
    resolved: ResolvedStrategy,
    ohlcv: Any,
    names: list[str],
    batch_size: int | None,
) -> Iterator[Execute]:
    """Chunks of combinations on the cluster's workers (see :mod:`.cluster`)."""
    from pystocksharp.optimization import cluster  # noqa: PLC0415

    job = cluster.cluster_job(
        strategy, resolved, ohlcv, names, fingerprint=run.spec.data_fingerprint, settings=run.settings,
        keep_fills=run.keep_fills, with_metrics=run.with_metrics,
    )  # fmt: skip
    with cluster.cluster_executor(run, client, job, batch_size) as execute:
        yield execute


# ---- Python: worker processes ----------------------------------------------------------------------


@contextlib.contextmanager
def _python_executor(
    run: _Run, strategy: Any, resolved: ResolvedStrategy, ohlcv: Any, workers: int
) -> Iterator[Execute]:
    """Python combinations in this process, one at a time: ``workers=1``, or a strategy worker processes cannot
    import (a class from a notebook or a function, an instance; with a warning when more workers were asked
    for). Worker processes run the others (:class:`_Isolation`)."""
    if workers > 1:
        warnings.warn(
            f"strategy {resolved.spec}: worker processes cannot import it (defined in a notebook, a function or "
            "given as an instance), so its combinations run in this process, one at a time; put the class in a "
            "module or a file (file.py:Class) to use every core",
            RuntimeWarning,
            stacklevel=4,
        )
    config = WorkerConfig(
        strategy=strategy, data_path="", symbol=str(ohlcv.symbol or ""), timeframe=str(ohlcv.timeframe or ""),
        price_step=ohlcv.price_step, settings=run.settings,
        capture_root=str(run.capture_root) if run.capture_root else None, with_metrics=run.with_metrics,
    )  # fmt: skip
    runner = PythonRunner(config, frame=ohlcv.frame)
    yield lambda tasks: _run_in_process(run, runner, tasks)


def _run_in_process(run: _Run, runner: PythonRunner, tasks: Iterator[ComboTask]) -> None:
    for task in tasks:
        if run.stopping:
            break
        if run.journal is not None:
            run.journal.started([task])
        run.record(runner.run(task))


def workers_can_import(strategy: Any) -> bool:
    """Whether spawned worker processes can get ``strategy``: a reference string, or a class they can import by
    name (not one defined inside a function, nor in a ``__main__`` that has no file, as in a notebook)."""
    if isinstance(strategy, str):
        return True
    if not isinstance(strategy, type) or "<locals>" in strategy.__qualname__:
        return False
    module = sys.modules.get(strategy.__module__)
    if module is None or (strategy.__module__ == "__main__" and not getattr(module, "__file__", None)):
        return False
    return getattr(module, strategy.__qualname__, None) is strategy


def _picklable_reference(strategy: Any, resolved: ResolvedStrategy) -> Any:
    if isinstance(strategy, str):
        return strategy
    if isinstance(strategy, type):
        return strategy  # pickled by reference: its module must be importable by the workers
    raise InputError(
        "a strategy instance cannot be sent to worker processes",
        [
            Problem(
                f"pass the class or 'file.py:Class' instead of {resolved.spec}, or workers=1",
                field="strategy",
            )
        ],
    )


# ---- worker processes the run can kill (limits, crash isolation) -------------------------------------


class _Isolation:
    """Worker processes for a run (:mod:`.isolation`): the candles written once to a scratch Parquet file,
    the job every worker sets up from, and pools of workers over it; the scratch folder goes at the end."""

    def __init__(self, run: _Run, strategy: Any, resolved: ResolvedStrategy, ohlcv: Any, names: list[str],
                 limits: Limits) -> None:  # fmt: skip
        self.run = run
        self.strategy = strategy
        self.resolved = resolved
        self.ohlcv = ohlcv
        self.names = names
        self.limits = limits
        self.possible = workers_can_import(strategy)
        self._scratch: Path | None = None
        self._job: IsolatedJob | None = None

    def __enter__(self) -> _Isolation:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    @property
    def scratch(self) -> Path:
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="pystocksharp-workers-"))
        return self._scratch

    @property
    def job(self) -> IsolatedJob:
        if self._job is None:
            data_path = self.scratch / "candles.parquet"
            self.ohlcv.frame.to_parquet(data_path)
            run = self.run
            config = WorkerConfig(
                strategy=_picklable_reference(self.strategy, self.resolved), data_path=str(data_path),
                symbol=str(self.ohlcv.symbol or ""), timeframe=str(self.ohlcv.timeframe or ""),
                price_step=self.ohlcv.price_step, settings=run.settings,
                capture_root=str(run.capture_root) if run.capture_root else None, with_metrics=run.with_metrics,
            )  # fmt: skip
            csharp = self.resolved.kind in ("csharp", "csharp-file")
            # a C# job keeps per-bar columns only for captures (the engine computes metrics without them)
            capture = run.keep_fills or (run.with_metrics and not csharp)
            self._job = IsolatedJob(config, csharp=csharp, names=tuple(self.names), capture=capture)
        return self._job

    def pool(self, workers: int) -> IsolatedPool:
        return IsolatedPool(self.job, workers, self.limits, self.scratch)

    @contextlib.contextmanager
    def executor(self, workers: int) -> Iterator[Execute]:
        """``workers`` worker processes for the whole run, one combination each at a time."""
        with self.pool(workers) as pool:
            yield lambda tasks: pool.run(self.run, tasks, self.run.journal)


def _rerun_suspects(
    run: _Run, isolation: _Isolation, journal: InFlightLog, done: dict[str, CombinationRecord]
) -> None:
    """Before anything else on a resume: the combinations in flight when the run stopped, each alone in a worker
    process (one may be what stopped it: a stack overflow, a runaway the run was killed for). Their records go
    to ``done``, from where the search hears of them when it asks (never run twice). A strategy worker processes
    cannot import leaves them to the run's own executor."""
    if not isolation.possible:
        return

    def record(rec: CombinationRecord) -> None:
        done[rec.parameter_hash] = rec
        run.record(rec, tell=False)

    with isolation.pool(1) as pool:
        run_suspects(run, pool, journal.suspects, journal, record)


def _refuse_limits_on_cluster(limits: Limits) -> None:
    if limits.any:
        raise InputError(
            "combination limits do not apply on a cluster yet",
            [Problem(f"{limits.describe()} given with --cluster: run without --cluster to enforce them, or drop "
                     "--combination-timeout / --memory-limit", field="cluster")],
        )  # fmt: skip


def _check_isolatable(strategy: Any, resolved: ResolvedStrategy, limits: Limits) -> None:
    """Limits need worker processes: a strategy they cannot import (a notebook's class, an instance) is refused."""
    if not workers_can_import(strategy):
        raise InputError(
            f"strategy {resolved.spec} cannot run under combination limits",
            [Problem(f"{limits.describe()} needs worker processes, which cannot import it (a class defined in a "
                     "notebook or a function, or an instance): put it in a module or a file (file.py:Class), or "
                     "drop the limits", field="strategy")],
        )  # fmt: skip
