"""StockSharp's Python strategies under CPython, unmodified.

StockSharp runs Python strategies in its own IronPython host; every strategy of its public
collection has such a twin of its C# version::

    import clr
    clr.AddReference("StockSharp.Algo.Strategies")
    from StockSharp.Algo.Strategies import Strategy

    class ema_cross_strategy(Strategy):
        def __init__(self):
            super(ema_cross_strategy, self).__init__()
            self._fast = self.Param("FastLength", 10).SetGreaterThanZero()
        def OnStarted2(self, time):
            super(ema_cross_strategy, self).OnStarted2(time)
            fast = ExponentialMovingAverage(); fast.Length = self._fast.Value
            self.SubscribeCandles(self.CandleType).Bind(fast, self.process_candle).Start()
        def process_candle(self, candle, fast_value): ...

Importing this module loads the StockSharp API layer and makes such files work under pythonnet:

* ``clr.AddReference("StockSharp.*")`` / ``("Ecng.*")`` resolve to the layer (``StockSharp.Compat.dll``);
* ``from StockSharp.Algo.Strategies import Strategy`` gives :class:`Strategy` below: a Python class over
  a pythonnet subclass of the layer's .NET ``Strategy`` (:class:`_Host`) whose public .NET hooks call the
  StockSharp-named Python methods (``OnReseted``, ``OnStarted``/``OnStarted2``,
  ``OnOwnTradeReceived``/``OnNewMyTrade``, ``OnOrderChanged``, ``OnPositionChanged``, ``OnStopped``),
  since pythonnet cannot override the protected members a C# subclass overrides;
* ``self.Param("Name", default)`` picks the parameter type from the default (int → Int32,
  float → Decimal as StockSharp's decimal parameters, bool, str, .NET objects by their type) and
  ``self.Param[Security]("Name", None)`` names it;
* ``SubscribeCandles(...).Bind(ind1, ..., handler)`` calls ``handler(candle, v1, ...)`` with one value
  per simple indicator and one per inner value of a complex one, ``BindEx`` with the raw values (each
  as its own class, e.g. ``BollingerBandsValue``), one .NET -> Python call per candle;
* System.Decimal values arrive as :class:`~pystocksharp.netdecimal.NetDecimal` (exact, and computing
  with floats), a ``Bind`` handler's indicator values as :class:`~pystocksharp.netdecimal.NetFloat` (the
  same decimal, made only when needed) and enums as ``NetEnum`` ints; Python numbers are accepted where
  .NET wants a decimal (the bridge's codec), so ``float(x)``, ``x > 1.5`` and ``self.Volume + 1`` work;
* ``from System import Math``: ``Abs``/``Max``/``Min``/``Sign`` of Python numbers are computed here (with
  .NET's result types), the rest is .NET's ``Math``.

Fills, orders, positions and PnL are the engine's, exactly as for the C# strategy: a ``.py`` twin of a
``.cs`` strategy gives identical fills.
"""

from __future__ import annotations

import ast
import decimal
import importlib
import struct
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pystocksharp import bridge
from pystocksharp.netdecimal import NetDecimal, NetFloat

__all__ = ["Strategy", "prepare_module"]

_NetStrategy = bridge.stocksharp_strategy_class()
_System = bridge.stocksharp_namespace("System")
_Messages = bridge.stocksharp_namespace("StockSharp.Messages")
_Indicators = bridge.stocksharp_namespace("StockSharp.Algo.Indicators")
_Decimal = _System.Decimal
_CandleMessage = _Messages.ICandleMessage
_Level1 = _Messages.Level1ChangeMessage
_IIndicator = _Indicators.IIndicator
_IValue = _Indicators.IIndicatorValue

