"""Strategy parameters as data: definitions, validation, lazy grids, canonical hashes (no .NET).

A :class:`ParameterDefinition` says what one parameter accepts: its ``type`` (int, float,
decimal, bool, categorical, timeframe), ``default``, inclusive bounds ``min``/``max``, a grid
``step`` anchored at ``min``, or a list of discrete ``values``, and ``rules`` (expressions that
must hold, see :mod:`pystocksharp.expressions`). A :class:`ParameterSet` holds several, plus
cross-parameter ``constraints`` such as ``"fast < slow"`` (or Python callables).

Grid convention: a parameter varies in :meth:`ParameterSet.generate_combinations` when it has
``values``, or ``step`` together with ``min`` and ``max``; otherwise it stays at its default.
Steps are exact decimal arithmetic (``0.1:0.5:0.1`` is exactly 0.1, 0.2, 0.3, 0.4, 0.5), and a
value is on the grid when ``(value - min) / step`` is a whole number, computed in decimals.

Enumeration order: the last parameter varies fastest (as :func:`itertools.product`).

:func:`parameter_hash` is ``"sha256:" + hex`` of a canonical JSON (keys sorted, no spaces,
numbers written in their shortest exact decimal form and integral numbers as integers, so ``1``,
``1.0`` and ``Decimal("1.00")`` hash the same); it is identical across runs, processes and machines.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, model_validator

from pystocksharp.errors import InputError, Problem
from pystocksharp.expressions import Expression, ExpressionError
from pystocksharp.timeframes import is_timeframe, parse_timeframe

ParamType = Literal["int", "float", "decimal", "bool", "categorical", "timeframe"]
NUMERIC_TYPES: frozenset[str] = frozenset({"int", "float", "decimal"})
Constraint = str | Callable[[Mapping[str, Any]], bool]
#: A rule or constraint as a ParameterSet checks it: (label, check, owning parameter or None).
Check = tuple[str, Callable[[Mapping[str, Any]], Any], str | None]
_MATERIALIZE_AXIS = 1_000_000
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


# ---- value conversion ---------------------------------------------------------------------------


def _as_decimal(value: Any) -> Decimal:
    """Exact decimal of a number or numeric text; floats through their shortest repr (0.1 -> 0.1)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    elif hasattr(value, "item"):  # numpy scalar
        return _as_decimal(value.item())
    else:
        raise ValueError(f"{type(value).__name__} {value!r} is not a number")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def convert_value(kind: str, value: Any, choices: Sequence[Any] | None = None) -> Any:
    """``value`` as the Python value of a parameter type; ``ValueError`` says what was expected.

    int: whole numbers (``5``, ``5.0``, ``"5"``, ``Decimal("5.00")``) -> ``int``; float -> ``float``;
    decimal -> ``Decimal``; bool: ``True``/``False`` or true/false/yes/no/on/off/1/0 text;
    timeframe -> canonical text such as "5m"; categorical: one of ``choices`` (matched by value,
    or by text when given text).
    """
    if hasattr(value, "item") and not isinstance(value, (str, Decimal)):
        value = value.item()
    if kind == "int":
        d = _as_decimal(value)
        if d != d.to_integral_value():
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(d)
    if kind == "float":
        return float(_as_decimal(value))
    if kind == "decimal":
        return _as_decimal(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"expected true or false, got {value!r}")
    if kind == "timeframe":
        if not isinstance(value, str) or not is_timeframe(value):
            raise ValueError(f"expected a time frame such as 1m, 5m, 1h, 4h, 1d, 1w, got {value!r}")
        return str(parse_timeframe(value))
    if kind == "categorical":
        options = list(choices or [])
        for option in options:  # same type and value (so True never matches 1)
            if type(value) is type(option) and value == option:
                return option
        for option in options:  # text from a command line or a file: "5" matches 5
            if isinstance(value, str) and value == str(option):
                return option
        raise ValueError(f"expected one of {', '.join(repr(o) for o in options)}, got {value!r}")
    raise ValueError(f"unknown parameter type {kind!r}")


def _try_convert(kind: str, value: Any) -> Any:
    try:
        return convert_value(kind, value)
    except ValueError:
        return value  # left as given: ParameterDefinition.check() reports it


