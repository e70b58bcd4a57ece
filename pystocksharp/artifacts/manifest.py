"""Manifests: the list of a folder's files with sizes and sha256 hashes, written last.

A folder is complete exactly when its ``manifest.json`` exists: writers write every other
file first (each atomically), make them durable, then write the manifest atomically. The
manifest of a folder covers every file below it except those in sub-folders that have (or
are meant to have) their own manifest.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from pystocksharp.artifacts.layout import relative_posix
from pystocksharp.artifacts.models import (
    DataMetadata,
    Manifest,
    ManifestFile,
    RunStatistics,
    StrategyMetadata,
)
from pystocksharp.errors import InputError, Problem
from pystocksharp.io import LOCK_FILE, atomic_write_json

MANIFEST_FILE = "manifest.json"
_CHUNK = 1 << 20

#: Description of each known file, by name pattern (first match wins).
DESCRIPTIONS: tuple[tuple[str, str], ...] = (
    ("strategy-config.json", "deployable configuration: strategy, parameters, data, emulation, risk"),
    ("market-data.json", "reference to the bars used: path, sha256, bar count, first/last time"),
    ("trades.json", "fills and round trips as the engine recorded them"),
    ("performance-metrics.json", "performance metrics (fractions; annualized where stated)"),
    ("equity.parquet", "per-bar time, close, position, cash, equity, PnL, commission"),
    ("trades.parquet", "fills as a Parquet table"),
    ("optimization-results.json", "optimization table (or its page index), ranked best first"),
    ("optimization-results-*.json", "one page of the optimization table (1,000 rows)"),
    ("optimization-results.parquet", "the whole optimization table as Parquet"),
    ("fills/*", "fills of every combination, Parquet dataset partitioned by parameter hash"),
    ("equity/*", "per-bar equity of every combination, Parquet dataset partitioned by parameter hash"),
    ("pipeline-summary.json", "what ran, for how long, with what outcome"),
    ("best-configurations.json", "the top configurations, best first"),
    ("risk-analysis.json", "risk metrics of the top configurations"),
    ("strategy-definition.json", "the strategy and its declared parameters"),
    ("parameter-schemas.json", "JSON Schema of the strategy's parameters, and the grid"),
    ("run-config.json", "the run's base configuration (deploy fills in a combination's parameters)"),
    ("index.html", "HTML report page"),
    ("assets/*", "report page assets (scripts, styles)"),
)


def describe(relative_path: str) -> str:
    """The standard description of a file, from its path relative to the manifest."""
    for pattern, text in DESCRIPTIONS:
        if fnmatch.fnmatch(relative_path, pattern) or fnmatch.fnmatch(Path(relative_path).name, pattern):
            return text
    return ""


def sha256_file(path: str | os.PathLike[str]) -> str:
    """``"sha256:<hex>"`` of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


#: Names of what atomic writes create before their final rename (``.fills.tmp-1a2b3c4d``, ``.run.json.x8k2.tmp``):
#: never part of a manifest (``validate`` reports one that was left behind).
TEMP_NAME = re.compile(r"\..+\.tmp(-[0-9a-f]{8})?")


def covered_files(folder: Path, own_manifest_dirs: Iterable[Path] = ()) -> list[Path]:
    """Files a manifest of ``folder`` must list, sorted.

    Skips the manifest itself, temporary files and folders of writes in progress (:data:`TEMP_NAME`), lock
    files (:data:`pystocksharp.io.LOCK_FILE`: a writer's, not data) and sub-folders that hold a
    ``manifest.json`` (or are named in ``own_manifest_dirs``, for sub-folders still being written).
    """
    skip = {Path(p).resolve() for p in own_manifest_dirs}
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if (here / d).resolve() not in skip and not (here / d / MANIFEST_FILE).exists() and not TEMP_NAME.fullmatch(d)
        )
        for name in sorted(filenames):
            if (here == folder and name == MANIFEST_FILE) or TEMP_NAME.fullmatch(name) or name == LOCK_FILE:
                continue
            found.append(here / name)
    return sorted(found)