def _param_type(value: Any) -> Any:
    """The .NET type of a parameter declared with ``value`` as its default."""
    if isinstance(value, bool):
        return _System.Boolean
    if isinstance(value, int):
        return _System.Int32 if -(2**31) <= value < 2**31 else _System.Int64
    if isinstance(value, float):
        return _System.Decimal  # StockSharp's numeric parameters are decimal
    if isinstance(value, str):
        return _System.String
    if value is None:
        raise TypeError("Param(name, None): give the type as self.Param[Type](name, None)")
    get_type = getattr(value, "GetType", None)
    if get_type is None:
        raise TypeError(f"Param default {value!r}: use an int, float, bool, str or a .NET value")
    return get_type()


class _ParamMethod:
    """``self.Param(name, default)`` and ``self.Param[Type](name, default)``."""

    __slots__ = ("_owner",)

    def __init__(self, owner: Any) -> None:
        self._owner = owner

    def __call__(self, name: str, value: Any = None) -> Any:
        return _NetStrategy.Param[_param_type(value)](self._owner, name, value)

    def __getitem__(self, net_type: Any) -> Callable[..., Any]:
        return lambda name, value=None: _NetStrategy.Param[net_type](self._owner, name, value)


_FINISHED = _Messages.CandleStates.Finished
_DECIMALS: dict[float, NetDecimal] = {}


def _dec(x: float) -> NetDecimal:
    """The decimal a double of the buffer stands for (its shortest repr), cached: prices and positions repeat."""
    d = _DECIMALS.get(x)
    if d is None:
        if len(_DECIMALS) > 200_000:
            _DECIMALS.clear()
        d = _DECIMALS[x] = NetDecimal(repr(x))
    return d


class _Candle:
    """A finished candle as the fast path hands it: prices as exact decimals (:class:`NetDecimal`), times as
    .NET ``DateTime`` (UTC), ``State`` Finished. Passed to a .NET method it becomes a .NET candle (the codec)."""

    __slots__ = ("_v",)

    def __init__(self, values: tuple[float, ...]) -> None:
        self._v = values  # the fast path's buffer slots (see the layout at Strategy.PythonBound in C#)

    State = _FINISHED

    @property
    def _ticks(self) -> int:
        return (int(self._v[6]) << 32) | int(self._v[7])

    @property
    def _tf(self) -> float:
        return self._v[8]

    @property
    def OpenPrice(self) -> NetDecimal:  # noqa: N802 (StockSharp's names)
        return _dec(self._v[0])

    @property
    def HighPrice(self) -> NetDecimal:  # noqa: N802
        return _dec(self._v[1])

    @property
    def LowPrice(self) -> NetDecimal:  # noqa: N802
        return _dec(self._v[2])

    @property
    def ClosePrice(self) -> NetDecimal:  # noqa: N802
        return _dec(self._v[3])

    @property
    def TotalVolume(self) -> NetDecimal:  # noqa: N802
        return _dec(self._v[4])

    @property
    def OpenTime(self) -> Any:  # noqa: N802
        return _System.DateTime(self._ticks, _System.DateTimeKind.Utc)

    @property
    def CloseTime(self) -> Any:  # noqa: N802
        return _System.DateTime(self._ticks + int(round(self._tf * 10_000_000)), _System.DateTimeKind.Utc)

    ServerTime = CloseTime
    HighTime = OpenTime
    LowTime = OpenTime

    def __getattr__(self, name: str) -> Any:
        """Any other candle member (BuyVolume, OpenInterest …): the .NET candle's."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._psx_net(), name)

    def _psx_net(self) -> Any:
        """This candle as a .NET ``TimeFrameCandleMessage`` (for .NET methods that take a candle)."""
        c = _Messages.TimeFrameCandleMessage(_System.TimeSpan.FromSeconds(self._tf))
        c.OpenPrice, c.HighPrice, c.LowPrice = self.OpenPrice, self.HighPrice, self.LowPrice
        c.ClosePrice, c.TotalVolume = self.ClosePrice, self.TotalVolume
        c.OpenTime, c.CloseTime, c.ServerTime = self.OpenTime, self.CloseTime, self.CloseTime
        c.State = _FINISHED
        return c

    def __repr__(self) -> str:
        return f"Candle(O={self._v[0]} H={self._v[1]} L={self._v[2]} C={self._v[3]} V={self._v[4]})"


class _Subscription:
    """A subscription handler whose ``Bind``/``BindEx`` take Python callables (any number of indicators)."""

    __slots__ = ("_message", "_net", "_owner")

    def __init__(self, net: Any, message: Any, owner: Any = None) -> None:
        self._net = net
        self._message = message
        self._owner = owner  # a Strategy of this module: candles take the fast path

    @property
    def Subscription(self) -> Any:  # noqa: N802 (StockSharp's name)
        return self._net.Subscription

    def Bind(self, *args: Any) -> _Subscription:  # noqa: N802
        """``Bind(handler)`` (candles only) or ``Bind(ind1, ..., handler)``: the handler gets the candle and
        the indicators' values as decimals once all are formed."""
        *indicators, callback = args
        if self._owner is not None:
            self._owner._psx_bind(self._net, indicators, callback, raw=False, allow_empty=False)
            return self
        if not indicators:
            self._net.Bind(_System.Action[self._message](callback))
            return self
        values = _System.Action[self._message, _System.Array[_Decimal]](lambda c, v: callback(c, *v))
        self._net.Bind(_System.Array[_IIndicator](indicators), values)
        return self

    def BindEx(self, *args: Any, allowEmpty: bool = False) -> _Subscription:  # noqa: N802, N803
        """``BindEx(ind1, ..., handler)``: the handler gets the candle and the raw indicator values."""
        *indicators, callback = args
        if indicators and isinstance(indicators[-1], bool):
            allowEmpty = indicators.pop()
        if self._owner is not None:
            self._owner._psx_bind(self._net, indicators, callback, raw=True, allow_empty=allowEmpty)
            return self
        raw = _System.Action[self._message, _System.Array[_IValue]](lambda c, v: callback(c, *v))
        self._net.BindEx(_System.Array[_IIndicator](indicators), raw, allowEmpty)
        return self

    def Start(self) -> _Subscription:  # noqa: N802
        self._net.Start()
        return self

    def Stop(self) -> _Subscription:  # noqa: N802
        self._net.Stop()
        return self


