"""Combinations in worker processes the run can kill: time and memory limits, crash isolation.

A runaway combination (an infinite loop, a stack overflow, unbounded allocation) must not take the run
with it. A thread cannot be stopped from outside, and a stack overflow in .NET aborts the whole process,
so every combination that needs guarding runs in a worker *process* (started with ``spawn``, each
hosting its own .NET runtime) that runs **one combination at a time**; the parent (the run) watches:

* **time** (``combination_timeout``): a combination still running after that many seconds gets its
  worker killed (SIGKILL) and is recorded failed, ``Timeout: timed out after 5 s``;
* **memory** (``memory_limit``): the resident set size of each worker, read every 0.1 s
  (:mod:`psutil`); a worker above the limit is killed and its combination recorded failed,
  ``MemoryLimit: memory limit 2 GB exceeded (RSS 2.1 GB)``. The limit is on the whole worker process
  (Python, the .NET runtime, the candles: ~200-300 MB at rest), not on the strategy alone. An address
  space limit (``RLIMIT_AS``) is unusable: .NET reserves hundreds of GB of virtual memory at start;
* **crashes**: a worker that dies while running a combination (a stack overflow, a native abort, a
  kill from outside) gets its combination recorded failed with the signal and, when the runtime said
  so on stderr, the cause: ``WorkerCrash: worker process crashed (SIGABRT): stack overflow``. The
  first lines the worker wrote to stderr for that combination become the record's traceback.

Either way the run goes on: a fresh worker replaces the one that was killed. Workers die with the run:
they ask the kernel to kill them when their parent dies (``PR_SET_PDEATHSIG`` on Linux) and also leave
when they see a new parent, so a runaway never outlives a run killed with SIGKILL.

Ctrl-C (``run.stopping``): no new combination starts; those in flight get :data:`STOP_GRACE_S` seconds to
finish (and are recorded), then their workers are killed; the combinations killed so are not recorded
(``--resume`` runs them).
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

from pystocksharp.errors import InputError, Problem
from pystocksharp.optimization.checkpoint import CombinationRecord, InFlightLog
from pystocksharp.optimization.workers import ComboTask, PythonRunner, WorkerConfig

if TYPE_CHECKING:
    from pystocksharp.optimization.runner import _Run

#: Seconds between two looks at the workers (memory) when no message arrives.
POLL_S = 0.1
#: Combinations a worker holds at once (running + waiting), and per worker in one write of the in-flight log.
DEPTH = 2
JOURNAL_BLOCK = 4
#: Seconds a Ctrl-C waits for the combinations in flight before their workers are killed.
STOP_GRACE_S = 3.0
#: Smallest memory limit accepted: a worker at rest (Python, .NET, candles) needs more than this anyway.
MIN_MEMORY = 64 * 1024**2
#: How much of what a worker wrote on stderr for a crashed combination goes into its record.
CRASH_LOG_CHARS = 4000
_UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1024, "M": 1024**2, "MB": 1024**2, "G": 1024**3, "GB": 1024**3,
          "T": 1024**4, "TB": 1024**4, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4}  # fmt: skip


# ---- the limits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """Per-combination limits of a run: seconds of wall time, bytes of worker RSS (None: no limit)."""

    timeout_s: float | None = None
    memory_bytes: int | None = None

    @property
    def any(self) -> bool:
        return self.timeout_s is not None or self.memory_bytes is not None

    def describe(self) -> str:
        parts = []
        if self.timeout_s is not None:
            parts.append(f"time limit {format_seconds(self.timeout_s)}")
        if self.memory_bytes is not None:
            parts.append(f"memory limit {format_bytes(self.memory_bytes)}")
        return ", ".join(parts) or "no limits"


def parse_memory(value: str | int | float) -> int:
    """``2G``, ``512M``, ``1.5GB``, ``2GiB`` (powers of 1024) or a number of bytes; ValueError else."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size such as 2G or 512M, got {value!r}")
    if isinstance(value, int | float):
        number, unit = float(value), ""
    else:
        match = re.fullmatch(r"([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)", str(value).strip())
        if match is None:
            raise ValueError(f"expected a size such as 2G or 512M, got {value!r}")
        number, unit = float(match.group(1)), match.group(2).upper()
        if unit not in _UNITS:
            raise ValueError(f"unknown unit {unit!r} in {value!r}; use K, M, G or T (powers of 1024)")
    if not number == number or number <= 0 or number == float("inf"):  # NaN, <= 0, inf
        raise ValueError(f"a memory limit must be a positive size, got {value!r}")
    return int(number * _UNITS[unit])


