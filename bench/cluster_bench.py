"""Optimizer on a Dask cluster vs here (not a test): the same grid, side by side, in one run.

For each scenario the same grid runs three ways and prints combinations/s:

  here         ``optimize(..., workers=2)``: engine threads (C#) or spawned worker processes (Python),
               .NET already started in this process;
  local:2      ``optimize(..., cluster="local:2")`` end to end: starting 2 worker processes, .NET in
               each, the run, closing the cluster;
  warm tcp     ``optimize(..., cluster="tcp://...")`` on an already running 2-worker cluster whose
               workers ran the same job before (engine state cached): the steady-state throughput.

Scenarios, on seeded synthetic 1-minute bars: C# ``sma_cross`` with captures and metrics (the
default), C# ``sma_cross`` summaries only, Python per-bar ``sma_cross_py`` with captures and metrics.
Prints the machine, the date and the load average before and after. Usage::

    .venv/bin/python bench/cluster_bench.py            # 20,000 bars (a few minutes)
    .venv/bin/python bench/cluster_bench.py --quick    # 5,000 bars, smaller grids
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

WORKERS = 2


def scenarios(quick: bool) -> list[dict[str, Any]]:
    csharp_grid = ["fast=5:50:5", "slow=60:250:10"]  # 10 x 20 = 200 combinations
    python_grid = ["fast=5:20:5", "slow=60:100:10"]  # 4 x 5 = 20 combinations
    if quick:
        csharp_grid, python_grid = ["fast=5:50:5", "slow=60:150:10"], ["fast=5:10:5", "slow=60:90:10"]
    return [
        {"name": "C# sma_cross, captures + metrics", "strategy": "sma_cross", "grid": csharp_grid, "keep_fills": True, "metrics": None},
        {"name": "C# sma_cross, summaries only", "strategy": "sma_cross", "grid": csharp_grid, "keep_fills": False, "metrics": False},
        {"name": "Python sma_cross_py, captures + metrics", "strategy": "sma_cross_py", "grid": python_grid, "keep_fills": True, "metrics": None},
    ]  # fmt: skip


def timed(data: Any, scenario: dict[str, Any], **where: Any) -> tuple[int, float]:
    from pystocksharp.optimization import optimize

    with tempfile.TemporaryDirectory(prefix="clusterbench-") as tmp:
        start = time.perf_counter()
        result = optimize(
            scenario["strategy"], data, grid=scenario["grid"], out=Path(tmp) / "run", keep_fills=scenario["keep_fills"],
            metrics=scenario["metrics"], commission=0.001, **where,
        )  # fmt: skip
        wall = time.perf_counter() - start
        assert result.failed == 0 and result.abort_reason is None, result
        return result.completed, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--bars", type=int, default=None)
    args = parser.parse_args()
    bars = args.bars or (5_000 if args.quick else 20_000)

    import distributed

    from pystocksharp import bridge
    from pystocksharp.backtest import load_data
    from pystocksharp.optimization.cluster import local_cluster_options
    from pystocksharp.synthetic import random_walk

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; dask/distributed {distributed.__version__}")
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    data = load_data(random_walk(bars, seed=7))  # validated once, outside the timings
    bridge.engine_version()  # .NET started here outside the timings
    print(f"{bars:,} synthetic 1-minute bars; {WORKERS} workers of 1 thread each everywhere\n")

    rows = []
    with distributed.LocalCluster(**local_cluster_options(WORKERS)) as cluster:
        for scenario in scenarios(args.quick):
            n, here = timed(data, scenario, workers=WORKERS)
            _, local = timed(data, scenario, cluster=f"local:{WORKERS}")
            timed(data, scenario, cluster=cluster.scheduler_address)  # warms the workers (.NET, job state)
            _, warm = timed(data, scenario, cluster=cluster.scheduler_address)
            rows.append((scenario["name"], n, here, local, warm))
            print(f"  {scenario['name']}: {n} combinations, here {here:.2f} s, local:2 {local:.2f} s, warm tcp {warm:.2f} s")

    print("\n| scenario | combinations | here (workers=2) | local:2, end to end | warm tcp cluster |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, n, here, local, warm in rows:
        print(f"| {name} | {n} | {n / here:,.1f}/s ({here:.1f} s) | {n / local:,.1f}/s ({local:.1f} s) "
              f"| {n / warm:,.1f}/s ({warm:.1f} s) |")  # fmt: skip
    print(f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
