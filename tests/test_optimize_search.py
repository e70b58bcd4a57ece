"""Search strategies of the optimizer: grid (unchanged results), random (seeded, distinct, on the grid,
constraints kept), genetic (finds a planted optimum with a small share of the evaluations), their
checks before running, their settings in run.json (resume refuses a changed search and replays a
random or genetic run from the checkpoint), the CLI options, and the deflated Sharpe's trials.
"""

from __future__ import annotations

import json
import math
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.errors import InputError
from pystocksharp.optimization import optimize
from pystocksharp.optimization.checkpoint import RESULTS_FILE, CombinationRecord, read_run_spec
from pystocksharp.optimization.ranking import SortKey
from pystocksharp.optimization.runner import search_settings
from pystocksharp.optimization.search import (
    Fitness,
    GeneticSearch,
    GeneticSettings,
    GridSpace,
    RandomSearch,
    RandomSettings,
    Search,
)
from pystocksharp.parameters import parse_grid

ROOT = Path(__file__).resolve().parents[1]
GOOG = str(ROOT / "pystocksharp" / "sample_data" / "GOOG_1d.csv")
PEAK = f"{ROOT / 'tests' / 'optimize_strategies.py'}:PlantedPeak"


def result_set(table: pd.DataFrame) -> pd.DataFrame:
    """The run's results without wall times, in hash order (what must not depend on scheduling)."""
    return table.drop(columns=["wall_ms"]).sort_values("parameter_hash").reset_index(drop=True)


def drive(search: Search, score: Callable[[dict[str, Any]], float]) -> list[str]:
    """Run a search against a synthetic objective (as ``net_profit``); the hashes asked, in order."""
    asked: list[str] = []
    while not search.done:
        for task in search.ask():
            asked.append(task.parameter_hash)
            search.tell(CombinationRecord(index=task.index, parameter_hash=task.parameter_hash,
                                          parameters=task.parameters, net_profit=score(task.parameters)))  # fmt: skip
    return asked


def space(*specs: str, constraints: tuple[str, ...] = ()) -> GridSpace:
    pset = parse_grid(list(specs), constraints=list(constraints))
    return GridSpace(pset, pset.count())


# ---- genetic ------------------------------------------------------------------------------------


def two_hills(p: dict[str, Any]) -> float:
    """The global peak at a=73, b=21 (100) on a wide hill, and a lower hill (70) at a=20, b=80."""
    a, b = p["a"], p["b"]
    return 100 * math.exp(-((a - 73) ** 2 + (b - 21) ** 2) / 800) + 70 * math.exp(-((a - 20) ** 2 + (b - 80) ** 2) / 300)


def test_genetic_search_finds_the_planted_peak_of_10000_combinations_with_under_10_percent_of_them() -> None:
    grid = space("a=1:100", "b=1:100")
    assert grid.total == 10_000
    search = GeneticSearch(grid, GeneticSettings(seed=7), Fitness(None, SortKey("net_profit")))
    asked = drive(search, two_hills)
    report = search.report(finished=True)
    assert report.best_parameters == {"a": 73, "b": 21}
    assert report.best_fitness == pytest.approx(100.0)
    # measured: 249 evaluations (2.5 %) in 21 generations, stopped by patience (10 without a better best)
    assert search.evaluations == len(asked) == 249 < 1_000
    assert len(set(asked)) == len(asked)  # the cache: no combination is asked twice
    assert (report.generations, report.stop_reason) == (21, "no better best for 10 generations")
    # the same seed and the same results breed the same generations
    again = GeneticSearch(grid, GeneticSettings(seed=7), Fitness(None, SortKey("net_profit")))
    assert drive(again, two_hills) == asked


