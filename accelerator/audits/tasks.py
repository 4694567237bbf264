"""Audits' scheduled duties (Celery beat): expiry reminders, 60 days before an approval ends;
the follow-up of conditions (a reminder when overdue, then a proposal to suspend)."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab
from flask_babel import force_locale

from accelerator.audits import operations
from accelerator.core.jobs import schedule_task
from accelerator.extensions import db

REMIND = "accelerator.audits.send_expiry_reminders"
CONDITIONS = "accelerator.audits.follow_up_conditions"


@shared_task(name=REMIND, acks_late=True)
def send_expiry_reminders(days: int = 60) -> int:
    """Email the companies whose approval expires within ``days`` days (each audit once, so
    running it twice the same day sends nothing more); returns how many were reminded."""
    with force_locale("fr"):  # no reader: messages and emails are French
        reminded = operations.send_expiry_reminders(None, days)
        db.session.commit()
    return len(reminded)


schedule_task("audits-expiry-reminders", REMIND, crontab(hour=7, minute=0))


@shared_task(name=CONDITIONS, acks_late=True)
def follow_up_conditions() -> dict:
    """Remind companies of overdue conditions, then propose a suspension to managers (each
    step once per condition, so a second run the same day does nothing more)."""
    with force_locale("fr"):
        done = operations.follow_up_conditions()
        db.session.commit()
    return {"reminded": done.reminded, "proposed": done.proposed}


schedule_task("audits-conditions-follow-up", CONDITIONS, crontab(hour=7, minute=15))
