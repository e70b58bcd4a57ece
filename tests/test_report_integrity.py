"""``report`` never launders tampering: it checks a run's manifests before it writes a page (issue: editing a
kept folder's performance-metrics.json and running ``report`` made ``validate`` pass again)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.data import sample_path

GOOG = str(sample_path("GOOG_1d"))


def _invoke(*args: str) -> tuple[int, str]:
    out = CliRunner().invoke(main, list(args))
    return out.exit_code, out.output


def test_report_refuses_a_tampered_run_and_validate_keeps_failing(tmp_path: Path) -> None:
    code, output = _invoke("backtest", "-s", "sma_cross", "-d", GOOG, "-p", "fast=10", "-p", "slow=20", "--out", str(tmp_path / "run"), "--json")
    assert code == 0, output
    run_dir = Path(json.loads(output)["outputs"]["manifest"]).parent
    assert _invoke("validate", str(run_dir))[0] == 0
    assert _invoke("report", str(run_dir))[0] == 0  # an untouched run is re-reported and stays valid
    assert _invoke("validate", str(run_dir))[0] == 0

    metrics = run_dir / "performance-metrics.json"
    data = json.loads(metrics.read_text())
    data["net_profit"] = 999999
    metrics.write_text(json.dumps(data))
    page_before = (run_dir / "index.html").read_bytes()
    code, output = _invoke("report", str(run_dir))
    assert code == 2
    assert "does not match its manifests" in output and "performance-metrics.json" in output
    assert (run_dir / "index.html").read_bytes() == page_before  # nothing was written
    code, output = _invoke("validate", str(run_dir))
    assert code == 1 and "performance-metrics.json" in output
