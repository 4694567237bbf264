"""Reporting's background work: the refresh of the kept figures.

``refresh_kept_figures`` is a plain function of the application context, so the job queue
(Celery beat, every few minutes: ``REPORTING_REFRESH_MINUTES``) and ``flask reporting
refresh`` call the same thing. Between refreshes ``tracking`` keeps the figures up to date
incrementally; the refresh also catches what bulk statements changed without telling.
"""

from __future__ import annotations

from accelerator.extensions import db

#: How often the job queue should rebuild the kept figures.
REFRESH_MINUTES = 15


def refresh_kept_figures() -> dict:
    """Rebuild the kept figures and commit; answers when and how long it took."""
    from accelerator.reporting.operations import refresh_kept_figures as refresh

    state = refresh()
    db.session.commit()
    return {"refreshed_at": state.refreshed_at.isoformat(), "seconds": state.seconds}
