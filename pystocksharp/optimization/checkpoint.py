"""The on-disk state of an optimization run: its spec, its results log and its captures.

Layout of a run directory ``out/`` (a thin layer the artifacts layout may replace)::

    out/run.json                      RunSpec: what was run (strategy, data, grid, search, settings)
    out/search.json                   SearchReport: what the search did (evaluations, why it stopped)
    out/tally.json                    RunTally: counts and the best 1,000 by the ranking, when the run stopped
    out/results.jsonl                 one CombinationRecord per finished combination
    out/captures/bars.parquet         time and close of every bar, written once
    out/captures/<h[:2]>/<h>.fills.parquet    fills of the combination with hash sha256:h
    out/captures/<h[:2]>/<h>.equity.parquet   its per-bar position, cash, equity, PnL, commission

``results.jsonl`` is the checkpoint. It is append-only and every append is flushed and
fsynced before the next combination is recorded, so a run killed at any moment (even by
SIGKILL) loses at most the line being written; :func:`read_results` drops such a torn
last line and :meth:`ResultsLog.open` truncates it away before appending. This file is the
one exception to "every write is atomic through :mod:`pystocksharp.io`": an append-only log
cannot be replaced wholesale for each line, so it is made durable line by line instead.
Each line is a pydantic model serialized with ``model_dump_json`` (NaN becomes ``null``).

Captures are written (atomically, through :func:`pystocksharp.io.atomic_path`) *before*
their record is appended, so a recorded combination always has its captures, even after the
process is killed. They are not fsynced one by one (that would cost more than the run):
the results log is the durable record, and after an operating-system crash a capture may be
missing (reading it raises ``KeyError``). Per-bar time and close are the same for every
combination and are stored once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, Field

from pystocksharp.errors import InputError, Problem
from pystocksharp.io import atomic_path, atomic_write_json
from pystocksharp.optimization.search_settings import GridSettings, SearchSettings

RUN_SPEC_FILE = "run.json"
RESULTS_FILE = "results.jsonl"
CAPTURES_DIR = "captures"
BARS_FILE = "bars.parquet"
#: Per-bar columns that are the same for every combination (stored once in bars.parquet).
SHARED_BAR_COLUMNS = ("time", "close")
PARQUET_COMPRESSION = "zstd"

ParamValue = bool | int | float | str
T = TypeVar("T")


class RunSpec(BaseModel):
    """What an optimization run is: resuming requires the same spec (except ``workers``)."""

    schema_version: int = 1
    strategy: str
    strategy_kind: str = Field(description="'csharp', 'python' or 'vectorized'")
    data: str = Field(description="data file as given")
    data_fingerprint: str = Field(description="size and sha256 of the data file, or of the frame's bytes")
    grid: list[str] = Field(default_factory=list, description="parameter grid specs, e.g. 'fast=5:50:5'")
    constraints: list[str] = Field(default_factory=list)
    settings: dict[str, float | str] = Field(default_factory=dict, description="emulation settings")
    total: int = Field(description="number of combinations after constraints")
    keep_fills: bool = Field(default=True, description="every combination's fills and equity captured as it ran")
    fixed_parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="the strategy's parameters outside the grid at the values it resolves them to: part of every "
        "combination's parameter record, hash and configuration",
    )
    search: SearchSettings = Field(
        default_factory=GridSettings,
        description="which combinations run: grid (all), random or genetic, with its settings and seed "
        "(a run.json without it is a grid run)",
    )

    def mismatches(self, other: RunSpec) -> list[str]:
        """Names of the fields that differ from ``other``."""
        mine, theirs = self.model_dump(), other.model_dump()
        return [k for k in mine if mine[k] != theirs[k]]


class CombinationRecord(BaseModel):
    """One finished combination: its parameters, summary, metrics, wall time or failure.

    Money is in account currency; ``max_drawdown`` is a fraction <= 0; ``metrics`` holds
    the columns of :func:`pystocksharp.metrics.compute_metrics` (NaN stored as ``null``).
    """

    index: int = Field(
        description="position of the combination in the grid order (random and genetic searches: in the "
        "product of the axes before constraints; either way, sorting by it gives grid order)"
    )
    parameter_hash: str
    parameters: dict[str, ParamValue]
    net_profit: float | None = None
    final_equity: float | None = None
    realized_pnl: float | None = None
    commission: float | None = None
    round_trips: int | None = None
    fill_count: int | None = None
    max_drawdown: float | None = None
    metrics: dict[str, float | None] = Field(default_factory=dict)
    wall_ms: float = 0.0
    error: str | None = Field(default=None, description="'ExceptionType: message' when it failed")
    traceback: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# ---- results log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadOutcome:
    """What :func:`read_results` found: the records, and the byte length of the intact prefix."""

    records: list[CombinationRecord]
    good_bytes: int
    torn_bytes: int


def read_results(path: str | os.PathLike[str]) -> ReadOutcome:
    """Read a results log; a torn or unparsable *last* line (a run killed mid-write) is dropped.

    A bad line anywhere else is corruption and raises :class:`InputError` naming its line.
    Duplicate hashes keep their first record.
    """
    scan = LogScan()
    records: list[CombinationRecord] = []
    seen: set[str] = set()
    for record in scan_results(path, CombinationRecord.model_validate_json, scan):
        if record.parameter_hash not in seen:
            seen.add(record.parameter_hash)
            records.append(record)
    return ReadOutcome(records, scan.good_bytes, scan.torn_bytes)


@dataclass
class LogScan:
    """Where :func:`scan_results` got to: the byte length of the intact prefix and of a torn tail."""

    good_bytes: int = 0
    torn_bytes: int = 0


def scan_results(
    path: str | os.PathLike[str], parse: Callable[[bytes], T], scan: LogScan | None = None
) -> Iterator[T]:
    """Each line of a results log parsed by ``parse`` (``CombinationRecord.model_validate_json``, or
    ``json.loads`` for plain dicts), streamed: memory does not grow with the log. A torn or
    unparsable last line (only blank lines after it) ends the scan, its length in ``scan.torn_bytes``;
    a bad line anywhere else raises :class:`InputError` naming its line. Duplicates are not dropped."""
    path = Path(path)
    scan = scan if scan is not None else LogScan()
    if not path.exists():
        return
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                if not raw.endswith(b"\n"):  # the write was cut short
                    raise ValueError("line not terminated")
                value = parse(raw)
            except ValueError as exc:
                rest = 0
                for line in handle:
                    if line.strip():
                        raise InputError(
                            "the optimization results log is corrupt",
                            [Problem(f"cannot parse record: {str(exc).splitlines()[0]}", file=str(path), line=number)],
                        ) from None
                    rest += len(line)
                scan.torn_bytes = len(raw) + rest
                return
            scan.good_bytes += len(raw)
            yield value


class ResultsLog:
    """Append-only results log; each :meth:`append` is written, flushed and fsynced."""

    def __init__(self, handle: IO[bytes], path: Path, *, fsync: bool = True) -> None:
        self._handle = handle
        self.path = path
        self.fsync = fsync

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, fsync: bool = True) -> ResultsLog:
        """Open for appending, first cutting off a torn last line left by a killed run."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        scan = LogScan()
        for _ in scan_results(path, json.loads, scan):  # streamed: nothing kept
            pass
        if scan.torn_bytes:
            with open(path, "rb+") as fh:
                fh.truncate(scan.good_bytes)
                os.fsync(fh.fileno())
        return cls(open(path, "ab"), path, fsync=fsync)

    def append(self, record: CombinationRecord) -> None:
        self._handle.write(record.model_dump_json().encode("utf-8") + b"\n")
        self._handle.flush()
        if self.fsync:
            os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> ResultsLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- run spec ------------------------------------------------------------------------------


