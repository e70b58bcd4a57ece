"""Optimization benchmark (not a test): SMA-cross grid on 200,000 seeded synthetic 1-minute bars.

Prints, for each path, combinations/s, bars/s across all combinations (bars x combinations /
wall seconds) and the peak RSS of the run (its process plus its worker processes):

  (a) C# ``sma_cross`` through the engine's BruteForceOptimizer (summary only, then with
      per-combination metrics and captures to disk; ``csharp_export``: engine metrics, then the export
      with the 20 kept combinations run again with captures, what ``optimize --out`` does;
      ``csharp_export_all``: every combination captured as it runs, ``--all-fills``);
  (b) Python per-bar ``sma_cross_py`` in worker processes (a sample of the grid);
  (c) Python vectorized ``sma_cross_vec`` in worker processes;
  (d) backtrader ``optstrategy`` with the same rule (a sample of the grid);

and the C# run's peak RSS at 200 vs 2,000 combinations (summary only, and with captures
streamed to Parquet; with per-combination metrics too when ``pystocksharp.metrics`` exists).

Each scenario runs in a fresh subprocess so peak RSS is its own. Usage::

    .venv/bin/python bench/optimize_bench.py            # everything (several minutes)
    .venv/bin/python bench/optimize_bench.py --quick    # smaller samples
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BARS = 200_000
SEED = 7
WORKERS = 2
FAST = list(range(5, 51, 5))  # 10 values
SLOW = list(range(20, 211, 10))  # 20 values -> 200 combinations, all fast < slow


def grid(n: int) -> list[str]:
    """Grid specs with about ``n`` combinations (first fast values x all slow values, or more slow)."""
    if n >= 200:
        slow_count = n // len(FAST)
        return ["fast=5:50:5", f"slow=20:{20 + 10 * (slow_count - 1)}:10"]
    fast_count = max(1, n // 2)
    return [f"fast=5:{5 * fast_count}:5", "slow=100:110:10"]


def candles() -> Any:
    from pystocksharp.synthetic import random_walk

    return random_walk(BARS, seed=SEED)


def _peak_rss_mb() -> tuple[float, float]:
    """Peak RSS (MiB) of this process, and of its largest worker process (0 if none)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: KiB
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024.0, children / 1024.0


def run_pystocksharp(
    strategy: str, combos: int, *, keep_fills: bool, metrics: bool | None, export: bool = False
) -> dict[str, Any]:
    """One ``optimize`` run timed; with ``export``, its export too (what ``optimize --out`` does without a report:
    the ranked table, the datasets and the 20 kept folders, whose combinations run again with captures)."""
    from pystocksharp import bridge
    from pystocksharp.backtest import load_data
    from pystocksharp.optimization import optimize

    data = load_data(candles())  # validated once, outside the timing
    bridge.engine_version()  # .NET started outside the timing (worker processes start theirs inside)
    with tempfile.TemporaryDirectory(prefix="optbench-") as tmp:
        start = time.perf_counter()
        result = optimize(
            strategy, data, grid=grid(combos), workers=WORKERS, out=Path(tmp) / "run",
            keep_fills=keep_fills, metrics=metrics, fsync=keep_fills,
        )  # fmt: skip
        if export:
            result.export(Path(tmp) / "export", keep=20, report=False)
        wall = time.perf_counter() - start
        done, failed = result.completed, result.failed
    return {"combinations": done, "failed": failed, "wall_s": wall}


def _backtrader_strategy() -> Any:
    """The SMA-cross reversal rule in backtrader (module level: optstrategy pickles it)."""
    import backtrader as bt

    class SmaCrossBT(bt.Strategy):
        params = (("fast", 10), ("slow", 20))

        def __init__(self) -> None:
            fast = bt.indicators.SMA(self.data.close, period=self.p.fast)
            slow = bt.indicators.SMA(self.data.close, period=self.p.slow)
            self.cross = bt.indicators.CrossOver(fast, slow)

        def next(self) -> None:
            if self.cross[0] > 0:
                self.order_target_size(target=1)
            elif self.cross[0] < 0:
                self.order_target_size(target=-1)

    SmaCrossBT.__qualname__ = "SmaCrossBT"
    globals()["SmaCrossBT"] = SmaCrossBT
    return SmaCrossBT


