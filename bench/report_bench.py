"""Report generation and page-load speed on a large run.

    .venv/bin/python bench/report_bench.py [--combinations 10000] [--round-trips 5000] [--no-browser]

Builds a 10,000-combination summary (100 x 100 grid of two parameters, and a three-
parameter variant drawn as parallel coordinates) whose best combination has 5,000 round
trips over the 5,031 NASDAQ daily bars, then measures: generation time of the best
combination's page, of the summary page, and of both with assets (goal: < 10 s); page
sizes (goal: summary < 10 MB); load time in headless Chromium until the page script has
drawn everything (goal: summary < 2 s). The round trips are a display load (entry/exit
bars picked by index, prices from the data, pnl = side x (exit - entry)); they are not a
backtest. Figures go to docs/benchmarks.md (section "Reports").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser.chromium import close, console_errors, make_driver, page_url, wait_ready  # noqa: E402

from pystocksharp.reports import RunReport, SummaryReport, render_run_page, render_summary_page  # noqa: E402
from pystocksharp.reports.assets import write_assets  # noqa: E402
from pystocksharp.reports.build import build_reports  # noqa: E402

NASDAQ = ROOT / "pystocksharp" / "sample_data" / "NASDAQ_1d.csv"


def candles() -> pd.DataFrame:
    frame = pd.read_csv(NASDAQ)
    frame["time"] = pd.to_datetime(frame.pop("timestamp"), utc=True)
    return frame[["time", "open", "high", "low", "close", "volume"]]


def display_round_trips(bars: pd.DataFrame, count: int) -> pd.DataFrame:
    """``count`` round trips: trip k enters at bar k mod (n-6), exits 1..5 bars later (display load)."""
    n = len(bars)
    k = np.arange(count)
    entry = k % (n - 6)
    exit_ = entry + 1 + k % 5
    side = np.where(k % 3 == 0, -1, 1)
    opens = bars["open"].to_numpy(dtype=float)
    entry_price, exit_price = opens[entry], opens[exit_]
    times = bars["time"].to_numpy()
    frame = pd.DataFrame(
        {
            "entry_time": times[entry],
            "exit_time": times[exit_],
            "side": side,
            "volume": 1.0,
            "entry_price": entry_price,
            "exit_price": exit_price,
            "pnl": side * (exit_price - entry_price),
            "return": side * (exit_price / entry_price - 1),
        }
    )
    return frame.sort_values("entry_time", kind="stable").reset_index(drop=True)


def combinations(n: int, seed: int = 5) -> pd.DataFrame:
    side = int(np.ceil(np.sqrt(n)))
    fast, slow = np.meshgrid(np.arange(2, 2 + side), np.arange(10, 10 + side * 2, 2), indexing="ij")
    rng = np.random.default_rng(seed)
    m = fast.size
    frame = pd.DataFrame(
        {
            "fast": fast.ravel(),
            "slow": slow.ravel(),
            "sharpe_ratio": rng.normal(0.4, 0.5, m),
            "total_return": rng.normal(0.1, 0.3, m),
            "max_drawdown": -rng.uniform(0.02, 0.6, m),
            "net_profit": rng.normal(1_000, 3_000, m),
            "win_rate": rng.uniform(0.3, 0.7, m),
            "round_trips": rng.integers(10, 5_000, m),
            "status": "ok",
            "error": "",
        }
    ).head(n)
    failed = rng.choice(len(frame), size=max(1, len(frame) // 200), replace=False)
    frame.loc[failed, "status"] = "failed"
    frame.loc[failed, "error"] = "ArgumentException: slow must be greater than fast"
    return frame


def write_artifacts(run_dir: Path, combos: pd.DataFrame, best: int, report: RunReport) -> None:
    """An optimization run folder in the artifacts layout (plain JSON/Parquet): the results
    table of every combination and the best combination's folder."""
    import json

    opt = run_dir / "optimization"
    folder = opt / "best"
    folder.mkdir(parents=True)
    table = combos.drop(columns=["status", "page"], errors="ignore").copy()
    table.insert(0, "parameter_hash", [f"sha256:{i:064x}" for i in range(len(table))])
    table["error"] = table["error"].where(table["error"] != "", None)
    table.to_parquet(opt / "optimization-results.parquet", index=False)
    (opt / "optimization-results.json").write_text(json.dumps({"parameter_names": ["fast", "slow"]}))
    trips = report.round_trips.rename(columns={"return": "return_fraction"})
    for col in ("entry_time", "exit_time"):
        trips[col] = trips[col].map(lambda t: t.isoformat())
    (folder / "trades.json").write_text(json.dumps({"fills": [], "round_trips": trips.to_dict("records")}))
    (folder / "performance-metrics.json").write_text(json.dumps(dict(report.metrics)))
    config = {"strategy": {"name": "sma_cross"}, "parameters": dict(report.parameters),
              "parameter_hash": f"sha256:{best:064x}"}  # fmt: skip
    (folder / "strategy-config.json").write_text(json.dumps(config))
    (folder / "market-data.json").write_text(
        json.dumps({"symbol": "NASDAQ", "timeframe": "1d", "path": str(NASDAQ)})
    )
    report.equity.to_parquet(folder / "equity.parquet", index=False)


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def load_seconds(driver, page: Path) -> float:  # type: ignore[no-untyped-def]
    """Seconds from navigation start until the page's script has drawn everything (in-page clock)."""
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get(page_url(page))
    wait_ready(driver, 120)
    errors = console_errors(driver)
    if errors:
        raise SystemExit(f"console errors on {page}: {errors}")
    return int(driver.execute_script("return document.body.dataset.readyMs")) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--combinations", type=int, default=10_000)
    parser.add_argument("--round-trips", type=int, default=5_000)
    parser.add_argument("--no-browser", action="store_true", help="skip the page-load measurements")
    args = parser.parse_args()

    bars = candles()
    trips = display_round_trips(bars, args.round_trips)
    close_ = bars["close"].to_numpy(dtype=float)
    equity = pd.DataFrame({"time": bars["time"], "equity": 10_000 * close_ / close_[0]})
    combos = combinations(args.combinations)
    best = combos[combos["status"] == "ok"]["sharpe_ratio"].idxmax()

    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        run_dir = Path(tmp)
        assets = run_dir / "reports" / "assets"
        _, t_assets = timed(write_assets, assets)
        best_page = run_dir / "optimization" / "best" / "index.html"
        report = RunReport(
            strategy="sma_cross", candles=bars, equity=equity, round_trips=trips,
            parameters={"fast": int(combos.loc[best, "fast"]), "slow": int(combos.loc[best, "slow"])},
            metrics={"sharpe_ratio": float(combos.loc[best, "sharpe_ratio"])}, symbol="NASDAQ", timeframe="1d",
            summary_page=str(run_dir / "reports" / "index.html"),
        )  # fmt: skip
        _, t_run = timed(render_run_page, report, best_page, assets_dir=assets)
        combos["page"] = ""
        combos.loc[best, "page"] = str(best_page)
        summary = SummaryReport(
            strategy="sma_cross", combinations=combos, parameter_names=["fast", "slow"], ranking_metric="sharpe_ratio",
            metric_columns=["total_return", "max_drawdown", "net_profit", "win_rate", "round_trips"], symbol="NASDAQ",
            timeframe="1d",
        )  # fmt: skip
        summary_page, t_summary = timed(
            render_summary_page, summary, run_dir / "reports" / "index.html", assets_dir=assets
        )
        three = combos.assign(stop=np.tile([0.01, 0.02, 0.03, 0.05], len(combos) // 4 + 1)[: len(combos)])
        summary3 = SummaryReport(
            strategy="sma_cross",
            combinations=three,
            parameter_names=["fast", "slow", "stop"],
            ranking_metric="sharpe_ratio",
        )
        parcoords_page, t_summary3 = timed(
            render_summary_page, summary3, run_dir / "reports" / "three.html", assets_dir=assets
        )
        asset_bytes = sum(p.stat().st_size for p in assets.iterdir())
        rows = [
            ("assets written (plotly.js, Lightweight Charts, css/js)", t_assets, asset_bytes),
            (f"run page, {len(bars):,} bars, {len(trips):,} round trips", t_run, best_page.stat().st_size),
            (
                f"summary page, {len(combos):,} combinations, 2 parameters (heatmap)",
                t_summary,
                summary_page.stat().st_size,
            ),
            (
                f"summary page, {len(combos):,} combinations, 3 parameters (parcoords)",
                t_summary3,
                parcoords_page.stat().st_size,
            ),
        ]
        total = t_assets + t_run + t_summary
        built_dir = run_dir / "built"
        write_artifacts(built_dir, combos, int(best), report)
        built, t_build = timed(build_reports, built_dir)
        assert len(built.run_pages) == 1 and built.summary_page is not None
        print("| Step | Time (s) | Size (MB) |\n|---|---:|---:|")
        for label, seconds, size in rows:
            print(f"| {label} | {seconds:.2f} | {size / 1e6:.2f} |")
        print(f"| total: assets + best run page + summary (goal < 10 s) | {total:.2f} | |")
        print(f"| build_reports from the artifacts folder (read + all of the above) | {t_build:.2f} | |")
        if args.no_browser:
            return
        driver = make_driver()
        try:
            load_seconds(driver, best_page)  # warm the browser's disk cache of the assets
            print("\n| Page load in headless Chromium (until drawn) | Time (s) |\n|---|---:|")
            for label, page in (
                (f"summary, {len(combos):,} combinations, heatmap (goal < 2 s)", summary_page),
                (f"summary, {len(combos):,} combinations, parallel coordinates", parcoords_page),
                (f"run page, {len(trips):,} round trips", best_page),
            ):
                print(f"| {label} | {min(load_seconds(driver, page) for _ in range(3)):.2f} |")
        finally:
            close(driver)


if __name__ == "__main__":
    main()
