"""``NetDecimal``: how .NET ``System.Decimal`` values look from Python.

StockSharp's API is decimal, and StockSharp's Python strategies compute with those values and with Python
numbers alike (``close - range``, ``self.Volume + 1``, ``x > 1.5``, ``float(x)``). A ``NetDecimal`` is a
``decimal.Decimal`` (exact, 28 significant digits, half-even rounding, as .NET's decimal) that also mixes with
``float`` and ``int`` in arithmetic: a float operand is taken at its shortest repr (``0.1`` is
``Decimal("0.1")``), and results stay ``NetDecimal``. Comparisons are ``decimal.Decimal``'s own (exact, also
against floats, and fast). So a Python twin computes stop levels and compares prices exactly as its C#
twin does, and gives the same fills. The bridge's codec hands every .NET decimal to Python as a
``NetDecimal`` and accepts one (or an int or a float) wherever .NET wants a decimal. ``NetFloat`` is the same
decimal kept as a float until needed (indicator values of StockSharp-style ``Bind`` handlers; see its doc).
"""

from __future__ import annotations

import decimal
from typing import Any

__all__ = ["NetDecimal", "NetEnum", "NetFloat"]

_D = decimal.Decimal


def _operand(x: Any) -> Any:
    if isinstance(x, float):
        return _D(float.__repr__(x))  # also a NetFloat: its decimal
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

    # against a NetFloat, the comparisons take its decimal (Decimal's own would take its binary value)
    def __lt__(self, other: Any) -> Any:
        return _D.__lt__(self, other._dec() if isinstance(other, NetFloat) else other)

    def __le__(self, other: Any) -> Any:
        return _D.__le__(self, other._dec() if isinstance(other, NetFloat) else other)

    def __gt__(self, other: Any) -> Any:
        return _D.__gt__(self, other._dec() if isinstance(other, NetFloat) else other)

    def __ge__(self, other: Any) -> Any:
        return _D.__ge__(self, other._dec() if isinstance(other, NetFloat) else other)

    def __eq__(self, other: object) -> Any:
        return _D.__eq__(self, other._dec() if isinstance(other, NetFloat) else other)

    def __ne__(self, other: object) -> Any:
        return _D.__ne__(self, other._dec() if isinstance(other, NetFloat) else other)

    __hash__ = _D.__hash__


class NetFloat(float):
    """An indicator value as the fast path hands it to a Python handler: the decimal whose digits are the shortest
    repr of this float (what :class:`NetDecimal` would hold), kept as a float until a decimal is needed.

    Making a ``NetDecimal`` costs ~1.5 µs and a handler gets several values per candle, most only compared. So:
    comparisons with floats, ints and other ``NetFloat`` are the float's own (the same order as the decimals':
    shortest reprs are monotone and distinct), comparisons with a ``Decimal`` and all arithmetic are those of the
    decimal (results are ``NetDecimal``, exact as in C#), ``str``/``format``/``round``/``hash`` and ``Decimal``'s
    methods are the decimal's, and ``float(x)`` is the float. The codec hands .NET the decimal.
    """

    __slots__ = ()

    def _dec(self) -> NetDecimal:
        return NetDecimal(float.__repr__(self))

    # comparisons: the float's, but against a Decimal the decimal's
    def __lt__(self, other: Any) -> Any:
        return self._dec() < other if isinstance(other, _D) else float.__lt__(self, other)

    def __le__(self, other: Any) -> Any:
        return self._dec() <= other if isinstance(other, _D) else float.__le__(self, other)

    def __gt__(self, other: Any) -> Any:
        return self._dec() > other if isinstance(other, _D) else float.__gt__(self, other)

    def __ge__(self, other: Any) -> Any:
        return self._dec() >= other if isinstance(other, _D) else float.__ge__(self, other)

    def __eq__(self, other: object) -> Any:
        return self._dec() == other if isinstance(other, _D) else float.__eq__(self, other)

    def __ne__(self, other: object) -> Any:
        return self._dec() != other if isinstance(other, _D) else float.__ne__(self, other)

    def __hash__(self) -> int:
        return hash(self._dec())

    # arithmetic: the decimal's (exact, NetDecimal results)
    def __add__(self, other: Any) -> Any:
        return self._dec() + _exact(other)

    def __radd__(self, other: Any) -> Any:
        return _exact(other) + self._dec()

    def __sub__(self, other: Any) -> Any:
        return self._dec() - _exact(other)

    def __rsub__(self, other: Any) -> Any:
        return _exact(other) - self._dec()

    def __mul__(self, other: Any) -> Any:
        return self._dec() * _exact(other)

    def __rmul__(self, other: Any) -> Any:
        return _exact(other) * self._dec()

    def __truediv__(self, other: Any) -> Any:
        return self._dec() / _exact(other)

    def __rtruediv__(self, other: Any) -> Any:
        return _exact(other) / self._dec()

    def __floordiv__(self, other: Any) -> Any:
        return self._dec() // _exact(other)

    def __rfloordiv__(self, other: Any) -> Any:
        return _exact(other) // self._dec()

    def __mod__(self, other: Any) -> Any:
        return self._dec() % _exact(other)

    def __rmod__(self, other: Any) -> Any:
        return _exact(other) % self._dec()

    def __pow__(self, other: Any, modulo: Any = None) -> Any:
        return self._dec().__pow__(_exact(other), modulo)

    def __rpow__(self, other: Any) -> Any:
        return _exact(other) ** self._dec()

    def __neg__(self) -> Any:
        return -self._dec()

    def __pos__(self) -> Any:
        return self._dec()

    def __abs__(self) -> Any:
        return abs(self._dec())

    def __round__(self, ndigits: Any = None) -> Any:
        return round(self._dec(), ndigits) if ndigits is not None else round(self._dec())

    def __str__(self) -> str:
        return str(self._dec())

    def __repr__(self) -> str:
        return repr(self._dec())

    def __format__(self, spec: str) -> str:
        return format(self._dec(), spec)

    def __getattr__(self, name: str) -> Any:
        """``Decimal``'s other members (``quantize``, ``to_integral_value`` …)."""
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._dec(), name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (NetFloat, (float(self),))


def _exact(x: Any) -> Any:
    """An arithmetic operand of a ``NetFloat``: another ``NetFloat`` as its decimal, anything else as it is
    (``NetDecimal`` takes floats at their shortest repr)."""
    return x._dec() if isinstance(x, NetFloat) else x


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
