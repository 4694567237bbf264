"""``flask training import-attendance FILE --as EMAIL``: import a large attendance CSV on the
server (the same operation and job as the page and the API), in the foreground or, with
``--queue``, on the worker."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from accelerator.accounts.operations import find_user_by_email
from accelerator.core.errors import DomainError
from accelerator.core.jobs import JobState, run_job_now
from accelerator.extensions import db
from accelerator.training.imports import queue_attendance_import

training_cli = AppGroup("training", help="Training sessions and attendance.")


@training_cli.command("import-attendance")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "email", required=True, help="Email of the trainer or manager importing.")
@click.option(
    "--queue", is_flag=True, help="Hand the import to the worker and print the job's number."
)
def import_attendance_command(path: str, email: str, queue: bool) -> None:
    """Import an attendance CSV (format in README.md) and print the report."""
    actor = find_user_by_email(email)
    if actor is None:
        raise click.ClickException(f"No account with the email {email}.")
    with current_app.test_request_context(), open(path, "rb") as stream:
        try:
            job = queue_attendance_import(actor, stream, send=queue)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        job_id = job.id
        if queue:
            db.session.commit()  # the worker takes it from here
            click.echo(f"job {job_id} queued")
            return
        # Foreground: the job row is kept (its report stays on its page), but not sent.
        db.session.commit()
        job = run_job_now(job_id)
    if job.state != JobState.done:
        raise click.ClickException(job.error or f"job {job_id} is {job.state.value}")
    result = job.result
    click.echo(
        f"imported: {result['imported']}, unchanged: {result['unchanged']}, "
        f"errors: {len(result['errors'])}"
    )
    for error in result["errors"]:
        click.echo(f"  line {error['line']}: {error['message']}")


COMMANDS = [training_cli]
