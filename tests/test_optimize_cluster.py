"""optimize(..., cluster=...) / --cluster on Dask: the same result set as local threads (C# and Python),
a worker killed mid-run, resume across backends both ways, Ctrl-C on the cluster, bad addresses.

Clusters stay at 2 worker processes of 1 thread each. No assertion depends on the wall clock: an
interruption is a SIGINT raised from the run's own ``on_result`` callback after a given record.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pystocksharp.backtest import BacktestSettings, load_data
from pystocksharp.errors import InputError
from pystocksharp.optimization import cluster as C
from pystocksharp.optimization import optimize
from pystocksharp.optimization.checkpoint import RESULTS_FILE, CaptureStore, CombinationRecord, read_results
from pystocksharp.optimization.workers import ComboTask
from pystocksharp.parameters import parameter_hash, with_others
from pystocksharp.resolver import resolve_strategy

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[1]
GOOG = str(ROOT / "pystocksharp" / "sample_data" / "GOOG_1d.csv")
STRATEGIES = ROOT / "tests" / "cluster_strategies.py"
DIES_ONCE = f"{STRATEGIES}:DiesOnce"
GRID = ["fast=5:30:5", "slow=40:80:10"]  # 6 x 5 = 30 combinations, all fast < slow
BIG_GRID = ["fast=5:30:5", "slow=40:120:10"]  # 6 x 9 = 54 combinations, all fast < slow


def raw_hashes(out: Path) -> list[str]:
    """Every parameter hash in results.jsonl, line by line (read_results would hide a repeat)."""
    lines = (out / RESULTS_FILE).read_bytes().splitlines()
    return [CombinationRecord.model_validate_json(line).parameter_hash for line in lines]


def result_set(out: Path) -> dict[str, dict[str, Any]]:
    """The records by parameter hash, without wall times: parameters, summary, metrics, errors."""
    return {r.parameter_hash: r.model_dump(exclude={"wall_ms"}) for r in read_results(out / RESULTS_FILE).records}


def interrupt_after(n: int) -> Any:
    """An ``on_result`` callback that presses Ctrl-C (once) when the ``n``-th combination is recorded."""
    seen = [0]

    def on_result(record: CombinationRecord) -> None:
        seen[0] += 1
        if seen[0] == n:
            signal.raise_signal(signal.SIGINT)

    return on_result


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A running scheduler with 2 one-thread worker processes, reached as tcp://HOST:PORT."""
    with distributed.LocalCluster(**C.local_cluster_options(2)) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """BIG_GRID of sma_cross run in one go on local engine threads."""
    out = tmp_path_factory.mktemp("uninterrupted") / "run"
    result = optimize("sma_cross", GOOG, grid=BIG_GRID, workers=2, out=out, commission=0.001, keep_fills=True)
    assert (result.completed, result.failed) == (54, 0)
    return result_set(out)


# ---- the same results on every backend ---------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["sma_cross", "sma_cross_py"])
def test_local_threads_and_a_local_cluster_give_identical_result_sets(strategy: str, tmp_path: Path) -> None:
    here = optimize(strategy, GOOG, grid=GRID, workers=2, out=tmp_path / "here", commission=0.001)
    there = optimize(strategy, GOOG, grid=GRID, cluster="local:2", out=tmp_path / "there", commission=0.001)
    assert (here.completed, there.completed, there.failed, there.abort_reason) == (30, 30, 0, None)
    local, remote = result_set(tmp_path / "here"), result_set(tmp_path / "there")
    assert local == remote  # parameters, hashes, summaries and every metric, exactly
    assert sorted(raw_hashes(tmp_path / "there")) == sorted(local)  # each once
    # not vacuous: 30 distinct combinations with differing outcomes and metrics computed on the workers
    assert len({r["net_profit"] for r in remote.values()}) > 10
    assert all(r["metrics"]["sharpe_ratio"] is not None for r in remote.values())
    first = next(iter(remote.values()))
    # the hash is of the whole parameter record: the grid's values over the strategy's other parameters
    assert there.spec.fixed_parameters == here.spec.fixed_parameters and "volume" in there.spec.fixed_parameters
    assert sorted(first["parameters"]) == ["fast", "slow"] and first["parameter_hash"] == parameter_hash(
        with_others(first["parameters"], there.spec.fixed_parameters)
    )
    # captures the workers sent back (Parquet bytes) and the client wrote, equal to the local ones
    for h in sorted(local)[::7]:
        pd.testing.assert_frame_equal(here.fills(h), there.fills(h))
        pd.testing.assert_frame_equal(here.equity(h), there.equity(h))
    assert len(there.equity(sorted(local)[0])) == 2148


