"""The benchmark a run is compared with (``--benchmark``, ``backtest(benchmark=...)``): loading, alignment to the
equity rows, beta/alpha, the run folder's record of it and the page's yearly returns and rolling Sharpe."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser.report_inputs import page_data
from click.testing import CliRunner

import pystocksharp
from pystocksharp.benchmark import closes_at, growth_of, load_benchmark
from pystocksharp.cli import main
from pystocksharp.data import load_sample
from pystocksharp.errors import InputError
from pystocksharp.reports.derive import rolling_sharpe, yearly_returns


def stamp(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# ---- plain data, worked by hand ------------------------------------------------------------------


def test_closes_at_takes_the_last_close_at_or_before_each_time() -> None:
    close = pd.Series([10.0, 12.0], index=[stamp("2020-01-02"), stamp("2020-01-04")])
    times = [stamp(d) for d in ("2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04", "2020-01-09")]
    got = closes_at(close, times)
    assert np.isnan(got[0])  # before the benchmark's first bar
    assert got[1:].tolist() == [10.0, 10.0, 12.0, 12.0]


def test_a_missing_close_is_skipped_alike_by_the_page_and_by_beta() -> None:
    """The metrics' benchmark returns and the page's benchmark line align one way: a NaN close carries the
    last finite one (it used to stay NaN in the metrics)."""
    from pystocksharp.metrics.core import benchmark_returns

    close = pd.Series([10.0, np.nan, 12.0], index=[stamp("2020-01-02"), stamp("2020-01-03"), stamp("2020-01-06")])
    times = pd.DatetimeIndex([stamp(d) for d in ("2020-01-02", "2020-01-03", "2020-01-06")])
    assert closes_at(close, times).tolist() == [10.0, 10.0, 12.0]
    got = benchmark_returns(close, times)
    assert np.isnan(got[0]) and got[1:].tolist() == [0.0, 12.0 / 10.0 - 1.0]


def test_growth_of_invests_the_capital_at_the_first_known_close() -> None:
    got = growth_of(1_000.0, np.array([np.nan, 20.0, 25.0, 15.0]))
    assert np.isnan(got[0]) and got[1:].tolist() == [1_000.0, 1_250.0, 750.0]
    assert growth_of(1_000.0, np.array([np.nan, np.nan])) is None


def test_yearly_returns_by_hand() -> None:
    times = [stamp(d) for d in ("2020-03-01", "2020-12-31", "2021-06-30", "2021-12-31", "2022-01-03")]
    values = np.array([100.0, 110.0, 99.0, 121.0, 133.1])
    got = yearly_returns(pd.Series(times), values)
    # 2020 from the first value: 110/100-1; 2021: 121/110-1; 2022: 133.1/121-1
    assert got.index.tolist() == [2020, 2021, 2022]
    assert got.to_numpy() == pytest.approx([0.10, 0.10, 0.10], abs=1e-12)
    # a fill on the first bar paid 0.5 of commission: from the capital (the metrics' way) 2020 is still 110/100-1
    paid = values - np.array([0.5, 0, 0, 0, 0])
    assert yearly_returns(pd.Series(times), paid, start=100.0).to_numpy() == pytest.approx([0.10] * 3, abs=1e-12)
    assert yearly_returns(pd.Series(times), paid).iloc[0] == pytest.approx(110 / 99.5 - 1, abs=1e-12)


def test_rolling_sharpe_by_hand() -> None:
    values = np.array([100.0, 101.0, 100.0, 102.0, 103.0])
    got = rolling_sharpe(values, window=3, periods_per_year=4.0)
    r = values[1:] / values[:-1] - 1.0
    first = r[:3].mean() / r[:3].std(ddof=1) * 2.0  # sqrt(4) = 2
    last = r[1:].mean() / r[1:].std(ddof=1) * 2.0
    assert np.isnan(got[:3]).all()
    assert got[3:] == pytest.approx([first, last], rel=1e-12)
    flat = rolling_sharpe(np.array([100.0, 101.0, 102.01, 103.0301]), window=2, periods_per_year=1.0)
    assert np.isnan(flat).all()  # constant 1% returns: no variation, no Sharpe ratio


def test_a_bad_benchmark_names_the_field_before_any_run(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_benchmark(tmp_path / "missing.csv")
    assert err.value.problems[0].field == "benchmark"
    with pytest.raises(InputError) as err:
        pystocksharp.backtest("sma_cross", "sample:GOOG_1d", benchmark="sample:SPY_1d")
    assert "choose one of" in str(err.value) and "SPX_1d" in str(err.value)


# ---- through the engine ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run() -> pystocksharp.BacktestResult:
    return pystocksharp.backtest(
        "sma_cross", "sample:NASDAQ_1d", params={"fast": 10, "slow": 30}, benchmark="sample:SPX_1d"
    )


@pytest.mark.engine
def test_beta_is_the_covariance_with_the_benchmark_returns(run: pystocksharp.BacktestResult) -> None:
    assert run.benchmark.label == "SPX" and run.benchmark.source == "sample:SPX_1d"
    equity = run.equity
    times = pd.DatetimeIndex(pd.to_datetime(equity["time"], utc=True))
    spx = load_sample("SPX_1d").frame["close"]
    b = spx.reindex(times, method="ffill").pct_change().to_numpy()
    r = equity["equity"].pct_change().to_numpy()
    ok = np.isfinite(r) & np.isfinite(b)
    expected = np.cov(r[ok], b[ok], ddof=1)[0, 1] / np.var(b[ok], ddof=1)
    m = run.metrics()
    assert m.beta == pytest.approx(expected, rel=1e-12)
    assert m.alpha is not None
    assert pystocksharp.backtest("sma_cross", "sample:NASDAQ_1d", params={"fast": 10, "slow": 30}).metrics().beta is None


@pytest.mark.engine
def test_cli_run_folder_keeps_the_benchmark_and_the_page_draws_it(tmp_path: Path) -> None:
    out = tmp_path / "vs-spx"
    args = ["backtest", "-s", "sma_cross", "-d", "sample:NASDAQ_1d", "-p", "fast=10", "-p", "slow=30",
            "--benchmark", "sample:SPX_1d", "--out", str(out), "--json"]  # fmt: skip
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["benchmark"] == {"label": "SPX", "source": "sample:SPX_1d"}
    assert payload["metrics"]["beta"] is not None
    analytics = json.loads((out / "analytics.json").read_text(encoding="utf-8"))["benchmark"]
    equity = pd.read_parquet(out / "equity.parquet")
    spx = load_sample("SPX_1d").frame["close"]
    expected = spx.reindex(pd.DatetimeIndex(pd.to_datetime(equity["time"], utc=True)), method="ffill")
    assert analytics["label"] == "SPX" and len(analytics["close"]) == len(equity)
    assert analytics["close"] == expected.tolist()
    data = page_data(out / "index.html")
    capital = 10_000.0
    line = data["equity"]["benchmark"]
    assert data["equity"]["benchmark_label"] == "Benchmark SPX"
    assert line[0] == capital and line[-1] == round(capital * expected.iloc[-1] / expected.iloc[0], 2)
    yearly = data["yearly"]
    assert yearly["years"][0] == "1999" and yearly["comparison_label"] == "Benchmark SPX"
    spx_2008 = expected[expected.index.year == 2008].iloc[-1] / expected[expected.index.year == 2007].iloc[-1] - 1
    assert yearly["comparison"][yearly["years"].index("2008")] == round(spx_2008, 6)
    eq = equity["equity"].to_numpy()
    year = pd.DatetimeIndex(pd.to_datetime(equity["time"], utc=True)).year
    own_2010 = eq[year == 2010][-1] / eq[year == 2009][-1] - 1
    assert yearly["strategy"][yearly["years"].index("2010")] == round(own_2010, 6)
    rolling = data["rolling_sharpe"]
    assert rolling["window"] == 126 and rolling["comparison"] is not None  # ~252 daily rows a year, six months
    # the page is rebuilt from the folder alone, identically, and the folder stays valid
    before = (out / "index.html").read_bytes()
    assert CliRunner().invoke(main, ["report", str(out)]).exit_code == 0
    assert (out / "index.html").read_bytes() == before
    assert CliRunner().invoke(main, ["validate", str(out)]).exit_code == 0


@pytest.mark.engine
def test_cli_bad_benchmark_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = CliRunner().invoke(main, ["backtest", "-s", "sma_cross", "-d", "sample:GOOG_1d",
                                    "--benchmark", str(tmp_path / "spx.csv"), "--out", str(out)])  # fmt: skip
    assert res.exit_code == 2, res.output
    assert "benchmark" in res.output and "spx.csv" in res.output
    assert not out.exists()
