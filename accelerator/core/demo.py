"""``flask seed-demo``: each domain registers what it adds to the demo data.

Seeders run in the order of their ``order`` and must be idempotent (look before creating).
"""

from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import with_appcontext

from accelerator.extensions import db

_SEEDERS: list[tuple[int, Callable[[], list[str]]]] = []


def seeder(order: int) -> Callable:
    """Register ``function`` as a demo seeder; it returns lines to print."""

    def register(function: Callable[[], list[str]]) -> Callable[[], list[str]]:
        _SEEDERS.append((order, function))
        return function

    return register


def run_seeders() -> list[str]:
    lines: list[str] = []
    for _, function in sorted(_SEEDERS, key=lambda item: item[0]):
        lines.extend(function())
        db.session.commit()
    return lines


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load demo data (idempotent): one account per role, then each domain's examples."""
    for line in run_seeders():
        click.echo(line)
