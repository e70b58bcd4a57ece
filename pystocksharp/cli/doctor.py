"""``pystocksharp doctor``: is everything needed to run the engine in place?"""

from __future__ import annotations

import platform
import sys
from importlib import metadata

import click
from pydantic import BaseModel

from pystocksharp.cli._common import EXIT_CHECK_FAILED, emit_json, handle_errors, json_option

MIN_PYTHON = (3, 11)
DOTNET_MAJOR = 10


class PythonStatus(BaseModel):
    ok: bool
    version: str
    executable: str
    packages: dict[str, str | None]


class DotnetStatus(BaseModel):
    ok: bool
    host: str | None
    runtimes: list[str]
    loaded_runtime: str | None = None


class EngineStatus(BaseModel):
    ok: bool
    assembly_path: str
    exists: bool
    version: str | None = None
    error: str | None = None


class DoctorReport(BaseModel):
    """``doctor --json``; ``problems`` holds one sentence with a fix hint per failed check."""

    ok: bool
    python: PythonStatus
    dotnet: DotnetStatus
    engine: EngineStatus
    problems: list[str]


_PACKAGES = ("numpy", "pandas", "pyarrow", "pydantic", "click", "pythonnet", "clr_loader")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def collect() -> DoctorReport:
    """Runs every check (loads the engine in this process if it can)."""
    from pystocksharp import bridge
    from pystocksharp.errors import EngineNotAvailableError

    problems: list[str] = []
    packages = {name: _version(name) for name in _PACKAGES}
    py_ok = sys.version_info[:2] >= MIN_PYTHON and all(packages.values())
    if sys.version_info[:2] < MIN_PYTHON:
        problems.append(
            f"python {platform.python_version()} is too old: use >= {'.'.join(map(str, MIN_PYTHON))}"
        )
    missing = [n for n, v in packages.items() if v is None]
    if missing:
        problems.append(
            f"missing Python packages: {', '.join(missing)}; run ./scripts/setup.sh (or pip install -e .)"
        )
    python = PythonStatus(
        ok=py_ok, version=platform.python_version(), executable=sys.executable, packages=packages
    )

    host = bridge.find_dotnet()
    runtimes = bridge.dotnet_runtimes(host)
    has_runtime = any(r.split(".")[0] == str(DOTNET_MAJOR) for r in runtimes)
    if host is None:
        problems.append(
            "'dotnet' not found on PATH (or DOTNET_ROOT): install the .NET 10 SDK from https://dot.net"
        )
    elif not has_runtime:
        problems.append(
            f".NET {DOTNET_MAJOR} runtime not installed (found: {', '.join(runtimes) or 'none'}): install it from https://dot.net"
        )
    dotnet = DotnetStatus(ok=host is not None and has_runtime, host=host, runtimes=runtimes)

    path = bridge.engine_assembly_path()
    engine = EngineStatus(ok=False, assembly_path=str(path), exists=path.is_file())
    try:
        info = bridge.engine_info()
        engine.ok, engine.version = True, info.engine_version
        dotnet.loaded_runtime = info.dotnet_runtime
    except EngineNotAvailableError as exc:
        engine.error = str(exc)
        problems.append(str(exc))
    return DoctorReport(ok=not problems, python=python, dotnet=dotnet, engine=engine, problems=problems)


def _print(report: DoctorReport) -> None:
    def line(ok: bool, label: str, detail: str) -> None:
        mark = click.style("ok  ", fg="green") if ok else click.style("FAIL", fg="red")
        click.echo(f"{mark} {label:<8} {detail}")

    line(report.python.ok, "python", f"{report.python.version} ({report.python.executable})")
    pkgs = ", ".join(f"{k} {v or 'MISSING'}" for k, v in report.python.packages.items())
    click.echo(f"              {pkgs}")
    line(
        report.dotnet.ok,
        "dotnet",
        f"{report.dotnet.host or 'not found'}; runtimes: {', '.join(report.dotnet.runtimes) or 'none'}",
    )
    engine_detail = (
        f"{report.engine.version} ({report.engine.assembly_path})"
        if report.engine.ok
        else report.engine.assembly_path
    )
    line(
        report.engine.ok,
        "engine",
        engine_detail
        + (f", running on {report.dotnet.loaded_runtime}" if report.dotnet.loaded_runtime else ""),
    )
    for p in report.problems:
        click.secho(f"  fix: {p}", fg="yellow")


@click.command("doctor")
@json_option
@handle_errors()
def doctor(as_json: bool) -> None:
    """Check Python, the .NET 10 runtime and the engine build; print how to fix what is missing.

    Exit code 0 when everything is in place, 1 otherwise (the usual fix: ./scripts/setup.sh).
    """
    report = collect()
    if as_json:
        emit_json(report)
    else:
        _print(report)
    if not report.ok:
        sys.exit(EXIT_CHECK_FAILED)


commands: list[click.Command] = [doctor]
