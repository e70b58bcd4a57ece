"""ParameterSet: definitions, validation, exact grids, hashes, JSON, grid syntax, safe expressions."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.errors import InputError
from pystocksharp.expressions import Expression, ExpressionError
from pystocksharp.parameters import (
    ParameterDefinition,
    ParameterSet,
    StepRange,
    canonical_json,
    parameter_hash,
    parse_grid,
)

SMA = [
    {"name": "fast", "type": "int", "default": 10, "min": 5, "max": 50, "step": 5},
    {"name": "slow", "type": "int", "default": 20, "min": 20, "max": 200, "step": 10},
    {"name": "volume", "type": "float", "default": 1.0, "min": 0.0},
]


def sma_set(*constraints: str) -> ParameterSet:
    return ParameterSet(SMA, constraints)


# ---- grids --------------------------------------------------------------------------------------


def test_float_steps_do_not_drift() -> None:
    pset = parse_grid(["x=0.1:0.5:0.1"])
    assert [c["x"] for c in pset.generate_combinations()] == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert pset.count() == 5
    # a naive float loop drifts: 0.1 + 0.1 + 0.1 == 0.30000000000000004
    assert 0.1 + 0.1 + 0.1 != 0.3


def test_decimal_parameters_stay_exact() -> None:
    pset = ParameterSet(
        [{"name": "k", "type": "decimal", "default": "0.05", "min": "0.05", "max": "0.25", "step": "0.05"}]
    )
    values = [c["k"] for c in pset.generate_combinations()]
    assert values == [Decimal("0.05"), Decimal("0.10"), Decimal("0.15"), Decimal("0.20"), Decimal("0.25")]
    assert all(isinstance(v, Decimal) for v in values)


def test_count_is_the_product_without_constraints_and_exact_with_them() -> None:
    pset = sma_set()
    # fast 5..50 step 5 -> 10 values; slow 20..200 step 10 -> 19 values; volume has no grid -> 1
    assert pset.count() == 10 * 19 == 190
    assert pset.count() == len(list(pset.generate_combinations()))
    constrained = sma_set("slow >= 2 * fast")
    brute = [c for c in sma_set().generate_combinations() if c["slow"] >= 2 * c["fast"]]
    assert list(constrained.generate_combinations()) == brute
    assert constrained.count() == len(brute)
    # by hand: slow >= 2*fast. fast=5,10 -> all 19 slow values; fast=15 -> slow 30..200 (18);
    # fast=20 -> 40.. (17); 25 -> 50.. (16); 30 -> 60.. (15); 35 -> 70.. (14); 40 -> 80.. (13);
    # 45 -> 90.. (12); 50 -> 100.. (11)
    assert constrained.count() == 19 + 19 + 18 + 17 + 16 + 15 + 14 + 13 + 12 + 11


def test_huge_grid_is_lazy() -> None:
    pset = parse_grid([f"p{i}=1:100" for i in range(4)])
    assert pset.count() == 100**4  # 10^8 without enumerating
    first = list(itertools.islice(pset.generate_combinations(), 3))
    assert first == [
        {"p0": 1, "p1": 1, "p2": 1, "p3": 1},
        {"p0": 1, "p1": 1, "p2": 1, "p3": 2},
        {"p0": 1, "p1": 1, "p2": 1, "p3": 3},
    ]
    huge_axis = StepRange("int", 0, 10**12, 1)
    assert len(huge_axis) == 10**12 + 1 and huge_axis[-1] == 10**12


def test_constrained_count_enumerates_only_the_linked_parameters() -> None:
    # 10^8 points, but "p0 < p1" links only p0 and p1: 100 * 99 / 2 = 4950 of their 10^4 pairs,
    # times 100 * 100 for the free p2 and p3
    pset = parse_grid([f"p{i}=1:100" for i in range(4)], constraints=["p0 < p1"])
    assert pset.count() == 4950 * 100 * 100
    always = parse_grid(["a=1:3"], constraints=["1 < 2"])
    never = parse_grid(["a=1:3"], constraints=["2 < 1"])
    assert (always.count(), never.count()) == (3, 0)
    assert len(list(never.generate_combinations())) == 0


def test_enumeration_order_last_parameter_fastest() -> None:
    pset = parse_grid(["a=1,2", "b=x,y"])
    assert [tuple(c.values()) for c in pset.generate_combinations()] == [
        (1, "x"),
        (1, "y"),
        (2, "x"),
        (2, "y"),
    ]


# ---- validation ---------------------------------------------------------------------------------


def test_validate_reports_every_problem_at_once() -> None:
    pset = sma_set("fast < slow")
    problems = pset.validate({"fast": 7, "slow": "abc", "volume": -1.0, "fsat": 3})
    messages = [p.message for p in problems]
    assert messages == [
        "unknown parameter 'fsat'; did you mean 'fast'?",
        "parameter 'fast' = 7 is off the grid 5 + k * 5; nearest values are 5 and 10",
        "parameter 'slow' (int): 'abc' is not a number",
        "parameter 'volume' = -1.0 is outside [0.0, inf]",
    ]
    assert [p.field for p in problems] == ["fsat", "fast", "slow", "volume"]


def test_validate_out_of_range_and_constraint() -> None:
    pset = sma_set("fast < slow")
    (problem,) = pset.validate({"fast": 55})
    assert problem.message == "parameter 'fast' = 55 is outside [5, 50]"
    (problem,) = pset.validate({"fast": 50, "slow": 20})
    assert problem.message == "constraint 'fast < slow' is not met by fast=50, slow=20"
    assert pset.validate({"fast": 10, "slow": 20}) == []


def test_whole_numbers_are_accepted_for_int_parameters() -> None:
    pset = sma_set()
    assert pset.validate({"fast": 10.0, "slow": Decimal("30.00")}) == []
    assert pset.resolve({"fast": 10.0, "slow": "30"}) == {"fast": 10, "slow": 30, "volume": 1.0}
    (problem,) = pset.validate({"fast": 10.5})
    assert "expected a whole number" in problem.message
    (problem,) = pset.validate({"fast": True})
    assert "boolean is not a number" in problem.message


def test_resolve_skips_the_grid_check_but_raises_with_all_problems() -> None:
    pset = sma_set()
    assert pset.resolve({"fast": 7}) == {"fast": 7, "slow": 20, "volume": 1.0}
    with pytest.raises(InputError) as info:
        pset.resolve({"fast": 0, "slow": 1000})
    assert [p.field for p in info.value.problems] == ["fast", "slow"]


def test_bool_categorical_timeframe_parameters() -> None:
    pset = ParameterSet(
        [
            {"name": "use_stop", "type": "bool", "default": False},
            {"name": "mode", "type": "categorical", "default": "trend", "values": ["trend", "revert"]},
            {"name": "tf", "type": "timeframe", "default": "1h", "values": ["15m", "1h", "4h"]},
        ]
    )
    assert pset.resolve({"use_stop": "yes", "tf": "60m"}) == {"use_stop": True, "mode": "trend", "tf": "1h"}
    problems = pset.validate({"use_stop": "maybe", "mode": "chaos", "tf": "2h"})
    assert [p.field for p in problems] == ["use_stop", "mode", "tf"]
    assert "expected one of 'trend', 'revert', got 'chaos'" in problems[1].message
    assert "= '2h' is not one of '15m', '1h', '4h'" in problems[2].message
    assert pset.count() == 1 * 2 * 3  # bool without values stays at its default


def test_rules_on_a_parameter() -> None:
    pset = ParameterSet(
        [
            {
                "name": "period",
                "type": "int",
                "default": 9,
                "min": 1,
                "max": 21,
                "step": 2,
                "rules": ["period % 3 == 0"],
            }
        ]
    )
    assert [c["period"] for c in pset.generate_combinations()] == [3, 9, 15, 21]
    (problem,) = pset.validate({"period": 5})
    assert problem.message == "rule of 'period' 'period % 3 == 0' is not met by period=5"


def test_callable_constraint() -> None:
    def fast_below_half_slow(v: dict) -> bool:
        return v["fast"] * 2 <= v["slow"]

    pset = ParameterSet(SMA, [fast_below_half_slow])
    assert pset.count() == sma_set("slow >= 2 * fast").count()
    (problem,) = pset.validate({"fast": 50, "slow": 20})
    assert "fast_below_half_slow" in problem.message
    with pytest.raises(ValueError, match="callable"):
        pset.to_json()


def test_bad_definitions_are_all_reported() -> None:
    with pytest.raises(InputError) as info:
        ParameterSet(
            [
                {"name": "a", "type": "int", "default": 1, "min": 5, "max": 1},
                {"name": "b", "type": "float", "default": 0.5, "step": -1},
                {"name": "c", "type": "categorical", "default": "x"},
                {"name": "d", "type": "complex", "default": 1},
                {"name": "a", "type": "int", "default": 1},
            ],
            ["a < zz"],
        )
    messages = [p.message for p in info.value.problems]
    assert any("min 5 is greater than max 1" in m for m in messages)
    assert any("step must be positive" in m for m in messages)
    assert any("categorical parameter needs a list of values" in m for m in messages)
    assert any("bad parameter definition 'd'" in m for m in messages)
    assert any("'a' is defined twice" in m for m in messages)
    assert any("unknown name 'zz'" in m for m in messages)


# ---- hashing ------------------------------------------------------------------------------------


def test_hash_canonical_numbers() -> None:
    assert (
        parameter_hash({"fast": 1})
        == parameter_hash({"fast": 1.0})
        == parameter_hash({"fast": Decimal("1.00")})
    )
    assert parameter_hash({"x": 0.1}) == parameter_hash({"x": Decimal("0.10")})
    assert parameter_hash({"a": 1, "b": 2}) == parameter_hash({"b": 2, "a": 1})
    assert parameter_hash({"a": True}) != parameter_hash({"a": 1})
    assert (
        canonical_json({"b": 0.5, "a": "x", "c": True, "d": 1e-7})
        == '{"a":"x","b":0.5,"c":true,"d":0.0000001}'
    )
    # a fixed digest: sha256 of the bytes {"fast":10,"slow":20}
    import hashlib

    assert (
        parameter_hash({"slow": 20.0, "fast": 10})
        == "sha256:" + hashlib.sha256(b'{"fast":10,"slow":20}').hexdigest()
    )


def test_hash_is_stable_across_processes() -> None:
    code = "from pystocksharp.parameters import parameter_hash; print(parameter_hash({'fast': 10, 'x': 0.3, 'm': 'a'}))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert outputs == {parameter_hash({"m": "a", "x": 0.3, "fast": 10})}


def test_set_hash_fills_defaults_and_types() -> None:
    pset = sma_set()
    assert pset.parameter_hash({"fast": 10.0}) == parameter_hash({"fast": 10, "slow": 20, "volume": 1.0})


# ---- JSON round trip and strategy form ----------------------------------------------------------


def test_json_round_trip() -> None:
    pset = ParameterSet(
        [*SMA, {"name": "k", "type": "decimal", "default": "0.1", "min": "0.1", "max": "0.3", "step": "0.1"}],
        ["fast < slow"],
    )
    text = pset.to_json()
    assert json.loads(text)["parameters"][3]["step"] == "0.1"  # decimals written as text, exact
    again = ParameterSet.from_json(text)
    assert again.to_json() == text
    assert list(again.generate_combinations()) == list(pset.generate_combinations())
    assert again.definitions == pset.definitions


def test_strategy_declaration_round_trip() -> None:
    pset = ParameterSet.from_strategy(SMA)
    assert ParameterSet.from_strategy(pset.to_dicts()).definitions == pset.definitions
    assert pset.to_dicts()[0] == SMA[0]


# ---- grid syntax --------------------------------------------------------------------------------


def test_parse_grid_infers_types() -> None:
    pset = parse_grid(
        ["fast=5:50:5", "mode=a,b", "tf=1h,4h", "flag=true,false", "w=0.5", "n=3"], constraints=["fast < 20"]
    )
    kinds = {n: d.type for n, d in pset.definitions.items()}
    assert kinds == {
        "fast": "int",
        "mode": "categorical",
        "tf": "timeframe",
        "flag": "bool",
        "w": "float",
        "n": "int",
    }
    assert pset.count() == 3 * 2 * 2 * 2  # fast in {5, 10, 15}
    assert pset.describe() == "fast=5:50:5 mode=a,b tf=1h,4h flag=True,False w=0.5 n=3 | fast < 20"


def test_parse_grid_with_a_base_uses_its_types_bounds_and_defaults() -> None:
    base = ParameterSet(SMA)
    pset = parse_grid(["fast=5:15:5"], constraints=["fast < slow"], base=base)
    assert list(pset.generate_combinations()) == [
        {"fast": 5, "slow": 20, "volume": 1.0},
        {"fast": 10, "slow": 20, "volume": 1.0},
        {"fast": 15, "slow": 20, "volume": 1.0},
    ]
    # the base default (fast=10) lies outside this grid: the grid's own start becomes its default
    shifted = parse_grid(["fast=15:30:5", "slow=30,40"], base=base)
    assert (shifted["fast"].default, shifted["slow"].default) == (15, 30)
    assert shifted.count() == 4 * 2
    with pytest.raises(InputError) as info:
        parse_grid(["fast=1:60:1", "slwo=1,2", "volume=a,b"], base=base)
    messages = [p.message for p in info.value.problems]
    assert "grid 'fast=1:60:1': start parameter 'fast' = 1 is outside [5, 50]" in messages
    assert "grid 'fast=1:60:1': stop parameter 'fast' = 60 is outside [5, 50]" in messages
    assert "unknown parameter 'slwo' in grid 'slwo=1,2'; did you mean 'slow'?" in messages
    assert any("'a' is not a number" in m for m in messages)


def test_parse_grid_reports_every_syntax_problem() -> None:
    with pytest.raises(InputError) as info:
        parse_grid(["fast", "a=1:2:3:4", "b=5:1:1", "c=1,,2", "d=1:2:0", "e=1", "e=2"])
    fields = [p.field for p in info.value.problems]
    assert fields == ["grid", "a", "b", "c", "d", "e"]


def test_grid_command(tmp_path: object) -> None:
    result = CliRunner().invoke(
        main,
        [
            "grid",
            "--grid",
            "fast=5:50:5",
            "--grid",
            "slow=20:200:10",
            "--constraint",
            "slow >= 2 * fast",
            "--json",
            "--show",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (
        out["unconstrained_count"] == 190 and out["count"] == 154
    )  # as counted by hand in test_count_is_the_product...
    assert out["first"][0]["parameters"] == {"fast": 5, "slow": 20}
    assert out["first"][0]["parameter_hash"] == parameter_hash({"fast": 5, "slow": 20})
    bad = CliRunner().invoke(main, ["grid", "--grid", "fast=5:50:5", "--constraint", "__import__('os')"])
    assert bad.exit_code == 2 and "not allowed" in bad.stderr


# ---- expressions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("fast < slow", {"fast": 1, "slow": 2}, True),
        ("fast < slow < 10", {"fast": 1, "slow": 12}, False),
        ("not (a == b) and (a > 0 or b > 0)", {"a": 1, "b": 2}, True),
        ("abs(a - b) % 3 == 1", {"a": 1, "b": 5}, False),  # |1-5| = 4, 4 % 3 = 1 -> True? see next
        ("abs(a - b) % 3 == 1", {"a": 1, "b": 6}, False),  # 5 % 3 = 2
        ("max(a, b) / min(a, b) >= 2", {"a": 3, "b": 6}, True),
        ("a // 2 == 2", {"a": 5}, True),
        ("-a + +b == 1", {"a": 1, "b": 2}, True),
        ("mode == 'trend'", {"mode": "trend"}, True),
        ("k == 0.1", {"k": Decimal("0.1")}, True),
        ("flag == True", {"flag": True}, True),
    ],
)
def test_expressions_evaluate(text: str, values: dict, expected: bool) -> None:
    if values == {"a": 1, "b": 5}:
        expected = True  # |1 - 5| = 4 and 4 % 3 == 1
    assert Expression(text)(values) is expected


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo hi')",
        "a.__class__",
        "open('x')",
        "[a for a in b]",
        "lambda: 1",
        "a[0]",
        "a ** 2",
        "a if b else c",
        "a in (1, 2)",
        "max(*a)",
        "a = 1",
    ],
)
def test_expressions_reject_anything_else(text: str) -> None:
    with pytest.raises(ExpressionError):
        Expression(text, names={"a", "b", "c"})


def test_expression_unknown_name_lists_parameters() -> None:
    with pytest.raises(ExpressionError, match="unknown name 'slw'.*fast, slow"):
        Expression("fast < slw", names={"fast", "slow"})


def test_definition_model_is_frozen_and_serializes_decimal_as_text() -> None:
    d = ParameterDefinition(name="k", type="decimal", default="1.50", min=0, max=5, step="0.25")
    assert d.default == Decimal("1.50") and d.step == Decimal("0.25")
    assert d.model_dump(mode="json")["default"] == "1.50"
    with pytest.raises(Exception):  # noqa: B017  (pydantic's frozen-instance error)
        d.name = "x"  # type: ignore[misc]


def test_parameter_set_pickles_for_worker_processes() -> None:
    import pickle

    pset = sma_set("slow >= 2 * fast")
    again = pickle.loads(pickle.dumps(pset))
    assert list(again.generate_combinations()) == list(pset.generate_combinations())
    assert again.validate({"fast": 50, "slow": 20}) == pset.validate({"fast": 50, "slow": 20})
    expr = pickle.loads(pickle.dumps(Expression("a < b", names={"a", "b"})))
    assert expr({"a": 1, "b": 2}) is True and expr.names == {"a", "b"}
