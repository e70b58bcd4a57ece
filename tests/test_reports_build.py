"""build_reports and ``pystocksharp report`` over artifacts folders (plain JSON/Parquet inputs)."""

from __future__ import annotations

import json
from pathlib import Path

from browser.report_inputs import (
    grid_combinations,
    page_data,
    sample_run_report,
    write_combination_folder,
    write_optimization_run,
)
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.reports.build import build_reports, run_report_from_folder


def test_folder_round_trip_keeps_report_data(tmp_path: Path) -> None:
    report = sample_run_report()
    folder = write_combination_folder(tmp_path / "combo", report, "sha256:" + "a" * 64)
    back = run_report_from_folder(folder)
    assert (
        back.strategy == "sma_cross" and back.symbol == "GOOG" and back.parameters == {"fast": 10, "slow": 20}
    )
    assert back.round_trips[["pnl", "return"]].equals(report.round_trips[["pnl", "return"]])
    assert back.candles[["open", "close"]].equals(report.candles[["open", "close"]])  # from the sample file
    assert back.metrics["total_return"] == 0.1234 and back.metrics["profit_factor"] is None


def test_build_reports_for_optimization_run(tmp_path: Path) -> None:
    combos = grid_combinations(range(5, 30, 5), range(20, 70, 10))
    combos.loc[4, ["status", "error"]] = ["failed", "boom"]
    folders = write_optimization_run(tmp_path, combos, keep=3)
    built = build_reports(tmp_path, top_n=10)
    assert built.summary_page == tmp_path / "reports" / "index.html"
    assert sorted(built.run_pages) == sorted(f / "index.html" for f in folders.values())
    summary = page_data(built.summary_page)
    assert summary["counts"] == {"total": 25, "ok": 24, "failed": 1}
    links = [x for x in summary["ranking"]["links"] if x]
    assert len(links) == 3 and all((built.summary_page.parent / x).resolve().is_file() for x in links)
    for page in built.run_pages:
        trades = json.loads((page.parent / "trades.json").read_text())
        assert len(page_data(page)["trades"]["rows"]) == len(trades["round_trips"]) == 30
        assert 'src="../../reports/assets/plotly.min.js"' in page.read_text()


def test_report_cli_json(tmp_path: Path) -> None:
    write_combination_folder(tmp_path / "bt", sample_run_report(), "sha256:" + "b" * 64)
    result = CliRunner().invoke(main, ["report", str(tmp_path / "bt"), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["run_pages"] == [str(tmp_path / "bt" / "index.html")] and out["summary_page"] is None
    assert (tmp_path / "bt" / "assets" / "lightweight-charts.js").is_file()


def test_report_cli_bad_folder_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(tmp_path), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.output)["error"] == "bad_input"


def test_metrics_json_shapes_are_flattened() -> None:
    from pystocksharp.reports.build import _scalar_metrics

    raw = {
        "schema_version": 1,
        "total_return": 0.12,
        "profit_factor": {"value": None, "reason": "no losing round trip"},
        "trades": {"win_rate": 0.5, "round_trips": 4, "monthly": [[0.1]]},
        "undefined": {"sortino_ratio": "no downside period"},
        "label": "text is not a metric",
    }
    values, notes = _scalar_metrics(raw)
    assert values == {"total_return": 0.12, "profit_factor": None, "win_rate": 0.5, "round_trips": 4}
    assert notes == {"profit_factor": "no losing round trip", "sortino_ratio": "no downside period"}


def test_pages_carry_no_wall_clock_stamp() -> None:
    """Pages are deterministic: a re-export at another minute writes the same bytes (no 'Generated HH:MM')."""
    template = Path(__file__).resolve().parents[1] / "templates" / "base.html.j2"
    text = template.read_text(encoding="utf-8")
    assert "generated" not in text.lower()
