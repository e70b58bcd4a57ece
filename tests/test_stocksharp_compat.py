"""``pystocksharp compat`` (the migration report) and ``deploy --stocksharp`` (back to StockSharp)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

import pystocksharp as pss
from pystocksharp.artifacts.stocksharp_settings import read_settings
from pystocksharp.cli import main
from pystocksharp.compat import sweep
from pystocksharp.data import sample_path

ROOT = Path(__file__).resolve().parents[1]
GOOG = str(sample_path("GOOG_1d"))

_GOOD = """
using System;
using StockSharp.Algo.Indicators;
using StockSharp.Algo.Strategies;
using StockSharp.Messages;

public class CloseAboveSma : Strategy
{
    protected override void OnStarted2(DateTime time)
    {
        base.OnStarted2(time);
        SubscribeCandles(TimeSpan.FromDays(1)).Bind(new SMA { Length = 20 }, (candle, sma) =>
        {
            if (candle.ClosePrice > sma && Position <= 0) BuyMarket(Volume - Position);
            else if (candle.ClosePrice < sma && Position >= 0) SellMarket(Volume + Position);
        }).Start();
    }
}
"""

_MISSING_MEMBER = """
using System;
using StockSharp.Algo.Strategies;

public class NeedsOrderBook : Strategy
{
    protected override void OnStarted2(DateTime time)
    {
        base.OnStarted2(time);
        SubscribeOrderBook(Security);
    }
}
"""

_SYNTAX_ERROR = """
using StockSharp.Algo.Strategies;
public class Broken : Strategy { void X( { } }
"""

_INFINITE_LOOP = """
import clr
clr.AddReference("StockSharp.Algo.Strategies")
from System import TimeSpan
from StockSharp.Algo.Strategies import Strategy

class spins_forever_strategy(Strategy):
    def OnStarted2(self, time):
        super(spins_forever_strategy, self).OnStarted2(time)
        while True:
            pass
"""

_RAISES = """
import clr
clr.AddReference("StockSharp.Algo.Strategies")
from System import TimeSpan
from StockSharp.Algo.Strategies import Strategy

class raises_in_handler_strategy(Strategy):
    def OnStarted2(self, time):
        super(raises_in_handler_strategy, self).OnStarted2(time)
        self.SubscribeCandles(TimeSpan.FromDays(1)).Bind(self.process_candle).Start()

    def process_candle(self, candle):
        raise ZeroDivisionError("planted")
"""


def test_compat_names_each_planted_failure_and_finishes(tmp_path: Path) -> None:
    folder = tmp_path / "planted"
    folder.mkdir()
    for name, text in {
        "CloseAboveSma.cs": _GOOD, "NeedsOrderBook.cs": _MISSING_MEMBER, "Broken.cs": _SYNTAX_ERROR,
        "spins_forever.py": _INFINITE_LOOP, "raises_in_handler.py": _RAISES,
    }.items():  # fmt: skip
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(main, ["compat", str(folder), "--data", GOOG, "--timeout", "45", "--workers", "2", "--json"])  # room for a loaded machine
    assert out.exit_code == 1, out.output  # not every file works
    report = json.loads(out.output)
    by_file = {Path(r["path"]).name: r for r in report["results"]}
    assert by_file["CloseAboveSma.cs"]["failed_at"] == "ok" and by_file["CloseAboveSma.cs"]["orders"] > 10
    assert by_file["NeedsOrderBook.cs"]["cause"] == "missing: Strategy.SubscribeOrderBook"
    assert by_file["Broken.cs"]["failed_at"] == "compile" and by_file["Broken.cs"]["cause"].startswith("CS1")
    assert by_file["spins_forever.py"]["failed_at"] == "timeout"
    assert by_file["raises_in_handler.py"]["failed_at"] == "run"
    assert "ZeroDivisionError: planted" in by_file["raises_in_handler.py"]["error"]
    assert report["compile_rate"] == 3 / 5 and report["order_rate"] == 1 / 5
    assert by_file["spins_forever.py"]["compiles"]  # it compiled, then never finished
    assert {c["cause"] for c in report["causes"]} >= {"missing: Strategy.SubscribeOrderBook", "timeout after 45 s"}


def test_compat_reports_all_sample_strategies_working_and_every_twin_agreeing() -> None:
    report = sweep([ROOT / "strategies" / "stocksharp"], data=GOOG, workers=2)
    failing = [(Path(r.path).name, r.cause) for r in report.results if r.failed_at != "ok"]
    assert failing == []
    assert report.compile_rate == report.run_rate == report.order_rate == 1.0
    assert report.twin_pairs == 29 and report.twin_agreement_rate == 1.0


def test_deploy_to_stocksharp_round_trips_and_replays_the_optimizer_record(tmp_path: Path) -> None:
    strategy = str(ROOT / "strategies" / "stocksharp" / "SmaCrossStrategy.cs")
    opt = pss.optimize(strategy, GOOG, grid=["Fast=5:15:5", "Slow=20:40:20"], rank="sharpe_ratio:desc",
                       out=tmp_path / "opt", workers=1)  # fmt: skip
    opt.export(tmp_path / "opt", report=False)
    best = opt.top(1).iloc[0]
    runner = CliRunner()
    out = runner.invoke(main, ["deploy", str(tmp_path / "opt"), "--rank", "1", "--stocksharp", str(tmp_path / "ss"), "--json"])
    assert out.exit_code == 0, out.output
    written = json.loads(out.output)["written"]
    settings = Path(written["stocksharp_settings"])
    assert settings.name == "SmaCrossStrategy.settings.json"
    assert (tmp_path / "ss" / "SmaCrossStrategy.cs").read_bytes() == Path(strategy).read_bytes()
    # every declared parameter, the run's values where it set them
    assert read_settings(settings) == {"Fast": int(best["Fast"]), "Slow": int(best["Slow"]), "CandleType": "1d"}
    stored = json.loads(settings.read_text())
    assert stored["Parameters"][0] == {"Name": "Fast", "Value": int(best["Fast"])}
    replay = pss.backtest(config=tmp_path / "ss" / "strategy-config.json")
    assert replay.summary.net_profit == best["net_profit"]
    assert replay.summary.fills == best["fill_count"]