def check_limits(combination_timeout: float | None, memory_limit: str | int | float | None) -> Limits:
    """The run's :class:`Limits`, or one :class:`InputError` listing every problem."""
    problems: list[Problem] = []
    timeout: float | None = None
    if combination_timeout is not None:
        try:
            timeout = float(combination_timeout)
        except (TypeError, ValueError):
            timeout = None
        if timeout is None or not timeout == timeout or timeout <= 0 or timeout == float("inf"):
            problems.append(Problem(f"a combination time limit is a number of seconds > 0, got "
                                    f"{combination_timeout!r}", field="combination_timeout"))  # fmt: skip
            timeout = None
    memory: int | None = None
    if memory_limit is not None:
        try:
            memory = parse_memory(memory_limit)
        except ValueError as exc:
            problems.append(Problem(str(exc), field="memory_limit"))
        else:
            if memory < MIN_MEMORY:
                problems.append(Problem(
                    f"memory limit {format_bytes(memory)} is below {format_bytes(MIN_MEMORY)}; it limits the whole "
                    "worker process (Python, .NET and the candles need ~200-300 MB at rest)", field="memory_limit"))  # fmt: skip
                memory = None
    if problems:
        raise InputError("bad combination limits", problems)
    return Limits(timeout, memory)


def format_bytes(n: float) -> str:
    for unit, size in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) or value >= 100 else f"{value:.1f} {unit}"
    return f"{int(n)} B"


def format_seconds(s: float) -> str:
    return f"{s:g} s"


# ---- what a worker runs --------------------------------------------------------------------------


@dataclass(frozen=True)
class IsolatedJob:
    """Everything a worker process needs, picklable: the strategy reference and candles file
    (:class:`~pystocksharp.optimization.workers.WorkerConfig`), whether it is C# (run through the engine's
    optimizer code, one combination and one engine thread at a time) and its grid names."""

    config: WorkerConfig
    csharp: bool
    names: tuple[str, ...] = ()
    capture: bool = True
    parent_pid: int = field(default_factory=os.getpid)


class EngineRunner:
    """Runs combinations of a C# strategy one at a time with the code of the in-process engine path
    (:class:`~pystocksharp.optimization._engine_optimizer.EngineRun`, one engine thread)."""

    def __init__(self, job: IsolatedJob) -> None:
        import pandas as pd  # noqa: PLC0415

        from pystocksharp.optimization._engine_optimizer import EngineRun  # noqa: PLC0415
        from pystocksharp.optimization.checkpoint import CaptureStore  # noqa: PLC0415
        from pystocksharp.resolver import resolve_strategy  # noqa: PLC0415

        config = job.config
        frame = pd.read_parquet(config.data_path)
        self.engine = EngineRun.build(
            resolve_strategy(config.strategy), frame, symbol=config.symbol, timeframe=config.timeframe,
            price_step=config.price_step, settings=config.settings.model_dump(), capture=job.capture,
            metrics=config.with_metrics,
        )  # fmt: skip
        self.names = list(job.names)
        self.store = CaptureStore(config.capture_root) if config.capture_root else None
        self.config = config

    def run(self, task: ComboTask) -> CombinationRecord:
        from pystocksharp.optimization._engine_optimizer import outcome_record  # noqa: PLC0415

        outcome = self.engine.run(self.names, [task.parameters], 1)[0]
        return outcome_record(task, outcome, store=self.store, capital=self.config.settings.capital,
                              with_metrics=self.config.with_metrics)  # fmt: skip


def _die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux), and watch for a new parent
    (elsewhere, and in case the parent died before the request): a runaway never outlives its run."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:
        os._exit(0)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="pystocksharp-parent-watch", daemon=True).start()