def test_a_cs_file_and_an_importable_class_give_the_same_result_sets_on_a_cluster(
    tmp_path: Path, scheduler: str
) -> None:
    from cluster_strategies import DiesOnce  # noqa: PLC0415 (tests/ is on sys.path, also in the workers)

    cases = [
        (f"{ROOT / 'strategies' / 'SmaCrossFile.cs'}:SmaCrossFile", GRID, 30),
        (DiesOnce, ["entry=5:30:5", "hold=15:35:10"], 18),  # not the combination it may die on
    ]
    for i, (strategy, grid, n) in enumerate(cases):
        here = optimize(strategy, GOOG, grid=grid, workers=2, out=tmp_path / f"here{i}")
        there = optimize(strategy, GOOG, grid=grid, cluster=scheduler, out=tmp_path / f"there{i}")
        assert (here.completed, there.completed, there.failed, there.abort_reason) == (n, n, 0, None)
        assert result_set(tmp_path / f"there{i}") == result_set(tmp_path / f"here{i}")
        assert len({r.net_profit for r in read_results(tmp_path / f"there{i}" / RESULTS_FILE).records}) > 3


def test_a_genetic_search_and_the_progress_bar_work_on_a_cluster(tmp_path: Path, scheduler: str) -> None:
    search = {"kind": "genetic", "population": 12, "generations": 4, "seed": 7}
    grid = ["fast=2:40:2", "slow=10:200:10"]
    here = optimize("sma_cross", GOOG, grid=grid, constraints=["fast < slow"], search=search, workers=2,
                    keep_fills=False, out=tmp_path / "here")  # fmt: skip
    updates: list[Any] = []
    there = optimize("sma_cross", GOOG, grid=grid, constraints=["fast < slow"], search=search, cluster=scheduler,
                     keep_fills=False, out=tmp_path / "there", progress=updates.append)  # fmt: skip
    # generation by generation the same children of the same parents: the same evaluations
    assert there.evaluations == here.evaluations == len(result_set(tmp_path / "here")) > 12
    assert result_set(tmp_path / "there") == result_set(tmp_path / "here")
    assert there.search_report.best_parameters == here.search_report.best_parameters
    done = [u.done for u in updates]  # an update per record (and one when the search ends)
    assert done == sorted(done) and set(done) == set(range(there.evaluations + 1))
    assert updates[-1].total == there.evaluations and updates[-1].failed == 0


# ---- lost workers -----------------------------------------------------------------------------------


def test_a_worker_killed_mid_run_leaves_every_combination_recorded_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = ["entry=5:50:5", "hold=10:40:10"]  # 10 x 4 = 40 combinations, in chunks of 4
    reference = optimize(DIES_ONCE, GOOG, grid=grid, workers=1, out=tmp_path / "reference")  # marker unset
    assert reference.completed == 40
    marker = tmp_path / "died"
    monkeypatch.setenv("PYSTOCKSHARP_TEST_DIE_MARKER", str(marker))  # inherited by the spawned workers
    result = optimize(DIES_ONCE, GOOG, grid=grid, cluster="local:2", batch_size=4, out=tmp_path / "run")
    assert marker.exists()  # a worker process did exit on entry=25, hold=20, in the middle of the grid
    assert int(marker.read_text()) != os.getpid()
    assert (result.completed, result.failed, result.abort_reason) == (40, 0, None)
    hashes = raw_hashes(tmp_path / "run")
    assert len(hashes) == len(set(hashes)) == 40  # the lost chunk ran again; nothing recorded twice
    assert result_set(tmp_path / "run") == result_set(tmp_path / "reference")


