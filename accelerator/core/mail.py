"""Outgoing email as a transactional outbox.

Operations never send mail: they *queue* it (``queue_mail``), which renders the message and
adds an ``OutgoingMail`` row to the current database transaction. The row is committed with
the change it announces, or vanishes with it on rollback, so nobody is told of a change that
did not happen. Once the transaction commits, the rows it wrote are delivered
(``deliver_pending``): today in the same process right after the commit; a worker may call
``deliver_pending`` / ``deliver`` as well (they claim each row first, so a row leaves once).

The transport is chosen with ``MAIL_BACKEND`` (smtp | console | memory); the memory backend
keeps the messages in ``app.extensions["mail_outbox"]`` (tests).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage

from flask import current_app, has_app_context, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, Text, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from accelerator.core.db import UTCDateTime, enum_column, utcnow
from accelerator.core.enums import TitledEnum
from accelerator.extensions import db

log = logging.getLogger(__name__)

#: session.info key: ids of the outbox rows written by the current transaction
_QUEUED = "outbox_ids"


class MailStatus(TitledEnum):
    pending = "pending", _l("Waiting to be sent")
    sending = "sending", _l("Being sent")
    sent = "sent", _l("Sent")
    failed = "failed", _l("Failed")


class OutgoingMail(db.Model):
    """One email to one recipient, written in the transaction of the change it announces."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the one recipient (one row per recipient: nobody sees the others' addresses)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    #: the text body, rendered when queued (the data it names may change afterwards)
    body: Mapped[str] = mapped_column(Text)
    #: the template it came from, for the log and for tests
    template: Mapped[str] = mapped_column(String(100))
    status: Mapped[MailStatus] = mapped_column(
        enum_column(MailStatus, "mail_status", length=10), default=MailStatus.pending, index=True
    )
    #: delivery attempts made so far
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _message(recipient: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    return message


def outbox() -> list[EmailMessage]:
    """Messages delivered by the memory backend."""
    return current_app.extensions.setdefault("mail_outbox", [])


def queue_mail(
    to: str | Iterable[str], subject, template: str, locale: str | None = None, **context
) -> list[OutgoingMail]:
    """Render ``templates/emails/<template>.txt`` and queue it for each of ``to``.

    ``subject`` may be a lazy string; both are rendered now, in ``locale`` when given (else
    the reader's language). Nothing leaves before the transaction commits.
    """
    recipients = sorted({to} if isinstance(to, str) else set(to))
    if not recipients:
        return []
    if locale is not None:
        with force_locale(locale):
            text, body = str(subject), render_template(f"emails/{template}.txt", **context)
    else:
        text, body = str(subject), render_template(f"emails/{template}.txt", **context)
    rows = [
        OutgoingMail(recipient=address, subject=text[:300], body=body, template=template)
        for address in recipients
    ]
    db.session.add_all(rows)
    return rows


def _claim(connection, mail_id: int) -> bool:
    """Mark a row as being sent unless another process already took it or it left."""
    result = connection.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.status.in_([MailStatus.pending, MailStatus.failed]),
        )
        .values(status=MailStatus.sending, attempts=OutgoingMail.attempts + 1)
    )
    return result.rowcount == 1


def deliver(mail_id: int) -> bool:
    """Send one queued row and record the outcome (sent, or failed with the error).

    Runs on its own connection, outside any request's transaction, so a task or the
    after-commit hook may call it. Answers whether the mail left; a row already sent or
    taken by another process is left alone (False).
    """
    with db.engine.begin() as connection:
        if not _claim(connection, mail_id):
            return False
        row = connection.execute(
            select(OutgoingMail.recipient, OutgoingMail.subject, OutgoingMail.body).where(
                OutgoingMail.id == mail_id
            )
        ).one()
    error: str | None = None
    try:
        _transport(_message(row.recipient, row.subject, row.body))
    except (OSError, smtplib.SMTPException) as exc:
        # Mail is a notification, never the record: keep the row for another attempt.
        log.exception("Could not send email %r to %s", row.subject, row.recipient)
        error = f"{type(exc).__name__}: {exc}"
    with db.engine.begin() as connection:
        connection.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == mail_id)
            .values(
                status=MailStatus.failed if error else MailStatus.sent,
                last_error=error,
                sent_at=None if error else utcnow(),
            )
        )
    return error is None


def deliver_pending(ids: Iterable[int] | None = None) -> int:
    """Deliver the given rows (default: every row waiting or failed); answers how many left."""
    if ids is None:
        with db.engine.connect() as connection:
            ids = connection.scalars(
                select(OutgoingMail.id)
                .where(OutgoingMail.status.in_([MailStatus.pending, MailStatus.failed]))
                .order_by(OutgoingMail.id)
            ).all()
    return sum(1 for mail_id in sorted(set(ids)) if deliver(mail_id))


def _transport(message: EmailMessage) -> None:
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(message)
    elif backend == "console":
        log.info(
            "Email (console backend, not sent)\nTo: %s\nSubject: %s\n\n%s",
            message["To"],
            message["Subject"],
            message.get_content(),
        )
    else:
        _send_smtp(message)


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


# The session remembers the rows each transaction wrote; they leave once it commits and are
# forgotten when it rolls back. Ids are read after each flush, while the rows are fresh.


@event.listens_for(Session, "after_flush")
def _remember_queued(session: Session, flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, OutgoingMail)]
    if ids:
        session.info.setdefault(_QUEUED, set()).update(ids)


@event.listens_for(Session, "after_commit")
def _deliver_committed(session: Session) -> None:
    ids = session.info.pop(_QUEUED, None)
    if ids and has_app_context():
        try:
            deliver_pending(ids)
        except Exception:
            # The change is committed; a failing delivery leaves the rows for a retry.
            log.exception("Could not deliver queued mail %s", sorted(ids))


@event.listens_for(Session, "after_soft_rollback")
def _forget_queued(session: Session, previous_transaction) -> None:
    # A savepoint's rollback keeps the outer transaction's rows (those it removed are
    # skipped at delivery: they no longer exist).
    if previous_transaction.parent is None:
        session.info.pop(_QUEUED, None)
