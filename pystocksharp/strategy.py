"""Python strategies run bar by bar by the .NET engine.

:class:`Strategy` is a Python subclass (pythonnet, ``__namespace__ = "PyStockSharp.Python"``) of
the engine's .NET ``Strategy``. Users subclass it and override snake_case callbacks::

    class MyStrategy(Strategy):
        name = "my_strategy"
        length = Param(20, min=1)

        def on_candle(self, candle):          # bar `candle.index` has closed
            if candle.close > candle.open and self.position <= 0:
                self.buy_market(1)

The adapter hands the engine one .NET delegate (``BarCallback``, faster to dispatch than an override of
``OnBar(int)``), so there is one boundary crossing per bar (.NET -> Python, on the thread that called
``backtest``). The whole OHLCV is fetched once at
start (numpy arrays in :attr:`Strategy.arrays`); candles are built in Python from them.
Orders, fills, positions and PnL are the engine's: the actions below only place orders.

Importing this module starts .NET (the class must subclass the .NET type); ``import pystocksharp``
does not.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

import numpy as np
import pandas as pd

from pystocksharp import bridge
from pystocksharp.strategy_param import Param, declared_params

__all__ = ["Candle", "OhlcvArrays", "Order", "OwnTrade", "Param", "Strategy"]

_NetStrategy = bridge.base_strategy_class()

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


class Candle(NamedTuple):
    """One closed bar. ``time_ns``: open time, UTC nanoseconds since the epoch."""

    index: int  # type: ignore[assignment]  # shadows tuple.index on purpose
    time_ns: int
    open: float
    high: float
    low: float
    close: float
    volume: float

    @property
    def time(self) -> pd.Timestamp:
        """Open time as a UTC ``pd.Timestamp``."""
        return pd.Timestamp(self.time_ns, unit="ns", tz="UTC")


class OwnTrade(NamedTuple):
    """A fill of one of the strategy's orders. ``side``: +1 buy, -1 sell; money in account currency;
    ``realized_pnl`` gross of commission."""

    order_id: int
    bar: int
    time_ns: int
    side: int
    price: float
    volume: float
    commission: float
    realized_pnl: float
    #: The instrument's symbol (several-instrument runs; the data's symbol otherwise).
    symbol: str = ""

    @classmethod
    def from_net(cls, t: Any) -> OwnTrade:
        side = 1 if str(t.Side) == "Buy" else -1
        instrument = t.Instrument
        return cls(
            int(t.OrderId),
            int(t.BarIndex),
            int(t.Time),
            side,
            float(t.Price),
            float(t.Volume),
            float(t.Commission),
            float(t.RealizedPnL),
            "" if instrument is None else str(instrument.Id),
        )


class Order:
    """A live view of an engine order (its state is kept by the engine)."""

    __slots__ = ("net",)

    def __init__(self, net: Any) -> None:
        self.net = net

    id = property(lambda self: int(self.net.Id))
    side = property(lambda self: 1 if str(self.net.Side) == "Buy" else -1, doc="+1 buy, -1 sell")
    type = property(lambda self: str(self.net.Type).lower(), doc='"market", "limit" or "stop"')
    volume = property(lambda self: float(self.net.Volume))
    price = property(lambda self: float(self.net.Price), doc="limit/stop price; 0 for market orders")
    state = property(
        lambda self: str(self.net.State).lower(), doc='"active", "filled", "cancelled" or "rejected"'
    )
    reject_reason = property(
        lambda self: None if self.net.RejectReason is None else str(self.net.RejectReason)
    )
    placed_bar = property(lambda self: int(self.net.PlacedBar))
    done_bar = property(lambda self: int(self.net.DoneBar), doc="-1 while active")
    fill_price = property(lambda self: float(self.net.FillPrice), doc="NaN unless filled")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Order) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"Order(id={self.id}, side={self.side:+d}, type={self.type}, volume={self.volume}, price={self.price}, state={self.state})"


class OhlcvArrays(NamedTuple):
    """The whole series as numpy arrays (read-only by convention): time in UTC ns, float64 prices."""

    time: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray


def _no_more_namespace(cls: type) -> None:
    for klass in cls.__mro__:
        if klass is Strategy or vars(klass).get("_psx_adapter_root"):  # adapter on another .NET base
            return
        if "__namespace__" not in vars(klass):
            continue
        raise TypeError(
            f"{klass.__name__}: do not set __namespace__ in a subclass of pystocksharp.Strategy "
            "(the adapter already is the .NET type; a second one breaks the callbacks)"
        )


class Strategy(_NetStrategy):  # type: ignore[misc,valid-type]  # a .NET type, known at run time
    """Base class of Python strategies run bar by bar by the engine.

    Override any of :meth:`on_started`, :meth:`on_candle` (or the cheaper :meth:`on_bar`),
    :meth:`on_own_trade`, :meth:`on_order_changed`, :meth:`on_stopped`. Declare parameters as
    :class:`Param` class attributes; set ``name`` for the strategy's name (default: the class name).
    Subclasses must not set ``__namespace__``.
    """

    __namespace__ = "PyStockSharp.Python"

    name: ClassVar[str | None] = None
    #: More time frames of the data the strategy reads ("4h", "1d": whole multiples of the data's), built by the
    #: engine and delivered as series 1, 2, ... after the data's (``on_series_bar``, ``series_arrays``), each bar
    #: once it has closed.
    timeframes: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        super().__init__()  # runs the .NET constructor (pythonnet only does when asked)
        self._psx_declare()

    # ---- set-up (internal) ---------------------------------------------------------------

    def _psx_declare(self) -> None:
        """Declares the class's Params on the .NET side (idempotent; safe if __init__ was skipped)."""
        if getattr(self, "_psx_declared", False):
            return
        _no_more_namespace(type(self))
        if (
            self.Parameters is None
        ):  # a subclass __init__ skipped super().__init__(): run the .NET constructor now
            _NetStrategy.__init__(self)
        self._psx_declared = True
        self._psx_values: dict[str, Any] | None = None
        self._psx_source: tuple[np.ndarray, ...] | None = None
        self.Name = type(self).name or type(self).__name__
        for p in declared_params(type(self)).values():
            _declare_net_param(self, p)
        for timeframe in getattr(type(self), "timeframes", ()):
            self.SubscribeTimeFrame(str(timeframe))

    def _param_value(self, name: str) -> Any:
        values = getattr(self, "_psx_values", None)
        if values is not None:
            return values[name]
        self._psx_declare()
        return _py(self.GetParameter(name))

    def _set_param_value(self, name: str, value: Any) -> None:
        self._psx_declare()
        bridge.set_parameters(self, {name: value})
        if self._psx_values is not None:
            self._psx_values[name] = _py(self.GetParameter(name))

    def _psx_fetch_arrays(self) -> OhlcvArrays:
        if self._psx_source is not None:
            return OhlcvArrays(*self._psx_source)
        return _arrays_of(self.Series)

    # ---- .NET overrides (the only crossings) ---------------------------------------------------

    def OnStarted(self) -> None:  # noqa: N802 (.NET name)
        self._psx_declare()
        self._psx_values = {str(p.Name): _py(p.Value) for p in self.Parameters}
        self.arrays = self._psx_fetch_arrays()
        cls = type(self)
        if cls.on_bar is not Strategy.on_bar:
            self._psx_bar = self.on_bar
        else:
            self._psx_bar = _candle_dispatch(self.arrays, self.on_candle)
        self.BarCallback = bridge.int_action(self._psx_bar)  # faster than the OnBar override (BarCallback in C#)
        self._psx_instruments = {str(i.Id): i for i in self.Instruments}
        self._psx_series_arrays: dict[int, OhlcvArrays] = {0: self.arrays}
        self._psx_plots: dict[str, tuple[list[int], list[float], bool | None]] = {}
        self._psx_trades = cls.on_own_trade is not Strategy.on_own_trade
        self._psx_orders = cls.on_order_changed is not Strategy.on_order_changed
        self.on_started()

    def OnBar(self, index: int) -> None:  # noqa: N802
        self._psx_bar(index)

    def OnSeriesBar(self, series: int, index: int) -> None:  # noqa: N802
        self.on_series_bar(series, index)

    def OnNewMyTrade(self, trade: Any) -> None:  # noqa: N802
        if self._psx_trades:
            self.on_own_trade(OwnTrade.from_net(trade))

    def OnOrderChanged(self, order: Any) -> None:  # noqa: N802
        if self._psx_orders:
            self.on_order_changed(Order(order))

    def OnStopped(self) -> None:  # noqa: N802
        try:
            self.on_stopped()
        finally:
            self._psx_values = None

    # ---- user callbacks -----------------------------------------------------------------------

    def on_started(self) -> None:
        """Called once before the first bar; :attr:`arrays` and parameter values are available."""

    def on_bar(self, index: int) -> None:
        """Bar ``index`` closed. Override instead of :meth:`on_candle` to skip building candles."""

    def on_candle(self, candle: Candle) -> None:
        """Bar ``candle.index`` closed (no look-ahead: orders placed now fill at the next open)."""

    def on_series_bar(self, series: int, index: int) -> None:
        """Bar ``index`` of series ``series`` (1, 2, ...: not the first) closed, in a run over several series
        (``backtest(data={"SPX": ..., "NDX": ...})``). At one close time the other series' bars come first, then
        the first series' :meth:`on_bar` / :meth:`on_candle`, so that one sees every series up to its time."""

    def on_own_trade(self, trade: OwnTrade) -> None:
        """One of the strategy's orders was (partly) filled."""

    def on_order_changed(self, order: Order) -> None:
        """An order was filled, cancelled or rejected."""

    def on_stopped(self) -> None:
        """Called once after the last bar."""

    # ---- actions (volume None = the default order volume, :attr:`order_volume`) ---------------

    def buy_market(self, volume: float | None = None, symbol: str | None = None) -> Order:
        """A market buy of ``volume`` (None: :attr:`order_volume`) of ``symbol`` (None: the first series')."""
        if symbol is None:
            return Order(self.BuyMarket(_vol(volume)))
        return self._register(symbol, "Buy", "Market", volume, 0.0)

    def sell_market(self, volume: float | None = None, symbol: str | None = None) -> Order:
        if symbol is None:
            return Order(self.SellMarket(_vol(volume)))
        return self._register(symbol, "Sell", "Market", volume, 0.0)

    def buy_limit(self, price: float, volume: float | None = None, symbol: str | None = None) -> Order:
        if symbol is None:
            return Order(self.BuyLimit(float(price), _vol(volume)))
        return self._register(symbol, "Buy", "Limit", volume, price)

    def sell_limit(self, price: float, volume: float | None = None, symbol: str | None = None) -> Order:
        if symbol is None:
            return Order(self.SellLimit(float(price), _vol(volume)))
        return self._register(symbol, "Sell", "Limit", volume, price)

    def buy_stop(self, price: float, volume: float | None = None, symbol: str | None = None) -> Order:
        if symbol is None:
            return Order(self.BuyStop(float(price), _vol(volume)))
        return self._register(symbol, "Buy", "Stop", volume, price)

    def sell_stop(self, price: float, volume: float | None = None, symbol: str | None = None) -> Order:
        if symbol is None:
            return Order(self.SellStop(float(price), _vol(volume)))
        return self._register(symbol, "Sell", "Stop", volume, price)

    def _register(self, symbol: str, side: str, kind: str, volume: float | None, price: float) -> Order:
        net = bridge.engine_namespace()
        vol = float(self.Volume) if volume is None else float(volume)
        return Order(
            self.RegisterOrder(
                self._instrument(symbol), getattr(net.Sides, side), getattr(net.OrderTypes, kind), vol, float(price)
            )
        )

    def _instrument(self, symbol: str) -> Any:
        try:
            return self._psx_instruments[symbol]
        except KeyError:
            known = ", ".join(self._psx_instruments)
            raise ValueError(f"unknown symbol {symbol!r}: this run trades {known}") from None

    def volume_for_percent(self, fraction: float, symbol: str | None = None) -> float:
        """Units of ``symbol`` (None: the first series') worth ``fraction`` of the current equity at its last close:
        ``fraction * equity / (close * multiplier)`` rounded toward zero to whole volume steps (1 unless the
        instrument gives one); negative for a short, 0 before the first close (docs/strategies.md, "Sizing")."""
        return float(self.VolumeForPercent(float(fraction), None if symbol is None else self._instrument(symbol)))

    def order_target_percent(self, fraction: float, symbol: str | None = None) -> Order | None:
        """A market order bringing the position in ``symbol`` to :meth:`volume_for_percent` ``(fraction)`` units;
        None when it is there already."""
        net = self.OrderTargetPercent(float(fraction), None if symbol is None else self._instrument(symbol))
        return None if net is None else Order(net)

    def cancel_order(self, order: Order) -> bool:
        """Cancels an active order; False if it was no longer active."""
        return bool(self.CancelOrder(order.net))

    def cancel_active_orders(self) -> None:
        self.CancelActiveOrders()

    def close_position(self, symbol: str | None = None) -> Order | None:
        """A market order for -position (of ``symbol``; None: the first series'); None when flat."""
        net = self.ClosePosition() if symbol is None else self.ClosePosition(self._instrument(symbol))
        return None if net is None else Order(net)

    # ---- several series ------------------------------------------------------------------------

    @property
    def symbols(self) -> list[str]:
        """The run's symbols, the first series' first (one for a single-series run)."""
        return list(self._psx_instruments)

    def series_arrays(self, series: int) -> OhlcvArrays:
        """Series ``series``'s candles as numpy arrays (0: :attr:`arrays`). Look only at bars up to
        :meth:`last_index` ``(series)``: later ones have not closed yet."""
        arrays = self._psx_series_arrays.get(series)
        if arrays is None:
            arrays = self._psx_series_arrays[series] = _arrays_of(self.AllSeries[series])
        return arrays

    def last_index(self, series: int) -> int:
        """Index of the last bar of series ``series`` delivered so far (-1 before its first)."""
        return int(self.LastIndexOf(series))

    def position_of(self, symbol: str) -> float:
        """Signed position in ``symbol``."""
        return float(self.PositionOf(self._instrument(symbol)))

    # ---- state (the engine's, read live) -------------------------------------------------------

    position = property(lambda self: float(self.Position), doc="signed position in units (+ long, - short)")
    average_price = property(
        lambda self: float(self.AveragePrice), doc="average entry price of the open position"
    )
    cash = property(lambda self: float(self.Cash), doc="cash in account currency")
    equity = property(lambda self: float(self.Equity), doc="cash + position * last close")
    realized_pnl = property(lambda self: float(self.RealizedPnL), doc="realized PnL, gross of commission")
    unrealized_pnl = property(
        lambda self: float(self.UnrealizedPnL), doc="position * (last close - average price)"
    )
    commission = property(lambda self: float(self.Commission), doc="total commission paid")
    current_index = property(
        lambda self: int(self.CurrentIndex), doc="index of the bar being handled (-1 before)"
    )

    def plot(self, name: str, value: float, *, pane: bool | None = None) -> None:
        """Draw ``value`` as the line ``name`` at the bar being handled, on the run page: over the candles
        (``pane=False``), in a pane of its own below the price (``pane=True``) or where the page's rule puts it (None:
        over the candles if it tracks the close). One value per bar (a second call on a bar replaces the first); a
        NaN draws nothing. Kept in ``result.indicators`` / ``result.indicator_panes``."""
        i = int(self.CurrentIndex)
        if i < 0:
            return
        times, values, _ = self._psx_plots.setdefault(str(name), ([], [], pane))
        if times and times[-1] == i:
            times.pop()
            values.pop()
        times.append(i)
        values.append(float(value))
        if pane is not None:
            self._psx_plots[str(name)] = (times, values, pane)

    def plotted_lines(self) -> list[dict[str, Any]]:
        """What :meth:`plot` drew in the last run, as :func:`pystocksharp.bridge.drawn_indicators` gives it."""
        lines = []
        for name, (index, values, pane) in getattr(self, "_psx_plots", {}).items():
            at = np.asarray(index, dtype=np.int64)
            lines.append({"name": name, "time_ns": np.asarray(self.arrays.time, dtype=np.int64)[at],
                          "value": np.asarray(values, dtype=float),
                          "pane": None if pane is None else ("pane" if pane else "price")})  # fmt: skip
        return lines

    @property
    def current_time(self) -> pd.Timestamp | None:
        i = int(self.CurrentIndex)
        return None if i < 0 else pd.Timestamp(int(self.arrays.time[i]), unit="ns", tz="UTC")

    @property
    def order_volume(self) -> float:
        """Default volume of the actions (1)."""
        return float(self.Volume)

    @order_volume.setter
    def order_volume(self, value: float) -> None:
        self.Volume = float(value)

    @property
    def orders(self) -> list[Order]:
        return [Order(o) for o in self.Orders]

    @property
    def own_trades(self) -> list[OwnTrade]:
        return [OwnTrade.from_net(t) for t in self.MyTrades]


