"""Published migrations keep working on a database that has data: upgrade one revision at a
time from the first to the head, a row written into every table as soon as it exists, then
downgrade back to the base. Run on SQLite, and on PostgreSQL (a database of its own) when the
suite runs there.

A migration edited after it ran, or one that cannot run on filled tables (a NOT NULL column
without a default, a constraint the existing rows break), fails here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from accelerator import ROOT, create_app
from accelerator.core.db import include_name
from tests.conftest import DATABASE_URL, IS_POSTGRESQL

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _revisions_in_order() -> list[str]:
    script = ScriptDirectory(str(ROOT / "migrations"))
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


def _value(table: sa.Table, column: sa.Column, engine: sa.Engine, inserted: dict):
    """A value each column accepts, foreign keys pointing at the rows written before."""
    for fk in column.foreign_keys:
        return inserted.get(fk.column.table.name, {}).get(fk.column.name, 1)
    kind = column.type
    name = column.name
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Numeric | sa.Float):
        return 1
    if isinstance(kind, sa.DateTime):
        moment = NOW + (timedelta(days=1) if name.startswith("ends") else timedelta())
        return moment if engine.dialect.name == "postgresql" else moment.replace(tzinfo=None)
    if isinstance(kind, sa.Date):
        return date(2026, 6, 2) if name.startswith("ends") else date(2026, 6, 1)
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.String | sa.Text):
        length = getattr(kind, "length", None) or 40
        text = "FR" if length == 2 else f"{name}-{uuid.uuid4().hex[:8]}"
        return text[:length]
    return None


def _fill_new_tables(engine: sa.Engine, known: set[str], inserted: dict) -> set[str]:
    """Write one row into each table that appeared since ``known``; their names."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    new = [
        t
        for t in metadata.sorted_tables
        if t.name not in known
        and t.name != "alembic_version"
        and include_name(t.name, "table", {})  # not the full-text index's own tables
    ]
    for table in new:
        row = {}
        for column in table.columns:
            single_id = column.primary_key and len(table.primary_key.columns) == 1
            numbered = engine.dialect.name == "sqlite" or column.server_default is not None
            numbered = numbered or column.identity is not None
            integer_id = single_id and isinstance(column.type, sa.Integer)
            if integer_id and numbered and not column.foreign_keys:
                continue  # the database numbers it
            if column.nullable and not column.primary_key and not column.foreign_keys:
                continue
            row[column.name] = _value(table, column, engine, inserted)
        with engine.begin() as connection:
            result = connection.execute(table.insert().values(**row))
            keys = result.inserted_primary_key or ()
        pk = dict(zip([c.name for c in table.primary_key.columns], keys, strict=False))
        inserted[table.name] = {**row, **{k: v for k, v in pk.items() if v is not None}}
    return {t.name for t in new}


def _counts(engine: sa.Engine, tables) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
            for name in tables
        }


@pytest.fixture
def walk_url(tmp_path):
    """An empty database of its own: a SQLite file, or a PostgreSQL database beside the
    suite's (named after it), dropped afterwards."""
    if not IS_POSTGRESQL:
        yield f"sqlite:///{tmp_path / 'walk.sqlite3'}"
        return
    url = sa.make_url(DATABASE_URL)
    name = f"{url.database}_walk"
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_upgrade_step_by_step_with_data_then_downgrade_to_base(walk_url):
    walk_app = create_app("testing", SQLALCHEMY_DATABASE_URI=walk_url, SQLALCHEMY_ENGINE_OPTIONS={})
    revisions = _revisions_in_order()
    assert len(revisions) >= 6
    with walk_app.app_context():
        engine = walk_app.extensions["sqlalchemy"].engine
        known: set[str] = set()
        inserted: dict = {}
        for revision in revisions:
            upgrade(revision=revision)
            known |= _fill_new_tables(engine, known, inserted)
        assert known >= {"user_account", "organization", "solution", "audit", "outgoing_mail"}
        # every row written along the way is still there at the head
        counts = _counts(engine, known)
        assert [name for name, count in counts.items() if count < 1] == []

        downgrade(revision="base")
        remaining = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()

        upgrade()  # and the whole chain again, to the one head
        with engine.connect() as connection:
            heads = connection.scalars(sa.text("SELECT version_num FROM alembic_version")).all()
        assert heads == [revisions[-1]]
        engine.dispose()
