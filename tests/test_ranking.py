"""Ranking, tie-breakers, top-N and safely parsed filters over an optimization table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pystocksharp.errors import InputError
from pystocksharp.optimization.ranking import (
    Comparison,
    SortKey,
    parse_filter,
    parse_sort_keys,
    rank_table,
)


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parameter_hash": ["h1", "h2", "h3", "h4", "h5", "h6"],
            "fast": [5, 10, 15, 20, 25, 30],
            "net_profit": [100.0, 250.0, 250.0, -40.0, math.nan, 300.0],
            "sharpe_ratio": [0.5, 1.2, 1.2, -0.3, math.nan, 2.0],
            "round_trips": [40, 35, 20, 50, 0, 31],
            "max_drawdown": [-0.10, -0.05, -0.25, -0.30, math.nan, -0.40],
            "error": [None, None, None, None, None, "ValueError: boom"],
        }
    )


def test_parse_sort_keys_defaults_to_desc_and_splits_commas() -> None:
    assert parse_sort_keys("sharpe_ratio") == [SortKey("sharpe_ratio", True)]
    assert parse_sort_keys("sharpe_ratio:desc, max_drawdown:ASC") == [
        SortKey("sharpe_ratio", True),
        SortKey("max_drawdown", False),
    ]


def test_parse_sort_keys_lists_every_problem() -> None:
    with pytest.raises(InputError) as info:
        parse_sort_keys(["net_profit:up", "1bad"])
    assert len(info.value.problems) == 2
    assert "'desc' or 'asc'" in str(info.value.problems[0])


def test_rank_drops_failures_sorts_and_breaks_ties_by_hash() -> None:
    ranked = rank_table(_table(), "net_profit:desc")
    # h6 (300) failed, so dropped; h2/h3 tie at 250 -> hash order; NaN (h5) last.
    assert list(ranked["parameter_hash"]) == ["h2", "h3", "h1", "h4", "h5"]


def test_tie_breaker_criterion_decides_between_equal_first_keys() -> None:
    ranked = rank_table(_table(), ["net_profit:desc", "max_drawdown:asc"])
    # h2 and h3 both 250; ascending drawdown puts -0.25 (h3) before -0.05 (h2).
    assert list(ranked["parameter_hash"][:2]) == ["h3", "h2"]


def test_filters_and_top_n() -> None:
    ranked = rank_table(
        _table(), "sharpe_ratio:desc", filters=["round_trips >= 30 and max_drawdown > -0.2"], top=1
    )
    # Passing: h1 (40, -0.10), h2 (35, -0.05); h4 fails drawdown; best sharpe is h2 (1.2).
    assert list(ranked["parameter_hash"]) == ["h2"]


def test_chained_and_reversed_comparisons_and_negative_literals() -> None:
    flt = parse_filter("30 <= round_trips < 45 and max_drawdown >= -0.1")
    assert flt.comparisons == (
        Comparison(30.0, "<=", "round_trips"),
        Comparison("round_trips", "<", 45.0),
        Comparison("max_drawdown", ">=", -0.1),
    )
    # h1 (40, -0.10) and h2 (35, -0.05) pass; h3 20 and h4 50 trips fail; h6 drawdown -0.40 fails.
    assert list(flt.mask(_table())) == [True, True, False, False, False, False]


def test_nan_fails_every_comparison() -> None:
    assert not parse_filter("net_profit != 1").mask(_table())[4]


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "round_trips >= 30 or net_profit > 0",
        "round_trips + 1 > 3",
        "round_trips >= 'a'",
        "round_trips >=",
        "1 < 2",
        "round_trips in [1, 2]",
    ],
)
def test_unsafe_or_unsupported_filters_are_rejected(text: str) -> None:
    with pytest.raises(InputError):
        parse_filter(text)


def test_unknown_metric_names_list_the_known_ones() -> None:
    with pytest.raises(InputError) as info:
        rank_table(_table(), "sharp_ratio:desc", filters=["roundtrips > 3"])
    messages = [str(p) for p in info.value.problems]
    assert "unknown metric 'sharp_ratio'" in messages[0]
    assert "roundtrips" in messages[1]
    assert "sharpe_ratio" in messages[-1] and "round_trips" in messages[-1]
    assert "parameter_hash" not in messages[-1]
