"""``pystocksharp compat``: the migration report for StockSharp strategies (.cs, StockSharp-style .py).

Files are checked by worker processes, one file after another in each (a per-file time limit: a file that
exceeds it or crashes its worker costs only that worker, which is started again; one file never stops the
sweep), in four stages: **compiles** (Roslyn against the StockSharp API layer, or the Python import),
**runs** (a backtest on the given data or a built-in seeded synthetic 1-minute series), **places orders**
(at least one order reached the engine) and, for a ``.cs`` and a ``.py`` of the same strategy in one folder,
**twins agree** (identical fills). The first failure of a file is its *cause*; causes are grouped across the
sweep (``missing: Strategy.SubscribeOrderBook`` × 12) so the most common gaps show first.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from pystocksharp.errors import InputError, Problem

Stage = Literal["ok", "compile", "run", "orders", "timeout", "crash"]

#: Bars of the built-in synthetic 1-minute series (about 69 days).
SYNTHETIC_BARS = 100_000
SYNTHETIC_SEED = 20241207
#: Prefix of the report lines a worker prints (anything else on its stdout is the strategies' own output).
_REPORT_MARK = "\x1epystocksharp-compat "
_COMPILED = "compiled "
_MISSING = re.compile(r"StockSharp API member not supported yet: (?P<member>[^\s;]+(?: \(to override\))?)")


class FileReport(BaseModel):
    """The outcome of one strategy file."""

    path: str
    language: Literal["csharp", "python"]
    strategy: str | None = None
    compiles: bool = False
    runs: bool = False
    places_orders: bool = False
    orders: int = 0
    fills: int = 0
    final_equity: float | None = None
    #: The stage that failed first ("ok" when none did).
    failed_at: Stage = "ok"
    #: The first failure, grouped across files ("missing: Strategy.X", "CS0029: …", "ZeroDivisionError: …").
    cause: str | None = None
    #: The first error message in full (first line).
    error: str | None = None
    seconds: float = 0.0
    #: Same strategy in the other language beside it: identical fills (None when there is no twin).
    twin: str | None = None
    twin_agrees: bool | None = None
    fills_digest: str | None = Field(default=None, description="sha256 of the fills (time, side, price, volume)")


class CauseCount(BaseModel):
    cause: str
    files: int
    examples: list[str]


class CompatReport(BaseModel):
    """The whole sweep: per-file outcomes, rates (fractions of all files) and causes by count."""

    files: int
    data: str
    compile_rate: float
    run_rate: float
    order_rate: float
    twin_pairs: int
    twin_agreement_rate: float | None
    causes: list[CauseCount]
    results: list[FileReport]
    seconds: float


def find_strategy_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The ``.cs`` and ``.py`` files under ``paths`` (files given directly are kept), sorted."""
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(q for q in sorted(p.rglob("*")) if q.suffix.lower() in (".cs", ".py") and q.is_file()
                         and not any(part.startswith((".", "__")) for part in q.relative_to(p).parts))  # fmt: skip
        elif p.is_file():
            found.append(p)
        else:
            problems.append(Problem("no such file or folder", file=str(p), field="path"))
    if problems:
        raise InputError("compat: some paths do not exist", problems)
    if not found:
        raise InputError("compat: no .cs or .py files found", [Problem("give files or folders", field="path")])
    return sorted(dict.fromkeys(found))


def synthetic_data(folder: Path) -> Path:
    """The built-in seeded synthetic 1-minute series as a Parquet file in ``folder``."""
    from pystocksharp.synthetic import random_walk  # noqa: PLC0415

    path = folder / "synthetic_1m.parquet"
    if not path.exists():
        frame = random_walk(SYNTHETIC_BARS, seed=SYNTHETIC_SEED, freq="1min", start="2024-01-01").round(2)
        frame.index.name = "timestamp"
        frame.reset_index().to_parquet(path, index=False)
    return path


def _cause(message: str) -> str:
    m = _MISSING.search(message)
    if m:
        return f"missing: {m['member']}"
    m = re.search(r"error (CS\d+): (.*)", message)
    if m:
        detail = re.sub(r"'[^']*'", "'…'", m[2])[:120]
        return f"{m[1]}: {detail}"
    return message.split("\n", 1)[0][:160]


