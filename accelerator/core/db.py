"""Column types and helpers shared by the models of every domain."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Date, DateTime, Enum, TypeDecorator
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class day_of(FunctionElement):
    """The UTC calendar day of a ``UTCDateTime`` expression, on SQLite and PostgreSQL."""

    type = Date()
    inherit_cache = True


@compiles(day_of)
def _day_of_sqlite(element, compiler, **kw):
    # SQLite stores UTC datetimes as ISO text: date() gives "YYYY-MM-DD", comparable with dates.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(day_of, "postgresql")
def _day_of_postgresql(element, compiler, **kw):
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


def is_postgresql() -> bool:
    from accelerator.extensions import db

    return db.engine.dialect.name == "postgresql"


def starts_with(column, prefix: str, fold_case: bool = False):
    """``column`` begins with ``prefix`` (lower-case, when ``fold_case``: then the case of
    ``column`` does not count), in the form a B-tree index answers: a range (``>= prefix``
    and ``<`` the first string after every string starting with it) and ``LIKE`` for
    exactness. The comparison is byte by byte, as the index is built: on PostgreSQL
    ``COLLATE "C"`` on ``column`` (``lower(column)`` when folding), since a linguistic
    collation could order a string with the prefix outside the range; on SQLite the column
    itself (``COLLATE NOCASE`` when folding, ASCII letters)."""
    from sqlalchemy import and_, collate, func

    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if is_postgresql():
        expression = collate(func.lower(column) if fold_case else column, "C")
        matches = expression.like(escaped + "%", escape="\\")
    else:
        expression = collate(column, "NOCASE") if fold_case else column
        # SQLite's LIKE ignores the case of ASCII letters; GLOB would not, but has no escape.
        matches = expression.like(escaped + "%", escape="\\")
    return and_(expression >= prefix, expression < upper, matches)


#: Names of database objects that migrations create by hand and models do not describe
#: (full-text search structures); a name ending with "*" is a prefix. Domains add theirs.
UNMANAGED_NAMES: set[str] = set()


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name`` hook: leave the unmanaged objects out of comparisons."""
    if name is None:
        return True
    for pattern in UNMANAGED_NAMES:
        if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
            return False
    return True


def enum_column(enum_class, name: str, length: int = 30) -> Enum:
    """A column type for a ``TitledEnum``: its codes stored as strings (no database enum
    type, so adding a member needs no migration), refused on write when unknown."""
    return Enum(enum_class, name=name, native_enum=False, length=length, validate_strings=True)


def among(column, values, item_type=None):
    """``column IN (values)``; on PostgreSQL ``= ANY(array)``: one parameter instead of
    thousands, which the server plans faster for bulk lookups."""
    from sqlalchemy import any_, literal

    from accelerator.extensions import db

    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(literal(values, ARRAY(item_type or column.type)))
    return column.in_(values)


#: bytes of a SQLite file read through the memory map: reads become memory accesses of
#: the pages the operating system already caches (shared by every process) instead of a
#: system call and a copy per page missing from the connection's own cache
SQLITE_MMAP_SIZE = 1 << 30


def tune_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite files are shared by the web server and the worker: WAL lets readers go on
    while one writes, and a writer waits for the lock (30 s) instead of failing at once.
    Files are read through a memory map (``SQLITE_MMAP_SIZE``): at 100,000 catalogue
    solutions the file outgrows the connection's page cache, and a cold search took 1.7
    times as long reading its pages one system call at a time."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA cache_size = -65536")  # 64 MB of pages: bulk imports stay in memory
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_SIZE}")
    cursor.close()


def _listen_sqlite() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "connect", tune_sqlite)


_listen_sqlite()
