"""``flask training import-attendance FILE --as EMAIL``: import a large attendance CSV on the
server (the same operation as the page and the API)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from accelerator.accounts.operations import find_user_by_email
from accelerator.core.errors import DomainError
from accelerator.extensions import db
from accelerator.training.imports import import_attendance

training_cli = AppGroup("training", help="Training sessions and attendance.")


@training_cli.command("import-attendance")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "email", required=True, help="Email of the trainer or manager importing.")
def import_attendance_command(path: str, email: str) -> None:
    """Import an attendance CSV (format in README.md) and print the report."""
    actor = find_user_by_email(email)
    if actor is None:
        raise click.ClickException(f"No account with the email {email}.")
    with current_app.test_request_context(), open(path, "rb") as stream:
        try:
            report = import_attendance(actor, stream)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        db.session.commit()
        result = report.as_dict()
    click.echo(
        f"imported: {result['imported']}, unchanged: {result['unchanged']}, "
        f"errors: {len(result['errors'])}"
    )
    for error in result["errors"]:
        click.echo(f"  line {error['line']}: {error['message']}")


COMMANDS = [training_cli]
