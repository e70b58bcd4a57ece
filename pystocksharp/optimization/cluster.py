"""Running an optimization's combinations on a Dask cluster: ``optimize(..., cluster=...)``, ``--cluster``.

``local:N`` starts a :class:`distributed.LocalCluster` of N worker processes (1 thread each, started
with ``spawn``) for the run and closes it afterwards; ``tcp://HOST:PORT`` connects to a running
scheduler (``dask scheduler`` and ``dask worker``). Needs the ``cluster`` extra (``distributed``).

What runs where:

* **The client** (the process that called ``optimize``) asks the search for combinations, cuts them
  into chunks of many, keeps ``2 x`` (worker threads) chunks in flight and records each finished
  combination as the local executors do: captures first, then the fsynced line in
  ``results.jsonl`` through ``run.record``. The checkpoint does not say which backend wrote it, so
  a run started locally can be resumed on a cluster and the other way round.
* **The job** (candles, strategy reference and, for a strategy file, its text; settings) is scattered
  to every worker once. A worker builds the run's engine state once, on its first chunk, and keeps it
  in a cache keyed by the job: the candle series and strategy factory for C# strategies
  (:class:`~pystocksharp.optimization._engine_optimizer.EngineRun`), a
  :class:`~pystocksharp.optimization.workers.PythonRunner` for Python ones.
* **A chunk** runs with the local executors' code (``EngineRun.run`` + ``outcome_record``, one engine
  thread per worker thread, or ``PythonRunner.run``), computes the metrics on the worker and sends
  back the records and the captures encoded as Parquet bytes (a
  :class:`~pystocksharp.optimization.checkpoint.CaptureBuffer`): workers need no access to the run
  folder, and the client writes the files through its :class:`CaptureStore`.

A worker lost mid-run: Dask runs its chunks again elsewhere; the client records each parameter hash
once and ignores a repeat. A chunk whose workers died ``distributed.scheduler.allowed-failures`` + 1
times (default 4) stops the run (``abort_reason``; a worker process that dies locally fails only its combination), keeping
what finished. Ctrl-C: no more chunks are submitted, chunks that already finished are recorded, the
others are cancelled (``--resume`` runs them).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import itertools
import json
import logging
import os
import queue
import signal
import tempfile
import threading
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass
from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pystocksharp.backtest import BacktestSettings
from pystocksharp.errors import InputError, Problem
from pystocksharp.optimization.checkpoint import CaptureBuffer, CaptureStore, CombinationRecord
from pystocksharp.optimization.workers import ComboTask, PythonRunner, WorkerConfig
from pystocksharp.resolver import ResolvedStrategy, resolve_strategy

if TYPE_CHECKING:
    from pystocksharp.optimization.runner import _Run

#: What ``--cluster`` takes, for messages.
EXPECTED = (
    "local:N (N >= 1 worker processes on this machine, started for the run) "
    "or tcp://HOST:PORT (a running Dask scheduler)"
)
#: Seconds to reach a scheduler, and then for its first worker.
CONNECT_TIMEOUT_S = 10.0
#: Default combinations per chunk: summaries only (C#: ~1 ms a combination on 2,000 bars; C# with metrics, which
#: the engine computes), and with captures or Python metrics (a few ms to tens of ms a combination, and each
#: returns its Parquet files).
CHUNK_SUMMARY = 64
CHUNK_CAPTURED = 16
#: Jobs (runs) whose engine state a worker keeps.
_STATES_KEPT = 2
_CSHARP_KINDS = ("csharp", "csharp-file")


# ---- the address -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterAddress:
    """A parsed ``--cluster``: ``local:N`` (``local_workers``) or a scheduler address."""

    text: str
    local_workers: int | None = None
    scheduler: str | None = None

    def __str__(self) -> str:
        return self.text


def parse_cluster(value: str | ClusterAddress) -> ClusterAddress:
    """``local:N`` (N >= 1) or ``tcp://HOST:PORT``, else :class:`InputError` (field ``cluster``) saying what
    was expected; also when ``distributed`` is not installed. Cheap: nothing is started or contacted."""
    if isinstance(value, ClusterAddress):
        return value
    text = str(value).strip()
    if text.lower().startswith("local:"):
        count = text[len("local:") :].strip()
        if not (count.isdigit() and int(count) >= 1):
            raise _bad(text, f"local:N takes a whole number N >= 1 of worker processes, got {count!r}")
        where = ClusterAddress(text, local_workers=int(count))
    else:
        scheme, sep, rest = text.partition("://")
        host, _, port = rest.rpartition(":")
        if not sep or scheme.lower() != "tcp":
            raise _bad(text, f"expected {EXPECTED}")
        if not host or "/" in host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise _bad(
                text, "a scheduler address is tcp://HOST:PORT with PORT in 1..65535, e.g. tcp://10.0.0.5:8786"
            )
        where = ClusterAddress(text, scheduler=f"tcp://{host}:{int(port)}")
    if importlib.util.find_spec("distributed") is None:
        raise InputError(
            "--cluster needs Dask's distributed package",
            [Problem("install it: pip install 'pystocksharp[cluster]'", field="cluster")],
        )
    return where


def _bad(text: str, message: str) -> InputError:
    return InputError(f"bad cluster address {text!r}", [Problem(message, field="cluster")])


# ---- connecting --------------------------------------------------------------------------------


@contextlib.contextmanager
def connect(where: ClusterAddress) -> Iterator[Any]:
    """A ``distributed.Client`` for the run: on a :class:`distributed.LocalCluster` started here (closed
    afterwards), or on the scheduler at ``where.scheduler``, which must answer and have a worker within
    :data:`CONNECT_TIMEOUT_S` (else :class:`InputError`)."""
    import distributed  # noqa: PLC0415 (only cluster runs need it)

    if where.local_workers is not None:
        with (
            distributed.LocalCluster(**local_cluster_options(where.local_workers)) as cluster,
            distributed.Client(cluster, set_as_default=False) as client,
        ):  # fmt: skip
            # Ctrl-C in a terminal reaches the whole process group: only this process handles it
            client.register_worker_callbacks(setup=_ignore_ctrl_c)
            yield client
        return
    try:
        client = distributed.Client(where.scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise InputError(
            f"cannot reach the Dask scheduler at {where.scheduler}",
            [Problem(f"{exc}; start one (`dask scheduler`, then `dask worker {where.scheduler}`) or give "
                     f"local:N; expected {EXPECTED}", field="cluster")],
        ) from None  # fmt: skip
    with client:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except TimeoutError:
            raise InputError(
                f"the Dask scheduler at {where.scheduler} has no workers",
                [Problem(f"start one: dask worker {where.scheduler} --nthreads 1", field="cluster")],
            ) from None
        yield client


def local_cluster_options(workers: int) -> dict[str, Any]:
    """``distributed.LocalCluster`` options of ``local:N``: N worker processes of 1 thread, no dashboard, the
    scheduler's HTTP endpoints on a free local port (not 8787, which another cluster may hold), only errors
    logged (a restarted worker is expected, not news)."""
    return dict(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}, silence_logs=logging.ERROR,
    )  # fmt: skip


def _ignore_ctrl_c() -> None:
    """Worker set-up (every worker, also one restarted later): the client handles Ctrl-C."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


