"""``pystocksharp backtest --out / --config / --no-report``: the complete, verifiable run folder,
its HTML page, and exact replays from ``strategy-config.json`` (CLI and ``backtest(config=...)``)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.data import sample_path
from pystocksharp.errors import InputError

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[1]
RUN_FILES = {
    "strategy-config.json",
    "market-data.json",
    "trades.json",
    "performance-metrics.json",
    "equity.parquet",
    "trades.parquet",
    "analytics.json",
    "manifest.json",
}
SMA = ["-s", "sma_cross", "-p", "fast=10", "-p", "slow=40"]
COSTS = ["--commission", "0.002", "--slippage-steps", "1"]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def run_json(*args: str) -> dict[str, Any]:
    res = invoke(*args, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def page_rows(html: Path) -> int:
    """Rows of the trade list embedded in a run page (the data its table is drawn from)."""
    text = html.read_text(encoding="utf-8")
    m = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', text, re.S)
    assert m is not None, "the run page embeds its data"
    return len(json.loads(m.group(1))["trades"]["rows"])


@pytest.fixture(scope="module")
def goog_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the GOOG sample (tests flip its bytes)."""
    path = tmp_path_factory.mktemp("data") / "GOOG_1d.csv"
    shutil.copyfile(sample_path("GOOG_1d"), path)
    return path


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, goog_copy: Path) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("runs") / "first"
    payload = run_json("backtest", *SMA, "-d", str(goog_copy), *COSTS, "--out", str(out))
    return out, payload


def test_out_writes_a_complete_run_folder_that_validates(first_run: tuple[Path, dict[str, Any]]) -> None:
    out, payload = first_run
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert RUN_FILES | {"index.html"} <= files
    assert {f for f in files if not f.startswith("assets/")} == RUN_FILES | {"index.html"}
    assert payload["outputs"] == {
        "strategy_config": str(out / "strategy-config.json"),
        "market_data": str(out / "market-data.json"),
        "trades_json": str(out / "trades.json"),
        "performance_metrics": str(out / "performance-metrics.json"),
        "equity": str(out / "equity.parquet"),
        "trades": str(out / "trades.parquet"),
        "manifest": str(out / "manifest.json"),
        "analytics": str(out / "analytics.json"),
        "report": str(out / "index.html"),
    }
    res = invoke("validate", str(out), "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["problems"] == []
    # the manifest (rewritten by the report build) lists the page and its assets too
    listed = {f["path"] for f in read_json(out / "manifest.json")["files"]}
    assert listed == files - {"manifest.json"}


def test_trades_json_holds_fills_and_fifo_round_trips(first_run: tuple[Path, dict[str, Any]]) -> None:
    out, payload = first_run
    trades = read_json(out / "trades.json")
    metrics = read_json(out / "performance-metrics.json")
    # sma_cross with volume 1: the first fill opens, every later one flips (closes 1, opens 1)
    assert len(trades["fills"]) == payload["fills"] == 48
    assert len(trades["round_trips"]) == payload["round_trips"] == metrics["round_trips"] == 47
    assert pd.read_parquet(out / "trades.parquet")["price"].tolist() == [f["price"] for f in trades["fills"]]
    fills, trips = trades["fills"], trades["round_trips"]
    for k, trip in enumerate(trips):  # trip k: opened by fill k, closed by fill k + 1
        assert (trip["entry_time"], trip["exit_time"]) == (fills[k]["time"], fills[k + 1]["time"])
        assert (trip["entry_price"], trip["exit_price"]) == (fills[k]["price"], fills[k + 1]["price"])
        assert trip["side"] == fills[k]["side"] and trip["volume"] == 1.0
        # gross pnl of the closed unit is what the engine realized on the closing fill
        gross = trip["side"] * (trip["exit_price"] - trip["entry_price"])
        assert gross == pytest.approx(fills[k + 1]["realized_pnl"], abs=1e-9)
        assert trip["pnl"] == pytest.approx(gross - trip["commission"], abs=1e-9)
        assert trip["return_fraction"] == pytest.approx(trip["pnl"] / trip["entry_price"], rel=1e-12)
        assert trip["bars"] == fills[k + 1]["bar"] - fills[k]["bar"]
    assert sum(t["pnl"] for t in trips) == pytest.approx(
        metrics["gross_profit"] + metrics["gross_loss"], abs=1e-9
    )


def test_json_carries_the_metrics(first_run: tuple[Path, dict[str, Any]]) -> None:
    out, payload = first_run
    for key in ("strategy", "parameters", "fills", "round_trips", "net_profit", "final_equity", "commission",
                "engine_version", "outputs", "metrics"):  # fmt: skip
        assert key in payload, key
    assert payload["metrics"] == read_json(out / "performance-metrics.json")
    m = payload["metrics"]
    assert m["net_profit"] == pytest.approx(payload["net_profit"], abs=0.005)
    assert m["commissions"] == pytest.approx(payload["commission"], abs=0.005)
    assert m["final_equity"] == payload["final_equity"]
    assert m["total_return"] == pytest.approx(payload["final_equity"] / 10_000 - 1, rel=1e-12)


def test_report_page_lists_every_round_trip(first_run: tuple[Path, dict[str, Any]]) -> None:
    out, _ = first_run
    assert page_rows(out / "index.html") == len(read_json(out / "trades.json")["round_trips"]) == 47


def test_config_replays_the_run_exactly(
    first_run: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, payload = first_run
    monkeypatch.chdir(tmp_path)  # the config holds absolute paths: replays from anywhere
    again = run_json("backtest", "--config", str(out / "strategy-config.json"), "--out", "again")
    assert again["metrics"] == payload["metrics"]
    strip = ("outputs",)
    assert {k: v for k, v in again.items() if k not in strip} == {
        k: v for k, v in payload.items() if k not in strip
    }
    for name in ("trades.json", "performance-metrics.json", "strategy-config.json", "market-data.json"):
        assert read_json(tmp_path / "again" / name) == read_json(out / name), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "again" / "equity.parquet"), pd.read_parquet(out / "equity.parquet")
    )