def test_a_chunk_that_kills_every_worker_stops_the_run_keeping_what_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = ["entry=5:50:5", "hold=10:40:10"]
    monkeypatch.setenv("PYSTOCKSHARP_TEST_DIE_MARKER", "always")
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # the first death is the last
        result = optimize(DIES_ONCE, GOOG, grid=grid, cluster="local:2", batch_size=4, out=tmp_path / "run")
    assert result.abort_reason is not None and result.abort_reason.startswith("cluster workers kept dying on a chunk")
    assert result.abort_reason.endswith("finished combinations are kept")
    hashes = raw_hashes(tmp_path / "run")
    assert len(hashes) == len(set(hashes)) == result.completed < 40
    assert {"entry": 25, "hold": 20} not in [r["parameters"] for r in result_set(tmp_path / "run").values()]
    monkeypatch.delenv("PYSTOCKSHARP_TEST_DIE_MARKER")
    resumed = optimize(DIES_ONCE, GOOG, grid=grid, workers=1, out=tmp_path / "run", resume=True)
    assert (resumed.completed, resumed.failed, resumed.abort_reason) == (40, 0, None)
    assert len(set(raw_hashes(tmp_path / "run"))) == len(raw_hashes(tmp_path / "run")) == 40


# ---- resume across backends, Ctrl-C -------------------------------------------------------------------


def test_a_run_interrupted_locally_resumes_on_a_cluster(
    tmp_path: Path, scheduler: str, uninterrupted: dict[str, dict[str, Any]]
) -> None:
    out = tmp_path / "run"
    first = optimize("sma_cross", GOOG, grid=BIG_GRID, workers=2, batch_size=4, out=out, commission=0.001,
                     on_result=interrupt_after(6), keep_fills=True)  # fmt: skip
    assert first.interrupted and 6 <= first.completed < 54
    before = set(raw_hashes(out))
    second = optimize("sma_cross", GOOG, grid=BIG_GRID, cluster=scheduler, batch_size=4, out=out, resume=True,
                      commission=0.001, keep_fills=True)  # fmt: skip
    assert (second.completed, second.failed, second.interrupted) == (54, 0, False)
    hashes = raw_hashes(out)
    assert len(hashes) == len(set(hashes)) == 54 and before <= set(hashes)
    assert result_set(out) == uninterrupted
    store = CaptureStore(out / "captures")
    assert all(store.has(h) for h in hashes)  # captures of both backends
    # each worker built the run's engine state (candle series, strategy factory) once for its many chunks
    with distributed.Client(scheduler, set_as_default=False) as client:
        built = client.run(C.built_here)
    assert len(built) == 2 and all(set(counts.values()) == {1} for counts in built.values())


def test_ctrl_c_on_a_cluster_keeps_what_finished_and_resumes_locally(
    tmp_path: Path, scheduler: str, uninterrupted: dict[str, dict[str, Any]]
) -> None:
    out = tmp_path / "run"
    first = optimize("sma_cross", GOOG, grid=BIG_GRID, cluster=scheduler, batch_size=4, out=out,
                     commission=0.001, on_result=interrupt_after(5), keep_fills=True)  # fmt: skip
    # the chunk being recorded is finished; at most 2 x 2 chunks of 4 were in flight: finished or cancelled
    assert first.interrupted and first.abort_reason is None
    assert 8 <= first.completed <= 8 + 16 < 54
    done = raw_hashes(out)
    assert len(done) == len(set(done)) == first.completed
    second = optimize("sma_cross", GOOG, grid=BIG_GRID, workers=2, out=out, resume=True, commission=0.001,
                      keep_fills=True)
    assert (second.completed, second.failed, second.interrupted) == (54, 0, False)
    hashes = raw_hashes(out)
    assert len(hashes) == len(set(hashes)) == 54 and hashes[: len(done)] == done
    assert result_set(out) == uninterrupted


