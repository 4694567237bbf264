"""The outbox: mail is a row of the transaction it announces, delivered once it commits."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import func, select

from accelerator.core.mail import MailStatus, OutgoingMail, deliver, deliver_pending, queue_mail
from accelerator.extensions import db


def _rows() -> list[OutgoingMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def _queue(to="a@exemple.fr"):
    return queue_mail(
        to, "Mot de passe", "password_reset", user=None, url="http://x/r", max_age_minutes=60
    )


def test_a_rolled_back_transaction_takes_its_mail_with_it(outbox):
    _queue()
    db.session.flush()  # the row was written, inside the transaction
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 1
    db.session.rollback()
    assert _rows() == [] and outbox == []


def test_a_committed_transaction_delivers_its_mail_once(outbox):
    _queue(["b@exemple.fr", "a@exemple.fr", "a@exemple.fr"])
    db.session.commit()
    # one message per recipient, nobody sees the others' address
    assert sorted(m["To"] for m in outbox) == ["a@exemple.fr", "b@exemple.fr"]
    assert [(r.status, r.attempts) for r in _rows()] == [(MailStatus.sent, 1)] * 2
    # Delivering again (a retry task, another worker) sends nothing twice.
    assert deliver_pending([r.id for r in _rows()]) == 0
    assert deliver_pending() == 0
    assert len(outbox) == 2


def test_the_body_is_rendered_when_queued(outbox):
    (row,) = _queue()
    assert "http://x/r" in row.body and row.subject == "Mot de passe"
    db.session.commit()
    assert "http://x/r" in outbox[0].get_content()


def test_a_savepoint_rolled_back_keeps_the_outer_transactions_mail(outbox):
    _queue("kept@exemple.fr")
    db.session.flush()
    with pytest.raises(RuntimeError), db.session.begin_nested():
        _queue("dropped@exemple.fr")
        db.session.flush()
        raise RuntimeError
    db.session.commit()
    assert [m["To"] for m in outbox] == ["kept@exemple.fr"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failed_delivery_is_recorded_and_retried(app, outbox):
    """An unreachable SMTP server leaves the change committed and the mail waiting, with the
    number of attempts and the last error; a later delivery sends it."""
    saved = {key: app.config[key] for key in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())
    try:
        _queue()
        db.session.commit()
        (row,) = _rows()
        assert (row.status, row.attempts) == (MailStatus.failed, 1)
        assert row.last_error and row.sent_at is None
    finally:
        app.config.update(saved)
    assert deliver(row.id) is True
    (row,) = _rows()
    assert (row.status, row.attempts, row.last_error) == (MailStatus.sent, 2, None)
    assert [m["To"] for m in outbox] == ["a@exemple.fr"]
