"""Validation: is the best backtest likely real? Engine-independent, numpy/pandas only.

* :mod:`~pystocksharp.validation.significance`: probabilistic and deflated Sharpe ratios.
* :mod:`~pystocksharp.validation.overfitting`: probability of backtest overfitting (CSCV).
* :mod:`~pystocksharp.validation.montecarlo`: trade shuffling and bootstrap (seeded).
* :mod:`~pystocksharp.validation.partitions`: walk-forward windows and the guarded holdout.
* :mod:`~pystocksharp.validation.walkforward`: walk-forward orchestration over engine callables.
* :mod:`~pystocksharp.validation.verdict`: pass / warn / fail per candidate.

See ``docs/validation.md`` for every formula, its reference and how to read it.
"""

from pystocksharp.validation.models import (
    DeflatedSharpe,
    Distribution,
    HoldoutCheck,
    MonteCarloReport,
    MonteCarloResult,
    OverfittingResult,
    ParameterStability,
    SharpeSignificance,
    Verdict,
    VerdictCheck,
    WalkForwardResult,
    WindowResult,
)
from pystocksharp.validation.montecarlo import equity_fan, monte_carlo, monte_carlo_method
from pystocksharp.validation.overfitting import probability_of_backtest_overfitting, returns_matrix
from pystocksharp.validation.partitions import HoldoutAccessError, HoldoutGuard, Partitions, Window
from pystocksharp.validation.significance import (
    annualize_sharpe,
    column_sharpes,
    deflated_sharpe,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    probabilistic_sharpe_ratio,
    sharpe_significance,
)
from pystocksharp.validation.verdict import (
    HoldoutThresholds,
    VerdictThresholds,
    checks_table,
    evaluate_holdout,
    rank_verdicts,
    verdict,
)
from pystocksharp.validation.walkforward import (
    OptimizationOutcome,
    RunOutcome,
    equity_metrics,
    run_holdout,
    stitch_equity,
    walk_forward,
    window_table,
)

__all__ = [
    "DeflatedSharpe",
    "Distribution",
    "HoldoutAccessError",
    "HoldoutCheck",
    "HoldoutGuard",
    "HoldoutThresholds",
    "MonteCarloReport",
    "MonteCarloResult",
    "OptimizationOutcome",
    "OverfittingResult",
    "ParameterStability",
    "Partitions",
    "RunOutcome",
    "SharpeSignificance",
    "Verdict",
    "VerdictCheck",
    "VerdictThresholds",
    "WalkForwardResult",
    "Window",
    "WindowResult",
    "annualize_sharpe",
    "checks_table",
    "column_sharpes",
    "deflated_sharpe",
    "deflated_sharpe_ratio",
    "equity_fan",
    "equity_metrics",
    "evaluate_holdout",
    "expected_max_sharpe",
    "monte_carlo",
    "monte_carlo_method",
    "probabilistic_sharpe_ratio",
    "probability_of_backtest_overfitting",
    "rank_verdicts",
    "returns_matrix",
    "run_holdout",
    "sharpe_significance",
    "stitch_equity",
    "verdict",
    "walk_forward",
    "window_table",
]
