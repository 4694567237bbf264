"""Attendance through the API: idempotent, all or nothing, completed implies attended."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accelerator.accounts.models import Role
from accelerator.extensions import db
from accelerator.training.models import Enrollment, EnrollmentStatus, SessionStatus
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_session


@pytest.fixture
def past_session():
    return make_session(capacity=5, starts_in=timedelta(days=-2))


def put(api, session, items, user=None):
    return api.put(
        f"/training/sessions/{session.id}/attendance",
        user=user or make_user(Role.trainer),
        json=items,
    )


def test_attendance_is_recorded_and_idempotent(api, past_session):
    a, b = add_enrollment(past_session), add_enrollment(past_session)
    items = [
        {"teacher_email": a.teacher.email.upper(), "attended": True, "completed": True},
        {"teacher_email": b.teacher.email, "attended": True, "completed": False},
    ]
    first = put(api, past_session, items)
    assert first.status_code == 200, first.json
    assert first.json["changed"] == 2
    db.session.expire_all()
    assert (a.attended, a.completed, a.attendance_source) == (True, True, "api")
    assert a.completed_at is not None
    completed_at = a.completed_at
    assert (b.attended, b.completed, b.completed_at) == (True, False, None)
    second = put(api, past_session, items)
    assert second.status_code == 200 and second.json["changed"] == 0
    db.session.expire_all()
    assert a.completed_at == completed_at


def test_undoing_completion_clears_its_date(api, past_session):
    a = add_enrollment(past_session)
    put(
        api, past_session, [{"teacher_email": a.teacher.email, "attended": True, "completed": True}]
    )
    put(
        api,
        past_session,
        [{"teacher_email": a.teacher.email, "attended": True, "completed": False}],
    )
    db.session.expire_all()
    assert (a.completed, a.completed_at) == (False, None)


@pytest.mark.parametrize(
    ("bad_item", "field"),
    [
        (
            {"teacher_email": "inconnu@ac-paris.fr", "attended": True, "completed": False},
            "teacher_email",
        ),
        ({"teacher_email": "WAITLISTED", "attended": True, "completed": False}, "teacher_email"),
        ({"teacher_email": "CANCELLED", "attended": True, "completed": False}, "teacher_email"),
        ({"teacher_email": "OTHER", "attended": False, "completed": True}, "completed"),
        ({"teacher_email": "GOOD", "attended": True, "completed": False}, "teacher_email"),
    ],
)
def test_a_bad_item_refuses_the_whole_list_with_its_index(api, past_session, bad_item, field):
    good = add_enrollment(past_session)
    emails = {
        "GOOD": good.teacher.email,
        "OTHER": add_enrollment(past_session).teacher.email,
        "WAITLISTED": add_enrollment(
            past_session, status=EnrollmentStatus.waitlisted
        ).teacher.email,
        "CANCELLED": add_enrollment(past_session, status=EnrollmentStatus.cancelled).teacher.email,
    }
    bad_item = {
        **bad_item,
        "teacher_email": emails.get(bad_item["teacher_email"], bad_item["teacher_email"]),
    }
    items = [{"teacher_email": good.teacher.email, "attended": True, "completed": True}, bad_item]
    response = put(api, past_session, items)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["1"]
    assert field in response.json["errors"]["1"]
    db.session.expire_all()
    assert db.session.query(Enrollment).filter_by(attended=True).count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"teacher_email": "x@ac-paris.fr"},
        [{"teacher_email": "x@ac-paris.fr", "attended": "maybe", "completed": False}],
        [{"attended": True, "completed": True}],
    ],
)
def test_malformed_bodies(api, past_session, body):
    assert put(api, past_session, body).status_code in (400, 422)


def test_no_attendance_before_the_session_starts_or_once_cancelled(api):
    future = make_session()
    enrollment = add_enrollment(future)
    item = [{"teacher_email": enrollment.teacher.email, "attended": True, "completed": False}]
    assert put(api, future, item).status_code == 409
    cancelled = make_session(starts_in=timedelta(days=-1), status=SessionStatus.cancelled)
    assert put(api, cancelled, []).status_code == 409


@pytest.mark.parametrize("role", [Role.teacher, Role.company, Role.admin])
def test_only_trainers_and_managers_take_attendance(api, past_session, role):
    assert put(api, past_session, [], user=make_user(role)).status_code == 403
