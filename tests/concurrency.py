"""Two transactions in the same second, on PostgreSQL: a request sent while another
transaction holds a conflicting write it has not committed yet (SQLite has one writer)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection

from accelerator.extensions import db


def wait_for_a_lock_wait(seconds: float = 20) -> bool:
    """Whether a backend of this database is waiting on a lock (the request, blocked)."""
    deadline = time.monotonic() + seconds
    with db.engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            )
            if waiting:
                return True
            watcher.rollback()
            time.sleep(0.05)
    return False


def while_another_transaction(app, write: Callable[[Connection], object], send: Callable):
    """``send()`` in a request while another transaction has done ``write`` and not
    committed; that one commits once the request waits for it. Returns the answer."""
    answers: list = []
    other = db.engine.connect()
    write(other)

    def run() -> None:
        with app.app_context():
            answers.append(send())

    request = threading.Thread(target=run)
    request.start()
    try:
        assert wait_for_a_lock_wait(), "the request never waited for the other transaction"
    finally:
        other.commit()
        other.close()
    request.join(timeout=60)
    db.session.expire_all()
    [response] = answers
    return response
