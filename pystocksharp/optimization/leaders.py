"""A run's best combinations and counts, kept online while it runs (``out/tally.json``).

Ranking a grid of 10^7 combinations must not hold 10^7 records: :class:`Leaders` sees every record
as it is recorded, keeps the best :data:`LEADERS_KEPT` by the run's ranking and filters (the same
:func:`~pystocksharp.optimization.ranking.rank_table`, so ties break by parameter hash exactly as in
the full table), and counts completions, failures and rows passing the filters. Records are
buffered and folded into the leaders :data:`FOLD_EVERY` at a time, on a frame of the ranked and
filtered columns only. Since the ranking is a total order, the best K of (best K so far + a
buffer) is the best K of everything seen: the leaders equal the head of the full ranking.

When the run stops, :class:`RunTally` is written to ``out/tally.json`` with the size of
``results.jsonl`` at that moment; :class:`~pystocksharp.optimization.result.OptimizationResult`
reads its counts, top rows and best combination from there while the log has not changed since,
and reads the whole log only for what needs every row (the full table, the export).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from pystocksharp.io import atomic_write_json
from pystocksharp.optimization.checkpoint import RESULTS_FILE, CombinationRecord
from pystocksharp.optimization.ranking import Filter, SortKey, rank_table

TALLY_FILE = "tally.json"
#: Best combinations kept online (the top rows a result answers without reading the log).
LEADERS_KEPT = 1_000
#: Records buffered before they are ranked against the leaders.
FOLD_EVERY = 20_000
_SUMMARY_FIELDS = frozenset(CombinationRecord.model_fields) - {"parameters", "metrics"}
_POSITION = "__position__"


class RunTally(BaseModel):
    """``out/tally.json``: counts and the best records of a run by its ranking, written when it stops.

    Current while ``results_bytes`` equals the size of ``results.jsonl`` and the ranking and filters
    are the ones asked for; otherwise the log is read again."""

    schema_version: int = 1
    results_bytes: int = Field(description="size of results.jsonl (bytes) when the tally was written")
    rank: list[str] = Field(description="ranking criteria, e.g. 'net_profit:desc'")
    filters: list[str] = Field(default_factory=list)
    completed: int = Field(description="distinct combinations recorded, failures included")
    failed: int
    passing: int = Field(description="successful combinations passing the filters")
    first_error: str | None = Field(
        default=None, description="error of the failed combination first in grid order"
    )
    metric_names: list[str] = Field(
        default_factory=list, description="every metric recorded, first seen first"
    )
    leaders: list[CombinationRecord] = Field(
        default_factory=list, description=f"the best successful combinations passing the filters, best first (at "
        f"most {LEADERS_KEPT})"
    )  # fmt: skip


class Leaders:
    """The best ``size`` records by ``keys`` among those passing ``filters``, and the run's counts."""

    def __init__(self, keys: Sequence[SortKey], filters: Sequence[Filter], size: int | None = None) -> None:
        self.keys = list(keys)
        self.filters = list(filters)
        self.size = LEADERS_KEPT if size is None else size
        self._columns = list(
            dict.fromkeys([k.column for k in self.keys] + [c for f in self.filters for c in f.columns()])
        )
        self._top: list[CombinationRecord] = []
        self._buffer: list[CombinationRecord] = []
        self.completed = 0
        self.failed = 0
        self.passing = 0
        self._first_error: tuple[int, str] | None = None
        self._metric_names: dict[str, None] = {}

    def add(self, record: CombinationRecord) -> None:
        """Count ``record`` and consider it for the leaders."""
        self.completed += 1
        if record.error is not None:
            self.failed += 1
            if self._first_error is None or record.index < self._first_error[0]:
                self._first_error = (record.index, record.error)
            return
        self._metric_names.update(dict.fromkeys(record.metrics))
        self._buffer.append(record)
        if len(self._buffer) >= FOLD_EVERY:
            self._fold()

    def _fold(self) -> None:
        if not self._buffer:
            return
        candidates = self._top + self._buffer
        ranked = rank_table(self._frame(candidates), self.keys, self.filters)
        positions = ranked[_POSITION].to_numpy()
        self.passing += int(np.count_nonzero(positions >= len(self._top)))
        self._top = [candidates[i] for i in positions[: self.size]]
        self._buffer = []

    def _frame(self, records: Sequence[CombinationRecord]) -> pd.DataFrame:
        """The ranked and filtered columns of ``records`` (as the results table has them), the hash and the
        position in ``records``."""
        data: dict[str, object] = {
            _POSITION: np.arange(len(records)),
            "parameter_hash": [r.parameter_hash for r in records],
        }
        for column in self._columns:
            values = [_value(r, column) for r in records]
            data[column] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        return pd.DataFrame(data)

    def tally(self, results_bytes: int) -> RunTally:
        """The counts and leaders so far, for a log of ``results_bytes`` bytes."""
        self._fold()
        return RunTally(
            results_bytes=results_bytes,
            rank=[str(k) for k in self.keys],
            filters=[f.text for f in self.filters],
            completed=self.completed,
            failed=self.failed,
            passing=self.passing,
            first_error=None if self._first_error is None else self._first_error[1],
            metric_names=list(self._metric_names),
            leaders=self._top,
        )


def _value(record: CombinationRecord, column: str) -> object:
    """A record's value of a results-table column: a summary field, a parameter or a metric (None: NaN)."""
    if column in _SUMMARY_FIELDS:
        return getattr(record, column)
    if column in record.parameters:
        return record.parameters[column]
    return record.metrics.get(column)


def _log_size(out: str | os.PathLike[str]) -> int:
    """The size of ``out/results.jsonl`` in bytes (0 before it exists)."""
    results = Path(out) / RESULTS_FILE
    return results.stat().st_size if results.exists() else 0


def write_tally(out: str | os.PathLike[str], leaders: Leaders, *, fsync: bool = True) -> Path:
    """Write ``out/tally.json`` for the results log as it is now."""
    return atomic_write_json(Path(out) / TALLY_FILE, leaders.tally(_log_size(out)), fsync=fsync)


def read_tally(
    out: str | os.PathLike[str], keys: Sequence[SortKey], filters: Sequence[Filter]
) -> RunTally | None:
    """``out/tally.json`` when it is current: written for the log as it is and for this ranking and these
    filters; else None."""
    path = Path(out) / TALLY_FILE
    if not path.exists():
        return None
    tally = RunTally.model_validate_json(path.read_bytes())
    current = (
        tally.results_bytes == _log_size(out)
        and tally.rank == [str(k) for k in keys]
        and tally.filters == [f.text for f in filters]
    )
    return tally if current else None
