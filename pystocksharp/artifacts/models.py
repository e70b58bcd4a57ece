"""Pydantic models of every JSON file in a run's artifacts (see docs/artifacts.md).

Conventions shared by all models:
- field names are snake_case; every file carries ``schema_version`` (an integer, bumped
  when the model changes incompatibly) so a reader can refuse a file it does not know;
- times are ISO 8601 UTC strings; money in account currency; fractions, never percent
  (``max_drawdown`` is a fraction <= 0); a metric that is undefined (NaN) is ``null``;
- hashes are ``"sha256:<64 hex digits>"``; paths inside a manifest are POSIX paths
  relative to the manifest's folder.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from pystocksharp.parameters import ParameterDefinition

ParamValue = bool | int | float | str
SHA256_PATTERN = r"^sha256:[0-9a-f]{64}$"


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


#: A float where NaN (undefined) is stored as ``null``.
OptFloat = Annotated[float | None, BeforeValidator(_nan_to_none)]
Sha256 = Annotated[str, Field(pattern=SHA256_PATTERN, description="'sha256:' + 64 lowercase hex digits")]


class ArtifactModel(BaseModel):
    """Base of every artifact model: unknown fields are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid")


# ---- manifest ------------------------------------------------------------------------------


class ManifestFile(ArtifactModel):
    path: str = Field(description="POSIX path relative to the manifest's folder")
    size: int = Field(ge=0, description="size in bytes")
    sha256: Sha256
    description: str = ""


class StrategyMetadata(ArtifactModel):
    name: str
    version: str | None = None
    parameters: dict[str, ParamValue] = Field(default_factory=dict)
    parameter_hash: str | None = None


class DataMetadata(ArtifactModel):
    symbol: str
    timeframe: str
    start: datetime | None = Field(default=None, description="first bar's open time (UTC)")
    end: datetime | None = Field(default=None, description="last bar's open time (UTC)")
    bars: int | None = Field(default=None, ge=0)
    round_trips: int | None = Field(default=None, ge=0)


class RunStatistics(ArtifactModel):
    """Statistics of the run that produced a folder; a single backtest counts as 1 combination."""

    combinations: int = Field(ge=0)
    successes: int = Field(ge=0)
    failures: int = Field(ge=0)
    execution_time_s: OptFloat = Field(default=None, description="wall time in seconds")
    best_sharpe: OptFloat = Field(default=None, description="best annualized Sharpe ratio among successes")
    best_max_drawdown: OptFloat = Field(
        default=None, description="shallowest max drawdown among successes (fraction <= 0)"
    )


class Manifest(ArtifactModel):
    """``manifest.json``: written LAST, so a folder is complete exactly when it has one.

    ``files`` lists every file of the folder (recursively, except sub-folders that have
    their own manifest), with size and sha256.
    """

    schema_version: Literal[1] = 1
    kind: str = Field(description="what the folder holds: 'backtest', 'optimization', 'reports', 'metadata'")
    files: list[ManifestFile]
    strategy: StrategyMetadata | None = None
    data: DataMetadata | None = None
    run: RunStatistics | None = None
    engine_version: str | None = None
    package_version: str | None = None
    created_at: datetime


# ---- deployable configuration --------------------------------------------------------------


class StrategyRef(ArtifactModel):
    """Which strategy: a catalog ``name`` (e.g. 'sma_cross'), or a ``source_file`` with its hash.

    With a source file, ``name`` is the class in it: the backtest spec is ``source_file:name``.
    """

    name: str | None = None
    source_file: str | None = Field(default=None, description="path of a .cs or .py strategy file")
    source_sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)
    kind: str | None = Field(default=None, description="'builtin', 'csharp', 'python' or 'vectorized'")
    version: str | None = None

    @model_validator(mode="after")
    def _name_or_source(self) -> StrategyRef:
        if not self.name and not self.source_file:
            raise ValueError("a strategy needs a 'name' or a 'source_file'")
        if self.source_file and not self.source_sha256:
            raise ValueError("'source_file' needs its 'source_sha256'")
        return self

    @property
    def label(self) -> str:
        """The name, or the source file's stem."""
        if self.name:
            return self.name
        from pathlib import PurePath

        return PurePath(str(self.source_file)).stem

    @property
    def spec(self) -> str:
        """What ``backtest(strategy=...)`` takes: ``name`` or ``source_file[:name]``."""
        if self.source_file:
            return f"{self.source_file}:{self.name}" if self.name else self.source_file
        return str(self.name)