def check_file(path: Path, data: Any, cache: Path, on_compiled: Callable[[str], None] | None = None) -> FileReport:
    """Compile, run and count the orders of one file (in this process) on ``data`` (a path or loaded
    ``OhlcvData``); ``on_compiled`` is told the strategy's name once it compiled (before it runs, which may
    never end)."""
    import hashlib  # noqa: PLC0415

    import pystocksharp as pss  # noqa: PLC0415
    from pystocksharp.bridge import UNSUPPORTED_MEMBER  # noqa: PLC0415
    from pystocksharp.resolver import resolve_strategy  # noqa: PLC0415

    started = time.perf_counter()
    report = FileReport(path=str(path), language="csharp" if path.suffix.lower() == ".cs" else "python")
    try:
        resolved = resolve_strategy(str(path), cache_dir=cache)
    except InputError as exc:
        first = next((str(p) for p in exc.problems if UNSUPPORTED_MEMBER in str(p)), None) or (
            str(exc.problems[0]) if exc.problems else exc.summary
        )
        report.failed_at, report.error, report.cause = "compile", first, _cause(first)
        report.seconds = time.perf_counter() - started
        return report
    except Exception as exc:  # noqa: BLE001 - a strategy module can raise anything on import
        report.failed_at, report.error = "compile", f"{type(exc).__name__}: {exc}".split("\n", 1)[0]
        report.cause = _cause(report.error)
        report.seconds = time.perf_counter() - started
        return report
    report.compiles, report.strategy = True, resolved.name
    if on_compiled is not None:
        on_compiled(resolved.name)
    try:
        result = pss.backtest(resolved, data if not isinstance(data, Path) else str(data))
    except InputError as exc:
        first = str(exc.problems[0]) if exc.problems else exc.summary
        report.failed_at, report.error, report.cause = "run", first, _cause(first)
    except Exception as exc:  # noqa: BLE001 - the strategy's own exception is the finding
        message = f"{type(exc).__name__}: {getattr(exc, 'Message', None) or exc}".split("\n", 1)[0]
        report.failed_at, report.error, report.cause = "run", message, _cause(message)
    else:
        report.runs = True
        report.orders, report.fills = int(result.summary.orders), int(result.summary.fills)
        report.final_equity = float(result.summary.final_equity)
        report.places_orders = report.orders > 0
        fills = result.trades[["time", "side", "price", "volume"]].to_csv(index=False).encode()
        report.fills_digest = "sha256:" + hashlib.sha256(fills).hexdigest()
        if not report.places_orders:
            report.failed_at, report.cause = "orders", "placed no order"
    report.seconds = time.perf_counter() - started
    return report