def write_run_spec(out: str | os.PathLike[str], spec: RunSpec) -> Path:
    return atomic_write_json(Path(out) / RUN_SPEC_FILE, spec)


def read_run_spec(out: str | os.PathLike[str]) -> RunSpec | None:
    path = Path(out) / RUN_SPEC_FILE
    if not path.exists():
        return None
    return RunSpec.model_validate_json(path.read_text(encoding="utf-8"))


# ---- captures ------------------------------------------------------------------------------


class CaptureStore:
    """Fills and per-bar equity of each combination, as zstd Parquet files partitioned by hash."""

    def __init__(self, root: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.root = Path(root)
        self.fsync = fsync

    def _path(self, parameter_hash: str, kind: str) -> Path:
        key = parameter_hash.rpartition(":")[2]  # "sha256:<hex>" -> "<hex>"
        return self.root / key[:2] / f"{key}.{kind}.parquet"

    @property
    def bars_path(self) -> Path:
        return self.root / BARS_FILE

    def write_bars(self, equity: pa.RecordBatch | pa.Table) -> None:
        """Store the shared per-bar columns (time, close) once, from any combination's equity."""
        if self.bars_path.exists():
            return
        table = _as_table(equity).select(list(SHARED_BAR_COLUMNS))
        self._write(table, self.bars_path)

    def write(
        self, parameter_hash: str, fills: pa.RecordBatch | pa.Table, equity: pa.RecordBatch | pa.Table
    ) -> None:
        """Store one combination's fills and its per-bar columns other than time and close."""
        equity_table = _as_table(equity)
        self.write_bars(equity_table)
        own = [c for c in equity_table.column_names if c not in SHARED_BAR_COLUMNS]
        self._write(_as_table(fills), self._path(parameter_hash, "fills"))
        self._write(equity_table.select(own), self._path(parameter_hash, "equity"))

    def _write(self, table: pa.Table, target: Path) -> None:
        with atomic_path(target, fsync=self.fsync) as tmp:
            _write_parquet(table, tmp)

    def write_files(self, files: Mapping[str, bytes]) -> None:
        """Store captures encoded elsewhere (:meth:`CaptureBuffer.drain`: path relative to the root ->
        Parquet bytes), each atomically; ``bars.parquet`` only when the store has none yet."""
        for name, payload in files.items():
            relative = Path(name)
            if relative.is_absolute() or ".." in relative.parts:
                raise ValueError(f"a capture file must lie inside the store, got {name!r}")
            target = self.root / relative
            if relative == Path(BARS_FILE) and target.exists():
                continue
            with atomic_path(target, fsync=self.fsync) as tmp:
                tmp.write_bytes(payload)

    def has(self, parameter_hash: str) -> bool:
        return self._path(parameter_hash, "fills").exists() and self._path(parameter_hash, "equity").exists()

    def fills(self, parameter_hash: str) -> pd.DataFrame:
        """Fills of one combination: time (UTC), side (+1/-1), price, volume, commission, ..."""
        return self._read(parameter_hash, "fills").to_pandas()

    def equity(self, parameter_hash: str) -> pd.DataFrame:
        """Per-bar rows of one combination: time, close, position, cash, equity, PnL, commission."""
        own = self._read(parameter_hash, "equity")
        return _with_bars(pq.read_table(self.bars_path), own).to_pandas()

    def _read(self, parameter_hash: str, kind: str) -> pa.Table:
        path = self._path(parameter_hash, kind)
        if not path.exists():
            raise KeyError(f"no captured {kind} for parameter hash {parameter_hash} (looked for {path})")
        return pq.read_table(path)

    def read_many(self, hashes: Sequence[str], kind: str) -> list[pa.Table]:
        """The ``kind`` ("fills" or "equity") tables of ``hashes``, in order, read by parallel
        threads (pyarrow releases the GIL); an empty table for a combination without captures
        (a failed one). Equity tables carry the shared time and close columns first."""

        def read(parameter_hash: str) -> pa.Table:
            path = self._path(parameter_hash, kind)
            return pq.read_table(path, use_threads=False) if path.exists() else pa.table({})

        with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
            tables = list(pool.map(read, hashes))
        if kind != "equity" or not any(t.num_rows for t in tables):
            return tables
        bars = pq.read_table(self.bars_path)
        return [_with_bars(bars, t) if t.num_rows else t for t in tables]

    def reader(self, kind: str) -> CaptureReader:
        """One kind of capture as a bulk-readable source (see :class:`CaptureReader`)."""
        return CaptureReader(self, kind)

    def keys(self) -> Iterator[str]:
        """File keys of the stored combinations (the hex part of their parameter hashes)."""
        for path in sorted(self.root.glob("*/*.fills.parquet")):
            yield path.name.split(".", 1)[0]


class CaptureBuffer(CaptureStore):
    """A :class:`CaptureStore` that keeps the files it would write in memory, as Parquet bytes by path
    relative to the store's root, for a process that cannot reach the run folder (a worker of a remote
    cluster): the run's own store writes them with :meth:`CaptureStore.write_files`. The shared
    ``bars.parquet`` is handed on with every drained batch that holds a combination (it is small), so
    whichever batch arrives first provides it."""

    def __init__(self) -> None:
        super().__init__(Path())
        self._files: dict[str, bytes] = {}
        self._bars: bytes | None = None

    def write_bars(self, equity: pa.RecordBatch | pa.Table) -> None:
        if self._bars is None:
            self._bars = _parquet_bytes(_as_table(equity).select(list(SHARED_BAR_COLUMNS)))
        self._files[BARS_FILE] = self._bars

    def _write(self, table: pa.Table, target: Path) -> None:
        self._files[target.as_posix()] = _parquet_bytes(table)

    def drain(self) -> dict[str, bytes]:
        """The files written since the last drain (bars first), and forget them."""
        files, self._files = self._files, {}
        return files


def _write_parquet(table: pa.Table, where: Any) -> None:
    # float columns hardly repeat: plain encoding is smaller and faster than dictionaries
    pq.write_table(table, where, compression=PARQUET_COMPRESSION, use_dictionary=False)


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    _write_parquet(table, sink)
    return sink.getvalue().to_pybytes()


class CaptureReader:
    """Fills or equity of a :class:`CaptureStore` by combination: ``reader(hash)`` reads one (an
    empty frame when it has none), ``read_many(hashes)`` many at once (what the artifacts
    export streams: :class:`pystocksharp.artifacts.datasets.BulkFrames`)."""

    def __init__(self, store: CaptureStore, kind: str) -> None:
        self.store = store
        self.kind = kind

    def __call__(self, parameter_hash: str) -> pd.DataFrame:
        try:
            return (
                self.store.fills(parameter_hash)
                if self.kind == "fills"
                else self.store.equity(parameter_hash)
            )
        except KeyError:  # failed combinations have no captures
            return pd.DataFrame()

    def read_many(self, hashes: Sequence[str]) -> list[pa.Table]:
        return self.store.read_many(hashes, self.kind)


def _with_bars(bars: pa.Table, own: pa.Table) -> pa.Table:
    """The shared per-bar columns (time, close) followed by a combination's own (zero copy)."""
    table = bars
    for name in own.column_names:
        table = table.append_column(name, own.column(name))
    return table


def _as_table(data: pa.RecordBatch | pa.Table) -> pa.Table:
    return pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data


def records_frame(
    records: Iterable[CombinationRecord | Mapping[str, Any]],
    parameter_names: list[str],
    metric_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per record (a :class:`CombinationRecord`, or its JSON as a dict): parameters,
    parameter_hash, summary, metrics, wall_ms, error, traceback. ``metric_names``: the metric columns
    and their order (default: every metric of ``records``, first seen first)."""
    rows: list[dict[str, Any]] = []
    seen: dict[str, None] = {}
    for rec in records:
        data = rec.model_dump() if isinstance(rec, CombinationRecord) else rec
        parameters, metrics = data.get("parameters") or {}, data.get("metrics") or {}
        row: dict[str, Any] = {name: parameters.get(name) for name in parameter_names}
        row.update({k: v for k, v in data.items() if k not in ("parameters", "metrics")})
        # summary columns come from the engine; metrics only add what the summary lacks
        row.update({k: (float("nan") if v is None else v) for k, v in metrics.items() if k not in row})
        seen.update(dict.fromkeys(metrics))
        rows.append(row)
    columns = _frame_columns(seen if metric_names is None else metric_names, parameter_names)
    frame = pd.DataFrame(rows, columns=columns)
    for column in frame.columns:
        if column not in ("parameter_hash", "error", "traceback") and column not in parameter_names:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


#: Records read from the log per frame by :func:`results_frame`.
FRAME_CHUNK = 100_000


def results_frame(path: str | os.PathLike[str], parameter_names: list[str]) -> pd.DataFrame:
    """:func:`records_frame` of a whole results log in grid order (``index``), duplicates dropped (the first
    line of a hash kept), read in chunks of :data:`FRAME_CHUNK` plain JSON lines: no per-record model, so
    the table of a huge run costs its columns, not its records."""
    frames: list[pd.DataFrame] = []
    metric_names: dict[str, None] = {}
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        if chunk:
            frames.append(records_frame(chunk, parameter_names))
            metric_names.update(dict.fromkeys(frames[-1].columns))
            chunk.clear()

    for data in scan_results(path, json.loads):
        chunk.append(data)
        if len(chunk) >= FRAME_CHUNK:
            flush()
    flush()
    if not frames:
        return records_frame([], parameter_names)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    frame = frame.drop_duplicates("parameter_hash", keep="first")
    frame = frame.sort_values("index", kind="mergesort").reset_index(drop=True)
    summary = set(CombinationRecord.model_fields) | set(parameter_names)
    return frame[_frame_columns([c for c in metric_names if c not in summary], parameter_names)]


def _frame_columns(metric_names: Iterable[str], parameter_names: list[str]) -> list[str]:
    summary = [
        f for f in CombinationRecord.model_fields if f not in ("parameters", "metrics", "error", "traceback")
    ]
    summary_no_meta = [f for f in summary if f not in ("index", "parameter_hash", "wall_ms")]
    metrics = [m for m in metric_names if m not in summary_no_meta]
    return [
        "index",
        *parameter_names,
        "parameter_hash",
        *summary_no_meta,
        *metrics,
        "wall_ms",
        "error",
        "traceback",
    ]


def dumps_parameters(values: Mapping[str, ParamValue]) -> str:
    """Canonical JSON of a parameter dict (sorted keys), for messages and comparisons."""
    return json.dumps(dict(values), sort_keys=True)


def write_checkpoint_manifest(out: str | os.PathLike[str], *, fsync: bool = True) -> Path:
    """Seal a finished run directory: a ``manifest.json`` (sha256 of run.json, results.jsonl and
    every capture) written last, so ``pystocksharp validate`` covers the checkpoint too.

    Resuming into a sealed directory first removes the manifest (see :func:`unseal_checkpoint`).
    """
    from pystocksharp.artifacts.manifest import write_manifest  # noqa: PLC0415

    return write_manifest(out, kind="checkpoint", fsync=fsync)


def unseal_checkpoint(out: str | os.PathLike[str]) -> None:
    """Remove a run directory's manifest before files are appended to it again."""
    from pystocksharp.artifacts.manifest import MANIFEST_FILE  # noqa: PLC0415

    (Path(out) / MANIFEST_FILE).unlink(missing_ok=True)


def clear_run(out: str | os.PathLike[str]) -> None:
    """Remove what an earlier run wrote into the run directory ``out`` (its spec, records, captures, in-flight log,
    search state, tally and manifest) so that a new run starts there (``overwrite=True``); anything else in ``out`` stays."""
    import shutil  # noqa: PLC0415

    from pystocksharp.artifacts.manifest import MANIFEST_FILE  # noqa: PLC0415
    from pystocksharp.optimization.leaders import TALLY_FILE  # noqa: PLC0415
    from pystocksharp.optimization.result import SEARCH_FILE  # noqa: PLC0415

    folder = Path(out)
    for name in (MANIFEST_FILE, RUN_SPEC_FILE, RESULTS_FILE, IN_FLIGHT_FILE, SEARCH_FILE, TALLY_FILE, BARS_FILE):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / CAPTURES_DIR, ignore_errors=True)


# ---- combinations in flight -----------------------------------------------------------------

IN_FLIGHT_FILE = "in-flight.jsonl"


class InFlightEntry(BaseModel):
    """A line of ``in-flight.jsonl``: a combination handed to an engine thread or a worker process
    (``alone``: as the only combination running, on a resume), or ``released`` (the run itself
    stopped it, at a Ctrl-C: no evidence against it)."""

    index: int
    parameter_hash: str
    parameters: dict[str, ParamValue] = Field(default_factory=dict)
    alone: bool = False
    released: bool = False


@dataclass(frozen=True)
class Suspect:
    """A combination that was in flight when a run stopped without recording it. ``ran_alone``: the run
    stopped (crashed, was killed) while it ran as the only combination."""

    index: int
    parameter_hash: str
    parameters: dict[str, ParamValue]
    ran_alone: bool


class InFlightLog:
    """``in-flight.jsonl``: which combinations are running, written (flushed, fsynced) before they start.

    A combination in it without a record in ``results.jsonl`` was running when the run stopped: it may be
    what stopped it (a stack overflow or an abort in the engine's threads kills the whole process; a
    runaway gets the run killed). :meth:`open` reads those *suspects* and rewrites the file with them
    only; the runner runs each alone before anything else (:func:`pystocksharp.optimization.isolation`).
    A torn last line (a write cut by SIGKILL) is ignored.
    """

    def __init__(self, path: Path, suspects: list[Suspect], *, fsync: bool) -> None:
        self.path = path
        self.suspects = suspects
        self.fsync = fsync
        #: every combination started was recorded: :meth:`close` removes the file
        self.finished = False
        self._handle: IO[bytes] | None = None

    @classmethod
    def open(cls, out: str | os.PathLike[str], recorded: set[str] | Mapping[str, Any], *, fsync: bool = True) -> InFlightLog:
        path = Path(out) / IN_FLIGHT_FILE
        pending: dict[str, Suspect] = {}
        if path.exists():
            for raw in path.read_bytes().split(b"\n"):
                try:
                    entry = InFlightEntry.model_validate_json(raw)
                except ValueError:
                    continue  # a torn line
                if entry.parameter_hash in recorded:
                    continue
                previous = pending.get(entry.parameter_hash)
                if entry.released:
                    if previous is not None:
                        pending[entry.parameter_hash] = Suspect(previous.index, previous.parameter_hash,
                                                                previous.parameters, ran_alone=False)  # fmt: skip
                    continue
                pending[entry.parameter_hash] = Suspect(
                    entry.index, entry.parameter_hash, entry.parameters,
                    ran_alone=entry.alone or bool(previous and previous.ran_alone),
                )  # fmt: skip
        log = cls(path, list(pending.values()), fsync=fsync)
        log._rewrite([InFlightEntry(index=s.index, parameter_hash=s.parameter_hash, parameters=s.parameters,
                                    alone=s.ran_alone) for s in log.suspects])  # fmt: skip
        return log

    def _rewrite(self, entries: Sequence[InFlightEntry]) -> None:
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        text = "".join(e.model_dump_json() + "\n" for e in entries)
        with atomic_path(self.path, fsync=self.fsync) as tmp:
            tmp.write_text(text, encoding="utf-8")

    def _append(self, entries: Sequence[InFlightEntry]) -> None:
        if not entries:
            return
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "ab")
        self._handle.write(b"".join(e.model_dump_json().encode("utf-8") + b"\n" for e in entries))
        self._handle.flush()
        if self.fsync:
            os.fsync(self._handle.fileno())

    def started(self, tasks: Sequence[Any], *, alone: bool = False) -> None:
        """Record that ``tasks`` (``ComboTask``s) start now, durably, before they do."""
        self._append([InFlightEntry(index=t.index, parameter_hash=t.parameter_hash, parameters=t.parameters,
                                    alone=alone) for t in tasks])  # fmt: skip

    def released(self, tasks: Sequence[Any]) -> None:
        """Record that the run itself stopped ``tasks`` (Ctrl-C): not evidence that they stop runs."""
        self._append([InFlightEntry(index=t.index, parameter_hash=t.parameter_hash, released=True) for t in tasks])

    def close(self) -> None:
        """Close the file; remove it when :attr:`finished` (every combination started was recorded)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self.finished:
            self.path.unlink(missing_ok=True)
