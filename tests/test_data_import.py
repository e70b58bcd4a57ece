"""`pystocksharp data import/check/samples`: a failed import leaves the store byte-identical."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.data import EXPECTED_HEADER, import_to_store, load_ohlcv, sample_path
from pystocksharp.errors import InputError


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden temporaries included) with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def bad_csv(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(
        EXPECTED_HEADER + "\n2020-01-01,10,12,9,11,100\n2020-01-02,10,9,8,11,100\n2020-01-02,10,12,9,11,-1\n",
        encoding="utf-8",
    )
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_writes_the_store_file(tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, out, _ = run(
        "data",
        "import",
        str(sample_path("GOOG_1d")),
        "--symbol",
        "GOOG",
        "--timeframe",
        "1d",
        "--store",
        str(store),
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    target = store / "GOOG" / "1d.parquet"
    assert result["store_path"] == str(target) and result["bars"] == 2148
    assert result["start"] == "2004-08-19T00:00:00+00:00"
    pd.testing.assert_frame_equal(load_ohlcv(target).frame, load_ohlcv(sample_path("GOOG_1d")).frame)
    assert [p.name for p in (store / "GOOG").iterdir()] == ["1d.parquet"]  # no temporary left behind


def test_failed_import_leaves_store_byte_identical(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert (
        run(
            "data",
            "import",
            str(sample_path("GOOG_1d")),
            "--symbol",
            "GOOG",
            "--timeframe",
            "1d",
            "--store",
            str(store),
        )[0]
        == 0
    )
    before = snapshot(store)
    code, out, _ = run(
        "data",
        "import",
        str(bad_csv(tmp_path)),
        "--symbol",
        "GOOG",
        "--timeframe",
        "1d",
        "--store",
        str(store),
        "--json",
    )
    assert code == 2
    error = json.loads(out)
    assert error["error"] == "bad_input" and "bad.csv" in error["message"]
    assert any(":3, field 'high'" in p for p in error["problems"])
    assert any(":4, field 'timestamp'" in p for p in error["problems"])
    assert any(":4, field 'volume'" in p for p in error["problems"])
    assert snapshot(store) == before


def test_failed_import_into_a_new_store_creates_nothing(tmp_path: Path) -> None:
    store = tmp_path / "fresh"
    with pytest.raises(InputError):
        import_to_store(bad_csv(tmp_path), symbol="X", timeframe="1d", store=store)
    assert not store.exists()


def test_import_rejects_a_symbol_with_path_separators(tmp_path: Path) -> None:
    code, _, err = run(
        "data",
        "import",
        str(sample_path("GOOG_1d")),
        "--symbol",
        "../x",
        "--timeframe",
        "1d",
        "--store",
        str(tmp_path / "s"),
    )
    assert code == 2 and "symbol" in err
    assert not (tmp_path / "s").exists()


def test_import_rejects_a_bad_timeframe(tmp_path: Path) -> None:
    code, _, err = run(
        "data",
        "import",
        str(sample_path("GOOG_1d")),
        "--symbol",
        "G",
        "--timeframe",
        "daily",
        "--store",
        str(tmp_path / "s"),
    )
    assert code == 2 and "1d" in err


def test_check_exit_codes_and_problem_list(tmp_path: Path) -> None:
    code, out, _ = run("data", "check", str(sample_path("SPX_1d")), "--json")
    assert code == 0 and json.loads(out)["summary"]["bars"] == 5031
    code, out, _ = run("data", "check", str(bad_csv(tmp_path)), "--json")
    result = json.loads(out)
    assert code == 1 and result["ok"] is False and len(result["problems"]) == 3
    code, _, err = run("data", "check", str(bad_csv(tmp_path)))
    assert code == 1 and "field 'high'" in err
    code, _, _ = run("data", "check", str(tmp_path / "missing.csv"))
    assert code == 2


def test_samples_command_lists_the_packaged_files() -> None:
    code, out, _ = run("data", "samples", "--json")
    assert code == 0
    names = [s["name"] for s in json.loads(out)["samples"]]
    assert names == ["EURUSD_1h", "GOOG_1d", "NASDAQ_1d", "SPX_1d"]
