"""Notebook views of results (``pystocksharp.notebook``): ``stats``, ``_repr_html_``, ``__repr__``, ``plot()``.

``stats`` must be the run's own metrics (the same numbers ``performance-metrics.json`` holds) under
backtesting.py-style labels, Buy & Hold the data's last close over its first close; every string a
summary shows is escaped; ``plot()`` is the report page, inline and offline.
"""

from __future__ import annotations

import csv
import html
import json
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import pystocksharp
from pystocksharp.data import sample_path
from pystocksharp.metrics import compute_metrics
from pystocksharp.notebook import STATS, ReportPage, backtest_stats, buy_and_hold_return
from pystocksharp.reports import render_run_page, run_page_html
from pystocksharp.reports.adapters import run_report_from_backtest

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<script>alert('x')</script>"

# four daily bars (as in test_backtest.py): open, high, low, close
BARS = pd.DataFrame(
    {
        "open": [10.0, 11.0, 12.0, 13.0],
        "high": [11.0, 12.0, 13.0, 14.0],
        "low": [9.0, 10.0, 11.0, 12.0],
        "close": [10.5, 11.5, 12.5, 13.5],
        "volume": [100.0, 100.0, 100.0, 100.0],
    },
    index=pd.DatetimeIndex(
        ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"], tz="UTC", name="timestamp"
    ),
)

STRATEGY = '''
    import numpy as np

    from pystocksharp.vectorized import Param, VectorStrategy


    class OneTrade(VectorStrategy):
        """Holds ``size`` units after bars entry..exit-1 (one round trip); refuses size 3."""

        name = "one_trade"
        label = Param("plain")
        size = Param(2.0, min=0)
        entry = Param(0, min=0)
        exit = Param(2, min=1)

        def signals(self, data):
            if self.size == 3:
                raise ValueError("size 3 is refused <on purpose>")
            out = np.zeros(len(data))
            out[self.entry : self.exit] = self.size
            return out
'''


@pytest.fixture(scope="module")
def strategy_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("strategy") / "one_trade.py"
    path.write_text(textwrap.dedent(STRATEGY), encoding="utf-8")
    return f"{path}:OneTrade"


@pytest.fixture(scope="module")
def goog() -> Any:
    return pystocksharp.backtest(
        "sma_cross", sample_path("GOOG_1d"), params={"fast": 10, "slow": 20, "volume": 10},
        capital=10_000, commission=0.002,
    )  # fmt: skip


@pytest.fixture(scope="module")
def one_trade(strategy_file: str) -> Any:
    return pystocksharp.backtest(
        strategy_file, BARS, params={"label": HOSTILE}, capital=1000, commission=0.01
    )


