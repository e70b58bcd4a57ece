"""``optimize`` checks its input before any combination runs, and a run where everything failed fails."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.data import sample_path

GOOG = str(sample_path("GOOG_1d"))


def _optimize(tmp_path: Path, *args: str) -> tuple[int, str]:
    out = CliRunner().invoke(main, ["optimize", "-s", "sma_cross", "-d", GOOG, "--out", str(tmp_path / "run"), "--no-report", *args])
    return out.exit_code, out.output


def test_a_misspelled_grid_name_and_rank_metric_are_rejected_before_anything_runs(tmp_path: Path) -> None:
    code, output = _optimize(tmp_path, "--grid", "fsat=5:10:5", "--grid", "slow=20:30:10", "--rank", "sharpe_ration:desc",
                             "--filter", "round_trip >= 3", "--json")  # fmt: skip
    assert code == 2
    problems = json.loads(output)["problems"]
    assert any("unknown parameter 'fsat' (did you mean 'fast'?)" in p for p in problems)
    assert any("unknown metric 'sharpe_ration' (did you mean 'sharpe_ratio'?)" in p for p in problems)
    assert any("unknown metric 'round_trip' (did you mean 'round_trips'?)" in p for p in problems)
    assert not (tmp_path / "run" / "checkpoint" / "results.jsonl").exists()


def test_stocksharp_parameter_names_are_checked_too(tmp_path: Path) -> None:
    strategy = str(Path(__file__).resolve().parents[1] / "strategies" / "stocksharp" / "SmaCrossStrategy.cs")
    out = CliRunner().invoke(main, ["optimize", "-s", strategy, "-d", GOOG, "--grid", "fast=5:10:5", "--out", str(tmp_path / "r")])
    assert out.exit_code == 2
    assert "unknown parameter 'fast' (did you mean 'Fast'?)" in out.output


_ALWAYS_FAILS = '''
from pystocksharp import Param, Strategy


class AlwaysFails(Strategy):
    length = Param(3, min=1)

    def on_candle(self, candle):
        raise RuntimeError("planted failure")
'''


def test_a_run_where_every_combination_failed_exits_1_with_the_first_error(tmp_path: Path) -> None:
    path = tmp_path / "always_fails.py"
    path.write_text(_ALWAYS_FAILS, encoding="utf-8")
    out = CliRunner().invoke(main, ["optimize", "-s", f"{path}:AlwaysFails", "-d", GOOG, "--grid", "length=1:2",
                                    "--workers", "1", "--out", str(tmp_path / "r"), "--no-report"])  # fmt: skip
    assert out.exit_code == 1
    assert "all 2 combinations failed; the first: " in out.output and "planted failure" in out.output


def test_ranking_on_a_metric_no_combination_defines_does_not_fail_after_the_run() -> None:
    """Slow averages longer than the data: no combination trades, so none has a Sharpe ratio. The ranking was
    checked before the run; afterwards the column is there (all NaN) and ranking works instead of calling the
    metric unknown."""
    from pystocksharp.optimization import optimize
    from pystocksharp.synthetic import random_walk

    result = optimize("sma_cross", random_walk(300, seed=1), grid=["fast=400:402:1", "slow=500:501:1"],
                      rank="sharpe_ratio:desc", filters=["round_trips >= 0"], workers=1, keep_fills=False)  # fmt: skip
    assert (result.completed, result.failed) == (6, 0)
    assert result.table["sharpe_ratio"].isna().all() and (result.table["round_trips"] == 0).all()
    assert len(result.ranked()) == 6
