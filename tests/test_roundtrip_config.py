"""Issue #16 round trip: optimize -> export the artifacts -> ``pystocksharp deploy`` a configuration
-> ``pystocksharp backtest --config`` gives identical fills and metrics to the optimizer's record of
that combination (its captured fills, its metrics row, its kept folder)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp.artifacts.datasets import read_combination
from pystocksharp.artifacts.layout import short_hash
from pystocksharp.cli import main
from pystocksharp.data import sample_path

pytestmark = pytest.mark.engine

KEEP = 5
ENGINE_COLUMNS = ("net_profit", "final_equity", "realized_pnl", "commission", "round_trips", "max_drawdown")


def invoke_json(*args: str) -> dict[str, Any]:
    res = CliRunner().invoke(main, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Path]:
    from pystocksharp.artifacts.export import export_optimization
    from pystocksharp.optimization import optimize

    root = tmp_path_factory.mktemp("roundtrip")
    result = optimize(
        "sma_cross",
        str(sample_path("GOOG_1d.csv")),
        grid=["fast=5:20:5", "slow=30:60:10"],
        constraints=["fast < slow"],
        rank="sharpe_ratio:desc",
        out=root / "run",
        workers=1,
        commission=0.001,
        slippage_steps=1,
        metrics=True,
    )
    layout = export_optimization(result, root / "artifacts", keep=KEEP, fsync=False)
    return result, layout, root


def page_rows(html: Path) -> int:
    """Rows of the trade list a run page embeds (the data its table is drawn from)."""
    text = html.read_text(encoding="utf-8")
    m = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', text, re.S)
    assert m is not None, "the run page embeds its data"
    return len(json.loads(m.group(1))["trades"]["rows"])


def same_number(a: Any, b: Any) -> bool:
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return (a is None or (isinstance(a, float) and math.isnan(a))) and (
            b is None or (isinstance(b, float) and math.isnan(b))
        )
    return float(a) == pytest.approx(float(b), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("rank", [1, 3, 7])  # 1 and 3 have kept folders; 7 is built from run-config.json
def test_deployed_configuration_replays_the_optimizers_record(run: tuple[Any, Any, Path], rank: int) -> None:
    result, layout, root = run
    row = result.ranked().iloc[rank - 1]
    config_path = root / f"rank{rank}.json"
    deployed = invoke_json("deploy", str(layout.run_dir), "--rank", str(rank), "--out", str(config_path))
    assert deployed["config"]["parameter_hash"] == row["parameter_hash"]
    # the whole parameter record: the grid's values and the strategy's other parameters (volume) at theirs
    assert deployed["config"]["parameters"] == {"fast": int(row["fast"]), "slow": int(row["slow"]), "volume": 1.0}

    out = root / f"replay{rank}"
    replay = invoke_json("backtest", "--config", str(config_path), "--out", str(out), "--no-report")
    assert invoke_json("validate", str(out))["problems"] == []
    # one identity: the replay records the optimizer's parameter hash for this combination
    assert json.loads((out / "strategy-config.json").read_text(encoding="utf-8"))["parameter_hash"] == row["parameter_hash"]

    # fills: identical to the optimizer's captured fills of this combination
    recorded = result.fills(row["parameter_hash"]).reset_index(drop=True)
    replayed = pd.read_parquet(out / "trades.parquet")
    pd.testing.assert_frame_equal(replayed, recorded, check_dtype=False)
    # engine summary and every metric of the optimizer's table row
    for name in ENGINE_COLUMNS:
        assert same_number(replay[name], row[name]), name
    metrics = replay["metrics"]
    shared = [c for c in result.table.columns if c in metrics and not isinstance(metrics[c], list | dict)]
    assert len(shared) > 40  # the full scalar set (sharpe, sortino, var_95, sqn, ...)
    for name in shared:
        assert same_number(metrics[name], row[name]), name

    folder = layout.optimization_dir / short_hash(row["parameter_hash"])
    trips = read_combination(layout.optimization_dir / "round-trips", row["parameter_hash"])
    if rank <= KEEP:  # the kept folder: the same trades.json (fills and round trips) and metrics file
        assert read_json(out / "trades.json") == read_json(folder / "trades.json")
        assert read_json(out / "performance-metrics.json") == read_json(folder / "performance-metrics.json")
        # and the round-trips dataset holds the same rows
        listed = read_json(out / "trades.json")["round_trips"]
        assert trips["exit_price"].tolist() == [t["exit_price"] for t in listed]
        assert trips["pnl"].tolist() == [t["pnl"] for t in listed]
    else:
        assert not folder.exists() and len(trips) == 0  # round trips are matched for kept folders only
    assert len(read_json(out / "trades.json")["round_trips"]) == row["round_trips"]


def test_exported_run_validates_and_its_pages_list_the_round_trips(run: tuple[Any, Any, Path]) -> None:
    """Kept combination folders carry their FIFO round trips, so their run pages list them."""
    from pystocksharp.reports.build import build_reports

    result, layout, _ = run
    built = build_reports(layout.run_dir)
    assert len(built.run_pages) == KEEP
    for page in built.run_pages:
        assert page_rows(page) == len(read_json(page.parent / "trades.json")["round_trips"]) > 0
    assert invoke_json("validate", str(layout.run_dir))["problems"] == []


def test_cli_optimize_deploy_backtest_config(tmp_path: Path) -> None:
    """The same round trip with the commands only; the record is what `optimize --out` exported."""
    opt = invoke_json("optimize", "-s", "sma_cross", "-d", str(sample_path("GOOG_1d.csv")),
                      "--grid", "fast=5:20:5", "--grid", "slow=30:60:10", "--constraint", "fast < slow",
                      "--rank", "sharpe_ratio:desc", "--commission", "0.001", "--slippage-steps", "1",
                      "--keep", "3", "--workers", "1", "--no-progress", "--out", str(tmp_path / "opt"))  # fmt: skip
    run_dir = Path(opt["run_dir"])
    deployed = invoke_json("deploy", str(run_dir), "--out", str(tmp_path / "best.json"))
    assert deployed["rank"] == 1
    h = deployed["config"]["parameter_hash"]
    page = read_json(run_dir / "optimization" / "optimization-results.json")
    row = page["rows"][0]
    assert row["rank"] == 1 and row["parameter_hash"] == h

    replay = invoke_json(
        "backtest", "--config", str(tmp_path / "best.json"), "--out", str(tmp_path / "replay")
    )
    assert invoke_json("validate", str(tmp_path / "replay"))["problems"] == []
    assert invoke_json("validate", str(tmp_path / "opt"))["problems"] == []

    recorded = read_combination(run_dir / "optimization" / "fills", h).drop(columns=["parameter_hash"])
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "replay" / "trades.parquet"), recorded, check_dtype=False
    )
    shared = [m for m in row["metrics"] if m in replay["metrics"]]
    assert len(shared) > 40
    for name in shared:
        assert same_number(replay["metrics"][name], row["metrics"][name]), name
    for name in ENGINE_COLUMNS:
        assert same_number(replay[name], row["metrics"][name]), name
    kept = run_dir / "optimization" / short_hash(h)
    for name in ("trades.json", "performance-metrics.json"):
        assert read_json(tmp_path / "replay" / name) == read_json(kept / name), name
    trips = read_json(kept / "trades.json")["round_trips"]
    assert len(trips) == row["metrics"]["round_trips"] > 0
    assert page_rows(kept / "index.html") == len(trips)  # the page optimize built lists them all