class DataBinding(ArtifactModel):
    """The data a configuration runs on. ``start``/``end`` bound the bars (inclusive, UTC)."""

    symbol: str
    timeframe: str
    path: str | None = Field(default=None, description="data file; None = resolve symbol/timeframe")
    sha256: str | None = Field(default=None, pattern=SHA256_PATTERN, description="hash of the data file")
    start: datetime | None = None
    end: datetime | None = None
    instrument: dict[str, float] | None = Field(
        default=None,
        description="instrument specs the run used beyond the data's inferred price step (price_step, volume_step, "
        "multiplier, commission, commission_per_unit; docs/engine-api.md, 'Instrument specs')",
    )


class EmulationConfig(ArtifactModel):
    """Engine emulation settings, the same fields as :class:`pystocksharp.backtest.BacktestSettings`.

    ``commission`` and ``slippage`` are fractions (0.002 = 0.2 % of notional / price);
    ``commission_per_unit`` and ``min_commission`` are money; ``slippage_steps`` is a count
    of price steps; ``fill`` is where market orders fill: 'next-open' or 'close';
    ``leverage`` is buying power as a multiple of equity; ``participation`` caps each bar's fills at that fraction
    of its volume (None: off), the rest ``participation_remainder`` 'carry' (to the next bars) or 'cancel';
    ``impact`` is the square-root market impact coefficient k (0: off).
    """

    capital: float = Field(default=10_000.0, gt=0, description="initial capital (account currency)")
    commission: float = Field(default=0.0, ge=0, lt=1)
    commission_per_unit: float = Field(default=0.0, ge=0)
    min_commission: float = Field(default=0.0, ge=0)
    slippage: float = Field(default=0.0, ge=0, lt=1)
    slippage_steps: float = Field(default=0.0, ge=0)
    fill: Literal["next-open", "close"] = "next-open"
    leverage: float = Field(default=1.0, gt=0)
    participation: float | None = Field(default=None, gt=0, le=1, description="fraction of each bar's volume orders may fill")
    participation_remainder: Literal["carry", "cancel"] = "carry"
    impact: float = Field(default=0.0, ge=0, description="square-root market impact coefficient k")


class StrategyConfig(ArtifactModel):
    """``strategy-config.json``: everything needed to run the configuration again, exactly.

    ``pystocksharp backtest --config strategy-config.json`` reproduces the run.
    """

    schema_version: Literal[1] = 1
    strategy: StrategyRef
    parameters: dict[str, ParamValue] = Field(default_factory=dict)
    parameter_hash: str | None = None
    data: DataBinding
    other_data: list[DataBinding] = Field(
        default_factory=list,
        description="the other instruments of a run over several (in run order after data, the primary)",
    )
    emulation: EmulationConfig = Field(default_factory=EmulationConfig)
    risk: dict[str, Any] | None = Field(default=None, description="risk settings (e.g. stop levels)")
    source: str | None = Field(default=None, description="where the configuration came from (rank, run dir)")


# ---- data and trades -----------------------------------------------------------------------


class MarketDataRef(ArtifactModel):
    """``market-data.json``: a reference to the bars a run used (never the bars themselves)."""

    schema_version: Literal[1] = 1
    symbol: str
    timeframe: str
    path: str | None = Field(default=None, description="data file (or cache folder) the bars came from")
    sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)
    bars: int = Field(ge=0)
    first_timestamp: datetime | None = None
    last_timestamp: datetime | None = None


class Fill(ArtifactModel):
    """One own trade as the engine recorded it; ``side`` +1 buy, -1 sell."""

    time: datetime
    side: Literal[1, -1]
    price: float
    volume: float
    commission: float = 0.0
    order_id: int | None = None
    bar: int | None = None
    realized_pnl: OptFloat = None


class RoundTrip(ArtifactModel):
    """One matched (entry, exit) pair, as the engine matched them (FIFO); side +1 long, -1 short."""

    entry_time: datetime
    exit_time: datetime
    side: Literal[1, -1]
    volume: float
    entry_price: float
    exit_price: float
    pnl: OptFloat = Field(default=None, description="net profit of the round trip (account currency)")
    commission: OptFloat = None
    return_fraction: OptFloat = None
    bars: int | None = None


class TradesFile(ArtifactModel):
    """``trades.json``: the fills and round trips of one run."""

    schema_version: Literal[1] = 1
    fills: list[Fill]
    round_trips: list[RoundTrip] = Field(default_factory=list)


# ---- optimization table ---------------------------------------------------------------------


class OptimizationRow(ArtifactModel):
    rank: int = Field(ge=1, description="1 = best, in the table's order")
    parameter_hash: str
    parameters: dict[str, ParamValue | None]
    metrics: dict[str, OptFloat]
    error: str | None = None


