"""One writer per optimization run folder: a second run on the same --out / ``out`` fails at once
(exit 2, InputError) naming the folder, and writes nothing; the lock never breaks ``validate``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pystocksharp.artifacts.manifest import MANIFEST_FILE
from pystocksharp.artifacts.validate import validate_tree
from pystocksharp.cli import main
from pystocksharp.cli.optimize import CHECKPOINT_DIR
from pystocksharp.data import sample_path
from pystocksharp.errors import InputError
from pystocksharp.io import LOCK_FILE, exclusive_folder
from pystocksharp.optimization import OptimizationResult, optimize
from pystocksharp.parameters import parameter_hash, parse_grid, with_others

pytestmark = pytest.mark.engine

GOOG = str(sample_path("GOOG_1d.csv"))
IN_USE = "is in use by another optimization run"
# 652 combinations (as BIG_GRID in test_optimize_cli.py): a run lasts long enough for a rival to start
GRID, CONSTRAINT = ["fast=1:40:1", "slow=5:100:5"], "fast < slow"
SMALL_GRID = ["fast=5:10:5", "slow=20:30:10"]


def _cli(out: Path, *extra: str) -> list[str]:
    grid = [arg for spec in GRID for arg in ("--grid", spec)]
    return [sys.executable, "-m", "pystocksharp", "optimize", "-s", "sma_cross", "-d", GOOG, *grid,
            "--constraint", CONSTRAINT, "--workers", "2", "--out", str(out), "--no-progress", "--no-report",
            *extra]  # fmt: skip


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (ns)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_two_cli_runs_on_one_out_one_wins_the_other_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    procs = [
        subprocess.Popen(_cli(out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    finished = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in finished)
    assert codes == [0, 2], finished
    loser = next(stdout + stderr for code, stdout, stderr in finished if code == 2)
    assert f"{out} {IN_USE}" in loser
    result = OptimizationResult(out / CHECKPOINT_DIR)
    fixed = result.spec.fixed_parameters  # the strategy's parameters outside the grid, in every hash
    expected = sorted(
        parameter_hash(with_others(c, fixed))
        for c in parse_grid(GRID, constraints=[CONSTRAINT]).generate_combinations()
    )
    table = result.table
    assert len(expected) == 652
    assert sorted(table["parameter_hash"]) == expected  # one grid, each combination once
    assert table["error"].isna().all()
    outcome = validate_tree(out)
    assert outcome.ok, outcome.problems

    # a --resume while the folder is held is refused before it touches anything (not even the seal)
    before = _snapshot(out)
    with exclusive_folder(out):
        refused = CliRunner().invoke(main, _cli(out, "--resume")[3:])
    assert refused.exit_code == 2, refused.output
    assert IN_USE in refused.output
    assert _snapshot(out) == before and (out / CHECKPOINT_DIR / MANIFEST_FILE).exists()


def test_optimize_refuses_a_held_folder_writes_nothing_and_runs_once_it_is_free(tmp_path: Path) -> None:
    out = tmp_path / "checkpoint"
    with exclusive_folder(out):
        before = _snapshot(out)
        with pytest.raises(InputError, match=IN_USE) as error:
            optimize("sma_cross", GOOG, grid=SMALL_GRID, out=out, workers=1)
        assert str(out) in error.value.summary
        assert _snapshot(out) == before == {LOCK_FILE: before[LOCK_FILE]}
    result = optimize("sma_cross", GOOG, grid=SMALL_GRID, out=out, workers=1)
    assert result.completed == 4
    with exclusive_folder(out):  # released when the run ended; resume takes the same lock
        before = _snapshot(out)
        with pytest.raises(InputError, match=IN_USE):
            optimize("sma_cross", GOOG, grid=SMALL_GRID, out=out, workers=1, resume=True)
        assert _snapshot(out) == before


def test_the_lock_is_released_when_a_run_fails(tmp_path: Path) -> None:
    out = tmp_path / "checkpoint"
    optimize("sma_cross", GOOG, grid=SMALL_GRID, out=out, workers=1)
    with pytest.raises(InputError, match="already holds an optimization run"):
        optimize("sma_cross", GOOG, grid=SMALL_GRID, out=out, workers=1)  # no resume: refused inside the lock
    with exclusive_folder(out):  # free again
        pass
    resumed = optimize("sma_cross", GOOG, grid=SMALL_GRID, out=out, workers=1, resume=True)
    assert resumed.completed == 4


def test_a_failed_input_leaves_no_folder_behind(tmp_path: Path) -> None:
    out = tmp_path / "never"
    refused = CliRunner().invoke(
        main, ["optimize", "-s", "sma_cross", "-d", GOOG, "--grid", "fast=5:10:5", "--rank", "no_such_metric:desc",
               "--out", str(out), "--no-progress"],
    )  # fmt: skip
    assert refused.exit_code == 2, refused.output
    assert not out.exists()
