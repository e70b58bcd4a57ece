"""CLI commands: ``data import``, ``data check`` and ``data samples`` (market data)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from pydantic import BaseModel

from pystocksharp.cli._common import EXIT_CHECK_FAILED, emit_json, handle_errors, json_option
from pystocksharp.errors import InputError

if TYPE_CHECKING:
    from pystocksharp.data import OhlcvData


class DataSummary(BaseModel):
    """What was loaded: times are bar open times in UTC, ISO 8601."""

    symbol: str | None
    timeframe: str | None
    bars: int
    start: str | None
    end: str | None
    source: str | None
    sha256: str | None


class ImportResult(DataSummary):
    store_path: str


class CheckResult(BaseModel):
    ok: bool
    file: str
    problems: list[str]
    summary: DataSummary | None = None
    #: Suspicious but not wrong (``OhlcvData.warnings``): long gaps, several UTC offsets.
    warnings: list[str] = []


class SampleInfo(BaseModel):
    name: str
    path: str


def summarize(data: OhlcvData) -> DataSummary:
    return DataSummary(
        symbol=data.symbol,
        timeframe=data.timeframe,
        bars=data.bars,
        start=data.start.isoformat() if data.bars else None,
        end=data.end.isoformat() if data.bars else None,
        source=str(data.source_path) if data.source_path else None,
        sha256=data.sha256,
    )


@click.group("data")
def data_group() -> None:
    """Market data: validate OHLCV files and import them into a Parquet store.

    Files are CSV (header timestamp,open,high,low,close,volume; ISO 8601 times, naive = UTC)
    or Parquet with the same columns.
    """


@data_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--symbol", required=True, help="Instrument name, e.g. GOOG (a directory in the store).")
@click.option("--timeframe", required=True, help="Bar width: 1m, 5m, 1h, 4h, 1d, 1w.")
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data-store"),
    show_default=True,
    help="Store directory; the data goes to STORE/SYMBOL/TIMEFRAME.parquet.",
)
@click.option("--max-problems", default=50, show_default=True, help="List at most this many problems.")
@json_option
@handle_errors()
def import_command(
    file: Path, symbol: str, timeframe: str, store: Path, max_problems: int, as_json: bool
) -> None:
    """Validate FILE, then write it atomically to STORE/SYMBOL/TIMEFRAME.parquet.

    A file with problems is rejected with every problem listed (exit 2) and the store is
    left exactly as it was.
    """
    from pystocksharp.data import import_to_store  # noqa: PLC0415 (pandas: loaded when a command runs)

    data, target = import_to_store(
        file, symbol=symbol, timeframe=timeframe, store=store, max_problems=max_problems
    )
    result = ImportResult(**summarize(data).model_dump(), store_path=str(target))
    if as_json:
        emit_json(result)
    else:
        click.echo(
            f"imported {result.bars} bars of {symbol} {data.timeframe} ({result.start} .. {result.end}) -> {target}"
        )


@data_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--max-problems", default=50, show_default=True, help="List at most this many problems.")
@click.option(
    "--allow-nonpositive-prices",
    is_flag=True,
    help="Accept prices <= 0 (spreads, some futures and power prices); off by default.",
)
@json_option
@handle_errors()
def check_command(file: Path, max_problems: int, allow_nonpositive_prices: bool, as_json: bool) -> None:
    """Validate FILE without importing it. Exit 0 when clean, 1 with the list of problems."""
    try:
        from pystocksharp.data import load_ohlcv  # noqa: PLC0415

        data = load_ohlcv(file, max_problems=max_problems, allow_nonpositive_prices=allow_nonpositive_prices)
    except InputError as exc:
        if not file.is_file():
            raise
        result = CheckResult(ok=False, file=str(file), problems=[str(p) for p in exc.problems])
        if as_json:
            emit_json(result)
        else:
            click.secho(exc.summary, fg="red", err=True)
            for problem in result.problems:
                click.echo(f"  - {problem}", err=True)
        sys.exit(EXIT_CHECK_FAILED)
    summary = summarize(data)
    result = CheckResult(ok=True, file=str(file), problems=[], summary=summary, warnings=list(data.warnings))
    if as_json:
        emit_json(result)
    else:
        click.echo(f"ok: {data.bars} bars, {data.symbol} {data.timeframe}, {summary.start} .. {summary.end}")
        for warning in data.warnings:
            click.echo(f"warning: {warning}", err=True)


@data_group.command("samples")
@json_option
@handle_errors()
def samples_command(as_json: bool) -> None:
    """List the sample data sets packaged with pystocksharp (usable as FILE anywhere)."""
    from pystocksharp.data import sample_names, sample_path  # noqa: PLC0415

    samples = [SampleInfo(name=name, path=str(sample_path(name))) for name in sample_names()]
    if as_json:
        emit_json({"samples": [s.model_dump() for s in samples]})
    else:
        for s in samples:
            click.echo(f"{s.name:<12} {s.path}")


commands: list[click.Command] = [data_group]
