"""CLI commands: report (placeholder, filled in by its owner)."""

import click

commands: list[click.Command] = []
