"""CLI command: ``grid`` (parse a parameter grid, count it, show the first combinations)."""

from __future__ import annotations

import itertools
from typing import Any

import click
from pydantic import BaseModel

from pystocksharp.cli._common import emit_json, handle_errors, json_option

grid_option = click.option(
    "--grid",
    "grid",
    multiple=True,
    required=True,
    help="A parameter's values: name=start:stop:step (inclusive), name=a,b,c or name=value. Repeatable.",
)
constraint_option = click.option(
    "--constraint",
    "constraints",
    multiple=True,
    help='A condition every combination must meet, e.g. "fast < slow" (comparisons, and/or/not, '
    "+ - * / % , abs/min/max). Repeatable.",
)


class GridCombination(BaseModel):
    parameter_hash: str
    parameters: dict[str, Any]


class GridSummary(BaseModel):
    """A parsed grid: ``count`` combinations meet the constraints out of ``unconstrained_count``."""

    parameters: list[str]
    describe: str
    constraints: list[str]
    unconstrained_count: int
    count: int
    first: list[GridCombination]


@click.command("grid")
@grid_option
@constraint_option
@click.option("--show", default=5, show_default=True, help="How many of the first combinations to print.")
@json_option
@handle_errors()
def grid_command(grid: tuple[str, ...], constraints: tuple[str, ...], show: int, as_json: bool) -> None:
    """Parse a parameter grid, print how many combinations it has and the first few.

    Example: pystocksharp grid --grid fast=5:50:5 --grid slow=20:200:10 --constraint "fast < slow"

    Steps are exact decimals (0.1:0.5:0.1 is exactly five values). The count is exact; with
    constraints the grid is enumerated to count it.
    """
    from pystocksharp.parameters import parameter_hash, parse_grid  # noqa: PLC0415 (pandas: loaded when it runs)

    pset = parse_grid(list(grid), constraints=list(constraints))
    first = [
        GridCombination(parameter_hash=parameter_hash(c), parameters={k: _plain(v) for k, v in c.items()})
        for c in itertools.islice(pset.generate_combinations(), max(0, show))
    ]
    summary = GridSummary(
        parameters=pset.names,
        describe=pset.describe(),
        constraints=list(constraints),
        unconstrained_count=pset.count_unconstrained(),
        count=pset.count(),
        first=first,
    )
    if as_json:
        emit_json(summary)
        return
    click.echo(f"grid: {summary.describe}")
    click.echo(f"combinations: {summary.count:,} (of {summary.unconstrained_count:,} before constraints)")
    for i, combo in enumerate(first):
        values = " ".join(f"{k}={v}" for k, v in combo.parameters.items())
        click.echo(f"  {i:>3}  {values}")
    if summary.count > len(first):
        click.echo(f"  ... {summary.count - len(first):,} more")


def _plain(value: Any) -> Any:
    """Decimals as text in JSON so they stay exact."""
    from decimal import Decimal

    return str(value) if isinstance(value, Decimal) else value


commands: list[click.Command] = [grid_command]