# ---- what a remote worker without the files gets --------------------------------------------------------


def test_a_worker_without_the_strategy_file_runs_the_text_sent_with_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "worker-tmp"))  # where the worker writes the text
    copy = tmp_path / "mine" / "cluster_strategies.py"
    copy.parent.mkdir()
    copy.write_bytes(STRATEGIES.read_bytes())
    spec = f"{copy}:DiesOnce"
    settings = BacktestSettings()
    ohlcv = load_data(GOOG)
    job = C.cluster_job(spec, resolve_strategy(spec), ohlcv, ["entry", "hold"], fingerprint="test",
                        settings=settings, keep_fills=True, with_metrics=True)  # fmt: skip
    assert job.source == STRATEGIES.read_bytes() and job.source_name == "cluster_strategies.py"
    copy.unlink()  # as on another machine: the path does not exist there
    combos = [{"entry": 5, "hold": 10}, {"entry": 7, "hold": 30}]
    tasks = [ComboTask(i, parameter_hash(c), c) for i, c in enumerate(combos)]
    result = C.run_chunk(job, tasks)
    assert (tmp_path / "worker-tmp" / "pystocksharp-cluster").is_dir()
    assert [r.error for r in result.records] == [None, None]
    assert [r.round_trips for r in result.records] == [1, 1]
    assert [r.parameters for r in result.records] == combos
    # its captures, encoded on the worker, written by the client's store
    store = CaptureStore(tmp_path / "captures")
    store.write_files(result.captures)
    assert (store.root / "bars.parquet").is_file() and len(list(store.root.rglob("*.parquet"))) == 1 + 2 * 2
    fills = store.fills(tasks[1].parameter_hash)
    assert fills["side"].tolist() == [1, -1] and len(store.equity(tasks[1].parameter_hash)) == 2148


# ---- chunks ----------------------------------------------------------------------------------------------


def test_chunks_are_many_combinations_and_a_small_rest_is_spread_over_the_worker_threads() -> None:
    tasks = [ComboTask(i, f"h{i}", {"x": i}) for i in range(100)]
    # 16 at a time while 2 x 16 are at hand; the last 20 (fewer than 32) in 2 even chunks
    assert [len(c) for c in C.spread_chunks(iter(tasks), 16, 2)] == [16, 16, 16, 16, 16, 10, 10]
    assert [t for c in C.spread_chunks(iter(tasks), 16, 2) for t in c] == tasks  # in order, each once
    assert [len(c) for c in C.spread_chunks(iter(tasks[:30]), 16, 2)] == [15, 15]
    assert [len(c) for c in C.spread_chunks(iter(tasks[:3]), 16, 2)] == [2, 1]
    assert list(C.spread_chunks(iter([]), 16, 2)) == []


# ---- bad addresses -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["local:0", "local:x", "local:", "local:-2", "foo://", "bogus", "tcp://", "tcp://host", "tcp://:8786",
              "tcp://host:0", "tcp://host:99999", "http://host:8786"]
)  # fmt: skip
def test_bad_cluster_addresses_are_refused_saying_what_was_expected(value: str) -> None:
    with pytest.raises(InputError) as info:
        C.parse_cluster(value)
    problem = info.value.problems[0]
    assert problem.field == "cluster"
    assert repr(value.strip()) in info.value.summary
    assert "local:N" in problem.message or "tcp://HOST:PORT" in problem.message


