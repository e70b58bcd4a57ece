"""Turning a strategy reference into something the engine can run.

Accepted references (``pystocksharp backtest --strategy ...`` and ``backtest(strategy, ...)``):

* a built-in name: ``sma_cross`` (C#, the engine's ``StrategyCatalog``), ``sma_cross_py`` and
  ``sma_cross_vec`` (Python, ``strategies/sma_cross_py.py``);
* ``path/to/file.py:ClassName``: a :class:`pystocksharp.Strategy`,
  :class:`pystocksharp.EnhancedStrategy` or :class:`pystocksharp.VectorStrategy` subclass imported from the file (``:ClassName`` may be
  omitted when the file defines exactly one);
* ``path/to/File.cs:ClassName``: compiled by the engine's ``CSharpStrategyCompiler`` (Roslyn),
  cached under ``platformdirs.user_cache_dir("pystocksharp")/strategies`` (or
  ``.pystocksharp-cache/strategies`` in the working directory if that is not writable);
* a Python class (or instance) directly.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from pystocksharp.errors import InputError, Problem
from pystocksharp.io import user_cache_dir
from pystocksharp.vectorized import VectorStrategy

StrategyKind = Literal["csharp", "csharp-file", "python", "stocksharp-python", "vectorized"]

#: Python built-ins: name -> (file in the built-in strategies folder, class name).
PYTHON_BUILTINS: dict[str, tuple[str, str]] = {
    "sma_cross_py": ("sma_cross_py.py", "SmaCrossPy"),
    "sma_cross_vec": ("sma_cross_py.py", "SmaCrossVectorized"),
}

_MODULES: dict[tuple[str, int], ModuleType] = {}


@dataclass
class ResolvedStrategy:
    """A runnable strategy: ``new()`` makes a fresh instance (a .NET strategy or a VectorStrategy)."""

    spec: str
    name: str
    kind: StrategyKind
    factory: Callable[[], Any] = field(repr=False)
    source: str | None = None

    def new(self) -> Any:
        inst = self.factory()
        if self.kind == "python":
            inst._psx_declare()
        return inst

    @property
    def runs_on_targets(self) -> bool:
        return self.kind == "vectorized"


def builtin_strategies_dirs() -> list[Path]:
    """Where Python built-ins live: ``pystocksharp/_strategies`` (installed) then the repo's ``strategies/``."""
    pkg = Path(__file__).resolve().parent
    return [pkg / "_strategies", pkg.parent / "strategies"]


def builtin_names() -> list[str]:
    """Every built-in strategy name (C# catalog first; loads .NET)."""
    from pystocksharp import bridge

    return bridge.catalog_names() + sorted(PYTHON_BUILTINS)


def strategy_cache_dir() -> Path:
    """Cache of compiled C# strategies: the user cache dir, else ``./.pystocksharp-cache``."""
    return user_cache_dir("strategies")


def resolve_strategy(strategy: Any, *, cache_dir: str | os.PathLike[str] | None = None) -> ResolvedStrategy:
    """Resolve a name, ``file.py:Class``, ``File.cs:Class``, a class or an instance (see module doc)."""
    if isinstance(strategy, ResolvedStrategy):
        return strategy
    if isinstance(strategy, str):
        return _resolve_text(strategy.strip(), cache_dir)
    if inspect.isclass(strategy):
        return _from_class(strategy, spec=f"{strategy.__module__}.{strategy.__qualname__}", source=None)
    return _from_instance(strategy)


def _resolve_text(spec: str, cache_dir: str | os.PathLike[str] | None) -> ResolvedStrategy:
    if not _looks_like_file(spec):
        return _resolve_name(spec)
    if spec.lower().endswith((".py", ".cs")):
        path_text, class_name = spec, ""
    else:
        path_text, _, class_name = spec.rpartition(":")
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise InputError(
            f"strategy file not found: {path}", [Problem("no such file", file=str(path), field="strategy")]
        )
    if path.suffix.lower() == ".cs":
        from pystocksharp import bridge

        cache = Path(cache_dir) if cache_dir is not None else strategy_cache_dir()
        factory = bridge.compile_csharp_strategy(path, class_name or None, cache)
        name = bridge.strategy_name(factory())
        return ResolvedStrategy(
            spec=spec, name=name, kind="csharp-file", factory=factory, source=str(path.resolve())
        )
    if _is_stocksharp_python(path):
        return _resolve_stocksharp_python(path, class_name or None, spec)
    cls = load_python_class(path, class_name or None)
    return _from_class(cls, spec=spec, source=str(path.resolve()))


