"""Hatch build hook: a wheel carries the .NET engine.

``pip wheel .`` / ``python -m build`` run ``dotnet build`` (Release) of the StockSharp API layer and the engine it
references into ``pystocksharp/_engine/`` and pack that folder, so that ``pip install pystocksharp-*.whl`` on a
machine with the .NET 10 runtime (no SDK, no clone) runs ``pystocksharp demo``. Editable installs
(``pip install -e``, what ``scripts/setup.sh`` does) skip it: setup builds the engine in place.

Set ``PYSTOCKSHARP_ENGINE_PREBUILT=1`` to pack an engine already in ``pystocksharp/_engine/`` without building.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PROJECT = "dotnet/src/StockSharp.Compat/StockSharp.Compat.csproj"
ENGINE = "pystocksharp/_engine"


class EngineBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        out = root / ENGINE
        if os.environ.get("PYSTOCKSHARP_ENGINE_PREBUILT") != "1":
            dotnet = shutil.which("dotnet")
            if dotnet is None:
                raise RuntimeError("building a wheel needs the .NET 10 SDK ('dotnet') on PATH: it compiles the engine "
                                   "into the wheel (https://dot.net)")  # fmt: skip
            subprocess.run([dotnet, "build", str(root / PROJECT), "-c", "Release", "-o", str(out), "--nologo",
                            "-v", "quiet", "-p:TreatWarningsAsErrors=false"], check=True)  # fmt: skip
        if not (out / "PyStockSharp.Engine.dll").is_file():
            raise RuntimeError(f"no engine in {out}: build it (./scripts/setup.sh) or unset PYSTOCKSHARP_ENGINE_PREBUILT")
        # the folder is git-ignored (a build output): include it explicitly
        build_data["force_include"][str(out)] = ENGINE