def test_the_notebook_module_needs_no_dotnet() -> None:
    code = (
        "import sys, pystocksharp.notebook; "
        "print(sorted(m for m in sys.modules if m in ('clr', 'pythonnet', 'pystocksharp.bridge')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


# ---- stats ---------------------------------------------------------------------------------------


@pytest.mark.engine
def test_stats_of_one_hand_worked_trade(one_trade: Any) -> None:
    s = one_trade.stats
    # buy 2 at open[1] = 11, sell 2 at open[3] = 13, commission 1 % of each fill: 0.22 + 0.26
    # equity 1000, 1000.78, 1002.78, 1003.52 (see test_backtest.py's hand-worked fills)
    assert s["Start"] == pd.Timestamp("2024-01-01", tz="UTC") and s["End"] == pd.Timestamp(
        "2024-01-04", tz="UTC"
    )
    assert s["Duration"] == pd.Timedelta(days=3)
    assert s["Equity Final [ccy]"] == pytest.approx(1003.52)
    assert s["Equity Peak [ccy]"] == pytest.approx(1003.52)
    assert s["Commissions [ccy]"] == pytest.approx(0.48)
    assert s["Return [%]"] == pytest.approx(0.352)
    assert s["Buy & Hold Return [%]"] == (13.5 / 10.5 - 1) * 100  # last close / first close - 1
    assert s["Exposure Time [%]"] == 50.0  # holding after bars 1 and 2 of 4
    assert s["# Trades"] == 1 and s["Win Rate [%]"] == 100.0
    # the round trip: pnl 2 * (13 - 11) - 0.48 = 3.52 on an entry notional of 22
    for label in ("Best Trade [%]", "Worst Trade [%]", "Avg. Trade [%]"):
        assert s[label] == pytest.approx(3.52 / 22 * 100)
    assert s["Expectancy [ccy]"] == pytest.approx(3.52)
    assert s["Max. Trade Duration"] == s["Avg. Trade Duration"] == pd.Timedelta(days=2)
    # equity only rises: no drawdown, so no drawdown duration, and the reason is carried along
    assert s["Max. Drawdown [%]"] == 0.0
    assert pd.isna(s["Avg. Drawdown [%]"]) and pd.isna(s["Max. Drawdown Duration"])
    assert s.attrs["undefined"]["Avg. Drawdown [%]"] == "no drawdown"  # the metric's own reason
    assert s.attrs["undefined"]["Max. Drawdown Duration"] == "no drawdown"
    assert list(s.index) == [row.label for row in STATS]


def _metric_value(row: Any, m: dict[str, Any]) -> Any:
    value = m[row.source]
    if value is None:
        return None
    if row.unit.value == "duration":
        return pd.Timedelta(seconds=value)
    if row.unit.value == "count":
        return int(value)
    return value * 100 if row.percent else value


@pytest.mark.engine
def test_stats_are_the_runs_metrics_exactly(goog: Any) -> None:
    s = goog.stats
    m = goog.metrics().model_dump()  # what performance-metrics.json holds for this run
    from_metrics = [row for row in STATS if row.source in m]
    assert len(from_metrics) == 19
    for row in from_metrics:
        expected = _metric_value(row, m)
        assert s[row.label] == expected, row.label  # exact: the same numbers, only scaled to percent
        assert s.attrs["sources"][row.label] == row.source
    assert s.attrs["undefined"] == {} and s.attrs["risk_free_rate"] == 0.0
    assert s.attrs["periods_per_year"] == m["periods_per_year"]
    # the sample's first and last close, read from the file
    with open(sample_path("GOOG_1d"), encoding="utf-8") as fh:
        closes = [float(r["close"]) for r in csv.DictReader(fh)]
    assert (closes[0], closes[-1]) == (100.34, 806.19)
    assert s["Buy & Hold Return [%]"] == (806.19 / 100.34 - 1) * 100
    assert buy_and_hold_return(goog) == 806.19 / 100.34 - 1
    # aggregates of the round trips (not metrics themselves)
    trips = goog.round_trips
    assert s["Best Trade [%]"] == trips["return"].max() * 100
    assert s["Worst Trade [%]"] == trips["return"].min() * 100
    assert s["Max. Trade Duration"] == pd.Timedelta(seconds=trips["holding_time"].max())
    every_period = compute_metrics(
        goog.equity, goog.trades, initial_capital=10_000, top_drawdowns=len(goog.equity)
    )
    durations = [p.duration for p in every_period.drawdown_periods]
    assert len(durations) > len(goog.metrics().drawdown_periods)  # the JSON lists the 5 deepest only
    assert s["Max. Drawdown Duration"] == pd.Timedelta(seconds=max(durations))
    assert s["Avg. Drawdown Duration"] == pd.Timedelta(seconds=float(np.mean(durations)))
    assert s["Equity Peak [ccy]"] == goog.equity["equity"].max()


@pytest.mark.engine
def test_stats_with_other_annualization_say_so(goog: Any) -> None:
    s = backtest_stats(goog, risk_free_rate=0.02, periods_per_year=252)
    m = goog.metrics(risk_free_rate=0.02, periods_per_year=252)
    assert s["Sharpe Ratio"] == m.sharpe_ratio != goog.stats["Sharpe Ratio"]
    assert (s.attrs["risk_free_rate"], s.attrs["periods_per_year"]) == (0.02, 252.0)


def test_the_docs_table_lists_every_stats_row() -> None:
    text = (ROOT / "docs" / "notebooks.md").read_text(encoding="utf-8")
    for row in STATS:
        assert f"| {row.label} | {row.source} |" in text.replace("`", ""), row.label


# ---- HTML summaries and reprs --------------------------------------------------------------------


@pytest.mark.engine
def test_backtest_html_shows_the_headline_numbers(goog: Any) -> None:
    page = goog._repr_html_()
    for text in (
        "108.41%",
        "703.46%",
        "20,840.93",
        "-14.75%",
        "0.92",
        "2,148 bars",
        "fast=10",
        "commission 0.200%",
    ):
        assert text in page, text
    assert (
        "<script" not in page and "<style" not in page
    )  # inline styles only: nothing leaks into the notebook
    line = repr(goog)
    assert line.startswith("<BacktestResult sma_cross on GOOG 1d, 2004-08-19..2013-03-01, 2,148 bars")
    assert "final equity 20,840.93" in line and "max drawdown -14.75%" in line and "93 round trips" in line


@pytest.mark.engine
def test_a_hostile_parameter_value_is_escaped(one_trade: Any) -> None:
    page = one_trade._repr_html_()
    assert HOSTILE not in page and "<script" not in page
    assert html.escape(f"label={HOSTILE}", quote=True) in page
    assert f"label={HOSTILE!r}" in repr(one_trade)  # the console shows it as Python would


@pytest.fixture(scope="module")
def optimization(strategy_file: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return pystocksharp.optimize(
        strategy_file, sample_path("GOOG_1d"), grid={"label": [HOSTILE, "plain"], "size": [1, 2, 3]},
        rank="sharpe_ratio:desc", workers=1, out=tmp_path_factory.mktemp("opt") / "run",
    )  # fmt: skip


@pytest.mark.engine
def test_optimization_html_and_repr_show_counts_ranking_and_failures(optimization: Any) -> None:
    assert (optimization.completed, optimization.failed) == (6, 2)
    page = optimization._repr_html_()
    assert "6/6 done" in page and "2 failed" in page and "4 ranked" in page
    assert "ranked by sharpe_ratio:desc" in page
    assert HOSTILE not in page and "<script" not in page
    assert html.escape(HOSTILE, quote=True) in page
    # the failures, escaped
    assert "size 3 is refused &lt;on purpose&gt;" in page and "failures (2, first 2)" in page
    # one row per ranked combination, with its Sharpe ratio as the report pages format it
    best = optimization.best
    assert page.count("<tr>") == 1 + 4 + 2  # header, 4 ranked rows, 2 failures
    assert f"{best['sharpe_ratio']:.2f}" in page
    line = repr(optimization)
    assert line.startswith("OptimizationResult(OneTrade: 6/6 done, 2 failed; best sharpe_ratio=")
    assert f"label={best['label']!r}, size={best['size'].item()!r}" in line


@pytest.mark.engine
def test_optimization_plot_is_the_summary_page(optimization: Any, tmp_path: Path) -> None:
    target = tmp_path / "nb" / "summary.html"
    page = optimization.plot(filename=target)
    assert isinstance(page, ReportPage) and page.path == target
    assert target.read_text(encoding="utf-8") == page.html
    data = _page_data(page.html)
    assert data["counts"] == {"total": 6, "ok": 4, "failed": 2}
    assert "OneTrade: optimization summary" in page.html
    assert HOSTILE not in page.html  # the page's own escaping (reports.render.page_json)
    _assert_inline(page)


@pytest.fixture(scope="module")
def validation() -> Any:
    return pystocksharp.walk_forward(
        "sma_cross", sample_path("GOOG_1d"), grid=["fast=5:10:5", "slow=20:40:20"], constraints=["fast < slow"],
        train="2y", test="1y", holdout="1y", monte_carlo=200, seed=7, workers=1,
    )  # fmt: skip


@pytest.mark.engine
def test_validation_html_and_repr_show_the_verdict(validation: Any) -> None:
    v = validation.verdict
    assert v.status == "fail"  # PBO above 0.5 on this small grid; WFE 0.41 warns
    page = validation._repr_html_()
    assert ">FAIL</b>" in page and "fast=10 · slow=20" in page
    for check in v.checks:
        assert html.escape(check.reason, quote=True) in page
        assert f">{check.status.upper()}</b>" in page
    assert f"{validation.pbo * 100:.2f}%" in page  # PBO as the report pages show it
    assert "best of 4 combinations, 4 trials" in page
    line = repr(validation)
    assert line.startswith("ValidationResult(sma_cross: verdict fail (")
    assert f"PBO {validation.pbo:.3f}" in line and "holdout passed" in line
    assert all(reason in line for reason in v.reasons)
    verdict_page = v._repr_html_()
    assert verdict_page.count("<tr>") == len(v.checks) + 1 and "fast=10, slow=20" in verdict_page


# ---- plot() --------------------------------------------------------------------------------------


def _page_data(page_html: str) -> dict[str, Any]:
    m = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', page_html, re.S)
    assert m is not None
    return json.loads(m.group(1))


def _assert_inline(page: ReportPage) -> None:
    """The page needs no network and no file: no script or style is loaded from anywhere."""
    assert not re.search(r"<script[^>]*\bsrc=", page.html)
    assert not re.search(r"<link[^>]*\bhref=", page.html)
    frame = page._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and "<script" not in frame  # the whole page escaped
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)"', frame)
    assert srcdoc is not None and html.unescape(srcdoc.group(1)) == page.html
    assert 'sandbox="allow-scripts' in frame


@pytest.mark.engine
def test_backtest_plot_is_the_run_page(goog: Any, tmp_path: Path) -> None:
    page = goog.plot()
    data = _page_data(page.html)
    assert data["price"]["bars"] == len(goog.equity) == 2148
    assert data["equity"]["equity"][-1] == round(goog.summary.final_equity, 2)
    assert len(data["fills"]["bar_s"]) == goog.summary.fills
    assert "10,840.93" in page.html  # net profit card
    assert "Sharpe ratio" in page.html and "0.92" in page.html  # every metric, not only the engine summary
    _assert_inline(page)
    assert page.path is None
    written = goog.plot(filename=tmp_path / "run.html").path
    assert written == tmp_path / "run.html" and written.read_text(encoding="utf-8") == page.html


@pytest.mark.engine
def test_the_inline_page_is_the_page_render_run_page_writes(goog: Any, tmp_path: Path) -> None:
    report = run_report_from_backtest(goog, goog.ohlcv)
    written = render_run_page(report, tmp_path / "index.html", inline=True)
    assert run_page_html(report) == written.read_text(encoding="utf-8")


# ---- showing a page under IPython (a stand-in: IPython is optional) -------------------------------


def _fake_ipython(monkeypatch: pytest.MonkeyPatch, shell: Any) -> list[Any]:
    shown: list[Any] = []
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell  # type: ignore[attr-defined]
    display = types.ModuleType("IPython.display")
    display.display = lambda obj, raw=False: shown.append((obj, raw))  # type: ignore[attr-defined]
    ipython.display = display  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    return shown


def _small_page() -> ReportPage:
    return ReportPage("<!DOCTYPE html><p>a & b</p>", title="t")


def test_a_page_is_shown_once_per_cell_under_ipython(monkeypatch: pytest.MonkeyPatch) -> None:
    shell = types.SimpleNamespace(execution_count=3)
    shown = _fake_ipython(monkeypatch, shell)
    page = _small_page()
    assert page.show() is True
    assert len(shown) == 1 and shown[0][1] is True
    assert shown[0][0]["text/html"] == page._repr_html_() and "&amp;lt;p&amp;gt;" not in page._repr_html_()
    assert 'srcdoc="&lt;!DOCTYPE html&gt;&lt;p&gt;a &amp; b&lt;/p&gt;"' in page._repr_html_()
    page._ipython_display_()  # the cell's result: plot() showed it in this cell already
    assert len(shown) == 1
    shell.execution_count = 4  # a later cell shows it again
    page._ipython_display_()
    assert len(shown) == 2


def test_without_ipython_nothing_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "IPython", None)  # import IPython fails
    assert _small_page().show() is False
    shown = _fake_ipython(monkeypatch, None)  # IPython installed, but not running
    assert _small_page().show() is False and shown == []


