"""Artifacts: layout, writers, manifests, pagination, datasets, validate, deploy (no .NET needed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from pystocksharp.artifacts import (
    RunLayout,
    StrategyConfig,
    best_configurations,
    market_data_ref,
    pipeline_summary,
    short_hash,
    write_backtest_run,
    write_metadata,
    write_optimization,
    write_reports,
)
from pystocksharp.artifacts.config import backtest_arguments, deploy_config, load_config, ranked_row
from pystocksharp.artifacts.manifest import read_manifest, refresh_manifest, sha256_file, verify_manifest
from pystocksharp.artifacts.models import (
    DataBinding,
    EmulationConfig,
    StrategyDefinition,
    StrategyRef,
)
from pystocksharp.artifacts.validate import validate_tree
from pystocksharp.artifacts.writer import trades_file
from pystocksharp.cli import main
from pystocksharp.errors import InputError
from pystocksharp.parameters import ParameterDefinition, parameter_hash

BARS = 10
START = pd.Timestamp("2024-01-01", tz="UTC")


def phash(params: dict) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()


def bars_frame() -> pd.DataFrame:
    times = pd.date_range(START, periods=BARS, freq="D")
    return pd.DataFrame({"time": times, "close": 100.0 + np.arange(BARS)})


def combo(i: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Equity and fills of combination i: buy 1 at bar 1 (open 101), sell 1 at bar e = 2 + i % 5
    (at 100 + e), commission 0.1 per fill, capital 10,000.

    Cash: 10,000 until bar 1, then 10,000 - 101 - 0.1 = 9,898.9, then + (100 + e) - 0.1 from bar e.
    Equity = cash + position * close (close[k] = 100 + k).
    """
    times = pd.date_range(START, periods=BARS, freq="D")
    exit_bar = 2 + i % 5
    fills = pd.DataFrame(
        {
            "time": times[[1, exit_bar]],
            "side": [1, -1],
            "price": [101.0, 100.0 + exit_bar],
            "volume": [1.0, 1.0],
            "commission": [0.1, 0.1],
            "order_id": [2 * i + 1, 2 * i + 2],
            "bar": [1, exit_bar],
            "realized_pnl": [0.0, (100.0 + exit_bar) - 101.0 - 0.2],
        }
    )
    bar = np.arange(BARS)
    close = 100.0 + bar
    position = np.where((bar >= 1) & (bar < exit_bar), 1.0, 0.0)
    cash = np.where(bar < 1, 10_000.0, np.where(bar < exit_bar, 9_898.9, 9_898.9 + 100.0 + exit_bar - 0.1))
    equity = pd.DataFrame(
        {
            "time": times,
            "close": close,
            "position": position,
            "cash": cash,
            "equity": cash + position * close,
            "commission": np.where(bar < 1, 0.0, np.where(bar < exit_bar, 0.1, 0.2)),
        }
    )
    return equity, fills


