"""Enrolment, waitlist and cancellation rules (API and operations)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from accelerator.accounts.models import Role, TeacherProfile
from accelerator.accounts.operations import make_verification_token, register_teacher, verify_email
from accelerator.extensions import db
from accelerator.training.models import Enrollment, EnrollmentStatus, SessionStatus
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_session, make_teacher_user


def enrol(api, session, user, **body):
    return api.post(f"/training/sessions/{session.id}/enrollments", user=user, json=body or None)


def test_a_teacher_gets_a_place_then_the_waitlist_with_ranks(api):
    session = make_session(capacity=2)
    answers = [enrol(api, session, make_teacher_user()).json for _ in range(4)]
    assert [(a["status"], a["waitlist_rank"]) for a in answers] == [
        ("registered", None),
        ("registered", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    db.session.expire_all()
    assert session.registered_count == 2


def test_enrolling_twice_answers_409(api):
    session = make_session()
    teacher = make_teacher_user()
    assert enrol(api, session, teacher).status_code == 201
    second = enrol(api, session, teacher)
    assert second.status_code == 409
    db.session.expire_all()
    assert session.registered_count == 1
    assert db.session.query(Enrollment).count() == 1


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("cancelled", 409),
        ("started", 409),
        ("past", 409),
    ],
)
def test_no_enrolment_in_a_cancelled_or_past_session(api, state, status):
    if state == "cancelled":
        session = make_session(status=SessionStatus.cancelled)
    else:
        starts_in = timedelta(minutes=-5) if state == "started" else timedelta(days=-30)
        session = make_session(starts_in=starts_in)
    response = enrol(api, session, make_teacher_user())
    staff = enrol(api, session, make_user(Role.trainer), teacher_email="nouveau@ac-lyon.fr")
    assert staff.status_code == status
    assert response.status_code == status
    assert db.session.query(Enrollment).count() == 0


def test_a_teacher_enrols_only_themself(api):
    session = make_session()
    other = make_teacher_user()
    response = enrol(api, session, make_teacher_user(), teacher_email=other.email)
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.company, Role.expert, Role.admin])
def test_other_roles_do_not_enrol(api, role):
    session = make_session()
    assert enrol(api, session, make_user(role)).status_code == 403


def test_anonymous_enrolment_answers_401(api):
    session = make_session()
    assert api.post(f"/training/sessions/{session.id}/enrollments").status_code == 401


def test_unknown_session_answers_404(api):
    assert enrol(api, type("S", (), {"id": 4242})(), make_teacher_user()).status_code == 404


def test_a_trainer_enrols_a_teacher_by_email_creating_the_profile(api):
    session = make_session()
    trainer = make_user(Role.trainer)
    response = enrol(api, session, trainer, teacher_email=" Jeanne.Durand@AC-Lille.fr ")
    assert response.status_code == 201 and response.json["status"] == "registered"
    teacher = db.session.scalar(
        select(TeacherProfile).where(TeacherProfile.email == "jeanne.durand@ac-lille.fr")
    )
    assert teacher is not None and teacher.user_id is None
    # Registering later with the same email finds this history, once the address is verified.
    user = register_teacher(
        "jeanne.durand@ac-lille.fr",
        "un mot de passe assez long",
        "Jeanne Durand",
        {
            "academy": "lille",
            "uai": "0590001A",
            "discipline": "francais",
            "career_stage": "titulaire",
        },
    )
    verify_email(make_verification_token(user))
    db.session.commit()
    assert user.teacher.id == teacher.id
    assert [
        e.session_id
        for e in db.session.scalars(
            select(Enrollment).where(Enrollment.teacher_id == user.teacher.id)
        )
    ] == [session.id]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"teacher_email": "not-an-email"}, 422),
        ({"teacher_email": "someone@gmail.com"}, 422),  # unknown and not academic
    ],
)
def test_a_trainer_must_give_an_academic_email_for_an_unknown_teacher(api, body, status):
    session = make_session()
    response = enrol(api, session, make_user(Role.trainer), **body)
    assert response.status_code == status
    assert db.session.query(TeacherProfile).count() == 0


def test_a_known_teacher_with_any_email_may_be_enrolled_by_staff(api):
    session = make_session()
    teacher = make_teacher_user(email="camille@gmail.com")
    response = enrol(api, session, make_user(Role.manager), teacher_email=teacher.email)
    assert response.status_code == 201


def test_cancelling_a_place_moves_the_first_waitlisted_up_and_tells_them(api, outbox):
    session = make_session(capacity=1)
    holder = make_teacher_user()
    holder_enrollment = enrol(api, session, holder).json
    first, second = make_teacher_user(), make_teacher_user()
    first_id = enrol(api, session, first).json["id"]
    enrol(api, session, second)
    response = api.delete(
        f"/training/sessions/{session.id}/enrollments/{holder_enrollment['id']}", user=holder
    )
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(Enrollment, first_id).status == EnrollmentStatus.registered
    assert session.registered_count == 1
    # The holder gets their confirmation, the first of the waitlist the place.
    assert sorted(m["To"] for m in outbox) == sorted([holder.email, first.email])
    listing = api.get(
        f"/training/sessions/{session.id}/enrollments", user=make_user(Role.trainer)
    ).json["items"]
    assert [(i["teacher_email"], i["status"], i["waitlist_rank"]) for i in listing] == [
        (holder.email, "cancelled", None),
        (first.email, "registered", None),
        (second.email, "waitlisted", 1),
    ]


def test_cancelling_without_a_waitlist_frees_the_place(api, outbox):
    session = make_session(capacity=1)
    teacher = make_teacher_user()
    eid = enrol(api, session, teacher).json["id"]
    assert (
        api.delete(f"/training/sessions/{session.id}/enrollments/{eid}", user=teacher).status_code
        == 204
    )
    db.session.expire_all()
    assert session.registered_count == 0
    assert [m["To"] for m in outbox] == [teacher.email]  # their confirmation only
    # The place can be taken again, and the teacher may come back.
    again = enrol(api, session, teacher)
    assert again.status_code == 201 and again.json["status"] == "registered"
    assert again.json["id"] == eid


def test_cancelling_a_waitlisted_enrolment_keeps_the_count(api):
    session = make_session(capacity=1)
    add_enrollment(session)
    waiting = make_teacher_user()
    eid = enrol(api, session, waiting).json["id"]
    assert (
        api.delete(f"/training/sessions/{session.id}/enrollments/{eid}", user=waiting).status_code
        == 204
    )
    db.session.expire_all()
    assert session.registered_count == 1


def test_other_teachers_enrolments_answer_404(api):
    session = make_session()
    owner = make_teacher_user()
    eid = enrol(api, session, owner).json["id"]
    response = api.delete(
        f"/training/sessions/{session.id}/enrollments/{eid}", user=make_teacher_user()
    )
    assert response.status_code == 404
    other_session = make_session()
    wrong_session = api.delete(
        f"/training/sessions/{other_session.id}/enrollments/{eid}", user=owner
    )
    assert wrong_session.status_code == 404


def test_staff_cancel_anyones_enrolment(api):
    session = make_session()
    eid = enrol(api, session, make_teacher_user()).json["id"]
    trainer = make_user(Role.trainer)
    assert (
        api.delete(f"/training/sessions/{session.id}/enrollments/{eid}", user=trainer).status_code
        == 204
    )
    assert (
        api.delete(f"/training/sessions/{session.id}/enrollments/{eid}", user=trainer).status_code
        == 409
    )


def test_no_cancellation_once_the_session_started(api):
    session = make_session(starts_in=timedelta(hours=-1))
    enrollment = add_enrollment(session)
    trainer = make_user(Role.trainer)
    response = api.delete(
        f"/training/sessions/{session.id}/enrollments/{enrollment.id}", user=trainer
    )
    assert response.status_code == 409


@pytest.mark.parametrize("answer", [True, False, None])
def test_the_api_takes_the_answer_at_enrolment_and_stays_optional(api, answer):
    """ "Do you already use this solution in class?": optional (the contract's body, with or
    without it, still enrols), kept with the enrolment and answered back."""
    session = make_session()
    body = {} if answer is None else {"already_uses_in_class": answer}
    response = enrol(api, session, make_teacher_user(), **body)
    assert response.status_code == 201
    assert response.json["already_uses_in_class"] is answer
    db.session.expire_all()
    assert db.session.scalar(select(Enrollment.already_uses_in_class)) is answer


@pytest.mark.parametrize("answer", ["peut-être", 3, [True]])
def test_a_bad_answer_at_enrolment_is_422_and_enrols_nobody(api, answer):
    session = make_session()
    response = enrol(api, session, make_teacher_user(), already_uses_in_class=answer)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "already_uses_in_class" in response.json["errors"]
    assert db.session.query(Enrollment).count() == 0


def test_a_teacher_enrolling_again_gives_a_new_answer(api):
    session = make_session()
    teacher = make_teacher_user()
    first = enrol(api, session, teacher, already_uses_in_class=False).json
    api.delete(f"/training/sessions/{session.id}/enrollments/{first['id']}", user=teacher)
    again = enrol(api, session, teacher, already_uses_in_class=True)
    assert (again.status_code, again.json["already_uses_in_class"]) == (201, True)
