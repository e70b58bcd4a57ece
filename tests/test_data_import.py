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


GOOD = ["2020-01-01,10,12,9,11,100", "2020-01-02,11,13,10,12,200", "2020-01-03,12,14,11,13,300"]
BAD_CASES = {
    # case: (header, rows, expected "file:line, field 'x'" fragment)
    "missing column": (
        "timestamp,open,high,low,close",
        [r.rsplit(",", 1)[0] for r in GOOD],
        ":1, field 'volume'",
    ),
    "extra column": (EXPECTED_HEADER + ",note", [r + ",x" for r in GOOD], ":1, field 'note'"),
    "unparsable timestamp": (
        EXPECTED_HEADER,
        [GOOD[0], "yesterday,11,13,10,12,200", GOOD[2]],
        ":3, field 'timestamp'",
    ),
    "not increasing": (EXPECTED_HEADER, [GOOD[0], GOOD[2], GOOD[1]], ":4, field 'timestamp'"),
    "duplicate": (
        EXPECTED_HEADER,
        [GOOD[0], GOOD[1], GOOD[1].replace("11,13", "12,13")],
        ":4, field 'timestamp'",
    ),
    "NaN": (EXPECTED_HEADER, [GOOD[0], "2020-01-02,11,13,10,nan,200", GOOD[2]], ":3, field 'close'"),
    "inf": (EXPECTED_HEADER, [GOOD[0], "2020-01-02,11,inf,10,12,200", GOOD[2]], ":3, field 'high'"),
    "empty value": (EXPECTED_HEADER, [GOOD[0], "2020-01-02,,13,10,12,200", GOOD[2]], ":3, field 'open'"),
    "negative volume": (
        EXPECTED_HEADER,
        [GOOD[0], GOOD[1], "2020-01-03,12,14,11,13,-300"],
        ":4, field 'volume'",
    ),
    "high below max(open, close)": (
        EXPECTED_HEADER,
        ["2020-01-01,10,10.5,9,11,100", *GOOD[1:]],
        ":2, field 'high'",
    ),
    "low above min(open, close)": (
        EXPECTED_HEADER,
        ["2020-01-01,10,12,10.5,11,100", *GOOD[1:]],
        ":2, field 'low'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_each_bad_case_names_line_and_field_and_leaves_the_store_unchanged(tmp_path: Path, case: str) -> None:
    header, rows, where = BAD_CASES[case]
    store = tmp_path / "store"
    # the store already holds a series for the same symbol and time frame
    import_to_store(sample_path("GOOG_1d"), symbol="GOOG", timeframe="1d", store=store)
    before = snapshot(store)
    bad = tmp_path / "GOOG_1d.csv"
    bad.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    code, out, _ = run(
        "data", "import", str(bad), "--symbol", "GOOG", "--timeframe", "1d", "--store", str(store), "--json"
    )
    assert code == 2
    problems = json.loads(out)["problems"]
    assert any(p.startswith(f"{bad}{where}") for p in problems), problems
    assert snapshot(store) == before
