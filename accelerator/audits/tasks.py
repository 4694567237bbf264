"""Audits' scheduled duties (Celery beat): expiry reminders, 60 days before an approval ends."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab
from flask_babel import force_locale

from accelerator.audits import operations
from accelerator.core.jobs import schedule_task
from accelerator.extensions import db

REMIND = "accelerator.audits.send_expiry_reminders"


@shared_task(name=REMIND, acks_late=True)
def send_expiry_reminders(days: int = 60) -> int:
    """Email the companies whose approval expires within ``days`` days (each audit once, so
    running it twice the same day sends nothing more); returns how many were reminded."""
    with force_locale("fr"):  # no reader: messages and emails are French
        reminded = operations.send_expiry_reminders(None, days)
        db.session.commit()
    return len(reminded)


schedule_task("audits-expiry-reminders", REMIND, crontab(hour=7, minute=0))
