"""Reporting's background work: the refresh of the kept figures.

``refresh_kept_figures`` is a plain function of the application context, so the job queue
(Celery beat, every few minutes: ``REPORTING_REFRESH_MINUTES``) and ``flask reporting
refresh`` call the same thing. Between refreshes ``tracking`` keeps the figures up to date
incrementally; the refresh also catches what bulk statements changed without telling.
"""

from __future__ import annotations

from celery import shared_task

from accelerator.core.jobs import schedule_task
from accelerator.extensions import db

#: How often the job queue rebuilds the kept figures.
REFRESH_MINUTES = 15
REFRESH = "accelerator.reporting.refresh_kept_figures"


def refresh_kept_figures() -> dict:
    """Rebuild the kept figures and commit; answers when and how long it took."""
    from accelerator.reporting.operations import refresh_kept_figures as refresh

    state = refresh()
    db.session.commit()
    return {"refreshed_at": state.refreshed_at.isoformat(), "seconds": state.seconds}


@shared_task(name=REFRESH, acks_late=True)
def refresh_kept_figures_task() -> dict:
    return refresh_kept_figures()


schedule_task("reporting-kept-figures", REFRESH, REFRESH_MINUTES * 60.0)