def fsync_paths(paths: Iterable[Path]) -> None:
    """Make files and their folders durable (each folder once)."""
    folders: set[Path] = set()
    for path in paths:
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
        folders.add(path.parent)
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def build_manifest(
    folder: str | os.PathLike[str],
    *,
    kind: str,
    strategy: StrategyMetadata | None = None,
    data: DataMetadata | None = None,
    run: RunStatistics | None = None,
    engine_version: str | None = None,
    descriptions: Mapping[str, str] | None = None,
) -> Manifest:
    """A manifest of ``folder`` listing every covered file with its size and sha256."""
    from pystocksharp import __version__

    folder = Path(folder)
    entries = []
    for path in covered_files(folder):
        rel = relative_posix(path, folder)
        text = (descriptions or {}).get(rel) or describe(rel)
        entries.append(
            ManifestFile(path=rel, size=path.stat().st_size, sha256=sha256_file(path), description=text)
        )
    return Manifest(
        kind=kind,
        files=entries,
        strategy=strategy,
        data=data,
        run=run,
        engine_version=engine_version,
        package_version=__version__,
        created_at=datetime.now(UTC),
    )


def write_manifest(folder: str | os.PathLike[str], *, fsync: bool = True, **kwargs: object) -> Path:
    """Make the folder's files durable, then write its manifest atomically (last)."""
    folder = Path(folder)
    manifest = build_manifest(folder, **kwargs)  # type: ignore[arg-type]
    if fsync:
        fsync_paths(folder / f.path for f in manifest.files)
    return atomic_write_json(folder / MANIFEST_FILE, manifest, fsync=fsync)


def check_before_refresh(folder: str | os.PathLike[str], regenerated: Callable[[str], bool]) -> list[Problem]:
    """What would be laundered by re-hashing ``folder``: its problems against the current manifest, except for
    files for which ``regenerated(relative path)`` is true (the ones the caller is rewriting, e.g. report pages)."""
    folder = Path(folder)
    return [
        p for p in verify_manifest(folder, display_base=folder)
        if p.file is None or not regenerated(p.file)
    ]  # fmt: skip


def refresh_manifest(
    folder: str | os.PathLike[str],
    *,
    fsync: bool = True,
    descriptions: dict[str, str] | None = None,
    regenerated: Callable[[str], bool] | None = None,
) -> Path:
    """Rewrite a folder's manifest after files were added (e.g. report pages), keeping its metadata.

    The file list, sizes and hashes are recomputed; ``kind``, strategy, data, run statistics
    and engine version are kept. Use it after adding files to a complete folder. With
    ``regenerated`` (which files the caller rewrote), every other file must still match the old
    manifest — else :class:`InputError` and nothing is rewritten, so that a tampered file is never
    re-hashed into a valid manifest.
    """
    folder = Path(folder)
    old = read_manifest(folder)
    if regenerated is not None:
        problems = check_before_refresh(folder, regenerated)
        if problems:
            raise InputError(
                f"{folder} does not match its manifest; refusing to rewrite it (run `pystocksharp validate`)", problems
            )
    merged = {f.path: f.description for f in old.files if f.description}
    merged.update(descriptions or {})
    return write_manifest(
        folder,
        descriptions=merged,
        kind=old.kind,
        strategy=old.strategy,
        data=old.data,
        run=old.run,
        engine_version=old.engine_version,
        fsync=fsync,
    )


def read_manifest(folder: str | os.PathLike[str]) -> Manifest:
    path = Path(folder) / MANIFEST_FILE
    return Manifest.model_validate_json(path.read_bytes())


def verify_manifest(folder: str | os.PathLike[str], *, display_base: Path | None = None) -> list[Problem]:
    """Every problem of ``folder`` against its manifest: missing, resized, changed, unlisted files.

    Problems name files relative to ``display_base`` (default: the folder's parent chain as given).
    """
    folder = Path(folder)
    base = display_base or folder

    def name(path: Path) -> str:
        return relative_posix(path, base)

    manifest_path = folder / MANIFEST_FILE
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError, ValidationError) as exc:
        return [Problem(f"unreadable manifest: {str(exc).splitlines()[0]}", file=name(manifest_path))]
    problems: list[Problem] = []
    listed: set[Path] = set()
    for entry in manifest.files:
        path = (folder / entry.path).resolve()
        if folder.resolve() not in path.parents:
            problems.append(
                Problem(f"manifest lists a path outside its folder: {entry.path}", file=name(manifest_path))
            )
            continue
        listed.add(path)
        target = folder / entry.path
        if not target.is_file():
            problems.append(Problem("listed in manifest.json but missing", file=name(target)))
            continue
        size = target.stat().st_size
        if size != entry.size:
            problems.append(Problem(f"size {size} bytes, manifest says {entry.size}", file=name(target)))
        elif sha256_file(target) != entry.sha256:
            problems.append(Problem("content changed: sha256 differs from manifest.json", file=name(target)))
    for path in covered_files(folder):
        if path.resolve() not in listed:
            problems.append(Problem("not listed in manifest.json", file=name(path)))
    return problems
