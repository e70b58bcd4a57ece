"""Capacity curve: how a strategy's net Sharpe ratio and net profit decay as its trading costs grow.

    from pystocksharp.capacity import capacity_curve
    curve = capacity_curve("sma_cross", "sample:GOOG_1d", params={"fast": 10, "slow": 20, "volume": 10},
                           commission=0.002, slippage=0.0005)

Each point re-runs the backtest on the engine with every cost setting (``commission``, ``commission_per_unit``,
``min_commission``, ``slippage``, ``slippage_steps``) multiplied by ``multiplier``; the 0× point is the run without
costs (its net profit is the 1× run's gross: net + commission + slippage, when sizing does not depend on equity).
Metrics are :func:`pystocksharp.metrics.compute_metrics`' (periods per year inferred, risk-free rate 0) and costs
:func:`pystocksharp.metrics.tca.tca_summary`'s. This module orchestrates runs; nothing engine-side is imported
before :func:`capacity_curve` is called.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field

from pystocksharp.errors import InputError, Problem

DEFAULT_MULTIPLIERS: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0)
#: The settings a multiplier scales (the fee and slippage models' inputs).
COST_SETTINGS: tuple[str, ...] = (
    "commission",
    "commission_per_unit",
    "min_commission",
    "slippage",
    "slippage_steps",
)
CAPACITY_COLUMNS: tuple[str, ...] = (
    "multiplier", "net_profit", "sharpe_ratio", "total_return", "annualized_return", "max_drawdown", "commission",
    "slippage", "cost", "cost_bps", "fills", "round_trips",
)  # fmt: skip


class CapacityPoint(BaseModel):
    """One run of a capacity curve (money in account currency, returns and drawdowns fractions)."""

    multiplier: float = Field(description="factor applied to every cost setting (1 = the costs as given)")
    net_profit: float
    sharpe_ratio: float | None
    total_return: float
    annualized_return: float | None
    max_drawdown: float
    commission: float = Field(description="commission paid")
    slippage: float = Field(description="money the slippage model cost")
    cost: float = Field(description="commission + slippage")
    cost_bps: float = Field(description="cost / traded notional * 1e4")
    fills: int
    round_trips: int


def _multipliers(values: Sequence[float]) -> list[float]:
    problems = []
    out = []
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(Problem(f"must be a number, got {value!r}", field="multipliers"))
            continue
        if not number >= 0 or number == float("inf"):
            problems.append(Problem(f"must be a finite number >= 0, got {value!r}", field="multipliers"))
        out.append(number)
    if not values:
        problems.append(Problem("give at least one multiplier", field="multipliers"))
    if len(set(out)) != len(out):
        problems.append(Problem(f"multipliers repeat: {list(values)}", field="multipliers"))
    if problems:
        raise InputError("bad capacity multipliers", problems)
    return sorted(out)


def scaled_settings(settings: Any, multiplier: float) -> Any:
    """``settings`` (:class:`pystocksharp.backtest.BacktestSettings`) with every cost setting times ``multiplier``
    (checked again: a scaled commission must stay below 1)."""
    from pystocksharp.backtest import checked_settings

    values = settings.model_dump()
    for name in COST_SETTINGS:
        values[name] = values[name] * multiplier
    return checked_settings(values)


def point_of(result: Any, multiplier: float) -> CapacityPoint:
    """The capacity point of one finished run."""
    metrics = result.metrics()
    costs = result.tca_summary()
    return CapacityPoint(
        multiplier=multiplier, net_profit=result.summary.net_profit, sharpe_ratio=metrics.sharpe_ratio,
        total_return=metrics.total_return, annualized_return=metrics.annualized_return,
        max_drawdown=metrics.max_drawdown, commission=costs["commission"], slippage=costs["slippage"],
        cost=costs["cost"], cost_bps=costs["cost_bps"], fills=result.summary.fills,
        round_trips=result.summary.round_trips,
    )  # fmt: skip


def capacity_points(
    strategy: Any,
    data: Any,
    *,
    params: Mapping[str, Any] | None = None,
    multipliers: Sequence[float] = DEFAULT_MULTIPLIERS,
    **settings: Any,
) -> list[CapacityPoint]:
    """:func:`capacity_curve` as models (the JSON form)."""
    from pystocksharp.backtest import SETTING_NAMES, checked_settings, load_data, load_several, run_backtest
    from pystocksharp.resolver import resolve_strategy

    symbol, timeframe = settings.pop("symbol", None), settings.pop("timeframe", None)
    unknown = sorted(set(settings) - set(SETTING_NAMES))
    if unknown:
        raise InputError("unknown settings", [Problem(f"not a backtest setting (known: {', '.join(SETTING_NAMES)})",
                                                      field=name) for name in unknown])  # fmt: skip
    factors = _multipliers(multipliers)
    base = checked_settings(settings)
    for factor in factors:  # every problem before the first run
        scaled_settings(base, factor)
    resolved = resolve_strategy(strategy)
    if isinstance(data, Mapping):
        loaded = load_several(data, timeframe=timeframe)
        primary, others = loaded[0], loaded[1:]
    else:
        primary, others = load_data(data, symbol=symbol, timeframe=timeframe), []
    return [
        point_of(
            run_backtest(resolved, primary, dict(params or {}), scaled_settings(base, f), others=others), f
        )
        for f in factors
    ]


def capacity_curve(
    strategy: Any,
    data: Any,
    *,
    params: Mapping[str, Any] | None = None,
    multipliers: Sequence[float] = DEFAULT_MULTIPLIERS,
    **settings: Any,
) -> pd.DataFrame:
    """Net Sharpe ratio, net profit and costs of ``strategy`` on ``data`` with its costs scaled by each multiplier
    (default 0, 0.5, 1, 2, 4), one row per multiplier in ascending order (columns :data:`CAPACITY_COLUMNS`).

    ``strategy``, ``data``, ``params`` and ``settings`` (capital, commission, slippage, fill, ...) as for
    :func:`pystocksharp.backtest.backtest`; give the strategy as a name, file or class (each run makes a fresh
    instance). Every point is its own run, so the 1× row is the plain backtest's numbers.
    """
    points = capacity_points(strategy, data, params=params, multipliers=multipliers, **settings)
    return capacity_frame(points)


def capacity_of_backtest(
    result: Any, multipliers: Sequence[float] = DEFAULT_MULTIPLIERS
) -> list[CapacityPoint]:
    """The capacity points of what ``result`` (a :class:`pystocksharp.BacktestResult`) ran: its strategy, data,
    parameters and settings, re-run at each multiplier."""
    from pystocksharp.backtest import run_backtest
    from pystocksharp.resolver import resolve_strategy

    factors = _multipliers(multipliers)
    for factor in factors:
        scaled_settings(result.settings, factor)
    resolved = resolve_strategy(result.strategy_spec or result.strategy)
    return [
        point_of(
            run_backtest(
                resolved,
                result.ohlcv,
                dict(result.parameters),
                scaled_settings(result.settings, f),
                others=result.other_data,
            ),
            f,
        )  # fmt: skip
        for f in factors
    ]


def capacity_frame(points: Sequence[CapacityPoint]) -> pd.DataFrame:
    """Capacity points as a frame (columns :data:`CAPACITY_COLUMNS`; a null Sharpe ratio is NaN)."""
    frame = pd.DataFrame([p.model_dump() for p in points], columns=list(CAPACITY_COLUMNS))
    return frame.astype({"sharpe_ratio": float, "annualized_return": float})
