"""Report pages in headless Chromium: drawn charts, no console errors, working tables and links.

Screenshots go to ``test-output/reports/`` (git-ignored) beside the test output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from browser.chromium import close, console_errors, full_page_screenshot, make_driver, page_url, wait_ready
from browser.report_inputs import grid_combinations, sample_run_report, write_optimization_run

from pystocksharp.reports import SummaryReport, ValidationReport, render_run_page, render_summary_page
from pystocksharp.reports.build import build_reports

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-output" / "reports"

CANVAS_DRAWN_JS = """
const canvases = Array.from(document.querySelectorAll(arguments[0] + ' canvas'));
let best = 0;
for (const c of canvases) {
  if (!c.width || !c.height) continue;
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  for (let i = 0; i < px.length && colours.size < 50; i += 4 * 97) colours.add(px[i] + ',' + px[i+1] + ',' + px[i+2] + ',' + px[i+3]);
  best = Math.max(best, colours.size);
}
return [canvases.length, best];
"""

PLOT_DRAWN_JS = """
const el = document.getElementById(arguments[0]);
if (!el || !el.classList.contains('js-plotly-plot')) return 0;
return el.data.length ? el.querySelectorAll('.main-svg').length + el.querySelectorAll('canvas').length : 0;
"""


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    d = make_driver()
    try:
        yield d
    finally:
        close(d)


def open_page(driver: Any, page: Path) -> None:
    driver.get_log("browser")  # drop older entries
    driver.get(page_url(page))
    wait_ready(driver)


def assert_no_console_errors(driver: Any) -> None:
    assert console_errors(driver) == []


def no_horizontal_scroll(driver: Any) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def table_texts(driver: Any, table_id: str, column: int) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody tr'))"
        ".map(tr => tr.children[arguments[1]].textContent)",
        table_id,
        column,
    )


def click_header(driver: Any, table_id: str, label: str) -> None:
    driver.execute_script(
        "Array.from(document.querySelectorAll('#' + arguments[0] + ' th button'))"
        ".find(b => b.textContent === arguments[1]).click()",
        table_id,
        label,
    )


@pytest.fixture(scope="module")
def run_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    return render_run_page(sample_run_report(), out / "index.html")


def test_run_page_draws_without_errors(driver: Any, run_page: Path) -> None:
    open_page(driver, run_page)
    assert_no_console_errors(driver)
    canvases, colours = driver.execute_script(CANVAS_DRAWN_JS, "#price-chart")
    assert canvases >= 1 and colours >= 5  # candles, markers, volume: many colours, not a blank canvas
    for plot in ("equity-chart", "returns-chart", "monthly-chart"):
        assert driver.execute_script(PLOT_DRAWN_JS, plot) >= 1, plot
    assert no_horizontal_scroll(driver)
    urls = driver.execute_script(
        "return Array.from(document.querySelectorAll('script[src], link[href], img[src], iframe[src]'))"
        ".map(e => e.src || e.href)"
    )
    assert len(urls) >= 5 and all(u.startswith("file://") for u in urls)  # offline: every resource on disk
    full_page_screenshot(driver, SHOTS / "run-light.png")


def test_trade_list_has_every_round_trip(driver: Any, run_page: Path) -> None:
    open_page(driver, run_page)
    n = len(sample_run_report().round_trips)
    table = driver.find_element("id", "trade-table")
    assert table.get_attribute("data-total-rows") == str(n)
    assert len(table_texts(driver, "trade-table", 0)) == 25  # first page
    driver.execute_script(
        "const s = document.querySelector('#trade-table select.page-size'); s.value = '0';"
        "s.dispatchEvent(new Event('change'))"
    )
    assert len(table_texts(driver, "trade-table", 0)) == n


def test_trade_list_sorts(driver: Any, run_page: Path) -> None:
    open_page(driver, run_page)
    trips = sample_run_report().round_trips
    click_header(driver, "trade-table", "PnL")
    assert table_texts(driver, "trade-table", 6)[0] == f"{trips['pnl'].min():,.2f}"  # -1,068.20
    click_header(driver, "trade-table", "PnL")
    assert table_texts(driver, "trade-table", 6)[0] == f"{trips['pnl'].max():,.2f}"  # 1,471.60
    click_header(driver, "trade-table", "Entry")
    entries = table_texts(driver, "trade-table", 0)
    assert entries == sorted(entries)


def test_trade_click_moves_chart_to_it(driver: Any, run_page: Path) -> None:
    open_page(driver, run_page)
    trips = sample_run_report().round_trips
    visible = "const r = PSReport.priceChart.timeScale().getVisibleRange(); return [r.from, r.to];"
    first, last = driver.execute_script(visible)
    driver.find_elements("css selector", "#trade-table tbody tr")[12].click()  # round trip #13
    assert driver.find_element("id", "price-chart").get_attribute("data-focused-trade") == "12"
    assert (
        driver.execute_script("return document.querySelector('#trade-table tr.focused').dataset.row") == "12"
    )
    start, end = driver.execute_script(visible)
    entry = int(trips["entry_time"][12].timestamp())  # 2008-01-18
    exit_ = int(trips["exit_time"][12].timestamp())  # 2008-02-26
    assert first < start <= entry and exit_ <= end < last  # zoomed in around that trade
    assert_no_console_errors(driver)


def test_theme_toggle(driver: Any, run_page: Path) -> None:
    open_page(driver, run_page)
    before = driver.execute_script(
        "return [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]"
    )
    driver.find_element("id", "theme-toggle").click()
    after = driver.execute_script(
        "return [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]"
    )
    assert {before[0], after[0]} == {"light", "dark"} and before[1] != after[1]
    plot_bg = driver.execute_script("return document.getElementById('equity-chart').layout.paper_bgcolor")
    panel_bg = driver.execute_script(
        "return getComputedStyle(document.documentElement).getPropertyValue('--panel').trim()"
    )
    assert plot_bg == panel_bg  # plotly charts follow the theme
    full_page_screenshot(driver, SHOTS / f"run-{after[0]}.png")
    driver.refresh()
    wait_ready(driver)
    assert driver.execute_script("return document.documentElement.dataset.theme") == after[0]  # remembered
    driver.find_element("id", "theme-toggle").click()  # back, for the other tests
    assert_no_console_errors(driver)


def _validation() -> ValidationReport:
    rng = np.random.default_rng(11)
    steps = np.arange(60)
    return ValidationReport(
        walk_forward=pd.DataFrame(
            {
                "window": [1, 2],
                "train_start": pd.to_datetime(["2005-01-01", "2006-01-01"], utc=True),
                "train_end": pd.to_datetime(["2006-12-31", "2007-12-31"], utc=True),
                "test_start": pd.to_datetime(["2007-01-01", "2008-01-01"], utc=True),
                "test_end": pd.to_datetime(["2007-06-30", "2008-06-30"], utc=True),
                "is_value": [1.2, 1.4],
                "oos_value": [0.2, -0.3],
            }
        ),
        monte_carlo_fan=pd.DataFrame(
            {
                "step": steps,
                "p05": 1 - 0.004 * steps,
                "p25": 1 - 0.001 * steps,
                "p50": 1 + 0.002 * steps,
                "p75": 1 + 0.005 * steps,
                "p95": 1 + 0.01 * steps,
            }  # fmt: skip
        ),
        monte_carlo_final_returns=rng.normal(0.1, 0.2, 500),
        monte_carlo_max_drawdowns=-rng.uniform(0, 0.5, 500),
        pbo=0.6,
        pbo_logits=rng.normal(-0.2, 1, 100),
        verdicts=pd.DataFrame(
            {"check": ["pbo"], "value": [0.6], "threshold": ["< 50.00%"], "status": ["fail"]}
        ),
        statistics={"deflated_sharpe_ratio": 0.4},
    )


@pytest.fixture(scope="module")
def summary_pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, SummaryReport]:
    out = tmp_path_factory.mktemp("summary")
    combos = grid_combinations(range(5, 30, 5), range(20, 120, 10))
    combos.loc[3, ["status", "error"]] = ["failed", "ArgumentException: slow must be > fast"]
    combos["page"] = ""
    summary_html = out / "reports" / "index.html"
    top = combos[combos["status"] == "ok"].sort_values("sharpe_ratio", ascending=False).index[:3]
    for rank, i in enumerate(top):
        page = out / "optimization" / f"combo{rank}" / "index.html"
        params = {"fast": int(combos.loc[i, "fast"]), "slow": int(combos.loc[i, "slow"])}
        report = sample_run_report(parameters=params, summary_page=str(summary_html))
        combos.loc[i, "page"] = str(render_run_page(report, page, assets_dir=out / "reports" / "assets"))
    summary = SummaryReport(
        strategy="sma_cross", combinations=combos, parameter_names=["fast", "slow"], ranking_metric="sharpe_ratio",
        metric_columns=["total_return", "max_drawdown", "round_trips"], symbol="GOOG", timeframe="1d",
        validation=_validation(),
    )  # fmt: skip
    render_summary_page(summary, summary_html, assets_dir=out / "reports" / "assets")
    three = combos.assign(stop=np.tile([0.01, 0.02], len(combos) // 2))
    many = SummaryReport(
        strategy="sma_cross",
        combinations=three,
        parameter_names=["fast", "slow", "stop"],
        ranking_metric="sharpe_ratio",
    )
    parcoords_html = render_summary_page(
        many, out / "reports" / "three-params.html", assets_dir=out / "reports" / "assets"
    )
    return summary_html, parcoords_html, summary


def test_summary_page_draws_without_errors(
    driver: Any, summary_pages: tuple[Path, Path, SummaryReport]
) -> None:
    summary_html, parcoords_html, _ = summary_pages
    open_page(driver, summary_html)
    assert_no_console_errors(driver)
    for plot in (
        "grid-chart",
        "distribution-chart",
        "wf-chart",
        "wf-timeline",
        "mc-fan",
        "mc-returns",
        "mc-drawdowns",
        "pbo-chart",
    ):
        assert driver.execute_script(PLOT_DRAWN_JS, plot) >= 1, plot
    assert driver.find_element("id", "failed-table").get_attribute("data-total-rows") == "1"
    assert driver.find_element("id", "verdict-table").get_attribute("data-total-rows") == "1"
    assert no_horizontal_scroll(driver)
    full_page_screenshot(driver, SHOTS / "summary.png")
    before = driver.execute_script("return document.getElementById('grid-chart').layout.paper_bgcolor")
    driver.find_element("id", "theme-toggle").click()
    after = driver.execute_script("return document.getElementById('grid-chart').layout.paper_bgcolor")
    assert before != after  # the charts follow the theme
    full_page_screenshot(driver, SHOTS / "summary-other-theme.png")
    driver.find_element("id", "theme-toggle").click()
    open_page(driver, parcoords_html)
    assert_no_console_errors(driver)
    kind = driver.execute_script("return document.getElementById('grid-chart').data[0].type")
    assert kind in {"parcoords", "scatter"}  # scatter only where the browser has no WebGL
    assert no_horizontal_scroll(driver)


def test_ranking_sorts_and_row_opens_existing_page(
    driver: Any, summary_pages: tuple[Path, Path, SummaryReport]
) -> None:
    summary_html, _, summary = summary_pages
    open_page(driver, summary_html)
    ok = summary.combinations[summary.combinations["status"] == "ok"]
    ranks = table_texts(driver, "ranking-table", 3)
    assert ranks[0] == f"{ok['sharpe_ratio'].max():.2f}"
    click_header(driver, "ranking-table", "Sharpe ratio")  # ascending: the weakest of the top 20 first
    assert table_texts(driver, "ranking-table", 3)[0] == f"{ok['sharpe_ratio'].nlargest(20).min():.2f}"
    click_header(driver, "ranking-table", "#")
    row = driver.find_elements("css selector", "#ranking-table tbody tr")[0]
    row.find_elements("tag name", "td")[1].click()  # a cell, not the link: the row itself navigates
    wait_ready(driver)
    opened = Path(driver.execute_script("return decodeURIComponent(location.pathname)"))
    assert opened.is_file() and opened.name == "index.html" and opened.parent.name == "combo0"
    assert_no_console_errors(driver)
    assert driver.execute_script("return document.getElementById('trade-table').dataset.totalRows") == "30"


def test_built_run_pages_list_every_round_trip_of_trades_json(driver: Any, tmp_path: Path) -> None:
    combos = grid_combinations(range(5, 30, 5), range(20, 70, 10))
    write_optimization_run(tmp_path, combos, keep=2)
    built = build_reports(tmp_path)
    open_page(driver, built.summary_page)
    assert_no_console_errors(driver)
    driver.find_elements("css selector", "#ranking-table tbody tr")[0].find_elements("tag name", "td")[
        2
    ].click()
    wait_ready(driver)
    opened = Path(driver.execute_script("return decodeURIComponent(location.pathname)"))
    assert opened in built.run_pages
    trades = json.loads((opened.parent / "trades.json").read_text(encoding="utf-8"))
    assert driver.execute_script("return document.getElementById('trade-table').dataset.totalRows") == str(
        len(trades["round_trips"])
    )
    assert_no_console_errors(driver)
