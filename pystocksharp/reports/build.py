"""Build every report page of a run from its artifacts folder.

A run folder (``pystocksharp/artifacts`` layout) holds ``optimization/`` with
``optimization-results.parquet`` and one folder per kept combination (``trades.json``,
``performance-metrics.json``, ``equity.parquet``, ``strategy-config.json``,
``market-data.json``, ``manifest.json``). :func:`build_reports` writes ``index.html`` in
each combination folder and the summary ``reports/index.html``, sharing
``reports/assets/``. A single backtest folder (``trades.json`` at its top) gets its own
``index.html`` and ``assets/``. Files are read as plain JSON/Parquet (no engine). Folders
with a ``manifest.json`` get it rewritten (last) to list the pages, so ``pystocksharp
validate`` still passes.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from pystocksharp.errors import InputError, Problem
from pystocksharp.reports.data import (
    INSTRUMENT_SETTINGS,
    ROUND_TRIP_COLUMNS,
    RunReport,
    SummaryReport,
    ValidationReport,
)
from pystocksharp.reports.render import render_run_page, render_summary_page

PREFERRED_RANKING = ("sharpe_ratio", "net_profit", "total_return")
LOWER_IS_BETTER = {"max_drawdown_abs", "volatility", "ulcer_index"}
SUMMARY_METRICS = ("total_return", "net_profit", "max_drawdown", "sharpe_ratio", "win_rate", "round_trips")
BOOKKEEPING = {"parameter_hash", "error", "rank", "status", "index", "elapsed_s"}


class BuiltReports(BaseModel):
    """Pages written by :func:`build_reports` (paths), and folders that could not be read."""

    run_pages: list[Path] = Field(default_factory=list)
    summary_page: Path | None = None
    skipped: list[str] = Field(default_factory=list)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read {path.name}", [Problem(str(exc), file=str(path))]) from exc


def _scalar_metrics(raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Scalar metrics and reasons from ``performance-metrics.json``.

    A metric may be a number, null, or ``{"value": x, "reason": "..."}``; groups (nested
    objects such as ``{"trades": {"win_rate": 0.5}}``) are flattened to their scalar
    members; lists (tables) are skipped; an ``undefined``/``reasons`` mapping gives
    reasons for nulls.
    """
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    if not isinstance(raw, dict):
        return values, notes
    for key, value in raw.items():
        if key in {"schema_version", "schemaVersion"}:
            continue
        if key in {"undefined", "reasons"} and isinstance(value, dict):
            notes.update({str(k): str(v) for k, v in value.items()})
        elif isinstance(value, dict) and "value" in value:
            values[key] = value["value"]
            if value.get("reason"):
                notes[key] = str(value["reason"])
        elif isinstance(value, dict):
            inner, inner_notes = _scalar_metrics(value)
            for k, v in inner.items():
                values.setdefault(k, v)
            notes.update(inner_notes)
        elif value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            values[key] = value
    return values, notes


