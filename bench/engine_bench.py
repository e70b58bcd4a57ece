"""Engine benchmark (not a test): bars/s of one backtest, C# vs Python strategies vs backtrader.

On seeded synthetic 1-minute bars (``pystocksharp.synthetic.random_walk``, seed 7):

* ``sma_cross`` (C#) and ``sma_cross_py`` (Python, one .NET -> Python call per bar) and
  ``sma_cross_vec`` (vectorized, one engine call) on 1,000,000 bars: the engine run alone
  (``BacktestEngine.Run`` on a ready ``CandleSeries``) and ``pystocksharp.backtest()`` end to end
  (candles in, run, results out as pandas through Arrow);
* backtrader (``runonce``, same SMA reversal rule) on 200,000 bars;
* the bridge: candles in (``CandleSeries.FromPointers``) and results out (Arrow C Data).

fast=10, slow=20, volume 1, commission 0.1 %. Best of ``--repeat`` runs. Usage::

    .venv/bin/python bench/engine_bench.py [--bars 1000000] [--bt-bars 200000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from collections.abc import Callable
from typing import Any

from pystocksharp import bridge
from pystocksharp.backtest import backtest
from pystocksharp.data import load_ohlcv
from pystocksharp.resolver import resolve_strategy
from pystocksharp.synthetic import random_walk

PARAMS = {"fast": 10, "slow": 20, "volume": 1}
SEED = 7


def best(fn: Callable[[], Any], repeat: int) -> tuple[tuple[float, float], Any]:
    """Smallest (wall, process CPU) seconds of ``repeat`` calls and the last result.

    On a shared machine the CPU time of this process is the steadier figure."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return (min(walls), min(cpus)), out


def engine_run(name: str, series: Any, settings: Any) -> Any:
    strategy = resolve_strategy(name).new()
    bridge.set_parameters(strategy, PARAMS)
    return bridge.run(strategy, series, settings)


def crossing_run(series: Any, settings: Any, *, candles: bool) -> Any:
    """A Python strategy doing nothing: the cost of the .NET -> Python call per bar (and of the Candle)."""
    from pystocksharp.strategy import Strategy

    class EmptyBar(Strategy):
        def on_bar(self, index: int) -> None:
            pass

    class EmptyCandle(Strategy):
        def on_candle(self, candle: Any) -> None:
            pass

    return bridge.run((EmptyCandle if candles else EmptyBar)(), series, settings)


