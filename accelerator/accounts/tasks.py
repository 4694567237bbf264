"""Accounts' scheduled duties (Celery beat): expired and revoked API tokens are deleted;
self-registered accounts left unverified for 7 days are purged."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from celery.schedules import crontab
from sqlalchemy import delete, or_

from accelerator.accounts.models import ApiToken
from accelerator.accounts.operations import purge_unverified_accounts
from accelerator.core.db import utcnow
from accelerator.core.jobs import schedule_task
from accelerator.extensions import db

PURGE_TOKENS = "accelerator.accounts.purge_tokens"
PURGE_UNVERIFIED = "accelerator.accounts.purge_unverified"


@shared_task(name=PURGE_TOKENS, acks_late=True)
def purge_tokens() -> int:
    """Delete the tokens that expired or were revoked more than a day ago (they no longer
    authenticate anyone); returns how many."""
    before = utcnow() - timedelta(days=1)
    deleted = db.session.execute(
        delete(ApiToken).where(or_(ApiToken.expires_at < before, ApiToken.revoked_at < before))
    ).rowcount
    db.session.commit()
    return deleted


schedule_task("accounts-purge-tokens", PURGE_TOKENS, crontab(hour=3, minute=30))


@shared_task(name=PURGE_UNVERIFIED, acks_late=True)
def purge_unverified() -> int:
    """Delete the accounts never verified within their 7 days (idempotent); how many."""
    deleted = purge_unverified_accounts()
    db.session.commit()
    return deleted


schedule_task("accounts-purge-unverified", PURGE_UNVERIFIED, crontab(hour=3, minute=45))
