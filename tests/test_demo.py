"""`pystocksharp demo` end to end: every stage writes verifiable artifacts and pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pystocksharp.artifacts.validate import validate_tree
from pystocksharp.cli import main

pytestmark = pytest.mark.engine


def test_demo_runs_every_stage_and_its_artifacts_validate(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    res = CliRunner().invoke(main, ["demo", "--out", str(out), "--workers", "2", "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    # The backtest stage is the README's example: sma_cross 10/20, 10 shares, 0.2 % commission.
    assert round(payload["backtest"]["final_equity"], 2) == 20840.93
    assert payload["backtest"]["round_trips"] == 93
    # fast 5..30 step 5 (6 values) x slow 20..100 step 10 (9 values) = 54, minus
    # fast >= slow: (fast=20, slow=20), (25, 20), (30, 20), (30, 30) -> 50 combinations.
    assert payload["optimization"]["combinations"] == 50
    assert payload["validation"]["verdict"] in {"pass", "warn", "fail"}
    for page in (
        payload["backtest"]["page"],
        payload["optimization"]["summary_page"],
        payload["validation"]["summary_page"],
    ):
        assert Path(page).is_file()
    summary_html = Path(payload["optimization"]["summary_page"]).read_text(encoding="utf-8")
    assert "Validation" in summary_html
    assert validate_tree(out / "results").ok
    assert validate_tree(out / "backtest").ok
    # Running it again replaces the earlier output rather than failing on it; without --json it says what
    # it is doing, stage by stage, on stderr (with the optimizer's progress bar), and the outcome on stdout.
    again = CliRunner().invoke(main, ["demo", "--out", str(out), "--workers", "2"])
    assert again.exit_code == 0, again.output
    stages = [line.split("]")[0] + "]" for line in again.stderr.splitlines() if line.startswith("[")]
    assert stages == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert "optimizing" in again.stderr and again.stderr.count("done in") == 4
    best = payload["optimization"]["best"]
    assert f"best: fast={best['fast']} slow={best['slow']}" in again.stdout
