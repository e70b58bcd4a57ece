"""Shared CLI plumbing: JSON output, error reporting and exit codes.

Exit codes: 0 success, 1 a check found problems, 2 bad input (click's usage errors use 2 too).
"""

from __future__ import annotations

import errno
import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from pydantic import BaseModel

from pystocksharp.errors import EngineNotAvailableError, InputError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2


def emulation_options(fn: F) -> F:
    """The engine's cost and fill settings as options (``backtest``, ``optimize``): fractions, not percent."""
    options = [
        click.option(
            "--capital", type=float, default=10_000.0, show_default=True, help="Initial capital (money)."
        ),
        click.option(
            "--commission",
            type=float,
            default=0.0,
            show_default=True,
            help="Commission per fill as a fraction of notional (0.002 = 0.2 %).",
        ),
        click.option(
            "--commission-per-unit",
            type=float,
            default=0.0,
            show_default=True,
            help="Commission per unit traded (money).",
        ),
        click.option(
            "--min-commission",
            type=float,
            default=0.0,
            show_default=True,
            help="Minimum commission per fill (money).",
        ),
        click.option(
            "--slippage",
            type=float,
            default=0.0,
            show_default=True,
            help="Slippage as a fraction of price, against the trader.",
        ),
        click.option(
            "--slippage-steps",
            type=float,
            default=0.0,
            show_default=True,
            help="Slippage in price steps, against the trader.",
        ),
        click.option(
            "--fill",
            type=click.Choice(["next-open", "close"]),
            default="next-open",
            show_default=True,
            help="Where market orders fill: the next bar's open, or this bar's close.",
        ),
        click.option(
            "--leverage",
            type=float,
            default=1.0,
            show_default=True,
            help="Buying power as a multiple of equity.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object on stdout (for scripts)."
)


def to_jsonable(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json", by_alias=True)
    return obj


def emit_json(obj: Any) -> None:
    """Print ``obj`` (a pydantic model or JSON-able data) as one JSON document on stdout."""
    click.echo(json.dumps(to_jsonable(obj), indent=2, allow_nan=False, default=str))


def handle_errors(as_json_param: str = "as_json") -> Callable[[F], F]:
    """Turn our errors into a clear message (or a JSON error object) and the right exit code."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            as_json = bool(kwargs.get(as_json_param))
            try:
                return fn(*args, **kwargs)
            except InputError as exc:
                _fail(as_json, "bad_input", exc.summary, [str(p) for p in exc.problems], EXIT_BAD_INPUT)
            except EngineNotAvailableError as exc:
                _fail(as_json, "engine_not_available", str(exc), [], EXIT_CHECK_FAILED)
            except OSError as exc:  # a path that cannot be read or written, a full disk: one line, not a traceback
                _fail(as_json, "os_error", os_error_message(exc), [], EXIT_BAD_INPUT)

        return wrapper  # type: ignore[return-value]

    return decorate


def os_error_message(exc: OSError) -> str:
    """One line for an operating-system error: what failed, on which path, and what to do."""
    path = f" {exc.filename}" if exc.filename else ""
    what = exc.strerror or type(exc).__name__
    hint = {
        errno.ENOSPC: "free some space, then run the same command with --resume where the command has it",
        errno.EACCES: "choose a folder you can write to",
        errno.EROFS: "choose a folder on a writable file system",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "give a file path, not a folder",
    }.get(exc.errno or 0)
    return f"{what}:{path}" + (f" ({hint})" if hint else "")


def _fail(as_json: bool, kind: str, summary: str, problems: list[str], code: int) -> None:
    if as_json:
        emit_json({"error": kind, "message": summary, "problems": problems})
    else:
        click.secho(f"error: {summary}", fg="red", err=True)
        for p in problems:
            click.echo(f"  - {p}", err=True)
    sys.exit(code)