def run_backtrader(combos: int) -> dict[str, Any]:
    import backtrader as bt

    frame = candles()
    frame = getattr(frame, "frame", frame)

    specs = grid(combos)
    fast_stop = int(specs[0].split(":")[1])
    cerebro = bt.Cerebro(stdstats=False, optreturn=True, maxcpus=WORKERS)
    cerebro.adddata(bt.feeds.PandasData(dataname=frame.tz_localize(None) if frame.index.tz else frame))
    cerebro.broker.setcash(10_000)
    cerebro.optstrategy(_backtrader_strategy(), fast=list(range(5, fast_stop + 1, 5)), slow=[100, 110])
    start = time.perf_counter()
    runs = cerebro.run()
    wall = time.perf_counter() - start
    return {"combinations": len(runs), "failed": 0, "wall_s": wall}


SCENARIOS = {
    "csharp": lambda n: run_pystocksharp("sma_cross", n, keep_fills=False, metrics=False),
    "csharp_captures": lambda n: run_pystocksharp("sma_cross", n, keep_fills=True, metrics=None),
    "csharp_metrics": lambda n: run_pystocksharp("sma_cross", n, keep_fills=False, metrics=True),
    "csharp_export": lambda n: run_pystocksharp("sma_cross", n, keep_fills=False, metrics=True, export=True),
    "csharp_export_all": lambda n: run_pystocksharp("sma_cross", n, keep_fills=True, metrics=True, export=True),
    "python": lambda n: run_pystocksharp("sma_cross_py", n, keep_fills=False, metrics=False),
    "vectorized": lambda n: run_pystocksharp("sma_cross_vec", n, keep_fills=False, metrics=False),
    "backtrader": run_backtrader,
}


def child(name: str, combos: int) -> None:
    out = SCENARIOS[name](combos)
    out["peak_rss_mb"], out["worker_rss_mb"] = _peak_rss_mb()
    print(json.dumps(out))


def measure(name: str, combos: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", name, "--combos", str(combos)],
        capture_output=True, text=True, check=False, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed:\n{proc.stderr}")
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    row["scenario"] = name
    row["comb_per_s"] = row["combinations"] / row["wall_s"]
    row["bars_per_s"] = row["combinations"] * BARS / row["wall_s"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child")
    parser.add_argument("--combos", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="smaller samples for the slow paths")
    parser.add_argument("--only", nargs="*", help="scenarios to run (default all)")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.combos)
        return
    plan = [
        ("csharp", 200),
        ("csharp_captures", 200),
        ("python", 4 if args.quick else 20),
        ("vectorized", 20 if args.quick else 200),
        ("backtrader", 2 if args.quick else 4),
        ("csharp", 2000),
        ("csharp_captures", 2000),
    ]
    if importlib.util.find_spec("pystocksharp.metrics") is not None:
        plan += [("csharp_metrics", 200), ("csharp_metrics", 2000), ("csharp_export", 200), ("csharp_export", 2000),
                 ("csharp_export_all", 200)]
    if args.only:
        plan = [p for p in plan if p[0] in args.only]
    print(f"{BARS:,} bars (seed {SEED}), {WORKERS} workers, cpu_count={os.cpu_count()}")
    print(
        f"{'scenario':<16} {'combos':>7} {'wall s':>8} {'comb/s':>9} {'bars/s':>14} {'peak RSS MB':>12} {'worker MB':>10}"
    )
    rows = []
    for name, combos in plan:
        row = measure(name, combos)
        rows.append(row)
        print(
            f"{name:<16} {row['combinations']:>7} {row['wall_s']:>8.2f} {row['comb_per_s']:>9.2f} "
            f"{row['bars_per_s']:>14,.0f} {row['peak_rss_mb']:>12.0f} {row['worker_rss_mb']:>10.0f}",
            flush=True,
        )
    by = {(r["scenario"], r["combinations"]): r for r in rows}
    cs, bt_row = by.get(("csharp", 200)), next((r for r in rows if r["scenario"] == "backtrader"), None)
    if cs and bt_row:
        print(f"C# / backtrader bars/s: {cs['bars_per_s'] / bt_row['bars_per_s']:,.0f}x")
    for name in ("csharp", "csharp_captures", "csharp_metrics"):
        small, large = by.get((name, 200)), by.get((name, 2000))
        if small and large:
            change = large["peak_rss_mb"] / small["peak_rss_mb"] - 1
            print(f"{name}: peak RSS at 2000 vs 200 combinations: {change:+.1%}")


if __name__ == "__main__":
    main()