# ---- the job a worker runs ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterJob:
    """Everything a worker needs for a run's chunks, sent to each worker once. ``key`` names it in the
    workers' caches; ``source`` is the strategy file's text when the strategy is a file (a worker that
    lacks the file, or holds another version of it, runs this text)."""

    key: str
    strategy: Any
    kind: str
    source_name: str | None
    source: bytes | None
    names: tuple[str, ...]
    frame: pd.DataFrame
    symbol: str
    timeframe: str
    price_step: float
    settings: BacktestSettings
    keep_fills: bool
    with_metrics: bool


def cluster_job(
    strategy: Any,
    resolved: ResolvedStrategy,
    ohlcv: Any,
    names: list[str],
    *,
    fingerprint: str,
    settings: BacktestSettings,
    keep_fills: bool,
    with_metrics: bool,
) -> ClusterJob:
    """The job of a run. ``strategy`` as given: a name, ``file.py:Class`` / ``File.cs:Class`` (its text
    travels with the job) or a class the workers can import (pickled by reference)."""
    reference, source_name, source = strategy, None, None
    file_spec = _file_spec(strategy) if isinstance(strategy, str) else None
    if file_spec is not None and resolved.source is not None:
        path, class_name = Path(resolved.source), file_spec[1]
        reference = f"{path}:{class_name}" if class_name else str(path)
        source_name, source = path.name, path.read_bytes()
    identity = {
        "strategy": reference if isinstance(reference, str) else f"{reference.__module__}.{reference.__qualname__}",
        "source": hashlib.sha256(source).hexdigest() if source is not None else None,
        "kind": resolved.kind, "names": list(names), "data": fingerprint, "symbol": str(ohlcv.symbol or ""),
        "timeframe": str(ohlcv.timeframe or ""), "price_step": ohlcv.price_step, "settings": settings.model_dump(),
        "keep_fills": keep_fills, "with_metrics": with_metrics,
    }  # fmt: skip
    key = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()
    return ClusterJob(
        key=key, strategy=reference, kind=resolved.kind, source_name=source_name, source=source,
        names=tuple(names), frame=ohlcv.frame, symbol=str(ohlcv.symbol or ""), timeframe=str(ohlcv.timeframe or ""),
        price_step=ohlcv.price_step, settings=settings, keep_fills=keep_fills, with_metrics=with_metrics,
    )  # fmt: skip


