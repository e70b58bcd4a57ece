"""Python and C# strategies on the engine: SmaCrossPy == C# SmaCross, user files, errors, the snake_case API."""

from __future__ import annotations

import math
import textwrap
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pystocksharp import bridge
from pystocksharp.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SMA_PARAMS = {"fast": 10, "slow": 20, "volume": 10}

pytestmark = pytest.mark.engine


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiled C# strategies go to a per-session cache, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


def goog():
    from pystocksharp.data import load_ohlcv, sample_path

    return load_ohlcv(sample_path("GOOG_1d"))


def run(strategy, data=None, **kwargs):
    from pystocksharp.backtest import backtest

    return backtest(strategy, goog() if data is None else data, **kwargs)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ---- SMA crossover: three implementations, one answer ------------------------------------------


def test_incremental_sma_hand_worked_and_bit_identical_to_the_engine() -> None:
    from pystocksharp import bridge
    from pystocksharp.resolver import load_python_module

    module = load_python_module(ROOT / "strategies" / "sma_cross_py.py")
    IncrementalSma, sma_exact = module.IncrementalSma, module.sma_exact  # noqa: N806

    sma = IncrementalSma(3)
    out = [sma.process(x) for x in (1.0, 2.0, 3.0, 4.0, 5.0)]
    assert math.isnan(out[0]) and math.isnan(out[1])
    assert out[2:] == [2.0, 3.0, 4.0]  # (1+2+3)/3, (2+3+4)/3, (3+4+5)/3
    values = np.random.default_rng(3).normal(100, 10, 5000).round(2)
    for length in (1, 7, 20):
        ours = sma_exact(values, length)
        engine = bridge.compute_indicator("SimpleMovingAverage", values, length)
        np.testing.assert_array_equal(ours, engine)  # exact: no tolerance, NaN where NaN


def test_sma_cross_py_gives_the_same_fills_and_equity_as_csharp_on_goog() -> None:
    cs = run("sma_cross", params=SMA_PARAMS, commission=0.002)
    py = run("sma_cross_py", params=SMA_PARAMS, commission=0.002)
    assert (cs.strategy, py.strategy) == ("sma_cross", "sma_cross_py")
    assert (cs.strategy_kind, py.strategy_kind) == ("csharp", "python")
    assert cs.summary.fills == 94 and cs.summary.round_trips == 93
    pd.testing.assert_frame_equal(cs.trades, py.trades)
    pd.testing.assert_frame_equal(cs.equity, py.equity)
    assert py.summary.final_equity == cs.summary.final_equity
    assert py.parameters == cs.parameters == {"fast": 10, "slow": 20, "volume": 10.0}


def test_vectorized_signals_equal_the_per_bar_fills() -> None:
    bar_by_bar = run("sma_cross", params=SMA_PARAMS, commission=0.002)
    vectorized = run("sma_cross_vec", params=SMA_PARAMS, commission=0.002)
    assert vectorized.strategy_kind == "vectorized"
    pd.testing.assert_frame_equal(bar_by_bar.trades, vectorized.trades)
    assert vectorized.summary.final_equity == bar_by_bar.summary.final_equity


def test_csharp_user_file_compiles_and_matches_the_builtin() -> None:
    spec = f"{ROOT / 'strategies' / 'SmaCrossFile.cs'}:SmaCrossFile"
    user = run(spec, params=SMA_PARAMS, commission=0.002)
    assert (user.strategy, user.strategy_kind) == ("sma_cross_file", "csharp-file")
    builtin = run("sma_cross", params=SMA_PARAMS, commission=0.002)
    pd.testing.assert_frame_equal(user.trades, builtin.trades)
    again = run(spec, params=SMA_PARAMS, commission=0.002)  # from the compiled-dll cache
    assert again.summary.final_equity == builtin.summary.final_equity


# ---- user files -------------------------------------------------------------------------------

BUY_AND_CLOSE = """
    from pystocksharp import Param, Strategy


    class BuyThenClose(Strategy):
        name = "buy_then_close"
        size = Param(5.0, min=0.0)

        def on_candle(self, candle):
            if candle.index == 0:
                self.buy_market(self.size)
            elif candle.index == 2:
                self.close_position()


    class Unrelated:
        pass
"""