_STOCKSHARP_PYTHON = re.compile(
    r"^\s*(from\s+StockSharp\.|import\s+StockSharp\b|clr\.AddReference\(\s*['\"](StockSharp|Ecng)\.)", re.M
)


def _is_stocksharp_python(path: Path) -> bool:
    """A .py file written for StockSharp's Python host (imports StockSharp, or ``clr.AddReference`` of it)."""
    return bool(_STOCKSHARP_PYTHON.search(path.read_text(encoding="utf-8", errors="replace")))


def _resolve_stocksharp_python(path: Path, class_name: str | None, spec: str) -> ResolvedStrategy:
    """A StockSharp-style Python strategy: its ``Strategy`` subclass, run through the StockSharp API layer."""
    from pystocksharp import stocksharp

    module = load_python_module(path, prepare=stocksharp.prepare_module)
    classes = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and obj.__module__ == module.__name__
        and issubclass(obj, stocksharp.Strategy) and obj is not stocksharp.Strategy
    ]  # fmt: skip
    names = ", ".join(c.__name__ for c in classes) or "none"
    if class_name:
        classes = [c for c in classes if c.__name__ == class_name]
    if len(classes) != 1:
        why = f"no strategy class '{class_name}'" if class_name else "name the strategy class as file.py:ClassName"
        raise InputError(
            f"{path}: {why}",
            [Problem(f"StockSharp Strategy subclasses found: {names}", file=str(path), field="strategy")],
        )
    cls = classes[0]

    def factory() -> Any:
        return cls()  # the bridge runs its EngineStrategy; the caller keeps this Python object alive

    return ResolvedStrategy(
        spec=spec, name=cls.__name__, kind="stocksharp-python", factory=factory, source=str(path.resolve())
    )


def _looks_like_file(spec: str) -> bool:
    head = spec.rpartition(":")[0] if ":" in spec else spec
    return head.lower().endswith((".py", ".cs"))


def _resolve_name(name: str) -> ResolvedStrategy:
    if name in PYTHON_BUILTINS:
        file_name, class_name = PYTHON_BUILTINS[name]
        for folder in builtin_strategies_dirs():
            if (folder / file_name).is_file():
                cls = load_python_class(folder / file_name, class_name)
                return _from_class(cls, spec=name, source=str((folder / file_name).resolve()))
        raise InputError(
            f"built-in strategy '{name}' is missing its file {file_name}",
            [Problem("reinstall pystocksharp", field="strategy")],
        )
    from pystocksharp import bridge

    if name in bridge.catalog_names():
        return ResolvedStrategy(spec=name, name=name, kind="csharp", factory=bridge.catalog_factory(name))
    known = ", ".join(builtin_names())
    raise InputError(
        f"unknown strategy '{name}'",
        [
            Problem(
                f"use a built-in ({known}) or path/to/file.py:ClassName or path/to/File.cs:ClassName",
                field="strategy",
            )
        ],
    )


