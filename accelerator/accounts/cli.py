"""``flask users create EMAIL --role ROLE --name "Full Name"``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from accelerator.accounts import operations
from accelerator.accounts.models import STAFF_ROLES, Role
from accelerator.accounts.rules import password_error
from accelerator.core.errors import DomainError
from accelerator.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Not a terminal (a script, a pipe): the first line of standard input.
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in STAFF_ROLES]),
    help="Staff role of the new account.",
)
@click.option("--name", "full_name", required=True, help="Full name.")
def create_user(email: str, role: str, full_name: str) -> None:
    """Create an expert, trainer, manager or admin account."""
    password = _read_password()
    error = password_error(password)
    if error:
        raise click.ClickException(error)
    try:
        user = operations.create_staff_user(None, email, full_name, Role(role), password)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email} (id {user.id}).")


@users_cli.command("purge-unverified")
def purge_unverified() -> None:
    """Delete accounts left unverified for 7 days, and sessions that ended (run daily)."""
    deleted = operations.purge_unverified_accounts()
    sessions = operations.purge_expired_sessions()
    db.session.commit()
    click.echo(f"Deleted {deleted} unverified account(s) and {sessions} ended session(s).")


COMMANDS = [users_cli]
