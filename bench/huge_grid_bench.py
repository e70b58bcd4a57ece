"""Huge-grid benchmark (not a test): peak memory and throughput of ``optimize`` at 10^4, 10^5 and 10^6 combinations.

C# ``sma_cross`` on 3,000 seeded synthetic 1-minute bars (short runs, so the optimizer's own costs show), 2 workers,
the grid ``fast=1:1000:1`` x ``slow=1001:...`` (every combination fast < slow), without captures, ranked on net
profit (summary only) or on the Sharpe ratio (metrics computed in the engine). Each size runs in a fresh subprocess,
so its peak RSS (``getrusage``) is its own; the checkpoint's ``results.jsonl`` size is what the run wrote per
combination. Usage::

    .venv/bin/python bench/huge_grid_bench.py                  # 10^4, 10^5, 10^6 (several minutes)
    .venv/bin/python bench/huge_grid_bench.py --sizes 10000 100000
    .venv/bin/python bench/huge_grid_bench.py --sizes 10000000 --ranking net   # 10^7 (~20 minutes, ~4 GB of log)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BARS = 3000
SEED = 7
WORKERS = 2
FAST = 1000  # fast = 1..1000


def grid(n: int) -> list[str]:
    """``n`` combinations (a multiple of :data:`FAST`): fast 1..1000 times n / 1000 slow values above 1000."""
    slow = max(1, n // FAST)
    return [f"fast=1:{FAST}:1", f"slow={FAST + 1}:{FAST + slow}:1"]


def child(n: int, metrics: bool) -> dict[str, Any]:
    from pystocksharp import bridge
    from pystocksharp.backtest import load_data
    from pystocksharp.optimization import optimize
    from pystocksharp.synthetic import random_walk

    data = load_data(random_walk(BARS, seed=SEED))
    bridge.engine_version()  # .NET started outside the timing
    with tempfile.TemporaryDirectory(prefix="hugebench-") as tmp:
        out = Path(tmp) / "run"
        start = time.perf_counter()
        result = optimize("sma_cross", data, grid=grid(n), workers=WORKERS, out=out, keep_fills=False,
                          metrics=metrics, rank="sharpe_ratio:desc" if metrics else "net_profit:desc", fsync=False)  # fmt: skip
        top = result.top(1)  # the ranking the run is for
        wall = time.perf_counter() - start
        written = (out / "results.jsonl").stat().st_size
        done, failed = result.completed, result.failed  # from the run's tally, not the log
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"combinations": done, "failed": failed, "wall_s": wall, "peak_rss_mb": rss,
            "results_mb": written / 1e6, "best": len(top)}  # fmt: skip


def measure(n: int, metrics: bool) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", str(n)] + (["--metrics"] if metrics else []),
                          capture_output=True, text=True, check=False)  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"{n} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int)
    parser.add_argument("--metrics", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--ranking", choices=["net", "sharpe", "both"], default="both",
                        help="net: engine summary only; sharpe: every metric, computed in the engine")  # fmt: skip
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.metrics)))
        return
    print(f"{BARS} bars (seed {SEED}), {WORKERS} workers, cpu_count={os.cpu_count()}, load {os.getloadavg()}")
    print(f"{'ranking':<10} {'combos':>9} {'wall s':>8} {'comb/s':>9} {'peak RSS MB':>12} {'results.jsonl MB':>17}")
    for metrics in {"net": (False,), "sharpe": (True,), "both": (False, True)}[args.ranking]:
        for n in args.sizes:
            row = measure(n, metrics)
            print(f"{'sharpe' if metrics else 'net':<10} {row['combinations']:>9,} {row['wall_s']:>8.1f} "
                  f"{row['combinations'] / row['wall_s']:>9,.0f} {row['peak_rss_mb']:>12.0f} {row['results_mb']:>17.1f}",
                  flush=True)  # fmt: skip
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
