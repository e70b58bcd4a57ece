"""Parameter optimization: brute-force grids run in the engine, checkpointed, ranked.

See ``docs/optimization.md``. The public entry point is :func:`optimize`.
"""

from __future__ import annotations
