"""walk-forward's overfitting-aware selection (``select="oos"`` / ``"cscv"``), against independent computations."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp.backtest import backtest
from pystocksharp.cli import main
from pystocksharp.data import load_sample, sample_path
from pystocksharp.errors import InputError
from pystocksharp.validation.config import load_config
from pystocksharp.validation.overfitting import cscv_median_oos_sharpe
from pystocksharp.validation.partitions import Partitions
from pystocksharp.validation.pipeline import _chosen, walk_forward

GRID = ["fast=5:20:5", "slow=30:90:30"]  # 4 x 3 = 12 combinations, every one fast < slow
COMMON = {"grid": GRID, "train": "2y", "test": "1y", "holdout": "1y", "monte_carlo": 0, "workers": 2}


def _sharpe(x: np.ndarray) -> float:
    return float(x.mean() / x.std(ddof=1))


def test_the_cscv_score_is_the_median_sharpe_over_every_half_of_the_blocks() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.normal(0.001, 0.01, (66, 5))  # 66 rows, 4 blocks of 16: the 2 oldest rows are left out
    blocks = matrix[2:].reshape(4, 16, 5)
    halves = [blocks[list(h)].reshape(-1, 5) for h in itertools.combinations(range(4), 2)]
    by_hand = np.median([[_sharpe(h[:, c]) for c in range(5)] for h in halves], axis=0)
    np.testing.assert_allclose(cscv_median_oos_sharpe(matrix, n_blocks=4), by_hand, rtol=1e-12)


def test_the_chosen_row_maximizes_the_score_ties_go_to_the_better_ranked_and_flat_columns_never_win() -> None:
    times = pd.date_range("2020-01-01", periods=6, freq="D", tz="UTC")
    returns = pd.DataFrame({
        "a": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],        # never trades: no score
        "b": [0.05, -0.05, 0.01, 0.02, 0.01, 0.02],  # test bars (the last 4): Sharpe of [.01, .02, .01, .02]
        "c": [-0.05, 0.05, 0.01, 0.02, 0.01, 0.02],  # the same on the test bars: a tie with b
        "d": [0.09, 0.09, 0.01, -0.02, 0.01, -0.02],
    }, index=times)  # fmt: skip
    ranked = pd.DataFrame({"parameter_hash": ["a", "d", "c", "b"], "x": [1, 2, 3, 4]})
    row, score = _chosen(ranked, returns, "oos", times[2:], pbo_blocks=2)
    assert row["parameter_hash"] == "c"  # c and b tie; c is ranked before b; a cannot be scored
    assert score == pytest.approx(_sharpe(np.array([0.01, 0.02, 0.01, 0.02])), rel=1e-12)
    row, score = _chosen(ranked, returns, "in-sample", times[2:], pbo_blocks=2)
    assert (row["parameter_hash"], score) == ("a", None)


@pytest.mark.parametrize("select", ["oos", "cscv"])
def test_the_selected_configuration_is_the_best_by_the_objective_computed_from_single_backtests(select: str) -> None:
    result = walk_forward("sma_cross", sample_path("GOOG_1d"), select=select, **COMMON)
    chosen = result.selected
    assert chosen.objective == select and chosen.n_combinations == 12
    frame = load_sample("GOOG_1d").frame
    parts = Partitions.build(frame, train="2y", test="1y", holdout="1y")
    test_bars = np.zeros(parts.selection_end, dtype=bool)
    for w in parts.windows:
        test_bars[w.test] = True
    assert 0 < test_bars.sum() < parts.selection_end
    scores = {}
    for fast, slow in itertools.product(range(5, 21, 5), range(30, 91, 30)):
        run = backtest("sma_cross", frame.iloc[: parts.selection_end], params={"fast": fast, "slow": slow})
        r = run.equity["equity"].pct_change().fillna(0.0).to_numpy()  # the first bar's return is 0
        scores[(fast, slow)] = _sharpe(r[test_bars]) if select == "oos" else float(cscv_median_oos_sharpe(r[:, None])[0])
    best = max(scores, key=lambda k: scores[k])
    assert (chosen.parameters["fast"], chosen.parameters["slow"]) == best
    assert chosen.objective_score == pytest.approx(scores[best], rel=1e-9)


def test_the_cli_takes_select_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, [
        "walk-forward", "-s", "sma_cross", "-d", "sample:GOOG_1d", *[a for g in GRID for a in ("--grid", g)],
        "--train", "2y", "--test", "1y", "--holdout", "1y", "--monte-carlo", "0", "--select", "oos",
        "--out", str(tmp_path / "wf"), "--json", "--no-progress",
    ])  # fmt: skip
    payload = json.loads(res.output)
    assert res.exit_code == (1 if payload["verdict"]["status"] == "fail" else 0), res.output  # 1: a failing verdict
    selected = payload["selected"]
    api = walk_forward("sma_cross", sample_path("GOOG_1d"), select="oos", **COMMON).selected
    assert (selected["objective"], selected["parameter_hash"]) == ("oos", api.parameter_hash)
    assert selected["objective_score"] == pytest.approx(api.objective_score, rel=1e-12)
    bad = CliRunner().invoke(main, ["walk-forward", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--grid", GRID[0],
                                    "--train", "2y", "--test", "1y", "--select", "oss", "--out", str(tmp_path / "x")])  # fmt: skip
    assert bad.exit_code == 2 and "'oss' is not one of 'in-sample', 'oos', 'cscv'" in bad.output
    with pytest.raises(Exception, match=r"unknown selection 'oss' \(did you mean 'oos'\?\)"):
        walk_forward("sma_cross", sample_path("GOOG_1d"), select="oss", **COMMON)


def test_the_pipeline_config_takes_select_and_names_a_bad_one(tmp_path: Path) -> None:
    example = (Path(__file__).resolve().parents[1] / "examples" / "pipeline.yaml").read_text(encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(example.replace("  anchored: false\n", "  anchored: false\n  select: cscv\n"), encoding="utf-8")
    assert load_config(good).walk_forward.select == "cscv"
    bad = tmp_path / "bad.yaml"
    bad.write_text(example.replace("  anchored: false\n", "  anchored: false\n  select: best\n"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_config(bad)
    assert [p.field for p in err.value.problems] == ["walk_forward.select"]