def test_genetic_candidates_are_on_the_grid_and_meet_the_constraints() -> None:
    grid = space("fast=1:30", "slow=5:60:5", "mode=a,b,c", constraints=("fast < slow",))
    search = GeneticSearch(grid, GeneticSettings(population=20, generations=8, patience=0, mutation=0.5, seed=3),
                           Fitness(None, SortKey("net_profit")))  # fmt: skip
    seen: list[dict[str, Any]] = []
    drive(search, lambda p: seen.append(p) or -abs(p["fast"] - 17) - abs(p["slow"] - 40) + (p["mode"] == "b"))
    assert len(seen) == search.evaluations > 20  # more than one generation ran
    assert all(p["fast"] < p["slow"] and p["mode"] in "abc" and p["slow"] % 5 == 0 for p in seen)
    assert search.report(finished=True).stop_reason == "8 generations"


def test_genetic_search_through_optimize_finds_the_strategy_peak_and_reports_its_evaluations(tmp_path: Path) -> None:
    # PlantedPeak's net profit peaks at exactly one of the 100 x 100 combinations: a=37, b=62
    result = optimize(PEAK, GOOG, grid=["a=1:100", "b=1:100"], search="genetic", workers=1,
                      out=tmp_path / "run", keep_fills=False)  # fmt: skip
    best = result.best
    assert best is not None and (best["a"], best["b"]) == (37, 62)
    assert result.search == "genetic" and result.total == 10_000
    assert result.evaluations == result.completed == len(result.table) == 216 < 1_000
    report = result.search_report
    assert report is not None and report.evaluations == 216 and report.finished
    assert report.best_parameters == {"a": 37, "b": 62}
    summary = result.summary()
    assert (summary.search, summary.evaluations, summary.search_settings["seed"]) == ("genetic", 216, 0)


def test_a_fitness_expression_steers_the_search(tmp_path: Path) -> None:
    # maximizing -net_profit (a descending rank) walks to the least profitable corner instead
    result = optimize(PEAK, GOOG, grid=["a=1:100:3", "b=1:100:3"], workers=1, out=tmp_path / "run", keep_fills=False,
                      search={"kind": "genetic", "population": 20, "seed": 1, "fitness": "-net_profit"})  # fmt: skip
    report = result.search_report
    assert report is not None and report.best_parameters == {"a": 100, "b": 1}  # farthest from (37, 62)
    assert report.best_fitness == pytest.approx(-result.table["net_profit"].min())


# ---- random -------------------------------------------------------------------------------------


def random_sample(seed: int, samples: int = 40) -> list[dict[str, Any]]:
    grid = space("fast=1:30", "slow=5:100:5", constraints=("fast < slow",))
    return [t.parameters for t in RandomSearch(grid, RandomSettings(samples=samples, seed=seed)).ask()]


def test_random_search_draws_distinct_grid_combinations_meeting_the_constraints() -> None:
    sample = random_sample(seed=5)
    assert len(sample) == 40
    assert len({(p["fast"], p["slow"]) for p in sample}) == 40  # without replacement
    assert all(1 <= p["fast"] <= 30 and p["slow"] % 5 == 0 and 5 <= p["slow"] <= 100 for p in sample)
    assert all(p["fast"] < p["slow"] for p in sample)
    assert random_sample(seed=5) == sample  # same seed, same combinations in the same order
    other = random_sample(seed=6)
    assert {tuple(p.values()) for p in other} != {tuple(p.values()) for p in sample}
    # more samples than the grid has: every combination, once
    grid = space("fast=1:30", "slow=5:100:5", constraints=("fast < slow",))
    assert len(random_sample(seed=5, samples=10_000)) == grid.total == 519


def test_random_sampling_of_a_huge_grid_does_not_list_it() -> None:
    grid = space("a=1:10000000", "b=0:1:0.001", "c=1:1000")  # 10^7 x 1001 x 1000 ~ 10^13 combinations
    sample = [t.parameters for t in RandomSearch(grid, RandomSettings(samples=25, seed=1)).ask()]
    assert grid.size == grid.total == 10_000_000 * 1001 * 1000
    assert len({json.dumps(p, sort_keys=True) for p in sample}) == 25


