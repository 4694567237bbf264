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


def _against_a_concurrent_attestation(app, enrollment, send) -> object:
    """``send()`` while another transaction holds an attestation of ``enrollment`` it has
    not committed yet; that transaction commits once the request waits for it."""
    answers: list = []
    other = db.engine.connect()
    other.execute(
        insert(Certificate).values(
            enrollment_id=enrollment.id, code=new_code(), issued_at=text("now()")
        )
    )

    def run() -> None:
        with app.app_context():
            answers.append(send())

    request = threading.Thread(target=run)
    request.start()
    try:
        assert _wait_for_a_lock_wait(), "the request never waited for the other transaction"
    finally:
        other.commit()
        other.close()
    request.join(timeout=60)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1
    [response] = answers
    return response


def test_a_concurrent_attestation_answers_409_in_the_api(app, api):
    session = make_session(starts_in=timedelta(days=-2))
    enrollment = add_enrollment(session)
    headers = api.headers_for(make_user(Role.trainer))
    item = {"teacher_email": enrollment.teacher.email, "attended": True, "completed": True}
    path = f"/training/sessions/{session.id}/attendance"

    response = _against_a_concurrent_attestation(
        app, enrollment, lambda: api.put(path, headers=headers, json=[item])
    )
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 409


def test_a_concurrent_attestation_is_told_in_french_on_the_page(app, client, login_as):
    session = make_session(starts_in=timedelta(days=-2))
    enrollment = add_enrollment(session)
    login_as(make_user(Role.trainer))
    path = f"/formations/{session.id}/presences"

    response = _against_a_concurrent_attestation(
        app, enrollment, lambda: client.post(path, data={"completed": [str(enrollment.id)]})
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Quelqu&#39;un d&#39;autre a modifié ces informations entre-temps" in page
