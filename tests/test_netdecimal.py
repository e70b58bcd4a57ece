"""NetDecimal / NetFloat: the numbers StockSharp-style Python strategies compute with (hand-worked cases)."""

from __future__ import annotations

import importlib
import pickle
from decimal import Decimal

import pytest

from pystocksharp.netdecimal import NetDecimal, NetFloat


def test_netfloat_compares_as_its_decimal_everywhere() -> None:
    a, b = NetFloat(0.1), NetFloat(0.2)
    assert a < b and b > a and a <= NetFloat(0.1) and a != b
    # against a decimal: the decimal of its shortest repr (0.1), not the binary 0.1000000000000000055…
    assert a == NetDecimal("0.1") and NetDecimal("0.1") == a
    assert not NetDecimal("0.1") < a and not NetDecimal("0.1") > a and NetDecimal("0.1") <= a
    assert not a < Decimal("0.1") and a >= Decimal("0.1")
    assert a > 0 and a < 1 and a == 0.1  # floats and ints: the float's own comparison
    assert max(a, b) is b and sorted([b, a]) == [a, b]


def test_netfloat_arithmetic_is_exact_decimal() -> None:
    a, b = NetFloat(0.1), NetFloat(0.2)
    for value in (a + b, b - a, a * 3, 3 * a, a / 4, NetDecimal("1") - a, a - NetDecimal("1"), -a, abs(NetFloat(-1.5))):
        assert isinstance(value, NetDecimal)
    assert a + b == Decimal("0.3")  # as a float 0.1 + 0.2 == 0.30000000000000004
    assert NetDecimal("1") - a == Decimal("0.9") and a - 1 == Decimal("-0.9")
    assert a * 3 == Decimal("0.3") and a / 4 == Decimal("0.025")
    assert 1 / NetFloat(3.0) == Decimal(1) / Decimal(3)  # 28 significant digits, as .NET's decimal
    assert a + 0.2 == Decimal("0.3")  # a float operand at its shortest repr, as NetDecimal does


def test_netfloat_looks_like_its_decimal() -> None:
    a = NetFloat(2.675)
    assert str(a) == "2.675" and repr(a) == "NetDecimal('2.675')"
    assert f"{a:.2f}" == "2.68"  # the decimal rounds half-even at 2.675 exactly; the binary float would give 2.67
    assert round(a, 2) == Decimal("2.68") and float(a) == 2.675
    assert str(NetFloat(1e-05)) == "0.00001"
    assert a.quantize(Decimal("0.1")) == Decimal("2.7")  # Decimal's methods
    assert hash(NetFloat(0.1)) == hash(Decimal("0.1")) and {NetDecimal("0.1"): "x"}[NetFloat(0.1)] == "x"
    assert pickle.loads(pickle.dumps(a)) == a and type(pickle.loads(pickle.dumps(a))) is NetFloat


def test_netdecimal_comparisons_with_plain_floats_stay_exact() -> None:
    # a plain float is its binary value (Decimal's own rule); only NetFloat stands for its repr
    assert NetDecimal("0.1") < 0.1 and NetDecimal("0.5") == 0.5 and NetDecimal("2.5") > 2


@pytest.mark.parametrize(
    ("call", "expected", "kind"),
    [
        (("Abs", NetDecimal("-2.5")), Decimal("2.5"), NetDecimal),
        (("Abs", -2.5), 2.5, float),
        (("Abs", -3), 3, int),
        (("Max", NetDecimal("1.5"), 2), Decimal(2), NetDecimal),  # decimal and int: a decimal, as in .NET
        (("Max", 1.5, 2), 2.0, float),
        (("Min", NetDecimal("1.5"), 0.25), Decimal("0.25"), NetDecimal),
        (("Min", 4, 3), 3, int),
        (("Sign", NetDecimal("-0.01")), -1, int),
        (("Sign", 0.0), 0, int),
        (("Sign", 7), 1, int),
    ],
)
def test_system_math_in_stocksharp_python_strategies(call: tuple, expected: object, kind: type) -> None:
    from pystocksharp.stocksharp import _System  # loads the layer and installs the System proxy

    math = importlib.import_module("System").Math  # what `from System import Math` gives a strategy
    name, *args = call
    value = getattr(math, name)(*args)
    assert value == expected and type(value) is kind
    # the same as .NET's own Math (through pythonnet), which the proxy falls back to
    assert value == getattr(_System.Math, name)(*args)
    assert math.PI == pytest.approx(3.141592653589793)  # any other member is .NET's


def test_net_receives_a_netfloat_as_its_decimal() -> None:
    from pystocksharp.stocksharp import Strategy  # noqa: F401 (loads the layer and the codec)

    messages = importlib.import_module("StockSharp.Messages")
    value = NetFloat(1.0000000000000002)  # 17 significant digits: a double → decimal cast would keep 15
    assert messages.Unit(value, messages.UnitTypes.Absolute).Value == Decimal("1.0000000000000002")