def _fmt(value: Any) -> str:
    return str(value) if isinstance(value, Decimal) else repr(value)


# ---- definitions --------------------------------------------------------------------------------


class ParameterDefinition(BaseModel):
    """One parameter: type, default, inclusive bounds, grid step or discrete values, and rules.

    Numbers are stored as the parameter's type (decimal ones as ``Decimal``, written to JSON as
    text so they stay exact). ``rules`` are expressions over this and other parameters that
    every valid value must satisfy, e.g. ``"period % 2 == 1"``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: ParamType
    default: Any = None
    min: Any = None
    max: Any = None
    step: Any = None
    values: list[Any] | None = None
    rules: list[str] = Field(default_factory=list)
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        """Converts bounds, step, default and values to the type where they convert (check() reports the rest)."""
        if not isinstance(data, Mapping):
            return data
        out = {
            k: v
            for k, v in data.items()
            if not (k in ("min", "max", "step", "values", "rules") and v is None)
        }
        kind = out.get("type")
        if kind in NUMERIC_TYPES:
            keys: tuple[str, ...] = ("min", "max", "step", "default")
        elif kind in ("bool", "timeframe"):
            keys = ("default",)
        else:
            return out
        for key in keys:
            if out.get(key) is not None:
                out[key] = _try_convert(kind, out[key])
        if out.get("values") is not None:
            out["values"] = [_try_convert(kind, v) for v in out["values"]]
        return out

    @field_serializer("default", "min", "max", "step")
    def _dump_number(self, value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value

    @field_serializer("values")
    def _dump_values(self, values: list[Any] | None) -> Any:
        return None if values is None else [str(v) if isinstance(v, Decimal) else v for v in values]

    # -- checks --

    def check(self) -> list[Problem]:
        """Problems in the definition itself (bad bounds, step, values, default), all at once."""
        problems: list[Problem] = []

        def bad(message: str) -> None:
            problems.append(Problem(f"parameter '{self.name}': {message}", field=self.name))

        if not self.name:
            bad("the name is empty")
        numeric = self.type in NUMERIC_TYPES
        for key in ("min", "max", "step"):
            value = getattr(self, key)
            if value is None:
                continue
            if not numeric:
                bad(f"{key} applies only to int, float and decimal parameters, not {self.type}")
            else:
                try:
                    convert_value(self.type, value)
                except ValueError as exc:
                    bad(f"{key}: {exc}")
        if numeric and problems == []:
            if self.min is not None and self.max is not None and self.min > self.max:
                bad(f"min {_fmt(self.min)} is greater than max {_fmt(self.max)}")
            if self.step is not None and self.step <= 0:
                bad(f"step must be positive, got {_fmt(self.step)}")
        if self.type == "categorical" and not self.values:
            bad("a categorical parameter needs a list of values")
        if self.values is not None:
            if not self.values:
                bad("values is empty")
            if self.type != "categorical":
                for v in self.values:
                    try:
                        convert_value(self.type, v)
                    except ValueError as exc:
                        bad(f"value {v!r}: {exc}")
            if len({_canonical_json(v) for v in self.values}) != len(self.values):
                bad("values has duplicates")
        for rule in self.rules:
            try:
                Expression(rule)
            except ExpressionError as exc:
                bad(f"rule: {exc}")
        if self.default is not None and not problems:
            problems.extend(self.problems_with(self.default, check_grid=False))
        return problems

    def problems_with(self, value: Any, *, check_grid: bool = True) -> list[Problem]:
        """Problems of one value of this parameter (type, range, grid, discrete values); rules excluded."""
        try:
            v = convert_value(self.type, value, self.values)
        except ValueError as exc:
            return [Problem(f"parameter '{self.name}' ({self.type}): {exc}", field=self.name)]
        problems: list[Problem] = []
        if self.type in NUMERIC_TYPES:
            lo, hi = self.min, self.max
            if (lo is not None and _lt(v, lo)) or (hi is not None and _lt(hi, v)):
                bounds = (
                    f"[{_fmt(lo) if lo is not None else '-inf'}, {_fmt(hi) if hi is not None else 'inf'}]"
                )
                problems.append(
                    Problem(f"parameter '{self.name}' = {_fmt(v)} is outside {bounds}", field=self.name)
                )
            elif check_grid and self.step is not None and not self.on_grid(v):
                below, above = self._grid_neighbours(v)
                problems.append(
                    Problem(
                        f"parameter '{self.name}' = {_fmt(v)} is off the grid {_fmt(self.min if self.min is not None else 0)} "
                        f"+ k * {_fmt(self.step)}; nearest values are {below} and {above}",
                        field=self.name,
                    )
                )
        if self.values is not None and self.type != "categorical" and check_grid:
            if all(_canonical_json(v) != _canonical_json(c) for c in self.values):
                allowed = ", ".join(_fmt(c) for c in self.values)
                problems.append(
                    Problem(f"parameter '{self.name}' = {_fmt(v)} is not one of {allowed}", field=self.name)
                )
        return problems

    def convert(self, value: Any) -> Any:
        """``value`` as this parameter's Python type (no range checks); ``ValueError`` if it cannot be."""
        return convert_value(self.type, value, self.values)

    def on_grid(self, value: Any) -> bool:
        """True when ``(value - min) / step`` is a whole number (exact decimals); True without a step."""
        if self.step is None:
            return True
        offset = (_as_decimal(value) - _as_decimal(self.min if self.min is not None else 0)) / _as_decimal(
            self.step
        )
        return offset == offset.to_integral_value()

    def _grid_neighbours(self, value: Any) -> tuple[str, str]:
        base = _as_decimal(self.min if self.min is not None else 0)
        step = _as_decimal(self.step)
        k = math.floor((_as_decimal(value) - base) / step)
        return _fmt(self._typed(base + k * step)), _fmt(self._typed(base + (k + 1) * step))

    def _typed(self, d: Decimal) -> Any:
        return convert_value(self.type, d)

    # -- grid --

    @property
    def varies(self) -> bool:
        """True when this parameter has more than its default in a grid (values, or step with min and max)."""
        return self.values is not None or (
            self.step is not None and self.min is not None and self.max is not None
        )

    def grid(self) -> Sequence[Any]:
        """The values this parameter takes in a grid, lazily (a step range is never materialized)."""
        if self.values is not None:
            return list(self.values)
        if self.step is not None and self.min is not None and self.max is not None:
            return StepRange(self.type, self.min, self.max, self.step)
        return [self.default]