class _FastState:
    """What the fast path keeps (a plain object: attributes of the pythonnet strategy object are slower)."""

    __slots__ = ("bindings", "buf", "can_trade", "pos", "volume")

    def __init__(self) -> None:
        # per binding: the callback, a reader of its buffer slots (a tuple of floats), its number of slots, raw
        self.bindings: list[tuple[Callable[..., Any], Callable[[Any], tuple[float, ...]], int, bool]] = []
        self.buf: Any = None
        self.pos: float | None = None  # inside a handler: the position, else None
        self.can_trade: bool | None = None
        self.volume: Any = None  # Volume as last read from .NET (None: read it again)


#: Python hooks of :class:`_Host` and the overridable each serves (``Strategy.PythonHook`` flags in C#).
_HOOK_FLAGS = {"OnNewMyTrade": 1, "OnOwnTradeReceived": 1, "OnOrderChanged": 2, "OnPositionChanged": 4}


def _python_hooks(cls: type) -> int:
    """The fill hooks a strategy class needs: those whose StockSharp method it overrides (the others are
    never called from .NET, saving a .NET -> Python call per fill)."""
    flags = 0
    for name, flag in _HOOK_FLAGS.items():
        if getattr(cls, name) is not getattr(Strategy, name):
            flags |= flag
    return flags


def _pinned_buffer(strategy: Any) -> Any:
    """The strategy's pinned .NET ``double[]`` as a numpy array (no copy)."""
    import ctypes

    import numpy as np

    n = int(_NetStrategy.PythonBufferLength)
    return np.ctypeslib.as_array((ctypes.c_double * n).from_address(int(strategy.PythonBufferAddress)))


