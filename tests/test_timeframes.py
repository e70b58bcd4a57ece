"""Time frames (bar widths) and durations (window lengths)."""

from __future__ import annotations

import pandas as pd
import pytest

from pystocksharp.errors import InputError
from pystocksharp.timeframes import (
    Duration,
    Timeframe,
    is_timeframe,
    parse_duration,
    parse_timeframe,
    timeframe_from_seconds,
    timeframe_seconds,
)


@pytest.mark.parametrize(
    ("text", "seconds", "canonical"),
    [
        ("1m", 60, "1m"),
        ("5m", 300, "5m"),
        ("15min", 900, "15m"),
        ("60m", 3600, "1h"),
        ("1h", 3600, "1h"),
        ("4H", 14400, "4h"),
        ("1d", 86400, "1d"),
        ("7d", 604800, "1w"),
        ("1w", 604800, "1w"),
        ("30s", 30, "30s"),
    ],
)
def test_parse_timeframe(text: str, seconds: int, canonical: str) -> None:
    tf = parse_timeframe(text)
    assert tf.seconds == seconds == timeframe_seconds(text)
    assert str(tf) == canonical
    assert tf.timedelta == pd.Timedelta(seconds=seconds)
    # the pandas frequency spans the same time
    assert pd.Timedelta(pd.tseries.frequencies.to_offset(tf.pandas_freq)) == tf.timedelta


@pytest.mark.parametrize("text", ["", "0m", "m", "5", "1y", "1mo", "daily", "-1h"])
def test_bad_timeframes(text: str) -> None:
    assert not is_timeframe(text)
    with pytest.raises(InputError) as info:
        parse_timeframe(text)
    assert "1m, 5m, 1h, 4h, 1d, 1w" in info.value.problems[0].message


def test_timeframe_from_seconds_picks_the_largest_unit() -> None:
    assert timeframe_from_seconds(86400) == Timeframe(1, "d")
    assert timeframe_from_seconds(5400) == Timeframe(90, "m")  # 1.5 h is not whole hours
    assert timeframe_from_seconds(1209600) == Timeframe(2, "w")
    with pytest.raises(ValueError):
        timeframe_from_seconds(0)


def test_parse_duration_calendar_and_bars() -> None:
    assert parse_duration("30d") == Duration(count=30, unit="d")
    assert parse_duration("6m") == Duration(count=6, unit="m")  # months, not minutes
    assert parse_duration("6mo") == Duration(count=6, unit="m")
    assert parse_duration("2y") == Duration(count=2, unit="y")
    assert parse_duration(500) == Duration(bars=500) == parse_duration("500")
    assert parse_duration("500").is_bars and not parse_duration("2y").is_bars
    start = pd.Timestamp("2020-01-31", tz="UTC")
    assert parse_duration("1m").end_from(start) == pd.Timestamp(
        "2020-02-29", tz="UTC"
    )  # calendar month, leap year
    assert parse_duration("2y").end_from(start) == pd.Timestamp("2022-01-31", tz="UTC")
    assert parse_duration("30d").end_from(start) == pd.Timestamp("2020-03-01", tz="UTC")
    assert str(parse_duration("6m")) == "6m" and str(parse_duration(12)) == "12"


@pytest.mark.parametrize("text", ["0", "0d", "-5", "5x", "d", "1.5y", ""])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_duration(text, field="train")
    assert info.value.problems[0].field == "train"


def test_bar_count_duration_has_no_offset() -> None:
    with pytest.raises(ValueError):
        _ = parse_duration(10).offset
