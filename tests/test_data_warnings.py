"""Data that loads but looks wrong is reported: a long gap and timestamps with several UTC offsets (#26)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.data import load_ohlcv, load_sample

HEADER = "timestamp,open,high,low,close,volume\n"


def _write(path: Path, stamps: list[str]) -> Path:
    path.write_text(HEADER + "".join(f"{t},10,11,9,10.5,100\n" for t in stamps), encoding="utf-8")
    return path


def test_a_six_year_gap_is_a_warning_with_its_dates(tmp_path: Path) -> None:
    days = [d.strftime("%Y-%m-%d") for d in pd.date_range("2010-01-01", periods=50, freq="D")]
    later = [d.strftime("%Y-%m-%d") for d in pd.date_range("2016-06-01", periods=50, freq="D")]
    path = _write(tmp_path / "gap.csv", days + later)
    data = load_ohlcv(path)
    assert data.warnings == (
        f"{path}: 1 gap(s) longer than 30 bar spacings; the longest, 6.3 years, between 2010-02-19T00:00:00+00:00 "
        "and 2016-06-01T00:00:00+00:00",
    )
    res = CliRunner().invoke(main, ["data", "check", str(path), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["warnings"] == list(data.warnings)


def test_several_utc_offsets_are_a_warning(tmp_path: Path) -> None:
    stamps = [f"2024-01-{i + 1:02d}T00:00:00{'+01:00' if i % 2 else '-04:00'}" for i in range(30)]
    data = load_ohlcv(_write(tmp_path / "mixed.csv", stamps))
    assert [w.split(": ", 1)[1] for w in data.warnings] == [
        "timestamps carry 2 different UTC offsets (+0100, -0400): all were converted to UTC, so bars may not be "
        "evenly spaced (check the time frame)"
    ]
    one = load_ohlcv(_write(tmp_path / "one.csv", [f"2024-01-{i + 1:02d}T00:00:00+01:00" for i in range(30)]))
    assert one.warnings == ()


def test_the_samples_weekends_and_holidays_are_not_gaps() -> None:
    assert all(load_sample(name).warnings == () for name in ("GOOG_1d", "EURUSD_1h", "SPX_1d", "NASDAQ_1d"))
