"""Round trip: optimize -> export artifacts -> deploy the best config -> backtest from it gives
the same fills and summary as the optimizer recorded for that combination."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp.artifacts.config import backtest_arguments, load_config
from pystocksharp.artifacts.datasets import read_combination
from pystocksharp.artifacts.export import export_optimization
from pystocksharp.artifacts.layout import short_hash
from pystocksharp.artifacts.validate import validate_tree
from pystocksharp.cli import main
from pystocksharp.data import sample_path

SUMMARY = ("net_profit", "final_equity", "realized_pnl", "commission", "round_trips", "max_drawdown")


@pytest.mark.engine
@pytest.mark.parametrize("rank", [1, 7])
def test_optimize_deploy_backtest_reproduces_the_record(tmp_path: Path, rank: int) -> None:
    from pystocksharp import backtest
    from pystocksharp.metrics import compute_metrics
    from pystocksharp.optimization import optimize

    result = optimize(
        "sma_cross",
        str(sample_path("GOOG_1d.csv")),
        grid=["fast=5:20:5", "slow=30:60:10"],
        constraints=["fast < slow"],
        rank="sharpe_ratio:desc",
        out=tmp_path / "run",
        workers=1,
        commission=0.001,
        slippage_steps=1,
    )
    layout = export_optimization(result, tmp_path / "art", keep=5)
    assert validate_tree(tmp_path / "art").ok
    out = tmp_path / "deployed.json"
    cli = CliRunner().invoke(main, ["deploy", str(layout.run_dir), "--rank", str(rank), "--out", str(out)])
    assert cli.exit_code == 0, cli.output
    config = load_config(out)
    row = result.ranked().iloc[rank - 1]
    assert config.parameter_hash == row["parameter_hash"]
    assert config.emulation.commission == 0.001 and config.emulation.slippage_steps == 1

    replay = backtest(**backtest_arguments(config))

    recorded_fills = result.fills(config.parameter_hash)
    pd.testing.assert_frame_equal(replay.trades.reset_index(drop=True), recorded_fills, check_dtype=False)
    for name in SUMMARY:
        assert getattr(replay.summary, name) == pytest.approx(row[name], rel=0, abs=1e-9), name
    # the exported dataset holds the same fills for a kept combination (run again after the grid), none for another
    exported = read_combination(layout.optimization_dir / "fills", config.parameter_hash)
    assert exported["price"].tolist() == (recorded_fills["price"].tolist() if rank <= 5 else [])
    # metrics of the replay == the optimizer's record of that combination
    replay_metrics = compute_metrics(replay.equity, replay.trades, initial_capital=config.emulation.capital)
    for name in ("sharpe_ratio", "sortino_ratio", "total_return", "win_rate", "profit_factor", "volatility"):
        assert getattr(replay_metrics, name) == pytest.approx(row[name], rel=1e-12, nan_ok=True), name
    if rank <= 5:  # kept: its folder's trades.json and performance-metrics.json too
        folder = layout.optimization_dir / short_hash(row["parameter_hash"])
        trades = json.loads((folder / "trades.json").read_text())
        assert [f["price"] for f in trades["fills"]] == recorded_fills["price"].tolist()
        written = json.loads((folder / "performance-metrics.json").read_text())
        assert written == json.loads(replay_metrics.model_dump_json(by_alias=True))


@pytest.mark.engine
def test_backtest_folder_replays_identically(tmp_path: Path) -> None:
    from pystocksharp import backtest
    from pystocksharp.artifacts.export import write_backtest_result
    from pystocksharp.data import load_ohlcv

    data = load_ohlcv(sample_path("GOOG_1d.csv"))
    first = backtest("sma_cross", data, params={"fast": 10, "slow": 40}, commission=0.002, fill="close")
    write_backtest_result(tmp_path / "run", first, data=data)
    assert validate_tree(tmp_path).ok
    config = load_config(tmp_path / "run" / "strategy-config.json")
    assert config.data.sha256 == f"sha256:{data.sha256}" and config.emulation.fill == "close"
    market = json.loads((tmp_path / "run" / "market-data.json").read_text())
    assert market["bars"] == len(data.frame) == len(first.equity)
    again = backtest(**backtest_arguments(config))
    pd.testing.assert_frame_equal(again.trades, first.trades)
    pd.testing.assert_frame_equal(again.equity, first.equity)


@pytest.mark.engine
def test_export_puts_the_ranking_first_and_keeps_only_ranked_rows(tmp_path: Path) -> None:
    from pystocksharp.optimization import optimize

    result = optimize(
        "sma_cross",
        str(sample_path("GOOG_1d.csv")),
        grid=["fast=5:20:5", "slow=30:60:10"],
        rank="net_profit:desc",
        filters=["round_trips >= 50"],  # 8 of the 16 pass
        out=tmp_path / "run",
        workers=1,
        metrics=False,
    )
    ranked = result.ranked()["parameter_hash"].tolist()
    assert 0 < len(ranked) < 16, "the filter should keep some combinations, not all"
    layout = export_optimization(result, tmp_path / "art", keep=20)
    page = json.loads((layout.optimization_dir / "optimization-results.json").read_text())
    hashes = [r["parameter_hash"] for r in page["rows"]]
    assert hashes[: len(ranked)] == ranked and sorted(hashes) == sorted(result.table["parameter_hash"])
    folders = sorted(
        p.name for p in layout.optimization_dir.iterdir() if (p / "strategy-config.json").exists()
    )
    assert folders == sorted(short_hash(h) for h in ranked)
    best = json.loads((layout.reports_dir / "best-configurations.json").read_text())
    assert [c["parameter_hash"] for c in best["configurations"]] == ranked
    assert best["ranking"] == ["net_profit:desc"]
    assert validate_tree(tmp_path / "art").ok