#: Most values one grid axis may have (a step that small is a typo: ``x=0:1:1e-10``).
MAX_AXIS_VALUES = 10_000_000


def _lt(a: Any, b: Any) -> bool:
    return _as_decimal(a) < _as_decimal(b)


class StepRange(Sequence[Any]):
    """``start, start+step, ...`` up to and including ``stop`` in exact decimals, typed per parameter."""

    def __init__(self, kind: str, start: Any, stop: Any, step: Any) -> None:
        self.kind = kind
        self.start = _as_decimal(start)
        self.step = _as_decimal(step)
        stop_d = _as_decimal(stop)
        self._len = 0 if stop_d < self.start else int((stop_d - self.start) // self.step) + 1

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i: Any) -> Any:  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("StepRange index out of range")
        return convert_value(self.kind, self.start + i * self.step)

    def __repr__(self) -> str:
        return f"StepRange({self.kind}, {self.start}..{self[-1] if self._len else '-'} step {self.step}, n={self._len})"


# ---- canonical JSON and hashing -----------------------------------------------------------------


def _canonical_number(value: Any) -> str:
    d = _as_decimal(value)
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def _canonical_json(value: Any) -> str:
    """Canonical JSON text: sorted keys, no spaces, numbers in shortest exact decimal form."""
    if hasattr(value, "item") and not isinstance(value, (str, Decimal)):
        value = value.item()
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"cannot hash a non-finite number {value!r}")
        return _canonical_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = sorted((str(k), v) for k, v in value.items())
        return (
            "{"
            + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_canonical_json(v)}" for k, v in items)
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical_json(v) for v in value) + "]"
    raise TypeError(f"cannot hash a value of type {type(value).__name__}: {value!r}")


def canonical_json(values: Mapping[str, Any]) -> str:
    """The canonical JSON text of a parameter mapping (what :func:`parameter_hash` hashes)."""
    return _canonical_json(dict(values))


