"""optimize(): captures equal single backtests, parallel == sequential, failure isolation, resume.

Grids stay small: GOOG_1d has 2148 bars; a Python per-bar run costs ~30 ms.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pystocksharp.backtest import backtest
from pystocksharp.errors import InputError
from pystocksharp.optimization import optimize
from pystocksharp.optimization.checkpoint import RESULTS_FILE, read_results

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[1]
GOOG = str(ROOT / "pystocksharp" / "sample_data" / "GOOG_1d.csv")
FAILING = f"{ROOT / 'tests' / 'optimize_strategies.py'}:FailsOnTen"
FAILS_ON_15 = f"{ROOT / 'tests' / 'csharp' / 'FailsOnFast15.cs'}:FailsOnFast15"
GRID = ["fast=5:15:5", "slow=20:40:10"]  # 3 x 3 = 9 combinations


def result_set(table: pd.DataFrame) -> pd.DataFrame:
    """The run's results without wall times, in hash order (what must not depend on scheduling)."""
    return table.drop(columns=["wall_ms"]).sort_values("parameter_hash").reset_index(drop=True)


@pytest.mark.parametrize("strategy", ["sma_cross", "sma_cross_py"])
def test_captured_fills_and_equity_equal_single_backtests(strategy: str, tmp_path: Path) -> None:
    result = optimize(strategy, GOOG, grid=GRID, workers=2, out=tmp_path / "run", commission=0.001)
    assert result.completed == 9 and result.failed == 0
    for position in (0, 4, 8):  # three sampled combinations
        row = result.table.iloc[position]
        params = {"fast": int(row["fast"]), "slow": int(row["slow"])}
        single = backtest(strategy, GOOG, params=params, commission=0.001)
        h = row["parameter_hash"]
        pd.testing.assert_frame_equal(result.fills(h), single.trades)
        pd.testing.assert_frame_equal(result.equity(h), single.equity)
        assert row["net_profit"] == single.summary.net_profit
        assert row["round_trips"] == single.summary.round_trips
        assert row["max_drawdown"] == single.summary.max_drawdown


@pytest.mark.parametrize("strategy", ["sma_cross", "sma_cross_py"])
def test_parallel_and_sequential_runs_give_identical_result_sets(strategy: str, tmp_path: Path) -> None:
    seq = optimize(strategy, GOOG, grid=GRID, workers=1, out=tmp_path / "seq", keep_fills=False)
    par = optimize(strategy, GOOG, grid=GRID, workers=2, out=tmp_path / "par", keep_fills=False)
    assert seq.completed == par.completed == 9
    pd.testing.assert_frame_equal(result_set(seq.table), result_set(par.table))
    # the net profits are not all equal, so the comparison is not vacuous
    assert seq.table["net_profit"].nunique() > 1


def test_python_combination_that_raises_is_recorded_and_the_rest_complete(tmp_path: Path) -> None:
    result = optimize(FAILING, GOOG, grid=["entry=5:15:5", "hold=10:20:10"], workers=2, out=tmp_path / "run")
    assert (result.total, result.completed, result.failed) == (6, 6, 2)
    failures = result.failures
    assert sorted(failures["hold"]) == [10, 20] and set(failures["entry"]) == {10}
    first = failures.iloc[0]
    assert first["error"] == "ValueError: entry=10 is refused on purpose"
    assert "optimize_strategies.py" in first["traceback"] and "raise ValueError" in first["traceback"]
    ok = result.table[result.table["error"].isna()]
    # every successful run bought once and sold once: one round trip
    assert ok["round_trips"].tolist() == [1, 1, 1, 1]
    assert result.best is not None and result.best["entry"] != 10


def test_csharp_combination_that_throws_is_recorded_with_its_stack_trace(tmp_path: Path) -> None:
    # FailsOnFast15 throws when it starts with fast=15: that combination fails, the others run
    result = optimize(FAILS_ON_15, GOOG, grid=["fast=5:15:5", "slow=20:20:1"], workers=2, out=tmp_path / "run")
    assert (result.completed, result.failed) == (3, 1)
    bad = result.failures.iloc[0]
    assert bad["fast"] == 15
    assert bad["error"] == "InvalidOperationException: fast=15 is refused on purpose"
    # a .NET stack trace (not a Python one) reaching into the optimizer; the frames between
    # may be inlined by the JIT in a Release build, so only the stable ends are asserted
    trace = bad["traceback"]
    assert trace.startswith("System.InvalidOperationException: fast=15 is refused on purpose")
    assert "PyStockSharp.Engine.BruteForceOptimizer" in trace
    assert "Traceback (most recent call last)" not in trace
    ok = result.table[result.table["error"].isna()]
    assert sorted(ok["fast"]) == [5, 10] and ok["traceback"].isna().all()


def test_a_value_the_strategy_refuses_stops_the_run_before_anything_runs(tmp_path: Path) -> None:
    # fast has SetRange(1, 100000): the engine's own SetParameter refuses 0, before any combination runs
    with pytest.raises(InputError) as err:
        optimize("sma_cross", GOOG, grid=["fast=0:10:5", "slow=20:20:1"], workers=2, out=tmp_path / "run")
    assert [str(p) for p in err.value.problems] == [
        "field 'fast': grid values the strategy refuses: 0: value 0 outside the allowed range [1, 100000]"
    ]
    assert not (tmp_path / "run").exists()


