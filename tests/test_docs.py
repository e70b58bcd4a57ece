"""Every ```python block in README.md and docs/*.md runs (backtesting.py runs its doc examples too).

Blocks of one file run in order in one namespace, in a temporary working directory, so a
later block may use names from an earlier one. A block fenced as ```python no-run is skipped
(for snippets that only show a signature).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```python[ \t]*(?P<flags>[^\n]*)\n(?P<code>.*?)^```", re.S | re.M)
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [m["code"] for m in FENCE.finditer(text) if "no-run" not in m["flags"]]


DOCS_WITH_CODE = [p for p in DOC_FILES if _blocks(p)]


@pytest.mark.parametrize("doc", DOCS_WITH_CODE, ids=[p.name for p in DOCS_WITH_CODE])
def test_doc_examples_run(doc: Path, tmp_path: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__doc_example__"}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for i, code in enumerate(_blocks(doc), start=1):
            exec(compile(code, f"{doc.name}[block {i}]", "exec"), namespace)
    finally:
        os.chdir(cwd)


def test_readme_example_is_executed() -> None:
    # The README's ten-line example is one of the executed blocks.
    assert ROOT / "README.md" in DOCS_WITH_CODE
