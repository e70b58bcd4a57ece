"""Non-numeric parameters (booleans, enums, strings, time frames) in the C# engine's optimizer.

Each row of the optimizer equals a single ``backtest`` with the same parameters (net profit to the bit,
the same parameter hash), and values a parameter refuses stop the run before anything runs (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pystocksharp import backtest, optimize
from pystocksharp.cli import main
from pystocksharp.data import sample_path
from pystocksharp.parameters import parameter_hash

GOOG = str(sample_path("GOOG_1d"))

#: A StockSharp-style strategy with one parameter of each non-numeric kind.
_SOURCE = """
using System;
using System.Collections.Generic;
using Ecng.Common;
using StockSharp.Algo.Indicators;
using StockSharp.Algo.Strategies;
using StockSharp.BusinessEntities;
using StockSharp.Messages;

namespace Tests.NonNumeric;

public enum AverageKind { Simple, Exponential }

public class KindsCrossStrategy : Strategy
{
    private readonly StrategyParam<int> _length;
    private readonly StrategyParam<bool> _longOnly;
    private readonly StrategyParam<AverageKind> _kind;
    private readonly StrategyParam<string> _side;
    private readonly StrategyParam<DataType> _candleType;
    private decimal? _prevClose, _prevAverage;

    public KindsCrossStrategy()
    {
        _length = Param("Length", 10).SetGreaterThanZero();
        _longOnly = Param("LongOnly", false);
        _kind = Param("Kind", AverageKind.Simple);
        _side = Param("Side", "trend");
        _candleType = Param("CandleType", TimeSpan.FromDays(1).TimeFrame());
    }

    public override IEnumerable<(Security sec, DataType dt)> GetWorkingSecurities() => [(Security, _candleType.Value)];

    protected override void OnStarted2(DateTime time)
    {
        base.OnStarted2(time);
        LengthIndicator<decimal> average = _kind.Value == AverageKind.Simple
            ? new SimpleMovingAverage { Length = _length.Value }
            : new ExponentialMovingAverage { Length = _length.Value };
        SubscribeCandles(_candleType.Value).Bind(average, OnProcess).Start();
    }

    private void OnProcess(ICandleMessage candle, decimal average)
    {
        if (candle.State != CandleStates.Finished) return;
        if (_prevClose is decimal pc && _prevAverage is decimal pa)
        {
            bool up = pc <= pa && candle.ClosePrice > average, down = pc >= pa && candle.ClosePrice < average;
            if (_side.Value == "fade") (up, down) = (down, up);
            if (up && Position <= 0) BuyMarket(Volume - Position);
            else if (down && Position > 0) SellMarket(_longOnly.Value ? Position : Volume + Position);
            else if (down && Position == 0 && !_longOnly.Value) SellMarket(Volume);
        }
        _prevClose = candle.ClosePrice;
        _prevAverage = average;
    }
}
"""


@pytest.fixture(scope="module")
def strategy(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("nonnumeric") / "KindsCrossStrategy.cs"
    path.write_text(_SOURCE, encoding="utf-8")
    return f"{path}:KindsCrossStrategy"


def test_every_non_numeric_kind_optimizes_and_each_row_equals_its_single_backtest(
    strategy: str, tmp_path: Path
) -> None:
    grid = {"LongOnly": [True, False], "Kind": ["Simple", "Exponential"], "Side": ["trend", "fade"],
            "CandleType": ["1d", "2d"]}  # fmt: skip
    result = optimize(strategy, GOOG, grid=grid, out=tmp_path / "run", keep_fills=False, workers=2)
    table = result.table
    assert len(table) == 16 and table["error"].isna().all()
    assert set(table["CandleType"]) == {"1d", "2d"} and set(table["Kind"]) == {"Simple", "Exponential"}
    assert len(set(table["net_profit"].round(6))) > 4  # the parameters change the trades
    for _, row in table.iterrows():
        params = {name: row[name] for name in grid}
        params["LongOnly"] = bool(params["LongOnly"])
        single = backtest(strategy, GOOG, params=params)
        assert single.summary.net_profit == pytest.approx(row["net_profit"], rel=0, abs=1e-9), params
        assert parameter_hash(single.parameters) == row["parameter_hash"], params


def test_refused_values_of_any_kind_stop_the_run_before_anything_runs(strategy: str, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(main, [
        "optimize", "-s", strategy, "-d", GOOG, "--out", str(out), "--no-report", "--json",
        "--grid", "CandleType=1d,2x", "--grid", "Kind=Simple,Triangular", "--grid", "LongOnly=true,maybe",
        "--grid", "Length=0:20:10",
    ])  # fmt: skip
    assert result.exit_code == 2, result.output
    problems = json.loads(result.output)["problems"]
    assert any("CandleType" in p and "'2x'" in p and "time frame" in p for p in problems), problems
    assert any("Kind" in p and "'Triangular'" in p and "Simple, Exponential" in p for p in problems), problems
    assert any("LongOnly" in p and "'maybe'" in p for p in problems), problems
    assert any("Length" in p and "0: value 0 breaks the rule 'Length > 0'" in p for p in problems), problems
    assert not out.exists()