class OptimizationResultsPage(ArtifactModel):
    """``optimization-results.json`` (1,000 rows or fewer) or one page ``-0001.json``..."""

    schema_version: Literal[1] = 1
    page: int = Field(ge=1)
    page_count: int = Field(ge=1)
    total_rows: int = Field(ge=0)
    row_offset: int = Field(ge=0, description="number of rows before this page")
    parameter_names: list[str]
    metric_names: list[str]
    rows: list[OptimizationRow]


class PageRef(ArtifactModel):
    path: str
    rows: int
    first_rank: int
    last_rank: int


class OptimizationResultsIndex(ArtifactModel):
    """``optimization-results.json`` when the table has more than one page of rows."""

    schema_version: Literal[1] = 1
    total_rows: int = Field(ge=0)
    page_size: int = Field(ge=1)
    parameter_names: list[str]
    metric_names: list[str]
    pages: list[PageRef]
    parquet: str = Field(description="the whole table as Parquet, relative path")


# ---- reports --------------------------------------------------------------------------------


class PipelineStage(ArtifactModel):
    name: str
    status: Literal["ok", "failed", "skipped"] = "ok"
    duration_s: OptFloat = None
    detail: str | None = None


class PipelineSummary(ArtifactModel):
    """``reports/pipeline-summary.json``: what ran, how long, and with what outcome."""

    schema_version: Literal[1] = 1
    strategy: StrategyMetadata
    data: DataMetadata
    statistics: RunStatistics
    stages: list[PipelineStage] = Field(default_factory=list)
    ranking: list[str] = Field(default_factory=list, description="sort criteria, e.g. 'sharpe_ratio:desc'")
    filters: list[str] = Field(default_factory=list)
    engine_version: str | None = None
    created_at: datetime


class BestConfiguration(ArtifactModel):
    rank: int = Field(ge=1)
    parameter_hash: str
    parameters: dict[str, ParamValue]
    metrics: dict[str, OptFloat]
    folder: str | None = Field(default=None, description="its folder, relative to the run folder")


class BestConfigurations(ArtifactModel):
    """``reports/best-configurations.json``: the top configurations, best first."""

    schema_version: Literal[1] = 1
    ranking: list[str] = Field(default_factory=list)
    configurations: list[BestConfiguration]


class RiskEntry(ArtifactModel):
    rank: int = Field(ge=1)
    parameter_hash: str
    risk: dict[str, OptFloat] = Field(description="risk metrics (fractions; drawdowns <= 0)")


class RiskAnalysis(ArtifactModel):
    """``reports/risk-analysis.json``: risk metrics of the top configurations."""

    schema_version: Literal[1] = 1
    metrics: list[str]
    configurations: list[RiskEntry]


# ---- strategy metadata ----------------------------------------------------------------------


class StrategyDefinition(ArtifactModel):
    """``metadata/strategy-definition.json``: the strategy and its declared parameters."""

    schema_version: Literal[1] = 1
    strategy: StrategyRef
    description: str | None = None
    parameters: list[ParameterDefinition] = Field(
        default_factory=list, description="as pystocksharp.parameters defines them"
    )
    constraints: list[str] = Field(
        default_factory=list, description="cross-parameter rules, e.g. 'fast < slow'"
    )


class ParameterSchemas(ArtifactModel):
    """``metadata/parameter-schemas.json``: a JSON Schema of the parameter dict, plus the grid."""

    schema_version: Literal[1] = 1
    strategy: str
    parameters_schema: dict[str, Any] = Field(description="JSON Schema (draft 2020-12) of 'parameters'")
    grid: list[str] = Field(default_factory=list, description="the optimized grid, e.g. 'fast=5:50:5'")


# ---- shared market-data cache ---------------------------------------------------------------


class CacheFile(ArtifactModel):
    path: str
    size: int = Field(ge=0)
    sha256: Sha256


class MarketDataCacheEntry(ArtifactModel):
    """``shared-cache/market-data/{symbol}/{timeframe}/{year}/{month}/metadata.json``."""

    schema_version: Literal[1] = 1
    symbol: str
    timeframe: str
    year: int
    month: int = Field(ge=1, le=12)
    bars: int = Field(ge=0)
    first_timestamp: datetime | None = None
    last_timestamp: datetime | None = None
    source_sha256: str | None = Field(default=None, description="hash of the data the series came from")
    series_months: int = Field(ge=1, description="number of months stored for the series")
    files: list[CacheFile]
    created_at: datetime
    last_access: datetime = Field(description="updated on every cache hit; prune removes the oldest first")
