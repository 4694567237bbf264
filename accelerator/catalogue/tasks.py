"""Catalogue's scheduled duty (Celery beat): approvals that lapsed overnight leave the public
catalogue the same day (the attestations' status reads the approvals at each request)."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from accelerator.catalogue.operations import rebuild_catalogue
from accelerator.core.jobs import schedule_task
from accelerator.extensions import db

REBUILD = "accelerator.catalogue.rebuild"


@shared_task(name=REBUILD, acks_late=True)
def rebuild() -> int:
    """Rebuild the search index from the approvals in force today (idempotent)."""
    count = rebuild_catalogue()
    db.session.commit()
    return count


schedule_task("catalogue-lapsed-approvals", REBUILD, crontab(hour=0, minute=5))
