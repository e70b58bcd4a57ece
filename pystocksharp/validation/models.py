"""Pydantic result models of the validation statistics (JSON-ready, snake_case).

Units: returns and drawdowns are fractions (0.05 = 5 %); ``max_drawdown`` is <= 0 like the
engine's (``equity / running_peak - 1``); Sharpe ratios are per period unless named
``annualized``; probabilities are fractions in [0, 1].
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

Status = Literal["pass", "warn", "fail"]
#: How a walk-forward's selection stage picks the configuration (``walk_forward(select=...)``): the ranking's
#: in-sample best, the best Sharpe on the walk-forward test windows' bars, or the best median Sharpe over the
#: out-of-sample halves of the CSCV splits.
Selection = Literal["in-sample", "oos", "cscv"]


class SharpeSignificance(BaseModel):
    """Probabilistic Sharpe ratio of one return series."""

    sharpe_ratio: float = Field(description="per-period Sharpe ratio (not annualized)")
    n_observations: int
    skewness: float
    kurtosis: float = Field(description="not excess: 3 for normal returns")
    benchmark_sharpe: float = Field(description="per-period Sharpe the true Sharpe is compared with")
    standard_error: float = Field(description="standard error of the Sharpe estimate")
    probabilistic_sharpe_ratio: float = Field(description="P(true Sharpe > benchmark)")


class DeflatedSharpe(BaseModel):
    """Deflated Sharpe ratio of a strategy selected among ``n_trials``."""

    sharpe_ratio: float = Field(description="per-period Sharpe ratio of the selected strategy")
    n_observations: int
    skewness: float
    kurtosis: float
    n_trials: int
    trials_sharpe_variance: float = Field(description="variance of the trials' per-period Sharpe ratios")
    expected_max_sharpe: float = Field(description="expected maximum per-period Sharpe under the null")
    deflated_sharpe_ratio: float = Field(description="P(true Sharpe > expected_max_sharpe)")


class OverfittingResult(BaseModel):
    """Probability of backtest overfitting by combinatorially symmetric cross-validation."""

    pbo: float = Field(
        description="share of splits whose IS-best combination ranks at or below the OOS median"
    )
    n_blocks: int
    n_splits: int
    n_periods_used: int = Field(
        description="rows used (a multiple of n_blocks; the oldest remainder dropped)"
    )
    n_combinations: int
    metric: str
    logits: list[float] = Field(description="λ = ln(ω / (1 - ω)) per split, ω the OOS relative rank")
    relative_ranks: list[float] = Field(description="ω per split, in (0, 1)")
    best_is_combination: list[int] = Field(description="column index of the IS-best combination per split")
    is_performance: list[float] = Field(description="IS metric of the IS-best combination per split")
    oos_performance: list[float] = Field(description="OOS metric of the same combination per split")
    degradation_slope: float | None = Field(description="OLS slope of OOS on IS performance")
    degradation_intercept: float | None
    degradation_r2: float | None
    probability_oos_loss: float = Field(description="share of splits with OOS metric < 0")


class Distribution(BaseModel):
    """A simulated statistic: summary, confidence interval and every simulated value."""

    original: float = Field(description="value of the actual trade sequence")
    mean: float
    median: float
    std: float
    lower: float = Field(description="lower confidence bound (quantile ci[0])")
    upper: float = Field(description="upper confidence bound (quantile ci[1])")
    values: list[float] = Field(description="one value per simulation")


class MonteCarloResult(BaseModel):
    """One Monte Carlo method over trade returns."""

    method: Literal["shuffle", "bootstrap"]
    n_simulations: int
    n_trades: int
    seed: int | None
    confidence: tuple[float, float] = Field(description="quantiles of the interval, e.g. (0.05, 0.95)")
    ruin_loss: float = Field(description="ruin: equity at or below (1 - ruin_loss) x start")
    final_return: Distribution = Field(description="equity_end / start - 1")
    max_drawdown: Distribution = Field(description="min of equity / running peak - 1 (<= 0)")
    longest_drawdown: Distribution = Field(description="longest run of trades below the running peak")
    probability_of_ruin: float


class MonteCarloReport(BaseModel):
    """Shuffle and bootstrap results; ``final_return_ci`` comes from the bootstrap because a
    shuffle of compounded returns never changes the final return."""

    shuffle: MonteCarloResult
    bootstrap: MonteCarloResult
    final_return_ci: tuple[float, float]
    max_drawdown_ci: tuple[float, float] = Field(description="from the shuffle (same trades, other order)")
    longest_drawdown_ci: tuple[float, float] = Field(description="from the shuffle")
    probability_of_ruin: float = Field(description="from the bootstrap")


class WindowResult(BaseModel):
    """One walk-forward window: bars used, chosen parameters and metrics."""

    window: int
    train_start: str
    train_end: str = Field(description="last training bar (inclusive)")
    test_start: str
    test_end: str = Field(description="last test bar (inclusive)")
    train_bars: int
    test_bars: int
    parameters: dict[str, Any]
    is_metrics: dict[str, float | None]
    oos_metrics: dict[str, float | None]
    is_return: float
    oos_return: float
    is_annualized_return: float | None
    oos_annualized_return: float | None
    efficiency: float | None = Field(description="OOS / IS annualized return (None when IS <= 0)")
    plateau_ratio: float | None = Field(
        description="mean ranking metric of grid neighbours / chosen value (None without grid)"
    )
    neighbours: int = Field(description="grid neighbours found around the chosen parameters")


class ParameterStability(BaseModel):
    """How far chosen parameters move between windows and how flat the IS grid is around them."""

    movement: dict[str, float] = Field(
        description="per parameter: mean |change| between consecutive windows / grid range (0..1)"
    )
    mean_movement: float | None
    mean_plateau_ratio: float | None = Field(description="mean over windows of plateau_ratio")


class WalkForwardResult(BaseModel):
    """Walk-forward analysis result; ``oos_equity`` (stitched OOS curve) is not serialized."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    windows: list[WindowResult]
    anchored: bool
    rank: str
    walk_forward_efficiency: float | None = Field(
        description="annualized stitched OOS return / mean annualized IS return (None when IS <= 0)"
    )
    oos_metrics: dict[str, float | None]
    is_annualized_return: float | None = Field(description="mean of the windows' annualized IS returns")
    stability: ParameterStability
    oos_equity: pd.Series = Field(
        default_factory=lambda: pd.Series(dtype=float),
        exclude=True,
        description="stitched OOS equity, indexed by bar time (not serialized)",
    )


class HoldoutCheck(BaseModel):
    """The chosen configuration on the untouched holdout segment."""

    passed: bool
    metrics: dict[str, float | None]
    reasons: list[str]


class VerdictCheck(BaseModel):
    """One verdict criterion."""

    check: str
    value: float | None
    threshold: str
    status: Status
    reason: str


class Verdict(BaseModel):
    """Final verdict of one candidate: the worst status of its checks, with reasons."""

    candidate: str
    status: Status
    reasons: list[str]
    checks: list[VerdictCheck]

    def _repr_html_(self) -> str:
        from pystocksharp.notebook import verdict_html  # noqa: PLC0415 (on first display only)

        return verdict_html(self)