def test_random_search_results_equal_the_grid_rows_of_the_same_combinations(tmp_path: Path) -> None:
    grid = ["fast=5:20:5", "slow=10:40:10"]
    full = optimize("sma_cross", GOOG, grid=grid, constraints=["fast < slow"], out=tmp_path / "grid", keep_fills=False)
    sample = optimize("sma_cross", GOOG, grid=grid, constraints=["fast < slow"], out=tmp_path / "random",
                      keep_fills=False, search=RandomSettings(samples=5, seed=11))  # fmt: skip
    assert (sample.search, sample.evaluations, sample.total) == ("random", 5, 12)
    rows = result_set(sample.table).drop(columns=["index"])
    chosen = full.table[full.table["parameter_hash"].isin(rows["parameter_hash"])]
    pd.testing.assert_frame_equal(rows, result_set(chosen).drop(columns=["index"]))


# ---- grid ---------------------------------------------------------------------------------------

#: (index, fast, slow, net_profit, round_trips, max_drawdown) on GOOG_1d, fast=5:20:5, slow=10:40:10,
#: fast < slow: recorded (exactly, the same for sma_cross and sma_cross_py) with the optimizer of
#: commit fbee578, before search strategies existed.
BEFORE = [
    (0, 5, 10, 674.659999999998, 208, -0.01876675081406265),
    (1, 5, 20, 1147.1200000000044, 113, -0.018931467246149247),
    (2, 5, 30, 1035.6400000000012, 81, -0.01833721225497409),
    (3, 5, 40, 755.1600000000035, 71, -0.020276869176988455),
    (4, 10, 20, 1258.3700000000026, 93, -0.019061185792878854),
    (5, 10, 30, 922.0500000000011, 65, -0.031494442900304453),
    (6, 10, 40, 982.0800000000017, 47, -0.02575899726730968),
    (7, 15, 20, 802.6300000000119, 108, -0.026328437819065242),
    (8, 15, 30, 656.1700000000037, 65, -0.03758945649681378),
    (9, 15, 40, 508.10999999999876, 51, -0.04010438714419284),
    (10, 20, 30, 376.1299999999992, 69, -0.048311146442840736),
    (11, 20, 40, 630.6700000000055, 49, -0.03357315790760773),
]


@pytest.mark.parametrize("strategy", ["sma_cross", "sma_cross_py"])
def test_grid_search_gives_the_results_recorded_before_search_strategies(strategy: str, tmp_path: Path) -> None:
    result = optimize(strategy, GOOG, grid=["fast=5:20:5", "slow=10:40:10"], constraints=["fast < slow"],
                      search="grid", workers=2, out=tmp_path / "run", keep_fills=False)  # fmt: skip
    table = result.table
    columns = ["index", "fast", "slow", "net_profit", "round_trips", "max_drawdown"]
    assert list(table[columns].itertuples(index=False, name=None)) == BEFORE
    assert (result.search, result.evaluations, result.total) == ("grid", 12, 12)
    assert read_run_spec(tmp_path / "run").search.kind == "grid"  # type: ignore[union-attr]


