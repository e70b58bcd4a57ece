"""``pystocksharp compat``: the migration report for a folder of StockSharp strategies."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import click

from pystocksharp.cli._common import EXIT_CHECK_FAILED, emit_json, handle_errors, json_option


def _fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _html(report: Any) -> str:
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                Path(r.path).name, r.language, "yes" if r.compiles else "no", "yes" if r.runs else "no",
                r.orders, "" if r.twin_agrees is None else ("yes" if r.twin_agrees else "NO"), r.cause or "", f"{r.seconds:.1f}",
            )
        )
        + "</tr>"
        for r in report.results
    )  # fmt: skip
    causes = "".join(
        f"<tr><td>{html.escape(c.cause)}</td><td>{c.files}</td><td>{html.escape(', '.join(c.examples))}</td></tr>"
        for c in report.causes
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>StockSharp compatibility</title>
<style>body{{font:14px system-ui,sans-serif;margin:2rem;color:#222}}table{{border-collapse:collapse;margin:1rem 0}}
td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}}th{{background:#f3f3f3}}.k{{font-size:1.6rem;font-weight:600}}
.cards{{display:flex;gap:2rem}}</style></head><body><h1>StockSharp compatibility</h1>
<p>{report.files} files on {html.escape(report.data)} in {report.seconds:.0f} s.</p>
<div class="cards"><div><div class="k">{_fmt_rate(report.compile_rate)}</div>compile</div>
<div><div class="k">{_fmt_rate(report.run_rate)}</div>run</div><div><div class="k">{_fmt_rate(report.order_rate)}</div>place orders</div>
<div><div class="k">{_fmt_rate(report.twin_agreement_rate)}</div>twins agree ({report.twin_pairs} pairs)</div></div>
<h2>First failures by cause</h2><table><tr><th>cause</th><th>files</th><th>examples</th></tr>{causes}</table>
<h2>Files</h2><table><tr><th>file</th><th>language</th><th>compiles</th><th>runs</th><th>orders</th><th>twin agrees</th>
<th>first failure</th><th>s</th></tr>{rows}</table></body></html>
"""


@click.command("compat")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--data", "-d", metavar="FILE", help="OHLCV file to run on (default: a built-in synthetic 1-minute series).")
@click.option("--workers", "-w", type=int, default=0, show_default=True, help="Files checked at once (0 = all cores).")
@click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds allowed per file.")
@click.option("--html", "html_out", metavar="FILE", help="Also write the report as a self-contained HTML page.")
@json_option
@handle_errors()
def compat_command(
    paths: tuple[str, ...], data: str | None, workers: int, timeout: float, html_out: str | None, as_json: bool
) -> None:
    """Check StockSharp strategies (.cs and StockSharp-style .py) before migrating them.

    Each file, in a process of its own with a time limit: does it compile against the StockSharp API layer,
    run, place orders; does a .cs and a .py of the same strategy give identical fills. The first failure of
    each file is grouped by cause (the missing API member first) with counts across the sweep.

    Exit code 0 when every file compiles, runs and places orders, 1 otherwise.

    Example:
      pystocksharp compat strategies/stocksharp --html compat.html
    """
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # noqa: PLC0415

    from pystocksharp.compat import find_strategy_files, sweep  # noqa: PLC0415
    from pystocksharp.io import atomic_write_text  # noqa: PLC0415

    total = len(find_strategy_files(paths))
    console = Console(stderr=True)
    with Progress(TextColumn("compat"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                  console=console, disable=as_json, transient=True) as bar:  # fmt: skip
        task = bar.add_task("", total=total)
        report = sweep(paths, data=data, workers=workers or None, timeout=timeout,
                       progress=lambda r: bar.update(task, advance=1, description=Path(r.path).name))  # fmt: skip
    if html_out:
        atomic_write_text(Path(html_out), _html(report))
    ok = all(r.compiles and r.runs and r.places_orders for r in report.results)
    if as_json:
        emit_json(report)
    else:
        _print(report, html_out)
    if not ok:
        raise SystemExit(EXIT_CHECK_FAILED)


def _print(report: Any, html_out: str | None) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console = Console()
    table = Table(title=f"StockSharp compatibility: {report.files} files")
    for col in ("file", "lang", "compiles", "runs", "orders", "twin", "first failure"):
        table.add_column(col)
    for r in report.results:
        twin = "" if r.twin_agrees is None else ("agrees" if r.twin_agrees else "DIFFERS")
        table.add_row(Path(r.path).name, "C#" if r.language == "csharp" else "py", "yes" if r.compiles else "no",
                      "yes" if r.runs else "no", str(r.orders), twin, r.cause or "")  # fmt: skip
    console.print(table)
    console.print(
        f"compile {_fmt_rate(report.compile_rate)} · run {_fmt_rate(report.run_rate)} · "
        f"place orders {_fmt_rate(report.order_rate)} · twins agree {_fmt_rate(report.twin_agreement_rate)} "
        f"({report.twin_pairs} pairs) · {report.seconds:.0f} s"
    )
    if report.causes:
        causes = Table(title="first failures by cause")
        causes.add_column("cause")
        causes.add_column("files", justify="right")
        causes.add_column("examples")
        for c in report.causes:
            causes.add_row(c.cause, str(c.files), ", ".join(c.examples))
        console.print(causes)
    if html_out:
        console.print(f"page: {html_out}")


commands = [compat_command]
