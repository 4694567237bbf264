"""Teachers are told what happens to their enrolment: a confirmation when they cancel it, a
notice when the training team does, the old and new values when the session's dates or place
change, a notice when the session is cancelled; nothing when nothing changed, and nothing
before the change is committed."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from accelerator.accounts.models import Role
from accelerator.extensions import db
from accelerator.training import operations
from accelerator.training.models import EnrollmentStatus
from tests.factories import make_user
from tests.training.factories import (
    add_enrollment,
    make_session,
    make_teacher,
    make_teacher_user,
)

PARIS = ZoneInfo("Europe/Paris")


def _text(message) -> str:
    return message.get_content()


def _to(outbox) -> list[str]:
    return sorted(message["To"] for message in outbox)


def _form(session, **changes) -> dict:
    local_start = session.starts_at.astimezone(PARIS)
    local_end = session.ends_at.astimezone(PARIS)
    return {
        "title": session.title,
        "solution_ids": [str(s.id) for s in session.solutions],
        "format": session.format.value,
        "starts_at": local_start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local_end.strftime("%Y-%m-%dT%H:%M"),
        "duration_hours": f"{session.duration_hours:g}",
        "capacity": str(session.capacity),
        "academy": session.academy,
        "location": session.location,
        **changes,
    }


def test_a_teacher_who_cancels_gets_a_confirmation(client, login_as, outbox):
    session = make_session(title="Mathador en classe")
    user = login_as(make_teacher_user())
    enrollment = add_enrollment(session, teacher=user.teacher)
    client.post(f"/formations/{session.id}/inscriptions/{enrollment.id}/annulation")
    assert _to(outbox) == [user.teacher.email]
    (message,) = outbox
    assert message["Subject"] == "Votre inscription est annulée : Mathador en classe"
    body = _text(message)
    assert "Comme vous l'avez demandé" in body and session.reference in body


def test_a_teacher_whose_enrolment_the_trainer_cancels_gets_a_notice(client, login_as, outbox):
    session = make_session(title="Mathador en classe")
    enrollment = add_enrollment(session)
    login_as(make_user(Role.trainer))
    client.post(f"/formations/{session.id}/inscriptions/{enrollment.id}/annulation")
    assert _to(outbox) == [enrollment.teacher.email]
    (message,) = outbox
    assert message["Subject"] == (
        "Votre inscription a été annulée par l'équipe de formation : Mathador en classe"
    )
    assert "équipe de formation de Réseau Canopé" in _text(message)


def test_the_api_cancellation_by_a_manager_sends_the_notice_too(api, outbox):
    session = make_session()
    enrollment = add_enrollment(session)
    response = api.delete(
        f"/training/sessions/{session.id}/enrollments/{enrollment.id}",
        user=make_user(Role.manager),
    )
    assert response.status_code == 204
    assert [m["To"] for m in outbox] == [enrollment.teacher.email]
    assert "équipe de formation" in outbox[0]["Subject"]


def test_the_freed_place_tells_both_teachers(client, login_as, outbox):
    session = make_session(capacity=1)
    user = login_as(make_teacher_user())
    mine = add_enrollment(session, teacher=user.teacher)
    waiting = add_enrollment(session, status=EnrollmentStatus.waitlisted)
    client.post(f"/formations/{session.id}/inscriptions/{mine.id}/annulation")
    subjects = {message["To"]: message["Subject"] for message in outbox}
    assert set(subjects) == {user.teacher.email, waiting.teacher.email}
    assert subjects[user.teacher.email].startswith("Votre inscription est annulée")


def test_a_refused_cancellation_tells_nobody(client, login_as, outbox):
    session = make_session()
    enrollment = add_enrollment(session, status=EnrollmentStatus.cancelled)
    login_as(make_user(Role.trainer))
    client.post(f"/formations/{session.id}/inscriptions/{enrollment.id}/annulation")
    assert outbox == []


def test_new_dates_are_sent_with_the_old_ones_to_every_enrolled_teacher(client, login_as, outbox):
    session = make_session(title="Atelier", capacity=1, starts_in=timedelta(days=10))
    registered = add_enrollment(session)
    waiting = add_enrollment(session, status=EnrollmentStatus.waitlisted)
    add_enrollment(session, status=EnrollmentStatus.cancelled)
    old_start = session.starts_at.astimezone(PARIS)
    new_start = old_start + timedelta(days=7)
    login_as(make_user(Role.trainer))
    response = client.post(
        f"/formations/{session.id}/modifier",
        data=_form(
            session,
            starts_at=new_start.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(new_start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 302
    assert _to(outbox) == sorted([registered.teacher.email, waiting.teacher.email])
    message = next(m for m in outbox if m["To"] == registered.teacher.email)
    assert message["Subject"] == "Session de formation modifiée : Atelier"
    body = _text(message)
    before = next(line for line in body.splitlines() if line.startswith("Dates avant"))
    now = next(line for line in body.splitlines() if line.startswith("Dates désormais"))
    assert f"{old_start:%H:%M}" in before and str(old_start.year) in before
    assert f"{new_start.day}" in now and f"{new_start:%H:%M}" in now
    assert "Lieu" not in body.replace("Lieu :", "")  # the place did not change
    assert "Votre place est conservée." in body
    waiting_body = _text(next(m for m in outbox if m["To"] == waiting.teacher.email))
    assert "Vous restez sur la liste d'attente." in waiting_body


def test_a_new_place_is_sent_with_the_old_one(api, outbox):
    session = make_session(location="Atelier Canopé 75")
    enrollment = add_enrollment(session)
    response = api.patch(
        f"/training/sessions/{session.id}",
        user=make_user(Role.manager),
        json={"location": "Lycée Hoche, salle B12"},
    )
    assert response.status_code == 200
    (message,) = outbox
    assert message["To"] == enrollment.teacher.email
    body = _text(message)
    assert "Lieu auparavant : Atelier Canopé 75" in body
    assert "Lieu désormais : Lycée Hoche, salle B12" in body
    assert "Dates avant" not in body


@pytest.mark.parametrize(
    "changes",
    [{}, {"title": "Nouveau titre", "capacity": "12"}],
    ids=["the same form sent again", "other fields"],
)
def test_no_email_when_neither_dates_nor_place_change(client, login_as, outbox, changes):
    session = make_session()
    add_enrollment(session)
    login_as(make_user(Role.trainer))
    response = client.post(f"/formations/{session.id}/modifier", data=_form(session, **changes))
    assert response.status_code == 302
    assert outbox == []


def test_no_email_when_the_change_is_refused(api, outbox):
    session = make_session(capacity=2)
    add_enrollment(session)
    add_enrollment(session)
    response = api.patch(
        f"/training/sessions/{session.id}",
        user=make_user(Role.manager),
        json={"location": "Ailleurs", "capacity": 1},
    )
    assert response.status_code == 422
    assert outbox == []


def test_a_cancelled_session_is_announced_to_every_enrolled_teacher(client, login_as, outbox):
    session = make_session(title="Atelier", capacity=1)
    registered = add_enrollment(session)
    waiting = add_enrollment(session, status=EnrollmentStatus.waitlisted)
    add_enrollment(session, status=EnrollmentStatus.cancelled)
    login_as(make_user(Role.trainer))
    client.post(f"/formations/{session.id}/annulation")
    assert _to(outbox) == sorted([registered.teacher.email, waiting.teacher.email])
    assert all(m["Subject"] == "Session de formation annulée : Atelier" for m in outbox)


def _change_the_dates(trainer):
    session = make_session()
    teacher = make_teacher()
    add_enrollment(session, teacher=teacher)
    operations.update_session(
        trainer,
        session,
        {
            "starts_at": session.starts_at + timedelta(days=1),
            "ends_at": session.ends_at + timedelta(days=1),
        },
    )


def _cancel_an_enrolment(trainer):
    enrollment = add_enrollment(make_session())
    operations.cancel_enrollment(trainer, enrollment)


@pytest.mark.parametrize("change", [_change_the_dates, _cancel_an_enrolment])
def test_the_notices_leave_only_with_the_commit(outbox, change):
    trainer = make_user(Role.trainer)
    db.session.commit()
    change(trainer)
    assert outbox == []
    db.session.rollback()  # the request failed after the operation: nothing happened
    assert outbox == []
    change(trainer)
    db.session.commit()
    assert len(outbox) == 1
