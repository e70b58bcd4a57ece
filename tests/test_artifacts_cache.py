"""Shared market-data cache: month split, verified hits, corruption rebuild, LRU prune."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp.artifacts.cache import METADATA_FILE, MarketDataCache, parse_size
from pystocksharp.artifacts.manifest import sha256_file
from pystocksharp.artifacts.models import MarketDataCacheEntry
from pystocksharp.artifacts.validate import validate_tree
from pystocksharp.cli import main
from pystocksharp.errors import InputError

SOURCE = "sha256:" + "1" * 64


def ohlcv(start: str = "2024-01-30", days: int = 35) -> pd.DataFrame:
    """Daily bars from Jan 30: 2 in January, 29 in February (2024 is a leap year), 4 in March."""
    index = pd.date_range(start, periods=days, freq="D", tz="UTC", name="time")
    close = 100.0 + np.arange(days)
    return pd.DataFrame(
        {"open": close - 0.5, "high": close + 1, "low": close - 1, "close": close, "volume": 1000.0},
        index=index,
    )


def set_last_access(cache: MarketDataCache, symbol: str, when: datetime) -> None:
    for folder in cache.month_dirs(symbol, "1d"):
        path = folder / METADATA_FILE
        entry = MarketDataCacheEntry.model_validate_json(path.read_bytes())
        path.write_text(entry.model_copy(update={"last_access": when}).model_dump_json())


def test_store_splits_by_month_and_round_trips(tmp_path: Path) -> None:
    cache = MarketDataCache(tmp_path / "shared-cache")
    frame = ohlcv()
    folders = cache.store(frame, "GOOG", "1d", source_sha256=SOURCE)
    rel = [f.relative_to(tmp_path).as_posix() for f in folders]
    assert rel == [f"shared-cache/market-data/GOOG/1d/2024/{m}" for m in ("01", "02", "03")]
    bars = [json.loads((f / METADATA_FILE).read_text())["bars"] for f in folders]
    assert bars == [2, 29, 4]
    meta = json.loads((folders[1] / METADATA_FILE).read_text())
    assert meta["files"][0]["sha256"] == sha256_file(folders[1] / "ohlcv.parquet")
    assert meta["series_months"] == 3 and meta["source_sha256"] == SOURCE
    loaded = cache.load("GOOG", "1d", source_sha256=SOURCE)
    assert loaded is not None
    pd.testing.assert_frame_equal(loaded, frame, check_freq=False)
    assert validate_tree(tmp_path / "shared-cache").ok


def test_hit_updates_access_time_and_other_source_is_a_miss(tmp_path: Path) -> None:
    cache = MarketDataCache(tmp_path)
    cache.store(ohlcv(), "GOOG", "1d", source_sha256=SOURCE)
    set_last_access(cache, "GOOG", datetime(2020, 1, 1, tzinfo=UTC))
    calls: list[int] = []
    result = cache.get_or_build("GOOG", "1d", lambda: calls.append(1) or ohlcv(), source_sha256=SOURCE)
    assert (result.status, calls) == ("hit", [])
    assert cache.series()[0].last_access.year >= 2026
    other = cache.get_or_build("GOOG", "1d", lambda: ohlcv(days=3), source_sha256="sha256:" + "2" * 64)
    assert other.status == "miss" and len(other.frame) == 3
    # Jan 30, 31 and Feb 1: two months; the old series (through March) was replaced, not mixed in
    assert [f.name for f in cache.month_dirs("GOOG", "1d")] == ["01", "02"]


def test_corrupted_file_is_detected_and_rebuilt(tmp_path: Path) -> None:
    cache = MarketDataCache(tmp_path / "shared-cache")
    cache.store(ohlcv(), "GOOG", "1d", source_sha256=SOURCE)
    target = cache.layout.month_dir("GOOG", "1d", 2024, 2) / "ohlcv.parquet"
    data = bytearray(target.read_bytes())
    data[100] ^= 0xFF
    target.write_bytes(bytes(data))
    status, problems = cache.check("GOOG", "1d", source_sha256=SOURCE)
    assert status == "corrupted"
    assert [p.file for p in problems] == ["market-data/GOOG/1d/2024/02/ohlcv.parquet"]
    assert cache.load("GOOG", "1d", source_sha256=SOURCE) is None
    outcome = validate_tree(tmp_path / "shared-cache")
    assert [p.file for p in outcome.problems] == ["market-data/GOOG/1d/2024/02/ohlcv.parquet"]
    builds: list[int] = []
    result = cache.get_or_build("GOOG", "1d", lambda: builds.append(1) or ohlcv(), source_sha256=SOURCE)
    assert (result.status, builds) == ("rebuilt", [1])
    assert cache.check("GOOG", "1d", source_sha256=SOURCE) == ("hit", [])


def test_missing_month_is_not_a_hit(tmp_path: Path) -> None:
    cache = MarketDataCache(tmp_path)
    cache.store(ohlcv(), "GOOG", "1d")
    for path in cache.layout.month_dir("GOOG", "1d", 2024, 3).iterdir():
        path.unlink()
    cache.layout.month_dir("GOOG", "1d", 2024, 3).rmdir()
    status, problems = cache.check("GOOG", "1d")
    assert status == "corrupted" and "2 months, metadata says {3}" in problems[0].message


def test_prune_removes_least_recently_used_series(tmp_path: Path) -> None:
    cache = MarketDataCache(tmp_path)
    for i, symbol in enumerate(("A", "B", "C")):
        cache.store(ohlcv(), symbol, "1d")
        set_last_access(cache, symbol, datetime(2026, 1, 1 + i, tzinfo=UTC))
    set_last_access(cache, "A", datetime(2026, 2, 1, tzinfo=UTC))  # A used last: B is now the oldest
    sizes = {s.folder.parent.name: s.size for s in cache.series()}
    total = sum(sizes.values())
    # room for a little more than one series: B then C go, A stays
    outcome = cache.prune(sizes["A"] + 10)
    assert [p.parent.name for p in outcome.removed] == ["B", "C"]
    assert (
        outcome.freed_bytes == sizes["B"] + sizes["C"]
        and outcome.remaining_bytes == total - outcome.freed_bytes
    )
    assert [s.folder.parent.name for s in cache.series()] == ["A"]
    assert cache.load("A", "1d") is not None


def test_cache_prune_cli(tmp_path: Path) -> None:
    cache = MarketDataCache(tmp_path / "shared-cache")
    cache.store(ohlcv(), "A", "1d")
    root = str(tmp_path / "shared-cache")
    dry = CliRunner().invoke(
        main, ["cache", "prune", "--max-size", "0B", "--root", root, "--dry-run", "--json"]
    )
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["remaining_bytes"] == 0 and cache.load("A", "1d") is not None
    real = CliRunner().invoke(main, ["cache", "prune", "--max-size", "10GB", "--root", root])
    assert real.exit_code == 0 and "removed 0 bytes" in real.output
    bad = CliRunner().invoke(main, ["cache", "prune", "--max-size", "ten", "--root", root])
    assert bad.exit_code == 2 and "expected a number and a unit" in bad.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10GB", 10_000_000_000), ("2GiB", 2 * 1024**3), ("1.5MB", 1_500_000), ("512", 512), ("3 kib", 3072)],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


def test_parse_size_rejects_unknown_unit() -> None:
    with pytest.raises(InputError):
        parse_size("10XB")
