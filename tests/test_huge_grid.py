"""A grid of more than a million combinations prints an estimate and needs --yes (#26)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pystocksharp.cli import main

HUGE = ["--grid", "fast=1:2000", "--grid", "slow=1:1000"]  # 2,000,000 combinations before constraints


def test_a_huge_grid_is_refused_without_yes_with_an_estimate_and_nothing_written(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = CliRunner().invoke(main, ["optimize", "-s", "sma_cross", "-d", "sample:GOOG_1d", *HUGE, "--all-fills", "--out", str(out),
                                    "--json"])  # fmt: skip
    assert res.exit_code == 2, res.output
    # 2,000,000 x 2,148 bars / 10,000,000 bars/s = 429.6 s = 7.2 minutes; 2e6 x 2,148 x 60 B = 258 GB
    assert "2,000,000 combinations before constraints on 2,148 bars: at a nominal 10,000,000 bars/s about 7.2 minutes" in res.output
    assert "about 258 GB of fills and equity" in res.output and "give --yes to run it" in res.output
    assert not out.exists()  # nothing written


def test_a_terminal_is_asked_and_no_stops_the_run(tmp_path: Path, monkeypatch) -> None:
    import pystocksharp.cli.optimize as cli_optimize

    monkeypatch.setattr(cli_optimize, "_can_ask", lambda: True)
    out = tmp_path / "run"
    res = CliRunner().invoke(main, ["optimize", "-s", "sma_cross", "-d", "sample:GOOG_1d", *HUGE,
                                    "--out", str(out)], input="n\n")  # fmt: skip
    assert res.exit_code == 1  # aborted
    assert "note: a huge grid: 2,000,000 combinations" in res.output and "Run it?" in res.output
    assert "GB of fills" not in res.output  # the default keeps only the kept combinations


def test_a_grid_under_the_threshold_runs_without_asking(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["optimize", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--grid", "fast=5:10:5",
                                    "--grid", "slow=20:30:10", "--out", str(tmp_path / "run"), "--json", "--no-report"])  # fmt: skip
    assert res.exit_code == 0, res.output
