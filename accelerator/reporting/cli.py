"""``flask reporting refresh``: rebuild the kept figures now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from accelerator.reporting.tasks import refresh_kept_figures

reporting_cli = AppGroup("reporting", help="Contract indicators.")


@reporting_cli.command("refresh")
def refresh_command() -> None:
    """Rebuild the kept figures of the dashboard and the counter from the source tables."""
    result = refresh_kept_figures()
    click.echo(f"Kept figures rebuilt in {result['seconds']} s.")


COMMANDS = (reporting_cli,)
