"""Python strategies on the engine's ``EnhancedStrategy``: events, protections, risk rules, Bind.

:class:`EnhancedStrategy` is a Python subclass (pythonnet) of the engine's .NET ``EnhancedStrategy``
and carries the same snake_case adapter as :class:`pystocksharp.Strategy` (``on_candle``,
``buy_market``, ``position``, :class:`~pystocksharp.strategy.Param` ...), plus::

    class Breakout(EnhancedStrategy):
        length = Param(20, min=2)

        def on_started(self):
            self.start_protection(take_profit=5, stop_loss=2, percent=True)   # 5 % / 2 % of the entry
            self.add_risk_rule("max_drawdown", 0.10)                          # fraction of the peak
            high = Indicators.Highest(self.length)
            self.subscribe_candles().bind(high, self.on_high)

        def on_high(self, candle, highest):                                   # called once formed
            ...

    s = Breakout()
    s.performance_updated += lambda p: print(p.equity, p.drawdown)

Threads and the GIL: every event is raised by the engine on its run thread, which for a single
backtest is the Python thread that called ``backtest``/``BacktestEngine.Run``; pythonnet takes the
GIL before calling a Python handler, so handlers are plain Python code (no locking needed for a
single run). ``performance_updated`` fires after each bar's row is recorded, ``trade_executed``
while the bar's fills are processed (after ``on_own_trade``), ``risk_violation_detected`` when a
rule trips, before its action. Under the optimizer's worker threads each run has its own instance
and its own thread.

Importing this module starts .NET (the class must subclass the .NET type).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from pystocksharp import bridge
from pystocksharp import strategy as _strategy
from pystocksharp.parameters import ParameterSet
from pystocksharp.strategy import Candle, Order, OwnTrade, Param

__all__ = [
    "RISK_ACTIONS",
    "RISK_RULES",
    "CandleSubscription",
    "EnhancedStrategy",
    "Indicators",
    "Param",
    "PerformanceUpdate",
    "RiskViolation",
    "TradeExecution",
    "connect",
    "parameter_definitions",
    "parameter_set",
]

_E = bridge.engine_namespace()
_NetEnhanced = _E.EnhancedStrategy
#: The engine's incremental indicator classes (``Indicators.SimpleMovingAverage(10)`` ...), for ``bind``.
Indicators = _E.Indicators

#: rule name -> .NET ``RiskRuleTypes`` member; thresholds: units, money, fraction of the peak, order count
RISK_RULES = {
    "max_position_size": "MaxPositionSize",
    "max_daily_loss": "MaxDailyLoss",
    "max_drawdown": "MaxDrawdown",
    "max_orders_per_day": "MaxOrdersPerDay",
}
RISK_ACTIONS = {"close_positions_and_stop": "ClosePositionsAndStop", "stop": "Stop", "warn": "Warn"}
_RULE_NAMES = {v: k for k, v in RISK_RULES.items()}
_ACTION_NAMES = {v: k for k, v in RISK_ACTIONS.items()}


class PerformanceUpdate(NamedTuple):
    """A bar close: the values of that bar's equity row. Money in account currency;
    ``drawdown`` = equity / peak - 1 (a fraction <= 0; the peak starts at the initial capital)."""

    bar: int
    time_ns: int
    equity: float
    position: float
    realized_pnl: float
    unrealized_pnl: float
    peak: float
    drawdown: float

    @property
    def time(self) -> pd.Timestamp:
        return pd.Timestamp(self.time_ns, unit="ns", tz="UTC")


class TradeExecution(NamedTuple):
    """An own trade and the order that caused it."""

    trade: OwnTrade
    order: Order


class RiskViolation(NamedTuple):
    """A tripped risk rule: ``rule`` and ``action`` as in :data:`RISK_RULES` / :data:`RISK_ACTIONS`;
    ``value`` and ``threshold`` in the rule's unit (units, money, fraction, order count)."""

    rule: str
    value: float
    threshold: float
    action: str
    bar: int
    time_ns: int

    @classmethod
    def from_net(cls, v: Any) -> RiskViolation:
        return cls(
            _RULE_NAMES[str(v.Rule)],
            float(v.Value),
            float(v.Threshold),
            _ACTION_NAMES[str(v.Action)],
            int(v.BarIndex),
            int(v.Time),
        )


