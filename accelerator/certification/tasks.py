"""Certification's scheduled duty (Celery beat): the questionnaires emailed after a session
(``questionnaires``), each enrolment once, so a second run sends nothing more."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from accelerator.certification import questionnaires
from accelerator.core.jobs import schedule_task
from accelerator.extensions import db

SEND_QUESTIONNAIRES = "accelerator.certification.send_questionnaires"


def send_questionnaires() -> dict:
    """Queue the questionnaires due now and commit (the outbox sends them after the commit);
    answers how many of each kind were sent."""
    sent = {
        "satisfaction": questionnaires.send_satisfaction_questionnaires(),
        "follow_up": questionnaires.send_follow_up_questionnaires(),
    }
    db.session.commit()
    return sent


@shared_task(name=SEND_QUESTIONNAIRES, acks_late=True)
def send_questionnaires_task() -> dict:
    return send_questionnaires()


# Every hour: a session's questionnaire leaves within the hour after it ends.
schedule_task("certification-questionnaires", SEND_QUESTIONNAIRES, crontab(minute=20))
