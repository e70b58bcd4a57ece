"""Where artifacts live: the partitioned results tree and the shared market-data cache.

::

    {root}/results/by-strategy/{strategy}/by-date-range/{yyyymmdd}_{yyyymmdd}/
        by-symbol/{symbol}/by-timeframe/{timeframe}/
            optimization/                 table, pages, fills/ and equity/ datasets
            optimization/{hash16}/        one folder per kept combination
            reports/  metadata/  validation/
    {root}/shared-cache/market-data/{symbol}/{timeframe}/{yyyy}/{mm}/ohlcv.parquet

Path components are sanitized: anything but letters, digits, ``.``, ``_`` and ``-``
becomes ``-`` (so ``EUR/USD`` is stored as ``EUR-USD``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from pystocksharp.errors import InputError, Problem

#: The folder of a run root (an ``--out`` folder) that holds every run's results.
RESULTS_DIR = "results"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Hex digits of a parameter hash used to name a combination's folder.
SHORT_HASH_LENGTH = 16


def safe_component(text: str) -> str:
    """``text`` as a single safe path component (never empty, never '.' or '..')."""
    cleaned = _UNSAFE.sub("-", str(text)).strip("-")
    if cleaned in ("", ".", ".."):
        return "_"
    return cleaned


def short_hash(parameter_hash: str) -> str:
    """Folder name of a combination: the first 16 hex digits of its hash, without 'sha256:'."""
    hex_part = parameter_hash.split(":", 1)[-1]
    return safe_component(hex_part[:SHORT_HASH_LENGTH])


def _yyyymmdd(value: date | datetime | str | pd.Timestamp) -> str:
    return pd.Timestamp(value).strftime("%Y%m%d")


@dataclass(frozen=True)
class RunLayout:
    """Paths of one run: a strategy on a date range, a symbol and a timeframe."""

    root: Path
    strategy: str
    start: date | datetime | str | pd.Timestamp
    end: date | datetime | str | pd.Timestamp
    symbol: str
    timeframe: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def date_range(self) -> str:
        """``{yyyymmdd}_{yyyymmdd}`` of the first and last bar."""
        return f"{_yyyymmdd(self.start)}_{_yyyymmdd(self.end)}"

    @property
    def run_dir(self) -> Path:
        return (
            self.root
            / RESULTS_DIR
            / "by-strategy"
            / safe_component(self.strategy)
            / "by-date-range"
            / self.date_range
            / "by-symbol"
            / safe_component(self.symbol)
            / "by-timeframe"
            / safe_component(self.timeframe)
        )

    @property
    def optimization_dir(self) -> Path:
        return self.run_dir / "optimization"

    def combination_dir(self, parameter_hash: str) -> Path:
        return self.optimization_dir / short_hash(parameter_hash)

    @property
    def reports_dir(self) -> Path:
        return self.run_dir / "reports"

    @property
    def metadata_dir(self) -> Path:
        return self.run_dir / "metadata"

    @property
    def validation_dir(self) -> Path:
        return self.run_dir / "validation"

    @property
    def cache(self) -> CacheLayout:
        return CacheLayout(self.root / "shared-cache")


@dataclass(frozen=True)
class CacheLayout:
    """Paths of the shared market-data cache under ``root`` (the ``shared-cache`` folder)."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def market_data_dir(self) -> Path:
        return self.root / "market-data"

    def series_dir(self, symbol: str, timeframe: str) -> Path:
        return self.market_data_dir / safe_component(symbol) / safe_component(timeframe)

    def month_dir(self, symbol: str, timeframe: str, year: int, month: int) -> Path:
        return self.series_dir(symbol, timeframe) / f"{year:04d}" / f"{month:02d}"


def relative_posix(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` with forward slashes (as stored in manifests)."""
    return Path(os.path.relpath(path, base)).as_posix()


#: The run folders below an `optimize --out` folder (the run layout of :mod:`pystocksharp.artifacts.layout`).
RUN_FOLDERS = "results/by-strategy/*/by-date-range/*/by-symbol/*/by-timeframe/*"


def run_folder_of(folder: Path) -> Path:
    """``folder`` itself when it is a run folder (``trades.json`` of a backtest, or ``optimization/``), else the one
    run folder of an optimization below it (the ``--out`` folder of ``optimize``); several are an
    :class:`InputError` naming them, and a folder with none is returned as it is (the caller says what it lacks)."""
    if (folder / "trades.json").is_file() or (folder / "optimization").is_dir():
        return folder
    found = sorted(p for p in folder.glob(RUN_FOLDERS) if (p / "optimization").is_dir())
    if len(found) > 1:
        raise InputError(f"several runs under {folder}",
                         [Problem(f"name one of: {', '.join(str(p) for p in found)}", file=str(folder))])  # fmt: skip
    return found[0] if found else folder
