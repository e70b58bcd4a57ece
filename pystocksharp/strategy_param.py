"""Strategy parameters declared as class attributes (no .NET needed to declare or validate them).

    class MyStrategy(pystocksharp.Strategy):
        fast = Param(10, min=1, optimize=(5, 50, 5), display="Fast SMA")
        volume = Param(1.0, min=1e-12, description="position size in units")

For engine-run Python strategies (:class:`pystocksharp.Strategy`) each ``Param`` is also declared
on the .NET side (``ParamInt``/``ParamDouble``/...), so the engine converts and validates values
the same way as for C# strategies. Vectorized strategies (pure Python) validate with
:meth:`Param.convert`.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Mapping
from typing import Any

from pystocksharp.errors import InputError, Problem

_TYPES: dict[type, str] = {int: "int", float: "float", bool: "bool", str: "str"}


class Param:
    """A declared parameter: type (from the default unless given), default, inclusive range,
    optimization grid ``(from, to, step)`` and display texts."""

    def __init__(
        self,
        default: Any,
        *,
        type: builtins.type | None = None,  # noqa: A002  (reads naturally at the declaration)
        min: Any = None,  # noqa: A002
        max: Any = None,  # noqa: A002
        optimize: tuple[Any, Any, Any] | None = None,
        display: str | None = None,
        description: str = "",
        group: str = "",
    ) -> None:
        self.type: builtins.type = type or default.__class__
        if self.type not in _TYPES:
            raise TypeError(f"Param type must be one of int, float, bool, str; got {self.type.__name__}")
        self.name = ""
        self.default = default
        self.min = min
        self.max = max
        if optimize is not None and len(optimize) != 3:
            raise TypeError("optimize must be a (from, to, step) tuple")
        self.optimize = tuple(optimize) if optimize is not None else None
        self.display = display
        self.description = description
        self.group = group

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def type_name(self) -> str:
        return _TYPES[self.type]

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return obj._param_value(self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        obj._set_param_value(self.name, value)

    def convert(self, value: Any) -> Any:
        """``value`` converted to this parameter's type and checked against its range.

        Raises ``ValueError`` with a sentence naming what was expected.
        """
        v = _convert(self.type, value)
        if self.min is not None and v < self.min or self.max is not None and v > self.max:
            raise ValueError(f"value {v!r} outside the allowed range [{self.min}, {self.max}]")
        return v

    def __repr__(self) -> str:
        return f"Param({self.name}: {self.type_name} = {self.default!r})"


def _convert(t: type, value: Any) -> Any:
    expected = {int: "a whole number", float: "a number", bool: "a boolean", str: "a string"}[t]
    bad = ValueError(f"expected {expected}, got {type(value).__name__} {value!r}")
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if t is str:
        return str(value)
    if t is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "false", "0", "no"):
            return value.strip().lower() in ("true", "1", "yes")
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        raise bad
    if isinstance(value, bool):
        raise bad
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise bad from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise bad
    if t is int:
        if value != int(value):
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(value)
    return float(value)


def declared_params(cls: type) -> dict[str, Param]:
    """The ``Param`` attributes of ``cls`` and its bases, base classes first, in declaration order."""
    out: dict[str, Param] = {}
    for klass in reversed(cls.__mro__):
        for name, attr in vars(klass).items():
            if isinstance(attr, Param):
                out[name] = attr
    return out


def convert_params(cls: type, values: Mapping[str, Any], strategy_name: str) -> dict[str, Any]:
    """Every declared parameter of ``cls`` resolved: defaults overridden by ``values``.

    Unknown names and bad values are all reported in one :class:`InputError`.
    """
    params = declared_params(cls)
    resolved = {name: p.default for name, p in params.items()}
    problems = []
    for name, value in values.items():
        p = params.get(name)
        if p is None:
            known = ", ".join(params) or "none"
            problems.append(
                Problem(
                    f"unknown parameter '{name}' for strategy '{strategy_name}'; known parameters: {known}",
                    field=name,
                )
            )
            continue
        try:
            resolved[name] = p.convert(value)
        except ValueError as exc:
            problems.append(Problem(str(exc), field=name))
    if problems:
        raise InputError(f"bad parameters for strategy '{strategy_name}'", problems)
    return resolved
