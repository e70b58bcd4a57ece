"""The results log (append, fsync, torn-line tolerance), run spec and capture store round trips."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pystocksharp.errors import InputError
from pystocksharp.optimization.checkpoint import (
    CaptureStore,
    CombinationRecord,
    ResultsLog,
    RunSpec,
    read_results,
    read_run_spec,
    records_frame,
    write_run_spec,
)


def _record(i: int, **kw: object) -> CombinationRecord:
    base: dict[str, object] = {
        "index": i,
        "parameter_hash": f"hash{i:02d}",
        "parameters": {"fast": 5 + i, "slow": 20.5, "mode": "x", "flag": True},
        "net_profit": 10.0 * i,
        "round_trips": i,
        "metrics": {"sharpe_ratio": 0.1 * i, "sortino_ratio": None},
        "wall_ms": 1.5,
    }
    base.update(kw)
    return CombinationRecord.model_validate(base)


def test_append_then_read_round_trips_types_and_nan(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with ResultsLog.open(path) as log:
        log.append(_record(0))
        log.append(_record(1, metrics={"sharpe_ratio": math.nan}))
    out = read_results(path)
    assert out.torn_bytes == 0 and out.good_bytes == path.stat().st_size
    assert [r.index for r in out.records] == [0, 1]
    first = out.records[0]
    # int stays int, float float, bool bool, str str
    assert first.parameters == {"fast": 5, "slow": 20.5, "mode": "x", "flag": True}
    assert type(first.parameters["fast"]) is int and type(first.parameters["flag"]) is bool
    assert out.records[1].metrics == {"sharpe_ratio": None}  # NaN is stored as null


def test_torn_last_line_is_dropped_and_truncated_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with ResultsLog.open(path) as log:
        log.append(_record(0))
        log.append(_record(1))
    intact = path.stat().st_size
    with open(path, "ab") as fh:  # what SIGKILL in the middle of a write leaves
        fh.write(_record(2).model_dump_json().encode()[:37])
    out = read_results(path)
    assert [r.index for r in out.records] == [0, 1]
    assert out.good_bytes == intact and out.torn_bytes == 37
    with ResultsLog.open(path) as log:
        log.append(_record(2))
    assert [r.index for r in read_results(path).records] == [0, 1, 2]


def test_corrupt_middle_line_is_an_input_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    lines = [_record(0).model_dump_json(), "{not json", _record(1).model_dump_json()]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        read_results(path)
    assert info.value.problems[0].line == 2


def test_duplicate_hash_keeps_first(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with ResultsLog.open(path) as log:
        log.append(_record(0))
        log.append(_record(0, net_profit=-1.0))
    assert [r.net_profit for r in read_results(path).records] == [0.0]


def test_run_spec_round_trip_and_mismatches(tmp_path: Path) -> None:
    spec = RunSpec(
        strategy="sma_cross", strategy_kind="csharp", data="x.csv", data_fingerprint="1:abc", total=4
    )
    write_run_spec(tmp_path, spec)
    again = read_run_spec(tmp_path)
    assert again == spec
    assert spec.mismatches(spec.model_copy(update={"total": 5, "grid": ["a=1:2:1"]})) == ["grid", "total"]
    assert read_run_spec(tmp_path / "none") is None


def _equity(n: int, scale: float) -> pa.RecordBatch:
    times = pd.date_range("2024-01-01", periods=n, freq="min", tz="UTC")
    return pa.RecordBatch.from_pydict(
        {
            "time": pa.array(times),
            "close": np.arange(n, dtype=float) + 100.0,
            "position": np.zeros(n),
            "equity": np.full(n, 1000.0) * scale,
        }
    )


def test_capture_store_writes_shared_bars_once_and_rejoins_them(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path / "captures")
    fills = pa.RecordBatch.from_pydict({"bar": pa.array([1, 3], pa.int32()), "price": [101.0, 103.0]})
    store.write("sha256:ab12", fills, _equity(5, 1.0))
    store.write("sha256:cd34", fills.slice(0, 1), _equity(5, 2.0))
    assert sorted(store.keys()) == ["ab12", "cd34"]
    assert store.has("sha256:ab12") and not store.has("sha256:ef56")
    # per-combination equity files hold only the columns of their own
    assert set(pd.read_parquet(tmp_path / "captures" / "ab" / "ab12.equity.parquet").columns) == {
        "position",
        "equity",
    }
    eq = store.equity("sha256:cd34")
    assert list(eq.columns) == ["time", "close", "position", "equity"]
    assert eq["close"].tolist() == [100.0, 101.0, 102.0, 103.0, 104.0]
    assert eq["equity"].tolist() == [2000.0] * 5
    assert str(eq["time"].dt.tz) == "UTC"
    assert store.fills("sha256:cd34")["price"].tolist() == [101.0]
    with pytest.raises(KeyError):
        store.fills("sha256:ef56")


def test_records_frame_has_one_row_per_record_with_params_summary_and_metrics() -> None:
    recs = [_record(0), _record(1, error="ValueError: boom", net_profit=None, metrics={})]
    frame = records_frame(recs, ["fast", "slow"])
    assert list(frame.columns[:4]) == ["index", "fast", "slow", "parameter_hash"]
    assert frame["fast"].tolist() == [5, 6]
    assert frame["net_profit"].iloc[0] == 0.0 and math.isnan(frame["net_profit"].iloc[1])
    assert frame["sharpe_ratio"].iloc[0] == 0.0 and math.isnan(frame["sharpe_ratio"].iloc[1])
    assert frame["error"].isna().tolist() == [True, False]
    assert frame["error"].iloc[1] == "ValueError: boom"


def _task(i: int) -> Any:
    from pystocksharp.optimization.workers import ComboTask  # noqa: PLC0415

    return ComboTask(i, f"hash{i:02d}", {"fast": 5 + i})


def test_in_flight_log_names_the_combinations_started_and_not_recorded(tmp_path: Path) -> None:
    from pystocksharp.optimization.checkpoint import IN_FLIGHT_FILE, InFlightLog  # noqa: PLC0415

    log = InFlightLog.open(tmp_path, {})
    assert log.suspects == [] and not (tmp_path / IN_FLIGHT_FILE).exists()
    log.started([_task(0), _task(1), _task(2)])
    log.close()  # not finished: the run stopped with these in flight
    with open(tmp_path / IN_FLIGHT_FILE, "ab") as fh:  # what SIGKILL in the middle of a write leaves
        fh.write(b'{"index": 3, "parameter_ha')
    again = InFlightLog.open(tmp_path, {"hash01": None})  # hash01 was recorded before the stop
    assert [(s.index, s.parameter_hash, s.parameters, s.ran_alone) for s in again.suspects] == [
        (0, "hash00", {"fast": 5}, False),
        (2, "hash02", {"fast": 7}, False),
    ]
    # rewritten with the suspects only (the torn line and the recorded combination are gone)
    assert (tmp_path / IN_FLIGHT_FILE).read_text().count("\n") == 2
    again.started([_task(0)], alone=True)  # the resume runs hash00 alone ... and the run is killed
    again.close()
    third = InFlightLog.open(tmp_path, {})
    assert [(s.parameter_hash, s.ran_alone) for s in third.suspects] == [("hash00", True), ("hash02", False)]
    third.released([_task(0)])  # a Ctrl-C stopped it: no evidence against it
    third.close()
    fourth = InFlightLog.open(tmp_path, {"hash02": None})
    assert [(s.parameter_hash, s.ran_alone) for s in fourth.suspects] == [("hash00", False)]
    fourth.finished = True  # every combination started was recorded
    fourth.close()
    assert not (tmp_path / IN_FLIGHT_FILE).exists()


def test_memory_limits_parse_in_powers_of_1024_and_bad_ones_are_refused() -> None:
    from pystocksharp.optimization.isolation import Limits, check_limits, parse_memory  # noqa: PLC0415

    assert parse_memory("2G") == parse_memory("2GB") == parse_memory("2 GiB") == 2 * 1024**3
    assert parse_memory("512m") == 512 * 1024**2 and parse_memory("1.5G") == 1536 * 1024**2
    assert parse_memory(4096) == 4096
    for bad in ("", "G", "-1G", "0", "2X", "two gigs"):
        with pytest.raises(ValueError):
            parse_memory(bad)
    assert check_limits(None, None) == Limits() and not Limits().any
    assert check_limits(2, "1G") == Limits(2.0, 1024**3)
    with pytest.raises(InputError) as info:
        check_limits(-1, "1K")
    assert [p.field for p in info.value.problems] == ["combination_timeout", "memory_limit"]
