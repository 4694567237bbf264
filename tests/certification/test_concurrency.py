"""Two trainers saving the same attendance at the same instant: both issue the attestation,
the database keeps one (unique per enrolment) and the one that loses is told of a conflict,
409 problem+json in the API, never a 500. PostgreSQL only: SQLite has one writer."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert, text

from accelerator.accounts.models import Role
from accelerator.certification.models import Certificate
from accelerator.certification.operations import new_code
from accelerator.extensions import db
from tests.conftest import IS_POSTGRESQL
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_session

pytestmark = pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL's concurrency")


def _wait_for_a_lock_wait(seconds: float = 20) -> bool:
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


def test_a_concurrent_attestation_answers_409_in_the_api(app, api):
    session = make_session(starts_in=timedelta(days=-2))
    enrollment = add_enrollment(session)
    headers = api.headers_for(make_user(Role.trainer))
    item = {"teacher_email": enrollment.teacher.email, "attended": True, "completed": True}
    answers: list = []

    # The other trainer's transaction has issued the attestation and not committed yet.
    other = db.engine.connect()
    other.execute(
        insert(Certificate).values(
            enrollment_id=enrollment.id, code=new_code(), issued_at=text("now()")
        )
    )

    path = f"/training/sessions/{session.id}/attendance"

    def save() -> None:
        with app.app_context():
            answers.append(api.put(path, headers=headers, json=[item]))

    request = threading.Thread(target=save)
    request.start()
    try:
        assert _wait_for_a_lock_wait(), "the request never waited for the other transaction"
    finally:
        other.commit()
        other.close()
    request.join(timeout=60)

    [response] = answers
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 409
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1
