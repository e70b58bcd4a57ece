"""Registry of every JSON file model in pystocksharp, and their generated JSON Schemas.

``generate_schemas(dir)`` writes ``{dir}/{name}.schema.json`` for each registered model
(draft 2020-12, from pydantic, with a top-level ``schemaVersion`` equal to the model's
``schema_version``). The schemas are committed in ``schemas/``; ``pystocksharp schemas
--check`` (and a test) fail when a model changed and its schema was not regenerated.
Models of other modules are registered when those modules exist.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pystocksharp.artifacts import models as m
from pystocksharp.io import atomic_write_text

#: Schema name -> model, for the models defined here.
_OWN: dict[str, type[BaseModel]] = {
    "manifest": m.Manifest,
    "strategy-config": m.StrategyConfig,
    "market-data": m.MarketDataRef,
    "trades": m.TradesFile,
    "optimization-results-page": m.OptimizationResultsPage,
    "optimization-results-index": m.OptimizationResultsIndex,
    "pipeline-summary": m.PipelineSummary,
    "best-configurations": m.BestConfigurations,
    "risk-analysis": m.RiskAnalysis,
    "strategy-definition": m.StrategyDefinition,
    "parameter-schemas": m.ParameterSchemas,
    "market-data-cache-entry": m.MarketDataCacheEntry,
}
#: Schema name -> (module, class) of models owned by other modules, registered if importable.
_OTHERS: dict[str, tuple[str, str]] = {
    "performance-metrics": ("pystocksharp.metrics", "PerformanceMetrics"),
    "parameter-set": ("pystocksharp.parameters", "ParameterSetModel"),
    "validation-verdict": ("pystocksharp.validation.models", "Verdict"),
    "validation-monte-carlo": ("pystocksharp.validation.models", "MonteCarloReport"),
    "validation-walk-forward": ("pystocksharp.validation.models", "WalkForwardResult"),
    "validation-overfitting": ("pystocksharp.validation.models", "OverfittingResult"),
    "run-analytics": ("pystocksharp.reports.analytics", "RunAnalytics"),
}
#: Default folder of the committed schemas (the repository's ``schemas/``).
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "schemas"
SUFFIX = ".schema.json"


def registry() -> dict[str, type[BaseModel]]:
    """Every known JSON model by schema name (sorted by name)."""
    found = dict(_OWN)
    for name, (module_name, class_name) in _OTHERS.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        model = getattr(module, class_name, None)
        if isinstance(model, type) and issubclass(model, BaseModel):
            found[name] = model
    return dict(sorted(found.items()))


def schema_version(model: type[BaseModel]) -> int | str | None:
    """The model's ``schema_version`` default, if it has one."""
    fields = model.model_fields
    for key in ("schema_version", "schemaVersion"):
        if key in fields:
            return fields[key].default
    return None


def json_schema(name: str, model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of ``model`` (serialization mode, by alias), with ``schemaVersion``."""
    body = model.model_json_schema(by_alias=True, mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://pystocksharp.dev/schemas/{name}{SUFFIX}",
        "schemaVersion": schema_version(model),
        **body,
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def generate_schemas(directory: str | os.PathLike[str] = DEFAULT_DIR) -> list[Path]:
    """Write every schema into ``directory`` (atomically); return the paths written."""
    directory = Path(directory)
    written = []
    for name, model in registry().items():
        written.append(atomic_write_text(directory / f"{name}{SUFFIX}", render(json_schema(name, model))))
    return written


def stale_schemas(directory: str | os.PathLike[str] = DEFAULT_DIR) -> list[str]:
    """Problems: schemas missing, different from their model, or of no model (by file name)."""
    directory = Path(directory)
    problems = []
    expected = {f"{name}{SUFFIX}": render(json_schema(name, model)) for name, model in registry().items()}
    for file_name, text in expected.items():
        path = directory / file_name
        if not path.exists():
            problems.append(f"{path}: missing (run `pystocksharp schemas`)")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: stale, its model changed (run `pystocksharp schemas`)")
    present: Iterable[Path] = directory.glob(f"*{SUFFIX}") if directory.is_dir() else ()
    for path in sorted(present):
        if path.name not in expected:
            problems.append(f"{path}: no model has this schema (remove it or register the model)")
    return problems
