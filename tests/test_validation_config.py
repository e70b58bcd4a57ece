"""The pipeline config: every problem at once with field paths; relative paths and samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.data import sample_path
from pystocksharp.errors import InputError
from pystocksharp.validation.config import load_config, resolve_data

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "pipeline.yaml"

BAD = """\
strategy: sma_cross
data: missing.csv
seed: 1
colour: blue
costs:
  commission: -0.1
optimization:
  grid: []
  workers: 0
walk_forward:
  train: two years
  step: 0
monte_carlo:
  simulations: 5
overfitting:
  pbo_blocks: 7
thresholds:
  pbo_warn: 0.9
  pbo_fail: 0.5
"""


def _fields(err: InputError) -> set[str]:
    return {p.field for p in err.problems if p.field}


def test_every_schema_problem_is_listed_with_its_field_path(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(BAD)
    with pytest.raises(InputError) as info:
        load_config(config)
    fields = _fields(info.value)
    assert {
        "colour",
        "costs.commission",
        "optimization.grid",
        "optimization.workers",
        "monte_carlo.simulations",
        "overfitting.pbo_blocks",
        "thresholds",
        "walk_forward.train",  # semantic checks run alongside the schema: all problems at once
        "walk_forward.step",
        "data",
    } <= fields
    assert all(p.file == str(config) for p in info.value.problems)


def test_semantic_problems_are_listed_together(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(
        "strategy: sma_cross\ndata: nowhere/prices.csv\noptimization: {grid: ['fast=2:8:2']}\n"
        "walk_forward: {train: two years, test: 6m, step: 0}\nholdout: {length: 1q}\n"
    )
    with pytest.raises(InputError) as info:
        load_config(config)
    assert _fields(info.value) == {"walk_forward.train", "walk_forward.step", "holdout.length", "data"}
    data_problem = next(p for p in info.value.problems if p.field == "data")
    assert str(tmp_path / "nowhere" / "prices.csv") in data_problem.message  # relative to the config


def test_cli_pipeline_bad_config_exit_2_json(tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text(
        json.dumps({"strategy": "sma_cross", "data": "x.csv", "optimization": {"grid": []}, "typo": 1})
    )
    run = CliRunner().invoke(main, ["pipeline", str(config), "--json"])
    assert run.exit_code == 2
    payload = json.loads(run.output)
    assert payload["error"] == "bad_input"
    assert len(payload["problems"]) == 3  # empty grid, unknown key, missing data file
    assert any("optimization.grid" in p for p in payload["problems"])
    assert any("typo" in p for p in payload["problems"])


def test_unparsable_yaml_names_the_line(tmp_path: Path) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text("strategy: sma_cross\noptimization:\n  grid: [fast=1\n")
    with pytest.raises(InputError) as info:
        load_config(config)
    assert info.value.problems[0].line is not None


def test_example_config_is_valid_and_uses_the_sample() -> None:
    config = load_config(EXAMPLE)
    assert config.data == "sample:GOOG_1d"
    assert resolve_data(config.data, EXAMPLE.parent) == sample_path("GOOG_1d")
    assert config.holdout.enabled and config.monte_carlo.simulations == 1000


def test_relative_data_path_resolves_against_the_config(tmp_path: Path) -> None:
    assert resolve_data("data/p.csv", tmp_path) == tmp_path / "data" / "p.csv"
    assert resolve_data(str(tmp_path / "abs.csv"), Path("/elsewhere")) == tmp_path / "abs.csv"
