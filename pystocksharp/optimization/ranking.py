"""Ranking of optimization results: sort criteria, tie-breakers, filters and top-N.

A criterion is ``"metric"`` or ``"metric:desc"`` / ``"metric:asc"`` (``desc`` when the
direction is omitted, since most metrics are "higher is better"; say ``max_drawdown:desc``
for the shallowest drawdown first, because drawdowns are fractions <= 0). The first
criterion ranks; the following ones break ties; the parameter hash breaks any remaining tie
so a ranking is deterministic. Rows with a missing (NaN) value of a criterion sort last.

A filter is a small boolean expression over metric columns, parsed with :mod:`ast` against a
whitelist (never ``eval``): comparisons (``<, <=, >, >=, ==, !=``, chained as in
``0 < x < 5``) between column names and numeric literals, combined with ``and``. Several
filters are and-combined. Rows whose value is NaN fail every comparison.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.errors import InputError, Problem

_DIRECTIONS = {"desc": True, "asc": False}
_OPS: dict[type[ast.cmpop], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
}
_SYMBOLS = {symbol: fn for symbol, fn in _OPS.values()}
#: Columns that are not metrics and may not be ranked or filtered on.
NON_METRIC_COLUMNS = frozenset({"parameter_hash", "error", "traceback", "index"})


@dataclass(frozen=True)
class SortKey:
    """One ranking criterion: a column and a direction."""

    column: str
    descending: bool = True

    def __str__(self) -> str:
        return f"{self.column}:{'desc' if self.descending else 'asc'}"


@dataclass(frozen=True)
class Comparison:
    """``left <op> right`` where each side is a column name (str) or a number (float)."""

    left: str | float
    op: str
    right: str | float

    def columns(self) -> list[str]:
        return [side for side in (self.left, self.right) if isinstance(side, str)]

    def evaluate(self, table: pd.DataFrame) -> np.ndarray:
        left = _side_values(table, self.left)
        right = _side_values(table, self.right)
        with np.errstate(invalid="ignore"):
            result = np.asarray(_SYMBOLS[self.op](left, right), dtype=bool)
        for side in (left, right):
            if isinstance(side, np.ndarray):
                result &= ~np.isnan(side)
        return result

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class Filter:
    """An and-combination of comparisons, parsed from text such as ``"round_trips >= 30"``."""

    text: str
    comparisons: tuple[Comparison, ...]

    def columns(self) -> list[str]:
        return [c for comparison in self.comparisons for c in comparison.columns()]

    def mask(self, table: pd.DataFrame) -> np.ndarray:
        """Boolean array, True where the row passes every comparison (NaN never passes)."""
        keep = np.ones(len(table), dtype=bool)
        for comparison in self.comparisons:
            keep &= comparison.evaluate(table)
        return keep


def _side_values(table: pd.DataFrame, side: str | float) -> np.ndarray | float:
    if isinstance(side, str):
        return pd.to_numeric(table[side], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return side


def parse_sort_keys(specs: str | Sequence[str]) -> list[SortKey]:
    """Parse ``"sharpe_ratio:desc"`` (or a list of such, first ranks, later break ties).

    A comma-separated string is split too: ``"sharpe_ratio:desc,net_profit"``.
    Raises :class:`InputError` listing every malformed criterion.
    """
    items = [specs] if isinstance(specs, str) else list(specs)
    parts = [p.strip() for item in items for p in item.split(",") if p.strip()]
    keys: list[SortKey] = []
    problems: list[Problem] = []
    for part in parts:
        column, _, direction = part.partition(":")
        column, direction = column.strip(), (direction.strip().lower() or "desc")
        if not column.isidentifier():
            problems.append(Problem(f"'{part}': expected 'metric' or 'metric:desc|asc'", field="rank"))
        elif direction not in _DIRECTIONS:
            problems.append(
                Problem(f"'{part}': direction must be 'desc' or 'asc', got '{direction}'", field="rank")
            )
        else:
            keys.append(SortKey(column, _DIRECTIONS[direction]))
    if not parts:
        problems.append(
            Problem("at least one ranking criterion is required, e.g. 'net_profit:desc'", field="rank")
        )
    if problems:
        raise InputError("invalid ranking criteria", problems)
    return keys


def parse_filter(text: str) -> Filter:
    """Parse one filter expression (see the module docstring). Raises :class:`InputError`."""
    problems: list[Problem] = []
    comparisons: list[Comparison] = []
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise InputError(
            "invalid filter", [Problem(f"'{text}': not an expression ({exc.msg})", field="filter")]
        ) from None
    _collect(tree.body, text, comparisons, problems)
    if problems:
        raise InputError("invalid filter", problems)
    return Filter(text=text.strip(), comparisons=tuple(comparisons))


def parse_filters(texts: str | Iterable[str]) -> list[Filter]:
    """Parse several filters, reporting the problems of all of them at once."""
    items = [texts] if isinstance(texts, str) else list(texts)
    filters: list[Filter] = []
    problems: list[Problem] = []
    for text in items:
        try:
            filters.append(parse_filter(text))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError("invalid filter", problems)
    return filters


def _collect(node: ast.expr, text: str, out: list[Comparison], problems: list[Problem]) -> None:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        for value in node.values:
            _collect(value, text, out, problems)
        return
    if not isinstance(node, ast.Compare):
        what = "'or'" if isinstance(node, ast.BoolOp) else type(node).__name__
        problems.append(
            Problem(
                f"'{text}': only comparisons joined by 'and' are allowed (found {what}), "
                "e.g. 'round_trips >= 30 and max_drawdown > -0.2'",
                field="filter",
            )
        )
        return
    operands = [node.left, *node.comparators]
    sides = [_operand(o, text, problems) for o in operands]
    for k, op in enumerate(node.ops):
        symbol = _OPS.get(type(op))
        if symbol is None:
            problems.append(Problem(f"'{text}': operator {type(op).__name__} is not allowed", field="filter"))
            continue
        left, right = sides[k], sides[k + 1]
        if left is None or right is None:
            continue
        if not isinstance(left, str) and not isinstance(right, str):
            problems.append(
                Problem(f"'{text}': a comparison needs a metric name on one side", field="filter")
            )
            continue
        out.append(Comparison(left, symbol[0], right))


def _operand(node: ast.expr, text: str, problems: list[Problem]) -> str | float | None:
    if isinstance(node, ast.Name):
        return node.id
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        node = node.operand
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return sign * float(node.value)
    problems.append(
        Problem(f"'{text}': '{ast.unparse(node)}' is neither a metric name nor a number", field="filter")
    )
    return None


def validate_columns(
    table: pd.DataFrame, keys: Sequence[SortKey] = (), filters: Sequence[Filter] = ()
) -> None:
    """Raise :class:`InputError` listing every unknown column, with the known metric columns."""
    known = rankable_columns(table)
    problems: list[Problem] = []
    for key in keys:
        if key.column not in known:
            problems.append(Problem(f"unknown metric '{key.column}'", field="rank"))
    for flt in filters:
        for column in flt.columns():
            if column not in known:
                problems.append(Problem(f"unknown metric '{column}' in '{flt.text}'", field="filter"))
    if problems:
        problems.append(Problem("known metrics: " + ", ".join(sorted(known))))
        raise InputError("unknown metric names in ranking or filters", problems)


def rankable_columns(table: pd.DataFrame) -> list[str]:
    """Numeric columns of ``table`` other than bookkeeping ones (hash, error, traceback)."""
    return [
        str(c)
        for c in table.columns
        if str(c) not in NON_METRIC_COLUMNS
        and (pd.api.types.is_numeric_dtype(table[c]) or pd.api.types.is_bool_dtype(table[c]))
    ]


def rank_table(
    table: pd.DataFrame,
    rank: str | Sequence[str] | Sequence[SortKey] = "net_profit:desc",
    filters: str | Iterable[str] | Iterable[Filter] = (),
    top: int | None = None,
) -> pd.DataFrame:
    """Successful rows of ``table`` that pass ``filters``, sorted by ``rank``, first ``top`` rows.

    Failed rows (non-null ``error``) are dropped. Ties left after every criterion are
    broken by ``parameter_hash`` (when present), so the order is deterministic.
    """
    keys = _as_keys(rank)
    flts = _as_filters(filters)
    validate_columns(table, keys, flts)
    keep = np.ones(len(table), dtype=bool)
    if "error" in table.columns:
        keep &= table["error"].isna().to_numpy()
    for flt in flts:
        keep &= flt.mask(table)
    rows = table.loc[keep]
    columns = [k.column for k in keys]
    ascending = [not k.descending for k in keys]
    if "parameter_hash" in rows.columns and "parameter_hash" not in columns:
        columns.append("parameter_hash")
        ascending.append(True)
    ranked = rows.sort_values(columns, ascending=ascending, na_position="last", kind="mergesort")
    if top is not None:
        if top < 0:
            raise InputError("invalid top-N", [Problem(f"top must be >= 0, got {top}", field="top")])
        ranked = ranked.head(top)
    return ranked


def _as_keys(rank: str | Sequence[str] | Sequence[SortKey]) -> list[SortKey]:
    if isinstance(rank, str):
        return parse_sort_keys(rank)
    items = list(rank)
    if items and all(isinstance(k, SortKey) for k in items):
        return [k for k in items if isinstance(k, SortKey)]
    return parse_sort_keys([str(k) for k in items])


def _as_filters(filters: str | Iterable[str] | Iterable[Filter]) -> list[Filter]:
    if isinstance(filters, str):
        return parse_filters(filters)
    items = list(filters)
    parsed = [f for f in items if isinstance(f, Filter)]
    texts = [f for f in items if isinstance(f, str)]
    return parsed + parse_filters(texts)