def _file_spec(spec: str) -> tuple[str, str] | None:
    """``(path, class name)`` of ``file.py[:Class]`` / ``File.cs[:Class]``; None for a name."""
    text = spec.strip()
    if text.lower().endswith((".py", ".cs")):
        return text, ""
    head, _, class_name = text.rpartition(":")
    return (head, class_name) if head.lower().endswith((".py", ".cs")) else None


# ---- worker side -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkResult:
    """What a chunk sends back: its records (in chunk order) and their captures (relative path -> Parquet)."""

    records: list[CombinationRecord]
    captures: dict[str, bytes]


class _WorkerState:
    """A run's engine state on one worker, built once from its job."""

    def __init__(self, job: ClusterJob) -> None:
        strategy = _strategy_here(job)
        self.engine: Any = None
        self.python: PythonRunner | None = None
        if job.kind in _CSHARP_KINDS:
            from pystocksharp.optimization._engine_optimizer import EngineRun  # noqa: PLC0415

            self.engine = EngineRun.build(
                resolve_strategy(strategy), job.frame, symbol=job.symbol, timeframe=job.timeframe,
                price_step=job.price_step, settings=job.settings.model_dump(), capture=job.keep_fills,
                metrics=job.with_metrics,
            )  # fmt: skip
        else:
            config = WorkerConfig(
                strategy=strategy, data_path="", symbol=job.symbol, timeframe=job.timeframe, price_step=job.price_step,
                settings=job.settings, capture_root=None, with_metrics=job.with_metrics,
            )  # fmt: skip
            self.python = PythonRunner(config, frame=job.frame)

    def run(self, job: ClusterJob, tasks: list[ComboTask]) -> ChunkResult:
        buffer = CaptureBuffer() if job.keep_fills else None
        if self.python is not None:
            records = self.python.with_store(buffer).run_chunk(tasks)
        else:
            from pystocksharp.optimization._engine_optimizer import outcome_record  # noqa: PLC0415

            # one engine thread per worker thread: a worker with N threads runs N chunks at once
            outcomes = self.engine.run(job.names, [t.parameters for t in tasks], 1)
            records = [
                outcome_record(
                    t, o, store=buffer, capital=job.settings.capital, with_metrics=job.with_metrics
                )
                for t, o in zip(tasks, outcomes, strict=True)
            ]
        return ChunkResult(records, buffer.drain() if buffer is not None else {})


_STATES: OrderedDict[str, _WorkerState] = OrderedDict()
_STATES_LOCK = threading.Lock()
#: How many times this worker built each job's state (1 unless evicted; see :func:`built_here`).
_BUILT: Counter[str] = Counter()
_LEAVES_QUICKLY = False


def built_here() -> dict[str, int]:
    """Job key -> times this worker built its engine state (for ``client.run``: diagnostics and tests)."""
    return dict(_BUILT)


def run_chunk(job: ClusterJob, tasks: list[ComboTask]) -> ChunkResult:
    """A Dask task: run ``tasks`` of ``job`` on this worker (its engine state is built on the first chunk)."""
    with _STATES_LOCK:
        state = _STATES.get(job.key)
        if state is None:
            state = _STATES[job.key] = _WorkerState(job)
            _BUILT[job.key] += 1
            while len(_STATES) > _STATES_KEPT:
                _STATES.popitem(last=False)
        _STATES.move_to_end(job.key)
    result = state.run(job, tasks)
    _leave_quickly()
    return result


def _leave_quickly() -> None:
    """Once .NET is loaded here, exit at once at interpreter exit, as pool workers do (see
    :func:`pystocksharp.optimization.isolation.worker_main`): unloading .NET takes seconds, past the 4 s a
    Dask nanny waits before killing its worker. Registered after pythonnet's own exit hook, so it runs
    first."""
    global _LEAVES_QUICKLY
    from distributed import get_worker  # noqa: PLC0415

    from pystocksharp import bridge  # noqa: PLC0415

    if _LEAVES_QUICKLY or not bridge.is_loaded():
        return
    try:
        get_worker()
    except ValueError:  # not in a Dask worker (a chunk run in the calling process): leave its exit alone
        return
    atexit.register(os._exit, 0)
    _LEAVES_QUICKLY = True


