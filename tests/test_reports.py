"""Reports without a browser: downsampling, formatting, derived series, inputs, page files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser.report_inputs import grid_combinations, handmade_round_trips, page_data, sample_run_report

from pystocksharp.errors import InputError
from pystocksharp.reports import RunReport, SummaryReport, render_run_page, render_summary_page
from pystocksharp.reports.derive import drawdown_periods, drawdown_series, monthly_returns
from pystocksharp.reports.downsample import bucket_candles, minmax_indices, snap_to_buckets
from pystocksharp.reports.formatting import (
    MISSING,
    Unit,
    format_duration,
    format_value,
    price_decimals,
    unit_of,
)

# ------------------------------------------------------------------ downsampling


def test_bucket_candles_merges_runs_of_bars() -> None:
    # 10 bars, at most 3 candles -> 4 bars per bucket: bars 0-3, 4-7, 8-9
    candles = pd.DataFrame(
        {
            "time": np.arange(10),
            "open": np.arange(10) + 100.0,
            "high": [5, 9, 7, 6, 1, 2, 8, 3, 4, 10.0],
            "low": [-1, -5, 0, 0, -2, -9, 0, 0, -3, -4.0],
            "close": np.arange(10) + 200.0,
            "volume": np.ones(10),
        }
    )
    out = bucket_candles(candles, 3)
    assert out["time"].tolist() == [0, 4, 8]
    assert out["open"].tolist() == [100.0, 104.0, 108.0]  # first open of each bucket
    assert out["high"].tolist() == [9.0, 8.0, 10.0]  # max(5,9,7,6), max(1,2,8,3), max(4,10)
    assert out["low"].tolist() == [-5.0, -9.0, -4.0]
    assert out["close"].tolist() == [203.0, 207.0, 209.0]  # last close of each bucket
    assert out["volume"].tolist() == [4.0, 4.0, 2.0]


def test_bucket_candles_keeps_short_series() -> None:
    candles = pd.DataFrame({c: [1.0, 2.0] for c in ("time", "open", "high", "low", "close", "volume")})
    assert bucket_candles(candles, 5).equals(candles)


def test_minmax_indices_keeps_extremes_within_budget() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(size=100_000).cumsum()
    keep = minmax_indices(values, 400)
    assert len(keep) <= 400
    assert int(np.argmin(values)) in keep and int(np.argmax(values)) in keep
    assert keep[0] == 0 and keep[-1] == len(values) - 1
    assert np.all(np.diff(keep) > 0)
    assert minmax_indices(values[:10], 400).tolist() == list(range(10))


def test_snap_to_buckets_pins_times_on_bucket_starts() -> None:
    # buckets start at 0, 4, 8: 3 -> 0, 4 -> 4, 9 -> 8, -1 -> 0 (before the first)
    assert snap_to_buckets(np.array([3, 4, 9, -1]), np.array([0, 4, 8])).tolist() == [0, 4, 8, 0]


# ------------------------------------------------------------------ formatting


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.12, "percent", "12.00%"),
        (-0.2012, "percent", "-20.12%"),
        (-1234.5, "money", "-1,234.50"),
        (1.23456, "ratio", "1.23"),
        (1234, "count", "1,234"),
        (90061, "duration", "1d 1h"),
        (None, "percent", MISSING),
        (float("nan"), "money", MISSING),
        (float("inf"), "ratio", MISSING),
    ],
)
def test_format_value(value: object, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def test_units_by_metric_name() -> None:
    assert unit_of("max_drawdown") is Unit.PERCENT
    assert unit_of("net_profit") is Unit.MONEY
    assert unit_of("sharpe_ratio") is Unit.RATIO
    assert unit_of("round_trips") is Unit.COUNT
    assert unit_of("average_holding_time") is Unit.DURATION
    assert unit_of("var_95") is Unit.PERCENT  # hint: value at risk is a return
    assert format_duration(0) == "0s" and format_duration(3_725) == "1h 2m"


def test_price_decimals() -> None:
    assert price_decimals(np.array([100.0, 101.25])) == 2
    assert price_decimals(np.array([1.08123, 1.1])) == 5


# ------------------------------------------------------------------ derived series


def test_drawdown_series_and_periods() -> None:
    times = pd.Series(pd.date_range("2024-01-01", periods=6, freq="D", tz="UTC"))
    equity = np.array([100.0, 110.0, 99.0, 121.0, 108.9, 115.0])
    # peaks: 100, 110, 110, 121, 121, 121 -> 99/110-1 = -0.1, 108.9/121-1 = -0.1, 115/121-1
    dd = drawdown_series(equity)
    np.testing.assert_allclose(dd, [0, 0, -0.1, 0, -0.1, 115 / 121 - 1])
    periods = drawdown_periods(times, equity)
    assert len(periods) == 2
    first = periods.iloc[0]  # both -10%: the stable sort keeps the earlier one first
    assert first["peak"] == times[1] and first["trough"] == times[2] and first["recovery"] == times[3]
    assert first["length"] == 2  # peak day 1 -> recovered day 3
    second = periods.iloc[1]
    assert pd.isna(second["recovery"]) and second["length"] == 2  # peak day 3 -> last day 5, not recovered


def test_monthly_returns_from_month_end_equity() -> None:
    times = pd.Series(pd.to_datetime(["2024-01-02", "2024-01-31", "2024-02-15", "2024-03-29"], utc=True))
    equity = np.array([100.0, 110.0, 99.0, 108.9])
    table = monthly_returns(times, equity)
    # Jan: 110/100-1 = 0.10; Feb: 99/110-1 = -0.10; Mar: 108.9/99-1 = 0.10
    np.testing.assert_allclose(table.loc[2024, [1, 2, 3]].to_numpy(dtype=float), [0.1, -0.1, 0.1])
    assert table.loc[2024, 4] != table.loc[2024, 4]  # NaN: no data in April


# ------------------------------------------------------------------ inputs


def test_run_report_lists_every_problem() -> None:
    report = sample_run_report()
    with pytest.raises(InputError) as err:
        RunReport(
            strategy="x",
            candles=report.candles.drop(columns=["volume"]),
            equity=report.equity.drop(columns=["equity"]),
            round_trips=report.round_trips.drop(columns=["pnl"]),
        )
    fields = [p.field for p in err.value.problems]
    assert fields == ["candles", "equity", "round_trips"]


def test_indicator_kind_rule_and_explicit_panes() -> None:
    from pystocksharp.reports.data import indicator_kind
    from pystocksharp.reports.payload import run_payload

    report = sample_run_report()
    close = report.candles.set_index("time")["close"]
    assert indicator_kind(close.rolling(20).mean(), report.candles) == "price"
    assert indicator_kind(close * 1.25, report.candles) == "price"  # 25 % away: still tracks the price
    assert indicator_kind(close * 1.26, report.candles) == "pane"
    assert indicator_kind(close.pct_change() * 100, report.candles) == "pane"  # around 0
    assert indicator_kind(pd.Series(dtype=float), report.candles) == "pane"
    osc = pd.Series(50.0, index=close.index)
    kinds = run_payload(sample_run_report(indicators={"SMA 20": close, "Osc": osc}))["indicators"]
    assert [(i["name"], i["kind"]) for i in kinds] == [("SMA 20", "price"), ("Osc", "pane")]
    forced = sample_run_report(indicators={"SMA 20": close, "Osc": osc}, indicator_panes={"SMA 20": "pane"})
    assert [i["kind"] for i in run_payload(forced)["indicators"]] == ["pane", "pane"]
    with pytest.raises(InputError) as err:
        sample_run_report(indicator_panes={"SMA 20": "below", "RSI": "pane"})
    assert [p.field for p in err.value.problems] == ["indicator_panes.SMA 20", "indicator_panes.RSI"]


def test_summary_report_lists_missing_columns() -> None:
    with pytest.raises(InputError) as err:
        SummaryReport(
            strategy="x",
            combinations=grid_combinations(range(1, 3), range(3, 5)),
            parameter_names=["fast", "nope"],
            ranking_metric="missing_metric",
            top_n=0,
        )
    messages = " ".join(str(p) for p in err.value.problems)
    assert "nope" in messages and "missing_metric" in messages and "top_n" in messages


# ------------------------------------------------------------------ pages


def test_run_page_files_and_data(tmp_path: Path) -> None:
    report = sample_run_report()
    page = render_run_page(report, tmp_path / "combo" / "index.html", assets_dir=tmp_path / "assets")
    html = page.read_text(encoding="utf-8")
    for name in ("plotly.min.js", "lightweight-charts.js", "report.js", "run.js"):
        assert f'src="../assets/{name}"' in html
        assert (tmp_path / "assets" / name).stat().st_size > 0
    assert 'href="../assets/report.css"' in html
    data = page_data(page)
    trades = handmade_round_trips()
    assert len(data["trades"]["rows"]) == len(trades) == 30
    first = data["trades"]["text"][0]
    assert first[:3] == ["2004-09-17", "2004-10-22", "short"]
    assert first[-2:] == ["-561.20", "-49.05%"]
    assert data["price"]["bars"] == len(report.candles) and data["price"]["bucket"] == 1
    assert "12.34%" in html and "-20.12%" in html  # cards: fractions shown as percent
    # every marker time is a displayed candle time
    assert set(data["trades"]["entry_bar_s"]) <= set(data["price"]["time_s"])


def test_run_page_downsamples_long_series(tmp_path: Path) -> None:
    report = sample_run_report()
    page = render_run_page(report, tmp_path / "index.html", max_points=500)
    data = page_data(page)
    # 2,148 bars, at most 500 candles -> ceil(2148/500) = 5 bars per candle -> 430 candles
    assert len(data["price"]["time_s"]) == 430 and data["price"]["bucket"] == 5
    assert len(data["equity"]["time_ms"]) <= 500
    assert set(data["trades"]["exit_bar_s"]) <= set(data["price"]["time_s"])
    assert max(data["price"]["high"]) == report.candles["high"].max()  # extremes survive


def test_inline_page_needs_no_other_file(tmp_path: Path) -> None:
    page = render_run_page(sample_run_report(), tmp_path / "index.html", inline=True)
    html = page.read_text(encoding="utf-8")
    assert "<script src=" not in html and "<link" not in html
    assert not (tmp_path / "assets").exists()
    assert "LightweightCharts" in html and "Plotly" in html


def test_summary_page_links_and_failures(tmp_path: Path) -> None:
    combos = grid_combinations(range(5, 30, 5), range(20, 60, 10))
    combos.loc[2, ["status", "error"]] = ["failed", "slow must be > fast"]
    best = combos.drop(index=2).sort_values("sharpe_ratio", ascending=False).index[0]
    combos["page"] = ""
    combos.loc[best, "page"] = str(tmp_path / "optimization" / "best" / "index.html")
    summary = SummaryReport(
        strategy="sma_cross",
        combinations=combos,
        parameter_names=["fast", "slow"],
        ranking_metric="sharpe_ratio",
        metric_columns=["total_return"],
        top_n=5,
    )
    page = render_summary_page(summary, tmp_path / "reports" / "index.html")
    data = page_data(page)
    assert data["counts"] == {"total": 20, "ok": 19, "failed": 1}
    assert len(data["ranking"]["rows"]) == 5
    assert data["ranking"]["links"][0] == "../optimization/best/index.html"
    assert data["ranking"]["rows"][0][3] == combos.drop(index=2)["sharpe_ratio"].max()
    assert data["failed"]["text"] == [
        ["5", "40", "slow must be > fast"]
    ]  # rows fast-major: (5,20), (5,30), (5,40)
    assert data["grid"]["kind"] == "heatmap" and data["grid"]["x"] == [5, 10, 15, 20, 25]
    assert len(data["distribution"]) == 19


def test_run_page_without_round_trips(tmp_path: Path) -> None:
    empty = handmade_round_trips().iloc[0:0]
    page = render_run_page(sample_run_report(round_trips=empty), tmp_path / "index.html")
    data = page_data(page)
    assert data["trades"]["rows"] == [] and data["trade_returns"] == []
    assert "0 round trips" in page.read_text(encoding="utf-8")


def test_validation_section_from_validation_results(tmp_path: Path) -> None:
    from pystocksharp.reports.adapters import validation_report_from_results
    from pystocksharp.validation.models import (
        ParameterStability,
        Verdict,
        VerdictCheck,
        WalkForwardResult,
        WindowResult,
    )
    from pystocksharp.validation.montecarlo import equity_fan, monte_carlo
    from pystocksharp.validation.overfitting import probability_of_backtest_overfitting

    trip_returns = handmade_round_trips()["return"].to_numpy()
    mc = monte_carlo(trip_returns, n_simulations=200, seed=1)
    fan = equity_fan(trip_returns, n_simulations=200, seed=1)
    rng = np.random.default_rng(2)
    pbo = probability_of_backtest_overfitting(rng.normal(0, 0.01, size=(320, 12)), n_blocks=8)
    checks = [VerdictCheck(check="pbo", value=pbo.pbo, threshold="< 0.5", status="fail", reason="overfit")]
    verdict = Verdict(candidate="fast=10", status="fail", reasons=["overfit"], checks=checks)
    window = {
        "window": 1, "train_start": "2005-01-03", "train_end": "2006-12-29", "test_start": "2007-01-03",
        "test_end": "2007-06-29", "train_bars": 503, "test_bars": 124, "parameters": {"fast": 10},
        "is_metrics": {"sharpe_ratio": 1.5}, "oos_metrics": {"sharpe_ratio": -0.25}, "is_return": 0.3,
        "oos_return": -0.02, "is_annualized_return": 0.14, "oos_annualized_return": -0.04, "efficiency": None,
        "plateau_ratio": None, "neighbours": 0,
    }  # fmt: skip
    walk_forward = WalkForwardResult(
        windows=[WindowResult(**window)], anchored=False, rank="sharpe_ratio", walk_forward_efficiency=-0.29,
        oos_metrics={}, is_annualized_return=0.14,
        stability=ParameterStability(movement={}, mean_movement=None, mean_plateau_ratio=None),
    )  # fmt: skip
    validation = validation_report_from_results(
        walk_forward=walk_forward, monte_carlo=mc, monte_carlo_fan=fan, overfitting=pbo, verdict=verdict
    )
    assert validation is not None
    summary = SummaryReport(
        strategy="sma_cross",
        combinations=grid_combinations(range(5, 15, 5), range(20, 40, 10)),
        parameter_names=["fast", "slow"],
        ranking_metric="sharpe_ratio",
        validation=validation,
    )
    page = render_summary_page(summary, tmp_path / "index.html")
    v = page_data(page)["validation"]
    assert v["mc_final_returns"] == [round(x, 6) for x in mc.bootstrap.final_return.values]
    assert len(v["mc_max_drawdowns"]) == 200 and len(v["fan"]["p50"]) == len(trip_returns) + 1
    assert len(v["pbo_logits"]) == pbo.n_splits  # C(8, 4) = 70 splits
    assert v["verdicts"]["text"][0][:3] == ["pbo", f"{pbo.pbo * 100:.2f}%", "< 50%"]  # threshold in the value's unit
    html = page.read_text(encoding="utf-8")
    assert 'id="mc-fan"' in html and 'id="pbo-chart"' in html and 'id="wf-chart"' in html
    wf = v["walk_forward"]
    assert wf["is_value"] == [1.5] and wf["oos_value"] == [-0.25] and wf["metric"] == "Sharpe ratio"
    assert wf["table"]["text"][0][1:5] == ["2005-01-03", "2006-12-29", "2007-01-03", "2007-06-29"]
    assert "-0.29" in html  # walk-forward efficiency card (a ratio)
    # short card labels, the full name in the tooltip; the grid chart titled after the chart drawn
    assert '<div class="card" title="Walk forward efficiency: -0.29"><div class="label">WF efficiency</div>' in html
    assert '<div class="label">PBO</div>' in html and html.count("Walk forward efficiency") == 1  # the tooltip
    assert "<h2>Sharpe ratio over fast × slow (heatmap)</h2>" in html and "Parallel coordinates" not in html
    assert validation_report_from_results() is None


def test_small_sample_warnings_on_the_validation_section(tmp_path: Path) -> None:
    from pystocksharp.reports.adapters import validation_report_from_results
    from pystocksharp.reports.render import summary_page_html
    from pystocksharp.validation.montecarlo import equity_fan, monte_carlo

    def page(n_trips: int, window_trades: list[float]) -> str:
        returns = handmade_round_trips()["return"].to_numpy()[:n_trips]
        wf = pd.DataFrame(
            {"window": [0, 1], "train_start": ["2005-01-03", "2005-07-01"], "train_end": ["2006-12-29", "2007-06-29"],
             "test_start": ["2007-01-03", "2007-07-02"], "test_end": ["2007-06-29", "2007-12-31"],
             "is_value": [1.0, 1.1], "oos_value": [0.5, 0.2], "parameters": ["fast=10", "fast=5"],
             "oos_trades": window_trades}
        )  # fmt: skip
        validation = validation_report_from_results(
            monte_carlo=monte_carlo(returns, n_simulations=50, seed=1),
            monte_carlo_fan=equity_fan(returns, n_simulations=50, seed=1),
        )
        assert validation is not None
        validation.walk_forward = wf
        summary = SummaryReport(
            strategy="s", combinations=grid_combinations(range(5, 15, 5), range(20, 40, 10)),
            parameter_names=["fast", "slow"], ranking_metric="sharpe_ratio", validation=validation,
        )  # fmt: skip
        return summary_page_html(summary)

    few = page(5, [3.0, 12.0])
    assert '<p class="sample-warning" id="mc-warning">Monte Carlo based on 5 trades: not reliable (fewer than 30 trades).</p>' in few
    assert "Few trades: the walk-forward test windows hold 15 trades in all; window 0 has fewer than 5" in few
    enough = page(30, [15.0, 15.0])
    assert "not reliable" not in enough and "Few trades" not in enough


def test_summary_keeps_given_rank_order(tmp_path: Path) -> None:
    combos = grid_combinations(range(5, 15, 5), range(20, 40, 10))  # 4 rows
    worst_first = combos.sort_values("sharpe_ratio", kind="stable").reset_index(drop=True)
    base = {"strategy": "s", "combinations": worst_first, "parameter_names": ["fast", "slow"]}
    ranked = page_data(
        render_summary_page(
            SummaryReport(**base, ranking_metric="sharpe_ratio", ranked=True), tmp_path / "a.html"
        )
    )
    sorted_ = page_data(
        render_summary_page(SummaryReport(**base, ranking_metric="sharpe_ratio"), tmp_path / "b.html")
    )
    values = worst_first["sharpe_ratio"].tolist()
    assert [r[3] for r in ranked["ranking"]["rows"]] == values  # as given
    assert [r[3] for r in sorted_["ranking"]["rows"]] == sorted(values, reverse=True)  # best first


def test_a_value_that_opens_an_html_comment_cannot_break_the_page(tmp_path: Path) -> None:
    # "<!--<script>" inside the page's JSON element would keep that element open to the end of the page
    # (the HTML parser's "script data double escaped" state): the page rendered blank
    combos = grid_combinations(range(5, 15, 5), range(20, 30, 10))
    combos["mode"] = ["<!--<script>", "</script><b>x</b>"]
    summary = SummaryReport(strategy="sma_cross", combinations=combos, parameter_names=["fast", "slow", "mode"],
                            ranking_metric="sharpe_ratio", metric_columns=["total_return"], top_n=5)  # fmt: skip
    page = render_summary_page(summary, tmp_path / "index.html")
    text = page.read_text(encoding="utf-8")
    element = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', text, re.S)
    assert element is not None
    assert "<" not in element.group(1) and ">" not in element.group(1)  # nothing the parser could act on
    values = {str(v) for row in json.loads(element.group(1))["ranking"]["rows"] for v in row}
    assert {"<!--<script>", "</script><b>x</b>"} <= values  # the values themselves are intact
