"""Calendars of several instruments: missing and extra bars are reported, by hand and on the real SPX/NASDAQ pair."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp.alignment import align, calendar_report
from pystocksharp.backtest import CalendarWarning, backtest
from pystocksharp.cli import main
from pystocksharp.data import load_ohlcv, load_sample


def _days(*days: int) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(2024, 1, d, tz="UTC") for d in days])


def test_missing_extra_and_the_longest_gap_by_hand() -> None:
    # primary: the 1st..10th; other: from the 2nd, without the 4th, 5th, 6th and 9th, and a bar on the 11th, outside
    # the primary's span (not counted): the common span is the 2nd..10th, 9 primary bars
    other = _days(2, 3, 7, 8, 10, 11)
    s = align(_days(*range(1, 11)), other, symbol="B", timeframe="1d")
    assert (s.overlap_bars, s.missing, s.extra, s.longest_gap) == (9, 4, 0, 3)
    assert s.first_missing == [f"2024-01-0{d}T00:00:00+00:00" for d in (4, 5, 6, 9)]
    t = align(_days(1, 2, 4), _days(1, 2, 3, 4), symbol="C", timeframe="1d")
    assert (t.missing, t.extra, t.first_extra) == (0, 1, ["2024-01-03T00:00:00+00:00"])


def test_spx_and_nasdaq_line_up_and_other_time_frames_are_not_compared() -> None:
    spx, ndx = load_sample("SPX_1d"), load_sample("NASDAQ_1d")
    report = calendar_report([spx, ndx])
    assert report.aligned and report.series[0].overlap_bars == 5031 and report.lines() == []
    weekly = load_ohlcv(ndx.frame.resample("W").agg({"open": "first", "high": "max", "low": "min", "close": "last",
                                                     "volume": "sum"}).dropna(), symbol="NDXW")  # fmt: skip
    [row] = calendar_report([spx, weekly]).series
    assert not row.compared and row.missing == 0


def test_a_backtest_on_data_with_holes_warns_and_the_cli_reports_it(tmp_path: Path) -> None:
    ndx = load_sample("NASDAQ_1d").frame
    holes = ndx.drop(ndx.index[[100, 101, 102, 2000]])
    path = tmp_path / "NDX_1d.csv"
    holes.reset_index().to_csv(path, index=False)
    data = {"SPX": "sample:SPX_1d", "NDX": str(path)}
    with pytest.warns(CalendarWarning, match=r"NDX has no bar on 4 of SPX's 5031 bars \(longest run 3; first 1999-05-27"):
        result = backtest("strategies/PairsSpread.cs", data)
    assert result.calendar.series[0].missing == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarWarning)  # aligned data: no warning
        backtest("strategies/PairsSpread.cs", {"SPX": "sample:SPX_1d", "NDX": "sample:NASDAQ_1d"})
    args = ["backtest", "-s", "strategies/PairsSpread.cs", "--data", "SPX=sample:SPX_1d", "--data", f"NDX={path}"]
    res = CliRunner().invoke(main, [*args, "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["calendar"]["series"][0]["missing"] == 4 and payload["calendar"]["series"][0]["longest_gap"] == 3
    text = CliRunner().invoke(main, args)
    assert "warning: calendars differ: NDX has no bar on 4 of SPX's 5031 bars" in text.stderr
