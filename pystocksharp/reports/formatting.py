"""Numbers as people read them: units per metric and the text shown in the pages.

Metrics arrive as fractions (0.12 means 12%, max_drawdown is negative), money in the
account currency, durations in seconds; see ``docs/metrics.md``. Every number a page
shows goes through :func:`format_value`, so cards, tables and tooltips agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import numpy as np


class Unit(StrEnum):
    """How a value is shown. ``percent`` values are fractions (0.12 -> "12.00%")."""

    PERCENT = "percent"
    MONEY = "money"
    PRICE = "price"
    RATIO = "ratio"
    COUNT = "count"
    DURATION = "duration"
    NUMBER = "number"
    TEXT = "text"


MISSING = "—"
"""Shown for undefined values (null in JSON)."""

_KNOWN_UNITS: dict[str, Unit] = {
    "total_return": Unit.PERCENT,
    "annualized_return": Unit.PERCENT,
    "cagr": Unit.PERCENT,
    "max_drawdown": Unit.PERCENT,
    "average_drawdown": Unit.PERCENT,
    "win_rate": Unit.PERCENT,
    "exposure_time": Unit.PERCENT,
    "time_under_water": Unit.PERCENT,
    "volatility": Unit.PERCENT,
    "alpha": Unit.PERCENT,
    "probabilistic_sharpe_ratio": Unit.PERCENT,
    "deflated_sharpe_ratio": Unit.PERCENT,
    "pbo": Unit.PERCENT,
    "return": Unit.PERCENT,
    "net_profit": Unit.MONEY,
    "gross_profit": Unit.MONEY,
    "gross_loss": Unit.MONEY,
    "commissions": Unit.MONEY,
    "commission": Unit.MONEY,
    "expectancy": Unit.MONEY,
    "average_win": Unit.MONEY,
    "average_loss": Unit.MONEY,
    "largest_win": Unit.MONEY,
    "largest_loss": Unit.MONEY,
    "initial_capital": Unit.MONEY,
    "final_equity": Unit.MONEY,
    "pnl": Unit.MONEY,
    "sharpe_ratio": Unit.RATIO,
    "sortino_ratio": Unit.RATIO,
    "calmar_ratio": Unit.RATIO,
    "profit_factor": Unit.RATIO,
    "payoff_ratio": Unit.RATIO,
    "beta": Unit.RATIO,
    "sqn": Unit.RATIO,
    "skewness": Unit.RATIO,
    "kurtosis": Unit.RATIO,
    "excess_kurtosis": Unit.RATIO,
    "walk_forward_efficiency": Unit.RATIO,
    "round_trips": Unit.COUNT,
    "trades": Unit.COUNT,
    "fills": Unit.COUNT,
    "bars": Unit.COUNT,
    "max_consecutive_wins": Unit.COUNT,
    "max_consecutive_losses": Unit.COUNT,
    "average_holding_time": Unit.DURATION,
    "median_holding_time": Unit.DURATION,
    "periods_per_year": Unit.NUMBER,
    "risk_free_rate": Unit.PERCENT,
}

_PERCENT_HINTS = (
    "return",
    "drawdown",
    "rate",
    "pct",
    "volatility",
    "var_",
    "cvar",
    "probability",
    "exposure",
)
_MONEY_HINTS = ("profit", "loss", "pnl", "commission", "equity", "capital", "_win", "cash")
_DURATION_HINTS = ("holding_time", "_seconds", "duration")
_COUNT_PREFIXES = ("num_", "n_", "count")


def unit_of(name: str) -> Unit:
    """Unit of a metric or column by its snake_case name (known names, then name hints)."""
    key = name.lower()
    if key in _KNOWN_UNITS:
        return _KNOWN_UNITS[key]
    if key.endswith("_ratio") or key.endswith("_factor"):
        return Unit.RATIO
    if any(h in key for h in _DURATION_HINTS):
        return Unit.DURATION
    if any(h in key for h in _PERCENT_HINTS):
        return Unit.PERCENT
    if any(h in key for h in _MONEY_HINTS):
        return Unit.MONEY
    if key.startswith(_COUNT_PREFIXES) or key.endswith("_count"):
        return Unit.COUNT
    return Unit.NUMBER


ACRONYMS = {"oos": "OOS", "pbo": "PBO", "wf": "WF", "dsr": "DSR", "psr": "PSR", "tca": "TCA", "cagr": "CAGR",
            "sqn": "SQN", "pnl": "PnL"}  # fmt: skip
"""Words of a snake_case name written as acronyms in labels (``oos_total_return`` -> ``OOS total return``)."""


def label_of(name: str) -> str:
    """Human label of a snake_case name: ``max_drawdown`` -> ``Max drawdown``, ``oos_sharpe_ratio`` ->
    ``OOS sharpe ratio`` (:data:`ACRONYMS`)."""
    words = [ACRONYMS.get(w.lower(), w) for w in name.replace("_", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def is_missing(value: Any) -> bool:
    """True for None, NaN, +-inf and pandas' NA/NaT: shown as :data:`MISSING`."""
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def format_duration(seconds: float) -> str:
    """Seconds as the two largest units: ``3d 4h``, ``2h 15m``, ``45s``."""
    sign = "-" if seconds < 0 else ""
    total = int(round(abs(seconds)))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    shown = [f"{v}{u}" for v, u in parts if v][:2]
    return sign + (" ".join(shown) if shown else "0s")


def format_value(value: Any, unit: Unit | str, *, decimals: int = 2) -> str:
    """Text of one value in its unit; ``decimals`` applies to percent, money, price, ratio.

    >>> format_value(0.12, "percent")
    '12.00%'
    >>> format_value(-1234.5, "money")
    '-1,234.50'
    """
    unit = Unit(unit)
    if unit is Unit.TEXT:
        return "" if value is None else str(value)
    if is_missing(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if not isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)
    v = float(value)
    if unit is Unit.PERCENT:
        return f"{v * 100:,.{decimals}f}%"
    if unit in (Unit.MONEY, Unit.PRICE):
        return f"{v:,.{decimals}f}"
    if unit is Unit.RATIO:
        return f"{v:.{decimals}f}"
    if unit is Unit.COUNT:
        return f"{int(round(v)):,}"
    if unit is Unit.DURATION:
        return format_duration(v)
    return f"{v:,.{decimals}f}" if not float(v).is_integer() else f"{int(v):,}"


def format_many(values: Iterable[Any], unit: Unit | str, *, decimals: int = 2) -> list[str]:
    """:func:`format_value` over a column."""
    return [format_value(v, unit, decimals=decimals) for v in values]


def step_decimals(step: float, *, max_decimals: int = 8) -> int:
    """Decimals of a price step (0.25 → 2, 0.0001 → 4, 5 → 0): what every price on the step's grid needs."""
    for d in range(max_decimals + 1):
        if abs(round(step, d) - step) < 1e-12 * max(1.0, abs(step)):
            return d
    return max_decimals


def price_decimals(prices: np.ndarray, *, max_decimals: int = 6) -> int:
    """Fewest decimals (2..``max_decimals``) that show every price exactly (to 1e-9)."""
    prices = np.asarray(prices, dtype=float)
    prices = prices[np.isfinite(prices)][:2_000]
    for d in range(2, max_decimals + 1):
        if np.all(np.abs(np.round(prices, d) - prices) < 1e-9):
            return d
    return max_decimals
