"""Huge runs: the best combinations and the counts kept online (``tally.json``), and captures only for the
combinations asked for (run again after the grid)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp.backtest import backtest
from pystocksharp.cli import main
from pystocksharp.data import sample_path
from pystocksharp.optimization import OptimizationResult, optimize
from pystocksharp.optimization import leaders as leaders_module
from pystocksharp.optimization.checkpoint import RESULTS_FILE, records_frame
from pystocksharp.optimization.leaders import TALLY_FILE
from pystocksharp.optimization.ranking import rank_table

pytestmark = pytest.mark.engine

GOOG = str(sample_path("GOOG_1d"))
GRID = ["fast=1:29:2", "slow=10:60:5"]  # 15 x 11 = 165 combinations
FAILS_ON_15 = f"{Path(__file__).resolve().parent / 'csharp' / 'FailsOnFast15.cs'}:FailsOnFast15"
RANK = ["round_trips:desc", "net_profit:asc"]
FILTERS = ["max_drawdown > -0.2"]


@pytest.fixture(scope="module")
def folded(tmp_path_factory: pytest.TempPathFactory) -> OptimizationResult:
    """A run whose leaders were folded many times: 7 kept, a fold every 4 records (monkeypatched for the module)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(leaders_module, "LEADERS_KEPT", 7)
    patch.setattr(leaders_module, "FOLD_EVERY", 4)
    try:
        return optimize(FAILS_ON_15, GOOG, grid=GRID, rank=RANK, filters=FILTERS, workers=2,
                        out=tmp_path_factory.mktemp("folded") / "run")  # fmt: skip
    finally:
        patch.undo()


def test_the_leaders_kept_online_are_the_head_of_the_full_ranking(folded: OptimizationResult) -> None:
    tally = folded.tally
    assert tally is not None and len(tally.leaders) == 7
    full = rank_table(folded.table, RANK, FILTERS)  # every record read from the log
    assert [r.parameter_hash for r in tally.leaders] == full["parameter_hash"].head(7).tolist()
    top = folded.top(5)  # answered from the tally
    assert top[["error", "traceback"]].isna().all().all()  # successes only (None here, NaN in the full table)
    errors = ["error", "traceback"]
    pd.testing.assert_frame_equal(top.drop(columns=errors).reset_index(drop=True),
                                  full.head(5).drop(columns=errors).reset_index(drop=True), check_dtype=False)  # fmt: skip
    assert folded.best["parameter_hash"] == full["parameter_hash"].iloc[0]


def test_the_counts_kept_online_equal_the_log(folded: OptimizationResult) -> None:
    tally = folded.tally
    records = folded.records
    failed = sorted((r for r in records if not r.ok), key=lambda r: r.index)
    assert (
        (tally.completed, tally.failed) == (len(records), len(failed)) == (165, 11)
    )  # fast=15 never ran (11 slows)
    assert tally.first_error == failed[0].error == "InvalidOperationException: fast=15 is refused on purpose"
    assert tally.passing == len(rank_table(folded.table, RANK, FILTERS))
    assert tally.metric_names == list(dict.fromkeys(m for r in records for m in r.metrics))


def test_a_stale_tally_is_not_used(folded: OptimizationResult, tmp_path: Path) -> None:
    other_rank = OptimizationResult(folded.out, rank=folded.rank[:1], filters=folded.filters)
    assert other_rank.tally is None  # written for another ranking
    assert (
        other_rank.top(3)["parameter_hash"].tolist()
        == rank_table(folded.table, RANK[:1], FILTERS)["parameter_hash"].head(3).tolist()
    )
    copy = tmp_path / "run"
    copy.mkdir()
    for name in ("run.json", RESULTS_FILE, TALLY_FILE):
        (copy / name).write_bytes((folded.out / name).read_bytes())
    with (copy / RESULTS_FILE).open("ab") as log:  # a record appended after the tally was written
        first = json.loads((folded.out / RESULTS_FILE).read_text(encoding="utf-8").splitlines()[0])
        log.write(
            json.dumps({**first, "parameter_hash": "sha256:" + "0" * 64, "index": 10_000}).encode() + b"\n"
        )
    appended = OptimizationResult(copy, rank=folded.rank, filters=folded.filters)
    assert appended.tally is None and appended.completed == 166


def test_a_run_without_captures_runs_a_combination_again_when_its_fills_are_asked_for(tmp_path: Path) -> None:
    result = optimize("sma_cross", GOOG, grid=["fast=5:15:5", "slow=20:40:10"], workers=2, out=tmp_path / "run",
                      commission=0.001)  # fmt: skip
    captures = tmp_path / "run" / "captures"
    assert not any(captures.rglob("*.fills.parquet"))  # the grid ran without captures
    row = result.table.iloc[4]
    single = backtest(
        "sma_cross", GOOG, params={"fast": int(row["fast"]), "slow": int(row["slow"])}, commission=0.001
    )
    pd.testing.assert_frame_equal(result.fills(row["parameter_hash"]), single.trades)
    pd.testing.assert_frame_equal(result.equity(row["parameter_hash"]), single.equity)
    assert len(list(captures.rglob("*.fills.parquet"))) == 1  # only the one asked for
    reopened = OptimizationResult(tmp_path / "run")  # the data is read again from the run's file
    other = result.table.iloc[0]["parameter_hash"]
    assert reopened.capture([other, row["parameter_hash"]]) == [other]  # the second one is stored already


def test_the_export_keeps_captures_of_the_kept_combinations_only_unless_all_fills(tmp_path: Path) -> None:
    grid = ["--grid", "fast=5:15:5", "--grid", "slow=20:40:10"]

    def exported(*extra: str) -> pd.DataFrame:
        out = tmp_path / ("all" if extra else "kept")
        res = CliRunner().invoke(main, ["optimize", "-s", "sma_cross", "-d", GOOG, *grid, "--keep", "2", "--out", str(out),
                                        "--no-report", "--json", "--no-progress", *extra])  # fmt: skip
        assert res.exit_code == 0, res.output
        run_dir = Path(json.loads(res.output)["run_dir"])
        return pd.read_parquet(run_dir / "optimization" / "fills"), run_dir

    kept_fills, run_dir = exported()
    every_fills, _ = exported("--all-fills")
    ranked = pd.read_parquet(run_dir / "optimization" / "optimization-results.parquet")
    assert set(kept_fills["parameter_hash"].astype(str)) == set(ranked["parameter_hash"].head(2))
    assert set(every_fills["parameter_hash"].astype(str)) == set(ranked["parameter_hash"])
    both = every_fills[every_fills["parameter_hash"].astype(str).isin(ranked["parameter_hash"].head(2))]
    pd.testing.assert_frame_equal(_sorted(kept_fills), _sorted(both))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(parameter_hash=frame["parameter_hash"].astype(str)).drop(columns=["hash_bucket"])
    return frame.sort_values(["parameter_hash", "time"], kind="stable").reset_index(drop=True)


def test_records_frame_takes_records_or_their_json(folded: OptimizationResult) -> None:
    records = folded.records[:20]
    from_models = records_frame(records, folded.parameter_names)
    from_json = records_frame([json.loads(r.model_dump_json()) for r in records], folded.parameter_names)
    pd.testing.assert_frame_equal(from_models, from_json)
