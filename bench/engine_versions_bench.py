"""Two engine builds side by side (not a test): single-series C# bars/s of a baseline build vs this one.

Each round runs every case in a fresh process per build, alternating baseline / current, so both see the same
machine load; the figure per build is the best over rounds. Cases, on seeded synthetic 1-minute bars
(``synthetic.random_walk``, seed 7), commission 0.1 %, after one warm-up run:

* ``sma_cross`` (C#, fast 10 / slow 20), per-bar capture (what ``backtest`` does);
* the same without per-bar capture (what the optimizer does for ranking);
* ``strategies/stocksharp/EmaCrossStrategy.cs`` (StockSharp's API on the layer);
* ``strategies/stocksharp/HighLowStopStrategy.cs`` (stop orders cancelled and re-placed every bar), on a twentieth
  of the bars: before the split, cancelling an order scanned every order of the run (quadratic).

Make a baseline build with ``git worktree add /tmp/base <commit> && (cd /tmp/base && ./scripts/setup.sh)`` or copy
``pystocksharp/_engine`` before a change. Usage::

    .venv/bin/python bench/engine_versions_bench.py --baseline /tmp/engine-v1 [--bars 1000000] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = [  # label, strategy, parameters, capture, share of --bars
    ("sma_cross (C#), per-bar capture", "sma_cross", {"fast": 10, "slow": 20, "volume": 1}, True, 1),
    ("sma_cross (C#), summary only (optimizer)", "sma_cross", {"fast": 10, "slow": 20, "volume": 1}, False, 1),
    ("EMA cross, StockSharp API C#", str(ROOT / "strategies/stocksharp/EmaCrossStrategy.cs"), {"FastLength": 10, "SlowLength": 30}, True, 1),
    ("high/low stop entries, StockSharp API C# (1/20 of the bars)", str(ROOT / "strategies/stocksharp/HighLowStopStrategy.cs"), {}, True, 20),
]  # fmt: skip


def measure(bars: int, repeat: int) -> list[dict[str, Any]]:
    """In this process (its engine from $PYSTOCKSHARP_ENGINE_DIR): best bars/s of each case."""
    from pystocksharp import bridge
    from pystocksharp.resolver import resolve_strategy
    from pystocksharp.synthetic import random_walk

    frame = random_walk(bars, seed=7, freq="1min")

    def series_of(n: int) -> Any:
        part = frame.iloc[:n]
        cols = [part[c].to_numpy(dtype="float64") for c in ("open", "high", "low", "close", "volume")]
        return bridge.candle_series_from_arrays(part.index.as_unit("ns").asi8, *cols, symbol="SYN", timeframe="1m")

    settings = bridge.emulation_settings(capital=1e9, commission=0.001, commission_per_unit=0.0, min_commission=0.0,
                                         slippage=0.0, slippage_steps=0.0, fill="next-open", leverage=1.0)  # fmt: skip
    engine = bridge.engine_namespace()
    rows = []
    for label, spec, params, capture, share in CASES:
        resolved = resolve_strategy(spec)
        n = bars // share
        series = series_of(n)

        def run(resolved: Any = resolved, params: dict[str, Any] = params, capture: bool = capture, series: Any = series) -> Any:
            strategy = resolved.new()
            bridge.set_parameters(strategy, params)
            return engine.BacktestEngine.Run(bridge.engine_strategy(strategy), series, settings, capture)

        run()
        walls = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = run()
            walls.append(time.perf_counter() - t0)
        rows.append({"what": label, "bars": n, "bars_per_s": n / min(walls), "fills": int(result.FillCount),
                     "net_profit": float(result.NetProfit)})  # fmt: skip
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", required=True, help="folder of the baseline engine build (a copy of pystocksharp/_engine)")
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(measure(args.bars, args.repeat)))
        return
    builds = {"baseline": str(Path(args.baseline).resolve()), "current": str(ROOT / "pystocksharp" / "_engine")}
    load_before = os.getloadavg()
    best: dict[str, dict[str, dict[str, Any]]] = {b: {} for b in builds}
    for _ in range(args.rounds):
        for build, folder in builds.items():
            env = {**os.environ, "PYSTOCKSHARP_ENGINE_DIR": folder}
            out = subprocess.run([sys.executable, __file__, "--worker", "--baseline", folder, "--bars", str(args.bars),
                                  "--repeat", str(args.repeat)], env=env, check=True, capture_output=True, text=True)  # fmt: skip
            for row in json.loads(out.stdout.strip().splitlines()[-1]):
                kept = best[build].get(row["what"])
                if kept is None or row["bars_per_s"] > kept["bars_per_s"]:
                    best[build][row["what"]] = row
    info = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "bars": args.bars,
        "rows": [{"what": label, **{b: best[b][label] for b in builds}} for label, *_ in CASES],
    }
    if args.json:
        print(json.dumps(info, indent=2))
        return
    print(f"{info['machine']}; {info['date_utc']} UTC; load before {load_before}, after {info['load_average_after']}")
    print(f"{'what':44} {'baseline bars/s':>16} {'current bars/s':>16} {'ratio':>6} {'same result':>12}")
    for row in info["rows"]:
        b, c = row["baseline"], row["current"]
        same = b["fills"] == c["fills"] and b["net_profit"] == c["net_profit"]
        print(f"{row['what']:44} {b['bars_per_s']:>16,.0f} {c['bars_per_s']:>16,.0f} {c['bars_per_s'] / b['bars_per_s']:>6.2f} {str(same):>12}")


if __name__ == "__main__":
    main()
