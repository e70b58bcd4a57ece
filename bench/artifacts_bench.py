"""Benchmark: export a 10,000-combination optimization result set as artifacts.

Writes the ranked table (JSON pages + Parquet), every combination's fills and equity as
hash-bucketed Parquet datasets, the top-20 combination folders with manifests and the
optimization manifest; then validates the whole tree. Goal: export under 5 s.

    .venv/bin/python bench/artifacts_bench.py [--combinations 10000] [--bars 252] [--fills 20]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pystocksharp.artifacts import DataBinding, RunLayout, StrategyConfig, StrategyRef, market_data_ref
from pystocksharp.artifacts.validate import validate_tree
from pystocksharp.artifacts.writer import write_optimization

METRICS = (
    "net_profit final_equity realized_pnl commission round_trips fill_count max_drawdown sharpe_ratio "
    "sortino_ratio calmar_ratio cagr volatility win_rate profit_factor expectancy exposure wall_ms"
).split()


def synthetic(
    n: int, bars: int, fills: int, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A ranked table, all fills and all equity rows (combined frames with parameter_hash)."""
    rng = np.random.default_rng(seed)
    hashes = [
        "sha256:" + hashlib.sha256(json.dumps({"fast": i % 100, "slow": i // 100}).encode()).hexdigest()
        for i in range(n)
    ]
    table = pd.DataFrame({"fast": np.arange(n) % 100, "slow": np.arange(n) // 100, "parameter_hash": hashes})
    for name in METRICS:
        table[name] = rng.normal(size=n)
    table["round_trips"] = rng.integers(0, 50, size=n).astype(float)
    table["fill_count"] = 2 * table["round_trips"]
    table["error"] = None
    table = table.sort_values("net_profit", ascending=False, ignore_index=True)
    times = pd.date_range("2020-01-01", periods=bars, freq="D", tz="UTC")
    equity = pd.DataFrame(
        {
            "parameter_hash": np.repeat(np.array(hashes, dtype=object), bars),
            "time": np.tile(times.to_numpy(), n),
            "close": np.tile(100 + rng.normal(size=bars).cumsum(), n),
            "position": rng.integers(-1, 2, size=n * bars).astype(float),
            "cash": rng.normal(10_000, 100, size=n * bars),
            "equity": rng.normal(10_000, 100, size=n * bars),
        }
    )
    fill_bars = np.sort(rng.integers(0, bars, size=(n, fills)), axis=1).ravel()
    fills_frame = pd.DataFrame(
        {
            "parameter_hash": np.repeat(np.array(hashes, dtype=object), fills),
            "time": times.to_numpy()[fill_bars],
            "side": np.tile([1, -1], n * fills // 2 + 1)[: n * fills],
            "price": rng.normal(100, 5, size=n * fills),
            "volume": 1.0,
            "commission": 0.1,
            "order_id": np.arange(n * fills),
            "bar": fill_bars,
        }
    )
    return table, fills_frame, equity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--combinations", type=int, default=10_000)
    parser.add_argument("--bars", type=int, default=252)
    parser.add_argument("--fills", type=int, default=20)
    parser.add_argument("--keep", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table, fills, equity = synthetic(args.combinations, args.bars, args.fills)
    # pandas' natural form of a repeated key: a categorical (Arrow dictionary), 1 copy of each hash
    fills["parameter_hash"] = fills["parameter_hash"].astype("category")
    equity["parameter_hash"] = equity["parameter_hash"].astype("category")
    times = equity["time"].iloc[: args.bars]
    bars = pd.DataFrame({"time": times.to_numpy()})
    md = market_data_ref(bars, symbol="BENCH", timeframe="1d", path="bench.csv")
    config = StrategyConfig(
        strategy=StrategyRef(name="sma_cross"),
        data=DataBinding(symbol="BENCH", timeframe="1d", path="bench.csv"),
    )
    print(
        f"{args.combinations} combinations x {args.bars} bars ({len(equity):,} equity rows, "
        f"{len(fills):,} fills), top {args.keep} folders"
    )
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory(dir=".") as tmp:
            layout = RunLayout(Path(tmp), "sma_cross", "2020-01-01", "2020-12-31", "BENCH", "1d")
            start = time.perf_counter()
            write_optimization(
                layout,
                table,
                parameter_names=["fast", "slow"],
                fills=fills,
                equity=equity,
                config=config,
                market_data=md,
                keep=args.keep,
            )
            export_s = time.perf_counter() - start
            size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
            files = sum(1 for p in Path(tmp).rglob("*") if p.is_file())
            start = time.perf_counter()
            outcome = validate_tree(tmp)
            validate_s = time.perf_counter() - start
            assert outcome.ok, outcome.problems[:5]
            print(
                f"run {i + 1}: export {export_s:.2f} s ({files} files, {size / 1e6:.1f} MB); "
                f"validate {validate_s:.2f} s"
            )


if __name__ == "__main__":
    main()
