"""Pydantic models of ``performance-metrics.json`` and of one round trip.

Units: returns, rates and drawdowns are fractions (0.12 = 12%; drawdowns are <= 0); money is
in the account currency; durations are seconds. Undefined values are ``null`` and their reason
is in ``undefined`` (metric name -> reason); NaN and infinities never reach JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import pandas as pd


class RoundTrip(BaseModel):
    """One FIFO-matched (entry fill, exit fill) pair.

    ``pnl`` is net of the commissions attributable to it (each fill's commission pro-rated by the
    matched volume); ``return`` (JSON ``return``) is ``pnl / (entry_price * volume)``;
    ``holding_time`` is in seconds.
    """

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    entry_time: datetime
    exit_time: datetime
    side: Literal["long", "short"]
    volume: float
    entry_price: float
    exit_price: float
    entry_order_id: int | None = None
    exit_order_id: int | None = None
    gross_pnl: float = Field(
        description="(exit - entry) * volume for long, (entry - exit) * volume for short"
    )
    commission: float = Field(description="entry and exit commissions pro-rated by volume")
    pnl: float = Field(description="gross_pnl - commission, account currency")
    return_: float = Field(alias="return", description="pnl / (entry_price * volume), fraction")
    holding_time: float = Field(description="exit_time - entry_time, seconds")


class DrawdownPeriod(BaseModel):
    """One drawdown period: from a peak to the first bar back at that peak (or the last bar).

    ``peak_bar`` is -1 when the peak is the initial capital (before the first bar; ``peak`` is then
    the first bar's time). ``length_bars`` counts bars from the peak to the recovery (or to the last
    bar when not recovered); ``duration`` is the same span in seconds.
    """

    peak: datetime
    trough: datetime
    recovery: datetime | None
    status: Literal["recovered", "not recovered"]
    peak_bar: int
    trough_bar: int
    recovery_bar: int | None
    peak_equity: float
    trough_equity: float
    depth: float = Field(description="trough_equity / peak_equity - 1, fraction <= 0")
    length_bars: int
    duration: float = Field(description="seconds from peak to recovery (or to the last bar)")


class HistogramBin(BaseModel):
    """Count of period returns in ``[left, right)`` (the last bin includes ``right``)."""

    left: float
    right: float
    count: int


class MonthlyReturn(BaseModel):
    """Compounded return of one calendar month (UTC), fraction."""

    year: int
    month: int
    return_: float = Field(alias="return")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class YearlyReturn(BaseModel):
    """Compounded return of one calendar year (UTC), fraction."""

    year: int
    return_: float = Field(alias="return")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class PerformanceMetrics(BaseModel):
    """Every metric of one run (``performance-metrics.json``). See ``docs/metrics.md``.

    Scalar metrics are top-level (the optimizer and the reports read them flat); tables are lists.
    """

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    schema_version: Literal[1] = 1
    # run description
    initial_capital: float
    final_equity: float
    bars: int
    start: datetime | None
    end: datetime | None
    periods_per_year: float | None = Field(description="P used for annualization (given or inferred)")
    periods_per_year_inferred: bool
    risk_free_rate: float = Field(description="per year, fraction; per period (1 + rf)^(1/P) - 1")
    # basic
    total_return: float
    annualized_return: float | None
    max_drawdown: float
    round_trips: int
    win_rate: float | None
    profit_factor: float | None
    net_profit: float
    gross_profit: float
    gross_loss: float
    exposure_time: float | None
    commissions: float
    # advanced
    sharpe_ratio: float | None
    sortino_ratio: float | None
    calmar_ratio: float | None
    volatility: float | None
    beta: float | None
    alpha: float | None
    probabilistic_sharpe_ratio: float | None
    # trade statistics
    average_win: float | None
    average_loss: float | None
    largest_win: float | None
    largest_loss: float | None
    expectancy: float | None
    payoff_ratio: float | None
    sqn: float | None
    average_holding_time: float | None
    median_holding_time: float | None
    max_consecutive_wins: int
    max_consecutive_losses: int
    long_round_trips: int
    long_win_rate: float | None
    long_net_profit: float
    short_round_trips: int
    short_win_rate: float | None
    short_net_profit: float
    # drawdowns
    time_under_water: float
    average_drawdown: float | None
    drawdown_periods: list[DrawdownPeriod]
    # return distribution
    return_mean: float | None
    return_std: float | None
    skewness: float | None
    excess_kurtosis: float | None
    var_95: float
    cvar_95: float
    var_99: float
    cvar_99: float
    best_period: float
    worst_period: float
    return_histogram: list[HistogramBin]
    monthly_returns: list[MonthlyReturn]
    yearly_returns: list[YearlyReturn]
    undefined: dict[str, str] = Field(default_factory=dict, description="metric name -> why it is null")

    def to_series(self) -> pd.Series:
        """Scalar metrics as a pandas Series with human labels (values unchanged: fractions, seconds)."""
        from pystocksharp.metrics.labels import to_series

        return to_series(self)
