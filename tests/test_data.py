"""Market data loading and validation: every bad-data case names its file, line and field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pystocksharp.data import (
    EXPECTED_HEADER,
    OhlcvData,
    load_ohlcv,
    load_sample,
    sample_names,
    sample_path,
    write_parquet,
)
from pystocksharp.errors import InputError, Problem

GOOD_ROWS = [
    "2020-01-01,10,12,9,11,100",
    "2020-01-02,11,13,10,12,200",
    "2020-01-03,12,14,11,13,300",
    "2020-01-06,13,15,12,14,400",
]


def write_csv(
    tmp_path: Path, rows: list[str], header: str = EXPECTED_HEADER, name: str = "TEST_1d.csv"
) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def problems_of(path: Path | pd.DataFrame, **kwargs: object) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load_ohlcv(path, **kwargs)  # type: ignore[arg-type]
    return info.value.problems


def only_problem(path: Path) -> Problem:
    problems = problems_of(path)
    assert len(problems) == 1, problems
    return problems[0]


def with_row(row_index: int, row: str) -> list[str]:
    rows = list(GOOD_ROWS)
    rows[row_index] = row
    return rows


# ---- good data ----------------------------------------------------------------------------------


def test_good_csv_layout_and_values(tmp_path: Path) -> None:
    data = load_ohlcv(write_csv(tmp_path, GOOD_ROWS))
    frame = data.frame
    assert list(frame.columns) == ["open", "high", "low", "close", "volume"]
    assert all(frame[c].dtype == np.float64 for c in frame.columns)
    assert frame.index.name == "timestamp"
    assert str(frame.index.dtype) == "datetime64[ns, UTC]"
    assert frame.index[0] == pd.Timestamp("2020-01-01", tz="UTC")
    assert frame["close"].tolist() == [11.0, 12.0, 13.0, 14.0]
    assert data.symbol == "TEST" and data.timeframe == "1d"
    assert (
        data.bars == 4 and data.start == frame.index[0] and data.end == pd.Timestamp("2020-01-06", tz="UTC")
    )
    assert data.source_path == tmp_path / "TEST_1d.csv"
    import hashlib

    assert data.sha256 == hashlib.sha256((tmp_path / "TEST_1d.csv").read_bytes()).hexdigest()


def test_naive_times_are_utc_and_offsets_are_converted(tmp_path: Path) -> None:
    rows = ["2020-01-01T09:00:00,1,2,0.5,1.5,1", "2020-01-01T12:00:00+02:00,1,2,0.5,1.5,1"]
    frame = load_ohlcv(write_csv(tmp_path, rows, name="X.csv")).frame
    # 12:00 at +02:00 is 10:00 UTC, one hour after the naive (UTC) 09:00.
    assert list(frame.index) == [
        pd.Timestamp("2020-01-01 09:00", tz="UTC"),
        pd.Timestamp("2020-01-01 10:00", tz="UTC"),
    ]


def test_symbol_and_timeframe_arguments_win_and_timeframe_is_inferred(tmp_path: Path) -> None:
    rows = [f"2020-01-01T{h:02d}:00:00,1,2,0.5,1.5,1" for h in range(0, 24, 4)]
    path = write_csv(tmp_path, rows, name="data.csv")
    inferred = load_ohlcv(path)
    assert inferred.symbol == "data" and inferred.timeframe == "4h"  # median spacing 4 hours
    given = load_ohlcv(path, symbol="EURUSD", timeframe="240min")
    assert given.symbol == "EURUSD" and given.timeframe == "4h"


def test_trailing_blank_lines_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "T.csv"
    path.write_text(EXPECTED_HEADER + "\n" + "\n".join(GOOD_ROWS) + "\n\n\n", encoding="utf-8")
    assert load_ohlcv(path).bars == 4


def test_header_is_matched_case_insensitively_in_any_order(tmp_path: Path) -> None:
    rows = ["10,12,9,11,100,2020-01-01", "11,13,10,12,200,2020-01-02"]
    path = write_csv(tmp_path, rows, header="Open,High,Low,Close,Volume,Timestamp")
    assert load_ohlcv(path).frame["high"].tolist() == [12.0, 13.0]


# ---- one test per bad-data case -----------------------------------------------------------------


def test_missing_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["2020-01-01,10,12,9,11"], header="timestamp,open,high,low,close")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (1, "volume")
    assert "missing column 'volume'" in problem.message and EXPECTED_HEADER in problem.message
    assert str(problem).startswith(f"{path}:1, field 'volume'")


def test_extra_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["2020-01-01,10,12,9,11,100,x"], header=EXPECTED_HEADER + ",note")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (1, "note")
    assert "unexpected column 'note'" in problem.message


def test_duplicate_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["2020-01-01,10,12,9,11,100,11"], header=EXPECTED_HEADER + ",close")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (1, "close") and "appears twice" in problem.message


def test_unparsable_timestamp(tmp_path: Path) -> None:
    problem = only_problem(write_csv(tmp_path, with_row(2, "Jan 3rd,12,14,11,13,300")))
    # header is line 1, GOOD_ROWS[2] is line 4
    assert (problem.line, problem.field) == (4, "timestamp")
    assert "cannot parse timestamp 'Jan 3rd'" in problem.message


def test_timestamp_outside_what_nanoseconds_hold(tmp_path: Path) -> None:
    # a year-9999 placeholder (or 1500) was a raw OutOfBoundsDatetime traceback
    problem = only_problem(write_csv(tmp_path, with_row(3, "9999-01-02,13,15,12,14,400")))
    assert (problem.line, problem.field) == (5, "timestamp")
    assert problem.message == "timestamp 9999-01-02T00:00:00+00:00 is outside the supported range 1677-09-21 .. 2262-04-11"


def test_empty_timestamp(tmp_path: Path) -> None:
    problem = only_problem(write_csv(tmp_path, with_row(1, ",11,13,10,12,200")))
    assert (problem.line, problem.field) == (3, "timestamp") and "empty timestamp" in problem.message


def test_duplicate_timestamp(tmp_path: Path) -> None:
    problem = only_problem(write_csv(tmp_path, with_row(2, "2020-01-02,12,14,11,13,300")))
    assert (problem.line, problem.field) == (4, "timestamp")
    assert "duplicate timestamp 2020-01-02T00:00:00+00:00 (first on line 3)" in problem.message


def test_timestamps_not_increasing(tmp_path: Path) -> None:
    problem = only_problem(write_csv(tmp_path, with_row(2, "2020-01-01T12:00:00,12,14,11,13,300")))
    assert (problem.line, problem.field) == (4, "timestamp")
    assert "earlier than 2020-01-02T00:00:00+00:00 on line 3" in problem.message
    assert "strictly increasing" in problem.message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("", "empty value"),
        ("abc", "not a number: 'abc'"),
        ("nan", "value is NaN"),
        ("NaN", "value is NaN"),
        ("inf", "value is infinite"),
        ("-inf", "value is infinite"),
    ],
)
def test_bad_number_in_close(tmp_path: Path, cell: str, expected: str) -> None:
    problem = only_problem(write_csv(tmp_path, with_row(3, f"2020-01-06,13,15,12,{cell},400")))
    assert (problem.line, problem.field) == (5, "close")
    assert expected in problem.message


def test_negative_volume(tmp_path: Path) -> None:
    problem = only_problem(write_csv(tmp_path, with_row(0, "2020-01-01,10,12,9,11,-5")))
    assert (problem.line, problem.field) == (2, "volume") and "negative volume -5" in problem.message


def test_high_below_max_of_open_and_close(tmp_path: Path) -> None:
    # open 10, close 11: max is 11 and high 10.5 is below it
    problem = only_problem(write_csv(tmp_path, with_row(0, "2020-01-01,10,10.5,9,11,100")))
    assert (problem.line, problem.field) == (2, "high")
    assert "high 10.5 is below max(open, close) = 11" in problem.message


def test_low_above_min_of_open_and_close(tmp_path: Path) -> None:
    # open 11, close 12: min is 11 and low 11.5 is above it
    problem = only_problem(write_csv(tmp_path, with_row(1, "2020-01-02,11,13,11.5,12,200")))
    assert (problem.line, problem.field) == (3, "low")
    assert "low 11.5 is above min(open, close) = 11" in problem.message


def test_high_below_low(tmp_path: Path) -> None:
    problem = only_problem(write_csv(tmp_path, with_row(1, "2020-01-02,11,13,14,12,200")))
    assert (problem.line, problem.field) == (3, "high") and "high 13 is below low 14" in problem.message


def test_row_with_wrong_number_of_fields(tmp_path: Path) -> None:
    problems = problems_of(write_csv(tmp_path, with_row(1, "2020-01-02,11,13,10,12,200,9")))
    assert [(p.line, p.message) for p in problems] == [(3, "expected 6 fields as in the header, found 7")]


def test_blank_line_inside_the_data(tmp_path: Path) -> None:
    problem = only_problem(write_csv(tmp_path, [GOOD_ROWS[0], "", *GOOD_ROWS[1:]]))
    assert problem.line == 3 and "empty line" in problem.message


def test_wrong_separator_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["2020-01-01;10;12;9;11;100"], header=EXPECTED_HEADER.replace(",", ";"))
    problems = problems_of(path)
    assert (
        problems[0].line == 1
        and "separator must be ','" in problems[0].message
        and "';'" in problems[0].message
    )


def test_binary_file_is_rejected_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe\x00garbage")
    (problem,) = problems_of(path)
    assert problem.file == str(path) and "not UTF-8 text" in problem.message


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "empty file" in only_problem(empty).message
    assert "no bars" in only_problem(write_csv(tmp_path, [])).message


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_ohlcv(tmp_path / "nope.csv")
    assert str(tmp_path / "nope.csv") in info.value.summary
    with pytest.raises(InputError) as info:
        load_ohlcv(tmp_path / "GOOG_1d.csv")
    assert "sample_path('GOOG_1d')" in info.value.problems[0].message


def test_bad_timeframe_argument_is_reported_with_the_data_problems(tmp_path: Path) -> None:
    problems = problems_of(write_csv(tmp_path, with_row(0, "2020-01-01,10,12,9,11,-5")), timeframe="daily")
    assert [p.field for p in problems] == ["timeframe", "volume"]


# ---- every problem at once ----------------------------------------------------------------------


def test_all_problems_are_reported_at_once_in_line_order(tmp_path: Path) -> None:
    rows = [
        "2020-01-01,10,12,9,11,100",  # line 2 fine
        "2020-01-02,10,9,8,11,100",  # line 3 high below max(open, close)
        "garbage,10,12,9,11,100",  # line 4 bad timestamp
        "2020-01-02,10,12,9,11,-1",  # line 5 duplicate time and negative volume
        "2020-01-05,x,12,9,11,100",  # line 6 open not a number
    ]
    path = write_csv(tmp_path, rows, name="MANY_1d.csv")
    with pytest.raises(InputError) as info:
        load_ohlcv(path)
    found = [(p.line, p.field) for p in info.value.problems]
    assert found == [(3, "high"), (4, "timestamp"), (5, "timestamp"), (5, "volume"), (6, "open")]
    assert "MANY_1d.csv" in info.value.summary and "5 problem(s)" in info.value.summary
    assert all(p.file == str(path) for p in info.value.problems)


def test_problem_cap_counts_the_rest(tmp_path: Path) -> None:
    rows = [f"2020-01-{d:02d},10,12,9,11,-1" for d in range(1, 21)]  # 20 negative volumes
    problems = problems_of(write_csv(tmp_path, rows), max_problems=5)
    assert [p.line for p in problems[:5]] == [2, 3, 4, 5, 6]
    assert problems[5].message == "... and 15 more problems"
    assert len(problems) == 6


# ---- DataFrame and Parquet ----------------------------------------------------------------------


def good_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"]),
            "open": [10.0, 11, 12],
            "high": [12.0, 13, 14],
            "low": [9.0, 10, 11],
            "close": [11.0, 12, 13],
            "volume": [1, 2, 3],
        }
    )


def test_dataframe_input_with_column_or_index() -> None:
    by_column = load_ohlcv(good_frame(), symbol="ABC")
    by_index = load_ohlcv(good_frame().set_index("timestamp"))
    assert by_column.frame.equals(by_index.frame)
    assert str(by_column.frame.index.dtype) == "datetime64[ns, UTC]"
    assert by_column.symbol == "ABC" and by_column.timeframe == "1d" and by_column.sha256 is None
    assert by_column.frame["volume"].dtype == np.float64


def test_dataframe_problems_name_row_and_field() -> None:
    frame = good_frame()
    frame.loc[1, "low"] = np.nan
    frame.loc[2, "timestamp"] = pd.Timestamp("2020-01-01")
    problems = problems_of(frame)
    assert [(p.field, p.line) for p in problems] == [("low", None), ("timestamp", None)]
    assert problems[0].message.startswith("row 1: value is NaN")
    assert (
        problems[1].message.startswith("row 2: duplicate timestamp")
        and "first on row 0" in problems[1].message
    )


def test_dataframe_string_columns_are_checked_like_csv() -> None:
    frame = good_frame().astype({"open": object})
    frame.loc[0, "open"] = "ten"
    (problem,) = problems_of(frame)
    assert problem.field == "open" and problem.message == "row 0: not a number: 'ten'"


def test_parquet_round_trip_keeps_bars_symbol_and_timeframe(tmp_path: Path) -> None:
    original = load_sample("EURUSD_1h")
    target = write_parquet(original, tmp_path / "store" / "EURUSD" / "1h.parquet")
    again = load_ohlcv(target)
    pd.testing.assert_frame_equal(again.frame, original.frame)
    assert (again.symbol, again.timeframe) == ("EURUSD", "1h")


def test_plain_parquet_file_is_validated(tmp_path: Path) -> None:
    frame = good_frame()
    frame.loc[0, "volume"] = -3
    path = tmp_path / "P_1d.parquet"
    frame.to_parquet(path)
    (problem,) = problems_of(path)
    assert problem.file == str(path) and problem.field == "volume" and "row 0" in problem.message


def test_frame_returned_is_independent_of_the_input() -> None:
    frame = good_frame()
    data = load_ohlcv(frame)
    frame.loc[0, "close"] = 99.0
    assert data.frame["close"].iloc[0] == 11.0
    assert isinstance(data, OhlcvData)


# ---- samples ------------------------------------------------------------------------------------


def test_sample_names_and_paths() -> None:
    assert sample_names() == ["EURUSD_1h", "GOOG_1d", "NASDAQ_1d", "SPX_1d"]
    assert sample_path("GOOG_1d") == sample_path("GOOG_1d.csv")
    with pytest.raises(InputError) as info:
        sample_path("AAPL_1d")
    assert "GOOG_1d" in info.value.problems[0].message


def test_goog_sample() -> None:
    goog = load_ohlcv(sample_path("GOOG_1d"))
    assert goog.bars == 2148
    assert goog.start == pd.Timestamp("2004-08-19", tz="UTC")
    assert goog.end == pd.Timestamp("2013-03-01", tz="UTC")
    assert (goog.symbol, goog.timeframe) == ("GOOG", "1d")
    first = goog.frame.iloc[0]
    assert (first.open, first.high, first.low, first.close, first.volume) == (
        100.0,
        104.06,
        95.96,
        100.34,
        22351900.0,
    )


@pytest.mark.parametrize(
    ("name", "bars", "timeframe"),
    [("EURUSD_1h", 5000, "1h"), ("SPX_1d", 5031, "1d"), ("NASDAQ_1d", 5031, "1d")],
)
def test_other_samples_load(name: str, bars: int, timeframe: str) -> None:
    data = load_sample(name)
    assert (data.bars, data.timeframe, data.symbol) == (bars, timeframe, name.split("_")[0])


def test_timeframe_wider_than_the_bar_spacing_is_rejected() -> None:
    with pytest.raises(InputError) as info:
        load_ohlcv(sample_path("EURUSD_1h"), timeframe="1d")
    (problem,) = info.value.problems
    assert problem.field == "timeframe" and "bars are 1h apart" in problem.message
    # a time frame narrower than the spacing is fine (gaps in the data)
    assert load_ohlcv(sample_path("GOOG_1d"), timeframe="1h").timeframe == "1h"
