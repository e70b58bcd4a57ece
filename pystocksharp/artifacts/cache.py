"""The shared market-data cache: validated OHLCV bars split by month, verified by hash.

::

    shared-cache/market-data/{symbol}/{timeframe}/{yyyy}/{mm}/ohlcv.parquet
    shared-cache/market-data/{symbol}/{timeframe}/{yyyy}/{mm}/metadata.json

``metadata.json`` (:class:`MarketDataCacheEntry`) is each month's manifest: written after
its Parquet file, it holds the file's size and sha256, the bar count, the hash of the data
the series came from, the number of months of the series and the last access time.

A series (symbol, timeframe) is a hit only when every month is present, agrees on the
source hash and month count, and matches its hash; otherwise it is a miss (or corrupted),
and :meth:`MarketDataCache.get_or_build` rebuilds the whole series. ``prune`` removes whole
series, least recently used first, until the cache fits a size.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError

from pystocksharp.artifacts.layout import CacheLayout, relative_posix
from pystocksharp.artifacts.manifest import sha256_file
from pystocksharp.artifacts.models import CacheFile, MarketDataCacheEntry
from pystocksharp.errors import InputError, Problem
from pystocksharp.io import atomic_path, atomic_write_json

METADATA_FILE = "metadata.json"
DATA_FILE = "ohlcv.parquet"
_UNITS = {
    "": 1,
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
CacheStatus = Literal["hit", "miss", "rebuilt"]


def parse_size(text: str) -> int:
    """Bytes in a size such as ``10GB`` (SI: 1 GB = 10**9 bytes) or ``512MiB`` (binary)."""
    match = _SIZE.match(text)
    unit = match.group(2).upper() if match else None
    if not match or unit not in _UNITS:
        raise InputError(
            "bad size",
            [Problem(f"expected a number and a unit (B, KB, MB, GB, TB, KiB, MiB, GiB), got {text!r}")],
        )
    return int(float(match.group(1)) * _UNITS[unit])


def _times(frame: pd.DataFrame) -> pd.Series:
    if "time" in frame.columns:
        return pd.Series(pd.to_datetime(frame["time"], utc=True).to_numpy(), index=frame.index)
    if isinstance(frame.index, pd.DatetimeIndex):
        return pd.Series(pd.to_datetime(frame.index, utc=True), index=frame.index)
    raise InputError(
        "bars need a 'time' column or a DatetimeIndex", [Problem("missing column", field="time")]
    )


def verify_month(folder: Path, *, display_base: Path | None = None) -> list[Problem]:
    """Problems of one cache month: unreadable metadata, missing, resized, changed or unlisted files."""
    base = display_base or folder
    meta_path = folder / METADATA_FILE
    try:
        entry = MarketDataCacheEntry.model_validate_json(meta_path.read_bytes())
    except (OSError, ValueError, ValidationError) as exc:
        return [
            Problem(
                f"unreadable cache metadata: {str(exc).splitlines()[0]}", file=relative_posix(meta_path, base)
            )
        ]
    problems = []
    listed = {METADATA_FILE}
    for f in entry.files:
        listed.add(f.path)
        path = folder / f.path
        shown = relative_posix(path, base)
        if not path.is_file():
            problems.append(Problem("listed in metadata.json but missing", file=shown))
        elif path.stat().st_size != f.size:
            problems.append(Problem(f"size {path.stat().st_size} bytes, metadata says {f.size}", file=shown))
        elif sha256_file(path) != f.sha256:
            problems.append(Problem("content changed: sha256 differs from metadata.json", file=shown))
    for path in sorted(folder.iterdir()):
        if path.name not in listed:
            problems.append(Problem("not listed in metadata.json", file=relative_posix(path, base)))
    return problems


@dataclass
class CacheResult:
    """A loaded series and how it was obtained; ``problems`` says why a series was rebuilt."""

    frame: pd.DataFrame
    status: CacheStatus
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class SeriesInfo:
    """One cached series (the unit prune removes): its folder, size and last access."""

    folder: Path
    size: int
    last_access: datetime


@dataclass
class PruneOutcome:
    removed: list[Path]
    freed_bytes: int
    remaining_bytes: int


class MarketDataCache:
    """The shared market-data cache rooted at ``root`` (the ``shared-cache`` folder)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.layout = CacheLayout(Path(root))

    # -- writing -----------------------------------------------------------------------------

    def store(
        self, frame: pd.DataFrame, symbol: str, timeframe: str, *, source_sha256: str | None = None
    ) -> list[Path]:
        """Replace the cached series with ``frame`` split by calendar month (UTC); returns month folders."""
        series_dir = self.layout.series_dir(symbol, timeframe)
        self._remove_series(series_dir)
        times = _times(frame)
        keys = times.dt.year * 100 + times.dt.month
        groups = list(frame.groupby(keys.to_numpy(), sort=True))
        now = datetime.now(UTC)
        folders = []
        for key, part in groups:
            year, month = divmod(int(key), 100)
            folder = self.layout.month_dir(symbol, timeframe, year, month)
            data_path = folder / DATA_FILE
            preserve = not isinstance(part.index, pd.RangeIndex)
            table = pa.Table.from_pandas(
                part if preserve else part.reset_index(drop=True), preserve_index=preserve
            )
            with atomic_path(data_path) as tmp:
                pq.write_table(table, tmp, compression="zstd")
            part_times = times.loc[part.index]
            entry = MarketDataCacheEntry(
                symbol=symbol,
                timeframe=timeframe,
                year=year,
                month=month,
                bars=len(part),
                first_timestamp=part_times.iloc[0].to_pydatetime(),
                last_timestamp=part_times.iloc[-1].to_pydatetime(),
                source_sha256=source_sha256,
                series_months=len(groups),
                files=[
                    CacheFile(path=DATA_FILE, size=data_path.stat().st_size, sha256=sha256_file(data_path))
                ],
                created_at=now,
                last_access=now,
            )
            atomic_write_json(folder / METADATA_FILE, entry)
            folders.append(folder)
        return folders

    # -- reading -----------------------------------------------------------------------------

    def month_dirs(self, symbol: str, timeframe: str) -> list[Path]:
        series_dir = self.layout.series_dir(symbol, timeframe)
        return sorted(p for p in series_dir.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]") if p.is_dir())

    def check(
        self, symbol: str, timeframe: str, *, source_sha256: str | None = None
    ) -> tuple[str, list[Problem]]:
        """``("hit", [])``, ``("miss", [])`` (nothing cached or other source) or ``("corrupted", problems)``."""
        folders = self.month_dirs(symbol, timeframe)
        if not folders:
            return "miss", []
        problems: list[Problem] = []
        entries = []
        base = self.layout.root
        for folder in folders:
            found = verify_month(folder, display_base=base)
            problems += found
            if not found:
                entries.append(
                    MarketDataCacheEntry.model_validate_json((folder / METADATA_FILE).read_bytes())
                )
        if problems:
            return "corrupted", problems
        sources = {e.source_sha256 for e in entries}
        if source_sha256 is not None and sources != {source_sha256}:
            return "miss", []
        counts = {e.series_months for e in entries}
        if counts != {len(entries)}:
            shown = relative_posix(self.layout.series_dir(symbol, timeframe), base)
            return "corrupted", [
                Problem(f"series has {len(entries)} months, metadata says {counts}", file=shown)
            ]
        return "hit", []

    def load(self, symbol: str, timeframe: str, *, source_sha256: str | None = None) -> pd.DataFrame | None:
        """The cached series when it is a verified hit (its access time updated), else None."""
        status, _ = self.check(symbol, timeframe, source_sha256=source_sha256)
        if status != "hit":
            return None
        return self._read(symbol, timeframe)

    def _read(self, symbol: str, timeframe: str) -> pd.DataFrame:
        folders = self.month_dirs(symbol, timeframe)
        tables = [pq.read_table(folder / DATA_FILE) for folder in folders]
        frame = pa.concat_tables(tables).to_pandas()
        self._touch(folders)
        return frame

    def _touch(self, folders: list[Path]) -> None:
        now = datetime.now(UTC)
        for folder in folders:
            path = folder / METADATA_FILE
            entry = MarketDataCacheEntry.model_validate_json(path.read_bytes())
            atomic_write_json(path, entry.model_copy(update={"last_access": now}), fsync=False)

    def get_or_build(
        self,
        symbol: str,
        timeframe: str,
        build: Callable[[], pd.DataFrame],
        *,
        source_sha256: str | None = None,
    ) -> CacheResult:
        """The series from the cache when verified; otherwise ``build()`` it and store it."""
        status, problems = self.check(symbol, timeframe, source_sha256=source_sha256)
        if status == "hit":
            return CacheResult(self._read(symbol, timeframe), "hit")
        frame = build()
        self.store(frame, symbol, timeframe, source_sha256=source_sha256)
        return CacheResult(frame, "rebuilt" if status == "corrupted" else "miss", problems)

    # -- pruning -----------------------------------------------------------------------------

    def series(self) -> list[SeriesInfo]:
        """Every cached series, least recently used first."""
        found = []
        for series_dir in sorted(p for p in self.layout.market_data_dir.glob("*/*") if p.is_dir()):
            size, last = 0, datetime.fromtimestamp(0, UTC)
            for path in series_dir.rglob("*"):
                if path.is_file():
                    size += path.stat().st_size
                    if path.name == METADATA_FILE:
                        with contextlib.suppress(OSError, ValueError, ValidationError):
                            entry = MarketDataCacheEntry.model_validate_json(path.read_bytes())
                            last = max(last, entry.last_access)
            found.append(SeriesInfo(series_dir, size, last))
        return sorted(found, key=lambda s: (s.last_access, str(s.folder)))

    def size(self) -> int:
        return sum(s.size for s in self.series())

    def prune(self, max_bytes: int, *, dry_run: bool = False) -> PruneOutcome:
        """Remove least recently used series until the cache holds at most ``max_bytes``."""
        entries = self.series()
        total = sum(s.size for s in entries)
        removed, freed = [], 0
        for info in entries:
            if total - freed <= max_bytes:
                break
            if not dry_run:
                self._remove_series(info.folder)
            removed.append(info.folder)
            freed += info.size
        return PruneOutcome(removed=removed, freed_bytes=freed, remaining_bytes=total - freed)

    def _remove_series(self, series_dir: Path) -> None:
        if not series_dir.exists():
            return
        for meta in series_dir.glob(f"*/*/{METADATA_FILE}"):
            meta.unlink()  # a month without metadata is never a hit, even if rmtree is interrupted
        shutil.rmtree(series_dir)
        with contextlib.suppress(OSError):
            series_dir.parent.rmdir()
