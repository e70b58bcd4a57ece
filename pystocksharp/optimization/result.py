"""The result of an optimization run, read from its run directory.

:class:`OptimizationResult` reads ``out/results.jsonl`` into :attr:`~OptimizationResult.table`
(one row per combination, ordered by grid position) and each combination's captured fills and
per-bar equity from Parquet on demand, so holding a result costs little memory.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field

from pystocksharp.errors import InputError, Problem
from pystocksharp.optimization.checkpoint import (
    CAPTURES_DIR,
    RESULTS_FILE,
    CaptureReader,
    CaptureStore,
    CombinationRecord,
    RunSpec,
    read_results,
    read_run_spec,
    records_frame,
    results_frame,
    scan_results,
)
from pystocksharp.optimization.leaders import RunTally, read_tally
from pystocksharp.optimization.ranking import Filter, SortKey, rank_table
from pystocksharp.optimization.search_settings import SearchReport
from pystocksharp.optimization.workers import ComboTask, PythonRunner, WorkerConfig

SEARCH_FILE = "search.json"

#: Column names of the table other than parameters (parameters may not use them).
RESERVED_COLUMNS = frozenset(CombinationRecord.model_fields) - {"parameters", "metrics"}


class BestCombination(BaseModel):
    """The top-ranked combination: its parameters and every numeric result column."""

    parameter_hash: str
    parameters: dict[str, Any]
    metrics: dict[str, float | None]


class OptimizationSummary(BaseModel):
    """What ``optimize --json`` prints."""

    out: str
    results_path: str
    strategy: str
    total: int = Field(description="combinations in the grid after constraints")
    search: str = Field(default="grid", description="'grid', 'random' or 'genetic'")
    search_settings: dict[str, Any] = Field(default_factory=dict, description="the search's settings (seed included)")
    evaluations: int = Field(default=0, description="distinct combinations the search evaluated, failures included")
    search_report: SearchReport | None = Field(default=None, description="what the search did (out/search.json)")
    completed: int = Field(description="finished combinations, failures included")
    succeeded: int
    failed: int
    interrupted: bool
    abort_reason: str | None = None
    rank: list[str]
    filters: list[str]
    passing_filters: int
    best: BestCombination | None


@dataclass
class ExportedRun:
    """Where :meth:`OptimizationResult.export` wrote a run: its artifacts layout and report pages."""

    layout: Any
    summary_page: Path | None = None
    run_pages: list[Path] = field(default_factory=list)

    @property
    def run_dir(self) -> Path:
        """``results/by-strategy/.../by-timeframe/{timeframe}`` under the export root."""
        return Path(self.layout.run_dir)


class OptimizationResult:
    """Results of one run directory: table, ranking, failures and per-combination captures."""

    def __init__(
        self,
        out: str | os.PathLike[str],
        *,
        parameter_names: Sequence[str] | None = None,
        rank: Sequence[SortKey] = (SortKey("net_profit", True),),
        filters: Sequence[Filter] = (),
        interrupted: bool = False,
        abort_reason: str | None = None,
        runaway_at_stop: bool = False,
        data: Any = None,
        strategy: Any = None,
    ) -> None:
        self.out = Path(out)
        spec = read_run_spec(self.out)
        if spec is None:
            raise InputError(
                f"{self.out} is not an optimization run", [Problem("no run.json", file=str(self.out))]
            )
        self.spec: RunSpec = spec
        self.rank = list(rank)
        self.filters = list(filters)
        self.interrupted = interrupted
        self.abort_reason = abort_reason
        #: at the Ctrl-C, a combination still ran after the grace period and was stopped unrecorded (a runaway?)
        self.runaway_at_stop = runaway_at_stop
        self._names = list(parameter_names) if parameter_names is not None else None
        self._captures = CaptureStore(self.out / CAPTURES_DIR)
        #: the run's ``OhlcvData`` (default: loaded again from the run's data file when a combination is re-run)
        self._data = data
        #: the strategy as optimize() was given it (a class too); default: the run's spec, resolved again
        self._strategy = strategy

    @property
    def results_path(self) -> Path:
        return self.out / RESULTS_FILE

    @cached_property
    def records(self) -> list[CombinationRecord]:
        """Every record, in grid order (reads the whole log: for a huge run, prefer :meth:`top` and the counts)."""
        return sorted(read_results(self.results_path).records, key=lambda r: r.index)

    @cached_property
    def tally(self) -> RunTally | None:
        """The counts and best records the run kept online (``out/tally.json``), None when the log changed since
        or the ranking differs: then the counts and the ranking come from reading the log."""
        return read_tally(self.out, self.rank, self.filters)

    @property
    def parameter_names(self) -> list[str]:
        if self._names is not None:
            return self._names
        names: dict[str, None] = {}
        for rec in self.records:
            names.update(dict.fromkeys(rec.parameters))
        return list(names)

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per finished combination, in grid order: ``index``, parameters,
        ``parameter_hash``, engine summary (money in account currency, ``max_drawdown`` a
        fraction <= 0), metrics, ``wall_ms``, ``error`` and ``traceback`` (None on success).

        The metrics the ranking and the filters name (checked before the run) are columns even when no combination
        defined them (all NaN: e.g. a Sharpe ratio of runs that never traded), so ranking never fails after the run.
        Read from the log in chunks of plain columns: a row costs its values (~0.5 KB with every metric)."""
        return self._with_named_columns(results_frame(self.results_path, self.parameter_names))

    def _with_named_columns(self, frame: pd.DataFrame) -> pd.DataFrame:
        named = [k.column for k in self.rank] + [c for f in self.filters for c in f.columns()]
        for column in dict.fromkeys(named):
            if column not in frame.columns and column not in self.parameter_names:
                frame[column] = float("nan")
        return frame

    @property
    def total(self) -> int:
        return self.spec.total

    @property
    def completed(self) -> int:
        return self.tally.completed if self.tally is not None else len(self.records)

    @property
    def search(self) -> str:
        """The search that picked the combinations: 'grid', 'random' or 'genetic'."""
        return self.spec.search.kind

    @property
    def evaluations(self) -> int:
        """Distinct combinations evaluated (failures included): the number of trials of this run,
        e.g. for a deflated Sharpe ratio. A grid search's equals :attr:`total` once complete."""
        return self.completed

    @cached_property
    def search_report(self) -> SearchReport | None:
        """What the search did (``out/search.json``), None for a run that has not written one."""
        path = self.out / SEARCH_FILE
        if not path.exists():
            return None
        return SearchReport.model_validate_json(path.read_text(encoding="utf-8"))

    @property
    def failed(self) -> int:
        return self.tally.failed if self.tally is not None else sum(1 for r in self.records if not r.ok)

    @property
    def first_error(self) -> str | None:
        """The error of the failed combination first in grid order, None when none failed."""
        if self.tally is not None:
            return self.tally.first_error
        failed = [r for r in self.records if not r.ok]
        return failed[0].error if failed else None

    @property
    def failures(self) -> pd.DataFrame:
        """Rows of failed combinations (parameters, error, traceback)."""
        return self.table[self.table["error"].notna()]

    def ranked(self) -> pd.DataFrame:
        """Successful rows passing the filters, best first (see :mod:`.ranking`)."""
        return rank_table(self.table, self.rank, self.filters)

    def top(self, n: int = 10) -> pd.DataFrame:
        """The first ``n`` rows of :meth:`ranked`; from the best records kept online (:attr:`tally`) when they
        hold them, without reading the log."""
        tally = self.tally
        if tally is not None and (n <= len(tally.leaders) or len(tally.leaders) == tally.passing):
            frame = records_frame(tally.leaders, self.parameter_names, tally.metric_names)
            return rank_table(self._with_named_columns(frame), self.rank, self.filters).head(n)
        return self.ranked().head(n)

    @property
    def passing_filters(self) -> int:
        """Successful combinations passing the filters (the length of :meth:`ranked`)."""
        return self.tally.passing if self.tally is not None else len(self.ranked())

    @property
    def best(self) -> pd.Series | None:
        """The best row, or None when no combination succeeded and passed the filters."""
        ranked = self.top(1)
        return None if ranked.empty else ranked.iloc[0]

    def fills(self, parameter_hash: str) -> pd.DataFrame:
        """Fills of one combination (time UTC, side +1/-1, price, volume, commission, ...); a combination run
        without captures is run again first (:meth:`capture`)."""
        self.capture([parameter_hash])
        return self._captures.fills(parameter_hash)

    def equity(self, parameter_hash: str) -> pd.DataFrame:
        """Per-bar rows of one combination (time, close, position, cash, equity, ...); a combination run without
        captures is run again first (:meth:`capture`)."""
        self.capture([parameter_hash])
        return self._captures.equity(parameter_hash)

    def capture(self, hashes: Iterable[str]) -> list[str]:
        """Store the fills and per-bar equity of the successful combinations among ``hashes`` that have none:
        each is run again, deterministically, through the single-backtest path (``run_backtest``) with the run's
        data and settings, and its captures join the run's (``out/captures``). A re-run whose net profit or fill
        count differs from its record is an error (it never should). Returns the hashes run again.

        This is how a run without captures (``keep_fills=False``, the default) still gives the kept combinations'
        folders and pages, and ``fills(h)`` / ``equity(h)`` of any combination: only they are run again."""
        missing = [h for h in dict.fromkeys(hashes) if not self._captures.has(h)]
        if not missing:
            return []
        records = [r for r in self._records_of(missing) if r.ok]  # a failed combination has nothing to capture
        if not records:
            return []
        runner = PythonRunner(self._rerun_config(), frame=self._run_data().frame)
        for record in records:
            _check_same_run(record, runner.run(ComboTask(record.index, record.parameter_hash, dict(record.parameters))))
        return [r.parameter_hash for r in records]

    def _records_of(self, hashes: Sequence[str]) -> list[CombinationRecord]:
        """The records of ``hashes`` (KeyError naming one that is not in the run): from the best records kept
        online when they hold them, else read from the log."""
        wanted = set(hashes)
        found = {r.parameter_hash: r for r in (self.tally.leaders if self.tally is not None else []) if r.parameter_hash in wanted}
        if len(found) < len(wanted):
            for record in scan_results(self.results_path, CombinationRecord.model_validate_json):
                if record.parameter_hash in wanted and record.parameter_hash not in found:
                    found[record.parameter_hash] = record
        absent = [h for h in hashes if h not in found]
        if absent:
            raise KeyError(f"no combination with parameter hash {absent[0]} in {self.out}")
        return [found[h] for h in hashes]

    def _run_data(self) -> Any:
        if self._data is None:
            if self.spec.data == "<frame>":
                raise InputError(
                    f"{self.out}: the run's data was a DataFrame, which was not kept",
                    [Problem("pass data= (the same frame) to OptimizationResult to run combinations again", field="data")],
                )  # fmt: skip
            from pystocksharp.backtest import load_data  # noqa: PLC0415

            self._data = load_data(self.spec.data)
        return self._data

    def _rerun_config(self) -> WorkerConfig:
        from pystocksharp.backtest import BacktestSettings  # noqa: PLC0415

        data = self._run_data()
        return WorkerConfig(
            strategy=self._strategy if self._strategy is not None else self.spec.strategy, data_path="", symbol=str(data.symbol or ""), timeframe=str(data.timeframe or ""),
            price_step=data.price_step, settings=BacktestSettings.model_validate(self.spec.settings),
            capture_root=str(self.out / CAPTURES_DIR), with_metrics=False,
        )  # fmt: skip

    def export(
        self,
        root: str | os.PathLike[str],
        *,
        keep: int | str = 20,
        report: bool = True,
        data: Any = None,
        engine_version: str | None = None,
    ) -> ExportedRun:
        """Write this run's artifacts under ``root`` (``results/by-strategy/...``, see
        ``docs/artifacts.md``) and, when ``report``, its HTML pages (summary + one per kept
        combination); returns where they went.

        ``keep``: the top N combinations of the ranking get a folder (``"all"``: every one).
        ``data``: the run's ``OhlcvData`` (default: the data ``optimize`` ran on, else read again from the run's
        data file).
        ``engine_version`` defaults to the loaded engine's. The checkpoint (``self.out``) is
        not changed.
        """
        from pystocksharp.artifacts.export import export_optimization  # noqa: PLC0415

        if engine_version is None:
            from pystocksharp import bridge  # noqa: PLC0415

            engine_version = bridge.engine_version()
        kept: Any = "all" if keep == "all" else int(keep)
        data = data if data is not None else self._data
        layout = export_optimization(self, root, data=data, keep=kept, engine_version=engine_version)
        exported = ExportedRun(layout)
        if report:
            from pystocksharp.reports.build import build_reports  # noqa: PLC0415

            built = build_reports(layout.run_dir, top_n=len(self.table) if keep == "all" else int(keep))
            exported.summary_page, exported.run_pages = built.summary_page, list(built.run_pages)
        return exported

    def captures(self, kind: str) -> CaptureReader:
        """``"fills"`` or ``"equity"`` of every combination as one source: call it with a hash, or
        ``read_many(hashes)`` for many at once (what the artifacts export streams)."""
        return self._captures.reader(kind)

    def summary(self) -> OptimizationSummary:
        best_row = self.best
        best = None
        if best_row is not None:
            numeric = {
                str(k): _finite(v)
                for k, v in best_row.items()
                if k not in self.parameter_names
                and k not in ("index", "parameter_hash", "error", "traceback")
            }
            best = BestCombination(
                parameter_hash=str(best_row["parameter_hash"]),
                parameters={n: _scalar(best_row[n]) for n in self.parameter_names},
                metrics=numeric,
            )
        return OptimizationSummary(
            out=str(self.out),
            results_path=str(self.results_path),
            strategy=self.spec.strategy,
            total=self.total,
            search=self.search,
            search_settings=self.spec.search.model_dump(exclude={"kind"}),
            evaluations=self.evaluations,
            search_report=self.search_report,
            completed=self.completed,
            succeeded=self.completed - self.failed,
            failed=self.failed,
            interrupted=self.interrupted,
            abort_reason=self.abort_reason,
            rank=[str(k) for k in self.rank],
            filters=[f.text for f in self.filters],
            passing_filters=self.passing_filters,
            best=best,
        )

    def plot(self, *, top_n: int = 20, filename: str | os.PathLike[str] | None = None, show: bool = True) -> Any:
        """The run's summary page (the one :meth:`export` writes, without links to combination pages):
        counts, the ranking (``top_n`` rows), the first ranking metric over the grid, failures;
        self-contained and offline, as a :class:`pystocksharp.notebook.ReportPage`: a notebook shows it
        inline, under IPython it is displayed (``show``), ``filename`` writes it there too."""
        return _notebook().optimization_page(self, top_n=top_n, filename=filename, show=show)

    def _repr_html_(self) -> str:
        return _notebook().optimization_html(self)

    def __repr__(self) -> str:
        return _notebook().optimization_repr(self)


def _notebook() -> Any:
    """:mod:`pystocksharp.notebook`, imported on first display (keeps every command's start fast)."""
    from pystocksharp import notebook  # noqa: PLC0415

    return notebook


def _check_same_run(recorded: CombinationRecord, again: CombinationRecord) -> None:
    """A combination run again must give what its record says."""
    if again.error is not None or again.net_profit != recorded.net_profit or again.fill_count != recorded.fill_count:
        got = again.error or f"net profit {again.net_profit}, {again.fill_count} fills"
        raise RuntimeError(
            f"combination {recorded.parameter_hash} run again gave {got}; its record says net profit "
            f"{recorded.net_profit}, {recorded.fill_count} fills"
        )


def _scalar(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