class _Worker:
    """A child process checking files one after another (``python -m pystocksharp.compat --serve``).

    Starting .NET and Roslyn once per process instead of once per file; a file that exceeds the time
    limit or crashes the process costs only that process, which is started again for the next file.
    """

    def __init__(self, data: Path, cache: Path) -> None:
        self._args = [sys.executable, "-m", "pystocksharp.compat", "--serve", str(data), str(cache)]
        self._proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: Any = None  # a file, not a pipe: what a strategy prints must never block the worker

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._close_stderr()
            self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
            self._proc = subprocess.Popen(
                self._args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True, bufsize=1
            )
            self._lines = queue.Queue()
            threading.Thread(target=self._pump, args=(self._proc, self._lines), daemon=True).start()
        return self._proc

    @staticmethod
    def _pump(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(_REPORT_MARK):
                lines.put(line[len(_REPORT_MARK):])
        lines.put(None)  # the process ended

    def check(self, path: Path, timeout: float) -> FileReport:
        language: Literal["csharp", "python"] = "csharp" if path.suffix.lower() == ".cs" else "python"
        started = time.perf_counter()
        proc = self._start()
        assert proc.stdin is not None
        compiled: str | None = None
        try:
            proc.stdin.write(str(path) + "\n")
            proc.stdin.flush()
            while True:
                line = self._lines.get(timeout=max(0.0, timeout - (time.perf_counter() - started)))
                if line is None or not line.startswith(_COMPILED):
                    break
                compiled = line[len(_COMPILED):].strip()  # it compiled; now it runs
        except queue.Empty:
            self.close()
            return FileReport(path=str(path), language=language, failed_at="timeout", cause=f"timeout after {timeout:g} s",
                              error=f"did not finish within {timeout:g} s", seconds=timeout,
                              compiles=compiled is not None, strategy=compiled)  # fmt: skip
        except OSError:
            line = None
        if line is None:
            proc.wait(timeout=5)
            self._stderr.seek(0)
            tail = (self._stderr.read().strip().splitlines() or [""])[-1]
            code = proc.returncode
            self._proc = None
            return FileReport(path=str(path), language=language, failed_at="crash",
                              cause=f"process crashed (exit {code})", error=tail[:300] or f"exit code {code}",
                              seconds=time.perf_counter() - started, compiles=compiled is not None,
                              strategy=compiled)  # fmt: skip
        return FileReport.model_validate_json(line)

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._proc = None
        self._close_stderr()

    def _close_stderr(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def _twins(results: list[FileReport]) -> None:
    """Pairs a .cs and a .py of the same strategy in one folder tree (by normalized class/file name)."""

    def key(r: FileReport) -> str:
        name = (r.strategy or Path(r.path).stem).lower().replace("_", "")
        return name.removesuffix("strategy")

    def group(r: FileReport) -> Path:
        p = Path(r.path).parent
        return p.parent if p.name.upper() in ("CS", "PY") else p

    by: dict[tuple[Path, str], dict[str, FileReport]] = {}
    for r in results:
        by.setdefault((group(r), key(r)), {})[r.language] = r
    for pair in by.values():
        if "csharp" in pair and "python" in pair:
            cs, py = pair["csharp"], pair["python"]
            agree = None if not (cs.runs and py.runs) else cs.fills_digest == py.fills_digest
            cs.twin, py.twin = py.path, cs.path
            cs.twin_agrees = py.twin_agrees = agree


def sweep(
    paths: Sequence[str | os.PathLike[str]],
    *,
    data: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    timeout: float = 120.0,
    progress: Callable[[FileReport], None] | None = None,
) -> CompatReport:
    """Checks every strategy file under ``paths`` (see the module doc); ``workers`` child processes at once
    (default: all cores), each file limited to ``timeout`` seconds."""
    files = find_strategy_files(paths)
    if timeout <= 0:
        raise InputError("compat: bad timeout", [Problem(f"must be > 0 seconds, got {timeout}", field="timeout")])
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="pystocksharp-compat-"))
    cache = work / "compiled"
    from pystocksharp.data import data_path as resolve_data  # noqa: PLC0415

    data_path = resolve_data(data) if data is not None else synthetic_data(work)
    if not data_path.is_file():
        raise InputError("compat: data file not found", [Problem("no such file", file=str(data_path), field="data")])
    n = max(1, min(workers or os.cpu_count() or 1, len(files)))
    pending: queue.Queue[tuple[int, Path]] = queue.Queue()
    for i, f in enumerate(files):
        pending.put((i, f))
    by_index: dict[int, FileReport] = {}
    lock = threading.Lock()

    def serve() -> None:
        worker = _Worker(data_path, cache)
        try:
            while True:
                try:
                    i, f = pending.get_nowait()
                except queue.Empty:
                    return
                r = worker.check(f, timeout)
                with lock:
                    by_index[i] = r
                    if progress is not None:
                        progress(r)
        finally:
            worker.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        for fut in [pool.submit(serve) for _ in range(n)]:
            fut.result()
    results = [by_index[i] for i in range(len(files))]
    _twins(results)
    total = len(results)
    counts = Counter(r.cause for r in results if r.cause)
    examples: dict[str, list[str]] = {}
    for r in results:
        if r.cause:
            examples.setdefault(r.cause, []).append(Path(r.path).name)
    pairs = [r for r in results if r.language == "csharp" and r.twin is not None]
    agreed = [r for r in pairs if r.twin_agrees]
    return CompatReport(
        files=total,
        data="built-in synthetic 1-minute series" if data is None else str(data_path),
        compile_rate=sum(r.compiles for r in results) / total,
        run_rate=sum(r.runs for r in results) / total,
        order_rate=sum(r.places_orders for r in results) / total,
        twin_pairs=len(pairs),
        twin_agreement_rate=None if not pairs else len(agreed) / len(pairs),
        causes=[CauseCount(cause=c, files=k, examples=examples[c][:5]) for c, k in counts.most_common()],
        results=results,
        seconds=time.perf_counter() - started,
    )


def main(argv: list[str]) -> int:
    """Child process entry: ``python -m pystocksharp.compat --serve DATA CACHE`` reads file paths on stdin and
    prints one FileReport JSON line per file."""
    if len(argv) != 3 or argv[0] != "--serve":
        sys.stderr.write("usage: python -m pystocksharp.compat --serve DATA CACHE\n")
        return 2
    from pystocksharp.data import load_ohlcv  # noqa: PLC0415

    data, cache = load_ohlcv(argv[1]), Path(argv[2])  # once per worker, not once per file
    out, sys.stdout = sys.stdout, sys.stderr  # what strategies print must not mix with the reports
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        def compiled(name: str) -> None:
            out.write(_REPORT_MARK + _COMPILED + name + "\n")
            out.flush()

        report = check_file(Path(path), data, cache, compiled)
        out.write(_REPORT_MARK + json.dumps(report.model_dump(mode="json")) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