def test_python_user_file_runs(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.py", BUY_AND_CLOSE)
    result = run(f"{path}:BuyThenClose")
    assert (result.strategy, result.strategy_kind, result.parameters) == (
        "buy_then_close",
        "python",
        {"size": 5.0},
    )
    # GOOG opens: bar 1 101.01, bar 3 111.24 -> buy 5 @ 101.01, sell 5 @ 111.24
    assert result.trades[["bar", "side", "price", "volume"]].to_dict("records") == [
        {"bar": 1, "side": 1, "price": 101.01, "volume": 5.0},
        {"bar": 3, "side": -1, "price": 111.24, "volume": 5.0},
    ]
    assert result.summary.realized_pnl == pytest.approx(5 * (111.24 - 101.01))  # 51.15
    assert result.summary.final_equity == pytest.approx(10_000 + 51.15)
    only_class = run(str(path), params={"size": 2})  # one strategy class: ":Class" optional
    assert list(only_class.trades["volume"]) == [2.0, 2.0]


def test_python_exception_reaches_the_user_with_its_traceback(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "broken.py",
        """
        from pystocksharp import Strategy


        class Broken(Strategy):
            def on_candle(self, candle):
                if candle.index == 5:
                    return 1 / 0
        """,
    )
    with pytest.raises(ZeroDivisionError) as err:
        run(f"{path}:Broken")
    frames = traceback.extract_tb(err.value.__traceback__)
    user = [f for f in frames if f.filename == str(path)]
    assert [(f.name, f.lineno, f.line) for f in user] == [("on_candle", 8, "return 1 / 0")]


def test_csharp_compile_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Bad.cs",
        """\
        using PyStockSharp.Engine;
        public sealed class Bad : Strategy
        {
            public override void OnCandle(Candle candle)
            {
                int x = "text";
            }
        }
        """,
    )
    with pytest.raises(InputError) as err:
        run(f"{path}:Bad")
    assert err.value.summary == f"C# strategy {path} did not compile"
    [problem] = err.value.problems
    assert (problem.file, problem.line) == (str(path), 6)
    assert problem.message.startswith("error CS0029: Cannot implicitly convert type 'string' to 'int'")


def test_csharp_missing_class_lists_the_classes_found() -> None:
    with pytest.raises(InputError) as err:
        run(f"{ROOT / 'strategies' / 'SmaCrossFile.cs'}:Nope")
    assert err.value.summary.startswith("no usable strategy class in ")
    [problem] = err.value.problems
    assert (
        "class 'Nope' not found" in problem.message
        and "found: UserStrategies.SmaCrossFile" in problem.message
    )


def test_python_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "syntax.py", "from pystocksharp import Strategy\n\nclass S(Strategy)\n    pass\n")
    with pytest.raises(InputError) as err:
        run(f"{path}:S")
    [problem] = err.value.problems
    assert (problem.file, problem.line) == (str(path.resolve()), 3)