def _strategy_here(job: ClusterJob) -> Any:
    """The strategy reference on this worker: a strategy file is used where it is when it holds the job's
    text, else the text is written to this machine's temporary folder (keyed by its hash) and used there."""
    if job.source is None or job.source_name is None:
        return job.strategy
    spec = _file_spec(job.strategy)
    assert spec is not None
    path, class_name = Path(spec[0]), spec[1]
    if path.is_file() and path.read_bytes() == job.source:
        return job.strategy
    digest = hashlib.sha256(job.source).hexdigest()[:20]
    target = Path(tempfile.gettempdir()) / "pystocksharp-cluster" / digest / job.source_name
    if not target.is_file():
        from pystocksharp.io import atomic_path  # noqa: PLC0415

        with atomic_path(target, fsync=False) as tmp:
            tmp.write_bytes(job.source)
    return f"{target}:{class_name}" if class_name else str(target)


# ---- client side -------------------------------------------------------------------------------


Execute = Callable[[Iterator[ComboTask]], None]


@contextlib.contextmanager
def cluster_executor(run: _Run, client: Any, job: ClusterJob, batch_size: int | None) -> Iterator[Execute]:
    """The job scattered to every worker once; yields what runs a batch of tasks on the cluster (chunks of
    ``batch_size``, default :data:`CHUNK_SUMMARY` / :data:`CHUNK_CAPTURED`)."""
    heavy = job.keep_fills or (job.with_metrics and job.kind not in _CSHARP_KINDS)  # C#: metrics come from the engine
    size = batch_size or (CHUNK_CAPTURED if heavy else CHUNK_SUMMARY)
    store = CaptureStore(run.capture_root) if run.capture_root else None
    shared = client.scatter(job, broadcast=True, hash=False)
    recorded: set[str] = set()
    try:
        yield lambda tasks: _run_on_cluster(run, client, shared, tasks, size, store, recorded)
    finally:
        shared.release()


def spread_chunks(tasks: Iterator[ComboTask], size: int, slots: int) -> Iterator[list[ComboTask]]:
    """Chunks of ``size`` tasks; once fewer than ``size * slots`` remain, the rest is cut into ``slots``
    even chunks, so a small grid (or the end of a big one, or a genetic generation) still gives every
    worker thread a share."""
    window = max(1, size * slots)
    buffer: deque[ComboTask] = deque()
    tail: int | None = None
    while True:
        if tail is None:
            buffer.extend(itertools.islice(tasks, window - len(buffer)))
            if len(buffer) < window:  # the tasks ran out
                tail = max(1, ceil(len(buffer) / max(1, slots)))
        if not buffer:
            return
        n = size if tail is None else tail
        yield [buffer.popleft() for _ in range(min(n, len(buffer)))]


def _run_on_cluster(
    run: _Run,
    client: Any,
    shared: Any,
    tasks: Iterator[ComboTask],
    size: int,
    store: CaptureStore | None,
    recorded: set[str],
) -> None:
    """Keep ``2 x`` (worker threads) chunks in flight until the tasks run out or the run stops; record each
    chunk's combinations as it finishes."""
    threads = max(1, sum(client.nthreads().values()))
    chunks = spread_chunks(tasks, size, threads)
    finished: queue.SimpleQueue[Any] = queue.SimpleQueue()
    in_flight: dict[str, Any] = {}
    try:
        while True:
            while not run.stopping and len(in_flight) < 2 * threads:
                part = next(chunks, None)
                if part is None:
                    break
                future = client.submit(run_chunk, shared, part, pure=False)
                in_flight[future.key] = future
                future.add_done_callback(finished.put)
            if not in_flight:
                return
            if run.stopping:  # keep what finished; the finally clause cancels the rest
                for key, future in list(in_flight.items()):
                    if future.status == "finished":
                        del in_flight[key]
                        _collect(run, future, store, recorded)
                return
            try:
                future = finished.get(timeout=0.2)  # short waits: the main thread handles Ctrl-C meanwhile
            except queue.Empty:
                continue
            if in_flight.pop(future.key, None) is not None:
                _collect(run, future, store, recorded)
    finally:
        if in_flight:
            client.cancel(list(in_flight.values()))


def _collect(run: _Run, future: Any, store: CaptureStore | None, recorded: set[str]) -> None:
    """Record a finished chunk: captures first, then each combination not recorded yet."""
    from distributed import KilledWorker  # noqa: PLC0415

    try:
        result: ChunkResult = future.result()
    except KilledWorker as exc:
        run.abort_reason = f"cluster workers kept dying on a chunk ({exc}); finished combinations are kept"
        return
    except CancelledError as exc:
        run.abort_reason = f"the cluster cancelled a chunk ({exc}); finished combinations are kept"
        return
    finally:
        future.release()
    if store is not None and result.captures:
        store.write_files(result.captures)
    for rec in result.records:
        if rec.parameter_hash in recorded:
            continue  # a chunk run twice (a lost worker) gives its combinations once
        recorded.add(rec.parameter_hash)
        run.record(rec)