def worker_main(job: IsolatedJob, conn: Connection, log_path: str) -> None:
    """A worker process: set up once (strategy, candles, engine), say ``ready``, then run one combination
    per message until told to stop (None) or the parent goes away. Its stderr goes to ``log_path`` (the
    parent reads there why it crashed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run handles Ctrl-C
    _die_with_parent(job.parent_pid)
    with contextlib.suppress(Exception):  # a crash ends at once: no core file of a few hundred MB to write first
        import resource  # noqa: PLC0415 (POSIX only)

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    try:
        runner: Any = EngineRunner(job) if job.csharp else PythonRunner(job.config)
    except BaseException as exc:  # noqa: BLE001 (reported to the parent, which stops the run)
        conn.send(("setup-failed", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        _leave(0)
    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            break
        if task is None:
            break
        try:
            record = runner.run(task)
        except OSError as exc:  # disk full while writing captures: the run's failure (--resume retries)
            conn.send(("os-error", exc))
            continue
        # the clock (CLOCK_MONOTONIC, shared by processes) and stderr offset at which the next one starts
        conn.send(("done", record, time.monotonic(), _stderr_offset()))
    _leave(0)


def _stderr_offset() -> int:
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    try:
        return os.fstat(2).st_size
    except OSError:
        return 0


def _leave(code: int) -> None:
    """Exit now: every result was sent and every file closed; unloading .NET takes seconds."""
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)


# ---- the parent's side ---------------------------------------------------------------------------


@dataclass
class _Worker:
    process: Any
    conn: Connection
    log_path: Path
    ready: bool = False
    #: combinations sent, in the order the worker runs them: the first is running since ``started``
    queue: deque[ComboTask] = field(default_factory=deque)
    started: float = 0.0
    log_offset: int = 0
    ran: int = 0
    ps: Any = None

    @property
    def task(self) -> ComboTask | None:
        """The combination running now."""
        return self.queue[0] if self.queue else None

    def rss(self) -> int | None:
        try:
            if self.ps is None:
                self.ps = psutil.Process(self.process.pid)
            return int(self.ps.memory_info().rss)
        except (psutil.Error, OSError, TypeError):
            return None


class IsolatedPool:
    """``workers`` worker processes running ``job``, one combination each at a time, under ``limits``.

    Each worker holds up to :data:`DEPTH` combinations (the next waits in its pipe, so it starts as soon as the
    last ends, while this process records); a worker that dies takes only the one it was running, the next
    go to a fresh worker. Combinations are written to the in-flight log in blocks of :data:`JOURNAL_BLOCK` per
    worker before any of them is sent (one fsync a block).
    """

    def __init__(self, job: IsolatedJob, workers: int, limits: Limits, scratch: Path) -> None:
        self.job = job
        self.size = max(1, workers)
        self.limits = limits
        self.scratch = scratch
        self.workers: list[_Worker] = []
        self._serial = 0
        self._context = get_context("spawn")
        #: written to the in-flight log, not sent yet (also the combinations a dead worker held)
        self._journaled: deque[ComboTask] = deque()

    # -- life cycle

    def __enter__(self) -> IsolatedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
        deadline = time.monotonic() + 1.0
        for worker in self.workers:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
            with contextlib.suppress(Exception):
                worker.conn.close()
        self.workers = []

    def _start(self) -> _Worker:
        self._serial += 1
        log_path = self.scratch / f"worker-{self._serial}.stderr"
        log_path.touch()
        ours, theirs = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=worker_main, args=(self.job, theirs, str(log_path)), name=f"pystocksharp-worker-{self._serial}",
            daemon=True,
        )  # fmt: skip
        process.start()
        theirs.close()
        worker = _Worker(process, ours, log_path)
        self.workers.append(worker)
        return worker

    def _requeue(self, worker: _Worker) -> None:
        """The combinations a killed worker held but had not started go first to the next worker."""
        waiting = list(worker.queue)[1:]
        worker.queue.clear()
        self._journaled.extendleft(reversed(waiting))

    def _kill(self, worker: _Worker) -> None:
        with contextlib.suppress(Exception):
            worker.process.kill()
        worker.process.join(timeout=10)
        with contextlib.suppress(Exception):
            worker.conn.close()
        if worker in self.workers:
            self.workers.remove(worker)

    # -- running

    def run(self, run: _Run, tasks: Iterator[ComboTask], journal: InFlightLog | None, *, alone: bool = False,
            record: Any = None) -> None:  # fmt: skip
        """Run ``tasks`` until they run out or the run stops, recording each combination (``record``, default
        ``run.record``) as it finishes or fails; ``journal`` hears of each before it starts. ``alone``: one
        combination at a time, each written to the journal as running alone."""
        record = record or run.record
        depth, block = (1, 1) if alone else (DEPTH, JOURNAL_BLOCK * self.size)
        exhausted = False
        stop_since: float | None = None
        while True:
            if run.stopping and stop_since is None:
                stop_since = time.monotonic()
            if not run.stopping:
                while len(self.workers) < self.size and (self._journaled or not exhausted):
                    self._start()
                exhausted = self._dispatch(tasks, journal, alone, depth, block, exhausted)
            busy = [w for w in self.workers if w.queue]
            if not busy and (run.stopping or (exhausted and not self._journaled)):
                return
            if stop_since is not None and busy and time.monotonic() - stop_since > STOP_GRACE_S:
                run.left_running = True
                if journal is not None:
                    journal.released([w.task for w in busy if w.task is not None])
                for worker in busy:
                    self._kill(worker)
                return
            self._wait(run, record)
            if run.abort_reason is not None:
                return

    def _dispatch(self, tasks: Iterator[ComboTask], journal: InFlightLog | None, alone: bool, depth: int,
                  block: int, exhausted: bool) -> bool:  # fmt: skip
        """Fill each ready worker up to ``depth`` combinations; when the journaled ones run out, take the next
        ``block`` from ``tasks`` and write them to ``journal`` (one write). True once ``tasks`` ran out."""
        for worker in self.workers:
            if not worker.ready:
                continue
            while len(worker.queue) < depth:
                if not self._journaled and not exhausted:
                    taken = list(itertools.islice(tasks, block))
                    exhausted = len(taken) < block
                    if taken and journal is not None:
                        journal.started(taken, alone=alone)
                    self._journaled.extend(taken)
                if not self._journaled:
                    return exhausted
                task = self._journaled.popleft()
                if not worker.queue:
                    worker.log_offset = worker.log_path.stat().st_size
                    worker.started = time.monotonic()
                worker.queue.append(task)
                worker.conn.send(task)
        return exhausted

    def _wait(self, run: _Run, record: Any) -> None:
        timeout = POLL_S
        if self.limits.timeout_s is not None:
            for worker in self.workers:
                if worker.task is not None:
                    left = worker.started + self.limits.timeout_s - time.monotonic()
                    timeout = min(timeout, max(0.0, left))
        waitables: list[Any] = []
        for worker in self.workers:
            waitables += [worker.conn, worker.process.sentinel]
        ready = set(wait(waitables, timeout=timeout)) if waitables else set()
        for worker in list(self.workers):
            if worker.conn in ready:
                self._receive(run, worker, record)
        for worker in list(self.workers):
            if worker in self.workers and worker.process.sentinel in ready and worker.conn not in ready:
                self._died(run, worker, record)
        self._enforce(run, record)

    def _receive(self, run: _Run, worker: _Worker, record: Any) -> None:
        """Every message a worker sent: ready, a finished combination, a failure to set up, or an OSError
        while writing captures (disk full: the run's failure, raised here; ``--resume`` runs it again)."""
        while True:
            try:
                if not worker.conn.poll():
                    return
                message = worker.conn.recv()
            except (EOFError, OSError):  # the worker is gone: its sentinel says how
                self._died(run, worker, record)
                return
            kind = message[0]
            if kind == "ready":
                worker.ready = True
            elif kind == "done":
                worker.queue.popleft()
                worker.ran += 1
                worker.started, worker.log_offset = message[2], message[3]  # when and where the next began
                record(message[1])
            elif kind == "os-error":
                raise message[1]
            elif kind == "setup-failed":
                run.abort_reason = f"a worker process could not set the strategy up: {message[1]}"
                self._kill(worker)
                return

    def _died(self, run: _Run, worker: _Worker, record: Any) -> None:
        """A worker process ended by itself: its combination failed; a worker that died setting up stops
        the run (a new one would too)."""
        worker.process.join(timeout=10)
        code = worker.process.exitcode
        task = worker.task
        log = self._log_since(worker)
        self._kill(worker)
        self._requeue(worker)
        if task is None:
            if not worker.ready and run.abort_reason is None:
                run.abort_reason = f"a worker process died while starting ({_exit_text(code)}): {_first_line(log)}"
            return
        record(failed_record(task, "WorkerCrash", crash_reason(code, log), log or None, worker.started))

    def _enforce(self, run: _Run, record: Any) -> None:
        now = time.monotonic()
        for worker in list(self.workers):
            task = worker.task
            if task is not None and self.limits.timeout_s is not None and now - worker.started >= self.limits.timeout_s:
                self._kill(worker)
                self._requeue(worker)
                record(failed_record(task, "Timeout", f"timed out after {format_seconds(self.limits.timeout_s)}",
                                     None, worker.started))  # fmt: skip
                continue
            if self.limits.memory_bytes is None or not worker.ready:
                continue
            rss = worker.rss()
            if rss is None or rss <= self.limits.memory_bytes:
                continue
            self._kill(worker)
            self._requeue(worker)
            limit = format_bytes(self.limits.memory_bytes)
            if task is not None:
                record(failed_record(task, "MemoryLimit", f"memory limit {limit} exceeded (RSS {format_bytes(rss)})",
                                     None, worker.started))  # fmt: skip
            elif worker.ran == 0:
                run.abort_reason = (f"memory limit {limit} is below what a worker process needs at rest "
                                    f"({format_bytes(rss)}); raise --memory-limit")  # fmt: skip
            # else: an idle worker grew past the limit over earlier combinations: a fresh one replaces it

    def _log_since(self, worker: _Worker) -> str:
        try:
            with open(worker.log_path, "rb") as fh:
                fh.seek(worker.log_offset)
                return fh.read(CRASH_LOG_CHARS).decode("utf-8", "replace").strip()
        except OSError:
            return ""


def failed_record(task: ComboTask, kind: str, reason: str, trace: str | None, started: float) -> CombinationRecord:
    return CombinationRecord(
        index=task.index, parameter_hash=task.parameter_hash, parameters=task.parameters,
        wall_ms=(time.monotonic() - started) * 1e3 if started else 0.0, error=f"{kind}: {reason}", traceback=trace,
    )  # fmt: skip


def crash_reason(exitcode: int | None, log: str) -> str:
    """Why a worker died: ``worker process crashed (SIGABRT): stack overflow``."""
    cause = ""
    if "Stack overflow" in log:
        cause = ": stack overflow"
    elif "OutOfMemory" in log or "Out of memory" in log:
        cause = ": out of memory"
    elif exitcode == -signal.SIGABRT:
        cause = " (a native abort: a stack overflow?)"
    elif exitcode == -signal.SIGKILL:
        cause = " (killed from outside: out of memory?)"
    if exitcode is not None and exitcode < 0:
        return f"worker process crashed ({_exit_text(exitcode)}){cause}"
    return f"worker process exited ({_exit_text(exitcode)}){cause}"


def _exit_text(exitcode: int | None) -> str:
    if exitcode is None:
        return "no exit code"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def run_suspects(run: _Run, pool: IsolatedPool, suspects: Sequence[Any], journal: InFlightLog, record: Any) -> None:
    """Combinations in flight when an earlier run stopped: each runs alone (``pool`` has one worker), first.
    One that was already running alone when a run stopped is recorded failed without running again."""
    again: list[ComboTask] = []
    for suspect in suspects:
        task = ComboTask(suspect.index, suspect.parameter_hash, dict(suspect.parameters))
        if suspect.ran_alone:
            record(failed_record(task, "WorkerCrash", "the run stopped (crashed or was killed) while this combination "
                                 "ran alone, after an earlier stop with it in flight; not run a third time", None, 0.0))  # fmt: skip
        else:
            again.append(task)
    if again and not run.stopping:
        pool.run(run, iter(again), journal, alone=True, record=record)
