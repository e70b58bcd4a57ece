"""A constraint that raises on a combination is an error (exit 2, nothing written), never a silent
"0 combinations"; a constraint that is simply false still drops combinations."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.data import sample_path
from pystocksharp.errors import InputError
from pystocksharp.optimization import optimize
from pystocksharp.parameters import parse_grid

GOOG = str(sample_path("GOOG_1d.csv"))
GRID = ["fast=5:10:5", "slow=20:30:10"]
RAISING = [
    (
        "fast / (slow - slow) > 1",
        "constraint 'fast / (slow - slow) > 1' raised ZeroDivisionError on fast=5 slow=20: division by zero",
    ),
    ("fast < 'a'", "constraint \"fast < 'a'\" raised TypeError on fast=5: '<' not supported"),
]


def _grid_args() -> list[str]:
    return [arg for spec in GRID for arg in ("--grid", spec)]


@pytest.mark.parametrize(("constraint", "message"), RAISING)
def test_parameter_set_raises_naming_constraint_combination_and_exception(
    constraint: str, message: str
) -> None:
    pset = parse_grid(GRID, constraints=[constraint])
    with pytest.raises(InputError, match="raised") as count_error:
        pset.count()
    assert message in count_error.value.summary
    with pytest.raises(InputError, match="raised") as listing_error:
        list(pset.generate_combinations())
    assert message in listing_error.value.summary


def test_a_false_constraint_still_drops_combinations() -> None:
    pset = parse_grid(GRID, constraints=["fast > slow"])
    assert pset.count() == 0 and list(pset.generate_combinations()) == []
    assert parse_grid(GRID, constraints=["fast * 3 < slow"]).count() == 2  # fast=5 with slow=20 and 30


@pytest.mark.parametrize(("constraint", "message"), RAISING)
def test_grid_command_exits_2_with_the_message(constraint: str, message: str) -> None:
    out = CliRunner().invoke(main, ["grid", *_grid_args(), "--constraint", constraint])
    assert out.exit_code == 2, out.output
    assert message in out.output


@pytest.mark.engine
@pytest.mark.parametrize(("constraint", "message"), RAISING)
def test_optimize_command_exits_2_and_writes_nothing(tmp_path: Path, constraint: str, message: str) -> None:
    run = tmp_path / "run"
    out = CliRunner().invoke(
        main, ["optimize", "-s", "sma_cross", "-d", GOOG, *_grid_args(), "--constraint", constraint,
               "--out", str(run), "--no-progress", "--no-report"],
    )  # fmt: skip
    assert out.exit_code == 2, out.output
    assert message in out.output
    assert not run.exists() or not any(run.rglob("*"))


@pytest.mark.engine
@pytest.mark.parametrize(("constraint", "message"), RAISING)
def test_optimize_api_raises_input_error_and_writes_nothing(
    tmp_path: Path, constraint: str, message: str
) -> None:
    run = tmp_path / "run"
    with pytest.raises(InputError) as error:
        optimize("sma_cross", GOOG, grid=GRID, constraints=[constraint], out=run, workers=1)
    assert message in error.value.summary
    assert not run.exists()


def test_pathological_grids_and_expressions_are_one_line_errors() -> None:
    """A step that makes 10^10 values, a 70,000-character constraint and 1,900 nested unary minuses are input
    errors naming the field, never a MemoryError or RecursionError traceback (#26)."""
    runner = CliRunner()
    tiny = runner.invoke(main, ["grid", "--grid", "x=0:1:1e-10"])
    assert tiny.exit_code == 2
    assert "grid 'x=0:1:1e-10' gives 10,000,000,001 values: at most 10,000,000 per parameter" in tiny.output
    long = " + ".join(["fast"] * 10_000) + " < slow"
    huge = runner.invoke(main, ["grid", "--grid", "fast=1:5", "--grid", "slow=1:5", "--constraint", long])
    assert huge.exit_code == 2 and "expression of 70,004 characters: at most 2,000" in huge.output
    deep = runner.invoke(main, ["grid", "--grid", "fast=1:5", "--grid", "slow=1:5", "--constraint", "-" * 1900 + "fast < slow"])
    assert deep.exit_code == 2 and "nested too deeply" in deep.output
    assert "Traceback" not in tiny.output + huge.output + deep.output
