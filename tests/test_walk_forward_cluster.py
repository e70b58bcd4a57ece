"""walk_forward(..., cluster=...) / ``walk-forward --cluster``: every window's grid runs on Dask with the same
selections, out-of-sample equity and statistics as on engine threads here."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.data import sample_path
from pystocksharp.validation.pipeline import walk_forward

pytest.importorskip("distributed")

pytestmark = pytest.mark.engine

GRID = ["fast=5:20:5", "slow=30:60:15"]  # 4 x 3 = 12 combinations a window


def run(**kwargs):
    return walk_forward("sma_cross", sample_path("GOOG_1d"), grid=GRID, train="2y", test="1y", monte_carlo=200,
                        seed=3, overfitting=False, commission=0.001, **kwargs)  # fmt: skip


def test_local_cluster_gives_the_same_walk_forward_as_engine_threads() -> None:
    here = run(workers=2)
    there = run(cluster="local:2")
    windows = [(w.parameters, w.test_start, w.test_end) for w in here.walk_forward.windows]
    assert len(windows) >= 5
    assert [(w.parameters, w.test_start, w.test_end) for w in there.walk_forward.windows] == windows
    assert len({str(p) for p, _, _ in windows}) > 1  # not vacuous: windows chose different parameters
    pd.testing.assert_series_equal(there.oos_equity, here.oos_equity)
    assert there.walk_forward_efficiency == here.walk_forward_efficiency
    assert there.deflated_sharpe_ratio == here.deflated_sharpe_ratio


def test_cli_walk_forward_on_a_local_cluster(tmp_path: Path) -> None:
    args = ["walk-forward", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--grid", GRID[0], "--grid", GRID[1],
            "--train", "2y", "--test", "1y", "--monte-carlo", "100", "--out", str(tmp_path / "wf"), "--json"]  # fmt: skip
    here = CliRunner().invoke(main, [*args[:-3], "--out", str(tmp_path / "here"), "--json"])
    there = CliRunner().invoke(main, [*args, "--cluster", "local:2"])
    assert there.exit_code == here.exit_code, there.output
    a, b = json.loads(here.output), json.loads(there.output)
    for summary in (a, b):  # the selection's engine run time is the one figure that may differ
        summary["selected"]["is_metrics"].pop("wall_ms")
    for key in ("windows", "walk_forward_efficiency", "oos_metrics", "deflated_sharpe_ratio", "selected", "verdict"):
        assert b[key] == a[key], key


def test_cli_bad_cluster_is_refused_before_any_work(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["walk-forward", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--grid", GRID[0],
                                    "--train", "2y", "--test", "1y", "--out", str(tmp_path / "wf"),
                                    "--cluster", "local:zero"])  # fmt: skip
    assert res.exit_code == 2, res.output
    assert "cluster" in res.output and not (tmp_path / "wf").exists()
