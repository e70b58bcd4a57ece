"""``pystocksharp optimize`` as a real subprocess: --json, SIGKILL then --resume, Ctrl-C, and the
complete record of a finished run (artifacts, reports, manifests: ``validate`` passes on --out)."""

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

from pystocksharp.cli.optimize import CHECKPOINT_DIR
from pystocksharp.io import LOCK_FILE
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


def _results(out: Path) -> Path:
    return out / CHECKPOINT_DIR / RESULTS_FILE


def _result_set(out: Path) -> pd.DataFrame:
    table = OptimizationResult(out / CHECKPOINT_DIR).table
    return table.drop(columns=["wall_ms"]).sort_values("parameter_hash").reset_index(drop=True)


def _start_and_wait_for(out: Path, lines: int, *extra: str, **kw: Any) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(_cmd(out, *extra, **kw), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while _lines(_results(out)) < lines:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return proc


def test_sigkill_midway_then_resume_gives_the_uninterrupted_result_set(tmp_path: Path) -> None:
    full = subprocess.run(_cmd(tmp_path / "full", "--json"), capture_output=True, text=True, timeout=600)
    assert full.returncode == 0, full.stderr
    summary = json.loads(full.stdout)
    assert summary["total"] == summary["completed"] == 652 and summary["failed"] == 0
    assert summary["results_path"] == str(_results(tmp_path / "full"))
    assert Path(summary["summary_page"]).is_file() and Path(summary["run_dir"]).is_dir()
    assert set(summary["best"]["parameters"]) == {"fast", "slow"}
    assert "net_profit" in summary["best"]["metrics"]

    out = tmp_path / "killed"
    proc = _start_and_wait_for(out, 50)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    done_when_killed = _lines(_results(out))
    assert not (out / "results").exists()  # nothing exported by a killed run
    assert 50 <= done_when_killed < 652  # really killed midway

    resumed = subprocess.run(_cmd(out, "--resume", "--json"), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["completed"] == 652
    # each combination recorded exactly once (a torn last line, if any, was cut off)
    assert _lines(_results(out)) == 652
    pd.testing.assert_frame_equal(_result_set(out), _result_set(tmp_path / "full"))
    # captures of a combination finished before the kill are readable
    first = OptimizationResult(out / CHECKPOINT_DIR).table.iloc[0]["parameter_hash"]
    assert len(OptimizationResult(out / CHECKPOINT_DIR).equity(first)) == 2148


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
    done = _lines(_results(out))
    assert wait_for <= done < total
    assert len(OptimizationResult(out / CHECKPOINT_DIR).table) == done
    # an interrupted run exports nothing and its checkpoint is not sealed (the run's lock file aside)
    assert sorted(p.name for p in out.iterdir() if p.name != LOCK_FILE) == [CHECKPOINT_DIR]
    assert not (out / CHECKPOINT_DIR / "manifest.json").exists()


def test_a_second_ctrl_c_stops_at_once_with_exit_130_and_the_resume_command(tmp_path: Path) -> None:
    # two Ctrl-C exited 1 ("Aborted!") without the resume hint the docs promise
    out = tmp_path / "run"
    proc = _start_and_wait_for(out, 3, strategy="sma_cross_py", grid=PY_GRID)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()
    text = err.decode()
    assert "resume with:" in text and "--resume" in text and "Aborted" not in text
    resumed = subprocess.run(_cmd(out, "--resume", grid=PY_GRID, strategy="sma_cross_py"), capture_output=True,
                             timeout=600)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert _lines(_results(out)) == 100


def test_bad_input_exits_2_listing_every_problem(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "pystocksharp", "optimize", "-s", "sma_cross", "-d", GOOG, "--grid", "fast=5:10:5",
           "--rank", "net_profit:sideways", "--filter", "round_trips >> 3", "--out", str(tmp_path / "x"), "--json"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ})
    assert proc.returncode == 2
    payload = json.loads(proc.stdout)
    assert payload["error"] == "bad_input"
    assert len(payload["problems"]) == 2  # the bad direction and the bad filter, together


SMALL_GRID = ["--grid", "fast=5:15:5", "--grid", "slow=20:40:10"]  # 3 x 3 = 9 combinations


def _run_json(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "pystocksharp", *args, "--json"], capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# written at each export: manifests carry their creation time, the pipeline summary its durations
_TIMESTAMPED = ("manifest.json", "pipeline-summary.json")


def test_finished_run_is_exported_validated_reported_and_resume_reexports_identically(tmp_path: Path) -> None:
    out = tmp_path / "run"
    summary = _run_json("optimize", "-s", "sma_cross", "-d", GOOG, *SMALL_GRID, "--keep", "3", "--out", str(out),
                        "--no-progress")  # fmt: skip
    assert (summary["total"], summary["completed"], summary["failed"]) == (9, 9, 0)
    run_dir = Path(summary["run_dir"])
    # results/by-strategy/{strategy}/by-date-range/{first}_{last}/by-symbol/{symbol}/by-timeframe/{tf}
    assert run_dir.relative_to(out).parts == (
        "results", "by-strategy", "sma_cross", "by-date-range", "20040819_20130301",
        "by-symbol", "GOOG", "by-timeframe", "1d",
    )  # fmt: skip
    assert (out / CHECKPOINT_DIR / "manifest.json").is_file()
    checked = _run_json("validate", str(out))
    assert checked["ok"] and checked["problems"] == []
    # checkpoint, optimization, 3 kept folders, reports, metadata
    assert checked["manifests_checked"] == 7
    # the summary page and one page per kept combination: the top 3 of the ranking
    assert Path(summary["summary_page"]) == run_dir / "reports" / "index.html"
    assert Path(summary["summary_page"]).is_file()
    top3 = [row["parameter_hash"] for row in summary["top"][:3]]
    assert summary["best"]["parameter_hash"] == top3[0]
    pages = sorted(p.parent.name for p in (run_dir / "optimization").glob("*/index.html"))
    assert pages == sorted(h.split(":", 1)[1][:16] for h in top3)

    before = _files(out)
    again = _run_json("optimize", "-s", "sma_cross", "-d", GOOG, *SMALL_GRID, "--keep", "3", "--out", str(out),
                      "--no-progress", "--resume")  # fmt: skip
    assert again["run_dir"] == summary["run_dir"] and again["best"] == summary["best"]
    after = _files(out)
    assert sorted(after) == sorted(before)
    changed = [name for name in after if after[name] != before[name]]
    assert changed and all(name.endswith(_TIMESTAMPED) for name in changed)
    assert _run_json("validate", str(out))["ok"]


def test_no_report_writes_no_pages_and_deployed_best_replays_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "run"
    summary = _run_json("optimize", "-s", "sma_cross", "-d", GOOG, *SMALL_GRID, "--keep", "all", "--no-report",
                        "--out", str(out), "--no-progress")  # fmt: skip
    run_dir = Path(summary["run_dir"])
    assert summary["summary_page"] is None and not list(out.rglob("*.html"))
    assert len(list((run_dir / "optimization").glob("*/strategy-config.json"))) == 9  # --keep all
    assert _run_json("validate", str(out))["ok"]

    config = tmp_path / "best.json"
    _run_json("deploy", str(run_dir), "--rank", "1", "--out", str(config))
    replay = _run_json("backtest", "--config", str(config), "--out", str(tmp_path / "replay"), "--no-report")
    best = summary["best"]["metrics"]
    for name in ("net_profit", "final_equity", "round_trips", "commission"):
        assert replay[name] == best[name], name
    recorded = OptimizationResult(out / CHECKPOINT_DIR).fills(summary["best"]["parameter_hash"])
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "replay" / "trades.parquet"),
        recorded.reset_index(drop=True),
        check_dtype=False,
    )
