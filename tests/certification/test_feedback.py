"""Rating a session: only after attending, once, 1 to 5."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.certification.models import Feedback
from accelerator.extensions import db
from tests.certification.factories import enroll, make_session, teacher_user
from tests.factories import make_user


def _feedbacks() -> list[Feedback]:
    db.session.expire_all()
    return db.session.scalars(db.select(Feedback)).all()


def test_a_teacher_who_attended_rates_the_session(api):
    user, profile = teacher_user()
    session = make_session()
    enroll(profile, session, attended=True, completed=False)
    db.session.commit()
    response = api.post(
        f"/training/sessions/{session.id}/feedback",
        user=user,
        json={"rating": 4, "comment": "  Très concret.  "},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["rating"] == 4
    assert response.get_json()["session_id"] == session.id
    [feedback] = _feedbacks()
    assert (feedback.rating, feedback.comment) == (4, "Très concret.")


def test_rating_twice_is_a_conflict(api):
    user, profile = teacher_user()
    session = make_session()
    enroll(profile, session)
    db.session.commit()
    path = f"/training/sessions/{session.id}/feedback"
    assert api.post(path, user=user, json={"rating": 5}).status_code == 201
    response = api.post(path, user=user, json={"rating": 1})
    assert response.status_code == 409
    assert [f.rating for f in _feedbacks()] == [5]


def test_not_attended_is_a_conflict(api):
    user, profile = teacher_user()
    session = make_session()
    enroll(profile, session, attended=False, completed=False)
    db.session.commit()
    response = api.post(f"/training/sessions/{session.id}/feedback", user=user, json={"rating": 3})
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert _feedbacks() == []


def test_not_enrolled_or_unknown_session_is_not_found(api):
    user, _ = teacher_user()
    other, other_profile = teacher_user()
    session = make_session()
    enroll(other_profile, session)
    db.session.commit()
    assert (
        api.post(f"/training/sessions/{session.id}/feedback", user=user, json={"rating": 3})
    ).status_code == 404
    assert (
        api.post("/training/sessions/999999/feedback", user=user, json={"rating": 3})
    ).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": "5"},
        {"rating": 4.5},
        {},
        {"rating": 3, "comment": "x" * 2001},
        {"rating": 3, "extra": True},
    ],
)
def test_invalid_ratings_are_refused(api, body):
    user, profile = teacher_user()
    session = make_session()
    enroll(profile, session)
    db.session.commit()
    response = api.post(f"/training/sessions/{session.id}/feedback", user=user, json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert _feedbacks() == []


def test_only_teachers_rate(api):
    session = make_session()
    db.session.commit()
    trainer = make_user(Role.trainer)
    path = f"/training/sessions/{session.id}/feedback"
    assert api.post(path, user=trainer, json={"rating": 3}).status_code == 403
    assert api.post(path, json={"rating": 3}).status_code == 401


def test_rating_from_the_page(client, login_as):
    user, profile = teacher_user()
    session = make_session()
    enroll(profile, session)
    db.session.commit()
    login_as(user)
    page = client.get("/mes-formations").get_data(as_text=True)
    assert f"rate-{session.id}-rating" in page

    response = client.post(
        f"/mes-formations/sessions/{session.id}/avis",
        data={f"rate-{session.id}-rating": "9", f"rate-{session.id}-comment": ""},
    )
    assert response.status_code == 422
    assert _feedbacks() == []

    response = client.post(
        f"/mes-formations/sessions/{session.id}/avis",
        data={f"rate-{session.id}-rating": "5", f"rate-{session.id}-comment": "Bien"},
    )
    assert response.status_code == 302
    assert [(f.rating, f.comment) for f in _feedbacks()] == [(5, "Bien")]
    page = client.get("/mes-formations").get_data(as_text=True)
    assert f"rate-{session.id}-rating" not in page
    assert "5 / 5" in page


def test_rating_someone_elses_session_from_the_page_is_not_found(client, login_as):
    user, _ = teacher_user()
    _, other_profile = teacher_user()
    session = make_session()
    enroll(other_profile, session)
    db.session.commit()
    login_as(user)
    response = client.post(
        f"/mes-formations/sessions/{session.id}/avis", data={f"rate-{session.id}-rating": "5"}
    )
    assert response.status_code == 404
    assert _feedbacks() == []