def backtrader_run(frame: Any) -> int:
    import backtrader as bt

    class Cross(bt.Strategy):
        def __init__(self) -> None:
            self.fast = bt.indicators.SMA(self.data.close, period=PARAMS["fast"])
            self.slow = bt.indicators.SMA(self.data.close, period=PARAMS["slow"])
            self.fills = 0

        def next(self) -> None:
            pf, ps, f, s = self.fast[-1], self.slow[-1], self.fast[0], self.slow[0]
            if math.isnan(pf) or math.isnan(ps):
                return
            pos = self.position.size
            if pf <= ps and f > s and pos <= 0:
                self.buy(size=PARAMS["volume"] - pos)
            elif pf >= ps and f < s and pos >= 0:
                self.sell(size=PARAMS["volume"] + pos)

        def notify_order(self, order: Any) -> None:
            if order.status == order.Completed:
                self.fills += 1

    cerebro = bt.Cerebro(stdstats=False)
    feed = frame.copy()
    feed.index = feed.index.tz_localize(None)
    cerebro.adddata(bt.feeds.PandasData(dataname=feed, openinterest=None))
    cerebro.addstrategy(Cross)
    cerebro.broker.setcash(1e9)
    cerebro.broker.setcommission(commission=0.001, percabs=True)
    [strategy] = cerebro.run()
    return strategy.fills


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--bt-bars", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    info = bridge.engine_info()
    data = load_ohlcv(random_walk(args.bars, seed=SEED), symbol="SYN", timeframe="1m")
    frame = data.frame
    settings = bridge.emulation_settings(
        capital=1e9,
        commission=0.001,
        commission_per_unit=0,
        min_commission=0,
        slippage=0,
        slippage_steps=0,
        fill="next-open",
        leverage=1,
    )
    rows: list[dict[str, Any]] = []

    def add(what: str, bars: int, seconds: tuple[float, float], fills: int) -> None:
        wall, cpu = seconds
        rows.append(
            {
                "what": what,
                "bars": bars,
                "seconds": round(wall, 4),
                "bars_per_s": round(bars / wall),
                "cpu_seconds": round(cpu, 4),
                "bars_per_cpu_s": round(bars / max(cpu, 1e-9)),
                "fills": fills,
            }
        )

    t_in, series = best(lambda: bridge.candle_series(frame, symbol="SYN", timeframe="1m"), args.repeat)
    add("bridge: candles in (FromPointers)", args.bars, t_in, 0)
    engine_run("sma_cross", series, settings)  # warm-up (JIT)
    t, res = best(lambda: engine_run("sma_cross", series, settings), args.repeat)
    add("sma_cross (C#), engine run", args.bars, t, int(res.FillCount))
    fills_cs = int(res.FillCount)
    t_out, _ = best(lambda: bridge.result_batches(res), args.repeat)
    add("bridge: results out (Arrow C Data)", args.bars, t_out, fills_cs)
    t, _ = best(lambda: crossing_run(series, settings, candles=False), max(1, args.repeat - 1))
    add("Python on_bar(i) doing nothing (calls/s)", args.bars, t, 0)
    t, _ = best(lambda: crossing_run(series, settings, candles=True), max(1, args.repeat - 1))
    add("Python on_candle(Candle) doing nothing (calls/s)", args.bars, t, 0)
    t, res = best(lambda: engine_run("sma_cross_py", series, settings), max(1, args.repeat - 1))
    add("sma_cross_py (Python), engine run", args.bars, t, int(res.FillCount))
    kw = {"params": PARAMS, "capital": 1e9, "commission": 0.001}
    t, r = best(lambda: backtest("sma_cross", data, **kw), args.repeat)
    add("sma_cross (C#), backtest() end to end", args.bars, t, r.summary.fills)
    t, r = best(lambda: backtest("sma_cross_py", data, **kw), max(1, args.repeat - 1))
    add("sma_cross_py (Python), backtest() end to end", args.bars, t, r.summary.fills)
    t, r = best(lambda: backtest("sma_cross_vec", data, **kw), max(1, args.repeat - 1))
    add("sma_cross_vec (vectorized), backtest() end to end", args.bars, t, r.summary.fills)
    bt_frame = frame.iloc[: args.bt_bars]
    t, fills = best(lambda: backtrader_run(bt_frame), 1)
    add("backtrader (same rule)", len(bt_frame), t, fills)

    if args.json:
        machine = platform.processor() or platform.machine()
        print(
            json.dumps(
                {"engine": info.model_dump(), "machine": machine, "load_before": load_before, "rows": rows},
                indent=2,
            )
        )
        return
    print(
        f"engine {info.engine_version} on {info.dotnet_runtime}, python {info.python}, pythonnet {info.pythonnet}"
    )
    print(f"load average before: {load_before}")
    print(
        f"{'what':<52} {'bars':>10} {'wall s':>8} {'bars/s':>12} {'CPU s':>8} {'bars/CPU s':>12} {'fills':>7}"
    )
    for r in rows:
        print(
            f"{r['what']:<52} {r['bars']:>10,} {r['seconds']:>8.3f} {r['bars_per_s']:>12,} "
            f"{r['cpu_seconds']:>8.3f} {r['bars_per_cpu_s']:>12,} {r['fills']:>7,}"
        )
    [py] = [r for r in rows if r["what"].startswith("sma_cross_py (Python), engine")]
    [cs] = [r for r in rows if r["what"].startswith("sma_cross (C#), engine")]
    print(
        f"goals: C# >= 10,000,000 bars/s: {cs['bars_per_s']:,} (CPU {cs['bars_per_cpu_s']:,}); "
        f"Python >= 100,000 bars/s: {py['bars_per_s']:,} (CPU {py['bars_per_cpu_s']:,})"
    )


if __name__ == "__main__":
    main()
