"""Several instruments in one strategy (not a test): bars/s of ``strategies/MultiSmaCross.cs`` on one series vs on
N series at once (one clock), and the built-in ``sma_cross`` on one series for reference, in one run.

Seeded synthetic 1-minute random walks (``synthetic.random_walk``, seed 7 + k), ``--bars`` per series, fast 10 /
slow 20, volume 1, commission 0.1 %, capital 1e9; the engine run alone (per-bar capture included), best of
``--repeat`` after a warm-up. bars/s counts every series' bars. Usage::

    .venv/bin/python bench/portfolio_bench.py [--symbols 10] [--bars 200000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from pystocksharp import bridge
from pystocksharp.resolver import resolve_strategy
from pystocksharp.synthetic import random_walk

ROOT = Path(__file__).resolve().parents[1]
PARAMS = {"fast": 10, "slow": 20, "volume": 1}


def series(k: int, bars: int) -> Any:
    frame = random_walk(bars, seed=7 + k, freq="1min")
    cols = [frame[c].to_numpy(dtype="float64") for c in ("open", "high", "low", "close", "volume")]
    return bridge.candle_series_from_arrays(frame.index.as_unit("ns").asi8, *cols, symbol=f"S{k}", timeframe="1m")


def best_wall(run: Any, repeat: int) -> tuple[float, Any]:
    run()
    walls, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run()
        walls.append(time.perf_counter() - t0)
    return min(walls), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--symbols", type=int, default=10)
    ap.add_argument("--bars", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    load_before = os.getloadavg()
    settings = bridge.emulation_settings(capital=1e9, commission=0.001, commission_per_unit=0.0, min_commission=0.0,
                                         slippage=0.0, slippage_steps=0.0, fill="next-open", leverage=1.0)  # fmt: skip
    all_series = [series(k, args.bars) for k in range(args.symbols)]
    multi = resolve_strategy(str(ROOT / "strategies/MultiSmaCross.cs"))
    single = resolve_strategy("sma_cross")

    def run(resolved: Any, listed: list[Any]) -> Any:
        strategy = resolved.new()
        bridge.set_parameters(strategy, PARAMS)
        return bridge.run_series(strategy, listed, settings)

    rows = []
    for label, resolved, listed in (
        ("sma_cross (built-in), 1 series", single, all_series[:1]),
        ("MultiSmaCross.cs, 1 series", multi, all_series[:1]),
        (f"MultiSmaCross.cs, {args.symbols} series on one clock", multi, all_series),
    ):
        wall, result = best_wall(lambda resolved=resolved, listed=listed: run(resolved, listed), args.repeat)
        bars = args.bars * len(listed)
        rows.append({"what": label, "bars": bars, "wall_s": round(wall, 4), "bars_per_s": round(bars / wall),
                     "fills": int(result.FillCount)})  # fmt: skip
    info = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "rows": rows,
    }
    if args.json:
        print(json.dumps(info, indent=2))
        return
    print(f"{info['machine']}; {info['date_utc']} UTC; load before {load_before}, after {info['load_average_after']}")
    print(f"{'what':44} {'bars':>10} {'wall s':>8} {'bars/s':>12} {'fills':>8}")
    for r in rows:
        print(f"{r['what']:44} {r['bars']:>10,} {r['wall_s']:>8.3f} {r['bars_per_s']:>12,} {r['fills']:>8,}")


if __name__ == "__main__":
    main()
