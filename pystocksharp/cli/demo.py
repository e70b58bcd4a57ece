"""CLI commands: demo (placeholder, filled in by its owner)."""

import click

commands: list[click.Command] = []
