"""CLI commands: data (placeholder, filled in by its owner)."""

import click

commands: list[click.Command] = []
