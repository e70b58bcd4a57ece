"""The sample strategies in StockSharp's API (strategies/stocksharp/*.cs) and their Python twins (…/py/*.py).

Each C# strategy is pinned on the daily GOOG sample and on a synthetic 1-minute random walk (its default
5-minute candles are built from it): number of fills and final equity to the cent, commission 0.001. Each
Python twin, written in StockSharp's Python style, must give exactly the fills of its C# twin.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

import pystocksharp as pss
from pystocksharp.data import sample_path
from pystocksharp.resolver import ResolvedStrategy, resolve_strategy, strategy_cache_dir
from pystocksharp.synthetic import random_walk

ROOT = Path(__file__).resolve().parents[1]
SS = ROOT / "strategies" / "stocksharp"
GOOG = sample_path("GOOG_1d")
SYNTHETIC = random_walk(20_000, seed=7, freq="1min")
CACHE = strategy_cache_dir()
COMMISSION = 0.001
DATA = {"goog": GOOG, "synthetic": SYNTHETIC}

# strategy, GOOG_1d fills, final equity, synthetic 1-minute fills, final equity
PINNED = [
    ("AdxDiCrossStrategy", 81, 9629.99, 140, 9989.64),
    ("AdxEmaTrendStrategy", 203, 10490.59, 340, 9963.23),
    ("AtrChannelStrategy", 73, 10953.53, 107, 9994.42),
    ("BollingerBreakoutStrategy", 378, 9807.97, 316, 9967.38),
    ("BollingerFadeStrategy", 153, 9527.15, 308, 9976.74),
    ("BollingerLimitStrategy", 205, 9088.85, 667, 9987.19),
    ("CciBreakoutStrategy", 187, 10636.89, 411, 9966.69),
    ("DemaSmaCrossStrategy", 80, 11036.42, 173, 9977.20),
    ("DonchianBreakoutStrategy", 157, 11363.70, 250, 9763.95),
    ("HighLowStopStrategy", 562, 9922.99, 318, 9945.86),
    ("HullTurnStrategy", 333, 10530.48, 513, 9912.78),
    ("IchimokuCloudBreakStrategy", 117, 10317.19, 340, 9964.86),
    ("IchimokuTkCrossStrategy", 72, 10726.66, 154, 9991.99),
    ("KamaAtrBandStrategy", 331, 10804.32, 654, 9938.31),
    ("KeltnerStopEntryStrategy", 197, 10782.82, 318, 9959.67),
    ("Level1EmaBandStrategy", 291, 10602.11, 2245, 9808.40),
    ("MaStackStrategy", 143, 10755.73, 311, 9987.13),
    ("MacdHistogramTrendStrategy", 132, 10333.46, 309, 9960.91),
    ("MacdSignalCrossStrategy", 155, 10375.34, 334, 9947.03),
    ("MfiTradeJournalStrategy", 218, 9741.80, 146, 9986.58),
    ("ParabolicSarOrderStrategy", 169, 11163.04, 441, 9917.03),
    ("RocMomentumStrategy", 213, 10261.17, 462, 9950.38),
    ("RsiThresholdStrategy", 159, 9761.44, 124, 9985.71),
    ("StochasticCrossStrategy", 59, 9282.71, 92, 9964.96),
    ("SuperTrendFlipStrategy", 113, 10702.22, 127, 9974.79),
    ("WilliamsRLimitStrategy", 199, 8938.32, 365, 9967.31),
    ("WmaSlopeStrategy", 171, 10704.06, 412, 9928.71),
]
NAMES = [p[0] for p in PINNED]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@cache
def _resolved(path: str) -> ResolvedStrategy:
    return resolve_strategy(path, cache_dir=CACHE)


@cache
def _run(path: str, data: str) -> pss.BacktestResult:
    return pss.backtest(_resolved(path), DATA[data], commission=COMMISSION)


def _fills(result: pss.BacktestResult) -> pd.DataFrame:
    return result.trades[["time", "side", "price", "volume"]].reset_index(drop=True)


def test_every_sample_is_pinned_and_has_a_python_twin() -> None:
    samples = {p.stem for p in SS.glob("*.cs")} - {"SmaCrossStrategy", "EmaCrossStrategy"}
    assert samples == set(NAMES)
    twins = {_snake(n) for n in NAMES} | {"sma_cross_strategy", "ema_cross_strategy"}  # the last two: test_stocksharp_layer
    assert {p.stem for p in (SS / "py").glob("*.py")} == twins


@pytest.mark.parametrize(("name", "goog_fills", "goog_equity", "syn_fills", "syn_equity"), PINNED, ids=NAMES)
def test_sample_strategy_regression(name: str, goog_fills: int, goog_equity: float, syn_fills: int, syn_equity: float) -> None:
    path = str(SS / f"{name}.cs")
    goog = _run(path, "goog")
    assert (len(goog.trades), round(goog.summary.final_equity, 2)) == (goog_fills, goog_equity)
    synthetic = _run(path, "synthetic")
    assert (len(synthetic.trades), round(synthetic.summary.final_equity, 2)) == (syn_fills, syn_equity)


@pytest.mark.parametrize("name", NAMES)
def test_python_twin_matches_csharp(name: str) -> None:
    twin = str(SS / "py" / f"{_snake(name)}.py")
    assert _resolved(twin).kind == "stocksharp-python"
    for data in DATA:
        expected = _fills(_run(str(SS / f"{name}.cs"), data))
        actual = _fills(_run(twin, data))
        pd.testing.assert_frame_equal(actual, expected, obj=f"{name} fills on {data}")