def load_python_module(
    path: str | os.PathLike[str],
    *,
    prepare: Callable[[ModuleType], Callable[[Any], Any] | None] | None = None,
) -> ModuleType:
    """Imports a Python file once per (path, modification time); SyntaxError becomes InputError.

    ``prepare(module)`` (optional) may put names in the new module and return a transformer of its parsed
    source (``ast.Module`` -> ``ast.Module``) applied before it runs; the file itself is never changed.
    """
    path = Path(path).resolve()
    key = (str(path), path.stat().st_mtime_ns)
    if key in _MODULES:
        return _MODULES[key]
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    mod_name = f"pystocksharp_user_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise InputError(f"cannot import {path}", [Problem("not a Python file", file=str(path))])
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    try:
        transform = prepare(module) if prepare is not None else None
        if transform is None:
            spec.loader.exec_module(module)
        else:
            import ast

            tree = transform(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
            exec(compile(tree, str(path), "exec"), module.__dict__)  # noqa: S102 (the user's own strategy file)
    except SyntaxError as exc:
        sys.modules.pop(mod_name, None)
        raise InputError(
            f"{path} has a syntax error", [Problem(str(exc.msg), file=str(path), line=exc.lineno)]
        ) from None
    except BaseException:
        sys.modules.pop(mod_name, None)
        raise
    _MODULES[key] = module
    return module


def _strategy_classes(module: ModuleType) -> list[type]:
    found = []
    for obj in vars(module).values():
        if inspect.isclass(obj) and obj.__module__ == module.__name__ and _is_strategy_class(obj):
            found.append(obj)
    return found


def _is_strategy_class(cls: type) -> bool:
    if issubclass(cls, VectorStrategy):
        return cls is not VectorStrategy
    return is_python_strategy_class(cls)


def _is_adapter_root(cls: type) -> bool:
    """A base class of Python strategies itself: :class:`pystocksharp.Strategy` or an adapter on
    another .NET base (a class whose own namespace sets ``_psx_adapter_root``, e.g.
    :class:`pystocksharp.enhanced.EnhancedStrategy`)."""
    from pystocksharp.strategy import Strategy

    return cls is Strategy or bool(vars(cls).get("_psx_adapter_root"))


def is_python_strategy_class(cls: type) -> bool:
    """True for a user's Python subclass (run bar by bar by the engine) of
    :class:`pystocksharp.Strategy` or of an adapter root such as ``EnhancedStrategy``; False for
    the bases themselves and for anything else (C# types included)."""
    if not inspect.isclass(cls) or _is_adapter_root(cls):
        return False
    return any(_is_adapter_root(klass) for klass in cls.__mro__[1:])


def load_python_class(path: str | os.PathLike[str], class_name: str | None) -> type:
    """The strategy class ``class_name`` of the file (or its only strategy class)."""
    module = load_python_module(path)
    classes = _strategy_classes(module)
    names = ", ".join(c.__name__ for c in classes) or "none"
    if class_name:
        cls = getattr(module, class_name, None)
        if cls is None or not inspect.isclass(cls) or not _is_strategy_class(cls):
            raise InputError(
                f"{path}: no strategy class '{class_name}'",
                [
                    Problem(
                        "subclass pystocksharp.Strategy, pystocksharp.EnhancedStrategy or "
                        f"pystocksharp.VectorStrategy; strategy classes found: {names}",
                        file=str(path),
                    )
                ],
            )
        return cls
    if len(classes) != 1:
        raise InputError(
            f"{path}: name the strategy class as {path}:ClassName",
            [Problem(f"strategy classes found: {names}", file=str(path))],
        )
    return classes[0]


def _from_class(cls: type, *, spec: str, source: str | None) -> ResolvedStrategy:
    if issubclass(cls, VectorStrategy):
        return ResolvedStrategy(
            spec=spec, name=cls.strategy_name(), kind="vectorized", factory=cls, source=source
        )
    if not _is_strategy_class(cls):
        raise InputError(
            f"{cls.__qualname__} is not a strategy",
            [
                Problem(
                    "subclass pystocksharp.Strategy, pystocksharp.EnhancedStrategy or pystocksharp.VectorStrategy",
                    field="strategy",
                )
            ],
        )
    name = getattr(cls, "name", None) or cls.__name__
    return ResolvedStrategy(spec=spec, name=name, kind="python", factory=cls, source=source)


def _from_instance(obj: Any) -> ResolvedStrategy:
    """A ready instance: used once as is (its current parameter values are kept)."""
    if isinstance(obj, VectorStrategy):
        return ResolvedStrategy(
            spec=repr(obj), name=obj.strategy_name(), kind="vectorized", factory=lambda: obj
        )
    from pystocksharp import bridge

    if isinstance(obj, bridge.base_strategy_class()):
        kind: StrategyKind = "python" if is_python_strategy_class(type(obj)) else "csharp"
        return ResolvedStrategy(
            spec=repr(obj), name=bridge.strategy_name(obj), kind=kind, factory=lambda: obj
        )
    raise InputError(
        f"cannot run {obj!r} as a strategy",
        [
            Problem(
                "give a name, 'file.py:Class', 'File.cs:Class', a Strategy/VectorStrategy class or instance",
                field="strategy",
            )
        ],
    )
