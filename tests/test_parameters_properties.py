"""Property tests (hypothesis) for ParameterSet: counts, validity, exact filtering, hashes."""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pystocksharp.parameters import ParameterSet, parameter_hash

OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@st.composite
def int_params(draw: st.DrawFn, name: str) -> dict[str, Any]:
    start = draw(st.integers(-5, 5))
    step = draw(st.integers(1, 3))
    n = draw(st.integers(1, 5))
    return {
        "name": name,
        "type": "int",
        "default": start,
        "min": start,
        "max": start + step * (n - 1) + draw(st.integers(0, step - 1)),
        "step": step,
    }


@st.composite
def float_params(draw: st.DrawFn, name: str) -> dict[str, Any]:
    start = Decimal(draw(st.integers(-20, 20))) / 10  # one decimal place, e.g. -1.3
    step = Decimal(draw(st.integers(1, 7))) / 20  # 0.05 .. 0.35
    n = draw(st.integers(1, 6))
    stop = start + step * (n - 1)
    return {
        "name": name,
        "type": "float",
        "default": float(start),
        "min": str(start),
        "max": str(stop),
        "step": str(step),
    }


@st.composite
def categorical_params(draw: st.DrawFn, name: str) -> dict[str, Any]:
    values = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True))
    return {"name": name, "type": "categorical", "default": values[0], "values": values}


@st.composite
def definitions(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 3))
    out = []
    for i in range(count):
        kind = draw(st.sampled_from([int_params, float_params, categorical_params]))
        out.append(draw(kind(f"p{i}")))
    return out


@st.composite
def numeric_constraint(draw: st.DrawFn, defs: list[dict[str, Any]]) -> tuple[str, Any] | None:
    """A random comparison between two numeric parameters (or one and a constant), as text and as a function."""
    numeric = [d["name"] for d in defs if d["type"] != "categorical"]
    if not numeric:
        return None
    left = draw(st.sampled_from(numeric))
    op = draw(st.sampled_from(sorted(OPS)))
    if len(numeric) > 1 and draw(st.booleans()):
        right = draw(st.sampled_from([n for n in numeric if n != left]))
        return f"{left} {op} {right}", lambda v: OPS[op](v[left], v[right])
    k = draw(st.integers(-3, 3))
    return f"{left} {op} {k}", lambda v: OPS[op](v[left], k)


@settings(max_examples=80, deadline=None)
@given(definitions())
def test_count_equals_enumeration_and_every_combination_validates(defs: list[dict[str, Any]]) -> None:
    pset = ParameterSet(defs)
    combos = list(pset.generate_combinations())
    assert pset.count() == len(combos) == pset.count_unconstrained()
    for combo in combos:
        assert pset.validate(combo) == []
    # all distinct, and so are their hashes
    assert len({parameter_hash(c) for c in combos}) == len(combos)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_constraint_filtering_is_exact(data: st.DataObject) -> None:
    defs = data.draw(definitions())
    constraint = data.draw(numeric_constraint(defs))
    if constraint is None:
        return
    text, brute = constraint
    unconstrained = list(ParameterSet(defs).generate_combinations())
    constrained = ParameterSet(defs, [text])
    expected = [c for c in unconstrained if brute(c)]
    assert list(constrained.generate_combinations()) == expected
    assert constrained.count() == len(expected)
    for combo in expected:
        assert constrained.validate(combo) == []
    for combo in unconstrained:
        if not brute(combo):
            assert [p.field for p in constrained.validate(combo)] == ["constraint"]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(-1000, 1000),
    st.integers(1, 500),
    st.integers(1, 40),
    st.sampled_from([1, 2, 3]),
)
def test_decimal_steps_never_drift(start_units: int, step_units: int, n: int, places: int) -> None:
    scale = Decimal(10) ** places
    start, step = Decimal(start_units) / scale, Decimal(step_units) / scale
    stop = start + step * (n - 1)
    pset = ParameterSet(
        [
            {
                "name": "x",
                "type": "float",
                "default": float(start),
                "min": str(start),
                "max": str(stop),
                "step": str(step),
            }
        ]
    )
    values = [c["x"] for c in pset.generate_combinations()]
    assert values == [float(start + i * step) for i in range(n)]
    assert values[-1] == float(stop)  # the stop is reached exactly, never skipped by rounding


@st.composite
def value_maps(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.text("abcdefgh_", min_size=1, max_size=6), min_size=1, max_size=5, unique=True))
    values = st.one_of(
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=False, allow_infinity=False, width=64),
        st.booleans(),
        st.text(max_size=8),
        st.decimals(allow_nan=False, allow_infinity=False, places=3),
    )
    return {k: draw(values) for k in keys}


@settings(max_examples=150, deadline=None)
@given(value_maps(), st.randoms(use_true_random=False))
def test_hash_is_stable_and_independent_of_key_order(values: dict[str, Any], rnd: Any) -> None:
    items = list(values.items())
    rnd.shuffle(items)
    assert parameter_hash(dict(items)) == parameter_hash(values) == parameter_hash(dict(values))
    assert parameter_hash(values).startswith("sha256:") and len(parameter_hash(values)) == 7 + 64


@settings(max_examples=150, deadline=None)
@given(st.integers(-(10**15), 10**15), st.integers(0, 4))
def test_int_float_and_decimal_forms_hash_the_same(n: int, zeros: int) -> None:
    as_decimal = Decimal(n).quantize(Decimal(1).scaleb(-zeros))  # e.g. Decimal("5.00")
    hashes = {parameter_hash({"p": n}), parameter_hash({"p": as_decimal})}
    if abs(n) < 2**53:  # exactly representable as a float
        hashes.add(parameter_hash({"p": float(n)}))
    assert len(hashes) == 1


@settings(max_examples=100, deadline=None)
@given(definitions())
def test_json_round_trip_keeps_the_grid(defs: list[dict[str, Any]]) -> None:
    pset = ParameterSet(defs)
    again = ParameterSet.from_json(pset.to_json())
    assert list(again.generate_combinations()) == list(pset.generate_combinations())
    assert [pset.parameter_hash(c) for c in pset.generate_combinations()] == [
        again.parameter_hash(c) for c in again.generate_combinations()
    ]


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_count_by_groups_equals_enumeration_with_several_constraints(data: st.DataObject) -> None:
    defs = data.draw(definitions())
    drawn = [data.draw(numeric_constraint(defs)) for _ in range(data.draw(st.integers(0, 3)))]
    constraints = [c for c in drawn if c is not None]
    pset = ParameterSet(defs, [text for text, _ in constraints])
    brute = [c for c in ParameterSet(defs).generate_combinations() if all(f(c) for _, f in constraints)]
    assert pset.count() == len(brute) == len(list(pset.generate_combinations()))