def _perf(p: Any) -> PerformanceUpdate:
    return PerformanceUpdate(
        int(p.BarIndex),
        int(p.Time),
        float(p.Equity),
        float(p.Position),
        float(p.RealizedPnL),
        float(p.UnrealizedPnL),
        float(p.Peak),
        float(p.Drawdown),
    )


def _execution(e: Any) -> TradeExecution:
    return TradeExecution(OwnTrade.from_net(e.Trade), Order(e.Order))


class EventHook:
    """Handlers of one engine event: ``hook += fn`` / ``hook -= fn``; each gets one payload argument.
    The .NET event is subscribed when the first handler is added (no crossing otherwise)."""

    def __init__(self, owner: Any, net_event: str, convert: Callable[[Any], Any]) -> None:
        self._owner, self._net_event, self._convert = owner, net_event, convert
        self.handlers: list[Callable[[Any], Any]] = []
        self._subscribed = False

    def __iadd__(self, handler: Callable[[Any], Any]) -> EventHook:
        if not callable(handler):
            raise TypeError(f"an event handler must be callable, got {type(handler).__name__}")
        if not self._subscribed:
            net = getattr(self._owner, self._net_event)
            net += self._dispatch
            self._subscribed = True
        self.handlers.append(handler)
        return self

    def __isub__(self, handler: Callable[[Any], Any]) -> EventHook:
        self.handlers.remove(handler)
        return self

    def _dispatch(self, net_payload: Any) -> None:
        if self.handlers:
            payload = self._convert(net_payload)
            for h in list(self.handlers):
                h(payload)


_EVENTS = {
    "performance_updated": ("PerformanceUpdated", _perf),
    "trade_executed": ("TradeExecuted", _execution),
    "risk_violation_detected": ("RiskViolationDetected", lambda v: RiskViolation.from_net(v)),
}


def connect(strategy: Any, event: str, handler: Callable[[Any], Any]) -> EventHook:
    """Adds a Python handler to an event of any enhanced strategy instance (C# or Python), with the
    payloads converted as for :class:`EnhancedStrategy` (``performance_updated`` ...)."""
    if event not in _EVENTS:
        raise ValueError(f"unknown event {event!r}; one of {', '.join(_EVENTS)}")
    net_event, convert = _EVENTS[event]
    hook = EventHook(strategy, net_event, convert)
    hook += handler
    return hook


class _Event:
    """Descriptor giving each strategy instance its own :class:`EventHook`."""

    def __init__(self, net_event: str, convert: Callable[[Any], Any], doc: str) -> None:
        self.net_event, self.convert, self.__doc__ = net_event, convert, doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = f"_psx_event_{name}"

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        hook = getattr(obj, self.attr, None)
        if hook is None:
            hook = EventHook(obj, self.net_event, self.convert)
            setattr(obj, self.attr, hook)
        return hook

    def __set__(self, obj: Any, value: Any) -> None:  # `s.event += fn` assigns the same hook back
        if not isinstance(value, EventHook) or value is not self.__get__(obj):
            raise AttributeError("add handlers with `strategy.<event> += handler`")


