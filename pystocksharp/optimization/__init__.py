"""Parameter optimization: brute-force grids run in the engine, checkpointed, ranked.

See ``docs/optimization.md``. The entry point is :func:`optimize`; a finished (or
interrupted) run directory can be reopened with :class:`OptimizationResult`.
"""

from __future__ import annotations

from pystocksharp.optimization.checkpoint import CombinationRecord, RunSpec
from pystocksharp.optimization.progress import ProgressUpdate, RichProgressBar
from pystocksharp.optimization.result import ExportedRun, OptimizationResult, OptimizationSummary
from pystocksharp.optimization.runner import optimize

__all__ = [
    "CombinationRecord",
    "ExportedRun",
    "OptimizationResult",
    "OptimizationSummary",
    "ProgressUpdate",
    "RichProgressBar",
    "RunSpec",
    "optimize",
]
