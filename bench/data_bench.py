"""Benchmark (not a test): synthetic generation, validation and grid enumeration speeds.

Run: .venv/bin/python bench/data_bench.py [--bars 1000000]
Prints seconds per step; figures go in docs/benchmarks.md with the machine and date.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pystocksharp.data import load_ohlcv
from pystocksharp.parameters import parse_grid
from pystocksharp.synthetic import planted_edge, random_walk


def timed(label: str, fn: Callable[[], Any], repeat: int = 3) -> Any:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<48} {best:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bars", type=int, default=1_000_000)
    n = parser.parse_args().bars
    frame = timed(f"random_walk({n:,})", lambda: random_walk(n, seed=1))
    timed(f"planted_edge({n:,})", lambda: planted_edge(n, seed=1, freq="1min"))
    timed(f"load_ohlcv(DataFrame of {n:,})", lambda: load_ohlcv(frame))
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "BENCH_1m.csv"
        frame.reset_index().assign(timestamp=lambda f: f["timestamp"].dt.tz_localize(None)).to_csv(
            csv, index=False
        )
        timed(f"load_ohlcv(clean CSV of {n:,}, {csv.stat().st_size / 1e6:.0f} MB)", lambda: load_ohlcv(csv))
        lines = csv.read_text().splitlines()
        lines[n // 2] = lines[n // 2].rsplit(",", 1)[0] + ",abc"
        bad = Path(tmp) / "BAD_1m.csv"
        bad.write_text("\n".join(lines) + "\n")

        def reject() -> None:
            try:
                load_ohlcv(bad)
            except Exception:
                return
            raise AssertionError("the bad file was accepted")

        timed(f"load_ohlcv(CSV of {n:,} with one bad value)", reject, repeat=1)
    grid = parse_grid([f"p{i}=1:100" for i in range(4)], constraints=["p0 < p1"])
    timed(
        "count() of a 10^8 grid (unconstrained)",
        lambda: parse_grid([f"p{i}=1:100" for i in range(4)]).count(),
    )
    timed(
        "first 1,000,000 of a constrained 10^8 grid",
        lambda: sum(1 for _ in itertools.islice(grid.generate_combinations(), 1_000_000)),
        repeat=1,
    )


if __name__ == "__main__":
    main()
