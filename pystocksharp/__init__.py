"""pystocksharp: backtest, optimize and validate trading strategies on a fast .NET 10 engine.

Importing this package is cheap: the .NET runtime is loaded on first engine use.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