def make_table(n: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    rows, equities, fills = [], {}, {}
    for i in range(n):
        params = {"fast": i + 1, "slow": 2 * i + 10}
        h = phash(params)
        equity, fill = combo(i)
        equities[h], fills[h] = equity, fill
        rows.append(
            {
                **params,
                "parameter_hash": h,
                "net_profit": float(n - i),
                "sharpe_ratio": 2.0 - i / n,
                "max_drawdown": -0.01 * (i + 1),
                "round_trips": 1.0,
                "error": None,
            }
        )
    return pd.DataFrame(rows), equities, fills


def base_config() -> StrategyConfig:
    return StrategyConfig(
        strategy=StrategyRef(name="sma_cross", kind="builtin"),
        parameters={"fast": 1, "slow": 10},
        data=DataBinding(symbol="GOOG", timeframe="1d", path="GOOG_1d.csv"),
        emulation=EmulationConfig(capital=10_000, commission=0.001),
    )


def layout(tmp_path: Path) -> RunLayout:
    return RunLayout(tmp_path, "sma_cross", "2024-01-01", "2024-01-10", "GOOG", "1d")


def export(tmp_path: Path, n: int = 30, keep: int | str = 5) -> RunLayout:
    lay = layout(tmp_path)
    table, equities, fills = make_table(n)
    md = market_data_ref(bars_frame(), symbol="GOOG", timeframe="1d", path="GOOG_1d.csv")
    write_optimization(lay, table, parameter_names=["fast", "slow"], fills=fills, equity=equities,
                       config=base_config(), market_data=md, keep=keep)  # fmt: skip
    best = best_configurations(table, ["fast", "slow"], top=5, run_dir=lay.run_dir,
                               optimization_dir=lay.optimization_dir)  # fmt: skip
    summary = pipeline_summary(table, config=base_config(), market_data=md, started=0.0)
    write_reports(lay, summary=summary, best=best)
    definition = StrategyDefinition(
        strategy=base_config().strategy,
        parameters=[ParameterDefinition(name="fast", type="int", default=10, min=1, max=50, step=1),
                    ParameterDefinition(name="slow", type="int", default=20, min=1)],
        constraints=["fast < slow"],
    )  # fmt: skip
    write_metadata(lay, definition=definition, run_config=base_config(), grid=["fast=1:30:1"])
    return lay


# ---- layout ------------------------------------------------------------------------------


def test_layout_paths(tmp_path: Path) -> None:
    lay = RunLayout(tmp_path, "sma cross", pd.Timestamp("2020-01-02"), "2021-12-31", "EUR/USD", "1h")
    expected = (
        tmp_path
        / "results/by-strategy/sma-cross/by-date-range/20200102_20211231/by-symbol/EUR-USD/by-timeframe/1h"
    )
    assert lay.run_dir == expected
    assert lay.optimization_dir == expected / "optimization"
    assert lay.combination_dir("sha256:" + "ab" * 32) == expected / "optimization" / ("ab" * 8)
    assert (
        lay.cache.month_dir("EUR/USD", "1h", 2020, 3)
        == tmp_path / "shared-cache/market-data/EUR-USD/1h/2020/03"
    )


# ---- one backtest folder -----------------------------------------------------------------


def test_backtest_folder_manifest_lists_every_file(tmp_path: Path) -> None:
    equity, fills = combo(0)
    md = market_data_ref(bars_frame(), symbol="GOOG", timeframe="1d")
    out = tmp_path / "run"
    write_backtest_run(out, config=base_config(), market_data=md, fills=fills, equity=equity,
                       metrics={"net_profit": 1.8, "sharpe_ratio": 1.5, "max_drawdown": -0.02, "round_trips": 1})  # fmt: skip
    manifest = read_manifest(out)
    names = sorted(f.path for f in manifest.files)
    assert names == ["equity.parquet", "market-data.json", "performance-metrics.json", "strategy-config.json",
                     "trades.json", "trades.parquet"]  # fmt: skip
    for f in manifest.files:
        assert f.size == (out / f.path).stat().st_size
        assert f.sha256 == sha256_file(out / f.path)
    assert manifest.data is not None and manifest.data.bars == BARS and manifest.data.round_trips == 1
    assert (
        manifest.run is not None
        and manifest.run.best_sharpe == 1.5
        and manifest.run.best_max_drawdown == -0.02
    )
    assert verify_manifest(out) == []
    # market-data.json references the bars: 10 bars, 2024-01-01 .. 2024-01-10
    ref = json.loads((out / "market-data.json").read_text())
    assert (
        ref["bars"] == 10
        and ref["first_timestamp"].startswith("2024-01-01")
        and ref["last_timestamp"].startswith("2024-01-10")
    )
    # trades.json holds the two fills exactly
    trades = json.loads((out / "trades.json").read_text())
    assert [(f["side"], f["price"], f["order_id"]) for f in trades["fills"]] == [
        (1, 101.0, 1),
        (-1, 102.0, 2),
    ]
    assert pd.read_parquet(out / "equity.parquet")["equity"].tolist() == equity["equity"].tolist()


def test_trades_file_normalizes_engine_columns() -> None:
    fills = pd.DataFrame({"Time": [1_704_067_200_000_000_000], "Side": ["sell"], "Price": [10.5], "Volume": [2.0],
                          "Commission": [0.0], "OrderId": [7], "RealizedPnL": [float("nan")]})  # fmt: skip
    fill = trades_file(fills).fills[0]
    assert fill.time == pd.Timestamp("2024-01-01", tz="UTC")  # 1_704_067_200 s since the epoch
    assert (fill.side, fill.price, fill.volume, fill.order_id, fill.realized_pnl) == (-1, 10.5, 2.0, 7, None)


# ---- optimization export -----------------------------------------------------------------


def test_optimization_export_is_valid_and_complete(tmp_path: Path) -> None:
    lay = export(tmp_path, n=30, keep=5)
    outcome = validate_tree(tmp_path)
    assert outcome.ok, outcome.problems
    # top 5 folders, one per kept hash, each with its own manifest
    table, _, _ = make_table(30)
    kept = [short_hash(h) for h in table["parameter_hash"][:5]]
    folders = sorted(p.name for p in lay.optimization_dir.iterdir() if (p / "manifest.json").exists())
    assert folders == sorted(kept)
    config = load_config(lay.combination_dir(table["parameter_hash"][2]) / "strategy-config.json")
    assert (
        config.parameters == {"fast": 3, "slow": 14} and config.parameter_hash == table["parameter_hash"][2]
    )
    assert config.emulation.commission == 0.001
    opt_manifest = read_manifest(lay.optimization_dir)
    assert opt_manifest.run is not None
    assert (opt_manifest.run.combinations, opt_manifest.run.successes, opt_manifest.run.failures) == (
        30,
        30,
        0,
    )
    assert opt_manifest.run.best_sharpe == 2.0 and opt_manifest.run.best_max_drawdown == -0.01
    best = json.loads((lay.reports_dir / "best-configurations.json").read_text())
    assert [c["rank"] for c in best["configurations"]] == [1, 2, 3, 4, 5]
    assert best["configurations"][0]["folder"] == f"optimization/{kept[0]}"
    schemas = json.loads((lay.metadata_dir / "parameter-schemas.json").read_text())
    assert schemas["parameters_schema"]["properties"] == {
        "fast": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
        "slow": {"type": "integer", "minimum": 1, "default": 20},
    }
    definition = json.loads((lay.metadata_dir / "strategy-definition.json").read_text())
    assert definition["constraints"] == ["fast < slow"] and definition["parameters"][0]["step"] == 1
    risk = json.loads((lay.reports_dir / "risk-analysis.json").read_text())
    assert risk["metrics"] == ["max_drawdown"] and risk["configurations"][1]["risk"] == {
        "max_drawdown": -0.02
    }


def test_keep_all_makes_a_folder_per_success(tmp_path: Path) -> None:
    lay = layout(tmp_path)
    table, equities, fills = make_table(4)
    table.loc[3, "error"] = "ValueError: boom"
    md = market_data_ref(bars_frame(), symbol="GOOG", timeframe="1d")
    export_ = write_optimization(lay, table, parameter_names=["fast", "slow"], fills=fills, equity=equities,
                                 config=base_config(), market_data=md, keep="all")  # fmt: skip
    assert export_.kept == table["parameter_hash"][:3].tolist()  # the failed row gets no folder
    assert read_manifest(lay.optimization_dir).run.failures == 1  # type: ignore[union-attr]


def test_datasets_readable_with_plain_pyarrow_and_pandas(tmp_path: Path) -> None:
    lay = export(tmp_path, n=30, keep=1)
    table, equities, fills = make_table(30)
    h = table["parameter_hash"][7]
    # plain pandas, no pystocksharp: one combination by its hash
    got = pd.read_parquet(lay.optimization_dir / "fills", filters=[("parameter_hash", "==", h)])
    assert got["price"].tolist() == fills[h]["price"].tolist()
    assert got["order_id"].tolist() == [15, 16]  # 2*7+1, 2*7+2
    dataset = pads.dataset(lay.optimization_dir / "equity", format="parquet", partitioning="hive")
    whole = dataset.to_table()
    assert whole.num_rows == 30 * BARS
    assert set(whole.column("parameter_hash").to_pylist()) == set(table["parameter_hash"])
    one = dataset.to_table(filter=pads.field("parameter_hash") == h).to_pandas()
    assert one["equity"].tolist() == equities[h]["equity"].tolist()
    # a single Parquet file of the dataset reads on its own too
    part = next((lay.optimization_dir / "fills").rglob("*.parquet"))
    assert pq.read_table(part).num_rows > 0


def test_combined_frame_input_equals_mapping_input(tmp_path: Path) -> None:
    table, equities, fills = make_table(6)
    md = market_data_ref(bars_frame(), symbol="GOOG", timeframe="1d")
    combined_fills = pd.concat([f.assign(parameter_hash=h) for h, f in fills.items()], ignore_index=True)
    for name, fill_input in (("a", fills), ("b", combined_fills)):
        write_optimization(tmp_path / name, table, parameter_names=["fast", "slow"], fills=fill_input,
                           equity=equities, config=base_config(), market_data=md, keep=2)  # fmt: skip
    for h in table["parameter_hash"][:2]:
        a = json.loads((tmp_path / "a" / short_hash(h) / "trades.json").read_text())
        b = json.loads((tmp_path / "b" / short_hash(h) / "trades.json").read_text())
        assert a == b and len(a["fills"]) == 2


@pytest.mark.parametrize(("rows", "pages"), [(1000, 0), (1001, 2), (2000, 2), (2001, 3)])
def test_pagination_boundaries(tmp_path: Path, rows: int, pages: int) -> None:
    table = pd.DataFrame({"p": np.arange(rows), "parameter_hash": [phash({"p": i}) for i in range(rows)],
                          "net_profit": np.arange(rows, dtype=float)})  # fmt: skip
    opt = tmp_path / "optimization"
    write_optimization(opt, table, parameter_names=["p"], fills={h: pd.DataFrame({"price": [1.0]}) for h in table["parameter_hash"]},
                       equity={h: pd.DataFrame({"equity": [1.0]}) for h in table["parameter_hash"]},
                       config=base_config(), market_data=market_data_ref(bars_frame(), symbol="X", timeframe="1d"), keep=0)  # fmt: skip
    top = json.loads((opt / "optimization-results.json").read_text())
    page_files = sorted(opt.glob("optimization-results-*.json"))
    assert len(page_files) == pages
    if pages == 0:
        assert top["total_rows"] == rows and len(top["rows"]) == rows and "pages" not in top
        assert top["rows"][-1]["rank"] == rows
    else:
        assert [p["path"] for p in top["pages"]] == [f.name for f in page_files]
        assert sum(p["rows"] for p in top["pages"]) == rows
        last = json.loads(page_files[-1].read_text())
        assert last["page"] == pages and last["row_offset"] == 1000 * (pages - 1)
        assert len(last["rows"]) == rows - 1000 * (pages - 1) and last["rows"][-1]["rank"] == rows
        assert ranked_row(opt, 1001).parameters == {"p": 1000}  # rank 1001 is row index 1000
    assert len(pd.read_parquet(opt / "optimization-results.parquet")) == rows
    assert validate_tree(opt).ok
    if pages:
        (opt / "optimization-results-0002.json").unlink()
        with pytest.raises(InputError, match="unreadable optimization results"):
            ranked_row(opt, 1001)


# ---- validate ------------------------------------------------------------------------------


def test_flipping_one_byte_fails_validate_naming_the_file(tmp_path: Path) -> None:
    lay = export(tmp_path, n=8, keep=2)
    table, _, _ = make_table(8)
    target = lay.combination_dir(table["parameter_hash"][1]) / "equity.parquet"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["validate", str(tmp_path), "--json"])
    assert result.exit_code == 1
    outcome = json.loads(result.output)
    rel = target.relative_to(tmp_path).as_posix()
    assert [p["file"] for p in outcome["problems"]] == [rel]
    assert "sha256" in outcome["problems"][0]["message"]
    text = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert text.exit_code == 1 and rel in text.output