def _net_subscription(sub: Any) -> Any:
    return sub._net if isinstance(sub, _Subscription) else sub


class _Host(_NetStrategy):  # type: ignore[misc, valid-type]
    """The .NET side of a Python :class:`Strategy`: a pythonnet subclass of the layer's .NET ``Strategy`` whose
    public hooks call the Python strategy (pythonnet cannot override the protected members a C# subclass does)."""

    __namespace__ = "PyStockSharp.StockSharpPython"

    def PythonBound(self, binding: int) -> None:  # noqa: N802 (.NET hook)
        self._owner._psx_bound(binding)

    def PythonReseted(self) -> None:  # noqa: N802
        owner = self._owner
        owner._psx.volume = None
        owner.OnReseted()

    def PythonStarted(self, time: Any) -> None:  # noqa: N802
        owner = self._owner
        owner.OnStarted(time)
        owner.OnStarted2(time)

    def PythonOwnTrade(self, trade: Any) -> None:  # noqa: N802
        owner = self._owner
        owner.OnNewMyTrade(trade)
        owner.OnOwnTradeReceived(trade)

    def PythonOrderChanged(self, order: Any) -> None:  # noqa: N802
        self._owner.OnOrderChanged(order)

    def PythonOrderRegisterFailed(self, fail: Any) -> None:  # noqa: N802
        self._owner.OnOrderRegisterFailed(fail, True)

    def PythonPositionChanged(self, diff: Any) -> None:  # noqa: N802
        self._owner.OnPositionChanged(diff)

    def PythonStopped(self) -> None:  # noqa: N802
        self._owner.OnStopped()


