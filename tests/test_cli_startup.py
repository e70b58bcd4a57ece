"""The command line starts fast: listing the commands imports none of them."""

from __future__ import annotations

import importlib
import subprocess
import sys

from click.testing import CliRunner

from pystocksharp.cli import COMMANDS, main


def test_the_command_table_matches_every_command() -> None:
    modules = {module for module, _ in COMMANDS.values()}
    found = {}
    for module in modules:
        for command in importlib.import_module(f"pystocksharp.cli.{module}").commands:
            found[command.name] = (module, command.get_short_help_str(limit=10_000))
    assert found == COMMANDS  # every command listed, in its module, with its own summary


def test_help_lists_every_command_without_importing_them() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from pystocksharp.cli import main; "
        "out = CliRunner().invoke(main, ['--help']); print(out.exit_code); "
        "print(sorted(m for m in sys.modules if m.startswith('pystocksharp.cli.'))); "
        "print('pandas' in sys.modules); print(out.output)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    exit_code, modules, pandas_loaded, *help_lines = run.stdout.splitlines()
    assert exit_code == "0" and modules == "[]" and pandas_loaded == "False"
    listed = [line.split()[0] for line in help_lines if line.startswith("  ") and line.split()]
    assert set(COMMANDS) <= set(listed)


def test_a_command_still_runs_and_shows_its_help() -> None:
    out = CliRunner().invoke(main, ["grid", "--help"])
    assert out.exit_code == 0 and "Parse a parameter grid" in out.output
    out = CliRunner().invoke(main, ["no-such-command"])
    assert out.exit_code == 2 and "No such command" in out.output