def test_validate_reports_schema_violation_missing_and_unlisted(tmp_path: Path) -> None:
    lay = export(tmp_path, n=3, keep=1)
    summary = lay.reports_dir / "pipeline-summary.json"
    data = json.loads(summary.read_text())
    data["statistics"]["combinations"] = -1
    summary.write_text(json.dumps(data))
    (lay.metadata_dir / "parameter-schemas.json").unlink()
    (lay.metadata_dir / "extra.txt").write_text("x")
    (lay.run_dir / "stray.json").write_text("{not json")
    outcome = validate_tree(tmp_path)
    by_file = {}
    for p in outcome.problems:
        by_file.setdefault(p.file.rsplit("/", 2)[-2] + "/" + p.file.rsplit("/", 1)[-1], []).append(p.message)
    assert any(
        "does not match schema 'pipeline-summary'" in m for m in by_file["reports/pipeline-summary.json"]
    )
    assert any("sha256" in m or "size" in m for m in by_file["reports/pipeline-summary.json"])
    assert by_file["metadata/parameter-schemas.json"] == ["listed in manifest.json but missing"]
    assert by_file["metadata/extra.txt"] == ["not listed in manifest.json"]
    stray = by_file["1d/stray.json"]
    assert any("not covered by any manifest" in m for m in stray) and any(
        "not valid JSON" in m for m in stray
    )


