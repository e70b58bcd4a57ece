"""Strategy-toolkit benchmark (not a test): vectorized Python vs the C# strategy, enhanced bases, indicators.

On seeded synthetic 1-minute bars (``pystocksharp.synthetic.random_walk``, seed 7), the SMA reversal
crossover (fast=10, slow=20, volume 1, commission 0.1 %), on a ready ``CandleSeries``:

* ``sma_cross`` (C#, ``BacktestEngine.Run``);
* ``sma_cross_vec`` (vectorized Python): ``signals(data)`` (two bulk SMA calls + numpy) plus
  ``BacktestEngine.RunTargets`` — the goal is within 3x of the C# strategy's bars/s;
* the same rule on ``EnhancedStrategy`` with ``SubscribeCandles().Bind`` in C# (events subscribed:
  PerformanceUpdated and TradeExecuted in C#) and in Python (``bind`` handler per bar);
* ``pystocksharp.indicators``: every indicator on the whole series (one .NET call each).

Best of ``--repeat`` runs; wall and process-CPU seconds. Usage::

    .venv/bin/python bench/strategy_bench.py [--bars 1000000] [--py-bars 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from pystocksharp import bridge
from pystocksharp import indicators as ta
from pystocksharp.backtest import BacktestSettings
from pystocksharp.resolver import load_python_module, resolve_strategy
from pystocksharp.synthetic import random_walk

ROOT = Path(__file__).resolve().parents[1]
PARAMS = {"fast": 10, "slow": 20, "volume": 1}

CS_ENHANCED = """
using PyStockSharp.Engine;
using PyStockSharp.Engine.Indicators;
public sealed class BoundCross : EnhancedStrategy
{
    private double _pf = double.NaN, _ps = double.NaN;
    public int Events;
    public BoundCross() { PerformanceUpdated += _ => Events++; TradeExecuted += _ => Events++; }
    public override void OnStarted()
    {
        _pf = _ps = double.NaN;
        SubscribeCandles().Bind(new SimpleMovingAverage(10), new SimpleMovingAverage(20), OnProcess);
    }
    private void OnProcess(Candle c, double f, double s)
    {
        if (!double.IsNaN(_pf))
        {
            if (_pf <= _ps && f > s && Position <= 0) BuyMarket(1 - Position);
            else if (_pf >= _ps && f < s && Position >= 0) SellMarket(1 + Position);
        }
        _pf = f; _ps = s;
    }
}
"""


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), out


def py_enhanced_class() -> type:
    from pystocksharp.enhanced import EnhancedStrategy, Indicators

    class PyBoundCross(EnhancedStrategy):
        def on_started(self) -> None:
            self.prev = (np.nan, np.nan)
            self.subscribe_candles().bind(
                Indicators.SimpleMovingAverage(10), Indicators.SimpleMovingAverage(20), self.on_values
            )

        def on_values(self, candle: Any, f: float, s: float) -> None:
            pf, ps = self.prev
            self.prev = (f, s)
            if pf <= ps and f > s and self.position <= 0:
                self.buy_market(1 - self.position)
            elif pf >= ps and f < s and self.position >= 0:
                self.sell_market(1 + self.position)

    return PyBoundCross


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--py-bars", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    frame = random_walk(args.bars, seed=7)
    series = bridge.candle_series(frame, symbol="SYN", timeframe="1m")
    settings = bridge.emulation_settings(**BacktestSettings(capital=1e9, commission=0.001).model_dump())
    rows: list[tuple[str, int, float, float, int]] = []

    def add(what: str, bars: int, wall: float, cpu: float, fills: int) -> None:
        rows.append((what, bars, wall, cpu, fills))

    def cs_run() -> Any:
        s = resolve_strategy("sma_cross").new()
        bridge.set_parameters(s, PARAMS)
        return bridge.run(s, series, settings)

    cs_run()  # JIT warm-up
    w, c, r = best(cs_run, args.repeat)
    add("sma_cross (C#), engine run", args.bars, w, c, int(r.FillCount))
    cs_fills = int(r.FillCount)

    vec = load_python_module(ROOT / "strategies" / "sma_cross_py.py").SmaCrossVectorized(**PARAMS)

    def vec_run() -> Any:
        return bridge.run_targets(series, vec.targets(frame), settings)

    w, c, r = best(vec_run, args.repeat)
    add("sma_cross_vec (vectorized): signals + RunTargets", args.bars, w, c, int(r.FillCount))
    assert int(r.FillCount) == cs_fills, "vectorized and C# fills differ"

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "BoundCross.cs"
        src.write_text(CS_ENHANCED, encoding="utf-8")
        factory = bridge.compile_csharp_strategy(src, "BoundCross", Path(tmp) / "cache")
        w, c, r = best(lambda: bridge.run(factory(), series, settings), args.repeat)
        add("EnhancedStrategy + Bind + 2 events (C#)", args.bars, w, c, int(r.FillCount))

    py_series = bridge.candle_series(frame.iloc[: args.py_bars], symbol="SYN", timeframe="1m")
    cls = py_enhanced_class()
    w, c, r = best(lambda: bridge.run(cls(), py_series, settings), max(1, args.repeat - 1))
    add("EnhancedStrategy + bind handler (Python)", args.py_bars, w, c, int(r.FillCount))

    h, lo, cl, v = (frame[k].to_numpy() for k in ("high", "low", "close", "volume"))
    t = frame.index.as_unit("ns").asi8

    def all_indicators() -> None:
        for fn in (ta.sma, ta.ema, ta.wma, ta.rsi, ta.roc, ta.highest, ta.lowest):
            fn(cl, 14)
        ta.bollinger(cl, 20)
        ta.macd(cl)
        ta.atr(h, lo, cl)
        ta.stochastic(h, lo, cl)
        ta.donchian(h, lo)
        ta.adx(h, lo, cl)
        ta.cci(h, lo, cl)
        ta.vwap(t, h, lo, cl, v)
        ta.obv(cl, v)

    w, c, _ = best(all_indicators, args.repeat)
    add("indicators: all 16 on the series (bars x 16 / s)", args.bars * 16, w, c, 0)

    info = bridge.engine_info()
    print(f"engine {info.engine_version} on {info.dotnet_runtime}, python {sys.version.split()[0]}")
    print(f"load average before: {os.getloadavg()}")
    print(
        f"{'what':<52} {'bars':>10} {'wall s':>8} {'bars/s':>12} {'CPU s':>8} {'bars/CPU s':>12} {'fills':>7}"
    )
    for what, bars, wall, cpu, fills in rows:
        print(
            f"{what:<52} {bars:>10,} {wall:>8.3f} {bars / wall:>12,.0f} {cpu:>8.3f} "
            f"{bars / max(cpu, 1e-9):>12,.0f} {fills:>7,}"
        )
    cs_row, vec_row = rows[0], rows[1]
    print(
        f"vectorized / C#: wall {cs_row[2] / vec_row[2]:.2f}x, CPU {cs_row[3] / vec_row[3]:.2f}x the C# bars/s "
        "(goal: >= 0.33x)"
    )


if __name__ == "__main__":
    main()
