"""Outgoing email as a transactional outbox.

Operations never send mail: they *queue* it (``queue_mail``), which renders the message and
adds an ``OutgoingMail`` row to the current database transaction. The row is committed with
the change it announces, or vanishes with it on rollback, so nobody is told of a change that
did not happen. Once the transaction commits, each row it wrote is handed to the Celery worker
(``core/tasks.py``: ``deliver_mail``), which sends it and marks it sent, or failed with the
error and a time to try again (``MAIL_RETRY_SECONDS``, doubled at each attempt, up to
``MAIL_MAX_ATTEMPTS``). Beat's ``retry_mail`` sends again the rows that are due, the rows
whose message was lost (still pending after ``JOB_STALE_MINUTES``) and those of a process
that died while sending; each row is claimed before it is sent, so it leaves once (or, for a
process killed in the middle of SMTP, at least once). Admins see the failed rows and resend
them (``resend_mail``, page ``/admin/courriels``).

The transport is chosen with ``MAIL_BACKEND`` (smtp | console | memory); the memory backend
keeps the messages in ``app.extensions["mail_outbox"]`` (tests).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app, has_app_context, render_template
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Select, String, Text, event, select, update
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
    #: when the last attempt started (a row "sending" for long belongs to a process that died)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when a failed row is tried again (backoff); None once it has failed for good
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @property
    def given_up(self) -> bool:
        """Failed after every attempt: only an admin's "resend" tries it again."""
        return self.status == MailStatus.failed and self.next_attempt_at is None


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
        .values(
            status=MailStatus.sending,
            attempts=OutgoingMail.attempts + 1,
            attempted_at=utcnow(),
            next_attempt_at=None,
        )
    )
    return result.rowcount == 1


def retry_delay(attempts: int) -> timedelta | None:
    """When to try again after ``attempts`` failed attempts: MAIL_RETRY_SECONDS, doubled at
    each attempt; None once MAIL_MAX_ATTEMPTS were made (the row waits for an admin)."""
    config = current_app.config
    if attempts >= config["MAIL_MAX_ATTEMPTS"]:
        return None
    return timedelta(seconds=config["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0))


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
            select(
                OutgoingMail.recipient,
                OutgoingMail.subject,
                OutgoingMail.body,
                OutgoingMail.attempts,
            ).where(OutgoingMail.id == mail_id)
        ).one()
    error: str | None = None
    try:
        _transport(_message(row.recipient, row.subject, row.body))
    except (OSError, smtplib.SMTPException) as exc:
        # Mail is a notification, never the record: keep the row for another attempt.
        log.exception("Could not send email %r to %s", row.subject, row.recipient)
        error = f"{type(exc).__name__}: {exc}"
    delay = retry_delay(row.attempts) if error else None
    with db.engine.begin() as connection:
        connection.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == mail_id)
            .values(
                status=MailStatus.failed if error else MailStatus.sent,
                last_error=error,
                sent_at=None if error else utcnow(),
                next_attempt_at=utcnow() + delay if delay is not None else None,
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
            send_to_worker(ids)
        except Exception:
            # The change is committed; the rows wait for beat's next round (retry_mail).
            log.exception("Could not hand queued mail %s to the worker", sorted(ids))


def send_to_worker(ids: Iterable[int]) -> None:
    """One delivery task per row: the worker sends it (at once when tasks are eager)."""
    task = current_app.extensions["celery"].tasks[DELIVER_TASK]
    for mail_id in sorted(set(ids)):
        task.apply_async(args=[mail_id])


def resend_mail(actor, mail_id: int) -> OutgoingMail:
    """An admin sends a failed mail again: it waits for the worker once the request commits."""
    from accelerator.core.errors import Conflict, Forbidden, NotFound

    if actor is None or not actor.is_authenticated or actor.role != "admin":
        raise Forbidden(gettext("Only administrators resend mail."))
    mail = db.session.get(OutgoingMail, mail_id, with_for_update=True)
    if mail is None:
        raise NotFound(gettext("This mail does not exist."))
    if mail.status != MailStatus.failed:
        raise Conflict(gettext("This mail is not a failed one: it is not sent again."))
    mail.status = MailStatus.pending
    mail.next_attempt_at = None
    mail.last_error = None
    db.session.flush()
    db.session.info.setdefault(_QUEUED, set()).add(mail.id)
    return mail


def failed_mail() -> Select:
    """The failed rows, the ones given up first, newest first."""
    return (
        select(OutgoingMail)
        .where(OutgoingMail.status == MailStatus.failed)
        .order_by(OutgoingMail.next_attempt_at.is_not(None), OutgoingMail.id.desc())
    )


#: the worker's task that delivers one row (core/tasks.py)
DELIVER_TASK = "accelerator.deliver_mail"


@event.listens_for(Session, "after_soft_rollback")
def _forget_queued(session: Session, previous_transaction) -> None:
    # A savepoint's rollback keeps the outer transaction's rows (those it removed are
    # skipped at delivery: they no longer exist).
    if previous_transaction.parent is None:
        session.info.pop(_QUEUED, None)