class Strategy:
    """StockSharp's ``Strategy`` for Python strategies (see the module doc). Subclass it as in StockSharp.

    A plain Python object (its own attributes are as fast as any Python object's) over a .NET strategy
    (:class:`_Host`, ``self.EngineStrategy`` runs it): StockSharp's members not defined here (``BuyMarket``,
    ``Volume``, ``Security``, ``LogInfo`` …) are the .NET strategy's, read and set through it.
    """

    _psx_stocksharp_root = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        net = _Host()
        net._owner = self
        net.Name = type(self).__name__
        net.PythonHooks = _python_hooks(type(self))
        self._net = net
        self._psx = _FastState()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._net, name)

    # ---- the fast path: one .NET -> Python call per candle, numbers read from a pinned buffer --------------

    def _psx_bind(self, net: Any, indicators: Any, callback: Callable[..., Any], *, raw: bool, allow_empty: bool) -> None:
        st = self._psx
        if st.buf is None:
            st.buf = _pinned_buffer(self._net)
            self._net.PythonBoundCallback = bridge.int_action(self._psx_bound)
        binding = len(st.bindings)
        count = net.BindPython(_System.Array[_IIndicator](list(indicators)), binding, raw, allow_empty)
        end = 10 + (0 if raw else int(count))
        st.bindings.append((callback, struct.Struct(f"{end}d").unpack_from, end, raw))

    def _psx_bound(self, binding: int) -> None:
        st = self._psx
        callback, read, end, raw = st.bindings[binding]
        v = read(st.buf)
        st.pos = v[5]
        st.can_trade = v[9] == 1.0
        try:
            if raw:
                callback(_Candle(v), *self._net.PythonRawValues)  # the codec hands each as its own class
            elif end > 10:
                callback(_Candle(v), *map(NetFloat, v[10:]))  # decimals made only when used (see NetFloat)
            else:
                callback(_Candle(v))
        finally:
            st.pos = st.can_trade = None

    def IsFormedAndOnlineAndAllowTrading(self, type: Any = None) -> bool:  # noqa: N802, A002
        """As .NET's; inside a candle handler read from the fast path's buffer."""
        can = self._psx.can_trade
        if can is not None and type is None:
            return can
        return bool(self._net.IsFormedAndOnlineAndAllowTrading(type))

    @property
    def Volume(self) -> Any:  # noqa: N802
        """The default order volume (a decimal; kept here too, as strategies read it at every order)."""
        v = self._psx.volume
        if v is None:
            v = self._psx.volume = self._net.Volume
        return v

    @Volume.setter
    def Volume(self, value: Any) -> None:  # noqa: N802
        self._net.Volume = value
        self._psx.volume = None

    def BuyMarket(self, volume: Any = None, security: Any = None) -> Any:  # noqa: N802
        """A market buy of ``volume`` (default ``Volume``), as .NET's ``BuyMarket``."""
        return self._psx_market(True, volume, security)

    def SellMarket(self, volume: Any = None, security: Any = None) -> Any:  # noqa: N802
        """A market sell of ``volume`` (default ``Volume``), as .NET's ``SellMarket``."""
        return self._psx_market(False, volume, security)

    def _psx_market(self, buy: bool, volume: Any, security: Any) -> Any:
        net = self._net
        if security is not None or not isinstance(volume, int | float | decimal.Decimal | None):
            return net.BuyMarket(volume, security) if buy else net.SellMarket(volume, security)
        # a .NET property set costs ~1 µs, a method call through pythonnet 10-50 µs (see PythonMarketOrder in C#)
        side = "B" if buy else "S"
        net.PythonMarketOrder = side if volume is None else side + (float.__repr__(volume) if isinstance(volume, float) else str(volume))
        return net.PythonLastOrder

    @property
    def Position(self) -> Any:  # noqa: N802
        """The position (a decimal); inside a candle handler read from the fast path's buffer."""
        p = self._psx.pos
        if p is not None:
            return _dec(p)
        return self._net.Position

    # ---- StockSharp's overridables (what super() calls reach) --------------------------------------

    def OnReseted(self) -> None:  # noqa: N802
        pass

    def OnStarted(self, time: Any) -> None:  # noqa: N802
        pass

    def OnStarted2(self, time: Any) -> None:  # noqa: N802
        pass

    def OnNewMyTrade(self, trade: Any) -> None:  # noqa: N802
        pass

    def OnOwnTradeReceived(self, trade: Any) -> None:  # noqa: N802
        pass

    def OnOrderChanged(self, order: Any) -> None:  # noqa: N802
        pass

    def OnOrderRegisterFailed(self, fail: Any, calc_risk: bool = True) -> None:  # noqa: N802
        pass

    def OnPositionChanged(self, diff: Any) -> None:  # noqa: N802
        pass

    def OnStopped(self) -> None:  # noqa: N802
        pass

    def CreateClone(self) -> Any:  # noqa: N802
        return type(self)()

    def GetWorkingSecurities(self) -> Any:  # noqa: N802
        return []

    # ---- members whose .NET form does not suit Python ----------------------------------------------

    @property
    def Param(self) -> _ParamMethod:  # noqa: N802
        return _ParamMethod(self._net)

    def SubscribeCandles(self, data_type: Any, isFinishedOnly: bool = True, security: Any = None) -> _Subscription:  # noqa: N802, N803
        if not isinstance(data_type, _Messages.DataType):
            data_type = _Messages.DataType.TimeFrame(data_type)  # a TimeSpan
        return _Subscription(self._net.SubscribeCandles(data_type, isFinishedOnly, security), _CandleMessage, self)

    def SubscribeLevel1(self, subscription: Any = None) -> _Subscription:  # noqa: N802
        return _Subscription(self._net.SubscribeLevel1(subscription), _Level1)

    def DrawCandles(self, area: Any, subscription: Any) -> Any:  # noqa: N802
        return self._net.DrawCandles(area, _net_subscription(subscription))


