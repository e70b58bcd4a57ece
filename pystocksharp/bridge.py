"""The bridge to the .NET engine: the ONLY module that imports pythonnet / clr.

Loading is lazy: nothing happens until a function here needs the engine, then .NET 10
(CoreCLR) is started once per process with ``pythonnet.load("coreclr")`` and the engine
assembly is added from ``$PYSTOCKSHARP_ENGINE_DIR`` or ``pystocksharp/_engine/``.

Data crosses the boundary in bulk only, never element by element in Python:

* candles in: numpy buffers are copied by the engine (``CandleSeries.FromPointers``,
  ``Marshal.Copy`` from each buffer's address);
* results out: Arrow record batches exported through the Arrow C Data Interface
  (``ArrowExport.Export`` fills pyarrow-allocated C structs, zero copy), with a fallback
  of whole-array ``Marshal.Copy`` into numpy buffers;
* whole ``double[]`` arrays both ways with one ``Marshal.Copy`` (:func:`to_numpy`,
  :func:`to_net_doubles`).

Times are UTC nanoseconds since the Unix epoch (``int64``) on both sides.
"""

from __future__ import annotations

import functools
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel

from pystocksharp.errors import EngineNotAvailableError, InputError, Problem
from pystocksharp.io import user_cache_dir

ENGINE_ASSEMBLY = "PyStockSharp.Engine.dll"
ENGINE_DIR_ENV = "PYSTOCKSHARP_ENGINE_DIR"
SETUP_HINT = "run ./scripts/setup.sh (needs the .NET 10 SDK: https://dot.net)"

_COMPILE_ERROR_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<message>error .*)$")


# ---- locating and loading -------------------------------------------------------------------


