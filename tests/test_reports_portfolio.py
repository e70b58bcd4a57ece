"""Run page sections of issue #27 from real runs: the trading-costs panel (numbers of ``tca_summary``), the
per-symbol attribution table and correlation heatmap (two symbols or more only), the capacity curve; the payload
and page agree with the engine's numbers, ``analytics.json`` rebuilds the same page, and in headless Chromium the
sections draw without errors."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pystocksharp import backtest
from pystocksharp.capacity import capacity_of_backtest
from pystocksharp.cli import main
from pystocksharp.reports import render_run_page, run_page_html
from pystocksharp.reports.adapters import run_report_from_backtest
from pystocksharp.reports.analytics import ANALYTICS_FILE, RunAnalytics
from pystocksharp.reports.build import build_reports, run_report_from_folder
from pystocksharp.reports.payload import run_payload

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[1]
DATA = {"SPX": "sample:SPX_1d", "NDX": "sample:NASDAQ_1d"}
PAIRS = {"lookback": 40, "entry": 1.5, "exit": 0.25}
SMA = ["-s", "sma_cross", "-d", "sample:GOOG_1d", "-p", "fast=10", "-p", "slow=20", "-p", "volume=10"]
COSTS = ["--commission", "0.002", "--slippage", "0.0005"]


@pytest.fixture(scope="module")
def pairs():
    return backtest(str(ROOT / "strategies/PairsSpread.cs"), DATA, params=PAIRS, capital=100_000,
                    commission=0.0005, slippage_steps=1)  # fmt: skip


@pytest.fixture(scope="module")
def pairs_report(pairs):
    return run_report_from_backtest(pairs, pairs.ohlcv, capacity=capacity_of_backtest(pairs, [0.0, 1.0, 2.0]))


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("runs") / "sma"
    res = CliRunner().invoke(main, ["backtest", *SMA, *COSTS, "--capacity", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    return out, json.loads(res.output)


def test_payload_sections_carry_the_engine_numbers(pairs, pairs_report) -> None:
    payload = run_payload(pairs_report)
    costs, tca = payload["costs"], pairs.tca_summary()
    assert costs["cost"] == pytest.approx(tca["cost"]) and costs["fills"] == 576
    assert costs["commission_share"] == pytest.approx(tca["commission"] / tca["cost"])
    table = payload["attribution"]
    keys = [c["key"] for c in table["columns"]]
    rows = {r[0]: dict(zip(keys, r, strict=True)) for r in table["rows"]}
    assert set(rows) == {"SPX", "NDX"}
    assert abs(sum(r["net_profit"] for r in rows.values()) - pairs.summary.net_profit) < 0.005
    assert rows["NDX"]["commission"] == pytest.approx(
        pairs.attribution.set_index("symbol").loc["NDX", "commission"]
    )
    corr = payload["correlation"]
    assert corr["symbols"] == ["SPX", "NDX"]
    assert (
        corr["z"][0][1] == pytest.approx(pairs.correlation.loc["SPX", "NDX"], abs=1e-4)
        and corr["z"][0][0] == 1
    )
    capacity = payload["capacity"]
    assert capacity["multiplier"] == [0.0, 1.0, 2.0]
    assert capacity["net_profit"][1] == pytest.approx(pairs.summary.net_profit, abs=0.005)
    assert capacity["net_profit"][0] > capacity["net_profit"][1] > capacity["net_profit"][2]


def test_page_shows_the_sections_with_their_numbers(pairs, pairs_report) -> None:
    html = run_page_html(pairs_report)
    tca = pairs.tca_summary()
    assert 'id="costs"' in html and 'id="attribution"' in html and 'id="correlation"' in html
    assert 'id="capacity"' in html
    assert (
        f"{tca['cost']:,.2f}" in html
        and f"{tca['commission']:,.2f}" in html
        and f"{tca['cost_bps']:,.1f} bps" in html
    )
    share = tca["commission"] / tca["cost"]
    assert f"Commission {share * 100:.1f}% and slippage {(1 - share) * 100:.1f}%" in html
    assert f"add up to {pairs.summary.net_profit:,.2f}" in html
    assert run_page_html(pairs_report) == html  # deterministic
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", html)  # offline


def test_one_symbol_has_costs_but_no_attribution_table(cli_run) -> None:
    out, payload = cli_run
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="costs"' in page and 'id="capacity"' in page
    assert 'id="attribution"' not in page and 'id="correlation"' not in page
    assert f"{payload['tca']['cost']:,.2f}" in page
    analytics = RunAnalytics.model_validate_json((out / ANALYTICS_FILE).read_text(encoding="utf-8"))
    assert analytics.tca is not None and analytics.tca.cost == pytest.approx(payload["tca"]["cost"])
    assert analytics.attribution is not None and analytics.attribution.symbols[0].symbol == "GOOG"
    points = analytics.capacity or []
    assert (
        [p.multiplier for p in points]
        == [0.0, 0.5, 1.0, 2.0, 4.0]
        == [p["multiplier"] for p in payload["capacity"]]
    )
    one = next(p for p in points if p.multiplier == 1.0)
    assert one.net_profit == payload["net_profit"] and one.sharpe_ratio == payload["metrics"]["sharpe_ratio"]
    report = run_report_from_folder(out)
    assert run_payload(report)["capacity"]["sharpe_ratio"][2] == pytest.approx(one.sharpe_ratio, abs=1e-4)
    # `pystocksharp report` rebuilds the same page from the folder, and the folder still validates
    before = page
    build_reports(out)
    assert (out / "index.html").read_text(encoding="utf-8") == before
    assert CliRunner().invoke(main, ["validate", str(out)]).exit_code == 0


def test_plain_backtest_out_has_no_capacity_section(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["backtest", *SMA, "--out", str(tmp_path / "r"), "--json"])
    assert res.exit_code == 0, res.output
    assert "capacity" not in json.loads(res.output)
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert 'id="costs"' in page and "This run paid no trading costs." in page and 'id="capacity"' not in page


def test_strings_are_escaped(pairs) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    attribution = pairs.attribution.assign(symbol=[hostile, "NDX"])
    corr = pairs.correlation.set_axis([hostile, "NDX"], axis=0).set_axis([hostile, "NDX"], axis=1)
    report = run_report_from_backtest(pairs, pairs.ohlcv)
    report = dataclasses.replace(report, attribution=attribution, correlation=corr)
    html = run_page_html(report)
    assert hostile not in html and "\\u003cimg src=x" in html


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    pytest.importorskip("selenium")
    from browser.chromium import close, make_driver

    try:
        d = make_driver()
    except Exception as exc:  # noqa: BLE001 - no chromium here: the browser part is skipped, said why
        pytest.skip(f"no headless chromium: {exc}")
    try:
        yield d
    finally:
        close(d)


PLOT_DRAWN_JS = """
const el = document.getElementById(arguments[0]);
if (!el || !el.classList.contains('js-plotly-plot')) return 0;
return el.data.length ? el.querySelectorAll('.main-svg').length : 0;
"""


@pytest.mark.browser
def test_sections_render_in_chromium(driver: Any, pairs, pairs_report, tmp_path: Path) -> None:
    from browser.chromium import console_errors, full_page_screenshot, page_url, wait_ready

    page = render_run_page(pairs_report, tmp_path / "index.html")
    driver.get_log("browser")
    driver.get(page_url(page))
    wait_ready(driver)
    assert console_errors(driver) == []
    for plot in ("correlation-chart", "capacity-chart"):
        assert driver.execute_script(PLOT_DRAWN_JS, plot) >= 1, plot
    cells = driver.execute_script(
        "return Array.from(document.querySelectorAll('#attribution-table tbody tr'))"
        ".map(tr => Array.from(tr.children).map(td => td.textContent))"
    )
    shown = {row[0]: row for row in cells}
    assert set(shown) == {"SPX", "NDX"}
    frame = pairs.attribution.set_index("symbol")
    for symbol in ("SPX", "NDX"):
        assert shown[symbol][1] == f"{frame.loc[symbol, 'net_profit']:,.2f}"
        assert shown[symbol][10] == f"{frame.loc[symbol, 'exposure_time'] * 100:.2f}%"  # a fraction, not a time
    cards = driver.execute_script(
        "return Object.fromEntries(Array.from(document.querySelectorAll('#costs .card'))"
        ".map(c => [c.dataset.key, c.querySelector('.value').textContent]))"
    )
    assert cards["cost"] == f"{pairs.tca_summary()['cost']:,.2f}" and cards["fills"] == "576"
    z = driver.execute_script("return document.getElementById('correlation-chart').data[0].z")
    assert z[0][1] == pytest.approx(pairs.correlation.loc["SPX", "NDX"], abs=1e-4)
    capacity_rows = driver.execute_script(
        "return document.querySelectorAll('#capacity-table tbody tr').length"
    )
    assert capacity_rows == 3
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    full_page_screenshot(driver, ROOT / "test-output" / "reports" / "run-portfolio.png")
