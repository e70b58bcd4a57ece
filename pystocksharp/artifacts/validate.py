"""``pystocksharp validate DIR``: check every manifest against its files and every JSON
against its schema, and report every problem with the file it is about.

Rules:
- each ``manifest.json`` must be readable and match its folder (sizes, hashes, no missing
  and no unlisted files);
- every file under DIR must be covered by a manifest (its folder's or an ancestor's below
  DIR) or be part of a shared-cache month (covered by that month's ``metadata.json``); a
  folder without its manifest is incomplete (e.g. a run killed mid-write); lock files
  (``.pystocksharp.lock``, left by a run that holds or held the folder) are ignored;
- every ``*.json`` must parse and, when its name is known, match its JSON Schema.

JSON files up to 64 KB are checked with ``jsonschema`` against the generated schema. Larger
ones (the 1,000-row pages of an optimization table) are first checked, strictly, with the
pydantic model the schema is generated from (the same rules, ~50x faster than jsonschema on
10,000 rows); only when that fails does ``jsonschema`` run, to list the violations.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from pydantic import BaseModel, Field, ValidationError

from pystocksharp.artifacts.cache import METADATA_FILE, verify_month
from pystocksharp.artifacts.layout import relative_posix
from pystocksharp.artifacts.manifest import MANIFEST_FILE, TEMP_NAME, verify_manifest
from pystocksharp.errors import Problem
from pystocksharp.io import LOCK_FILE

#: JSON file name -> schema name (``optimization-results.json`` is decided by content).
FILE_SCHEMAS = {
    MANIFEST_FILE: "manifest",
    "strategy-config.json": "strategy-config",
    "run-config.json": "strategy-config",
    "market-data.json": "market-data",
    "trades.json": "trades",
    "performance-metrics.json": "performance-metrics",
    "pipeline-summary.json": "pipeline-summary",
    "best-configurations.json": "best-configurations",
    "risk-analysis.json": "risk-analysis",
    "strategy-definition.json": "strategy-definition",
    "parameter-schemas.json": "parameter-schemas",
    "analytics.json": "run-analytics",
}
_PAGE = re.compile(r"^optimization-results-\d{4,}\.json$")


class ProblemEntry(BaseModel):
    file: str | None
    message: str
    field: str | None = None


class ValidationOutcome(BaseModel):
    """What ``validate`` found (``--json`` prints this)."""

    root: str
    ok: bool
    manifests_checked: int
    json_checked: int
    problems: list[ProblemEntry] = Field(default_factory=list)
    skipped_json: list[str] = Field(default_factory=list, description="JSON files with no known schema")


def schema_name(path: Path, data: Any) -> str | None:
    """The schema a JSON file must match, from its name (and, for the results table, content)."""
    name = path.name
    if name == "optimization-results.json":
        return (
            "optimization-results-index"
            if isinstance(data, dict) and "pages" in data
            else "optimization-results-page"
        )
    if _PAGE.match(name):
        return "optimization-results-page"
    if name == METADATA_FILE and (path.parent / "ohlcv.parquet").exists():
        return "market-data-cache-entry"
    return FILE_SCHEMAS.get(name)


FAST_PATH_BYTES = 64 * 1024


def _model_accepts(name: str, raw: bytes) -> bool:
    from pystocksharp.schemas import registry

    model = registry()[name]
    try:
        model.model_validate_json(raw, strict=True)
    except ValidationError:
        return False
    return True


@cache
def _validator(name: str) -> Draft202012Validator | None:
    from pystocksharp.schemas import json_schema, registry

    model = registry().get(name)
    return Draft202012Validator(json_schema(name, model)) if model is not None else None


def check_json(path: Path, display: str) -> tuple[list[Problem], bool]:
    """Problems of one JSON file, and whether a schema was applied."""
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        return [Problem(f"not valid JSON: {exc}", file=display)], True
    name = schema_name(path, data)
    validator = _validator(name) if name else None
    if validator is None or name is None:
        return [], False
    if len(raw) > FAST_PATH_BYTES and _model_accepts(name, raw):
        return [], True
    problems = [
        Problem(f"does not match schema '{name}': {error.message}", file=display, field=error.json_path)
        for error in sorted(validator.iter_errors(data), key=lambda e: e.json_path)
    ]
    if name == "optimization-results-index" and isinstance(data, dict):
        for ref in data.get("pages", []):
            if isinstance(ref, dict) and not (path.parent / str(ref.get("path"))).is_file():
                problems.append(Problem(f"index lists a missing page: {ref.get('path')}", file=display))
    return problems, True


LEFTOVER = "left by an interrupted write (the export it belongs to did not finish); the next export of this run removes it"


def validate_tree(root: str | os.PathLike[str]) -> ValidationOutcome:
    """Check everything under ``root`` (a run folder, a results tree or a cache)."""
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        problems.append(Problem("not a folder", file=str(root)))
        return _outcome(root, problems, 0, 0, [])
    manifest_dirs: list[Path] = []
    cache_dirs: list[Path] = []
    all_files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        here = Path(dirpath)
        for name in [d for d in dirnames if TEMP_NAME.fullmatch(d)] + [f for f in filenames if TEMP_NAME.fullmatch(f)]:
            problems.append(Problem(LEFTOVER, file=relative_posix(here / name, root)))
        dirnames[:] = [d for d in dirnames if not TEMP_NAME.fullmatch(d)]
        filenames = [f for f in filenames if not TEMP_NAME.fullmatch(f)]
        if MANIFEST_FILE in filenames:
            manifest_dirs.append(here)
        if METADATA_FILE in filenames and "ohlcv.parquet" in filenames:
            cache_dirs.append(here)
        all_files.extend(here / f for f in sorted(filenames) if f != LOCK_FILE)
    for folder in manifest_dirs:
        problems += verify_manifest(folder, display_base=root)
    for folder in cache_dirs:
        problems += verify_month(folder, display_base=root)
    covered_roots = [*manifest_dirs, *cache_dirs]
    for path in all_files:
        if not any(folder == path.parent or folder in path.parents for folder in covered_roots):
            problems.append(
                Problem("not covered by any manifest (incomplete folder?)", file=relative_posix(path, root))
            )
    json_checked, skipped = 0, []
    for path in all_files:
        if path.suffix != ".json":
            continue
        display = relative_posix(path, root)
        found, applied = check_json(path, display)
        problems += found
        json_checked += 1
        if not applied:
            skipped.append(display)
    return _outcome(root, problems, len(manifest_dirs) + len(cache_dirs), json_checked, skipped)


def _outcome(
    root: Path, problems: list[Problem], manifests: int, json_checked: int, skipped: list[str]
) -> ValidationOutcome:
    return ValidationOutcome(
        root=str(root),
        ok=not problems,
        manifests_checked=manifests,
        json_checked=json_checked,
        problems=[ProblemEntry(file=p.file, message=p.message, field=p.field) for p in problems],
        skipped_json=skipped,
    )
