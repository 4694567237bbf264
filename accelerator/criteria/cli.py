"""``flask criteria import|export|check|load-default``: framework files in and out."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from accelerator.core.errors import DomainError
from accelerator.criteria import document as documents
from accelerator.criteria import operations
from accelerator.criteria.models import Framework, FrameworkVersion
from accelerator.extensions import db

criteria_cli = AppGroup("criteria", help="Criteria frameworks (cadre de confiance).")


def _refuse(path: Path, error: documents.DocumentError) -> None:
    for problem in error.problems:
        click.echo(f"{path}:{problem.line or '-'}: {problem.field}: {problem.message}", err=True)
    raise click.ClickException(
        f"{path}: {len(error.problems)} error(s); the file was refused, nothing was written."
    )


@criteria_cli.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(file: Path) -> None:
    """Check a framework file without importing it."""
    try:
        document = documents.parse(file.read_text(encoding="utf-8"))
    except documents.DocumentError as error:
        _refuse(file, error)
    count = sum(1 for _ in document.criteria())
    click.echo(f"{file}: valid, {len(document.domains)} domains, {count} criteria.")


@criteria_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish the version at once (retires the current).")
def import_command(file: Path, publish: bool) -> None:
    """Import a framework file as a draft version (or published, with --publish)."""
    try:
        version = operations.import_text(file.read_text(encoding="utf-8"), publish=publish)
    except documents.DocumentError as error:
        db.session.rollback()
        _refuse(file, error)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(
        f"Imported {version.framework.code} {version.version} "
        f"(id {version.id}, {len(version.criteria())} criteria) as {version.status.value}."
    )


def _find_version(reference: str, framework_code: str | None) -> FrameworkVersion:
    statement = select(FrameworkVersion).join(Framework)
    if framework_code:
        statement = statement.where(Framework.code == framework_code)
    found = db.session.scalars(statement.where(FrameworkVersion.version == reference)).all()
    if not found and reference.isdigit():
        by_id = db.session.get(FrameworkVersion, int(reference))
        found = [by_id] if by_id is not None else []
    if not found:
        raise click.ClickException(f"No framework version {reference!r}.")
    if len(found) > 1:
        raise click.ClickException(
            f"Several frameworks have a version {reference!r}: name one with --framework."
        )
    return found[0]


@criteria_cli.command("export")
@click.argument("version")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--framework", "framework_code", help="Framework code, when several exist.")
def export_command(version: str, output: Path | None, framework_code: str | None) -> None:
    """Write a version (its number, such as 2026.1, or its id) in the import format."""
    text = operations.export_text(_find_version(version, framework_code))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.")


@criteria_cli.command("load-default")
def load_default_command() -> None:
    """Import and publish the shipped cadre de confiance, unless it is already there."""
    path = operations.DEFAULT_FILE
    if not path.exists():
        raise click.ClickException(f"{path} is missing.")
    try:
        version, created = operations.load_default(path)
    except documents.DocumentError as error:
        db.session.rollback()
        _refuse(path, error)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    state = "loaded and published" if created else "already loaded"
    click.echo(f"Cadre de confiance {version.version}: {state} (id {version.id}).")


COMMANDS = [criteria_cli]
