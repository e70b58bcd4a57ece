"""Report pages of real engine runs (``pystocksharp.backtest``), opened in headless Chromium."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browser.chromium import close, console_errors, full_page_screenshot, make_driver, page_url, wait_ready
from browser.report_inputs import page_data

import pystocksharp
from pystocksharp.data import sample_path
from pystocksharp.reports import render_run_page
from pystocksharp.reports.adapters import run_report_from_backtest
from pystocksharp.reports.build import build_reports

pytestmark = [pytest.mark.engine, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-output" / "reports"


def open_without_errors(driver: Any, page: Path) -> None:
    """Open ``page`` and check the browser console logged no error on the way."""
    driver.get_log("browser")  # drop older entries
    driver.get(page_url(page))
    wait_ready(driver)
    assert console_errors(driver) == []


@pytest.fixture(scope="module")
def engine_run() -> Any:
    return pystocksharp.backtest("sma_cross", sample_path("GOOG_1d"), params={"fast": 10, "slow": 20})


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    d = make_driver()
    try:
        yield d
    finally:
        close(d)


def test_engine_run_page(engine_run: Any, driver: Any, tmp_path: Path) -> None:
    report = run_report_from_backtest(engine_run, sample_path("GOOG_1d"))
    page = render_run_page(report, tmp_path / "index.html")
    data = page_data(page)
    # what the page carries is what the engine recorded
    assert data["price"]["bars"] == len(engine_run.equity) == 2148
    assert data["equity"]["points"] == len(engine_run.equity)
    assert data["equity"]["equity"][-1] == round(engine_run.summary.final_equity, 2)
    assert len(data["fills"]["bar_s"]) == engine_run.summary.fills == len(engine_run.trades)
    assert len(data["trades"]["rows"]) == len(report.round_trips)
    html = page.read_text(encoding="utf-8")
    assert f"{engine_run.summary.net_profit:,.2f}" in html  # net profit card, money format
    assert f"{engine_run.summary.max_drawdown * 100:.2f}%" in html  # fraction shown as percent

    open_without_errors(driver, page)
    markers = driver.execute_script("return PSReport.priceMarkers.markers().length")
    expected = 2 * len(report.round_trips) if len(report.round_trips) else len(engine_run.trades)
    assert markers == expected
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    # the buy-and-hold line beside the equity: the whole capital in GOOG at the first close, held
    close = engine_run.equity["close"]
    bench = driver.execute_script(
        "const t = document.getElementById('equity-chart').data.find(d => d.name === 'Buy &amp; hold GOOG');"
        "return t ? [t.y[0], t.y[t.y.length - 1]] : null"
    )
    assert bench == [10_000.0, round(10_000 * close.iloc[-1] / close.iloc[0], 2)]
    full_page_screenshot(driver, SHOTS / "engine-run.png")
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / "report.png"))  # the README's picture (docs/images/report.png)


def test_report_of_engine_run_folder_keeps_it_valid(engine_run: Any, driver: Any, tmp_path: Path) -> None:
    from pystocksharp.artifacts.export import write_backtest_result
    from pystocksharp.artifacts.validate import validate_tree
    from pystocksharp.data import load_ohlcv

    folder = tmp_path / "run"
    write_backtest_result(folder, engine_run, data=load_ohlcv(sample_path("GOOG_1d")), fsync=False)
    built = build_reports(folder)
    assert built.run_pages == [folder / "index.html"]
    trades = json.loads((folder / "trades.json").read_text(encoding="utf-8"))
    data = page_data(folder / "index.html")
    assert len(data["trades"]["rows"]) == len(trades["round_trips"])
    assert len(data["fills"]["bar_s"]) == len(trades["fills"]) == engine_run.summary.fills
    assert data["price"]["bars"] == 2148  # candles from the data file market-data.json names
    outcome = validate_tree(folder)
    assert outcome.problems == []  # the manifest was rewritten to list the page and its assets
    listed = {f["path"] for f in json.loads((folder / "manifest.json").read_text())["files"]}
    assert {"index.html", "assets/plotly.min.js", "trades.json"} <= listed

    driver.get_log("browser")
    driver.get(page_url(folder / "index.html"))
    wait_ready(driver)
    assert console_errors(driver) == []
    assert driver.execute_script("return document.getElementById('trade-table').dataset.totalRows") == str(
        len(trades["round_trips"])
    )


def test_optimization_run_summary_links_to_engine_pages(driver: Any, tmp_path: Path) -> None:
    from pystocksharp.artifacts.export import export_optimization
    from pystocksharp.artifacts.validate import validate_tree
    from pystocksharp.data import load_ohlcv
    from pystocksharp.optimization.runner import optimize

    data = load_ohlcv(sample_path("GOOG_1d"))
    result = optimize("sma_cross", data, grid={"fast": [5, 10, 15], "slow": [20, 30]}, workers=1)
    run_dir = export_optimization(result, tmp_path, data=data, keep=2, fsync=False).run_dir
    built = build_reports(run_dir)
    assert built.summary_page == run_dir / "reports" / "index.html" and len(built.run_pages) == 2
    assert validate_tree(run_dir).problems == []
    summary = page_data(built.summary_page)
    assert summary["counts"]["total"] == 6 and summary["metric"]["key"] == "net_profit"
    table = result.ranked()
    assert [r[3] for r in summary["ranking"]["rows"]] == table["net_profit"].tolist()  # the optimizer's order

    driver.get_log("browser")
    driver.get(page_url(built.summary_page))
    wait_ready(driver)
    assert console_errors(driver) == []
    full_page_screenshot(driver, SHOTS / "engine-summary.png")
    driver.find_elements("css selector", "#ranking-table tbody tr")[0].find_elements("tag name", "td")[
        2
    ].click()
    wait_ready(driver)
    opened = Path(driver.execute_script("return decodeURIComponent(location.pathname)"))
    assert opened in built.run_pages
    trades = json.loads((opened.parent / "trades.json").read_text(encoding="utf-8"))
    rows = driver.execute_script("return document.getElementById('trade-table').dataset.totalRows")
    assert rows == str(len(trades["round_trips"]))
    assert console_errors(driver) == []


def test_oscillator_in_its_own_pane_below_the_price(engine_run: Any, driver: Any, tmp_path: Path) -> None:
    from pystocksharp.data import load_ohlcv
    from pystocksharp.indicators import bollinger, rsi, sma

    close = load_ohlcv(sample_path("GOOG_1d")).frame["close"]
    rsi14, sma20, upper = rsi(close, 14), sma(close, 20), bollinger(close, 20)["upper"]
    indicators = {"RSI 14": rsi14, "SMA 20": sma20, "BB upper": upper, "Price copy": close}
    report = run_report_from_backtest(
        engine_run, sample_path("GOOG_1d"), indicators=indicators, indicator_panes={"Price copy": "pane"}
    )
    page = render_run_page(report, tmp_path / "index.html")
    kinds = {ind["name"]: ind["kind"] for ind in page_data(page)["indicators"]}
    # the rule: RSI (0..100 beside a GOOG price of 100..800) does not track the close; SMA and band do;
    # an explicit kind wins over the rule (the close itself, asked to a pane)
    assert kinds == {"RSI 14": "pane", "SMA 20": "price", "BB upper": "price", "Price copy": "pane"}
    assert "RSI 14, Price copy each in a pane of its own below the volume" in page.read_text(encoding="utf-8")

    open_without_errors(driver, page)
    placed = driver.execute_script(
        "return PSReport.indicatorSeries.map(s => [s.name, s.series.getPane().paneIndex(),"
        " s.series.data().filter(p => p.value !== undefined).map(p => [p.time, p.value])])"
    )
    panes = {name: pane for name, pane, _ in placed}
    # candles in pane 0, volume in pane 1, each oscillator below them in a pane of its own
    assert panes == {"RSI 14": 2, "SMA 20": 0, "BB upper": 0, "Price copy": 3}
    assert driver.execute_script("return PSReport.priceChart.panes().length") == 4
    assert driver.execute_script("return PSReport.priceChart.panes()[2].getSeries().length") == 1
    drawn = {name: points for name, _, points in placed}
    expected = rsi14.dropna()
    rsi_points = drawn["RSI 14"]
    assert len(rsi_points) == len(expected)
    assert [v for _, v in rsi_points] == pytest.approx(expected.round(6).tolist())
    assert rsi_points[0][0] == int(expected.index[0].timestamp())
    assert 0 <= min(v for _, v in rsi_points) and max(v for _, v in rsi_points) <= 100
    # the RSI pane is drawn with its own height, below the candles
    heights = driver.execute_script("return PSReport.priceChart.panes().map(p => p.getHeight())")
    assert all(abs(h - 120) <= 8 for h in heights[2:]) and heights[0] > 250, heights
    full_page_screenshot(driver, SHOTS / "engine-run-rsi-pane.png")


@pytest.fixture(scope="module")
def validation_run() -> Any:
    from pystocksharp.validation.pipeline import walk_forward

    return walk_forward(
        "sma_cross", sample_path("GOOG_1d"), grid=["fast=5,10", "slow=20,40"], train="2y", test="1y",
        monte_carlo=200, overfitting=False, workers=1,
    )  # fmt: skip


def test_stitched_oos_equity_per_window_with_its_parameters(validation_run: Any, driver: Any, tmp_path: Path) -> None:
    from pystocksharp.validation.artifacts import summary_page

    windows = validation_run.walk_forward.windows
    stitched = validation_run.oos_equity
    assert len(windows) >= 4
    page = summary_page(validation_run, tmp_path / "summary.html")
    curve = page_data(page)["validation"]["oos_curve"]
    assert curve["points"] == len(stitched)
    # a segment per window, starting at the window's first test bar, ending on the stitched value there
    segs = curve["segments"]
    assert [s["window"] for s in segs] == [str(w.window) for w in windows]
    for seg, w in zip(segs, windows, strict=True):
        assert seg["start_ms"] == int(pd.Timestamp(w.test_start).timestamp() * 1000)
        last = stitched[stitched.index <= pd.Timestamp(w.test_end)].iloc[-1]
        assert seg["equity"][-1] == round(float(last), 2)
        assert seg["parameters"] == ", ".join(f"{k}={v}" for k, v in w.parameters.items())
    html = page.read_text(encoding="utf-8")
    # 6 to 13 trades per window, 57 in all, the Monte Carlo over them: no small-sample warning
    assert min(w.oos_metrics["closed_trades"] for w in windows) >= 5 and validation_run.oos_trade_returns.size >= 30
    assert "not reliable" not in html
    table = page_data(page)["validation"]["walk_forward"]["table"]
    labels = [c["label"] for c in table["columns"]]
    assert labels[5] == "Parameters" and labels[-1] == "OOS trades"
    assert [r[5] for r in table["text"]] == [s["parameters"] for s in segs]
    assert [r[-1] for r in table["rows"]] == [w.oos_metrics["closed_trades"] for w in windows]

    open_without_errors(driver, page)
    drawn = driver.execute_script(
        "const el = document.getElementById('wf-oos');"
        "return el.data.filter(t => t.meta === 'oos-segment').map(t => [t.text, t.y.length]);"
    )
    assert len(drawn) == len(windows)
    assert [t for t, _ in drawn] == [f"Window {w.window}: {s['parameters']}" for w, s in zip(windows, segs, strict=True)]
    boundaries = driver.execute_script("return document.getElementById('wf-oos').layout.shapes.length")
    assert boundaries == len(windows) - 1
    full_page_screenshot(driver, SHOTS / "engine-validation.png")


@pytest.mark.parametrize(("params", "trips", "warned"), [({"fast": 100, "slow": 300}, 5, True), ({"fast": 10, "slow": 20}, 93, False)])
def test_small_sample_warning_on_the_trade_histogram(
    params: dict, trips: int, warned: bool, driver: Any, tmp_path: Path
) -> None:
    run = pystocksharp.backtest("sma_cross", sample_path("GOOG_1d"), params=params)
    assert len(run.round_trips) == trips
    page = render_run_page(run_report_from_backtest(run, sample_path("GOOG_1d")), tmp_path / "index.html")
    open_without_errors(driver, page)
    shown = driver.execute_script(
        "const el = document.getElementById('returns-warning');"
        "return el && el.offsetHeight > 0 ? el.textContent : null"
    )
    if warned:
        assert shown == "Histogram based on 5 trades: not reliable (fewer than 30 trades)."
    else:
        assert shown is None and "not reliable" not in page.read_text(encoding="utf-8")
    assert driver.execute_script("return document.getElementById('returns-chart').data[0].x.length") == trips


def test_benchmark_line_yearly_returns_and_rolling_sharpe_drawn(driver: Any, tmp_path: Path) -> None:
    run = pystocksharp.backtest(
        "sma_cross", sample_path("NASDAQ_1d"), params={"fast": 10, "slow": 30}, benchmark="sample:SPX_1d"
    )
    page = render_run_page(run_report_from_backtest(run, sample_path("NASDAQ_1d")), tmp_path / "index.html")
    data = page_data(page)
    open_without_errors(driver, page)
    traces = driver.execute_script(
        "return ['equity-chart', 'yearly-chart', 'rolling-chart'].map(id =>"
        " document.getElementById(id).data.map(t => [t.name, t.y.length]))"
    )
    points = len(data["equity"]["time_ms"])
    years = len(data["yearly"]["years"])
    shown = len(data["rolling_sharpe"]["time_ms"])
    assert traces == [
        [["Equity", points], ["Drawdown", points], ["Benchmark SPX", points]],
        [["Strategy", years], ["Benchmark SPX", years]],
        [["Strategy", shown], ["Benchmark SPX", shown]],
    ]
    assert years == 20 and shown > 1000
    # the legend names both curves; the bars are drawn (svg paths), one per year and curve
    legend = driver.execute_script(
        "return Array.from(document.querySelectorAll('#yearly-chart .legendtext')).map(e => e.textContent)"
    )
    assert legend == ["Strategy", "Benchmark SPX"]
    bars = driver.execute_script("return document.querySelectorAll('#yearly-chart .bars .point').length")
    assert bars == 2 * years
    assert "Compared with" in page.read_text(encoding="utf-8")
    full_page_screenshot(driver, SHOTS / "engine-run-benchmark.png")


def test_trade_labels_only_where_they_have_room(engine_run: Any, driver: Any, tmp_path: Path) -> None:
    page = render_run_page(run_report_from_backtest(engine_run, sample_path("GOOG_1d")), tmp_path / "index.html")
    trips = len(page_data(page)["trades"]["rows"])
    assert trips > 60  # far more than fit on a 1366 px chart at one label per 45 px
    driver.get(page_url(page))
    wait_ready(driver)
    labelled = "return PSReport.priceMarkers.markers().filter(m => m.text).length"
    assert driver.execute_script("return PSReport.tradeLabels()") is False
    assert driver.execute_script(labelled) == 0
    driver.find_elements("css selector", "#trade-table tbody tr")[5].click()  # zoom to round trip #6
    # the few trades now in view get their labels (each entry "#n", the focused one's exit too)
    assert driver.execute_script("return PSReport.tradeLabels()") is True
    texts = driver.execute_script("return PSReport.priceMarkers.markers().filter(m => m.text).map(m => m.text)")
    assert "#6" in texts and "exit #6" in texts and len(texts) == trips + 1
    assert console_errors(driver) == []