class CandleSubscription:
    """``subscribe_candles().bind(ind1, ind2, handler)``: ``handler(candle, v1, v2)`` at each bar close once
    every bound indicator (the engine's incremental ones, fed by the engine) is formed."""

    def __init__(self, strategy: Any, net: Any) -> None:
        self._strategy, self.net = strategy, net

    def bind(self, *args: Any) -> CandleSubscription:
        *indicators, handler = args
        if not indicators or not callable(handler):
            raise TypeError("bind(indicator, ..., handler): at least one indicator, then a callable")
        binding = int(self.net.BindToStrategy(list(indicators)))
        self._strategy._psx_bindings[binding] = handler
        return self

    def start(self) -> CandleSubscription:
        """No-op (StockSharp's ``.Bind(...).Start()`` shape)."""
        return self


class _EnhancedMembers:
    """Members added to the adapter's (copied from :class:`pystocksharp.Strategy`)."""

    if TYPE_CHECKING:  # the .NET members and the adapter's, known at run time

        def __getattr__(self, name: str) -> Any: ...

    performance_updated = _Event("PerformanceUpdated", _perf, "bar close: :class:`PerformanceUpdate`")
    trade_executed = _Event("TradeExecuted", _execution, "each own trade: :class:`TradeExecution`")
    risk_violation_detected = _Event(
        "RiskViolationDetected", RiskViolation.from_net, "a rule tripped: :class:`RiskViolation`"
    )

    def __init__(self) -> None:
        _NetEnhanced.__init__(self)
        self._psx_declare()

    def OnStarted(self) -> None:  # noqa: N802 (.NET override)
        self._psx_mv: tuple[memoryview, ...] | None = None
        _ADAPTER_ON_STARTED(self)  # parameters, arrays, per-bar dispatch, on_started()
        cls: Any = type(self)
        if cls.on_bar is _strategy.Strategy.on_bar and cls.on_candle is _strategy.Strategy.on_candle:
            self._psx_bar = _no_bar  # nothing per bar in Python but the bound handlers: skip the Candle

    def OnBoundValues(self, binding: int, index: int, values: Any) -> None:  # noqa: N802 (.NET override)
        self._psx_bindings[binding](self._psx_candle(index), *values)

    def _psx_candle(self, i: int) -> Candle:
        mv = self._psx_mv
        if mv is None:  # memoryviews: plain Python scalars, no numpy ones
            mv = self._psx_mv = tuple(np.ascontiguousarray(a).data for a in self.arrays)
        t, o, h, lo, c, v = mv
        return tuple.__new__(Candle, (i, t[i], o[i], h[i], lo[i], c[i], v[i]))

    # ---- protections, risk rules, bind --------------------------------------------------------

    def start_protection(
        self,
        take_profit: float = 0.0,
        stop_loss: float = 0.0,
        *,
        percent: bool = False,
        trailing: bool = False,
    ) -> None:
        """Stop-loss / take-profit orders for every position (engine orders: usual fill rules, gaps included).

        Distances from the average entry price: price units, or percent (``2`` = 2 %) with ``percent``;
        0 disables a side. With ``trailing`` the stop follows the close at each bar close, never back.
        """
        self.StartProtection(float(take_profit), float(stop_loss), bool(percent), bool(trailing))

    def add_risk_rule(self, rule: str, threshold: float, action: str = "close_positions_and_stop") -> None:
        """Adds a rule (:data:`RISK_RULES`: ``max_position_size`` units, ``max_daily_loss`` money,
        ``max_drawdown`` fraction of the peak, ``max_orders_per_day`` count) with an action
        (:data:`RISK_ACTIONS`). Rules added in ``on_started`` last for that run."""
        if rule not in RISK_RULES:
            raise ValueError(f"unknown risk rule {rule!r}; one of {', '.join(RISK_RULES)}")
        if action not in RISK_ACTIONS:
            raise ValueError(f"unknown risk action {action!r}; one of {', '.join(RISK_ACTIONS)}")
        self.AddRiskRule(
            getattr(_E.RiskRuleTypes, RISK_RULES[rule]),
            float(threshold),
            getattr(_E.RiskActions, RISK_ACTIONS[action]),
        )

    def subscribe_candles(self) -> CandleSubscription:
        """A candle subscription; call it in ``on_started`` (bindings made there last for that run)."""
        if getattr(self, "_psx_bindings", None) is None:
            self._psx_bindings: dict[int, Callable[..., Any]] = {}
        return CandleSubscription(self, self.SubscribeCandles())

    def stop_trading(self, close_position: bool = True) -> None:
        """Cancels active orders, optionally closes the position, and stops calling the strategy."""
        self.StopTrading(bool(close_position))

    @property
    def risk_violations(self) -> list[RiskViolation]:
        """Violations recorded in the current (or last) run, in order."""
        return [RiskViolation.from_net(v) for v in self.RiskViolations]

    @property
    def is_trading_stopped(self) -> bool:
        return bool(self.IsTradingStopped)


