"""The benchmark a run is compared with: any close series (``--benchmark sample:SPX_1d``, a CSV/Parquet file, a
pandas Series or loaded ``OhlcvData``).

What uses it: the metrics' beta and alpha (:func:`pystocksharp.metrics.compute_metrics`), the run page's benchmark
line, its yearly returns beside the strategy's and the rolling Sharpe ratio. Without one, the page compares the run
with buying and holding the traded instrument itself.

Conventions: the benchmark's value at an equity row is its last close at or before the row's time (UTC), unknown
(NaN) before its first bar; drawn as the account value of the initial capital invested at the first known close,
``capital * close / first_close`` (no costs, fractional units).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.errors import InputError, Problem


@dataclass(frozen=True, eq=False)
class Benchmark:
    """A close series to compare a run with.

    ``label``: the name shown (the data's symbol, else the file's stem); ``source``: what was given (a path or
    ``sample:NAME``; ``""`` for in-memory data); ``close``: closes indexed by UTC time, ascending, unique;
    ``sha256``: the file's digest (None for in-memory data).
    """

    label: str
    source: str
    close: pd.Series
    sha256: str | None = None

    def at(self, times: Any) -> np.ndarray:
        """The benchmark's close at each of ``times``: :func:`closes_at`."""
        return closes_at(self.close, times)


def load_benchmark(source: Any, *, label: str | None = None) -> Benchmark:
    """``source`` as a :class:`Benchmark`: a :class:`Benchmark` passes through; a pandas Series is taken as closes by
    time; anything else is loaded as OHLCV data (a path, ``sample:NAME``, a DataFrame, ``OhlcvData``) and its close
    column used. Problems are an :class:`InputError` whose fields start with ``benchmark``."""
    if isinstance(source, Benchmark):
        return source
    if isinstance(source, pd.Series):
        return Benchmark(label or str(source.name or "benchmark"), "", _closes(source))
    if hasattr(source, "frame") and hasattr(source, "symbol"):
        ohlcv = source
    else:
        from pystocksharp.data import load_ohlcv  # noqa: PLC0415

        try:
            ohlcv = load_ohlcv(source)
        except InputError as exc:
            raise InputError(
                "bad benchmark", [_as_benchmark_problem(p) for p in exc.problems] or [Problem(str(exc), field="benchmark")]
            ) from exc
    text = "" if isinstance(source, pd.DataFrame) or hasattr(source, "frame") else os.fspath(source)
    path = getattr(ohlcv, "source_path", None)
    name = label or ohlcv.symbol or (Path(path).stem if path is not None else "") or "benchmark"
    return Benchmark(str(name), text, _closes(ohlcv.frame["close"]), getattr(ohlcv, "sha256", None))


def closes_at(close: pd.Series, times: Any) -> np.ndarray:
    """Last close at or before each of ``times`` (UTC), NaN before the first bar (float64, one per time)."""
    stamps = pd.DatetimeIndex(pd.to_datetime(times, utc=True))
    if close.empty:
        return np.full(len(stamps), np.nan)
    series = _closes(close)
    pos = np.searchsorted(series.index.asi8, stamps.as_unit(series.index.unit).asi8, side="right") - 1
    values = series.to_numpy(dtype=float)
    return np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)


def growth_of(capital: float, closes: np.ndarray) -> np.ndarray | None:
    """``capital`` invested at the first finite, positive close: ``capital * close / first`` (NaN before it);
    None when there is no such close."""
    closes = np.asarray(closes, dtype=float)
    ok = np.flatnonzero(np.isfinite(closes) & (closes > 0))
    if not len(ok):
        return None
    return capital * closes / closes[ok[0]]


def _closes(series: pd.Series) -> pd.Series:
    index = pd.DatetimeIndex(pd.to_datetime(series.index, utc=True))
    out = pd.Series(series.to_numpy(dtype=float), index=index, name=series.name)
    out = out[~out.index.duplicated(keep="last")].sort_index()
    return out[np.isfinite(out.to_numpy())]


def _as_benchmark_problem(problem: Problem) -> Problem:
    field = f"benchmark.{problem.field}" if problem.field else "benchmark"
    return Problem(problem.message, file=problem.file, line=problem.line, field=field)
