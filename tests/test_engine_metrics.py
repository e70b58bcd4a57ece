"""The engine's metrics (``RunMetrics``) equal :func:`pystocksharp.metrics.compute_metrics` on the same runs.

For C# strategies the optimizer asks the engine for each run's metrics when no capture is kept; these tests pin
that the engine's numbers are Python's: on seeded random parameters of several C# strategies (the catalog's SMA
cross, C# files, a two-time-frame strategy that runs on the portfolio clock), on the GOOG and EURUSD samples and on
seeded synthetic data, including runs with no round trip and with exactly one, every metric agrees to 1e-9
(relative, or absolute near zero) and undefined metrics are undefined on both sides. The engine side is computed
both from its equity tape (no capture: the optimizer's path) and from a captured run.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pystocksharp import bridge
from pystocksharp.backtest import BacktestSettings
from pystocksharp.data import load_sample
from pystocksharp.metrics.models import PerformanceMetrics
from pystocksharp.optimization import _engine_optimizer as eo
from pystocksharp.optimization import optimize
from pystocksharp.optimization.workers import metrics_for
from pystocksharp.resolver import resolve_strategy
from pystocksharp.synthetic import bars_from_log_returns, planted_edge, random_walk

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[1]
SMA = "sma_cross"
EMA_FILE = f"{ROOT / 'strategies' / 'EmaCrossFile.cs'}:EmaCrossFile"
ENHANCED = f"{ROOT / 'strategies' / 'EnhancedSmaCross.cs'}:EnhancedSmaCross"
DAILY_HOURLY = f"{ROOT / 'strategies' / 'DailyTrendHourlyEntry.cs'}:DailyTrendHourlyEntry"
#: PerformanceMetrics' numeric fields the engine does not compute: they need a benchmark (Python-only input).
NOT_IN_ENGINE = {"beta", "alpha"}
REL = ABS = 1e-9


def agree(engine: float | None, python: float | None) -> bool:
    """Equal to 1e-9 relative, or 1e-9 absolute near zero; both undefined counts as equal."""
    if engine is None or python is None:
        return engine is None and python is None
    return math.isclose(engine, python, rel_tol=REL, abs_tol=ABS)


def assert_same_metrics(engine: Mapping[str, float], python: Mapping[str, float | None], label: str) -> None:
    """Same defined metrics (``metrics_for`` leaves undefined ones out) with agreeing values."""
    python = {k: v for k, v in python.items() if k not in NOT_IN_ENGINE}
    assert set(engine) == set(python), f"{label}: defined only in engine {set(engine) - set(python)}, " \
                                       f"only in Python {set(python) - set(engine)}"  # fmt: skip
    bad = {k: (engine[k], python[k]) for k in engine if not agree(engine[k], python[k])}
    assert not bad, f"{label}: engine vs Python {bad}"


def frame_of(data: Any) -> pd.DataFrame:
    return data if isinstance(data, pd.DataFrame) else data.frame


def both_sides(
    spec: str, data: Any, combos: Sequence[Mapping[str, Any]], settings: BacktestSettings
) -> list[tuple[dict[str, float], dict[str, float | None], eo.EngineOutcome]]:
    """Per combination: the engine's metrics without capture, and Python's metrics of the captured run."""
    frame = frame_of(data)
    step = getattr(data, "price_step", 0.01)
    kw: dict[str, Any] = {"symbol": "X", "timeframe": "", "price_step": step, "settings": settings.model_dump()}
    resolved = resolve_strategy(spec)
    names = list(combos[0])
    lean = eo.EngineRun.build(resolved, frame, capture=False, metrics=True, **kw).run(names, combos, 2)
    captured = eo.EngineRun.build(resolved, frame, capture=True, **kw).run(names, combos, 2)
    out = []
    for a, b in zip(lean, captured, strict=True):
        assert a.error is None and b.error is None, (a.error, b.error)
        assert a.fills is None and a.equity is None  # nothing per bar crossed
        assert a.metrics is not None
        out.append((a.metrics, metrics_for(b.equity, b.fills, settings.capital), b))
    return out


def random_combos(rng: random.Random, space: Mapping[str, tuple[float, float]], count: int) -> list[dict[str, Any]]:
    combos = []
    for _ in range(count):
        combo: dict[str, Any] = {}
        for name, (lo, hi) in space.items():
            combo[name] = rng.randint(int(lo), int(hi)) if float(lo).is_integer() and float(hi).is_integer() \
                else round(rng.uniform(lo, hi), 3)  # fmt: skip
        combos.append(combo)
    return combos


SETTINGS = [
    BacktestSettings(capital=10_000),
    BacktestSettings(capital=50_000, commission=0.001, slippage_steps=1),
    BacktestSettings(capital=25_000, commission_per_unit=0.01, fill="close"),
]
CASES: list[tuple[str, Callable[[], Any], dict[str, tuple[float, float]]]] = [
    # (strategy, data maker, parameter space), each run on seeded random parameters
    (SMA, lambda: load_sample("GOOG_1d"), {"fast": (2, 30), "slow": (10, 120)}),
    (SMA, lambda: random_walk(1500, seed=11, freq="1h", vol=0.004), {"fast": (2, 20), "slow": (5, 80)}),
    (EMA_FILE, lambda: planted_edge(900, seed=3), {"fast": (2, 20), "slow": (10, 90)}),
    (ENHANCED, lambda: load_sample("SPX_1d"), {"fast": (3, 25), "slow": (20, 100), "stop_pct": (0.5, 8.0)}),
    (DAILY_HOURLY, lambda: load_sample("EURUSD_1h"), {"daily_length": (2, 15), "hourly_length": (5, 60)}),
]


@pytest.mark.parametrize("case", range(len(CASES)), ids=[f"{c[0].rsplit(':')[-1]}-{i}" for i, c in enumerate(CASES)])
def test_engine_metrics_equal_python_on_random_parameters(case: int) -> None:
    spec, make, space = CASES[case]
    rng = random.Random(1000 + case)
    data = make()
    trips = []
    for settings in SETTINGS:
        combos = random_combos(rng, space, 6)
        for k, (engine, python, _) in enumerate(both_sides(spec, data, combos, settings)):
            assert_same_metrics(engine, python, f"{spec} {combos[k]} {settings}")
            trips.append(engine["round_trips"])
    assert max(trips) >= 2  # trade statistics were exercised, not only the no-trade case


def v_shaped(freq: str = "1h") -> pd.DataFrame:
    """Down 12 bars, up 12, down 12: an SMA(2)/SMA(5) cross buys once and then reverses (one long round trip,
    a short lot left open)."""
    steps = np.concatenate([np.full(12, -0.01), np.full(12, 0.012), np.full(12, -0.011)])
    return bars_from_log_returns(steps, rng=np.random.default_rng(5), freq=freq)


@pytest.mark.parametrize("settings", SETTINGS[:2], ids=["plain", "costs"])
def test_no_trade_and_one_trade_runs(settings: BacktestSettings) -> None:
    data = v_shaped()
    combos = [{"fast": 2, "slow": 5}, {"fast": 3, "slow": 200}]  # one round trip; no fill at all (slow > bars)
    results = both_sides(SMA, data, combos, settings)
    for (engine, python, _), combo in zip(results, combos, strict=True):
        assert_same_metrics(engine, python, f"{combo} {settings}")
    one, none = results[0][0], results[1][0]
    assert one["round_trips"] == 1 and one["long_round_trips"] == 1 and one["short_round_trips"] == 0
    assert "sqn" not in one and "payoff_ratio" not in one  # one trip: undefined on both sides
    assert none["round_trips"] == 0 and none["total_return"] == 0 and none["max_drawdown"] == 0
    assert "win_rate" not in none and "sharpe_ratio" not in none and none["exposure_time"] == 0


def test_engine_covers_every_numeric_metric_but_the_benchmark_ones() -> None:
    numeric = {
        name for name, f in PerformanceMetrics.model_fields.items()
        if any(t in str(f.annotation) for t in ("float", "int")) and name != "schema_version"
    }  # fmt: skip
    assert set(eo.metric_names()) == numeric - NOT_IN_ENGINE
    # the same order as metrics_for's (PerformanceMetrics' field order)
    order = [n for n in PerformanceMetrics.model_fields if n in set(eo.metric_names())]
    assert list(eo.metric_names()) == order


def test_engine_metrics_of_a_captured_run_equal_the_tape_ones() -> None:
    """``RunMetrics`` of a captured single backtest (its per-bar columns) equals the optimizer's tape path."""
    data = load_sample("GOOG_1d")
    settings = BacktestSettings(capital=20_000, commission=0.001)
    combo = {"fast": 7, "slow": 31}
    (tape, python, _), = both_sides(SMA, data, [combo], settings)
    series = bridge.candle_series(data.frame, symbol="X", timeframe="", price_step=data.price_step)
    strategy = bridge.catalog_factory(SMA)()
    bridge.set_parameters(strategy, combo)
    net = bridge.run(strategy, series, bridge.emulation_settings(**settings.model_dump()))
    assert eo.engine_metrics(net) == tape
    assert_same_metrics(tape, python, "captured")


