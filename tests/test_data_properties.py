"""Property tests: a corruption planted at any row of a valid CSV is reported at exactly that line and field."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pystocksharp.data import load_ohlcv
from pystocksharp.errors import InputError
from pystocksharp.synthetic import random_walk

N = 60
FRAME = random_walk(N, seed=11, freq="1h")
ROWS = [
    f"{t.strftime('%Y-%m-%dT%H:%M:%S')},{o!r},{h!r},{lo!r},{c!r},{v!r}"
    for t, o, h, lo, c, v in zip(
        FRAME.index, *(FRAME[col] for col in ("open", "high", "low", "close", "volume")), strict=True
    )
]
HEADER = "timestamp,open,high,low,close,volume"


def corrupt(row: str, kind: str) -> str:
    t, o, h, lo, c, v = row.split(",")
    return {
        "negative volume": f"{t},{o},{h},{lo},{c},-1",
        "nan close": f"{t},{o},{h},{lo},nan,{v}",
        "text open": f"{t},oops,{h},{lo},{c},{v}",
        "empty low": f"{t},{o},{h},,{c},{v}",
        "bad time": f"not-a-time,{o},{h},{lo},{c},{v}",
        "high below close": f"{t},{o},{min(float(o), float(c)) * 0.999!r},{float(lo) * 0.99!r},{c},{v}",
        "low above open": f"{t},{o},{float(h) * 1.01!r},{max(float(o), float(c)) * 1.001!r},{c},{v}",
    }[kind]


FIELDS = {
    "negative volume": "volume",
    "nan close": "close",
    "text open": "open",
    "empty low": "low",
    "bad time": "timestamp",
    "high below close": "high",
    "low above open": "low",
}


def test_the_uncorrupted_file_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "S_1h.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n")
    assert load_ohlcv(path).bars == N


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(0, N - 1), st.sampled_from(sorted(FIELDS)), min_size=1, max_size=5))
def test_planted_corruptions_are_reported_at_their_lines(plan: dict[int, str]) -> None:
    rows = list(ROWS)
    for index, kind in plan.items():
        rows[index] = corrupt(rows[index], kind)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "S_1h.csv"
        path.write_text("\n".join([HEADER, *rows]) + "\n")
        with pytest.raises(InputError) as info:
            load_ohlcv(path)
    found = {(p.line, p.field) for p in info.value.problems}
    expected = {(index + 2, FIELDS[kind]) for index, kind in plan.items()}  # header is line 1
    assert expected <= found
    # nothing reported on a line that was not corrupted
    assert {line for line, _ in found} == {line for line, _ in expected}
