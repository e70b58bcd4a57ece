"""The README's two set-up commands work in a plain shell on a fresh clone: ``env -i`` with only HOME and a
minimal PATH (the wheelhouse variables aside, as ``.ci/run`` passes them), nothing installed or exported first.

The first command (set-up and the demo) runs whole; the second (every test) runs with one test selected, since
this test is one of them. About four minutes: one test, run once.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINIMAL_PATH = "/usr/local/bin:/usr/bin:/bin"


def readme_commands() -> list[str]:
    """The commands of the README's first ```bash block (comments dropped)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block is not None, "README.md has no ```bash block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.split("#", 1)[0].strip()]


def test_ci_runs_exactly_the_readme_commands_with_no_path_tweaks() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(export\s+)?PATH=", ci, re.M)
    body = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.strip().startswith(("#", "set ", "cd ", "if ", "fi", "export PIP_"))]
    assert body == readme_commands() == ["./scripts/setup.sh && .venv/bin/pystocksharp demo", "./scripts/test.sh"]


@pytest.mark.engine
def test_the_readme_commands_work_in_a_plain_shell_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    # a fresh HOME (set-up links the command into ~/.local/bin: not the user's), with the user's NuGet package
    # cache so that the engine's packages are not downloaded again, and the wheelhouse variables as .ci/run passes
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": MINIMAL_PATH,
           "NUGET_PACKAGES": os.environ.get("NUGET_PACKAGES", str(Path.home() / ".nuget" / "packages"))}  # fmt: skip
    env |= {k: os.environ[k] for k in ("PIP_NO_INDEX", "PIP_FIND_LINKS") if k in os.environ}
    setup, tests = readme_commands()
    first = subprocess.run(["bash", "-c", setup], cwd=clone, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "sma_cross on GOOG_1d: net profit 10,840.93, final equity 20,840.93, 93 round trips" in first.stdout
    assert (clone / "pystocksharp-demo" / "backtest" / "index.html").is_file()
    second = subprocess.run(["bash", "-c", f"{tests} -p no:cacheprovider -n 0 tests/test_docs.py::test_readme_example_is_executed"],
                            cwd=clone, env=env, capture_output=True, text=True)  # fmt: skip
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "1 passed" in second.stdout
