"""Human labels for the pandas view of :class:`PerformanceMetrics` (JSON stays snake_case)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from pystocksharp.metrics.models import PerformanceMetrics

#: Labels that differ from the capitalized snake_case name.
LABELS: dict[str, str] = {
    "annualized_return": "Annualized return (CAGR)",
    "sqn": "SQN",
    "var_95": "VaR 95%",
    "cvar_95": "CVaR 95%",
    "var_99": "VaR 99%",
    "cvar_99": "CVaR 99%",
    "average_holding_time": "Average holding time (s)",
    "median_holding_time": "Median holding time (s)",
    "probabilistic_sharpe_ratio": "Probabilistic Sharpe ratio",
    "sharpe_ratio": "Sharpe ratio",
    "sortino_ratio": "Sortino ratio",
    "calmar_ratio": "Calmar ratio",
}


def label(name: str) -> str:
    """``max_drawdown`` -> ``Max drawdown`` unless :data:`LABELS` says otherwise."""
    if name in LABELS:
        return LABELS[name]
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def to_series(metrics: PerformanceMetrics) -> pd.Series:
    """Scalar metrics by human label; values as in JSON (fractions, currency, seconds; None -> NaN)."""
    from pystocksharp.metrics.compare import scalar_dict

    values = scalar_dict(metrics)
    return pd.Series(
        {label(k): (float("nan") if v is None else v) for k, v in values.items()},
        name="value",
        dtype="float64",
    )