# ---- checks before running ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("genetci", "unknown search 'genetci' (did you mean 'genetic'?)"),
        ({"kind": "random", "samples": 0}, "samples: must be >= 1, got 0"),
        ({"kind": "genetic", "population": 1}, "population: must be >= 2, got 1"),
        ({"kind": "genetic", "mutation": 1.5}, "mutation: must be <= 1, got 1.5"),
        ({"kind": "genetic", "elite": 5, "population": 5}, "elite (5) must be smaller than population (5)"),
        ({"kind": "grid", "samples": 10}, "option 'samples' (--samples) does not apply to the grid search"),
        ({"kind": "genetic", "fitness": "net_profit +"}, "fitness: cannot parse 'net_profit +'"),
    ],
)
def test_bad_search_settings_are_refused_with_a_clear_message(search: Any, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        search_settings(search)
    assert any(expected in str(p) for p in caught.value.problems), caught.value.problems


def test_an_unknown_fitness_metric_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        optimize("sma_cross", GOOG, grid=["fast=5:10:5"], search={"kind": "genetic", "fitness": "net_proft / 2"},
                 out=tmp_path / "run")  # fmt: skip
    assert any("unknown metric 'net_proft' (did you mean 'net_profit'?)" in str(p) for p in caught.value.problems)
    assert not (tmp_path / "run").exists()


# ---- resume -------------------------------------------------------------------------------------


def test_a_random_run_interrupted_by_ctrl_c_resumes_to_the_uninterrupted_result_set(tmp_path: Path) -> None:
    args: dict[str, Any] = dict(grid=["fast=2:40:2", "slow=10:100:10"], constraints=["fast < slow"], keep_fills=False,
                                workers=1, search={"kind": "random", "samples": 24, "seed": 9})  # fmt: skip
    full = optimize("sma_cross_py", GOOG, out=tmp_path / "full", **args)
    assert full.completed == 24 and not full.interrupted

    def ctrl_c_after_5(record: CombinationRecord, seen: list[str] = []) -> None:  # noqa: B006
        seen.append(record.parameter_hash)
        if len(seen) == 5:
            signal.raise_signal(signal.SIGINT)  # what Ctrl-C does: the run stops after this combination

    out = tmp_path / "stopped"
    stopped = optimize("sma_cross_py", GOOG, out=out, on_result=ctrl_c_after_5, **args)
    assert stopped.interrupted and stopped.completed == 5
    assert stopped.search_report is not None and stopped.search_report.stop_reason == "interrupted"
    with pytest.raises(InputError) as caught:  # another seed is another run
        optimize("sma_cross_py", GOOG, out=out, resume=True, **{**args, "search": {"kind": "random", "samples": 24}})
    assert [p.field for p in caught.value.problems] == ["search"]
    ran: list[str] = []
    resumed = optimize("sma_cross_py", GOOG, out=out, resume=True, on_result=lambda r: ran.append(r.parameter_hash),
                       **args)  # fmt: skip
    assert len(ran) == 19  # the 5 done before were read from the checkpoint, not run again
    assert resumed.evaluations == 24 and resumed.search_report.finished  # type: ignore[union-attr]
    pd.testing.assert_frame_equal(result_set(resumed.table), result_set(full.table))


def test_a_genetic_run_resumes_from_its_checkpoint_without_running_a_combination_twice(tmp_path: Path) -> None:
    args: dict[str, Any] = dict(grid=["a=1:100:3", "b=1:100:3"], workers=1, keep_fills=False,
                                search={"kind": "genetic", "population": 12, "seed": 4})  # fmt: skip
    full = optimize(PEAK, GOOG, out=tmp_path / "full", **args)
    out = tmp_path / "cut"
    optimize(PEAK, GOOG, out=out, **args)
    path = out / RESULTS_FILE
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:20]))  # as if killed after 20 combinations
    ran: list[str] = []
    resumed = optimize(PEAK, GOOG, out=out, resume=True, on_result=lambda r: ran.append(r.parameter_hash), **args)
    assert full.evaluations == resumed.evaluations == len(lines) > 20
    assert len(ran) == len(lines) - 20 and not set(ran) & {json.loads(x)["parameter_hash"] for x in lines[:20]}
    pd.testing.assert_frame_equal(result_set(resumed.table), result_set(full.table))
    assert resumed.search_report == full.search_report


# ---- command line -------------------------------------------------------------------------------