def round_trips_frame(trades_json: Any) -> pd.DataFrame:
    """The ``round_trips`` of ``trades.json`` as a round-trip table (``return_fraction`` -> ``return``)."""
    rows = trades_json.get("round_trips", []) if isinstance(trades_json, dict) else []
    frame = pd.DataFrame(rows)
    if "return_fraction" in frame.columns:
        frame = frame.rename(columns={"return_fraction": "return"})
    for col in ROUND_TRIP_COLUMNS:
        if col not in frame.columns:
            frame[col] = pd.Series(dtype="float64")
    for col in ("entry_time", "exit_time"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    for col in ("pnl", "return", "volume", "entry_price", "exit_price"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame


def fills_frame(trades_json: Any) -> pd.DataFrame | None:
    """The engine ``fills`` of ``trades.json`` (time, side, price, volume), or None when absent."""
    rows = trades_json.get("fills", []) if isinstance(trades_json, dict) else []
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame[["time", "side", "price", "volume"]]


def _candles(market: dict[str, Any], equity: pd.DataFrame, folder: Path) -> tuple[pd.DataFrame, str]:
    """Bars of the run from the data file ``market-data.json`` names, else from equity closes."""
    path = market.get("path")
    candidates = [Path(path), folder / path] if path else []
    for candidate in candidates:
        if candidate.is_file():
            from pystocksharp.data import load_ohlcv

            frame = load_ohlcv(candidate).frame
            bars = frame.reset_index().rename(columns={frame.index.name or "index": "time"})
            bars = bars[["time", "open", "high", "low", "close", "volume"]]
            bars["time"] = pd.to_datetime(bars["time"], utc=True)
            first, last = market.get("first_timestamp"), market.get("last_timestamp")
            if first and last:
                bars = bars[(bars["time"] >= pd.Timestamp(first)) & (bars["time"] <= pd.Timestamp(last))]
            return bars.reset_index(drop=True), ""
    if "close" not in equity.columns:
        raise InputError(
            "no price data for the report",
            [Problem("market-data.json path not found and equity has no close", file=str(folder))],
        )
    close = equity["close"].to_numpy(dtype=float)
    bars = pd.DataFrame(
        {"time": equity["time"], "open": close, "high": close, "low": close, "close": close, "volume": 0.0}
    )
    return bars, "price file not found: candles drawn from equity closes"


def run_report_from_folder(folder: Path, *, summary_page: Path | None = None) -> RunReport:
    """A :class:`RunReport` from one run/combination folder of artifacts."""
    folder = Path(folder)
    trades = _read_json(folder / "trades.json")
    metrics, notes = _scalar_metrics(_read_json(folder / "performance-metrics.json"))
    config = (
        _read_json(folder / "strategy-config.json") if (folder / "strategy-config.json").is_file() else {}
    )
    market = _read_json(folder / "market-data.json") if (folder / "market-data.json").is_file() else {}
    manifest = _read_json(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
    equity = pd.read_parquet(folder / "equity.parquet")
    equity["time"] = pd.to_datetime(equity["time"], utc=True)
    candles, note = _candles(market, equity, folder)
    if note:
        notes["candles"] = note
    strategy = config.get("strategy", {}) if isinstance(config, dict) else {}
    name = strategy.get("name") or Path(str(strategy.get("source_file") or "strategy")).stem
    binding = config.get("data", {}) if isinstance(config.get("data"), dict) else {}
    from pystocksharp.reports.analytics import read_analytics, with_analytics

    report = RunReport(
        strategy=str(name),
        candles=candles,
        equity=equity,
        round_trips=round_trips_frame(trades),
        fills=fills_frame(trades),
        metrics=metrics,
        metric_notes=notes,
        parameters=dict(config.get("parameters") or {}),
        symbol=str(market.get("symbol") or binding.get("symbol") or ""),
        timeframe=str(market.get("timeframe") or binding.get("timeframe") or ""),
        engine_version=str(manifest.get("engine_version") or ""),
        combination_id=config.get("parameter_hash"),
        summary_page=str(summary_page) if summary_page else None,
        settings=settings_of_config(config),
    )
    return with_analytics(report, read_analytics(folder))


def settings_of_config(config: Any) -> dict[str, Any]:
    """:attr:`RunReport.settings` from a ``strategy-config.json`` (its ``emulation`` and ``data.instrument``)."""
    if not isinstance(config, dict):
        return {}
    out = dict(config["emulation"]) if isinstance(config.get("emulation"), dict) else {}
    data = config.get("data") if isinstance(config.get("data"), dict) else {}
    spec = data.get("instrument") if isinstance(data.get("instrument"), dict) else {}
    out.update({k: spec[k] for k in INSTRUMENT_SETTINGS if spec.get(k) is not None})
    return out


def _combination_folders(opt_dir: Path) -> list[Path]:
    return sorted(d for d in opt_dir.iterdir() if d.is_dir() and (d / "trades.json").is_file())


def _run_ranking_metric(run_dir: Path, metric_names: list[str]) -> str | None:
    """The optimizer's first ranking criterion (``reports/pipeline-summary.json``), if it is a metric."""
    path = run_dir / "reports" / "pipeline-summary.json"
    if not path.is_file():
        return None
    ranking = _read_json(path).get("ranking") or []
    name = str(ranking[0]).split(":", 1)[0] if ranking else None
    return name if name in metric_names else None


def summary_from_run(
    run_dir: Path, pages: dict[str, Path], *, top_n: int = 20, ranking_metric: str | None = None
) -> SummaryReport:
    """A :class:`SummaryReport` from ``optimization/optimization-results.parquet`` (+ its JSON).

    Without ``ranking_metric`` the table keeps the optimizer's rank order (best first) and the
    charts show the optimizer's first ranking metric (else sharpe_ratio, net_profit,
    total_return, the first metric).
    """
    opt_dir = run_dir / "optimization"
    table = pd.read_parquet(opt_dir / "optimization-results.parquet")
    index = (
        _read_json(opt_dir / "optimization-results.json")
        if (opt_dir / "optimization-results.json").is_file()
        else {}
    )
    params = list(index.get("parameter_names") or [])
    metric_names = list(index.get("metric_names") or [])
    if not params:
        params = [
            c for c in table.columns if c not in BOOKKEEPING and not pd.api.types.is_float_dtype(table[c])
        ]
    if not metric_names:
        metric_names = [
            c
            for c in table.columns
            if c not in BOOKKEEPING and c not in params and pd.api.types.is_numeric_dtype(table[c])
        ]
    manifest = _read_json(opt_dir / "manifest.json") if (opt_dir / "manifest.json").is_file() else {}
    data = manifest.get("data") or {}
    return summary_from_table(
        table,
        parameter_names=params,
        metric_names=metric_names,
        ranking_metric=ranking_metric or _run_ranking_metric(run_dir, metric_names),
        ranked=ranking_metric is None,
        pages=pages,
        top_n=top_n,
        strategy=str((manifest.get("strategy") or {}).get("name") or "strategy"),
        symbol=str(data.get("symbol") or ""),
        timeframe=str(data.get("timeframe") or ""),
        data_range=(data["start"], data["end"]) if data.get("start") and data.get("end") else None,
        engine_version=str(manifest.get("engine_version") or ""),
    )


def summary_from_table(
    table: pd.DataFrame,
    *,
    parameter_names: list[str],
    metric_names: list[str],
    strategy: str,
    ranking_metric: str | None = None,
    higher_is_better: bool | None = None,
    ranked: bool = True,
    pages: dict[str, Path] | None = None,
    top_n: int = 20,
    symbol: str = "",
    timeframe: str = "",
    data_range: tuple[Any, Any] | None = None,
    engine_version: str = "",
    title: str | None = None,
) -> SummaryReport:
    """A :class:`SummaryReport` of an optimization table (one row per combination, best first when
    ``ranked``): rows get ``status`` ("ok"/"failed" from ``error``), ``error`` text and ``page`` (from
    ``pages``, parameter hash -> page). ``ranking_metric`` None: sharpe_ratio, net_profit,
    total_return, else the first metric; ``higher_is_better`` None: from the metric's name."""
    metric = ranking_metric or next(
        (m for m in PREFERRED_RANKING if m in metric_names), metric_names[0] if metric_names else None
    )
    if metric is None:
        raise InputError(
            "no metric to rank by",
            [Problem("optimization results have no metric column", field="metric_names")],
        )
    pages = pages or {}
    combos = table.copy()
    errors = combos["error"] if "error" in combos.columns else pd.Series([None] * len(combos))
    failed = errors.notna() & errors.astype(str).str.len().gt(0)
    combos["status"] = np.where(failed, "failed", "ok")
    combos["error"] = errors.where(failed, "")
    hashes = (
        combos["parameter_hash"].astype(str)
        if "parameter_hash" in combos.columns
        else pd.Series([""] * len(combos))
    )
    combos["page"] = [str(pages[h]) if h in pages else "" for h in hashes]
    return SummaryReport(
        strategy=strategy,
        combinations=combos,
        parameter_names=parameter_names,
        ranking_metric=metric,
        higher_is_better=metric not in LOWER_IS_BETTER if higher_is_better is None else higher_is_better,
        metric_columns=[m for m in SUMMARY_METRICS if m in metric_names and m != metric],
        top_n=top_n,
        symbol=symbol,
        timeframe=timeframe,
        data_range=data_range,
        engine_version=engine_version,
        title=title,
        ranked=ranked,
    )


PAGE_DESCRIPTIONS = {
    "index.html": "HTML report page (open in a browser, works offline)",
    "assets/plotly.min.js": "plotly.js, from the plotly package (report charts)",
    "assets/lightweight-charts.js": "TradingView Lightweight Charts, from the lwcharts package (price chart)",
    "assets/report.css": "report pages: styles (light and dark theme)",
    "assets/report.js": "report pages: shared script (theme, tables)",
    "assets/run.js": "report pages: run page script",
    "assets/summary.js": "report pages: summary page script",
}


def refresh_manifest(folder: Path) -> bool:
    """Re-list ``folder``'s files in its ``manifest.json`` (written last) after pages were added.

    Uses the artifacts API, keeping the manifest's metadata; folders without a manifest are
    left alone. Returns True when a manifest was rewritten.
    """
    if not (folder / "manifest.json").is_file():
        return False
    from pystocksharp.artifacts import manifest

    try:
        manifest.read_manifest(folder)
    except (OSError, ValueError):  # unreadable: left for `pystocksharp validate` to report
        return False
    manifest.refresh_manifest(folder, fsync=False, descriptions=PAGE_DESCRIPTIONS, regenerated=is_page_file)
    return True


def _refuse_tampered(run_dir: Path) -> None:
    """Every manifest the build would rewrite must still match its folder (pages aside), before anything is
    written: ``report`` never turns a tampered run into a valid one."""
    from pystocksharp.artifacts import manifest

    problems = []
    for path in sorted(run_dir.rglob("manifest.json")):
        try:
            manifest.read_manifest(path.parent)
        except (OSError, ValueError):  # unreadable: not rewritten either; left for `pystocksharp validate`
            continue
        problems += manifest.check_before_refresh(path.parent, is_page_file)
    if problems:
        raise InputError(f"{run_dir} does not match its manifests; no page was written (see `pystocksharp validate`)",
                         problems)  # fmt: skip


def is_page_file(relative: str) -> bool:
    """A file the report build writes (pages and their assets): it may differ from the old manifest."""
    name = relative.replace("\\", "/")
    return name == "index.html" or name.endswith("/index.html") or name.startswith("assets/") or "/assets/" in name


def walk_forward_pages(folder: Path) -> list[Path]:
    """The summary pages of the walk-forward runs in ``folder`` (a walk-forward folder, or its run or --out folder)."""
    if (folder / "validation.json").is_file() and (folder / "summary.html").is_file():
        return [folder / "summary.html"]
    return sorted(p for p in folder.rglob("validation/walk-forward/*/summary.html"))


def build_reports(
    run_dir: str | Path,
    *,
    top_n: int = 20,
    ranking_metric: str | None = None,
    inline: bool = False,
    validation: ValidationReport | None = None,
) -> BuiltReports:
    """Write every page of a run folder (see module docstring) and return their paths.

    ``validation`` (e.g. ``pystocksharp.walk_forward(...).report()``) adds the validation
    section to the run's summary page.
    """
    from pystocksharp.artifacts.layout import run_folder_of  # noqa: PLC0415

    run_dir = run_folder_of(Path(run_dir))
    built = BuiltReports()
    _refuse_tampered(run_dir)
    if (run_dir / "trades.json").is_file():
        report = run_report_from_folder(run_dir)
        built.run_pages.append(render_run_page(report, run_dir / "index.html", inline=inline))
        refresh_manifest(run_dir)
        return built
    opt_dir = run_dir / "optimization"
    if not opt_dir.is_dir() and (pages := walk_forward_pages(run_dir)):
        built.summary_page = pages[0]
        built.skipped.append(f"{run_dir}: a walk-forward run; its pages are written by walk-forward and kept as they are")
        return built
    if not opt_dir.is_dir():
        raise InputError(
            f"{run_dir} is not a run folder",
            [
                Problem(
                    "expected trades.json (one backtest) or optimization/ (an optimization run)",
                    file=str(run_dir),
                )
            ],
        )
    summary_html = run_dir / "reports" / "index.html"
    assets = run_dir / "reports" / "assets"
    pages: dict[str, Path] = {}
    for folder in _combination_folders(opt_dir):
        try:
            report = run_report_from_folder(folder, summary_page=summary_html)
        except InputError as exc:
            built.skipped.append(f"{folder.name}: {exc.summary}")
            continue
        page = render_run_page(
            report, folder / "index.html", assets_dir=None if inline else assets, inline=inline
        )
        built.run_pages.append(page)
        if report.combination_id:
            pages[str(report.combination_id)] = page
    if (opt_dir / "optimization-results.parquet").is_file():
        summary = summary_from_run(run_dir, pages, top_n=top_n, ranking_metric=ranking_metric)
        if validation is not None:
            summary = dataclasses.replace(summary, validation=validation)
        built.summary_page = render_summary_page(
            summary, summary_html, assets_dir=None if inline else assets, inline=inline
        )
    for page in built.run_pages:
        refresh_manifest(page.parent)
    refresh_manifest(run_dir / "reports")
    return built
