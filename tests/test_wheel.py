"""The wheel carries the engine: built from this tree, installed into a fresh virtualenv outside the repository,
it runs ``doctor``, a built-in backtest, a C# strategy file and a StockSharp-style strategy it packs.

Dependencies are installed the way the README's set-up installs them (PyPI, or the wheelhouse that
``PIP_FIND_LINKS`` names). This takes about two minutes: one test, run once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.engine
def test_the_wheel_installs_and_runs_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYSTOCKSHARP_ENGINE_DIR")}
    # build from a copy of the tree: the wheel's build writes the engine into <tree>/pystocksharp/_engine, and this
    # tree's engine is loaded by the other test processes (writing into a loaded assembly's file corrupts it)
    tree = tmp_path / "tree"
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tree / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(tree), "-w", str(dist), "--no-deps", "-q"],
                   check=True, env=env, cwd=tmp_path)  # fmt: skip
    [wheel] = dist.glob("pystocksharp-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, env=env, cwd=tmp_path)
    cli = venv / "bin" / "pystocksharp"
    where = subprocess.run([str(py), "-c", "import pystocksharp, sys; print(pystocksharp.__file__)"], check=True,
                           capture_output=True, text=True, cwd=tmp_path, env=env).stdout.strip()  # fmt: skip
    assert Path(where).is_relative_to(venv), where  # the installed copy, not this tree
    doctor = subprocess.run([str(cli), "doctor"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert f"{venv}/lib/python3.11/site-packages/pystocksharp/_engine/PyStockSharp.Engine.dll" in doctor.stdout

    def backtest(*args: str) -> dict:
        run = subprocess.run([str(cli), "backtest", "-d", "sample:GOOG_1d", *args, "--json"], capture_output=True,
                             text=True, cwd=tmp_path, env=env)  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        return json.loads(run.stdout)

    builtin = backtest("-s", "sma_cross", "-p", "fast=10", "-p", "slow=30")
    assert builtin["net_profit"] == pytest.approx(922.05, abs=1e-6)
    packed = Path(where).parent / "_strategies"
    csharp = backtest("-s", f"{packed / 'SmaCrossFile.cs'}:SmaCrossFile", "-p", "fast=10", "-p", "slow=30")
    assert csharp["net_profit"] == builtin["net_profit"]  # the same rule compiled by Roslyn from the wheel
    # a StockSharp-style strategy the wheel packs gives what the same file gives in this tree
    from pystocksharp.backtest import backtest as here

    wheel_run = backtest("-s", str(packed / "stocksharp" / "EmaCrossStrategy.cs"))
    tree_run = here(str(ROOT / "strategies" / "stocksharp" / "EmaCrossStrategy.cs"), "sample:GOOG_1d")
    assert wheel_run["fills"] == tree_run.summary.fills > 0
    assert wheel_run["net_profit"] == tree_run.summary.net_profit
