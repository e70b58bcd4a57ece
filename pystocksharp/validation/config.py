"""The ``pystocksharp pipeline CONFIG`` file: one pydantic-validated YAML or JSON document.

Paths (``data``, ``out``) are relative to the config file; ``data`` may also be a packaged
sample, ``sample:GOOG_1d``. A bad config raises one ``InputError`` listing every problem with
its field path (``walk_forward.train``), not just the first. See ``examples/pipeline.yaml``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pystocksharp.errors import InputError, Problem
from pystocksharp.timeframes import parse_duration
from pystocksharp.validation.models import Selection
from pystocksharp.validation.verdict import HoldoutThresholds, VerdictThresholds

Length = str | int


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StrictVerdictThresholds(VerdictThresholds):
    model_config = ConfigDict(extra="forbid")


class StrictHoldoutThresholds(HoldoutThresholds):
    model_config = ConfigDict(extra="forbid")


class Costs(_Section):
    """Capital (money) and costs (fractions: 0.001 = 0.1 %) of every engine run."""

    capital: float = Field(default=10_000.0, gt=0)
    commission: float = Field(default=0.0, ge=0, lt=1)
    slippage: float = Field(default=0.0, ge=0, lt=1)
    fill: Literal["next-open", "close"] = "next-open"


class OptimizationStage(_Section):
    """The grid, its constraints and the ranking (as in ``pystocksharp optimize``)."""

    grid: list[str] = Field(min_length=1, description='e.g. ["fast=5:30:5", "slow=20:120:20"]')
    constraints: list[str] = Field(default_factory=list)
    rank: str = "sharpe_ratio:desc"
    workers: int | None = Field(default=None, ge=1)


class WalkForwardStage(_Section):
    train: Length = "2y"
    test: Length = "6m"
    step: Length | None = None
    anchored: bool = False
    warmup: int = Field(default=0, ge=0, description="bars run before each test window, not counted")
    select: Selection = Field(
        default="in-sample", description="how the final configuration is chosen (walk_forward's select)"
    )


class HoldoutStage(_Section):
    enabled: bool = True
    length: Length = "1y"
    thresholds: StrictHoldoutThresholds = Field(default_factory=StrictHoldoutThresholds)


class MonteCarloStage(_Section):
    enabled: bool = True
    simulations: int = Field(default=1000, ge=10)
    ruin_loss: float = Field(default=0.5, gt=0, le=1)


class OverfittingStage(_Section):
    enabled: bool = True
    pbo_blocks: int = Field(default=16, ge=2, multiple_of=2)


class PipelineConfig(_Section):
    """The whole pipeline: optimization, then walk-forward and the enabled validation stages."""

    strategy: str
    data: str = Field(description="CSV/Parquet path relative to the config, or sample:NAME")
    out: str | None = Field(default=None, description="artifacts root, relative to the config")
    seed: int = 0
    costs: Costs = Field(default_factory=Costs)
    optimization: OptimizationStage
    walk_forward: WalkForwardStage = Field(default_factory=WalkForwardStage)
    holdout: HoldoutStage = Field(default_factory=HoldoutStage)
    monte_carlo: MonteCarloStage = Field(default_factory=MonteCarloStage)
    overfitting: OverfittingStage = Field(default_factory=OverfittingStage)
    thresholds: StrictVerdictThresholds = Field(default_factory=StrictVerdictThresholds)


def resolve_data(reference: str, base: Path | None = None) -> Path:
    """``sample:NAME`` -> the packaged sample; a relative path -> relative to ``base``."""
    from pystocksharp.data import SAMPLE_PREFIX, data_path  # noqa: PLC0415

    if reference.startswith(SAMPLE_PREFIX):
        return data_path(reference)
    path = Path(reference).expanduser()
    return path if path.is_absolute() or base is None else base / path


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "<root>"


def _section(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name)
    return value if isinstance(value, dict) else {}


def _semantic_problems(raw: dict[str, Any], base: Path, file: str) -> list[Problem]:
    """Durations that do not parse and a data reference that does not exist, checked on the
    raw document so they are reported together with the schema errors."""
    problems: list[Problem] = []
    wf, holdout = _section(raw, "walk_forward"), _section(raw, "holdout")
    lengths = {
        "walk_forward.train": wf.get("train"),
        "walk_forward.test": wf.get("test"),
        "walk_forward.step": wf.get("step"),
        "holdout.length": holdout.get("length") if holdout.get("enabled", True) is not False else None,
    }
    for name, value in lengths.items():
        if value is None or not isinstance(value, str | int) or isinstance(value, bool):
            continue
        try:
            parse_duration(value, field=name)
        except InputError as err:
            problems.extend(Problem(p.message, file=file, field=name) for p in err.problems)
    data = raw.get("data")
    if isinstance(data, str):
        try:
            path = resolve_data(data, base)
            if not path.exists():
                problems.append(Problem(f"data file not found: {path}", file=file, field="data"))
        except InputError as err:
            problems.extend(Problem(p.message, file=file, field="data") for p in err.problems)
    return problems


def load_config(path: str | Path) -> PipelineConfig:
    """Read, parse and validate a pipeline config; ``InputError`` lists every problem at once."""
    file = Path(path)
    if not file.exists():
        raise InputError("config not found", [Problem("no such file", file=str(file))])
    text = file.read_text(encoding="utf-8")
    try:
        raw = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        line = line + 1 if line is not None else getattr(err, "lineno", None)
        raise InputError(
            "config is not valid YAML/JSON", [Problem(str(err), file=str(file), line=line)]
        ) from None
    if not isinstance(raw, dict):
        raise InputError("bad config", [Problem("the top level must be a mapping", file=str(file))])
    problems: list[Problem] = []
    config = None
    try:
        config = PipelineConfig.model_validate(raw)
    except ValidationError as err:
        problems = [Problem(e["msg"], file=str(file), field=_field(e["loc"])) for e in err.errors()]
    reported = {p.field for p in problems}
    problems += [p for p in _semantic_problems(raw, file.parent, str(file)) if p.field not in reported]
    if problems or config is None:
        raise InputError(f"invalid pipeline config ({len(problems)} problems)", problems)
    return config


def run_config(config: PipelineConfig, base: Path, progress: Any = None) -> Any:
    """Run the pipeline a loaded config describes (see :func:`pystocksharp.walk_forward`)."""
    from pystocksharp.validation.pipeline import walk_forward  # noqa: PLC0415

    opt = config.optimization
    return walk_forward(
        config.strategy,
        resolve_data(config.data, base),
        grid=opt.grid,
        constraints=opt.constraints,
        rank=opt.rank,
        train=config.walk_forward.train,
        test=config.walk_forward.test,
        step=config.walk_forward.step,
        anchored=config.walk_forward.anchored,
        warmup=config.walk_forward.warmup,
        select=config.walk_forward.select,
        holdout=config.holdout.length if config.holdout.enabled else None,
        holdout_thresholds=config.holdout.thresholds,
        monte_carlo=config.monte_carlo.simulations if config.monte_carlo.enabled else 0,
        ruin_loss=config.monte_carlo.ruin_loss,
        overfitting=config.overfitting.enabled,
        pbo_blocks=config.overfitting.pbo_blocks,
        seed=config.seed,
        thresholds=config.thresholds,
        workers=opt.workers,
        out=(base / config.out).resolve() if config.out is not None else None,
        capital=config.costs.capital,
        commission=config.costs.commission,
        slippage=config.costs.slippage,
        fill=config.costs.fill,
        progress=progress,
    )
