"""Core's background work: the outbox's delivery (``core.mail``) and beat's safety net for it.

Jobs have theirs in ``core.jobs`` (``run_job``, ``redispatch_stale_jobs``).
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy import and_, or_, select, update

from accelerator.core.db import utcnow
from accelerator.core.jobs import schedule_task
from accelerator.core.mail import (
    DELIVER_TASK,
    MailStatus,
    OutgoingMail,
    deliver,
    send_to_worker,
)
from accelerator.extensions import db

RETRY_MAIL = "accelerator.retry_mail"


@shared_task(name=DELIVER_TASK, acks_late=True, reject_on_worker_lost=True)
def deliver_mail(mail_id: int) -> bool:
    """Send one outbox row (idempotent: a row sent, or being sent elsewhere, is left alone);
    a failure records its error and when to try again."""
    return deliver(mail_id)


@shared_task(name=RETRY_MAIL, acks_late=True)
def retry_mail() -> int:
    """Hand to the worker the rows that need it: failed ones whose backoff is over, pending
    ones whose message was lost, and those left "sending" by a process that died. Returns
    how many were sent to the worker."""
    now = utcnow()
    stale = now - timedelta(minutes=current_app.config["JOB_STALE_MINUTES"])
    # A process that died during SMTP: the row may be tried again (at least once).
    db.session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.status == MailStatus.sending, OutgoingMail.attempted_at < stale)
        .values(status=MailStatus.failed, next_attempt_at=now, last_error="interrupted")
    )
    db.session.commit()
    ids = db.session.scalars(
        select(OutgoingMail.id).where(
            or_(
                and_(
                    OutgoingMail.status == MailStatus.failed,
                    OutgoingMail.next_attempt_at <= now,
                ),
                and_(OutgoingMail.status == MailStatus.pending, OutgoingMail.created_at < stale),
            )
        )
    ).all()
    db.session.rollback()
    send_to_worker(ids)
    return len(ids)


schedule_task("mail-retry", RETRY_MAIL, 60.0)