def test_python_api_replays_from_config(first_run: tuple[Path, dict[str, Any]]) -> None:
    from pystocksharp import backtest

    out, payload = first_run
    replay = backtest(config=out / "strategy-config.json")
    trades = read_json(out / "trades.json")
    assert replay.trades["price"].tolist() == [f["price"] for f in trades["fills"]]
    assert replay.summary.net_profit == payload["net_profit"]
    assert replay.metrics().model_dump(mode="json", by_alias=True) == payload["metrics"]
    with pytest.raises(InputError) as info:
        backtest("sma_cross", config=out / "strategy-config.json", commission=0.01)
    assert {p.field for p in info.value.problems} == {"strategy", "commission"}


def test_a_changed_data_file_is_a_clear_error(
    first_run: tuple[Path, dict[str, Any]], goog_copy: Path, tmp_path: Path
) -> None:
    out, _ = first_run
    config = read_json(out / "strategy-config.json")
    data = tmp_path / "GOOG_1d.csv"
    shutil.copyfile(goog_copy, data)
    config["data"]["path"] = str(data)
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert invoke("backtest", "--config", str(tmp_path / "config.json")).exit_code == 0
    raw = bytearray(data.read_bytes())
    raw[-3] = ord("7") if raw[-3] != ord("7") else ord("8")  # one digit of the last volume
    data.write_bytes(bytes(raw))
    res = invoke("backtest", "--config", str(tmp_path / "config.json"), "--json")
    assert res.exit_code == 2, res.output
    error = json.loads(res.output)
    assert error["message"] == "data file changed since the configuration was written"
    assert str(data) in error["problems"][0] and config["data"]["sha256"] in error["problems"][0]


