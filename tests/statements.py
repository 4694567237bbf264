"""What the database receives while a block runs, to prove how many queries a page costs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from accelerator.extensions import db


@contextmanager
def statements_sent(*kinds: str) -> Iterator[list[str]]:
    """The SQL statements sent inside the block, in order; only those starting with one of
    ``kinds`` ("SELECT", "INSERT"...) when given. The list fills as the block runs."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not kinds or statement.lstrip().split(None, 1)[0].upper() in kinds:
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