_ADAPTER_ON_STARTED = vars(_strategy.Strategy)["OnStarted"]


def _no_bar(index: int) -> None:
    pass


def _adapter_members() -> dict[str, Any]:
    """The Python members of :class:`pystocksharp.Strategy` (callback overrides, snake_case API)."""
    keep = (types.FunctionType, property, classmethod, staticmethod)
    out: dict[str, Any] = {
        k: v for k, v in vars(_strategy.Strategy).items() if isinstance(v, keep) and not k.startswith("__")
    }
    out["name"] = None
    return out


def _enhanced_members() -> dict[str, Any]:
    skip = {"__dict__", "__weakref__", "__module__", "__qualname__", "__doc__"}
    return {k: v for k, v in vars(_EnhancedMembers).items() if k not in skip}


EnhancedStrategy: Any = type(_NetEnhanced)(
    "EnhancedStrategy",
    (_NetEnhanced,),
    {
        **_adapter_members(),
        **_enhanced_members(),
        "__namespace__": "PyStockSharp.Python.Enhanced",
        "__module__": __name__,
        "__qualname__": "EnhancedStrategy",
        "__doc__": "Base class of Python strategies on the engine's EnhancedStrategy (see the module docstring).",
        "_psx_adapter_root": True,
    },
)
for _k, _v in _enhanced_members().items():
    if isinstance(_v, _Event):
        _v.__set_name__(EnhancedStrategy, _k)


# ---- parameters ----------------------------------------------------------------------------------

_KINDS = {"int": "int", "float": "float", "bool": "bool", "str": "categorical"}


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def parameter_definitions(strategy: Any) -> list[dict[str, Any]]:
    """A .NET strategy's (C# or Python) declared parameters as ``ParameterDefinition`` dicts.

    Discrete values (``SetOptimizeValues``) become ``values``; else the optimization range
    (``SetOptimize(from, to, step)``) becomes min/max/step; else the validation range
    (``SetRange``) becomes min/max. Rules (``AddRule``) are passed as expressions.
    """
    infos = {p.name: p for p in bridge.strategy_parameters(strategy)}
    out = []
    for net in strategy.Parameters:
        info = infos[str(net.Name)]
        kind = _KINDS.get(info.type, "categorical")
        d: dict[str, Any] = {
            "name": info.name,
            "type": kind,
            "default": info.default,
            "description": info.description,
        }
        values = net.OptimizeValues
        if values is not None:
            d["values"] = [_scalar(v) for v in values]
        elif info.can_optimize and info.optimize_from is not None:
            d.update(min=info.optimize_from, max=info.optimize_to, step=info.optimize_step)
        elif kind in ("int", "float"):
            d.update(min=info.min, max=info.max)
        elif kind == "categorical":
            d["values"] = [info.default]
        rules = [str(r) for r in net.Rules]
        if rules:
            d["rules"] = rules
        out.append(d)
    return out


def parameter_set(strategy: Any, constraints: Any = ()) -> ParameterSet:
    """The :class:`~pystocksharp.parameters.ParameterSet` of a strategy's declared parameters."""
    return ParameterSet.from_strategy(parameter_definitions(strategy), constraints)