#: The .NET strategy's settable properties: on the Python strategy they read and write the .NET ones.
_NET_SETTABLE = ("Name", "Id", "Security", "Portfolio", "Comment", "LogLevel", "Connector", "WaitRulesOnStop",
                 "DisposeOnStop", "CancelOrdersWhenStopping", "WaitAllTrades", "CommentOrders")  # fmt: skip


def _forward(name: str) -> property:
    return property(lambda self: getattr(self._net, name), lambda self, value: setattr(self._net, name, value),
                    doc=f"The .NET strategy's {name}.")  # fmt: skip


for _name in _NET_SETTABLE:
    setattr(Strategy, _name, _forward(_name))


class _Namespace(types.ModuleType):
    """A .NET namespace with some names replaced (see :func:`_proxy_module`)."""

    _psx_real: Any

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._psx_real, attr)


def _proxy_module(name: str, overrides: dict[str, Any]) -> types.ModuleType:
    """A module that is the .NET namespace ``name`` but for ``overrides``."""
    real = importlib.import_module(name)
    module = _Namespace(name)
    module.__dict__["_psx_real"] = real
    module.__dict__.update(overrides)
    module.__path__ = getattr(real, "__path__", [])  # type: ignore[attr-defined]
    return module


#: Our versions of the helper modules StockSharp's Python strategies import (datatype_extensions …).
_HELPERS = str(Path(__file__).resolve().parent / "_stocksharp_py")


def _net_decimal(*args: Any) -> Any:
    """``System.Decimal(x)`` in a StockSharp Python strategy: an exact :class:`NetDecimal` of a number (pythonnet
    offers only Decimal's double and integer constructors, which refuse a decimal); other forms as .NET's."""
    if len(args) == 1:
        x = args[0]
        if isinstance(x, float):
            return NetDecimal(repr(x))
        if isinstance(x, int | str | decimal.Decimal) and not isinstance(x, bool):
            return NetDecimal(x)
    return _Decimal(*args)


def _float(x: Any = 0.0) -> float:
    """``float(x)`` in a StockSharp Python strategy: also of an indicator value (its decimal), as StockSharp's
    host allows."""
    try:
        return float(x)
    except TypeError:
        if hasattr(x, "ToDecimal"):
            return float(x.ToDecimal())
        raise