def engine_dir() -> Path:
    """The folder holding the engine assembly: ``$PYSTOCKSHARP_ENGINE_DIR`` or ``pystocksharp/_engine``."""
    env = os.environ.get(ENGINE_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parent / "_engine"


def engine_assembly_path() -> Path:
    return engine_dir() / ENGINE_ASSEMBLY


def find_dotnet() -> str | None:
    """Path of the ``dotnet`` host (``$DOTNET_ROOT/dotnet`` or on PATH), or None."""
    root = os.environ.get("DOTNET_ROOT")
    if root and (Path(root) / "dotnet").exists():
        return str(Path(root) / "dotnet")
    return shutil.which("dotnet")


def dotnet_runtimes(dotnet: str | None = None) -> list[str]:
    """Installed ``Microsoft.NETCore.App`` runtime versions (``dotnet --list-runtimes``), oldest first."""
    dotnet = dotnet or find_dotnet()
    if not dotnet:
        return []
    try:
        out = subprocess.run(
            [dotnet, "--list-runtimes"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split()[1] for line in out.splitlines() if line.startswith("Microsoft.NETCore.App ")]


@dataclass(frozen=True)
class _Engine:
    """The loaded .NET namespaces and helpers (private: use the functions of this module)."""

    E: Any  # the PyStockSharp.Engine namespace
    System: Any
    Marshal: Any
    IntPtr: Any
    assembly_path: Path


@functools.cache
def _engine() -> _Engine:
    path = engine_assembly_path()
    if not path.is_file():
        raise EngineNotAvailableError(f"the .NET engine is not built: {path} does not exist; {SETUP_HINT}")
    _start_runtime()
    import clr

    try:
        clr.AddReference(str(path))
    except Exception as exc:  # pythonnet raises System.IO.FileLoadException and friends
        import System

        first_line = str(getattr(exc, "Message", None) or exc).splitlines()[0]  # not the .NET stack trace
        raise EngineNotAvailableError(
            f"could not load the engine assembly {path} on .NET {System.Environment.Version} "
            f"(it needs .NET 10): {first_line}; {SETUP_HINT}"
        ) from exc
    import PyStockSharp.Engine as engine_ns
    import System
    import System.Runtime.InteropServices as interop

    _register_codecs(engine_ns)

    return _Engine(
        E=engine_ns, System=System, Marshal=interop.Marshal, IntPtr=System.IntPtr, assembly_path=path
    )


#: pythonnet codecs compiled at run time against the loaded Python.Runtime (decimals, StockSharp enums and
#: interface-typed values, fast-path candles).
_CODECS_SOURCE = Path(__file__).resolve().parent / "_dotnet" / "PythonCodecs.cs"


def _register_codecs(engine_ns: Any) -> None:
    """System.Decimal values reach Python as :class:`~pystocksharp.netdecimal.NetDecimal` (exact, mixes with
    floats); Python NetDecimal/Decimal/int/float are accepted for decimal arguments.

    StockSharp's API is decimal and StockSharp's Python strategies mix those values with Python
    numbers (``float(x)``, ``x > 1.5``); pythonnet alone does neither. The codec (pystocksharp/_dotnet/
    PythonCodecs.cs) is compiled with Roslyn once per pythonnet version and cached.
    """
    import clr
    import Python.Runtime as runtime
    import System

    runtime_dll = str(clr.GetClrType(runtime.PyObject).Assembly.Location)
    refs = System.Array[System.String]([runtime_dll])
    asm = engine_ns.CSharpStrategyCompiler.LoadLibrary(
        _CODECS_SOURCE.read_text(encoding="utf-8"), "PyStockSharpCodecs", refs, str(user_cache_dir("codecs"))
    )
    clr.AddReference(str(asm.Location))
    from PyStockSharp.Python import DecimalCodec

    from pystocksharp.netdecimal import NetDecimal, NetEnum

    DecimalCodec.Register(NetDecimal, NetEnum)


def _start_runtime() -> None:
    try:
        import pythonnet
    except ImportError as exc:
        raise EngineNotAvailableError(
            f"pythonnet is not installed ({exc}); pip install 'pythonnet>=3.0.3'"
        ) from exc
    if pythonnet.get_runtime_info() is not None:  # already started (by us or by the host application)
        return
    if find_dotnet() is None and not os.environ.get("DOTNET_ROOT"):
        raise EngineNotAvailableError(
            "the .NET runtime was not found: 'dotnet' is not on PATH and DOTNET_ROOT is not set; "
            "install the .NET 10 runtime/SDK from https://dot.net, then " + SETUP_HINT.split(" (")[0]
        )
    # Tier methods up as soon as they are hot: by default .NET waits for 100 ms without new JIT activity first,
    # which a process that keeps loading code (pythonnet, strategies compiled at run time) rarely gets, so a
    # backtest's hot loop could stay in unoptimized code for most of a run (measured: the StockSharp EMA cross
    # 1.4x, its Python twin 1.15x faster). A value the user set is kept.
    os.environ.setdefault("DOTNET_TC_CallCountingDelayMs", "0")
    try:
        pythonnet.load("coreclr")
    except Exception as exc:  # clr_loader: RuntimeError when hostfxr / a runtime is missing
        raise EngineNotAvailableError(
            f"could not start .NET (CoreCLR) through pythonnet: {exc}; is the .NET 10 runtime installed "
            f"(dotnet --list-runtimes)? {SETUP_HINT}"
        ) from exc


def int_action(fn: Callable[[int], Any]) -> Any:
    """A .NET ``Action<int>`` calling ``fn``: pythonnet dispatches such a delegate about twice as fast as an
    overridden virtual method (used for the per-bar and per-candle calls of Python strategies)."""
    eng = _engine()
    return eng.System.Action[eng.System.Int32](fn)


def engine_namespace() -> Any:
    """The ``PyStockSharp.Engine`` .NET namespace (loads .NET on first use)."""
    return _engine().E


def is_loaded() -> bool:
    """True once the engine was loaded in this process."""
    return _engine.cache_info().currsize > 0


# ---- info ------------------------------------------------------------------------------------


class EngineInfo(BaseModel):
    """What :func:`engine_info` reports (``pystocksharp doctor``)."""

    python: str
    python_executable: str
    pythonnet: str | None
    dotnet_runtime: str | None
    engine_version: str | None
    assembly_path: str
    platform: str


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def engine_info() -> EngineInfo:
    """Loads the engine and reports versions; raises :class:`EngineNotAvailableError` if it cannot."""
    eng = _engine()
    return EngineInfo(
        python=platform.python_version(),
        python_executable=sys.executable,
        pythonnet=_package_version("pythonnet"),
        dotnet_runtime=str(eng.System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription),
        engine_version=str(eng.E.EngineInfo.Version),
        assembly_path=str(eng.assembly_path),
        platform=platform.platform(),
    )


def engine_version() -> str:
    return str(_engine().E.EngineInfo.Version)


# ---- bulk data in ----------------------------------------------------------------------------


def _contiguous(values: Any, dtype: type) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(values), dtype=dtype)


def candle_series(
    frame: pd.DataFrame,
    *,
    symbol: str = "",
    timeframe: str = "",
    price_step: float = 0.01,
    volume_step: float = 1.0,
) -> Any:
    """A .NET ``CandleSeries`` copied in bulk from ``frame`` (UTC DatetimeIndex, float open..volume).

    The numpy buffers stay alive (local references) for the duration of the copy.
    """
    index = frame.index
    if isinstance(index, pd.DatetimeIndex):
        times = _contiguous(index.as_unit("ns").asi8, np.int64)
    else:
        times = _contiguous(index, np.int64)
    cols = [
        _contiguous(frame[c].to_numpy(dtype=np.float64), np.float64)
        for c in ("open", "high", "low", "close", "volume")
    ]
    return candle_series_from_arrays(
        times, *cols, symbol=symbol, timeframe=timeframe, price_step=price_step, volume_step=volume_step
    )


def candle_series_from_arrays(
    times: np.ndarray,
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    *,
    symbol: str = "",
    timeframe: str = "",
    price_step: float = 0.01,
    volume_step: float = 1.0,
) -> Any:
    """A .NET ``CandleSeries`` from six equally long arrays (times in UTC ns), one bulk copy each."""
    eng = _engine()
    t = _contiguous(times, np.int64)
    arrays = [_contiguous(a, np.float64) for a in (open_, high, low, close, volume)]
    n = len(t)
    if any(len(a) != n for a in arrays):
        raise ValueError(f"column lengths differ: {[n] + [len(a) for a in arrays]}")
    ptrs = [eng.IntPtr(a.ctypes.data) for a in (t, *arrays)]
    return eng.E.CandleSeries.FromPointers(
        str(symbol), str(timeframe), n, *ptrs, float(price_step), float(volume_step)
    )


def with_instrument_specs(series: Any, spec: Any) -> Any:
    """``series`` (a .NET ``CandleSeries``) carrying the instrument specs ``spec`` (an
    :class:`pystocksharp.instruments.InstrumentSpec`; its price step replaces the series' own when given, a given
    volume step is enforced, fields not given keep the run's behaviour). The candle arrays are shared."""
    if spec is None or not spec.given():
        return series
    nan = float("nan")
    return series.WithSpecs(
        float(spec.price_step if spec.price_step is not None else series.PriceStep),
        float(spec.volume_step if spec.volume_step is not None else series.VolumeStep),
        spec.volume_step is not None,
        float(spec.multiplier if spec.multiplier is not None else 1.0),
        float(spec.commission if spec.commission is not None else nan),
        float(spec.commission_per_unit if spec.commission_per_unit is not None else nan),
    )


def to_net_doubles(values: Any) -> Any:
    """A .NET ``double[]`` copied from a numpy-convertible sequence with one ``Marshal.Copy``."""
    eng = _engine()
    arr = _contiguous(values, np.float64)
    net = eng.System.Array.CreateInstance(eng.System.Double, len(arr))
    if len(arr):
        eng.Marshal.Copy(eng.IntPtr(arr.ctypes.data), net, 0, len(arr))
    return net


def compute_indicator(name: str, values: Any, length: int) -> np.ndarray:
    """Whole-array engine indicator taking one series and a length (``SimpleMovingAverage``,
    ``ExponentialMovingAverage``, ``WeightedMovingAverage``, ``RelativeStrengthIndex``, ...):
    one ``Compute(double[], int)`` call, bulk copies both ways; NaN while not formed."""
    _engine()
    import PyStockSharp.Engine.Indicators as ind

    cls = getattr(ind, name, None)
    if cls is None or not hasattr(cls, "Compute"):
        raise ValueError(f"unknown engine indicator {name!r}")
    return to_numpy(cls.Compute(to_net_doubles(values), int(length)))


STOCKSHARP_LAYER_ASSEMBLY = "StockSharp.Compat.dll"


@functools.cache
def stocksharp_layer() -> Any:
    """The ``StockSharp.Algo.Indicators`` .NET namespace of the StockSharp API layer
    (``StockSharp.Compat.dll`` next to the engine; loads .NET on first use).

    Loading the layer also makes StockSharp's assembly names (``clr.AddReference("StockSharp.Algo")``)
    resolve to it, as StockSharp's Python strategies expect.
    """
    _load_stocksharp_layer()
    import StockSharp.Algo.Indicators as indicators_ns

    return indicators_ns


@functools.cache
def _load_stocksharp_layer() -> None:
    _engine()
    import clr

    path = engine_dir() / STOCKSHARP_LAYER_ASSEMBLY
    if not path.is_file():
        raise EngineNotAvailableError(
            f"the StockSharp layer is not built: {path} does not exist; {SETUP_HINT}"
        )
    clr.AddReference(str(path))
    import StockSharp

    StockSharp.StockSharpAssemblies.Install()


def stocksharp_strategy_class() -> Any:
    """The StockSharp layer's .NET ``StockSharp.Algo.Strategies.Strategy`` (for :mod:`pystocksharp.stocksharp`)."""
    _load_stocksharp_layer()
    import StockSharp.Algo.Strategies as strategies_ns

    return strategies_ns.Strategy


def stocksharp_namespace(name: str) -> Any:
    """A .NET namespace of the StockSharp layer or the framework (``"StockSharp.Messages"``, ``"System"``)."""
    _load_stocksharp_layer()
    import importlib

    return importlib.import_module(name)


def to_net_longs(values: Any) -> Any:
    """A .NET ``long[]`` copied from a numpy-convertible sequence with one ``Marshal.Copy``."""
    eng = _engine()
    arr = _contiguous(values, np.int64)
    net = eng.System.Array.CreateInstance(eng.System.Int64, len(arr))
    if len(arr):
        eng.Marshal.Copy(eng.IntPtr(arr.ctypes.data), net, 0, len(arr))
    return net


def net_dictionary(values: Mapping[str, Any]) -> Any:
    """A .NET ``Dictionary<string, object>`` of ``values`` (ints, floats, strings, bools)."""
    eng = _engine()
    from System.Collections.Generic import Dictionary

    d = Dictionary[eng.System.String, eng.System.Object]()
    for k, v in values.items():
        d[str(k)] = v
    return d


# ---- bulk data out ---------------------------------------------------------------------------

_NUMPY_OF_NET = {
    "Double": np.float64,
    "Int64": np.int64,
    "Int32": np.int32,
    "Byte": np.uint8,
    "Int16": np.int16,
    "Single": np.float32,
}


def to_numpy(net_array: Any) -> np.ndarray:
    """A numpy copy of a .NET primitive array (``double[]``, ``long[]``, ``int[]``, ``sbyte[]``...).

    One ``Marshal.Copy`` into the numpy buffer (``sbyte[]`` goes through ``Buffer.BlockCopy``).
    """
    eng = _engine()
    name = str(net_array.GetType().GetElementType().Name)
    n = int(net_array.Length)
    if name == "SByte":  # Marshal.Copy has no sbyte overload: reinterpret as bytes first
        raw = eng.System.Array.CreateInstance(eng.System.Byte, n)
        eng.System.Buffer.BlockCopy(net_array, 0, raw, 0, n)
        return to_numpy(raw).view(np.int8)
    try:
        dtype = _NUMPY_OF_NET[name]
    except KeyError:
        raise TypeError(f"no bulk copy for .NET {name}[]") from None
    out = np.empty(n, dtype=dtype)
    if n:
        eng.Marshal.Copy(net_array, 0, eng.IntPtr(out.ctypes.data), n)
    return out


def arrow_batch(net_batch: Any) -> pa.RecordBatch:
    """A pyarrow ``RecordBatch`` imported through the Arrow C Data Interface (zero copy)."""
    from pyarrow.cffi import ffi

    eng = _engine()
    c_array = ffi.new("struct ArrowArray*")
    c_schema = ffi.new("struct ArrowSchema*")
    array_ptr = int(ffi.cast("uintptr_t", c_array))
    schema_ptr = int(ffi.cast("uintptr_t", c_schema))
    eng.E.ArrowExport.Export(net_batch, eng.IntPtr(array_ptr), eng.IntPtr(schema_ptr))
    return pa.RecordBatch._import_from_c(array_ptr, schema_ptr)


_FILL_FIELDS = (("time", "Time"), ("side", "Side"), ("price", "Price"), ("volume", "Volume"), ("commission", "Commission"),
                ("order_id", "OrderId"), ("bar", "Bar"), ("realized_pnl", "RealizedPnL"))  # fmt: skip
_EQUITY_FIELDS = (("time", "Time"), ("close", "Close"), ("position", "Position"), ("cash", "Cash"), ("equity", "Equity"),
                  ("realized_pnl", "RealizedPnL"), ("unrealized_pnl", "UnrealizedPnL"), ("commission", "Commission"))  # fmt: skip
_ORDER_FIELDS = (("id", "Id"), ("side", "Side"), ("type", "Type"), ("volume", "Volume"), ("price", "Price"), ("state", "State"),
                 ("placed_bar", "PlacedBar"), ("done_bar", "DoneBar"), ("fill_price", "FillPrice"))  # fmt: skip


def _columns_to_arrow(columns: Any, fields: tuple[tuple[str, str], ...]) -> pa.RecordBatch:
    """Fallback export: one ``Marshal.Copy`` per whole column (no Arrow on the .NET side)."""
    arrays = []
    for py_name, net_name in fields:
        values = to_numpy(getattr(columns, net_name))
        if py_name == "time":
            arrays.append(pa.array(values.view("datetime64[ns]"), type=pa.timestamp("ns", tz="UTC")))
        else:
            arrays.append(pa.array(values))
    schema = pa.schema(
        [pa.field(name, a.type, nullable=False) for (name, _), a in zip(fields, arrays, strict=True)]
    )
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def result_batches(net_result: Any, *, use_c_data: bool = True) -> dict[str, pa.RecordBatch]:
    """``fills``, ``equity`` and ``orders`` of a .NET ``BacktestResult`` as pyarrow batches, and ``costs`` (per fill:
    order_id, placed_bar, reference_price, slippage, commission); a run over several instruments adds ``positions``
    (time and one position column per symbol) and a ``symbol`` column to ``fills``."""
    if use_c_data:
        batches = {
            "fills": arrow_batch(net_result.FillsToArrow()),
            "equity": arrow_batch(net_result.EquityToArrow()),
            "orders": arrow_batch(net_result.OrdersToArrow()),
        }
        if int(net_result.Instruments.Count) > 1:
            batches["positions"] = arrow_batch(net_result.PositionsToArrow())
        batches["costs"] = arrow_batch(net_result.CostsToArrow())
        return batches
    orders = _columns_to_arrow(net_result.Orders, _ORDER_FIELDS)
    reasons = [
        None if r is None else str(r) for r in net_result.Orders.RejectReason
    ]  # strings: per element, rare
    orders = orders.append_column(pa.field("reject_reason", pa.string()), pa.array(reasons, type=pa.string()))
    return {
        "fills": _columns_to_arrow(net_result.Fills, _FILL_FIELDS),
        "equity": _columns_to_arrow(net_result.Equity, _EQUITY_FIELDS),
        "orders": orders,
    }


def result_summary(net_result: Any) -> dict[str, float | int]:
    """The summary numbers of a .NET ``BacktestResult`` (fields of ``pystocksharp.backtest.BacktestSummary``)."""
    r = net_result
    return dict(
        initial_capital=float(r.InitialCapital),
        final_equity=float(r.FinalEquity),
        net_profit=float(r.NetProfit),
        realized_pnl=float(r.RealizedPnL),
        unrealized_pnl=float(r.UnrealizedPnL),
        commission=float(r.Commission),
        final_position=float(r.FinalPosition),
        fills=int(r.FillCount),
        round_trips=int(r.RoundTrips),
        max_drawdown=float(r.MaxDrawdown),
        orders=int(r.OrderCount),
        rejected=int(r.RejectedCount),
    )


# ---- settings and running --------------------------------------------------------------------


def emulation_settings(
    *,
    capital: float,
    commission: float,
    commission_per_unit: float,
    min_commission: float,
    slippage: float,
    slippage_steps: float,
    fill: str,
    leverage: float,
    participation: float | None = None,
    participation_remainder: str = "carry",
    impact: float = 0.0,
) -> Any:
    """A .NET ``EmulationSettings`` (fractions, not percent; ``fill`` is "next-open" or "close"; ``participation``
    a fraction of bar volume or None for off, ``participation_remainder`` "carry" or "cancel", ``impact`` the
    square-root impact coefficient k)."""
    E = _engine().E
    s = E.EmulationSettings()
    s.InitialCapital = float(capital)
    s.CommissionFraction = float(commission)
    s.CommissionPerUnit = float(commission_per_unit)
    s.MinCommission = float(min_commission)
    s.SlippageFraction = float(slippage)
    s.SlippageSteps = float(slippage_steps)
    s.MarketFill = E.MarketFillMode.Close if fill == "close" else E.MarketFillMode.NextOpen
    s.Leverage = float(leverage)
    if participation is not None:
        s.Participation = float(participation)
        s.ParticipationRemainder = (
            E.ParticipationRemainder.Cancel if participation_remainder == "cancel" else E.ParticipationRemainder.Carry
        )
    s.Impact = float(impact)
    return s


UNSUPPORTED_MEMBER = "StockSharp API member not supported yet"


def engine_strategy(strategy: Any) -> Any:
    """The engine ``Strategy`` that runs ``strategy``: itself, or the ``EngineStrategy`` of a StockSharp-style
    strategy (a Python subclass of the StockSharp layer's ``Strategy``; keep that Python object referenced
    while its engine strategy runs — pythonnet detaches a collected one)."""
    return getattr(strategy, "EngineStrategy", None) or strategy


def run(strategy: Any, series: Any, settings: Any) -> Any:
    """``BacktestEngine.Run`` on the calling thread; a Python strategy's exception propagates as is.

    A strategy whose setup does not fit its input (``StrategyInputException``: e.g. a candle type
    finer than the data) or that calls a StockSharp member the layer lacks raises :class:`InputError`.
    """
    eng = _engine()
    return _engine_run(strategy, lambda net: eng.E.BacktestEngine.Run(net, series, settings))


def run_series(strategy: Any, series: Sequence[Any], settings: Any) -> Any:
    """``BacktestEngine.Run`` over several series on one clock (the first is the primary, the others reach
    ``OnSeriesBar``); one series is :func:`run`. Errors as :func:`run`."""
    if len(series) == 1:
        return run(strategy, series[0], settings)
    eng = _engine()
    listed = eng.System.Array[eng.E.CandleSeries](list(series))
    return _engine_run(strategy, lambda net: eng.E.BacktestEngine.Run(net, listed, settings, True))


def _engine_run(strategy: Any, call: Callable[[Any], Any]) -> Any:
    eng = _engine()
    net = engine_strategy(strategy)
    try:
        return call(net)
    except eng.E.StrategyInputException as exc:
        raise InputError(
            f"strategy '{strategy.Name}' cannot run on this input",
            [Problem(_first_line(str(exc.Message)), field=str(exc.Field))],
        ) from None
    except eng.System.NotSupportedException as exc:
        message = _first_line(str(exc.Message))
        if UNSUPPORTED_MEMBER not in message:
            raise
        raise InputError(f"strategy '{strategy.Name}' uses the StockSharp API beyond this layer", [Problem(message)]) from None


def run_targets(series: Any, targets: np.ndarray, settings: Any, *, weights: bool = False) -> Any:
    """``BacktestEngine.RunTargets``: one call, the target position per bar copied in bulk (NaN = no change);
    ``weights``: targets are fractions of the equity, not units."""
    return _engine().E.BacktestEngine.RunTargets(series, to_net_doubles(targets), settings, bool(weights))


# ---- strategies ------------------------------------------------------------------------------


def base_strategy_class() -> Any:
    """The engine's abstract .NET ``Strategy`` class (for :mod:`pystocksharp.strategy`)."""
    return _engine().E.Strategy


def catalog_names() -> list[str]:
    return [str(n) for n in _engine().E.StrategyCatalog.Names]


def catalog_factory(name: str) -> Callable[[], Any]:
    """Factory of new instances of the built-in C# strategy ``name``."""
    E = _engine().E
    if not E.StrategyCatalog.Contains(name):
        raise InputError(
            f"unknown strategy '{name}'",
            [Problem(f"known C# strategies: {', '.join(catalog_names())}", field="strategy")],
        )
    return lambda: E.StrategyCatalog.Create(name)


def compile_csharp_strategy(
    path: str | os.PathLike[str], class_name: str | None, cache_dir: str | os.PathLike[str]
) -> Callable[[], Any]:
    """Compiles (or loads from the sha256-keyed cache) a user's .cs file; returns a factory of instances.

    Compile errors raise :class:`InputError` with one problem per error (file, line, message).
    """
    eng = _engine()
    E = eng.E
    try:
        net_type = E.CSharpStrategyCompiler.LoadStrategy(str(path), class_name, str(cache_dir))
    except E.StrategyCompilationException as exc:
        problems = _compile_problems(exc, str(path))
        compiled = not any(
            p.line is not None for p in problems
        )  # no file:line diagnostics: the class was the problem
        summary = f"no usable strategy class in {path}" if compiled else f"C# strategy {path} did not compile"
        raise InputError(summary, problems) from None
    except eng.System.IO.FileNotFoundException as exc:
        raise InputError(
            f"strategy file not found: {path}", [Problem(str(exc.Message), file=str(path), field="strategy")]
        ) from None
    factory = E.CSharpStrategyCompiler.CreateFactory(net_type)
    return lambda: factory.Invoke()


def _compile_problems(exc: Any, path: str) -> list[Problem]:
    problems = []
    for line in exc.Errors:
        m = _COMPILE_ERROR_LINE.match(str(line))
        if m:
            problems.append(Problem(m["message"], file=m["file"], line=int(m["line"])))
        else:
            problems.append(Problem(str(line), file=path))
    return problems


class ParamInfo(BaseModel):
    """A declared strategy parameter (values as Python scalars; optimization range inclusive)."""

    name: str
    type: str
    value: Any
    default: Any
    min: Any = None
    max: Any = None
    optimize_from: Any = None
    optimize_to: Any = None
    optimize_step: Any = None
    #: Discrete optimization values (StockSharp's ``SetOptimizeValues``); None when none were given.
    optimize_values: list[Any] | None = None
    can_optimize: bool = False
    display_name: str = ""
    description: str = ""
    group: str = ""


_TYPE_NAMES = {"Int32": "int", "Int64": "int", "Int16": "int", "Byte": "int", "Double": "float", "Single": "float",
               "Decimal": "float", "Boolean": "bool", "String": "str"}  # fmt: skip


def _py_scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # enums and other .NET values: their text


def strategy_parameters(strategy: Any) -> list[ParamInfo]:
    """The parameters a .NET strategy (C# or Python-derived) declared, with current values."""
    out = []
    for p in engine_strategy(strategy).Parameters:
        out.append(
            ParamInfo(
                name=str(p.Name),
                type=_TYPE_NAMES.get(str(p.ValueType.Name), str(p.ValueType.Name)),
                value=_py_scalar(p.Value),
                default=_py_scalar(p.DefaultValue),
                min=_py_scalar(p.Min),
                max=_py_scalar(p.Max),
                optimize_from=_py_scalar(p.OptimizeFrom),
                optimize_to=_py_scalar(p.OptimizeTo),
                optimize_step=_py_scalar(p.OptimizeStep),
                optimize_values=None if p.OptimizeValues is None else [_py_scalar(v) for v in p.OptimizeValues],
                can_optimize=bool(p.CanOptimize),
                display_name=str(p.DisplayName),
                description=str(p.Description),
                group=str(p.Group),
            )
        )
    return out


def set_parameters(strategy: Any, values: Mapping[str, Any]) -> None:
    """Sets parameters through the engine (conversion + validation); every bad one is reported at once."""
    System = _engine().System
    problems = []
    net = engine_strategy(strategy)
    for name, value in values.items():
        try:
            net.SetParameter(str(name), _net_value(value))
        except System.ArgumentException as exc:
            problems.append(Problem(_first_line(str(exc.Message)), field=str(name)))
    if problems:
        raise InputError(f"bad parameters for strategy '{strategy.Name}'", problems)


def _net_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _first_line(message: str) -> str:
    # ArgumentException appends " (Parameter 'name')" and the engine prefixes "parameter 'name': "
    first = message.splitlines()[0] if message else message
    return re.sub(r"^parameter '[^']*': ", "", re.sub(r" \(Parameter '[^']*'\)$", "", first))


def hosted_messages(strategy: Any) -> dict[str, list[str]]:
    """What a StockSharp-style strategy's last run left: ``log`` (its own LogInfo/LogWarning lines),
    ``notices`` (what the API layer said, e.g. a candle type adapted to the data) and ``annotations``
    (chart calls as ``kind|area|what``). Empty lists for engine strategies."""
    hosted = engine_strategy(strategy).Hosted
    if hosted is None:
        return {"log": [], "notices": [], "annotations": []}
    return {
        "log": [str(x) for x in hosted.LogMessages],
        "notices": [str(x) for x in hosted.Notices],
        "annotations": [str(x) for x in hosted.Annotations],
    }


def drawn_indicators(strategy: Any) -> list[dict[str, Any]]:
    """The indicators a StockSharp-style strategy drew (``DrawIndicator``) in its last run: one dict per line with
    ``name``, ``time_ns`` (UTC open times of the primary bars with a new value, int64), ``value`` (float64) and
    ``pane``: ``"pane"`` when it was drawn on an area of its own or its scale is not the price's (an oscillator), else
    None (the page's rule decides). Empty for engine strategies."""
    hosted = engine_strategy(strategy).Hosted
    if hosted is None:
        return []
    return [
        {
            "name": str(t.Name),
            "time_ns": to_numpy(t.OpenTimesNs),
            "value": to_numpy(t.Values),
            "pane": "pane" if str(t.Area) == "own" or str(t.Measure) != "Price" else None,
        }
        for t in hosted.DrawnIndicators
    ]


def strategy_name(strategy: Any) -> str:
    return str(strategy.Name)
