"""The ``pystocksharp`` command line (click).

Each command group lives in its own module of this package and exposes ``commands``,
a list of click commands registered on :func:`main`. Nothing here loads .NET: the
engine is loaded lazily by the commands that run it, so ``--help`` stays fast.
"""

from __future__ import annotations

import importlib

import click

from pystocksharp import __version__

_COMMAND_MODULES = (
    "doctor",
    "data",
    "params",
    "backtest",
    "optimize",
    "artifacts",
    "report",
    "validation",
    "demo",
    "compat",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pystocksharp")
def main() -> None:
    """Backtest, optimize and validate trading strategies on a fast .NET 10 engine.

    Every command takes --json for scripts. Exit codes: 0 ok, 1 a check found
    problems, 2 bad input (every problem is listed at once).
    """


for _name in _COMMAND_MODULES:
    _module = importlib.import_module(f"pystocksharp.cli.{_name}")
    for _command in _module.commands:
        main.add_command(_command)