def with_others(values: Mapping[str, Any], others: Mapping[str, Any]) -> dict[str, Any]:
    """A whole parameter record: ``values`` (a combination's), then each of ``others`` (the strategy's other
    parameters at their values) that ``values`` does not give."""
    return {**values, **{k: v for k, v in others.items() if k not in values}}


def parameter_hash(values: Mapping[str, Any]) -> str:
    """``"sha256:" + hex`` of the canonical JSON of ``values`` (see the module docstring)."""
    return "sha256:" + hashlib.sha256(canonical_json(values).encode("utf-8")).hexdigest()


# ---- parameter set ------------------------------------------------------------------------------


class ParameterSetModel(BaseModel):
    """The JSON form of a :class:`ParameterSet` (callable constraints cannot be stored)."""

    parameters: list[ParameterDefinition]
    constraints: list[str] = Field(default_factory=list)


class ParameterSet:
    """Definitions of a strategy's parameters plus cross-parameter constraints.

    ``definitions``: :class:`ParameterDefinition` objects or plain dicts with keys name, type,
    default, min, max, step, values, rules (as a strategy's declared parameters are converted).
    ``constraints``: expressions such as ``"fast < slow"`` or callables ``values -> bool``.
    Raises :class:`InputError` listing every problem in the definitions at once.
    """

    def __init__(
        self,
        definitions: Iterable[ParameterDefinition | Mapping[str, Any]],
        constraints: Iterable[Constraint] = (),
    ) -> None:
        problems: list[Problem] = []
        defs: list[ParameterDefinition] = []
        for raw in definitions:
            try:
                d = (
                    raw
                    if isinstance(raw, ParameterDefinition)
                    else ParameterDefinition.model_validate(dict(raw))
                )
            except Exception as exc:  # pydantic ValidationError: report it as a problem, keep going
                name = raw.get("name") if isinstance(raw, Mapping) else None
                problems.append(
                    Problem(f"bad parameter definition {name or raw!r}: {_first_line(exc)}", field=name)
                )
                continue
            problems.extend(d.check())
            defs.append(d)
        names = [d.name for d in defs]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(Problem(f"parameter '{name}' is defined twice", field=name))
        self.definitions: dict[str, ParameterDefinition] = {d.name: d for d in defs}
        self.constraints: list[Constraint] = []
        self._checks: list[Check] = []
        known = frozenset(self.definitions)
        for d in defs:
            for rule in d.rules:
                try:
                    self._checks.append((rule, Expression(rule, known), d.name))
                except ExpressionError as exc:
                    problems.append(Problem(f"parameter '{d.name}' rule: {exc}", field=d.name))
        for constraint in constraints:
            if callable(constraint):
                label = getattr(constraint, "__name__", repr(constraint))
                self._checks.append((label, constraint, None))
            else:
                try:
                    self._checks.append((str(constraint).strip(), Expression(str(constraint), known), None))
                except ExpressionError as exc:
                    problems.append(Problem(f"constraint: {exc}", field="constraint"))
            self.constraints.append(constraint)
        if problems:
            raise InputError("invalid parameter definitions", problems)

    # -- introspection --

    @property
    def names(self) -> list[str]:
        """Parameter names in definition order (the enumeration order, last varies fastest)."""
        return list(self.definitions)

    def __len__(self) -> int:
        return len(self.definitions)

    def __getitem__(self, name: str) -> ParameterDefinition:
        return self.definitions[name]

    def __repr__(self) -> str:
        return f"ParameterSet({self.describe()})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its definitions and constraints (for worker processes)."""
        return (ParameterSet, (list(self.definitions.values()), list(self.constraints)))

    def defaults(self) -> dict[str, Any]:
        """Every parameter at its default."""
        return {n: d.default for n, d in self.definitions.items()}

    def describe(self) -> str:
        """One line: each parameter's grid and the constraints (``fast=5:50:5 mode=a,b | fast < slow``)."""
        parts = []
        for n, d in self.definitions.items():
            if d.values is not None:
                parts.append(f"{n}={','.join(_fmt_plain(v) for v in d.values)}")
            elif d.varies:
                parts.append(f"{n}={_fmt_plain(d.min)}:{_fmt_plain(d.max)}:{_fmt_plain(d.step)}")
            else:
                parts.append(f"{n}={_fmt_plain(d.default)}")
        labels = [c if isinstance(c, str) else getattr(c, "__name__", "callable") for c in self.constraints]
        return " ".join(parts) + (" | " + " and ".join(labels) if labels else "")

    # -- validation --

    def validate(self, values: Mapping[str, Any], *, check_grid: bool = True) -> list[Problem]:
        """Every problem with ``values`` at once: unknown names, missing values without a default,
        wrong types, out of range, off the step grid, not among the discrete values, rules and
        constraints broken. Missing parameters take their defaults. Empty list: valid."""
        problems: list[Problem] = []
        for name in values:
            if name not in self.definitions:
                hint = difflib.get_close_matches(str(name), self.names, n=1)
                suggestion = (
                    f"; did you mean '{hint[0]}'?" if hint else f"; known parameters: {', '.join(self.names)}"
                )
                problems.append(Problem(f"unknown parameter '{name}'{suggestion}", field=str(name)))
        typed: dict[str, Any] = {}
        for name, d in self.definitions.items():
            if name in values:
                found = d.problems_with(values[name], check_grid=check_grid)
                problems.extend(found)
                if not found:
                    typed[name] = d.convert(values[name])
            elif d.default is None:
                problems.append(Problem(f"parameter '{name}' has no default; give a value", field=name))
            else:
                typed[name] = d.default
        problems.extend(self._check_rules(typed))
        return problems

    def _check_rules(self, typed: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        for label, check, owner in self._checks:
            names = getattr(check, "names", None)
            if names is not None and not names <= typed.keys():
                continue  # a value it needs is already reported as a problem
            if names is None and len(typed) < len(self.definitions):
                continue
            try:
                ok = bool(check(typed))
                error = ""
            except Exception as exc:  # a user's callable or e.g. a division by zero
                ok, error = False, f" (evaluation failed: {type(exc).__name__}: {exc})"
            if not ok:
                shown = ", ".join(f"{n}={_fmt(typed[n])}" for n in sorted(names or typed))
                what = f"rule of '{owner}'" if owner else "constraint"
                problems.append(
                    Problem(f"{what} '{label}' is not met by {shown}{error}", field=owner or "constraint")
                )
        return problems

    def is_valid(self, values: Mapping[str, Any]) -> bool:
        return not self.validate(values)

    def resolve(self, values: Mapping[str, Any] | None = None, *, check_grid: bool = False) -> dict[str, Any]:
        """Every parameter typed, defaults filled in; ``InputError`` with every problem otherwise.

        ``check_grid`` is off by default: a single run may use any in-range value.
        """
        values = dict(values or {})
        problems = self.validate(values, check_grid=check_grid)
        if problems:
            raise InputError("invalid parameter values", problems)
        return {n: (d.convert(values[n]) if n in values else d.default) for n, d in self.definitions.items()}

    def parameter_hash(self, values: Mapping[str, Any]) -> str:
        """:func:`parameter_hash` of ``values`` typed and with defaults filled in (so ``{"fast": 10.0}``
        and ``{"fast": 10, "slow": <default>}`` hash the same)."""
        return parameter_hash(self.resolve(values))

    # -- grid --

    def axes(self) -> dict[str, Sequence[Any]]:
        """Each parameter's grid values (lazy sequences)."""
        return {n: d.grid() for n, d in self.definitions.items()}

    def count_unconstrained(self) -> int:
        """Size of the full grid (product of axis lengths), without enumerating."""
        return math.prod(len(a) for a in self.axes().values())

    def count(self) -> int:
        """Exact number of combinations :meth:`generate_combinations` yields.

        Without rules or constraints this is the product of axis lengths (no enumeration).
        With them, parameters are grouped by the constraints that link them; only each group's
        own sub-grid is enumerated and filtered, and the group counts are multiplied by the
        lengths of the unconstrained axes. ``fast < slow`` on a 10 x 19 sub-grid costs 190
        evaluations however many other parameters the grid has. A Python callable constraint
        may read any parameter, so it links them all. A check that raises on a combination
        raises :class:`InputError` (see :func:`_holds`).
        """
        if not self._checks:
            return self.count_unconstrained()
        axes = self.axes()
        total = 1
        for group, checks in self._constraint_groups():
            if not group:  # a constant expression: it holds for every combination or for none
                if not all(_holds(rule, {}) for rule in checks):
                    return 0
                continue
            group_axes = [axes[n] for n in group]
            total *= sum(
                1
                for values in itertools.product(*(list(a) for a in group_axes))
                if all(_holds(rule, dict(zip(group, values, strict=True))) for rule in checks)
            )
        linked = {n for group, _ in self._constraint_groups() for n in group}
        return total * math.prod(len(a) for n, a in axes.items() if n not in linked)

    def _constraint_groups(self) -> list[tuple[list[str], list[Check]]]:
        """Parameters linked by constraints (connected components) with the checks of each group."""
        parent = {n: n for n in self.definitions}

        def root(n: str) -> str:
            while parent[n] != n:
                parent[n] = parent[parent[n]]
                n = parent[n]
            return n

        check_names: list[tuple[list[str], Check]] = []
        for rule in self._checks:
            names = getattr(rule[1], "names", None)
            used = [n for n in self.definitions if names is None or n in names]
            check_names.append((used, rule))
            for other in used[1:]:
                parent[root(other)] = root(used[0])
        groups: dict[str, tuple[list[str], list[Check]]] = {}
        constant: list[Check] = []
        for used, check in check_names:
            if not used:
                constant.append(check)
                continue
            key = root(used[0])
            if key not in groups:
                groups[key] = ([n for n in self.definitions if root(n) == key], [])
            groups[key][1].append(check)
        result = list(groups.values())
        return [([], constant), *result] if constant else result

    def admits(self, combo: Mapping[str, Any]) -> bool:
        """True when ``combo`` (grid values of every parameter) meets every rule and constraint, as
        :meth:`generate_combinations` filters it (a check that raises is an :class:`InputError`)."""
        return all(_holds(rule, combo) for rule in self._checks)

    def generate_combinations(self) -> Iterator[dict[str, Any]]:
        """Yield each grid combination satisfying every rule and constraint, lazily (last parameter fastest).

        A rule or constraint that raises on a combination (``fast / (slow - slow) > 1``) raises
        :class:`InputError` naming it, the combination and the exception."""
        names = self.names
        axes = [self.definitions[n].grid() for n in names]
        checks = self._checks
        if any(len(a) == 0 for a in axes):
            return
        # Axes up to a million values are listed once (fast product); longer ones are indexed lazily.
        if all(len(a) <= _MATERIALIZE_AXIS for a in axes):
            tuples: Iterable[tuple[Any, ...]] = itertools.product(*(list(a) for a in axes))
        else:
            tuples = (
                tuple(axis[i] for axis, i in zip(axes, index, strict=True))
                for index in itertools.product(*(range(len(a)) for a in axes))
            )
        if not checks:
            for values in tuples:
                yield dict(zip(names, values, strict=True))
            return
        for values in tuples:
            combo = dict(zip(names, values, strict=True))
            if all(_holds(rule, combo) for rule in checks):
                yield combo

    # -- JSON --

    def to_model(self) -> ParameterSetModel:
        callables = [c for c in self.constraints if not isinstance(c, str)]
        if callables:
            raise ValueError(
                "a ParameterSet with callable constraints cannot be written to JSON; use expressions"
            )
        return ParameterSetModel(
            parameters=list(self.definitions.values()), constraints=[str(c) for c in self.constraints]
        )

    def to_json(self, *, indent: int | None = 2) -> str:
        """JSON text of the definitions and (expression) constraints; :meth:`from_json` reads it back."""
        return self.to_model().model_dump_json(indent=indent)

    @classmethod
    def from_model(cls, model: ParameterSetModel) -> ParameterSet:
        return cls(model.parameters, model.constraints)

    @classmethod
    def from_json(cls, text: str | bytes) -> ParameterSet:
        return cls.from_model(ParameterSetModel.model_validate_json(text))

    def to_dicts(self) -> list[dict[str, Any]]:
        """Plain dicts (name, type, default, min, max, step, values, rules), the strategy-declaration form."""
        out = []
        for d in self.definitions.values():
            fields = d.model_dump(mode="json")
            out.append(
                {
                    k: v
                    for k, v in fields.items()
                    if k in ("name", "type", "default") or v not in (None, [], "")
                }
            )
        return out

    @classmethod
    def from_strategy(
        cls,
        declared: Iterable[ParameterDefinition | Mapping[str, Any]],
        constraints: Iterable[Constraint] = (),
    ) -> ParameterSet:
        """From a strategy's declared parameters as dicts (name, type, default, min, max, step, values)."""
        return cls(declared, constraints)


def _holds(rule: Check, combo: Mapping[str, Any]) -> bool:
    """Whether ``combo`` meets ``rule``; a rule that raises is an :class:`InputError`, never "not met"
    (which would silently drop every combination it raises on)."""
    check, owner = rule[1], rule[2]
    try:
        return bool(check(combo))
    except Exception as exc:  # a user's callable, a division by zero, comparing a number with text
        raise InputError(
            _raised_message(rule, combo, exc),
            [Problem("make it true or false for every combination of the grid", field=owner or "constraint")],
        ) from exc


def _raised_message(rule: Check, combo: Mapping[str, Any], exc: Exception) -> str:
    """``constraint 'fast / (slow - slow) > 1' raised ZeroDivisionError on fast=5 slow=20: division by zero``."""
    label, check, owner = rule
    names = getattr(check, "names", None)
    shown = " ".join(f"{n}={_fmt(v)}" for n, v in combo.items() if names is None or n in names)
    what = f"rule {label!r} of '{owner}'" if owner else f"constraint {label!r}"
    return f"{what} raised {type(exc).__name__} on {shown or 'every combination'}: {exc}"


def _fmt_plain(value: Any) -> str:
    return str(value)


def _first_line(exc: Exception) -> str:
    text = str(exc)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return "; ".join(lines[1:3]) if len(lines) > 1 else text


# ---- CLI grid syntax ----------------------------------------------------------------------------


def _infer_kind(tokens: Sequence[str]) -> str:
    def all_ok(kind: str) -> bool:
        try:
            for t in tokens:
                convert_value(kind, t)
        except ValueError:
            return False
        return True

    if all(t.strip().lower() in ("true", "false") for t in tokens):
        return "bool"
    if all_ok("int") and all("." not in t and "e" not in t.lower() for t in tokens):
        return "int"
    if all_ok("float"):
        return "float"
    return "categorical"


def _parse_spec(
    spec: str, base: ParameterDefinition | None, problems: list[Problem]
) -> dict[str, Any] | None:
    """``name=start:stop:step`` | ``name=a,b,c`` | ``name=value`` -> definition fields, or None on problems."""
    name, sep, body = spec.partition("=")
    name, body = name.strip(), body.strip()
    if not sep or not name or not body:
        problems.append(
            Problem(f"bad grid {spec!r}; write name=start:stop:step, name=a,b,c or name=value", field="grid")
        )
        return None
    before = len(problems)
    if ":" in body:
        parts = [p.strip() for p in body.split(":")]
        if len(parts) not in (2, 3) or not all(parts):
            problems.append(
                Problem(f"grid {spec!r}: a range is start:stop:step (or start:stop for step 1)", field=name)
            )
            return None
        if len(parts) == 2:
            parts.append("1")
        kind: str = base.type if base is not None else ("int" if _infer_kind(parts) == "int" else "float")
        if kind not in NUMERIC_TYPES:
            problems.append(
                Problem(f"grid {spec!r}: '{name}' is {kind}; list its values as a,b,c", field=name)
            )
            return None
        try:
            start, stop, step = (convert_value(kind, p) for p in parts)
        except ValueError as exc:
            problems.append(Problem(f"grid {spec!r}: {exc}", field=name))
            return None
        if _lt(step, 0) or _as_decimal(step) == 0:
            problems.append(Problem(f"grid {spec!r}: the step must be positive", field=name))
        if _lt(stop, start):
            problems.append(
                Problem(f"grid {spec!r}: stop {_fmt(stop)} is below start {_fmt(start)}", field=name)
            )
        elif not (_lt(step, 0) or _as_decimal(step) == 0):
            count = int((_as_decimal(stop) - _as_decimal(start)) // _as_decimal(step)) + 1
            if count > MAX_AXIS_VALUES:
                problems.append(Problem(f"grid {spec!r} gives {count:,} values: at most {MAX_AXIS_VALUES:,} per "
                                        "parameter (a coarser step?)", field=name))  # fmt: skip
        if base is not None:
            for label, value in (("start", start), ("stop", stop)):
                problems.extend(
                    Problem(f"grid {spec!r}: {label} {p.message}", field=name)
                    for p in base.problems_with(value, check_grid=False)
                )
        if len(problems) > before:
            return None
        in_grid = (
            base is not None
            and base.default is not None
            and not _lt(base.default, start)
            and not _lt(stop, base.default)
        )
        default = base.default if in_grid and base is not None else start
        return {"name": name, "type": kind, "default": default, "min": start, "max": stop, "step": step}
    tokens = [t.strip() for t in body.split(",")]
    if not all(tokens):
        problems.append(Problem(f"grid {spec!r}: empty value in the list", field=name))
        return None
    kind = base.type if base is not None else _infer_kind(tokens)
    if kind == "categorical" and base is None and all(is_timeframe(t) for t in tokens):
        kind = "timeframe"
    choices = base.values if base is not None and base.type == "categorical" else tokens
    values = []
    for t in tokens:
        try:
            values.append(convert_value(kind, t, choices))
        except ValueError as exc:
            problems.append(Problem(f"grid {spec!r}: {exc}", field=name))
    if base is not None:
        for v in values:
            problems.extend(
                Problem(f"grid {spec!r}: {p.message}", field=name)
                for p in base.problems_with(v, check_grid=False)
            )
    if len(problems) > before:
        return None
    default = base.default if base is not None and base.default in values else values[0]
    fields: dict[str, Any] = {"name": name, "type": kind, "default": default, "values": values}
    if base is not None and base.type in NUMERIC_TYPES:
        fields.update(min=base.min, max=base.max)
    return fields


def parse_grid(
    specs: Iterable[str],
    *,
    constraints: Iterable[Constraint] = (),
    base: ParameterSet | Iterable[ParameterDefinition | Mapping[str, Any]] | None = None,
) -> ParameterSet:
    """A :class:`ParameterSet` from CLI grid syntax.

    ``specs``: ``"fast=5:50:5"`` (inclusive range with step; ``5:50`` means step 1),
    ``"mode=a,b"`` (discrete values) or ``"volume=10"`` (one value). Types are inferred
    (int, float, bool, time frame, else categorical) unless ``base`` (a strategy's parameters)
    defines them; with a ``base``, parameters not in the grid stay at their defaults and grid
    values must lie within the base's bounds. ``InputError`` lists every problem at once.
    """
    base_set = base if isinstance(base, ParameterSet) or base is None else ParameterSet(base)
    problems: list[Problem] = []
    fields: dict[str, dict[str, Any]] = {}
    for spec in [specs] if isinstance(specs, str) else specs:
        name = spec.partition("=")[0].strip()
        if name in fields:
            problems.append(Problem(f"parameter '{name}' appears twice in the grid", field=name))
            continue
        known = base_set.definitions.get(name) if base_set is not None else None
        if base_set is not None and known is None and name:
            hint = difflib.get_close_matches(name, base_set.names, n=1)
            tip = f"did you mean '{hint[0]}'?" if hint else f"known parameters: {', '.join(base_set.names)}"
            problems.append(Problem(f"unknown parameter '{name}' in grid {spec!r}; {tip}", field=name))
            continue
        parsed = _parse_spec(spec, known, problems)
        if parsed is not None:
            fields[name] = parsed
    if problems:
        raise InputError("bad parameter grid", problems)
    definitions: list[ParameterDefinition | dict[str, Any]] = []
    if base_set is not None:
        for name, d in base_set.definitions.items():
            if name in fields:
                definitions.append(fields[name] | {"rules": d.rules, "description": d.description})
            else:
                fixed = [d.default] if d.type == "categorical" else None
                definitions.append(d.model_copy(update={"values": fixed, "step": None}))
        extra = [c for c in base_set.constraints]
    else:
        definitions.extend(fields.values())
        extra = []
    return ParameterSet(definitions, [*extra, *constraints])
