"""What a StockSharp-style strategy draws (``DrawIndicator``) reaches the result and the run page: the values equal an
independent computation bar by bar, an indicator on an area of its own (or an oscillator) gets a pane, and a run folder
keeps the lines so ``report`` redraws them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser.report_inputs import page_data
from click.testing import CliRunner

import pystocksharp as pss
from pystocksharp.cli import main
from pystocksharp.data import load_sample

pytestmark = pytest.mark.engine

_DRAWS = """
using System;
using StockSharp.Algo.Indicators;
using StockSharp.Algo.Strategies;
using StockSharp.Messages;

public class Draws : Strategy
{
    protected override void OnStarted2(DateTime time)
    {
        base.OnStarted2(time);
        var sma = new SimpleMovingAverage { Length = 20 };
        var rsi = new RelativeStrengthIndex { Length = 14 };
        var bands = new BollingerBands { Length = 10, Width = 2m };
        var subscription = SubscribeCandles(TimeSpan.FromDays(1).TimeFrame());
        subscription.Bind(sma, rsi, (candle, s, r) => { }).Start();
        subscription.BindEx(bands, (candle, b) => { }).Start();
        var area = CreateChartArea();
        DrawCandles(area, subscription);
        DrawIndicator(area, sma);
        DrawIndicator(area, bands);
        DrawIndicator(CreateChartArea(), rsi);
        DrawOwnTrades(area);
    }
}
"""


def wilder_rsi(close: np.ndarray, length: int) -> np.ndarray:
    """Wilder's RSI by hand: the first averages are the means of the first ``length`` gains and losses, then
    ``avg = (avg * (length - 1) + x) / length``; first value at index ``length``."""
    change = np.diff(close)
    gain, loss = np.maximum(change, 0.0), np.maximum(-change, 0.0)
    out = np.full(len(close), np.nan)
    up, down = gain[:length].mean(), loss[:length].mean()
    for i in range(length, len(close)):
        if i > length:
            up = (up * (length - 1) + gain[i - 1]) / length
            down = (down * (length - 1) + loss[i - 1]) / length
        out[i] = 100.0 if down == 0 else 100.0 - 100.0 / (1.0 + up / down)
    return out


@pytest.fixture(scope="module")
def strategy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("draws") / "Draws.cs"
    path.write_text(_DRAWS, encoding="utf-8")
    return path


def test_drawn_indicators_equal_an_independent_computation(strategy_file: Path) -> None:
    result = pss.backtest(str(strategy_file), "sample:GOOG_1d")
    close = load_sample("GOOG_1d").frame["close"]
    names = list(result.indicators)
    assert names == [
        "SimpleMovingAverage 20",
        "BollingerBands 10 SimpleMovingAverage",
        "BollingerBands 10 UpBand",
        "BollingerBands 10 LowBand",
        "RelativeStrengthIndex 14",
    ]
    # the RSI was drawn on an area of its own (and is an oscillator): a pane; the rest is left to the page's rule
    assert result.indicator_panes == {"RelativeStrengthIndex 14": "pane"}
    sma = result.indicators["SimpleMovingAverage 20"]
    expected = close.rolling(20).mean().dropna()
    assert list(sma.index) == list(expected.index)  # one value per bar from the 20th, at the bar's open time
    np.testing.assert_allclose(sma.to_numpy(), expected.to_numpy(), rtol=1e-12)
    rsi = result.indicators["RelativeStrengthIndex 14"]
    by_hand = pd.Series(wilder_rsi(close.to_numpy(), 14), index=close.index).dropna()
    assert list(rsi.index) == list(by_hand.index)
    np.testing.assert_allclose(rsi.to_numpy(), by_hand.to_numpy(), rtol=1e-9)
    middle = close.rolling(10).mean()
    width = 2.0 * close.rolling(10).std(ddof=0)
    upper = result.indicators["BollingerBands 10 UpBand"]
    np.testing.assert_allclose(upper.to_numpy(), (middle + width).reindex(upper.index).to_numpy(), rtol=1e-9)


def test_run_folder_keeps_the_drawn_lines_and_the_page_places_them(strategy_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = CliRunner().invoke(main, ["backtest", "-s", str(strategy_file), "-d", "sample:GOOG_1d", "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = json.loads((out / "analytics.json").read_text(encoding="utf-8"))["indicators"]
    assert [(x["name"], x["pane"]) for x in lines][-1] == ("RelativeStrengthIndex 14", "pane")
    html = (out / "index.html").read_text(encoding="utf-8")
    data = page_data(out / "index.html")
    kinds = {x["name"]: x["kind"] for x in data["indicators"]}
    assert kinds == {
        "SimpleMovingAverage 20": "price",
        "BollingerBands 10 SimpleMovingAverage": "price",
        "BollingerBands 10 UpBand": "price",
        "BollingerBands 10 LowBand": "price",
        "RelativeStrengthIndex 14": "pane",
    }
    assert CliRunner().invoke(main, ["report", str(out)]).exit_code == 0
    assert (out / "index.html").read_text(encoding="utf-8") == html  # redrawn from the folder alone, identically
    assert CliRunner().invoke(main, ["validate", str(out)]).exit_code == 0


def test_engine_strategies_draw_nothing() -> None:
    result = pss.backtest("sma_cross", "sample:GOOG_1d")
    assert result.indicators == {} and result.indicator_panes == {}


def test_python_strategy_plot_reaches_the_result_and_the_page(tmp_path: Path) -> None:
    from pystocksharp.strategy import Strategy

    class Plotting(Strategy):
        name = "plotting"

        def on_candle(self, candle):
            arrays = self.arrays
            if candle.index >= 9:
                self.plot("mean 10", float(arrays.close[candle.index - 9 : candle.index + 1].mean()))
            self.plot("range", candle.high - candle.low, pane=True)
            self.plot("range", candle.high - candle.low + 1.0)  # a second call on a bar replaces the first

    result = pss.backtest(Plotting, "sample:GOOG_1d")
    frame = load_sample("GOOG_1d").frame
    mean = result.indicators["mean 10"]
    np.testing.assert_allclose(mean.to_numpy(), frame["close"].rolling(10).mean().dropna().to_numpy(), rtol=1e-12)
    assert list(mean.index) == list(frame.index[9:])
    spread = result.indicators["range"]
    np.testing.assert_allclose(spread.to_numpy(), (frame["high"] - frame["low"] + 1.0).to_numpy(), rtol=1e-12)
    assert result.indicator_panes == {"range": "pane"}
    from pystocksharp.reports import render_run_page
    from pystocksharp.reports.adapters import run_report_from_backtest

    page = render_run_page(run_report_from_backtest(result, "sample:GOOG_1d"), tmp_path / "index.html")
    data = page_data(page)
    assert {x["name"]: x["kind"] for x in data["indicators"]} == {"mean 10": "price", "range": "pane"}
