"""Two trainers saving the same attendance at the same instant: both issue the attestation,
the database keeps one (unique per enrolment) and the one that loses is told of a conflict,
409 problem+json in the API, never a 500. PostgreSQL only: SQLite has one writer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, text

from accelerator.accounts.models import Role
from accelerator.certification.models import Certificate
from accelerator.certification.operations import new_code
from accelerator.extensions import db
from tests.concurrency import while_another_transaction
from tests.conftest import IS_POSTGRESQL
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_session

pytestmark = pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL's concurrency")


def _against_a_concurrent_attestation(app, enrollment, send) -> object:
    """``send()`` while another transaction holds an attestation of ``enrollment`` it has
    not committed yet; that transaction commits once the request waits for it."""
    response = while_another_transaction(
        app,
        lambda other: other.execute(
            insert(Certificate).values(
                enrollment_id=enrollment.id, code=new_code(), issued_at=text("now()")
            )
        ),
        send,
    )
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1
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