def test_resume_skips_done_combinations_and_refuses_a_different_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    full = optimize("sma_cross", GOOG, grid=GRID, out=tmp_path / "full", keep_fills=False)
    optimize("sma_cross", GOOG, grid=GRID, out=out, keep_fills=False)
    with pytest.raises(InputError):  # a different grid in the same directory
        optimize(
            "sma_cross", GOOG, grid=["fast=5:10:5", "slow=20:40:10"], out=out, resume=True, keep_fills=False
        )
    with pytest.raises(InputError):  # an existing run directory without resume
        optimize("sma_cross", GOOG, grid=GRID, out=out, keep_fills=False)
    # drop the last 4 records (as if the run had stopped), then resume
    path = out / RESULTS_FILE
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:5]))
    seen: list[str] = []
    resumed = optimize(
        "sma_cross",
        GOOG,
        grid=GRID,
        out=out,
        resume=True,
        keep_fills=False,
        on_result=lambda r: seen.append(r.parameter_hash),
    )
    assert len(seen) == 4
    assert len(read_results(path).records) == 9 == len(path.read_text().splitlines())
    pd.testing.assert_frame_equal(result_set(resumed.table), result_set(full.table))


def test_ranking_filters_and_progress_callbacks(tmp_path: Path) -> None:
    updates = []
    result = optimize(
        "sma_cross", GOOG, grid=GRID, out=tmp_path / "run", rank=["round_trips:asc", "net_profit:desc"],
        filters=["round_trips >= 20"], progress=updates.append, keep_fills=False,
    )  # fmt: skip
    assert [u.done for u in updates] == list(range(0, 10))
    assert updates[-1].total == 9 and updates[-1].eta_s == 0.0
    ranked = result.ranked()
    table = result.table
    expected = table[table["round_trips"] >= 20].sort_values(
        ["round_trips", "net_profit"], ascending=[True, False], kind="mergesort"
    )
    assert ranked["parameter_hash"].tolist() == expected["parameter_hash"].tolist()
    assert result.best["parameter_hash"] == expected["parameter_hash"].iloc[0]
    with pytest.raises(InputError) as info:
        optimize(
            "sma_cross", GOOG, grid=GRID, out=tmp_path / "bad", rank="sharpe:desc", keep_fills=False
        ).ranked()
    # rejected before any combination ran (nothing recorded), with the close match
    assert "unknown metric 'sharpe' (did you mean 'sharpe_ratio'?)" in str(info.value)
    assert not (tmp_path / "bad" / "results.jsonl").exists()


def test_a_class_worker_processes_cannot_import_runs_in_this_process_with_a_warning(tmp_path: Path) -> None:
    # a class defined in a function (as in a notebook cell) cannot reach spawned workers: no silent 0/N
    from pystocksharp.strategy import Candle, Param, Strategy

    class BreakoutLocal(Strategy):
        lookback = Param(10, min=2)

        def on_candle(self, candle: Candle) -> None:
            i = candle.index
            if i < self.lookback:
                return
            high = self.arrays.high[i - self.lookback : i].max()
            if candle.close > high and self.position <= 0:
                self.buy_market(1)
            elif candle.close < self.arrays.low[i - self.lookback : i].min() and self.position > 0:
                self.sell_market(1)

    with pytest.warns(RuntimeWarning, match="worker processes cannot import it"):
        result = optimize(BreakoutLocal, GOOG, grid=["lookback=5:25:10"], workers=2, out=tmp_path / "run")
    assert (result.total, result.completed, result.failed) == (3, 3, 0)
    for _, row in result.table.iterrows():
        single = backtest(BreakoutLocal, GOOG, params={"lookback": int(row["lookback"])})
        assert row["net_profit"] == single.summary.net_profit and row["fill_count"] == single.summary.fills
    assert result.table["net_profit"].nunique() > 1


def test_a_full_disk_stops_the_run_and_resume_retries_what_it_hit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "No space left on device" used to mark combinations failed for good: --resume never ran them again
    import errno

    from pystocksharp.optimization.checkpoint import CaptureStore

    clean = optimize("sma_cross", GOOG, grid=GRID, workers=1, out=tmp_path / "clean", keep_fills=True)
    real_write = CaptureStore.write
    calls = {"n": 0}

    def full_disk(self: CaptureStore, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.root))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(CaptureStore, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        optimize("sma_cross", GOOG, grid=GRID, workers=1, out=tmp_path / "run", keep_fills=True)
    recorded = read_results(tmp_path / "run" / RESULTS_FILE).records
    assert len(recorded) == 3 and all(r.ok for r in recorded)  # what finished before the disk filled
    monkeypatch.setattr(CaptureStore, "write", real_write)
    resumed = optimize("sma_cross", GOOG, grid=GRID, workers=1, out=tmp_path / "run", resume=True, keep_fills=True)
    assert (resumed.completed, resumed.failed) == (9, 0)
    pd.testing.assert_frame_equal(result_set(resumed.table), result_set(clean.table))
