"""``compare``: metrics of several runs side by side, ranked by one of them."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pystocksharp.errors import InputError, Problem
from pystocksharp.metrics.models import PerformanceMetrics


def scalar_dict(metrics: PerformanceMetrics) -> dict[str, float | int | None]:
    """The top-level numeric metrics of ``metrics`` (tables, times and reasons left out)."""
    out: dict[str, float | int | None] = {}
    for name, value in metrics.model_dump().items():
        if name == "schema_version" or isinstance(value, bool):
            continue
        if value is None or isinstance(value, int | float):
            out[name] = value
    return out


def compare(
    metrics_list: Sequence[PerformanceMetrics],
    *,
    labels: Sequence[str] | None = None,
    rank_by: str = "sharpe_ratio",
    descending: bool = True,
) -> pd.DataFrame:
    """One row per run (index: ``labels``, default ``run 1..n``), scalar metrics as columns
    (fractions, currency, seconds as in JSON), sorted by ``rank_by`` with a 1-based ``rank`` column
    first; runs whose ``rank_by`` is undefined (NaN) come last, unranked (``rank`` NA)."""
    names = list(labels) if labels is not None else [f"run {i + 1}" for i in range(len(metrics_list))]
    problems = []
    if len(names) != len(metrics_list):
        problems.append(Problem(f"{len(names)} labels for {len(metrics_list)} runs", field="labels"))
    if rank_by not in PerformanceMetrics.model_fields or rank_by not in scalar_dict_fields():
        problems.append(
            Problem(
                f"unknown metric {rank_by!r}; known: {', '.join(sorted(scalar_dict_fields()))}",
                field="rank_by",
            )
        )
    if problems:
        raise InputError("cannot compare", problems)
    frame = pd.DataFrame(
        [scalar_dict(m) for m in metrics_list], index=pd.Index(names, name="run"), dtype="float64"
    )
    frame = frame.sort_values(rank_by, ascending=not descending, na_position="last", kind="stable")
    ranked = frame[rank_by].notna().to_numpy()
    rank = pd.array([i + 1 if ok else pd.NA for i, ok in enumerate(ranked)], dtype="Int64")
    frame.insert(0, "rank", rank)
    return frame


def scalar_dict_fields() -> set[str]:
    """Names of the scalar (numeric) fields of :class:`PerformanceMetrics`."""
    out = set()
    for name, field in PerformanceMetrics.model_fields.items():
        text = str(field.annotation)
        if name != "schema_version" and text in {
            "<class 'float'>",
            "<class 'int'>",
            "float | None",
            "int | None",
        }:
            out.add(name)
    return out
