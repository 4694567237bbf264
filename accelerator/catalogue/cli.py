"""``flask catalogue reindex``: rebuild the catalogue's search index from the approvals."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from accelerator.catalogue.operations import rebuild_catalogue
from accelerator.extensions import db

catalogue_cli = AppGroup("catalogue", help="The public catalogue.")


@catalogue_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index (idempotent): every approval in force, nothing else."""
    count = rebuild_catalogue()
    db.session.commit()
    click.echo(f"Catalogue index: {count} solution(s) with an approval in force.")


COMMANDS = [catalogue_cli]
