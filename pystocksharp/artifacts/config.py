"""Deployable configurations: build a :class:`StrategyConfig`, export one from a run
(``pystocksharp deploy``), and turn one into :func:`pystocksharp.backtest` arguments.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pystocksharp.artifacts.layout import RUN_FOLDERS, run_folder_of, short_hash
from pystocksharp.artifacts.manifest import MANIFEST_FILE, sha256_file
from pystocksharp.artifacts.models import (
    BestConfigurations,
    DataBinding,
    EmulationConfig,
    OptimizationResultsIndex,
    OptimizationResultsPage,
    OptimizationRow,
    StrategyConfig,
    StrategyRef,
)
from pystocksharp.errors import InputError, Problem
from pystocksharp.io import atomic_write_json


def load_config(path: str | os.PathLike[str]) -> StrategyConfig:
    """Read a ``strategy-config.json``; every problem is reported in one :class:`InputError`."""
    path = Path(path)
    try:
        return StrategyConfig.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise InputError("cannot read configuration", [Problem(str(exc), file=str(path))]) from exc
    except ValidationError as exc:
        problems = [
            Problem(err["msg"], file=str(path), field=".".join(str(p) for p in err["loc"]) or None)
            for err in exc.errors()
        ]
        raise InputError("bad configuration", problems) from exc


def backtest_arguments(config: StrategyConfig) -> dict[str, Any]:
    """Keyword arguments of :func:`pystocksharp.backtest` that reproduce ``config``.

    ``backtest(**backtest_arguments(load_config("strategy-config.json")))``. Checked first, all problems
    at once (:class:`InputError`, nothing run): the data file's sha256 is required and must match; a strategy
    file is run only through ``strategy.source_file`` with a matching ``source_sha256`` (``strategy.name``
    alone must be a built-in name, not a path); ``parameter_hash`` is required and must be the hash of
    ``parameters`` (an edited value is refused, not silently run). No file's content is echoed.
    """
    problems = [*_data_problems(config), *_strategy_problems(config), *_parameter_problems(config)]
    if problems:  # one problem: its own headline ("data file changed since …"), else a common one
        summary = problems[0].message.split(":")[0] if len(problems) == 1 else "the configuration cannot be replayed as written"
        raise InputError(summary, problems)
    args = {
        "strategy": config.strategy.spec,
        "data": config.data.path,
        "params": dict(config.parameters),
        "symbol": config.data.symbol,
        "timeframe": config.data.timeframe,
        "instrument": config.data.instrument,
        **emulation_arguments(config.emulation),
    }
    if config.other_data:  # several instruments: symbol -> file, the primary first, and their specs
        bindings = [config.data, *config.other_data]
        args["data"] = {b.symbol: b.path for b in bindings}
        args["symbol"] = None
        args["instrument"] = {b.symbol: b.instrument for b in bindings if b.instrument} or None
    return args


#: Emulation settings that are passed on only when set (their defaults mean "off").
_OPTIONAL_EMULATION = {"participation": None, "participation_remainder": "carry", "impact": 0.0}


def emulation_arguments(emulation: EmulationConfig) -> dict[str, Any]:
    """The settings of ``emulation`` as :func:`pystocksharp.backtest` keywords; volume participation and market
    impact only when set."""
    return {k: v for k, v in emulation.model_dump().items() if k not in _OPTIONAL_EMULATION or v != _OPTIONAL_EMULATION[k]}


#: A built-in strategy name (catalog or Python built-in): what ``strategy.name`` may hold without a source file.
_BUILTIN_NAME = re.compile(r"[A-Za-z_][\w-]*")


def _data_problems(config: StrategyConfig) -> list[Problem]:
    problems = _binding_problems(config.data, "data")
    for k, other in enumerate(config.other_data):
        problems += _binding_problems(other, f"other_data[{k}]")
    return problems


def _binding_problems(data: DataBinding, field: str) -> list[Problem]:
    if data.path is None:
        return [Problem("set data.path (the data file the configuration runs on)", field=f"{field}.path")]
    if not data.sha256:
        return [Problem("data.sha256 is required: a replay runs only on the file the configuration was made from "
                        "(deploy writes it)", field=f"{field}.sha256")]  # fmt: skip
    if Path(data.path).is_file():
        actual = sha256_file(data.path)
        if actual != data.sha256:
            return [Problem(f"data file changed since the configuration was written: sha256 is {actual}, "
                            f"configuration says {data.sha256}", file=data.path, field=f"{field}.sha256")]  # fmt: skip
    return []


def _strategy_problems(config: StrategyConfig) -> list[Problem]:
    strategy = config.strategy
    if strategy.source_file:
        if Path(strategy.source_file).is_file():
            actual = sha256_file(strategy.source_file)
            if actual != strategy.source_sha256:
                return [Problem(f"strategy source changed since the configuration was written: sha256 is {actual}, "
                                f"configuration says {strategy.source_sha256}", file=strategy.source_file,
                                field="strategy.source_sha256")]  # fmt: skip
        return []
    if strategy.name is not None and not _BUILTIN_NAME.fullmatch(strategy.name):
        return [Problem(f"strategy.name {strategy.name!r} is not a built-in strategy name: a strategy file runs only "
                        "through strategy.source_file with its source_sha256", field="strategy.name")]  # fmt: skip
    return []


def _parameter_problems(config: StrategyConfig) -> list[Problem]:
    from pystocksharp.parameters import parameter_hash  # noqa: PLC0415 (pandas: only when replaying)

    if not config.parameters and config.parameter_hash is None:
        return []
    if config.parameter_hash is None:
        return [Problem("parameter_hash is required: it guards the parameters against edits (deploy writes it)",
                        field="parameter_hash")]  # fmt: skip
    actual = parameter_hash(dict(config.parameters))
    if actual != config.parameter_hash:
        shown = " ".join(f"{k}={v}" for k, v in config.parameters.items())
        return [Problem(f"the parameters ({shown}) do not match parameter_hash {config.parameter_hash}: they were "
                        f"edited after the configuration was written (their hash is {actual})", field="parameters")]  # fmt: skip
    return []


def strategy_ref(spec: str, *, kind: str | None = None, version: str | None = None) -> StrategyRef:
    """A :class:`StrategyRef` of a backtest strategy spec (``name`` or ``file[:Class]``); a source
    file is recorded by its absolute path (replayable from any working directory) and sha256."""
    path, _, cls = spec.partition(":")
    if Path(path).suffix in (".py", ".cs") and Path(path).is_file():
        source = str(Path(path).resolve())
        return StrategyRef(
            name=cls or None,
            source_file=source,
            source_sha256=sha256_file(source),
            kind=kind,
            version=version,
        )
    return StrategyRef(name=spec, kind=kind, version=version)


def locate_paths(config: StrategyConfig, *, base: str | os.PathLike[str]) -> StrategyConfig:
    """``config`` with relative data/source paths that do not exist from the working directory
    but do beside ``base`` (the configuration's folder) made absolute; otherwise unchanged."""

    def locate(path: str | None) -> str | None:
        if path is None or Path(path).is_absolute() or Path(path).exists():
            return path
        candidate = Path(base) / path
        return str(candidate.resolve()) if candidate.exists() else path

    data_path, source = locate(config.data.path), locate(config.strategy.source_file)
    others = [o.model_copy(update={"path": locate(o.path)}) for o in config.other_data]
    if data_path == config.data.path and source == config.strategy.source_file and others == config.other_data:
        return config
    return config.model_copy(
        update={
            "data": config.data.model_copy(update={"path": data_path}),
            "other_data": others,
            "strategy": config.strategy.model_copy(update={"source_file": source}),
        }
    )


def _is_file_spec(spec: str) -> bool:
    head = spec.rpartition(":")[0] if ":" in spec else spec
    return Path(head).suffix.lower() in (".py", ".cs")


def result_strategy_ref(result: Any) -> StrategyRef:
    """How to load a backtest's strategy again: its built-in name, or its source file (absolute,
    with its sha256) and class. A strategy given as a class or instance is recorded by its name
    only (not replayable by ``backtest --config``)."""
    spec, source, kind = getattr(result, "strategy_spec", None), result.strategy_source, result.strategy_kind
    if spec is None:  # a duck-typed result without its spec
        if source:
            return strategy_ref(f"{source}:{result.strategy}", kind=kind)
        return StrategyRef(name=result.strategy, kind=kind)
    if _is_file_spec(spec):  # file.py / file.py:Class / File.cs:Class
        has_class = Path(spec).suffix.lower() not in (".py", ".cs")
        path, cls = (spec.rpartition(":")[0], spec.rpartition(":")[2]) if has_class else (spec, "")
        path = source or str(Path(path).resolve())
        return strategy_ref(f"{path}:{cls}" if cls else path, kind=kind)
    if re.fullmatch(r"[A-Za-z_][\w-]*", spec):  # a built-in name (C# catalog or Python built-in)
        return StrategyRef(name=spec, kind=kind)
    return StrategyRef(name=result.strategy, kind=kind)


def config_from_result(
    result: Any,
    *,
    data_path: str | None = None,
    data_sha256: str | None = None,
    start: Any = None,
    end: Any = None,
) -> StrategyConfig:
    """The configuration of a :class:`pystocksharp.backtest.BacktestResult` (duck-typed).

    The data path is made absolute (so the configuration replays from any working directory);
    ``start``/``end`` bound the bars the run used (UTC, inclusive).
    """
    from pystocksharp.parameters import parameter_hash  # type: ignore[import-not-found]

    path = data_path or result.data_source
    if path is not None and Path(path).exists():
        path = str(Path(path).resolve())
    settings = (
        result.settings.model_dump() if hasattr(result.settings, "model_dump") else dict(result.settings)
    )
    return StrategyConfig(
        strategy=result_strategy_ref(result),
        parameters=dict(result.parameters),
        parameter_hash=parameter_hash(dict(result.parameters)),
        data=DataBinding(
            symbol=result.symbol,
            timeframe=result.timeframe,
            path=path,
            sha256=data_sha256 or (sha256_file(path) if path and Path(path).is_file() else None),
            start=start,
            end=end,
            instrument=given_specs(getattr(result, "ohlcv", None)),
        ),
        other_data=[binding_of(d) for d in getattr(result, "other_data", ())],
        emulation=EmulationConfig(**settings),
    )


def binding_of(ohlcv: Any) -> DataBinding:
    """The :class:`DataBinding` of loaded data (its file made absolute, its sha256, bar range and specs)."""
    path = str(Path(ohlcv.source_path).resolve()) if ohlcv.source_path is not None else None
    return DataBinding(
        symbol=str(ohlcv.symbol or ""), timeframe=str(ohlcv.timeframe or ""), path=path,
        sha256=f"sha256:{ohlcv.sha256}" if ohlcv.sha256 else None,
        start=ohlcv.start if ohlcv.bars else None, end=ohlcv.end if ohlcv.bars else None,
        instrument=given_specs(ohlcv),
    )  # fmt: skip


def given_specs(ohlcv: Any) -> dict[str, float] | None:
    """The instrument specs the data of a run carried (None when only the inferred price step)."""
    spec = getattr(ohlcv, "instrument", None)
    return spec.given() or None if spec is not None else None


# ---- deploy --------------------------------------------------------------------------------


def _optimization_dir(run_dir: Path) -> Path:
    """The ``optimization/`` folder of a run folder, of the run below an ``optimize --out`` folder
    (:func:`pystocksharp.artifacts.layout.run_folder_of`), or ``run_dir`` itself when it is one."""
    for candidate in (run_folder_of(run_dir) / "optimization", run_dir):
        if (candidate / "optimization-results.json").is_file():
            return candidate
    raise InputError(
        "not a run folder",
        [Problem("no optimization/optimization-results.json here, in optimization/ or under results/", file=str(run_dir))],
    )


def ranked_row(opt_dir: Path, rank: int) -> OptimizationRow:
    """Row ``rank`` (1 = best) of an optimization table, reading only the page that holds it."""
    try:
        return _ranked_row(opt_dir, rank)
    except (OSError, ValueError) as exc:  # a missing page, bad JSON (ValidationError is a ValueError)
        raise InputError(
            "unreadable optimization results (run `pystocksharp validate`)",
            [Problem(str(exc).splitlines()[0], file=str(opt_dir))],
        ) from exc


def _ranked_row(opt_dir: Path, rank: int) -> OptimizationRow:
    index_path = opt_dir / "optimization-results.json"
    data = json.loads(index_path.read_bytes())
    if "pages" in data:
        index = OptimizationResultsIndex.model_validate(data)
        ref = next((p for p in index.pages if p.first_rank <= rank <= p.last_rank), None)
        total = index.total_rows
        page = OptimizationResultsPage.model_validate_json((opt_dir / ref.path).read_bytes()) if ref else None
    else:
        page = OptimizationResultsPage.model_validate(data)
        total = page.total_rows
    row = next((r for r in page.rows if r.rank == rank), None) if page else None
    if row is None:
        raise InputError("no such rank", [Problem(f"rank must be 1..{total}, got {rank}", field="rank")])
    if row.error:
        raise InputError("that combination failed", [Problem(f"rank {rank}: {row.error}", field="rank")])
    return row


def deploy_config(run_dir: str | os.PathLike[str], rank: int = 1) -> StrategyConfig:
    """The deployable configuration of combination ``rank`` (1 = best) of a run.

    Uses the combination's own ``strategy-config.json`` when it was kept, else the run's
    ``metadata/run-config.json`` with the row's parameters and hash.
    """
    run_dir = Path(run_dir)
    if (run_dir / "strategy-config.json").is_file() and rank == 1:
        return load_config(run_dir / "strategy-config.json")
    selection = walk_forward_selection(run_dir)
    if selection is not None:
        if rank != 1:
            raise InputError("a walk-forward run selected one configuration",
                             [Problem(f"give rank 1 (or no rank), got {rank}", field="rank")])  # fmt: skip
        return load_config(selection).model_copy(update={"source": f"walk-forward selection of {selection.parent}"})
    opt_dir = _optimization_dir(run_dir)
    if (opt_dir.parent / "strategy-config.json").is_file() and rank == 1:
        return load_config(opt_dir.parent / "strategy-config.json")
    row = ranked_row(opt_dir, rank)
    source = f"rank {rank} of {opt_dir.parent}"
    folder = opt_dir / short_hash(row.parameter_hash)
    if (folder / MANIFEST_FILE).is_file() and (folder / "strategy-config.json").is_file():
        config = load_config(folder / "strategy-config.json")
        return config.model_copy(update={"source": source})
    base_path = opt_dir.parent / "metadata" / "run-config.json"
    if not base_path.is_file():
        raise InputError(
            "cannot build the configuration",
            [Problem(f"rank {rank} has no folder and the run has no run-config.json", file=str(base_path))],
        )
    base = load_config(base_path)
    from pystocksharp.parameters import with_others  # noqa: PLC0415 (pandas: only when deploying)

    params = with_others({k: v for k, v in row.parameters.items() if v is not None}, base.parameters)
    return base.model_copy(
        update={"parameters": params, "parameter_hash": row.parameter_hash, "source": source}
    )


#: Where a walk-forward run keeps its selected configuration, below a run folder or a `walk-forward --out` folder.
WALK_FORWARD_SELECTION = "validation/walk-forward/*/strategy-config.json"


def walk_forward_selection(folder: Path) -> Path | None:
    """The ``strategy-config.json`` of the configuration a walk-forward run selected, when ``folder`` is that run's
    walk-forward folder, its run folder or its ``--out`` folder and holds no optimization of its own; None otherwise.
    Several walk-forward runs under ``folder`` are an :class:`InputError` listing them."""
    if (folder / "validation.json").is_file() and (folder / "strategy-config.json").is_file():
        return folder / "strategy-config.json"
    if (folder / "optimization").is_dir() or any(folder.glob(f"{RUN_FOLDERS}/optimization")):
        return None
    found = sorted({*folder.glob(WALK_FORWARD_SELECTION), *folder.glob(f"{RUN_FOLDERS}/{WALK_FORWARD_SELECTION}")})
    if len(found) > 1:
        raise InputError("several walk-forward runs here",
                         [Problem(f"name one of: {', '.join(str(p.parent) for p in found)}", file=str(folder))])  # fmt: skip
    return found[0] if found else None


def best_rank_from_reports(run_dir: Path) -> int | None:
    """Rank of the first entry of ``reports/best-configurations.json``, if the run has one."""
    path = run_dir / "reports" / "best-configurations.json"
    if not path.is_file():
        return None
    best = BestConfigurations.model_validate_json(path.read_bytes())
    return best.configurations[0].rank if best.configurations else None


def write_config(path: str | os.PathLike[str], config: StrategyConfig) -> Path:
    return atomic_write_json(path, config)
