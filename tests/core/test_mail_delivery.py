"""The worker delivers the outbox: a failed mail is tried again later and later (backoff),
then given up and shown to admins, who resend it; beat sends the rows whose message was lost
or whose process died while sending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from accelerator.accounts.models import Role
from accelerator.core.db import utcnow
from accelerator.core.mail import MailStatus, OutgoingMail, queue_mail
from accelerator.extensions import db
from tests.factories import make_user


def retry_mail(app) -> int:
    return app.extensions["celery"].tasks["accelerator.retry_mail"].apply().get()


def row() -> OutgoingMail:
    db.session.expire_all()
    return db.session.scalars(select(OutgoingMail)).one()


def time_passes() -> None:
    """The backoff is over (as if its delay had passed)."""
    db.session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.next_attempt_at.is_not(None))
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


@pytest.fixture
def smtp_down(app, monkeypatch):
    """A mail server that refuses connections (nothing listens on port 1)."""
    for key, value in {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,
        "MAIL_MAX_ATTEMPTS": 3,
        "MAIL_RETRY_SECONDS": 60,
    }.items():
        monkeypatch.setitem(app.config, key, value)


def test_a_failed_mail_is_retried_later_and_later_then_given_up_and_resent(
    app, client, login_as, outbox, smtp_down, monkeypatch
):
    queue_mail(
        "a@exemple.fr", "Objet", "password_reset", user=None, url="http://x", max_age_minutes=5
    )
    db.session.commit()  # the worker's first attempt fails
    first = row()
    assert (first.status, first.attempts) == (MailStatus.failed, 1)
    assert "ConnectionRefusedError" in first.last_error
    assert timedelta(seconds=55) < first.next_attempt_at - utcnow() <= timedelta(seconds=60)
    assert retry_mail(app) == 0  # not due yet

    time_passes()
    assert retry_mail(app) == 1
    second = row()
    assert second.attempts == 2  # waits twice as long now
    assert timedelta(seconds=115) < second.next_attempt_at - utcnow() <= timedelta(seconds=120)

    time_passes()
    assert retry_mail(app) == 1
    assert (row().attempts, row().given_up) == (3, True)  # MAIL_MAX_ATTEMPTS: given up
    assert retry_mail(app) == 0 and outbox == []

    # Admins see it; once the mail server is back, they resend it.
    login_as(make_user(Role.admin))
    page = client.get("/admin/courriels").get_data(as_text=True)
    assert "a@exemple.fr" in page and "ConnectionRefusedError" in page
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "memory")
    response = client.post(f"/admin/courriels/{row().id}/renvoyer")
    assert response.status_code == 302
    assert [m["To"] for m in outbox] == ["a@exemple.fr"]
    assert (row().status, row().attempts) == (MailStatus.sent, 4)
    listing = client.get("/admin/courriels").get_data(as_text=True)
    assert "<td>a@exemple.fr</td>" not in listing and "renvoyé" in listing  # the flash
    # A mail already sent is not sent again.
    assert client.post(f"/admin/courriels/{row().id}/renvoyer").status_code == 302
    assert len(outbox) == 1


@pytest.mark.parametrize("role", [Role.manager, Role.trainer, Role.teacher])
def test_only_admins_see_and_resend_failed_mail(client, login_as, role):
    login_as(make_user(role))
    assert client.get("/admin/courriels").status_code == 403
    assert client.post("/admin/courriels/1/renvoyer").status_code == 403


def test_beat_sends_the_mail_whose_message_was_lost_or_whose_sender_died(app, outbox):
    long_ago = utcnow() - timedelta(hours=1)
    values = {"subject": "Objet", "body": "Bonjour", "template": "t", "attempts": 0}
    values |= {"attempted_at": None}  # every row names the same columns (one executemany)
    with db.engine.begin() as connection:  # written as by a process that died at once
        connection.execute(
            insert(OutgoingMail),
            [
                {
                    **values,
                    "recipient": "lost@exemple.fr",
                    "status": MailStatus.pending,
                    "created_at": long_ago,
                },
                {
                    **values,
                    "recipient": "dying@exemple.fr",
                    "status": MailStatus.sending,
                    "created_at": long_ago,
                    "attempted_at": long_ago,
                    "attempts": 1,
                },
                {
                    **values,
                    "recipient": "fresh@exemple.fr",
                    "status": MailStatus.pending,
                    "created_at": utcnow(),
                },  # its message is still on its way: left alone
            ],
        )
    assert retry_mail(app) == 2
    assert sorted(m["To"] for m in outbox) == ["dying@exemple.fr", "lost@exemple.fr"]
    db.session.expire_all()
    statuses = dict(db.session.execute(select(OutgoingMail.recipient, OutgoingMail.status)).all())
    assert statuses == {
        "lost@exemple.fr": MailStatus.sent,
        "dying@exemple.fr": MailStatus.sent,
        "fresh@exemple.fr": MailStatus.pending,
    }