def test_no_report_writes_no_html_and_still_validates(goog_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "plain"
    payload = run_json("backtest", *SMA, "-d", str(goog_copy), "--out", str(out), "--no-report")
    files = {p.name for p in out.iterdir()}
    assert files == RUN_FILES and "report" not in payload["outputs"]
    assert not list(out.rglob("*.html"))
    assert invoke("validate", str(out)).exit_code == 0


def test_without_out_nothing_is_written(
    goog_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    payload = run_json("backtest", *SMA, "-d", str(goog_copy))
    assert payload["outputs"] == {} and payload["metrics"]["round_trips"] == 47
    assert list(tmp_path.iterdir()) == []


def test_config_with_run_options_names_each_conflict(first_run: tuple[Path, dict[str, Any]]) -> None:
    out, _ = first_run
    res = invoke("backtest", "--config", str(out / "strategy-config.json"), "-s", "sma_cross",
                 "-p", "fast=5", "--commission", "0.001", "--fill", "close", "--json")  # fmt: skip
    assert res.exit_code == 2
    error = json.loads(res.output)
    assert error["message"] == "--config replaces the run's options"
    assert error["problems"] == [
        f"field '{opt}': cannot be given with --config"
        for opt in ("--strategy", "--param", "--commission", "--fill")
    ]
    res = invoke("backtest", "--json")
    assert res.exit_code == 2
    assert json.loads(res.output)["problems"] == [
        "field '--strategy': required (or --config FILE)",
        "field '--data': required (or --config FILE)",
    ]


def test_python_file_strategy_and_a_date_range_replay(tmp_path: Path) -> None:
    """A strategy from a .py file is recorded as its absolute source with its hash; a run on a slice
    of the bars records the range, and the replay uses exactly those bars."""
    from pystocksharp import backtest
    from pystocksharp.artifacts.export import write_backtest_result
    from pystocksharp.backtest import bounded
    from pystocksharp.data import load_ohlcv

    source = tmp_path / "my_strategy.py"
    shutil.copyfile(ROOT / "strategies" / "sma_cross_py.py", source)
    data = load_ohlcv(sample_path("GOOG_1d"))
    part = bounded(data, "2006-01-01", "2009-12-31")
    assert 0 < part.bars < data.bars
    first = backtest(f"{source}:SmaCrossPy", part, params={"fast": 5, "slow": 30}, commission=0.001)
    write_backtest_result(tmp_path / "run", first, fsync=False)
    config = read_json(tmp_path / "run" / "strategy-config.json")
    assert config["strategy"]["source_file"] == str(source.resolve())
    assert config["strategy"]["name"] == "SmaCrossPy"
    assert (config["data"]["start"], config["data"]["end"]) == (
        "2006-01-03T00:00:00Z",
        "2009-12-31T00:00:00Z",
    )
    assert read_json(tmp_path / "run" / "market-data.json")["bars"] == part.bars
    again = backtest(config=tmp_path / "run" / "strategy-config.json")
    assert len(again.equity) == part.bars
    pd.testing.assert_frame_equal(again.trades, first.trades)
    pd.testing.assert_frame_equal(again.equity, first.equity)
    source.write_text(source.read_text() + "\n# edited\n")
    with pytest.raises(InputError, match="strategy source changed"):
        backtest(config=tmp_path / "run" / "strategy-config.json")


def _edited_config(out: Path, tmp_path: Path, edit: Any) -> Path:
    config = read_json(out / "strategy-config.json")
    edit(config)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(config))
    return path


def test_an_edited_parameter_is_refused_not_run(first_run: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _ = first_run
    path = _edited_config(out, tmp_path, lambda c: c["parameters"].update(fast=5))
    res = invoke("backtest", "--config", str(path), "--json")
    assert res.exit_code == 2, res.output
    problem = json.loads(res.output)["problems"][0]
    assert "do not match parameter_hash" in problem and "fast=5" in problem
    removed = _edited_config(out, tmp_path, lambda c: c.update(parameter_hash=None))
    res = invoke("backtest", "--config", str(removed), "--json")
    assert res.exit_code == 2 and "parameter_hash is required" in res.output


def test_a_strategy_file_named_without_its_sha256_is_refused(
    first_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, _ = first_run
    evil = tmp_path / "evil.py"
    marker = tmp_path / "ran"
    evil.write_text(f"open({str(marker)!r}, 'w').write('x')\nfrom pystocksharp import Strategy\nclass Evil(Strategy):\n    pass\n")
    path = _edited_config(out, tmp_path, lambda c: c["strategy"].update(name=f"{evil}:Evil", kind="python"))
    res = invoke("backtest", "--config", str(path), "--json")
    assert res.exit_code == 2, res.output
    assert "is not a built-in strategy name" in res.output
    assert not marker.exists()  # the file was never imported


def test_data_without_its_sha256_is_refused_and_no_content_is_echoed(
    first_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, _ = first_run
    other = tmp_path / "secret.csv"
    other.write_text("TOPSECRET-LINE,1,2,3\n")

    def point_elsewhere(config: dict[str, Any]) -> None:
        config["data"].update(path=str(other), sha256=None)

    res = invoke("backtest", "--config", str(_edited_config(out, tmp_path, point_elsewhere)), "--json")
    assert res.exit_code == 2 and "data.sha256 is required" in res.output
    assert "TOPSECRET" not in res.output

    def other_file(config: dict[str, Any]) -> None:
        config["data"]["path"] = str(other)  # the recorded sha256 kept: the file is checked before it is read

    res = invoke("backtest", "--config", str(_edited_config(out, tmp_path, other_file)), "--json")
    assert res.exit_code == 2 and "data file changed" in res.output and "TOPSECRET" not in res.output


def test_an_unwritable_out_is_one_line_not_a_traceback(goog_copy: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    res = invoke("backtest", *SMA, "-d", str(goog_copy), "--out", str(blocker / "run"))
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert f"Not a directory: {blocker / 'run'} (a part of the path is a file, not a folder)" in res.output


def test_a_full_disk_says_how_to_go_on() -> None:
    import errno

    from pystocksharp.cli._common import os_error_message

    message = os_error_message(OSError(errno.ENOSPC, "No space left on device", "/runs/x/results.jsonl"))
    assert message == (
        "No space left on device: /runs/x/results.jsonl (free some space, then run the same command with "
        "--resume where the command has it)"
    )
