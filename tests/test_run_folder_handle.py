"""The ``--out`` folder of any command is the handle: ``report``, ``deploy`` and ``validate`` take it; ``deploy``
exports a walk-forward's selected configuration, which ``backtest --config`` replays exactly; ``--overwrite``
replaces a run in ``--out``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import pystocksharp
from pystocksharp.cli import main
from pystocksharp.errors import InputError

pytestmark = pytest.mark.engine

GRID = ["--grid", "fast=5:20:5", "--grid", "slow=30:60:15"]


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.output


def test_deploy_of_a_walk_forward_replays_its_selection_exactly(tmp_path: Path) -> None:
    out = tmp_path / "wf"
    code, output = cli("walk-forward", "-s", "sma_cross", "-d", "sample:GOOG_1d", *GRID, "--train", "2y", "--test",
                       "1y", "--holdout", "1y", "--commission", "0.001", "--monte-carlo", "100", "--out", str(out),
                       "--json")  # fmt: skip
    assert code in (0, 1), output  # 1: a FAIL verdict, still a complete run
    selected = json.loads(output)["selected"]
    code, output = cli("deploy", str(out), "--out", str(tmp_path / "selected.json"))
    assert code == 0, output
    config = json.loads((tmp_path / "selected.json").read_text(encoding="utf-8"))
    assert {k: config["parameters"][k] for k in selected["parameters"]} == selected["parameters"]
    assert config["emulation"]["commission"] == 0.001
    assert config["parameter_hash"] == selected["parameter_hash"]  # one identity: the selection grid's hash
    assert config["data"]["end"] < "2012-03-02"  # the holdout year is not part of the configuration's bars
    replay = pystocksharp.backtest(config=tmp_path / "selected.json")
    assert replay.summary.net_profit == selected["is_metrics"]["net_profit"]  # the selection run, to the bit
    assert replay.summary.round_trips == selected["is_metrics"]["round_trips"]
    assert pystocksharp.backtest(config=out).summary.net_profit == replay.summary.net_profit  # the folder itself
    with pytest.raises(InputError, match="one configuration"):
        from pystocksharp.artifacts.config import deploy_config

        deploy_config(out, rank=2)
    assert cli("validate", str(out))[0] == 0
    code, output = cli("report", str(out), "--json")  # its page is walk-forward's own: named, kept as it is
    assert code == 0 and json.loads(output)["summary_page"].endswith("summary.html")


def test_report_deploy_and_validate_take_the_optimize_out_folder(tmp_path: Path) -> None:
    out = tmp_path / "opt"
    code, output = cli("optimize", "-s", "sma_cross", "-d", "sample:GOOG_1d", *GRID, "--out", str(out))
    assert code == 0, output
    code, output = cli("report", str(out), "--json")
    assert code == 0, output
    assert json.loads(output)["summary_page"].endswith("reports/index.html")
    assert cli("deploy", str(out), "--out", str(tmp_path / "best.json"))[0] == 0
    assert cli("validate", str(out))[0] == 0
    best = pystocksharp.backtest(config=tmp_path / "best.json").summary.net_profit
    code, output = cli("backtest", "--config", str(out), "--json")
    assert code == 0 and json.loads(output)["net_profit"] == best


def test_overwrite_replaces_a_run_and_resume_with_overwrite_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "opt"
    first = ["optimize", "-s", "sma_cross", "-d", "sample:GOOG_1d", *GRID, "--out", str(out)]
    assert cli(*first)[0] == 0
    code, output = cli(*first)
    assert code == 2 and "--overwrite" in output  # the refusal says how to replace it
    second = ["optimize", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--grid", "fast=5:10:5", "--grid", "slow=30:30:1",
              "--out", str(out), "--overwrite", "--no-progress", "--json"]  # fmt: skip
    code, output = cli(*second)
    assert code == 0, output
    assert json.loads(output)["completed"] == 2
    folders = list(out.glob("results/by-strategy/*/*/*/*/*/*/*/optimization/*/strategy-config.json"))
    assert len(folders) == 2  # only the new run's combinations, nothing stale beside them
    assert cli("validate", str(out))[0] == 0
    code, output = cli(*second[:-2], "--resume")
    assert code == 2 and "not both" in output
    # the Python API: overwrite=True on a run directory that holds a run
    api = tmp_path / "api"
    pystocksharp.optimize("sma_cross", "sample:GOOG_1d", grid=["fast=5:10:5", "slow=30:30:1"], out=api)
    again = pystocksharp.optimize("sma_cross", "sample:GOOG_1d", grid=["fast=5:5:1", "slow=30:30:1"], out=api,
                                  overwrite=True)  # fmt: skip
    assert again.summary().completed == 1
