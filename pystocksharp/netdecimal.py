"""``NetDecimal``: how .NET ``System.Decimal`` values look from Python.

StockSharp's API is decimal, and StockSharp's Python strategies compute with those values and with Python
numbers alike (``close - range``, ``self.Volume + 1``, ``x > 1.5``, ``float(x)``). A ``NetDecimal`` is a
``decimal.Decimal`` (exact, 28 significant digits, half-even rounding, as .NET's decimal) that also mixes with
``float`` and ``int`` in arithmetic: a float operand is taken at its shortest repr (``0.1`` is
``Decimal("0.1")``), and results stay ``NetDecimal``. Comparisons are ``decimal.Decimal``'s own (exact, also
against floats, and fast). So a Python twin computes stop levels and compares prices exactly as its C#
twin does, and gives the same fills. The bridge's codec hands every .NET decimal to Python as a
``NetDecimal`` and accepts one (or an int or a float) wherever .NET wants a decimal.
"""

from __future__ import annotations

import decimal
from typing import Any

__all__ = ["NetDecimal", "NetEnum"]

_D = decimal.Decimal


def _operand(x: Any) -> Any:
    if isinstance(x, float):
        return _D(repr(x))
    return x


def _wrap(result: Any) -> Any:
    return NetDecimal(result) if isinstance(result, _D) and not isinstance(result, NetDecimal) else result


class NetDecimal(_D):
    """A .NET decimal in Python: ``decimal.Decimal`` that also computes with floats (see the module doc)."""

    __slots__ = ()

    def __add__(self, other: Any) -> Any:
        return _wrap(_D.__add__(self, _operand(other)))

    def __radd__(self, other: Any) -> Any:
        return _wrap(_D.__radd__(self, _operand(other)))

    def __sub__(self, other: Any) -> Any:
        return _wrap(_D.__sub__(self, _operand(other)))

    def __rsub__(self, other: Any) -> Any:
        return _wrap(_D.__rsub__(self, _operand(other)))

    def __mul__(self, other: Any) -> Any:
        return _wrap(_D.__mul__(self, _operand(other)))

    def __rmul__(self, other: Any) -> Any:
        return _wrap(_D.__rmul__(self, _operand(other)))

    def __truediv__(self, other: Any) -> Any:
        return _wrap(_D.__truediv__(self, _operand(other)))

    def __rtruediv__(self, other: Any) -> Any:
        return _wrap(_D.__rtruediv__(self, _operand(other)))

    def __floordiv__(self, other: Any) -> Any:
        return _wrap(_D.__floordiv__(self, _operand(other)))

    def __rfloordiv__(self, other: Any) -> Any:
        return _wrap(_D.__rfloordiv__(self, _operand(other)))

    def __mod__(self, other: Any) -> Any:
        return _wrap(_D.__mod__(self, _operand(other)))

    def __rmod__(self, other: Any) -> Any:
        return _wrap(_D.__rmod__(self, _operand(other)))

    def __pow__(self, other: Any, modulo: Any = None) -> Any:
        if isinstance(other, float) and not other.is_integer():
            return float(self) ** other  # a fractional power has no exact decimal result: as .NET's Math.Pow, a double
        return _wrap(_D.__pow__(self, _operand(other), modulo))

    def __rpow__(self, other: Any) -> Any:
        return _wrap(_D.__rpow__(self, _operand(other)))

    def __neg__(self) -> Any:
        return _wrap(_D.__neg__(self))

    def __pos__(self) -> Any:
        return _wrap(_D.__pos__(self))

    def __abs__(self) -> Any:
        return _wrap(_D.__abs__(self))

    def __repr__(self) -> str:
        return f"NetDecimal('{self}')"


class NetEnum(int):
    """A .NET enum value of the StockSharp layer as Python sees it: an ``int`` (compares and hashes as its value,
    fast) that knows its name; the codec turns it back into the .NET enum where .NET wants one."""

    _name: str
    _type: str

    def __new__(cls, value: int, name: str, type_name: str) -> NetEnum:
        self = super().__new__(cls, value)
        self._name = name
        self._type = type_name
        return self

    @property
    def Name(self) -> str:  # noqa: N802 (.NET style)
        return self._name

    def __str__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"{self._type}.{self._name}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (NetEnum, (int(self), self._name, self._type))
