"""All scalar metrics of 10,000 equity curves x 2,000 bars with 100 round trips each, in one call.

Run: ``.venv/bin/python bench/metrics_bench.py [--curves N] [--points T] [--trips K]``. Prints wall
and CPU time of :func:`pystocksharp.metrics.compute_metrics_batch` (goal: < 10 s on 2 cores) and,
for comparison, the per-curve ``compute_metrics`` time of a few curves.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from pystocksharp.metrics import compute_metrics, compute_metrics_batch


def make_inputs(
    curves: int, points: int, trips: int, seed: int = 7
) -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    """Random-walk equity curves (capital 10,000), random round-trip PnLs, daily bar times."""
    rng = np.random.default_rng(seed)
    returns = rng.normal(0.0003, 0.01, size=(curves, points))
    equity = 10_000.0 * np.cumprod(1.0 + returns, axis=1)
    pnls = rng.normal(5.0, 50.0, size=(curves, trips))
    times = pd.date_range("2015-01-01", periods=points, freq="D", tz="UTC")
    return equity, pnls, times


def make_fills(times: pd.DatetimeIndex, trips: int, seed: int = 8) -> pd.DataFrame:
    """Alternating buy/sell fills of 1 unit at random bars: ``trips`` round trips."""
    rng = np.random.default_rng(seed)
    n = 2 * trips
    bars = np.sort(rng.choice(len(times), n, replace=False))
    return pd.DataFrame(
        {"time": times[bars], "side": np.tile([1, -1], trips), "price": rng.uniform(90, 110, n),
         "volume": 1.0, "commission": 0.1, "order_id": np.arange(n)}
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--curves", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=2_000)
    parser.add_argument("--trips", type=int, default=100)
    args = parser.parse_args()
    equity, pnls, times = make_inputs(args.curves, args.points, args.trips)
    wall, cpu = time.perf_counter(), time.process_time()
    frame = compute_metrics_batch(equity, pnls, initial_capital=10_000.0, times=times)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"batch: {args.curves:,} curves x {args.points:,} points, {args.trips} round trips each, "
          f"{frame.shape[1]} metrics: wall {wall:.2f} s, cpu {cpu:.2f} s")  # fmt: skip
    few = 20
    eq_frame = pd.DataFrame({"time": times, "position": 1.0})
    fills = make_fills(times, args.trips)
    start = time.perf_counter()
    for i in range(few):
        eq_frame["equity"] = equity[i]
        compute_metrics(eq_frame, fills, initial_capital=10_000.0)
    per = (time.perf_counter() - start) / few
    print(f"per-curve compute_metrics (full model, {args.trips} round trips from {2 * args.trips} fills): {per * 1000:.1f} ms/curve "
          f"-> {per * args.curves:.1f} s for {args.curves:,} curves")  # fmt: skip
    long_eq, _, _ = make_inputs(1, 200_000, 0)
    long_times = pd.date_range("2020-01-01", periods=200_000, freq="min", tz="UTC")
    frame_long = pd.DataFrame({"time": long_times, "position": 1.0, "equity": long_eq[0]})
    fills_long = make_fills(long_times, args.trips)
    start = time.perf_counter()
    for _ in range(5):
        compute_metrics(frame_long, fills_long, initial_capital=10_000.0)
    print(f"per-curve compute_metrics on 200,000 bars: {(time.perf_counter() - start) / 5 * 1000:.0f} ms")


if __name__ == "__main__":
    main()
