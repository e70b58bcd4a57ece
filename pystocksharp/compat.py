"""``pystocksharp compat``: the migration report for StockSharp strategies (.cs, StockSharp-style .py).

Each file is checked in a child process of its own (a per-file time limit; one file's crash never stops
the sweep), in four stages: **compiles** (Roslyn against the StockSharp API layer, or the Python import),
**runs** (a backtest on the given data or a built-in seeded synthetic 1-minute series), **places orders**
(at least one order reached the engine) and, for a ``.cs`` and a ``.py`` of the same strategy in one folder,
**twins agree** (identical fills). The first failure of a file is its *cause*; causes are grouped across the
sweep (``missing: Strategy.SubscribeOrderBook`` × 12) so the most common gaps show first.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from pystocksharp.errors import InputError, Problem

Stage = Literal["ok", "compile", "run", "orders", "timeout", "crash"]

#: Bars of the built-in synthetic 1-minute series (about 139 days).
SYNTHETIC_BARS = 200_000
SYNTHETIC_SEED = 20241207
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


def check_file(path: Path, data: Path, cache: Path) -> FileReport:
    """Compile, run and count the orders of one file (in this process)."""
    import hashlib  # noqa: PLC0415

    import pystocksharp as pss  # noqa: PLC0415
    from pystocksharp.resolver import resolve_strategy  # noqa: PLC0415

    started = time.perf_counter()
    report = FileReport(path=str(path), language="csharp" if path.suffix.lower() == ".cs" else "python")
    try:
        resolved = resolve_strategy(str(path), cache_dir=cache)
    except InputError as exc:
        first = next((str(p) for p in exc.problems if "not supported yet" in str(p)), None) or (
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
    try:
        result = pss.backtest(resolved, str(data))
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


def _run_child(path: Path, data: Path, cache: Path, timeout: float) -> FileReport:
    cmd = [sys.executable, "-m", "pystocksharp.compat", str(path), str(data), str(cache)]
    language: Literal["csharp", "python"] = "csharp" if path.suffix.lower() == ".cs" else "python"
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return FileReport(path=str(path), language=language, failed_at="timeout", cause=f"timeout after {timeout:g} s",
                          error=f"did not finish within {timeout:g} s", seconds=timeout)  # fmt: skip
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        return FileReport(path=str(path), language=language, failed_at="crash",
                          cause=f"process crashed (exit {proc.returncode})", error=tail[:300],
                          seconds=time.perf_counter() - started)  # fmt: skip
    return FileReport.model_validate_json(lines[-1])


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
    data_path = Path(data) if data is not None else synthetic_data(work)
    if not data_path.is_file():
        raise InputError("compat: data file not found", [Problem("no such file", file=str(data_path), field="data")])
    n = workers or os.cpu_count() or 1
    results: list[FileReport] = []
    with ThreadPoolExecutor(max_workers=max(1, n)) as pool:
        for r in pool.map(lambda f: _run_child(f, data_path, cache, timeout), files):
            results.append(r)
            if progress is not None:
                progress(r)
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
    """Child process entry: ``python -m pystocksharp.compat FILE DATA CACHE`` prints one FileReport JSON line."""
    path, data, cache = (Path(a) for a in argv)
    report = check_file(path, data, cache)
    sys.stdout.write(json.dumps(report.model_dump(mode="json")) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
