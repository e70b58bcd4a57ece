"""``pystocksharp optimize`` as a real subprocess: --json, SIGKILL then --resume, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pystocksharp.optimization import OptimizationResult
from pystocksharp.optimization.checkpoint import RESULTS_FILE

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[1]
GOOG = str(ROOT / "pystocksharp" / "sample_data" / "GOOG_1d.csv")
# 652 combinations with fast < slow (slow 5..40: 4+9+...+39 = 172; slow 45..100: 12 x 40 = 480):
# long enough (each recorded with fsynced captures) to be killed midway
BIG_GRID = ["--grid", "fast=1:40:1", "--grid", "slow=5:100:5", "--constraint", "fast < slow"]


PY_GRID = ["--grid", "fast=5:50:5", "--grid", "slow=20:200:20"]  # 100 combinations


def _cmd(out: Path, *extra: str, strategy: str = "sma_cross", grid: list[str] = BIG_GRID) -> list[str]:
    return [sys.executable, "-m", "pystocksharp", "optimize", "-s", strategy, "-d", GOOG, *grid,
            "--workers", "2", "--out", str(out), "--no-progress", *extra]  # fmt: skip


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _result_set(out: Path) -> pd.DataFrame:
    table = OptimizationResult(out).table
    return table.drop(columns=["wall_ms"]).sort_values("parameter_hash").reset_index(drop=True)


def _start_and_wait_for(out: Path, lines: int, *extra: str, **kw: Any) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(_cmd(out, *extra, **kw), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while _lines(out / RESULTS_FILE) < lines:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return proc


def test_sigkill_midway_then_resume_gives_the_uninterrupted_result_set(tmp_path: Path) -> None:
    full = subprocess.run(_cmd(tmp_path / "full", "--json"), capture_output=True, text=True, timeout=600)
    assert full.returncode == 0, full.stderr
    summary = json.loads(full.stdout)
    assert summary["total"] == summary["completed"] == 652 and summary["failed"] == 0
    assert summary["results_path"] == str(tmp_path / "full" / RESULTS_FILE)
    assert set(summary["best"]["parameters"]) == {"fast", "slow"}
    assert "net_profit" in summary["best"]["metrics"]

    out = tmp_path / "killed"
    proc = _start_and_wait_for(out, 50)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    done_when_killed = _lines(out / RESULTS_FILE)
    assert 50 <= done_when_killed < 652  # really killed midway

    resumed = subprocess.run(_cmd(out, "--resume", "--json"), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["completed"] == 652
    # each combination recorded exactly once (a torn last line, if any, was cut off)
    assert _lines(out / RESULTS_FILE) == 652
    pd.testing.assert_frame_equal(_result_set(out), _result_set(tmp_path / "full"))
    # captures of a combination finished before the kill are readable
    first = OptimizationResult(out).table.iloc[0]["parameter_hash"]
    assert len(OptimizationResult(out).equity(first)) == 2148


@pytest.mark.parametrize(
    ("strategy", "grid", "total", "wait_for"),
    [("sma_cross", BIG_GRID, 652, 20), ("sma_cross_py", PY_GRID, 100, 3)],
    ids=["csharp", "python-workers"],
)
def test_ctrl_c_stops_cleanly_and_prints_the_resume_command(
    strategy: str, grid: list[str], total: int, wait_for: int, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    proc = _start_and_wait_for(out, wait_for, strategy=strategy, grid=grid)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)  # worker processes exit promptly too
    assert proc.returncode == 130
    text = err.decode()
    assert "resume with:" in text and "--resume" in text and f"--out {out}" in text
    done = _lines(out / RESULTS_FILE)
    assert wait_for <= done < total
    assert len(OptimizationResult(out).table) == done


def test_bad_input_exits_2_listing_every_problem(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "pystocksharp", "optimize", "-s", "sma_cross", "-d", GOOG, "--grid", "fast=5:10:5",
           "--rank", "net_profit:sideways", "--filter", "round_trips >> 3", "--out", str(tmp_path / "x"), "--json"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ})
    assert proc.returncode == 2
    payload = json.loads(proc.stdout)
    assert payload["error"] == "bad_input"
    assert len(payload["problems"]) == 2  # the bad direction and the bad filter, together
