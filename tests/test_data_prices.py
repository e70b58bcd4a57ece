"""Prices must be finite and > 0 unless the instrument allows zero or negative prices (issue: a zero open let a
buy return +20 % instead of +2.2 %)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.data import load_ohlcv, sample_path
from pystocksharp.errors import InputError


def _with_bad_rows(tmp_path: Path) -> Path:
    lines = Path(sample_path("GOOG_1d")).read_text().splitlines()
    cells = lines[5].split(",")  # CSV line 6
    cells[1] = cells[2] = cells[3] = cells[4] = "0"  # a bar at 0
    lines[5] = ",".join(cells)
    cells = lines[9].split(",")  # CSV line 10: a consistent negative bar
    cells[1:5] = ["-50", "-40", "-60", "-55"]
    lines[9] = ",".join(cells)
    path = tmp_path / "bad_prices.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_zero_and_negative_prices_are_rejected_with_line_and_field(tmp_path: Path) -> None:
    path = _with_bad_rows(tmp_path)
    with pytest.raises(InputError) as err:
        load_ohlcv(path)
    where = {(p.line, p.field) for p in err.value.problems}
    assert where == {(6, "open"), (6, "high"), (6, "low"), (6, "close"), (10, "open"), (10, "high"), (10, "low"), (10, "close")}
    assert all("is not > 0" in p.message for p in err.value.problems)
    out = CliRunner().invoke(main, ["data", "check", str(path)])
    assert out.exit_code == 1 and "bad_prices.csv:6, field 'open': price 0 is not > 0" in out.output


def test_nonpositive_prices_load_when_allowed(tmp_path: Path) -> None:
    data = load_ohlcv(_with_bad_rows(tmp_path), allow_nonpositive_prices=True)
    assert data.frame["close"].iloc[8] == -55 and data.frame["open"].iloc[4] == 0
    out = CliRunner().invoke(main, ["data", "check", str(_with_bad_rows(tmp_path)), "--allow-nonpositive-prices"])
    assert out.exit_code == 0, out.output


def test_sample_name_works_as_a_data_argument_everywhere() -> None:
    from pystocksharp import backtest

    data = load_ohlcv("sample:GOOG_1d")
    assert (data.bars, data.symbol, data.timeframe) == (2148, "GOOG", "1d")
    assert round(backtest("sma_cross", "sample:GOOG_1d", params={"fast": 10, "slow": 20}).summary.final_equity, 2) == 11258.37
    out = CliRunner().invoke(main, ["data", "check", "sample:GOOG_1d"])
    assert out.exit_code == 0 and "2148 bars" in out.output
