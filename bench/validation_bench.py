"""Validation benchmark (not a test): CSCV PBO and Monte Carlo on seeded synthetic data.

  * PBO: 1,000 periods x 2,000 combinations of noise returns, S = 16 (12,870 splits);
  * Monte Carlo: 1,000 simulations x 5,000 trades, shuffle and bootstrap (``monte_carlo``);
  * walk-forward partitions over 1,000,000 one-minute bars.

Prints wall and CPU seconds (best of ``--repeat``) as a Markdown table for docs/benchmarks.md.
Usage: ``.venv/bin/python bench/validation_bench.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from pystocksharp.validation import Partitions, monte_carlo, monte_carlo_method
from pystocksharp.validation.overfitting import probability_of_backtest_overfitting


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best wall seconds, CPU seconds of that run)."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    matrix = rng.normal(0.0, 0.01, size=(1000, 2000))
    trades = rng.normal(0.002, 0.02, size=5000)
    minutes = pd.date_range("2020-01-01", periods=1_000_000, freq="1min", tz="UTC")
    rows = [
        (
            "PBO (CSCV), 1,000 periods x 2,000 combinations, S = 16 (12,870 splits)",
            best_of(lambda: probability_of_backtest_overfitting(matrix, 16), args.repeat),
        ),
        (
            "Monte Carlo shuffle, 1,000 simulations x 5,000 trades",
            best_of(lambda: monte_carlo_method(trades, "shuffle", n_simulations=1000, seed=1), args.repeat),
        ),
        (
            "Monte Carlo bootstrap, 1,000 simulations x 5,000 trades",
            best_of(lambda: monte_carlo_method(trades, "bootstrap", n_simulations=1000, seed=1), args.repeat),
        ),
        (
            "Monte Carlo report (shuffle + bootstrap), 1,000 x 5,000",
            best_of(lambda: monte_carlo(trades, n_simulations=1000, seed=1), args.repeat),
        ),
        (
            "Partitions, 1,000,000 1-minute bars, train 30d / test 7d / holdout 30d",
            best_of(lambda: Partitions.build(minutes, train="30d", test="7d", holdout="30d"), args.repeat),
        ),
    ]
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print("| Step | Wall (s) | CPU (s) |")
    print("|---|---:|---:|")
    for name, (wall, cpu) in rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