def _arrays_of(series: Any) -> OhlcvArrays:
    """A .NET ``CandleSeries``' columns as numpy arrays."""
    return OhlcvArrays(*(bridge.to_numpy(a) for a in (series.OpenTimes, series.Open, series.High, series.Low, series.Close, series.Volume)))


def _candle_dispatch(arrays: OhlcvArrays, on_candle: Any) -> Any:
    """A per-bar function building a :class:`Candle` from memoryviews (no numpy scalars) and calling ``on_candle``."""
    t, o, h, lo, c, v = (np.ascontiguousarray(a).data for a in arrays)
    new = tuple.__new__

    def bar(i: int) -> None:
        on_candle(new(Candle, (i, t[i], o[i], h[i], lo[i], c[i], v[i])))

    return bar


def _declare_net_param(strategy: Any, p: Param) -> None:
    lo: Any
    hi: Any
    if p.type is int:
        net = strategy.ParamInt(p.name, int(p.default))
        lo, hi = _INT_MIN, _INT_MAX
    elif p.type is float:
        net = strategy.ParamDouble(p.name, float(p.default))
        lo, hi = float("-inf"), float("inf")
    elif p.type is bool:
        net = strategy.ParamBool(p.name, bool(p.default))
        lo = hi = None
    else:
        net = strategy.ParamString(p.name, str(p.default))
        lo = hi = None
    if lo is not None and (p.min is not None or p.max is not None):
        net.SetRange(p.type(p.min if p.min is not None else lo), p.type(p.max if p.max is not None else hi))
    if p.optimize is not None:
        net.SetOptimize(*(p.type(x) for x in p.optimize))
    net.SetDisplay(p.display or p.name, p.description, p.group)


def _vol(volume: float | None) -> float | None:
    return None if volume is None else float(volume)


def _py(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
