"""The ``pystocksharp`` command line (click).

Each command group lives in its own module of this package and exposes ``commands``, a list of
click commands; :data:`COMMANDS` names them, and :func:`main` imports a module only when one of
its commands runs. Nothing here loads .NET: the engine is loaded lazily by the commands that run
it, so ``--help`` stays fast.
"""

from __future__ import annotations

import importlib

import click

from pystocksharp import __version__

#: Every command: its module in this package, and the summary `pystocksharp --help` lists, so that
#: listing the commands imports none of them (tests/test_cli_startup.py keeps each equal to the
#: command's own help).
COMMANDS: dict[str, tuple[str, str]] = {
    "doctor": ("doctor", "Check Python, the .NET 10 runtime and the engine build; print how to fix what is missing."),
    "data": ("data", "Market data: validate OHLCV files and import them into a Parquet store."),
    "grid": ("params", "Parse a parameter grid, print how many combinations it has and the first few."),
    "backtest": ("backtest", "Backtest one strategy on one OHLCV file with the .NET engine, or replay a saved configuration (--config)."),
    "optimize": ("optimize", "Optimize a strategy over a parameter grid (every combination, a random sample or a genetic search) and rank the results."),
    "validate": ("artifacts", "Check every manifest under DIRECTORY against its files, and every JSON against its schema."),
    "deploy": ("artifacts", "Export one configuration of an optimization or walk-forward run as a deployable "
               "strategy-config.json."),
    "cache": ("artifacts", "Manage the shared market-data cache (shared-cache/market-data/...)."),
    "schemas": ("artifacts", "Generate the JSON Schemas of every JSON file model into schemas/, or --check them."),
    "report": ("report", "Write self-contained HTML reports for RUN_DIR (opens offline from file://)."),
    "walk-forward": ("validation", "Walk-forward analysis with holdout, Monte Carlo, PBO, deflated Sharpe and a verdict."),
    "pipeline": ("validation", "Run optimization then the enabled validation stages from one YAML/JSON CONFIG."),
    "demo": ("demo", "Run the main job on the built-in GOOG daily sample and say where its output went."),
    "compat": ("compat", "Check StockSharp strategies (.cs and StockSharp-style .py) before migrating them."),
}


class _LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs (or shows its help):
    ``pystocksharp --help`` starts in a fraction of a second."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"pystocksharp.cli.{entry[0]}")
        return next(c for c in module.commands if c.name == cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(n, _shorten(COMMANDS[n][1], limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word to fit ``limit`` characters, with "..." when cut (as click shortens help)."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 3)].rsplit(" ", 1)[0].rstrip(",;") + "..."


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pystocksharp")
def main() -> None:
    """Backtest, optimize and validate trading strategies on a fast .NET 10 engine.

    Every command takes --json for scripts. Exit codes: 0 ok, 1 a check found
    problems, 2 bad input (every problem is listed at once).
    """
