"""walk-forward's --filter, --fill and --leverage, through the API and the CLI, on the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pystocksharp.backtest import backtest
from pystocksharp.cli import main
from pystocksharp.data import load_sample, sample_path
from pystocksharp.validation.pipeline import walk_forward

GRID = ["fast=5:30:5", "slow=20:120:20"]
COMMON = {"grid": GRID, "constraints": ["fast < slow"], "train": "2y", "test": "1y", "monte_carlo": 0,
          "overfitting": False, "workers": 1}  # fmt: skip


def test_a_filter_keeps_every_selection_to_the_combinations_that_pass_it() -> None:
    plain = walk_forward("sma_cross", sample_path("GOOG_1d"), **COMMON)
    fewest = min(w.is_metrics["round_trips"] for w in plain.walk_forward.windows)
    floor = fewest + 1
    kept = walk_forward("sma_cross", sample_path("GOOG_1d"), filters=[f"round_trips >= {floor}"], **COMMON)
    assert all(w.is_metrics["round_trips"] >= floor for w in kept.walk_forward.windows)
    changed = [w.window for w, p in zip(kept.walk_forward.windows, plain.walk_forward.windows, strict=True)
               if p.is_metrics["round_trips"] < floor]  # fmt: skip
    assert changed  # the windows whose best had too few round trips chose other parameters
    assert all(kept.walk_forward.windows[i].parameters != plain.walk_forward.windows[i].parameters for i in changed)


def test_fill_and_leverage_reach_every_run() -> None:
    """A window's out-of-sample return equals a plain backtest of its parameters on its test bars with the same
    fill and leverage (two independent paths)."""
    small = {**COMMON, "grid": ["fast=10:20:10", "slow=40:80:40"]}
    result = walk_forward("sma_cross", sample_path("GOOG_1d"), fill="close", leverage=2.0, **small)
    w = result.walk_forward.windows[0]
    bars = load_sample("GOOG_1d").frame.loc[w.test_start : w.test_end]
    alone = backtest("sma_cross", bars, params=w.parameters, fill="close", leverage=2.0)
    assert alone.summary.final_equity / 10_000 - 1 == pytest.approx(w.oos_return, abs=1e-12)
    opened = backtest("sma_cross", bars, params=w.parameters)
    assert opened.summary.final_equity != alone.summary.final_equity  # the settings matter on these bars


def test_cli_refuses_an_unknown_filter_metric_before_reading_the_data(tmp_path: Path) -> None:
    out = tmp_path / "wf"
    res = CliRunner().invoke(main, [
        "walk-forward", "-s", "sma_cross", "-d", str(tmp_path / "missing.csv"), "--grid", "fast=5:10:5",
        "--grid", "slow=20:40:20", "--train", "2y", "--test", "1y", "--filter", "roundtrips >= 3",
        "--rank", "sharpe_ratio", "--fill", "close", "--leverage", "2", "--out", str(out),
    ])  # fmt: skip
    assert res.exit_code == 2, res.output
    assert "unknown metric 'roundtrips' in 'roundtrips >= 3' (did you mean 'round_trips'?)" in res.output
    assert "missing.csv" not in res.output and not out.exists()  # refused before the data was read