def test_optimize_with_metrics_and_no_captures_gives_the_captured_paths_metrics(tmp_path: Path) -> None:
    """End to end: ``optimize`` ranked by a metric without captures (engine metrics) and with captures
    (Python metrics) record the same metrics, rank the same way and keep the same record fields."""
    grid = ["fast=3:15:4", "slow=20:60:20"]
    kw: dict[str, Any] = {"grid": grid, "rank": "sharpe_ratio:desc", "workers": 2, "commission": 0.001}
    lean = optimize(SMA, str(ROOT / "pystocksharp" / "sample_data" / "GOOG_1d.csv"),
                    out=tmp_path / "lean", keep_fills=False, **kw)  # fmt: skip
    full = optimize(SMA, str(ROOT / "pystocksharp" / "sample_data" / "GOOG_1d.csv"),
                    out=tmp_path / "full", keep_fills=True, **kw)  # fmt: skip
    assert lean.completed == full.completed == 12 and lean.failed == full.failed == 0
    assert not (tmp_path / "lean" / "captures").exists()
    a = lean.table.sort_values("parameter_hash").reset_index(drop=True)
    b = full.table.sort_values("parameter_hash").reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    assert "sharpe_ratio" in a.columns and a["sharpe_ratio"].notna().any()
    for col in a.columns:
        if col == "wall_ms":
            continue
        if pd.api.types.is_float_dtype(a[col]):
            np.testing.assert_allclose(a[col].to_numpy(float), b[col].to_numpy(float), rtol=REL, atol=ABS,
                                       equal_nan=True, err_msg=col)  # fmt: skip
        else:
            assert a[col].tolist() == b[col].tolist(), col
    assert list(lean.top()["parameter_hash"]) == list(full.top()["parameter_hash"])