def test_good_cluster_addresses() -> None:
    assert C.parse_cluster("local:3").local_workers == 3
    where = C.parse_cluster(" tcp://10.0.0.5:8786 ")
    assert (where.scheduler, where.local_workers) == ("tcp://10.0.0.5:8786", None)


def test_bad_or_unreachable_cluster_fails_before_anything_runs_or_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[CombinationRecord] = []
    with pytest.raises(InputError) as info:
        optimize("sma_cross", GOOG, grid=GRID, cluster="local:0", out=tmp_path / "a", on_result=seen.append)
    assert info.value.problems[0].field == "cluster"
    monkeypatch.setattr(C, "CONNECT_TIMEOUT_S", 0.5)
    with socket.socket() as sock:  # a port nothing listens on: bound, never listened to
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
        with pytest.raises(InputError) as info:
            optimize("sma_cross", GOOG, grid=GRID, cluster=address, out=tmp_path / "b", on_result=seen.append)
    assert f"cannot reach the Dask scheduler at {address}" in info.value.summary
    assert info.value.problems[0].field == "cluster" and "dask scheduler" in info.value.problems[0].message
    assert seen == [] and not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_class_workers_cannot_import_is_refused_for_a_cluster(tmp_path: Path) -> None:
    from pystocksharp.strategy import Param, Strategy  # noqa: PLC0415

    class Local(Strategy):
        n = Param(1)

    with pytest.raises(InputError) as info:
        optimize(Local, GOOG, grid=["n=1,2"], cluster="local:2", out=tmp_path / "run")
    assert info.value.problems[0].field == "strategy" and "cannot import" in info.value.problems[0].message
    assert not (tmp_path / "run").exists()


# ---- command line ------------------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pystocksharp", "optimize", *args], capture_output=True, text=True,
                          timeout=600)  # fmt: skip


def test_cli_cluster_local_2_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = _cli("-s", "sma_cross", "-d", "sample:GOOG_1d", "--grid", "fast=5:30:5", "--grid", "slow=40:80:10",
                "--cluster", "local:2", "--out", str(out), "--keep", "3", "--no-report", "--no-progress", "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert (payload["total"], payload["completed"], payload["succeeded"], payload["failed"]) == (30, 30, 30, 0)
    assert len(raw_hashes(out / "checkpoint")) == 30 and payload["run_dir"] is not None


@pytest.mark.parametrize("value", ["local:0", "bogus"])
def test_cli_bad_cluster_exits_2_writing_nothing(tmp_path: Path, value: str) -> None:
    out = tmp_path / "run"
    proc = _cli("-s", "sma_cross", "-d", "sample:GOOG_1d", "--grid", "fast=5:10:5", "--grid", "slow=20:30:10",
                "--cluster", value, "--out", str(out), "--no-progress", "--json")  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["error"] == "bad_input" and payload["message"] == f"bad cluster address {value!r}"
    assert payload["problems"][0].startswith("field 'cluster': ")
    assert not out.exists()


def test_cli_ctrl_c_in_a_terminal_stops_a_local_cluster_run_cleanly(tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal sends it (652 combinations, stopped after 20): the
    workers ignore it, the run stops."""
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "pystocksharp", "optimize", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--grid",
           "fast=1:40:1", "--grid", "slow=5:100:5", "--constraint", "fast < slow", "--cluster", "local:2",
           "--no-progress", "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    results = out / "checkpoint" / RESULTS_FILE
    while not results.exists() or results.read_bytes().count(b"\n") < 20:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, stderr.decode()
    lines = stderr.decode().splitlines()
    assert any(line.startswith("interrupted: ") and line.endswith("/652 done; resume with:") for line in lines)
    assert any("--cluster local:2" in line and line.rstrip().endswith("--resume") for line in lines)
    hashes = raw_hashes(out / "checkpoint")
    assert 20 <= len(hashes) == len(set(hashes)) < 652
