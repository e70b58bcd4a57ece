"""Benchmark: export a real optimizer run (C# ``sma_cross``) into the artifacts layout.

Runs the optimizer on 200,000 seeded synthetic 1-minute bars (:func:`random_walk`), fills and
per-bar equity captured, then times :func:`export_optimization` (ranked table, fills / equity /
round-trips datasets of every combination, top-20 folders with manifests): the part that reads
the optimizer's capture files is what this measures. Figures in ``docs/benchmarks.md``.

    .venv/bin/python bench/optimization_export_bench.py --combinations 200 2000 [--bars 200000]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from pystocksharp.artifacts.export import export_optimization
from pystocksharp.backtest import load_data
from pystocksharp.optimization import optimize
from pystocksharp.synthetic import random_walk

SEED = 42


def grid(n: int) -> list[str]:
    """``fast`` 5..50 (10 values) x ``n // 10`` values of ``slow`` from 20 by 10."""
    return ["fast=5:50:5", f"slow=20:{20 + 10 * (n // 10 - 1)}:10"]


def run(combos: int, bars: int, workdir: Path) -> dict[str, float]:
    data = load_data(random_walk(bars, seed=SEED))
    start = time.perf_counter()
    result = optimize("sma_cross", data, grid=grid(combos), out=workdir / "checkpoint", fsync=True)
    optimize_s = time.perf_counter() - start
    start = time.perf_counter()
    export_optimization(result, workdir / "export", data=data, keep=20)
    export_s = time.perf_counter() - start
    return {"combinations": result.completed, "optimize_s": optimize_s, "export_s": export_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--combinations", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--bars", type=int, default=200_000)
    args = parser.parse_args()
    for combos in args.combinations:
        workdir = Path(tempfile.mkdtemp(prefix="optexport-"))
        try:
            figures = run(combos, args.bars, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(
            f"{figures['combinations']:>6} combinations x {args.bars:,} bars: optimize {figures['optimize_s']:.1f} s, "
            f"export {figures['export_s']:.2f} s, peak RSS so far {rss:,.0f} MiB",
            flush=True,
        )


if __name__ == "__main__":
    main()