def test_files_added_later_need_a_refreshed_manifest(tmp_path: Path) -> None:
    lay = export(tmp_path, n=3, keep=1)
    table, _, _ = make_table(3)
    folder = lay.combination_dir(table["parameter_hash"][0])
    before = read_manifest(folder)
    (folder / "index.html").write_text("<html></html>")
    problems = validate_tree(tmp_path).problems
    assert [(p.file.rsplit("/", 1)[-1], p.message) for p in problems] == [
        ("index.html", "not listed in manifest.json")
    ]
    refresh_manifest(folder)
    assert validate_tree(tmp_path).ok
    after = read_manifest(folder)
    assert (after.kind, after.strategy, after.data, after.run) == (
        before.kind,
        before.strategy,
        before.data,
        before.run,
    )
    page = next(f for f in after.files if f.path == "index.html")
    assert (page.size, page.description) == (13, "HTML report page")  # len("<html></html>") == 13


def test_validate_clean_tree_exit_zero(tmp_path: Path) -> None:
    export(tmp_path, n=3, keep=1)
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


# ---- deploy --------------------------------------------------------------------------------


def test_deploy_rank_from_folder_and_from_run_config(tmp_path: Path) -> None:
    lay = export(tmp_path, n=30, keep=5)
    table, _, _ = make_table(30)
    out = tmp_path / "best.json"
    result = CliRunner().invoke(main, ["deploy", str(lay.run_dir), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    best = load_config(out)
    assert best.parameters == {"fast": 1, "slow": 10} and best.parameter_hash == table["parameter_hash"][0]
    # rank 12 has no folder: built from metadata/run-config.json with the row's parameters
    deep = deploy_config(lay.run_dir, 12)
    assert deep.parameters == {"fast": 12, "slow": 32} and deep.parameter_hash == table["parameter_hash"][11]
    assert deep.emulation == base_config().emulation and deep.data == base_config().data
    assert deep.source is not None and deep.source.startswith("rank 12 of")
    bad = CliRunner().invoke(main, ["deploy", str(lay.run_dir), "--rank", "31", "--out", str(out)])
    assert bad.exit_code == 2 and "rank must be 1..30" in bad.output


def test_backtest_arguments_reproduce_config(tmp_path: Path) -> None:
    data = tmp_path / "GOOG_1d.csv"
    data.write_text("time,open,high,low,close,volume\n")
    config = base_config().model_copy(
        update={"data": DataBinding(symbol="GOOG", timeframe="1d", path=str(data), sha256=sha256_file(data)),
                "parameter_hash": parameter_hash({"fast": 1, "slow": 10})}
    )  # fmt: skip
    args = backtest_arguments(config)
    assert args == {"strategy": "sma_cross", "data": str(data), "params": {"fast": 1, "slow": 10}, "symbol": "GOOG",
                    "timeframe": "1d", "instrument": None, "capital": 10_000.0, "commission": 0.001, "commission_per_unit": 0.0,
                    "min_commission": 0.0, "slippage": 0.0, "slippage_steps": 0.0, "fill": "next-open", "leverage": 1.0}  # fmt: skip
    data.write_text("changed\n")
    with pytest.raises(InputError, match="data file changed"):
        backtest_arguments(config)


def test_load_config_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"schema_version": 1, "strategy": {"name": "x"}, "data": {"symbol": "A"},
                                "emulation": {"capital": -1, "fill": "sometime"}}))  # fmt: skip
    with pytest.raises(InputError) as info:
        load_config(path)
    fields = sorted(p.field for p in info.value.problems if p.field)
    assert fields == ["data.timeframe", "emulation.capital", "emulation.fill"]