class _DecimalCalls(ast.NodeTransformer):
    """Rewrites ``Decimal(x)`` and ``System.Decimal(x)`` calls (System's Decimal) into ``__psx_decimal__(x)``, and
    ``float(x)`` into ``__psx_float__(x)``."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def visit_Call(self, node: ast.Call) -> ast.AST:  # noqa: N802 (ast's name)
        self.generic_visit(node)
        f = node.func
        if (isinstance(f, ast.Name) and f.id in self.names) or (
            isinstance(f, ast.Attribute) and f.attr == "Decimal" and isinstance(f.value, ast.Name) and f.value.id == "System"
        ):
            node.func = ast.copy_location(ast.Name(id="__psx_decimal__", ctx=ast.Load()), f)
        elif isinstance(f, ast.Name) and f.id == "float":
            node.func = ast.copy_location(ast.Name(id="__psx_float__", ctx=ast.Load()), f)
        return node


def prepare_module(module: types.ModuleType) -> Callable[[ast.Module], ast.Module]:
    """How a StockSharp-style Python file is loaded (see :func:`pystocksharp.resolver.load_python_module`):
    its calls of System's ``Decimal`` become exact decimals and ``float()`` also takes indicator values; nothing
    else of the file changes, and the file itself is never written."""
    module.__dict__["__psx_decimal__"] = _net_decimal
    module.__dict__["__psx_float__"] = _float

    def transform(tree: ast.Module) -> ast.Module:
        names = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "System"
            for alias in node.names
            if alias.name == "Decimal"
        }
        return ast.fix_missing_locations(_DecimalCalls(names).visit(tree))

    return transform


class _CachedEnum:
    """A .NET enum type whose members are looked up once (pythonnet resolves ``CandleStates.Finished`` anew at
    every access, ~3 µs, and strategies test it on every candle). Members are what the codec makes of them
    (``NetEnum`` ints)."""

    def __init__(self, net_enum: Any) -> None:
        self.__dict__["_psx_net"] = net_enum

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._psx_net, name)
        self.__dict__[name] = value
        return value

    def __call__(self, *args: Any) -> Any:
        return self._psx_net(*args)

    def __repr__(self) -> str:
        return repr(self._psx_net)


_NUMBER = (int, float, decimal.Decimal)


def _as_net_number(x: Any, like: tuple[Any, ...]) -> Any:
    """``x`` as .NET would type a result of numbers ``like``: decimal if one is a decimal, else double if one
    is a float, else the integer."""
    if any(isinstance(v, decimal.Decimal) for v in like):
        return x if isinstance(x, NetDecimal) else NetDecimal(repr(x) if isinstance(x, float) else x)
    if any(isinstance(v, float) for v in like):
        return float(x)
    return x


class _Math:
    """``System.Math`` for StockSharp Python strategies: ``Abs``, ``Max``, ``Min`` and ``Sign`` of Python numbers
    (ints, floats, decimals) computed here with .NET's result types — through pythonnet each call costs 100–300 µs
    of overload resolution, and strategies call them on every candle. Everything else is .NET's ``Math``."""

    def __init__(self, net_math: Any) -> None:
        self.__dict__["_psx_net"] = net_math

    def __getattr__(self, name: str) -> Any:
        return getattr(self._psx_net, name)

    def Abs(self, x: Any) -> Any:  # noqa: N802 (.NET's name)
        if isinstance(x, _NUMBER) and not isinstance(x, bool):
            return _as_net_number(abs(x), (x,))
        return self._psx_net.Abs(x)

    def Max(self, a: Any, b: Any) -> Any:  # noqa: N802
        if isinstance(a, _NUMBER) and isinstance(b, _NUMBER) and not isinstance(a, bool) and not isinstance(b, bool):
            return _as_net_number(b if b > a else a, (a, b))
        return self._psx_net.Max(a, b)

    def Min(self, a: Any, b: Any) -> Any:  # noqa: N802
        if isinstance(a, _NUMBER) and isinstance(b, _NUMBER) and not isinstance(a, bool) and not isinstance(b, bool):
            return _as_net_number(b if b < a else a, (a, b))
        return self._psx_net.Min(a, b)

    def Sign(self, x: Any) -> int:  # noqa: N802
        if isinstance(x, _NUMBER) and not isinstance(x, bool):
            if x != x:  # NaN: .NET throws ArithmeticException
                return int(self._psx_net.Sign(float(x)))
            return (x > 0) - (x < 0)
        return int(self._psx_net.Sign(x))


#: StockSharp.Messages enums that strategies read on every candle or order.
_MESSAGE_ENUMS = ("CandleStates", "Sides", "OrderTypes", "OrderStates", "UnitTypes", "Level1Fields", "TimeInForce",
                  "SecurityTypes", "ProcessStates", "LogLevels")  # fmt: skip


def _install() -> None:
    if _HELPERS not in sys.path:
        sys.path.append(_HELPERS)
    if not isinstance(sys.modules.get("StockSharp.Messages"), _Namespace):
        enums = {name: _CachedEnum(getattr(_Messages, name)) for name in _MESSAGE_ENUMS}
        sys.modules["StockSharp.Messages"] = _proxy_module("StockSharp.Messages", enums)
    if not isinstance(sys.modules.get("System"), _Namespace):
        sys.modules["System"] = _proxy_module("System", {"Math": _Math(_System.Math)})
    if getattr(sys.modules.get("StockSharp.Algo.Strategies"), "Strategy", None) is not Strategy:
        sys.modules["StockSharp.Algo.Strategies"] = _proxy_module("StockSharp.Algo.Strategies", {"Strategy": Strategy})


_install()