def test_missing_class_lists_the_strategy_classes_found(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.py", BUY_AND_CLOSE)
    with pytest.raises(InputError) as err:
        run(f"{path}:Nope")
    assert "strategy classes found: BuyThenClose" in str(err.value)
    with pytest.raises(InputError, match="strategy file not found"):
        run(f"{tmp_path / 'absent.py'}:X")


def test_unknown_name_lists_the_builtins() -> None:
    with pytest.raises(InputError) as err:
        run("smacross")
    assert "sma_cross, sma_cross_py, sma_cross_vec" in str(err.value)


def test_subclasses_must_not_set_a_namespace() -> None:
    from pystocksharp import Strategy
    from pystocksharp.resolver import resolve_strategy

    class Again(Strategy):
        __namespace__ = "PyStockSharp.Tests"

    with pytest.raises(TypeError, match="Again: do not set __namespace__"):
        resolve_strategy(Again).new()


# ---- the snake_case API ------------------------------------------------------------------------


def test_params_are_declared_on_the_engine_like_csharp_ones() -> None:
    from pystocksharp import bridge
    from pystocksharp.resolver import resolve_strategy

    py = {p.name: p for p in bridge.strategy_parameters(resolve_strategy("sma_cross_py").new())}
    cs = {p.name: p for p in bridge.strategy_parameters(resolve_strategy("sma_cross").new())}
    assert list(py) == list(cs) == ["fast", "slow", "volume"]
    for name in ("fast", "slow"):
        keys = (
            "type",
            "default",
            "min",
            "max",
            "optimize_from",
            "optimize_to",
            "optimize_step",
            "display_name",
            "group",
        )
        assert py[name].model_dump(include=set(keys)) == cs[name].model_dump(include=set(keys))


def test_param_descriptor_reads_and_validates_through_the_engine() -> None:
    from pystocksharp.resolver import resolve_strategy

    strategy = resolve_strategy("sma_cross_py").new()
    assert (strategy.fast, strategy.slow, strategy.volume) == (10, 20, 1.0)
    strategy.fast = "12"
    assert strategy.fast == 12 and strategy.GetParameter("fast") == 12
    with pytest.raises(InputError, match=r"value 0 outside the allowed range \[1, 100000\]"):
        strategy.slow = 0


RECORDER = """
    from pystocksharp import Strategy


    class Recorder(Strategy):
        def on_started(self):
            self.seen = []
            self.trades = []
            self.changes = []
            self.bars = 0

        def on_candle(self, candle):
            self.bars += 1
            if candle.index == 0:
                self.stale = self.sell_limit(candle.close + 500.0, 1)
                self.huge = self.buy_market(1e9)  # far more than the capital: rejected at the fill
            elif candle.index == 1:
                self.seen.append(self.cancel_order(self.stale))
                self.seen.append((self.position, self.cash, self.equity, self.current_index))
            elif candle.index == 2:
                self.limit = self.buy_limit(104.0, 3)
            elif candle.index == 3:
                self.seen.append((self.current_time, self.position, self.cash, self.equity))

        def on_own_trade(self, trade):
            self.trades.append(trade)

        def on_order_changed(self, order):
            self.changes.append((order.id, order.state))
"""


def test_strategy_callbacks_orders_and_state(tmp_path: Path) -> None:
    from pystocksharp.resolver import resolve_strategy

    strategy = resolve_strategy(f"{write(tmp_path, 'rec.py', RECORDER)}:Recorder").new()
    result = run(strategy)
    assert strategy.bars == 2148
    # buy limit 104 placed at bar 2; bar 3: open 111.24 > 104, low 103.57 <= 104 -> fills at 104.0
    assert result.trades[["bar", "side", "price", "volume"]].to_dict("records") == [
        {"bar": 3, "side": 1, "price": 104.0, "volume": 3.0}
    ]
    [trade] = strategy.trades
    assert trade == (strategy.limit.id, 3, result.trades["time"].iloc[0].value, 1, 104.0, 3.0, 0.0, 0.0, "GOOG")
    assert (strategy.limit.state, strategy.limit.type, strategy.limit.price, strategy.limit.fill_price) == (
        "filled",
        "limit",
        104.0,
        104.0,
    )
    assert strategy.stale.state == "cancelled" and strategy.huge.state == "rejected"
    assert strategy.huge.reject_reason.startswith("insufficient buying power")
    cancelled, at_bar_1, at_bar_3 = strategy.seen
    assert cancelled is True and at_bar_1 == (0.0, 10_000.0, 10_000.0, 1)
    # after the fill: cash 10000 - 3 * 104 = 9688; equity 9688 + 3 * close 104.87 = 10002.61
    when, position, cash, equity = at_bar_3
    assert when == pd.Timestamp("2004-08-24", tz="UTC") and (position, cash) == (3.0, 9688.0)
    assert equity == pytest.approx(10_002.61, abs=1e-9)
    assert strategy.changes == [
        (strategy.huge.id, "rejected"),
        (strategy.stale.id, "cancelled"),
        (strategy.limit.id, "filled"),
    ]
    assert dict(zip(result.orders["id"], result.orders["state"], strict=True)) == {
        strategy.stale.id: "cancelled",
        strategy.huge.id: "rejected",
        strategy.limit.id: "filled",
    }


def test_on_bar_fast_path_sees_the_same_data_as_on_candle(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "two.py",
        """
        from pystocksharp import Strategy


        class ByCandle(Strategy):
            def on_started(self):
                self.closes = []

            def on_candle(self, candle):
                self.closes.append((candle.index, candle.time_ns, candle.open, candle.high, candle.low, candle.close, candle.volume))


        class ByIndex(Strategy):
            def on_started(self):
                self.closes = []

            def on_bar(self, i):
                a = self.arrays
                self.closes.append((i, int(a.time[i]), a.open[i], a.high[i], a.low[i], a.close[i], a.volume[i]))
        """,
    )
    from pystocksharp.resolver import resolve_strategy

    by_candle = resolve_strategy(f"{path}:ByCandle").new()
    by_index = resolve_strategy(f"{path}:ByIndex").new()
    data = goog()
    run(by_candle, data)
    run(by_index, data)
    assert by_candle.closes == by_index.closes
    frame = data.frame
    assert by_candle.closes[0] == (0, frame.index[0].value, 100.0, 104.06, 95.96, 100.34, 22351900.0)


def test_subclass_init_without_super_still_runs_the_engine_constructor() -> None:
    from pystocksharp import Param, Strategy

    class NoSuper(Strategy):
        at = Param(3, min=0)

        def __init__(self) -> None:  # forgets super().__init__()
            self.bought = False

        def on_candle(self, candle) -> None:
            if candle.index == self.at:
                self.buy_market()  # default order volume 1 (set by the .NET constructor)

    result = run(NoSuper, params={"at": 5})
    # placed at bar 5, filled at the open of bar 6 (2004-08-27: 108.10)
    assert result.trades[["bar", "price", "volume"]].to_dict("records") == [
        {"bar": 6, "price": 108.1, "volume": 1.0}
    ]
    assert result.parameters == {"at": 5}


def test_a_damaged_compile_cache_entry_is_compiled_again_and_replaced(tmp_path: Path) -> None:
    """A cached strategy dll that cannot be loaded (here: garbage bytes left by another process) is not an error: the
    source is compiled again, and the entry is replaced by a new file for the next runs.

    The damaged entry is made before this process loads anything from it: writing into the file of an assembly a
    process has loaded changes the loaded image itself (it is mapped), which once made later tests of the same worker
    fail with a type load error."""
    cache = tmp_path / "cache"
    cache.mkdir()
    source = ROOT / "strategies" / "SmaCrossFile.cs"
    key = str(bridge.engine_namespace().CSharpStrategyCompiler.CacheKey(source.read_text(encoding="utf-8")))
    entry = cache / f"strategy_{key}.dll"
    entry.write_bytes(b"not an assembly" * 100)
    factory = bridge.compile_csharp_strategy(source, "SmaCrossFile", cache)
    assert str(factory().Name) == "sma_cross_file"
    assert entry.read_bytes()[:2] == b"MZ"  # a PE image again
    assert [p.name for p in cache.iterdir()] == [entry.name]  # no temp file left


_THROWER = """using PyStockSharp.Engine;

namespace UserStrategies;

public sealed class Thrower : Strategy
{
    public override void OnBar(int index)
    {
        if (index == 5)
            throw new InvalidOperationException("planted at bar 5");
    }
}
"""


def test_a_csharp_strategy_exception_names_its_file_and_line(tmp_path: Path) -> None:
    """User strategies are compiled with embedded debug information: the .NET stack trace of an exception a strategy
    throws names the file and the line (#26: 'a C# runtime exception shows no line number')."""
    path = tmp_path / "Thrower.cs"
    path.write_text(_THROWER, encoding="utf-8")
    with pytest.raises(Exception) as err:
        run(f"{path}:Thrower")
    assert "planted at bar 5" in str(err.value)
    assert f"{path}:line 10" in str(err.value.StackTrace)


def test_one_source_loads_once_whatever_cache_directory_it_comes_from(tmp_path: Path) -> None:
    """The same C# file compiled for the same engine through two cache directories in one process is one assembly
    (a second assembly of the same name from another path would be refused by .NET), and the damaged entry of the
    second directory is still replaced."""
    source = ROOT / "strategies" / "SmaCrossFile.cs"
    first = bridge.compile_csharp_strategy(source, "SmaCrossFile", tmp_path / "one")
    other = tmp_path / "two"
    other.mkdir()
    key = str(bridge.engine_namespace().CSharpStrategyCompiler.CacheKey(source.read_text(encoding="utf-8")))
    (other / f"strategy_{key}.dll").write_bytes(b"not an assembly" * 100)
    second = bridge.compile_csharp_strategy(source, "SmaCrossFile", other)
    assert first().GetType().AssemblyQualifiedName == second().GetType().AssemblyQualifiedName
    assert (other / f"strategy_{key}.dll").read_bytes()[:2] == b"MZ"
    assert (tmp_path / "one" / f"strategy_{key}.dll").read_bytes() == (other / f"strategy_{key}.dll").read_bytes()