def test_save_writes_the_page(tmp_path: Path) -> None:
    page = _small_page()
    assert page.save(tmp_path / "a" / "p.html") == tmp_path / "a" / "p.html"
    assert (tmp_path / "a" / "p.html").read_text(encoding="utf-8") == page.html
    assert repr(page).startswith("<ReportPage 't': 0.0 MB of self-contained HTML, written to ")


@pytest.mark.engine
@pytest.mark.browser
def test_the_inline_pages_run_in_a_browser(goog: Any, optimization: Any, tmp_path: Path) -> None:
    """What a notebook does with the outputs: the summaries as HTML, the pages in their sandboxed frames."""
    from browser.chromium import close, console_errors, make_driver, page_url, wait_ready
    from selenium.common.exceptions import NoAlertPresentException

    cells = [
        goog._repr_html_(),
        optimization._repr_html_(),
        goog.plot()._repr_html_(),
        optimization.plot()._repr_html_(),
    ]
    host = tmp_path / "notebook.html"
    host.write_text(
        "<!DOCTYPE html><html><body>" + "".join(f"<div>{c}</div>" for c in cells) + "</body></html>"
    )
    driver = make_driver()
    try:
        driver.get(page_url(host))
        frames = driver.find_elements("tag name", "iframe")
        assert len(frames) == 2
        titles = []
        for frame in frames:
            driver.switch_to.frame(frame)
            wait_ready(driver)
            titles.append(driver.execute_script("return document.title"))
            driver.switch_to.default_content()
        assert titles == ["sma_cross GOOG · 1d", "OneTrade optimization summary"]
        assert console_errors(driver) == []
        with pytest.raises(NoAlertPresentException):  # the hostile parameter value stayed text
            driver.switch_to.alert.text  # noqa: B018
    finally:
        close(driver)
