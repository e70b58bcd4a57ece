"""Validation artifacts: ``validation/walk-forward/{id}/``, ``validation/monte-carlo/{id}/`` and
``validation/holdout/{id}/`` under a run's layout (:class:`pystocksharp.artifacts.RunLayout`).

Every folder holds pydantic JSON (atomic writes) and Parquet tables, then its ``manifest.json``
written last by :func:`pystocksharp.artifacts.write_manifest` (same contract as backtest and
optimization folders: a folder without a manifest is incomplete). ``{id}`` is a short hash of
the validation settings, so re-running the same validation rewrites the same folders.

* walk-forward: ``summary.html`` (self-contained summary page with the validation section),
  ``validation.json`` (:class:`ValidationResult`: settings, windows, WFE,
  stability, selected configuration, PBO with its logits, DSR, verdict), ``windows.parquet``
  (one row per window: bar ranges, parameters, IS/OOS metrics), ``oos-equity.parquet`` (time,
  equity of the stitched OOS curve), ``selection-grid.parquet`` (the selection grid table),
  ``verdict.parquet`` (one row per check).
* monte-carlo: ``monte-carlo.json`` (:class:`MonteCarloReport`), ``fan.parquet`` (step, p05..p95
  of the bootstrap equity multiple), ``simulations.parquet`` (method, simulation, final_return,
  max_drawdown, longest_drawdown), ``trade-returns.parquet`` (the OOS trade returns).
* holdout: ``holdout.json`` (:class:`HoldoutCheck`), ``equity.parquet`` (time, equity).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pystocksharp.artifacts import RunLayout, write_manifest
from pystocksharp.artifacts.manifest import MANIFEST_FILE
from pystocksharp.io import atomic_path, atomic_write_json
from pystocksharp.validation.montecarlo import equity_fan
from pystocksharp.validation.verdict import checks_table

if TYPE_CHECKING:
    from pystocksharp.validation.pipeline import ValidationResult

KINDS = ("walk-forward", "monte-carlo", "holdout")


def validation_id(result: ValidationResult) -> str:
    """12 hex digits of sha256 over the validation settings (stable across re-runs)."""
    text = json.dumps(result.settings.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def layout_for(root: str | Path, result: ValidationResult) -> RunLayout:
    """The run layout of the validated strategy, symbol, timeframe and date range under ``root``."""
    s = result.settings
    return RunLayout(
        root=Path(root),
        strategy=s.strategy,
        start=s.start,
        end=s.end,
        symbol=s.symbol or "data",
        timeframe=s.timeframe or "bars",
    )


def _parquet(target: Path, frame: pd.DataFrame) -> None:
    with atomic_path(target, fsync=False) as tmp:
        frame.to_parquet(tmp, index=False)


def _start(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST_FILE).unlink(missing_ok=True)  # incomplete until the manifest is rewritten
    return folder


def windows_frame(result: ValidationResult) -> pd.DataFrame:
    """One row per window: bar ranges, ``param_*`` chosen values, ``is_*`` and ``oos_*`` metrics."""
    rows = []
    for w in result.walk_forward.windows:
        row: dict[str, object] = {
            "window": w.window,
            "train_start": w.train_start,
            "train_end": w.train_end,
            "test_start": w.test_start,
            "test_end": w.test_end,
            "train_bars": w.train_bars,
            "test_bars": w.test_bars,
            "efficiency": w.efficiency,
            "plateau_ratio": w.plateau_ratio,
        }
        row.update({f"param_{k}": v for k, v in w.parameters.items()})
        row.update({f"is_{k}": v for k, v in w.is_metrics.items()})
        row.update({f"oos_{k}": v for k, v in w.oos_metrics.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def _equity_frame(series: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"time": series.index, "equity": series.to_numpy(dtype=float)})


def summary_page(result: ValidationResult, out_html: Path) -> Path:
    """The HTML summary page (self-contained): the selection grid ranked by the validation's
    ranking metric and the validation section (timeline, fan, histograms, PBO logits, verdict)."""
    from pystocksharp.optimization.ranking import parse_sort_keys  # noqa: PLC0415
    from pystocksharp.reports import SummaryReport, render_summary_page  # noqa: PLC0415

    key = parse_sort_keys(result.settings.rank)[0]
    table = result.selection_table.drop(columns=["traceback", "error", "index"], errors="ignore")
    names = list(result.selected.parameters)
    metrics = [c for c in table.columns if c not in (*names, "parameter_hash", "wall_ms")]
    report = SummaryReport(
        strategy=result.settings.strategy,
        combinations=table,
        parameter_names=names,
        ranking_metric=key.column,
        higher_is_better=key.descending,
        metric_columns=metrics,
        symbol=result.settings.symbol,
        timeframe=result.settings.timeframe,
        data_range=(result.settings.start, result.settings.end),
        title=f"{result.settings.strategy} validation: {result.verdict.status}",
        validation=result.report(),
    )
    return render_summary_page(report, out_html, inline=True)


def write_walk_forward(folder: Path, result: ValidationResult) -> Path:
    _start(folder)
    summary_page(result, folder / "summary.html")
    atomic_write_json(folder / "validation.json", result, fsync=False)
    _parquet(folder / "windows.parquet", windows_frame(result))
    _parquet(folder / "oos-equity.parquet", _equity_frame(result.oos_equity))
    table = result.selection_table.drop(columns=["traceback"], errors="ignore")
    _parquet(folder / "selection-grid.parquet", table)
    _parquet(folder / "verdict.parquet", checks_table([result.verdict]))
    if result.selected_config is not None:  # what `pystocksharp deploy` exports
        atomic_write_json(folder / "strategy-config.json", result.selected_config, fsync=False)
    write_manifest(folder, kind="walk-forward")
    return folder


def write_monte_carlo(folder: Path, result: ValidationResult) -> Path | None:
    report = result.monte_carlo
    if report is None:
        return None
    _start(folder)
    atomic_write_json(folder / "monte-carlo.json", report, fsync=False)
    fan = equity_fan(
        result.oos_trade_returns,
        "bootstrap",
        n_simulations=report.bootstrap.n_simulations,
        seed=result.settings.seed,
    )
    _parquet(folder / "fan.parquet", fan)
    sims = pd.concat(
        [
            pd.DataFrame(
                {
                    "method": m.method,
                    "simulation": range(m.n_simulations),
                    "final_return": m.final_return.values,
                    "max_drawdown": m.max_drawdown.values,
                    "longest_drawdown": m.longest_drawdown.values,
                }
            )
            for m in (report.shuffle, report.bootstrap)
        ],
        ignore_index=True,
    )
    _parquet(folder / "simulations.parquet", sims)
    _parquet(folder / "trade-returns.parquet", pd.DataFrame({"trade_return": result.oos_trade_returns}))
    write_manifest(folder, kind="monte-carlo")
    return folder


def write_holdout(folder: Path, result: ValidationResult) -> Path | None:
    if result.holdout is None:
        return None
    _start(folder)
    atomic_write_json(folder / "holdout.json", result.holdout, fsync=False)
    if result.holdout_equity is not None:
        _parquet(folder / "equity.parquet", _equity_frame(result.holdout_equity))
    write_manifest(folder, kind="holdout")
    return folder


def write_validation(root: str | Path, result: ValidationResult) -> dict[str, Path]:
    """Write the validation folders under ``root``'s run layout; returns kind -> folder."""
    base = layout_for(root, result).validation_dir
    vid = validation_id(result)
    written: dict[str, Path] = {}
    mc = write_monte_carlo(base / "monte-carlo" / vid, result)
    if mc is not None:
        written["monte-carlo"] = mc
    ho = write_holdout(base / "holdout" / vid, result)
    if ho is not None:
        written["holdout"] = ho
    written["walk-forward"] = base / "walk-forward" / vid
    result.artifacts = {k: str(v) for k, v in {**written}.items()}
    write_walk_forward(written["walk-forward"], result)
    return written
