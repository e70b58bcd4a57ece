"""CLI commands: validate, deploy, cache prune, schemas (run artifacts; docs/artifacts.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pystocksharp.cli._common import EXIT_CHECK_FAILED, emit_json, handle_errors, json_option


@click.command("validate")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@json_option
@handle_errors()
def validate_command(directory: str, as_json: bool) -> None:
    """Check every manifest under DIRECTORY against its files, and every JSON against its schema.

    Reports missing, changed (size or sha256) and unlisted files, folders without their
    manifest (incomplete runs), unparsable JSON and schema violations, naming each file.
    Exit 0 when everything checks out, 1 when a problem was found.

    \b
    Example:
      pystocksharp validate results/by-strategy/sma_cross
    """
    from pystocksharp.artifacts.validate import validate_tree

    outcome = validate_tree(directory)
    if as_json:
        emit_json(outcome)
    else:
        for p in outcome.problems:
            where = f"{p.file}" + (f" [{p.field}]" if p.field else "")
            click.echo(f"{where}: {p.message}")
        summary = f"{outcome.manifests_checked} manifests, {outcome.json_checked} JSON files checked: " + (
            "ok" if outcome.ok else f"{len(outcome.problems)} problems"
        )
        click.secho(summary, fg="green" if outcome.ok else "red", err=not outcome.ok)
    if not outcome.ok:
        sys.exit(EXIT_CHECK_FAILED)


@click.command("deploy")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--rank", type=click.IntRange(min=1), default=None, help="Rank to export (1 = best; default: best)."
)
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Where to write the config JSON.")
@click.option(
    "--stocksharp",
    "stocksharp_dir",
    type=click.Path(file_okay=False),
    help="Also write a StockSharp deployment into this folder: the strategy's source, its parameter values as a "
    "StockSharp settings file (Strategy.Load) and a README (docs/stocksharp.md).",
)
@json_option
@handle_errors()
def deploy_command(run_dir: str, rank: int | None, out: str | None, stocksharp_dir: str | None, as_json: bool) -> None:
    """Export one configuration of an optimization or walk-forward run as a deployable strategy-config.json.

    RUN_DIR is the --out folder of `optimize` or `walk-forward`, a run folder (the one holding
    optimization/, reports/, metadata/) or its optimization/ folder; a walk-forward run gives the
    configuration it selected (on all non-holdout bars, with its costs). The configuration (strategy, parameters, data binding,
    emulation and risk settings) reproduces the run with `pystocksharp backtest --config`.
    With --stocksharp, a StockSharp strategy (.cs or .py written for StockSharp) also goes
    back to StockSharp: source, settings file and README in that folder.

    \b
    Examples:
      pystocksharp deploy results/by-strategy/sma_cross/.../by-timeframe/1d --rank 1 --out best.json
      pystocksharp deploy RUN_DIR --rank 1 --stocksharp to-stocksharp/
      pystocksharp deploy runs/wf --out selected.json     # a walk-forward's --out folder
    """
    from pystocksharp.artifacts.config import best_rank_from_reports, deploy_config, write_config
    from pystocksharp.errors import InputError, Problem

    if out is None and stocksharp_dir is None:
        raise InputError("nothing to write", [Problem("give --out FILE and/or --stocksharp DIR", field="out")])
    chosen = rank or best_rank_from_reports(Path(run_dir)) or 1
    config = deploy_config(run_dir, chosen)
    written: dict[str, str] = {}
    if out is not None:
        written["config"] = str(write_config(out, config))
    if stocksharp_dir is not None:
        from pystocksharp import bridge
        from pystocksharp.artifacts.stocksharp_settings import write_stocksharp_deployment
        from pystocksharp.resolver import resolve_strategy

        declared = {p.name: p.default for p in bridge.strategy_parameters(resolve_strategy(config.strategy.spec).new())}
        for key, path in write_stocksharp_deployment(config, stocksharp_dir, declared=declared).items():
            written[f"stocksharp_{key}"] = str(path)
    if as_json:
        emit_json({"out": written.get("config"), "written": written, "rank": chosen, "config": config.model_dump(mode="json")})
    else:
        for path in written.values():
            click.echo(f"wrote {path}")
        click.echo(f"{config.strategy.spec} {config.parameters} (rank {chosen})")


@click.group("cache")
def cache_group() -> None:
    """Manage the shared market-data cache (shared-cache/market-data/...)."""


@cache_group.command("prune")
@click.option(
    "--max-size", required=True, metavar="SIZE", help="Keep at most this much, e.g. 10GB, 500MB, 2GiB."
)
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    default="shared-cache",
    show_default=True,
    help="The shared-cache folder.",
)
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@json_option
@handle_errors()
def cache_prune_command(max_size: str, root: str, dry_run: bool, as_json: bool) -> None:
    """Remove least-recently-used cached series until the cache fits in --max-size.

    Sizes: B, KB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB powers of 1024.

    \b
    Example:
      pystocksharp cache prune --max-size 10GB --root ./shared-cache
    """
    from pystocksharp.artifacts.cache import MarketDataCache, parse_size

    limit = parse_size(max_size)
    outcome = MarketDataCache(root).prune(limit, dry_run=dry_run)
    if as_json:
        emit_json(
            {
                "removed": [str(p) for p in outcome.removed],
                "freed_bytes": outcome.freed_bytes,
                "remaining_bytes": outcome.remaining_bytes,
                "dry_run": dry_run,
            }
        )
    else:
        verb = "would remove" if dry_run else "removed"
        for path in outcome.removed:
            click.echo(f"{verb} {path}")
        click.echo(f"{verb} {outcome.freed_bytes} bytes; {outcome.remaining_bytes} bytes remain")


@click.command("schemas")
@click.option("--check", is_flag=True, help="Do not write; exit 1 if a schema is missing or stale.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    default=None,
    help="Schema folder (default: schemas/).",
)
@json_option
@handle_errors()
def schemas_command(check: bool, directory: str | None, as_json: bool) -> None:
    """Generate the JSON Schemas of every JSON file model into schemas/, or --check them.

    \b
    Examples:
      pystocksharp schemas            # regenerate schemas/*.schema.json
      pystocksharp schemas --check    # exit 1 when a model changed without regenerating
    """
    from pystocksharp.schemas import DEFAULT_DIR, generate_schemas, stale_schemas

    target = Path(directory) if directory else DEFAULT_DIR
    if check:
        problems = stale_schemas(target)
        if as_json:
            emit_json({"dir": str(target), "ok": not problems, "problems": problems})
        else:
            for p in problems:
                click.echo(p)
            click.echo("schemas up to date" if not problems else f"{len(problems)} schema problems")
        if problems:
            sys.exit(EXIT_CHECK_FAILED)
        return
    written = generate_schemas(target)
    if as_json:
        emit_json({"dir": str(target), "written": [str(p) for p in written]})
    else:
        click.echo(f"wrote {len(written)} schemas into {target}")


commands: list[click.Command] = [validate_command, deploy_command, cache_group, schemas_command]
