"""Exporting an optimizer run: the bulk (streamed) read of its captures writes the same datasets,
folders and tables as reading each combination on its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pystocksharp.artifacts import datasets
from pystocksharp.artifacts.export import export_optimization
from pystocksharp.artifacts.validate import validate_tree
from pystocksharp.optimization import OptimizationResult, optimize

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[1]
GOOG = str(ROOT / "pystocksharp" / "sample_data" / "GOOG_1d.csv")
# FailsOnFast15 (the SMA cross) throws on fast=15: 3 failed combinations without captures
STRATEGY = f"{ROOT / 'tests' / 'csharp' / 'FailsOnFast15.cs'}:FailsOnFast15"
GRID = ["fast=5:20:5", "slow=20:40:10"]  # 4 x 3 = 12 combinations


class OneByOne:
    """The result without its bulk capture source: the export reads fills(h) / equity(h) per combination."""

    def __init__(self, result: OptimizationResult) -> None:
        self._result = result

    def __getattr__(self, name: str) -> Any:
        if name == "captures":
            raise AttributeError(name)
        return getattr(self._result, name)


def _dataset(folder: Path) -> pd.DataFrame:
    frame = pd.read_parquet(folder)  # plain pandas, no package code
    frame["parameter_hash"] = frame["parameter_hash"].astype(str)
    return (
        frame.drop(columns=["hash_bucket"])
        .sort_values("parameter_hash", kind="stable")
        .reset_index(drop=True)
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> OptimizationResult:
    return optimize(
        STRATEGY, GOOG, grid=GRID, workers=2, out=tmp_path_factory.mktemp("opt") / "checkpoint", keep_fills=True
    )


@pytest.mark.parametrize("keep", [3, "all"])
def test_bulk_export_equals_the_one_by_one_export(
    run: OptimizationResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: Any
) -> None:
    assert (run.completed, run.failed) == (12, 3)
    monkeypatch.setattr(datasets, "STREAM_ROWS", 5_000)  # ~2 combinations of 2,148 bars per write
    bulk = export_optimization(run, tmp_path / "bulk", keep=keep, engine_version="x", fsync=False)
    single = export_optimization(
        OneByOne(run), tmp_path / "single", keep=keep, engine_version="x", fsync=False
    )
    for name in ("fills", "equity", "round-trips"):
        got, want = _dataset(bulk.optimization_dir / name), _dataset(single.optimization_dir / name)
        pd.testing.assert_frame_equal(got, want)
    # every successful combination's equity is there, bar by bar, in the order of its capture
    equity = _dataset(bulk.optimization_dir / "equity")
    assert equity["parameter_hash"].nunique() == 9 and len(equity) == 9 * 2148
    for h in run.table["parameter_hash"][run.table["error"].isna()][:3]:
        rows = datasets.read_combination(bulk.optimization_dir / "equity", h).drop(columns=["parameter_hash"])
        pd.testing.assert_frame_equal(rows, run.equity(h), check_dtype=False)
    # same files, same kept folders with the same contents (manifests and timings aside)
    files = sorted(p.relative_to(bulk.run_dir).as_posix() for p in bulk.run_dir.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(single.run_dir).as_posix() for p in single.run_dir.rglob("*") if p.is_file()
    )
    for rel in files:
        if rel.endswith((".json",)) and not rel.endswith(("manifest.json", "pipeline-summary.json")):
            assert json.loads((bulk.run_dir / rel).read_text()) == json.loads(
                (single.run_dir / rel).read_text()
            ), rel
    assert validate_tree(tmp_path / "bulk").ok
