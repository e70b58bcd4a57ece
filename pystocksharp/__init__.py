"""pystocksharp: backtest, optimize and validate trading strategies on a fast .NET 10 engine.

Importing this package is cheap: the .NET runtime is loaded on first engine use. Public names
are imported lazily (module ``__getattr__``); ``pystocksharp.Strategy`` is the one that starts
.NET when first touched, because it subclasses the engine's .NET type.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    "backtest": "pystocksharp.backtest",
    "BacktestResult": "pystocksharp.backtest",
    "BacktestSettings": "pystocksharp.backtest",
    "BacktestSummary": "pystocksharp.backtest",
    "Strategy": "pystocksharp.strategy",
    "Candle": "pystocksharp.strategy",
    "OwnTrade": "pystocksharp.strategy",
    "Order": "pystocksharp.strategy",
    "Param": "pystocksharp.strategy_param",
    "VectorStrategy": "pystocksharp.vectorized",
    "EnhancedStrategy": "pystocksharp.enhanced",
    "resolve_strategy": "pystocksharp.resolver",
    "engine_info": "pystocksharp.bridge",
    "optimize": "pystocksharp.optimization",
    "OptimizationResult": "pystocksharp.optimization",
    "walk_forward": "pystocksharp.validation.pipeline",
    "ValidationResult": "pystocksharp.validation.pipeline",
}

__all__ = ["__version__", *_LAZY]


_SUBMODULES = {"indicators"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:  # pystocksharp.indicators without an explicit import
        value = importlib.import_module(f"pystocksharp.{name}")
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pystocksharp' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
