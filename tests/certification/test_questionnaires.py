"""The questionnaires emailed after a session (satisfaction at once, follow-up some weeks
later): who gets them (once), what the link opens, who may answer, and that the
satisfaction answers feed the 80 % indicator."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import Role
from accelerator.certification import questionnaires
from accelerator.certification.models import Feedback, FollowUpAnswer, QuestionnaireKind
from accelerator.certification.tasks import SEND_QUESTIONNAIRES
from accelerator.core.db import utcnow
from accelerator.core.mail import OutgoingMail
from accelerator.extensions import db
from accelerator.reporting import indicators
from accelerator.reporting.periods import Period
from accelerator.training.models import EnrollmentStatus, SessionStatus
from tests.certification.factories import at, enroll, make_session, teacher, teacher_user
from tests.factories import make_user

DAY = date(2026, 3, 10)
#: an hour after the sessions of DAY end (12:00 UTC)
AFTER = at(DAY, 13)


def _mails(template: str = "questionnaire_satisfaction") -> list[OutgoingMail]:
    db.session.expire_all()
    return db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.template == template).order_by(OutgoingMail.id)
    ).all()


def _link(mail: OutgoingMail) -> str:
    """The questionnaire's path in the email's body."""
    [url] = re.findall(r"https?://\S+/questionnaires/\S+", mail.body)
    return urlsplit(url).path


def _send(now=AFTER) -> int:
    sent = questionnaires.send_satisfaction_questionnaires(now)
    db.session.commit()
    return sent


def test_each_teacher_who_attended_an_ended_session_gets_one_email():
    session = make_session(on=DAY)
    present = enroll(teacher(email="present@ac-paris.fr"), session, completed=False)
    completed = enroll(teacher(email="completed@ac-paris.fr"), session)
    enroll(teacher(email="absent@ac-paris.fr"), session, attended=False, completed=False)
    enroll(
        teacher(email="waiting@ac-paris.fr"),
        session,
        attended=False,
        completed=False,
        status=EnrollmentStatus.waitlisted,
    )
    db.session.commit()

    assert _send() == 2
    mails = _mails()
    assert sorted(m.recipient for m in mails) == ["completed@ac-paris.fr", "present@ac-paris.fr"]
    assert all(session.title in m.subject for m in mails)
    assert {present.id, completed.id} == {
        questionnaires.enrollment_for_token(
            _link(m).rsplit("/", 1)[1], QuestionnaireKind.satisfaction
        ).id
        for m in mails
    }
    # The duty again, an hour and a day later: nothing more.
    assert _send(AFTER + timedelta(hours=1)) == 0
    assert _send(AFTER + timedelta(days=1)) == 0
    assert len(_mails()) == 2


@pytest.mark.parametrize(
    "case",
    ["cancelled session", "not ended yet", "ended too long ago", "already rated", "absent"],
)
def test_no_email_when_the_questionnaire_is_not_due(case):
    status = SessionStatus.cancelled if case == "cancelled session" else SessionStatus.scheduled
    session = make_session(on=DAY, status=status)
    enrollment = enroll(teacher(), session, attended=case != "absent", completed=False)
    if case == "already rated":
        db.session.add(Feedback(enrollment_id=enrollment.id, rating=4, comment=""))
    db.session.commit()
    now = {
        "not ended yet": at(DAY, 11),
        "ended too long ago": at(DAY, 13) + questionnaires.WINDOW + timedelta(days=1),
    }.get(case, AFTER)
    assert _send(now) == 0
    assert _mails() == []


def test_a_rolled_back_run_sends_nothing_and_the_next_run_sends_once(outbox):
    session = make_session(on=DAY)
    enroll(teacher(email="camille@ac-paris.fr"), session)
    db.session.commit()

    assert questionnaires.send_satisfaction_questionnaires(AFTER) == 1
    db.session.rollback()
    assert _mails() == []
    assert outbox == []

    assert _send() == 1
    assert _send() == 0
    assert [m["To"] for m in outbox] == ["camille@ac-paris.fr"]


def test_beat_runs_the_duty_through_the_worker(app, outbox):
    yesterday = utcnow().date() - timedelta(days=1)
    session = make_session(on=yesterday)
    enroll(teacher(email="dominique@ac-lyon.fr"), session)
    db.session.commit()
    celery = app.extensions["celery"]
    assert SEND_QUESTIONNAIRES in {e["task"] for e in celery.conf.beat_schedule.values()}

    assert celery.tasks[SEND_QUESTIONNAIRES].apply().get()["satisfaction"] == 1
    assert celery.tasks[SEND_QUESTIONNAIRES].apply().get()["satisfaction"] == 0
    assert [m["To"] for m in outbox] == ["dominique@ac-lyon.fr"]


def test_the_link_opens_a_french_questionnaire_that_records_the_rating_once(client):
    session = make_session(on=DAY, title="Découvrir la classe inversée")
    enrollment = enroll(teacher(), session)
    db.session.commit()
    _send()
    [mail] = _mails()
    assert "Votre avis sur la formation" in mail.subject
    path = _link(mail)

    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Questionnaire de satisfaction" in text and "Découvrir la classe inversée" in text
    assert "no-store" in page.headers["Cache-Control"]

    refused = client.post(path, data={"rating": "9", "comment": "x"})
    assert refused.status_code == 422
    assert "Donnez une note de 1 à 5." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0

    answered = client.post(path, data={"rating": "5", "comment": "  Très utile.  "})
    assert answered.status_code == 303
    db.session.expire_all()
    [feedback] = db.session.scalars(select(Feedback)).all()
    assert (feedback.enrollment_id, feedback.rating, feedback.comment) == (
        enrollment.id,
        5,
        "Très utile.",
    )
    again = client.post(path, data={"rating": "1"})
    assert "Merci pour votre réponse" in again.get_data(as_text=True)
    db.session.expire_all()
    assert [f.rating for f in db.session.scalars(select(Feedback))] == [5]


def test_only_the_teacher_concerned_reaches_the_questionnaire(client, login_as):
    session = make_session(on=DAY)
    owner, profile = teacher_user()
    enroll(profile, session)
    db.session.commit()
    _send()
    path = _link(_mails()[0])
    token = path.rsplit("/", 1)[1]

    assert client.get(path[:-3] + "abc").status_code == 404  # altered signature
    assert client.get(f"/questionnaires/follow_up/{token}").status_code == 404  # other kind
    assert client.get(f"/questionnaires/unknown/{token}").status_code == 404

    other, _ = teacher_user()
    login_as(other)
    assert client.get(path).status_code == 404
    assert client.post(path, data={"rating": "5"}).status_code == 404
    client.post("/deconnexion")
    login_as(owner)
    assert client.get(path).status_code == 200


def test_questionnaire_answers_count_in_the_satisfaction_rate(client):
    """4 and 5 are satisfied; 3 is not: two out of three."""
    session = make_session(on=DAY)
    for _ in range(3):
        enroll(teacher(), session)
    db.session.commit()
    _send()
    for mail, rating in zip(_mails(), ("3", "4", "5"), strict=True):
        assert client.post(_link(mail), data={"rating": rating}).status_code == 303
    value = indicators.compute_one(
        "satisfaction_rate", Period(DAY, DAY), use_kept=False, today=DAY
    ).value
    assert value == pytest.approx(66.7)


# --- The follow-up questionnaire (reinvestment) ----------------------------------------------


def _send_follow_ups(now, weeks=None) -> int:
    sent = questionnaires.send_follow_up_questionnaires(now, weeks)
    db.session.commit()
    return sent


def test_the_follow_up_leaves_once_the_weeks_of_the_setting_after_the_session():
    session = make_session(on=DAY, title="Écrire avec le numérique")
    enroll(teacher(email="present@ac-paris.fr"), session, completed=False)
    enroll(teacher(email="absent@ac-paris.fr"), session, attended=False, completed=False)
    db.session.commit()
    six_weeks = at(DAY, 12) + timedelta(weeks=6)
    assert questionnaires.follow_up_weeks() == 6  # the default, before any setting

    assert _send_follow_ups(six_weeks - timedelta(hours=1)) == 0
    assert _send_follow_ups(six_weeks + timedelta(hours=1)) == 1
    assert _send_follow_ups(six_weeks + timedelta(days=1)) == 0
    [mail] = _mails("questionnaire_follow_up")
    assert mail.recipient == "present@ac-paris.fr"
    assert "Écrire avec le numérique" in mail.subject and "en classe" in mail.subject
    assert "Il y a 6 semaines" in mail.body


def test_the_follow_up_delay_follows_the_managers_setting():
    from accelerator.reporting import operations as reporting

    session = make_session(on=DAY)
    enroll(teacher(), session)
    manager = make_user(Role.manager)
    reporting.set_follow_up_delay(manager, 8)
    db.session.commit()
    assert questionnaires.follow_up_weeks() == 8
    assert _send_follow_ups(at(DAY, 13) + timedelta(weeks=6)) == 0
    assert _send_follow_ups(at(DAY, 13) + timedelta(weeks=8)) == 1


def test_a_cancelled_session_gets_no_follow_up_and_a_rollback_sends_nothing(outbox):
    cancelled = make_session(on=DAY, status=SessionStatus.cancelled)
    enroll(teacher(), cancelled)
    held = make_session(on=DAY)
    enroll(teacher(email="eden@ac-nice.fr"), held)
    db.session.commit()
    later = at(DAY, 13) + timedelta(weeks=6)
    assert questionnaires.send_follow_up_questionnaires(later) == 1
    db.session.rollback()
    assert _mails("questionnaire_follow_up") == [] and outbox == []
    assert _send_follow_ups(later) == 1
    assert _send_follow_ups(later) == 0
    assert [m["To"] for m in outbox] == ["eden@ac-nice.fr"]


def test_the_follow_up_page_records_yes_or_no_once(client, login_as):
    session = make_session(on=DAY)
    owner, profile = teacher_user()
    enrollment = enroll(profile, session)
    db.session.commit()
    _send_follow_ups(at(DAY, 13) + timedelta(weeks=6))
    path = _link(_mails("questionnaire_follow_up")[0])
    name = session.solutions[0].name

    page = client.get(path).get_data(as_text=True)
    assert "Questionnaire de suivi" in page
    assert f"Avez-vous utilisé {name} en classe depuis la formation ?" in page
    for data in ({}, {"used_in_class": "peut-être"}):
        refused = client.post(path, data=data)
        assert refused.status_code == 422
        assert "Répondez oui ou non." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FollowUpAnswer)) == 0

    other, _ = teacher_user()
    login_as(other)
    assert client.post(path, data={"used_in_class": "yes"}).status_code == 404
    client.post("/deconnexion")

    assert client.post(path, data={"used_in_class": "yes"}).status_code == 303
    assert client.post(path, data={"used_in_class": "no"}).status_code == 200
    db.session.expire_all()
    [answer] = db.session.scalars(select(FollowUpAnswer)).all()
    assert (answer.enrollment_id, answer.used_in_class) == (enrollment.id, True)
    assert "Utilisée en classe depuis la formation : oui" in client.get(path).get_data(as_text=True)


# --- The enrolment's question, for teachers nobody asked at enrolment ------------------------


def test_a_teacher_enrolled_by_somebody_else_is_asked_at_the_first_questionnaire(client):
    """A trainer, a manager or an import enrolled them: the satisfaction questionnaire asks
    "before this training, were you already using it in class?", and the answer joins the
    follow-up's in the reinvestment indicator."""
    session = make_session(on=DAY)
    enrollment = enroll(teacher(), session)  # no answer at enrolment
    db.session.commit()
    _send()
    path = _link(_mails()[0])
    name = session.solutions[0].name
    page = client.get(path).get_data(as_text=True)
    assert f"Avant cette formation, utilisiez-vous déjà {name} en classe ?" in page

    refused = client.post(path, data={"rating": "4", "already_used": "peut-être"})
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(type(enrollment), enrollment.id).already_uses_in_class is None

    assert client.post(path, data={"rating": "4", "already_used": "no"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(type(enrollment), enrollment.id).already_uses_in_class is False

    _send_follow_ups(at(DAY, 13) + timedelta(weeks=6))
    follow_up = _link(_mails("questionnaire_follow_up")[0])
    # answered already: the follow-up does not ask it again
    assert "Avant cette formation" not in client.get(follow_up).get_data(as_text=True)
    assert client.post(follow_up, data={"used_in_class": "yes"}).status_code == 303
    value = indicators.compute_one(
        "reinvestment_points", Period(DAY, DAY), use_kept=False, today=DAY
    ).value
    assert value == 100  # 0 % before, 100 % after


def test_the_question_is_optional_and_never_replaces_the_enrolments_answer(client):
    session = make_session(on=DAY)
    silent = enroll(teacher(), session)
    answered = enroll(teacher(), session)
    answered.already_uses_in_class = True
    db.session.commit()
    _send()
    links = {mail.recipient: _link(mail) for mail in _mails()}
    silent_path = links[silent.teacher.email]
    answered_path = links[answered.teacher.email]
    assert "Avant cette formation" not in client.get(answered_path).get_data(as_text=True)
    # a forged answer on a form that does not ask changes nothing
    assert client.post(answered_path, data={"rating": "5", "already_used": "no"}).status_code == 303
    # left unanswered: the rating is recorded, the question stays open for the follow-up
    assert client.post(silent_path, data={"rating": "5"}).status_code == 303
    db.session.expire_all()
    model = type(silent)
    assert db.session.get(model, answered.id).already_uses_in_class is True
    assert db.session.get(model, silent.id).already_uses_in_class is None
    _send_follow_ups(at(DAY, 13) + timedelta(weeks=6))
    follow_ups = {m.recipient: _link(m) for m in _mails("questionnaire_follow_up")}
    page = client.get(follow_ups[silent.teacher.email]).get_data(as_text=True)
    assert "Avant cette formation" in page
    data = {"used_in_class": "yes", "already_used": "yes"}
    assert client.post(follow_ups[silent.teacher.email], data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(model, silent.id).already_uses_in_class is True
