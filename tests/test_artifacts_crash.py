"""A run killed with SIGKILL mid-write leaves no half-written JSON and no manifest for an
incomplete folder (real subprocess, real ``os.kill(pid, SIGKILL)``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pystocksharp.artifacts.manifest import MANIFEST_FILE, verify_manifest
from pystocksharp.artifacts.validate import LEFTOVER, validate_tree

TESTS = Path(__file__).resolve().parent

WRITER = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from test_artifacts import base_config, bars_frame, combo, make_table
from pystocksharp.artifacts import market_data_ref, write_backtest_run, write_optimization

out = Path({out!r})
md = market_data_ref(bars_frame(), symbol="GOOG", timeframe="1d")
if {mode!r} == "runs":
    for i in range(100_000):
        equity, fills = combo(i)
        write_backtest_run(out / f"run-{{i:05d}}", config=base_config(), market_data=md, fills=fills,
                           equity=equity, metrics={{"net_profit": float(i)}})
else:
    table, equities, fills = make_table(400)
    for i in range(100_000):
        write_optimization(out / f"opt-{{i:05d}}", table, parameter_names=["fast", "slow"], fills=fills,
                           equity=equities, config=base_config(), market_data=md, keep="all")
"""


def _count_manifests(out: Path) -> int:
    """Manifests under ``out`` while a writer is busy there: a temporary folder renamed or removed
    during the walk makes the walk fail, so it is counted as "not yet" and tried again."""
    try:
        return sum(1 for _ in out.rglob(MANIFEST_FILE))
    except FileNotFoundError:
        return 0


def _run_and_kill(out: Path, mode: str, wait_for_manifests: int, extra_delay: float) -> None:
    script = WRITER.format(tests=str(TESTS), out=str(out), mode=mode)
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    try:
        while _count_manifests(out) < wait_for_manifests:
            if proc.poll() is not None:
                raise AssertionError(
                    f"writer exited early: {proc.stderr.read().decode() if proc.stderr else ''}"
                )
            assert time.monotonic() < deadline, "writer too slow"
            time.sleep(0.01)
        time.sleep(extra_delay)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _check_no_torn_state(out: Path) -> tuple[int, int]:
    """Every *.json parses; every folder with a manifest matches it. Returns (complete, incomplete)."""
    for path in out.rglob("*.json"):
        json.loads(path.read_bytes())  # a torn JSON would raise here
    complete = incomplete = 0
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        if (folder / MANIFEST_FILE).exists():
            assert verify_manifest(folder) == [], folder
            complete += 1
        else:
            incomplete += 1
    return complete, incomplete


@pytest.mark.parametrize("extra_delay", [0.0, 0.021])
def test_sigkill_during_backtest_runs(tmp_path: Path, extra_delay: float) -> None:
    _run_and_kill(tmp_path, "runs", wait_for_manifests=3, extra_delay=extra_delay)
    complete, incomplete = _check_no_torn_state(tmp_path)
    assert complete >= 3
    assert incomplete <= 1  # only the folder being written when the process died
    outcome = validate_tree(tmp_path)
    partial = [p for p in tmp_path.iterdir() if not (p / MANIFEST_FILE).exists() and any(p.iterdir())]
    if partial:  # the folder being written has some files but no manifest: validate says so
        assert not outcome.ok
        # its finished files are not covered by a manifest; a file caught mid-write is a leftover temp file
        assert {p.message for p in outcome.problems} <= {"not covered by any manifest (incomplete folder?)", LEFTOVER}
        assert {p.file.split("/")[0] for p in outcome.problems} == {partial[0].name}
    else:  # killed between folders (or before the first file of one)
        assert outcome.ok


def test_sigkill_during_optimization_export(tmp_path: Path) -> None:
    # 400 combinations, every one kept: killed while its combination folders are being written
    _run_and_kill(tmp_path, "optimization", wait_for_manifests=5, extra_delay=0.05)
    for path in tmp_path.rglob("*.json"):
        json.loads(path.read_bytes())
    opt = tmp_path / "opt-00000"
    assert not (opt / MANIFEST_FILE).exists(), "killed before the end, so optimization/ must be incomplete"
    folders = [p for p in opt.iterdir() if p.is_dir() and not p.name.startswith((".", "fills", "equity"))]
    done = [f for f in folders if (f / MANIFEST_FILE).exists()]
    assert len(done) >= 5
    for folder in done:
        assert verify_manifest(folder) == []
    assert not validate_tree(tmp_path).ok


def test_a_temporary_folder_left_by_a_killed_export_is_reported_then_removed(tmp_path: Path) -> None:
    # a kill during an export leaves `.fills.tmp-…`: validate said ok (the folder was covered by a manifest)
    from test_artifacts import bars_frame, base_config, make_table

    from pystocksharp.artifacts import market_data_ref, write_optimization

    table, equities, fills = make_table(4)
    md = market_data_ref(bars_frame(), symbol="GOOG", timeframe="1d")
    out = tmp_path / "opt"

    def export() -> None:
        write_optimization(out, table, parameter_names=["fast", "slow"], fills=fills, equity=equities,
                           config=base_config(), market_data=md, keep="all")  # fmt: skip

    export()
    assert validate_tree(out).ok
    stale = out / ".fills.tmp-0123abcd" / "hash_bucket=a"
    stale.mkdir(parents=True)
    (stale / "part-0.parquet").write_bytes(b"half")
    outcome = validate_tree(out)
    assert [(p.file, p.message) for p in outcome.problems] == [(".fills.tmp-0123abcd", LEFTOVER)]
    export()  # the next export of the run removes it
    assert not (out / ".fills.tmp-0123abcd").exists() and validate_tree(out).ok