def _cli(tmp_path: Path, *args: str) -> tuple[int, str]:
    out = CliRunner().invoke(main, ["optimize", "-s", "sma_cross", "-d", GOOG, "--grid", "fast=2:40:2",
                                    "--grid", "slow=10:100:10", "--constraint", "fast < slow",
                                    "--out", str(tmp_path / "run"), "--no-report", "--no-progress", "--json", *args])  # fmt: skip
    return out.exit_code, out.output


def test_cli_random_search_reports_its_evaluations(tmp_path: Path) -> None:
    code, output = _cli(tmp_path, "--search", "random", "--samples", "15", "--seed", "2")
    assert code == 0, output
    payload = json.loads(output)
    assert (payload["search"], payload["evaluations"], payload["completed"], payload["total"]) == ("random", 15, 15, 166)
    assert payload["search_settings"] == {"samples": 15, "seed": 2}
    assert payload["search_report"]["stop_reason"] == "15 samples evaluated"


def test_cli_genetic_search_reports_its_evaluations_and_generations(tmp_path: Path) -> None:
    code, output = _cli(tmp_path, "--search", "genetic", "--population", "10", "--generations", "4", "--patience",
                        "0", "--seed", "7", "--fitness", "net_profit / (abs(max_drawdown) + 1)")  # fmt: skip
    assert code == 0, output
    payload = json.loads(output)
    report = payload["search_report"]
    assert payload["search"] == "genetic" and payload["evaluations"] == report["evaluations"] == payload["completed"]
    assert 10 < payload["evaluations"] <= 10 + 3 * 8  # 4 generations of 10, 2 elites each, the cache
    assert (report["generations"], report["stop_reason"]) == (4, "4 generations")
    assert payload["search_settings"]["fitness"] == "net_profit / (abs(max_drawdown) + 1)"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--search", "genetci"], "unknown search 'genetci' (did you mean 'genetic'?)"),
        (["--search", "genetic", "--fitness", "net_proft"], "unknown metric 'net_proft' (did you mean 'net_profit'?)"),
        (["--search", "random", "--samples", "0"], "samples: must be >= 1, got 0"),
        (["--search", "genetic", "--population", "1"], "population: must be >= 2, got 1"),
    ],
)
def test_cli_bad_search_input_exits_2_before_anything_is_written(tmp_path: Path, args: list[str], expected: str) -> None:
    code, output = _cli(tmp_path, *args)
    assert code == 2
    payload = json.loads(output)
    assert payload["error"] == "bad_input" and any(expected in p for p in payload["problems"]), payload
    assert not (tmp_path / "run").exists()


def test_cli_help_documents_every_search_option_with_the_defaults_of_the_settings() -> None:
    text = " ".join(CliRunner().invoke(main, ["optimize", "--help"]).output.split())
    defaults = {**RandomSettings().model_dump(), **GeneticSettings().model_dump()}
    for name in ("samples", "population", "generations", "mutation", "crossover", "elite", "patience", "tournament", "seed"):
        assert f"--{name}" in text and f"(default {defaults[name]}" in text, name
    assert "--search" in text and "--fitness" in text


# ---- deflated Sharpe: trials are the evaluated combinations ------------------------------------


def test_the_deflated_sharpe_counts_the_combinations_the_search_evaluated(tmp_path: Path) -> None:
    from pystocksharp.synthetic import planted_edge  # noqa: PLC0415
    from pystocksharp.validation.pipeline import walk_forward  # noqa: PLC0415

    frame = planted_edge(3000, seed=1)
    result = walk_forward("sma_cross", frame, grid=["fast=2:20:3", "slow=10:100:15"], constraints=["fast < slow"],
                          search={"kind": "random", "samples": 9, "seed": 3}, train="2y", test="1y", monte_carlo=0,
                          pbo_blocks=4, out=None)  # fmt: skip
    assert result.settings.search == {"kind": "random", "samples": 9, "seed": 3}
    assert result.selected.n_trials == 9  # not the grid's 45 combinations
    assert result.deflated_sharpe is not None and result.deflated_sharpe.n_trials == 9
