"""Site checks' background work: each run is a job (``core.jobs``); beat re-checks the
approved solutions every night (continuous monitoring)."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab
from flask_babel import lazy_gettext as _l

from accelerator.checks import operations
from accelerator.core.jobs import Job, job_handler, schedule_task
from accelerator.extensions import db

MONITOR = "accelerator.checks.monitor_approved_solutions"


@job_handler(operations.KIND, _l("Automated check of the solution's site"))
def site_check(job: Job) -> dict:
    """Run every check on the solution's addresses; the result names the recorded run."""
    return operations.run_site_check(job)


@shared_task(name=MONITOR, acks_late=True)
def monitor_approved_solutions() -> int:
    """Queue a run for each approved solution with addresses; returns how many."""
    jobs = operations.monitor_approved_solutions()
    db.session.commit()  # the jobs' messages leave once their rows are committed
    return len(jobs)


schedule_task("checks-monitoring", MONITOR, crontab(hour=4, minute=30))
