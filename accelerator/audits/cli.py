"""``flask audits remind``: tell companies their approval expires soon (once per audit)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from accelerator.audits import operations
from accelerator.extensions import db

audits_cli = AppGroup("audits", help="Audit chores.")


@audits_cli.command("remind")
@click.option("--days", default=60, show_default=True, help="Days before the end of validity.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run as if on this day (YYYY-MM-DD).",
)
def remind(days: int, today) -> None:
    """Email the companies whose approval expires within DAYS days (each audit once)."""
    day: date | None = today.date() if today else None
    # No request, so no reader's language: messages and emails are French.
    with force_locale("fr"):
        reminded = operations.send_expiry_reminders(day, days)
        db.session.commit()
    for audit in reminded:
        click.echo(
            f"Reminded audit {audit.id} ({audit.solution.name}), valid until {audit.valid_until}."
        )
    click.echo(f"{len(reminded)} reminder(s) sent.")


@audits_cli.command("conditions")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run as if on this day (YYYY-MM-DD).",
)
def conditions(today) -> None:
    """Follow overdue conditions: remind the company once, then propose a suspension."""
    day: date | None = today.date() if today else None
    with force_locale("fr"):
        done = operations.follow_up_conditions(day)
        db.session.commit()
    click.echo(f"{done.reminded} reminder(s) sent, {done.proposed} suspension(s) proposed.")


COMMANDS = [audits_cli]
