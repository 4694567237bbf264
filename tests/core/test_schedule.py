"""Beat's schedule: every entry names a task the worker knows, and the duties it runs do
what they say (run through the worker's task objects, in the suite's app)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import ApiToken, Role
from accelerator.core.db import utcnow
from accelerator.extensions import db
from tests.audits.factories import make_approved_audit
from tests.factories import make_user


def run(app, name: str, *args):
    """Run a task as the worker would (eagerly, in a fresh app context)."""
    return app.extensions["celery"].tasks[name].apply(args=args).get()


@pytest.mark.parametrize(
    "duty",
    [
        "accelerator.redispatch_stale_jobs",  # jobs whose message was lost
        "accelerator.audits.send_expiry_reminders",  # 60 days before an approval ends
        "accelerator.catalogue.rebuild",  # lapsed approvals leave the catalogue
        "accelerator.accounts.purge_tokens",  # expired API tokens
        "accelerator.accounts.purge_unverified",  # accounts unverified after 7 days
        "accelerator.audits.follow_up_conditions",  # overdue conditions of approvals
        "accelerator.reporting.refresh_kept_figures",  # the indicators' kept figures
        "accelerator.certification.send_questionnaires",  # questionnaires after a session
    ],
)
def test_beat_runs_each_duty_with_a_task_the_worker_knows(app, duty):
    celery = app.extensions["celery"]
    scheduled = {entry["task"] for entry in celery.conf.beat_schedule.values()}
    assert duty in scheduled
    assert scheduled <= set(celery.tasks)


def test_expired_tokens_are_purged_and_valid_ones_kept(app):
    user = make_user(Role.trainer)
    now = utcnow()
    for hours, revoked in ((-72, None), (-1, None), (24, None), (24, now - timedelta(days=2))):
        db.session.add(
            ApiToken(
                user_id=user.id,
                token_hash=f"{hours}{revoked}".ljust(64, "0")[:64],
                expires_at=now + timedelta(hours=hours),
                revoked_at=revoked,
            )
        )
    db.session.commit()
    # Expired three days ago, or revoked two days ago: gone. Expired an hour ago: kept a
    # day longer (the token page still says why it failed); valid: kept.
    assert run(app, "accelerator.accounts.purge_tokens") == 2
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 2


def test_expiry_reminders_are_sent_once(app):
    from accelerator.audits.models import Audit

    soon = make_approved_audit(valid_until=date.today() + timedelta(days=59))
    later = make_approved_audit(valid_until=date.today() + timedelta(days=90))
    db.session.commit()
    assert run(app, "accelerator.audits.send_expiry_reminders") == 1
    assert run(app, "accelerator.audits.send_expiry_reminders") == 0  # once per audit
    db.session.expire_all()
    assert db.session.get(Audit, soon.id).reminded_at is not None
    assert db.session.get(Audit, later.id).reminded_at is None


def test_an_approval_that_lapsed_leaves_the_catalogue_when_beat_rebuilds_it(app):
    from accelerator.catalogue.models import CatalogueEntry

    lapsing = make_approved_audit(valid_until=date.today() + timedelta(days=1))
    make_approved_audit()
    db.session.commit()
    assert run(app, "accelerator.catalogue.rebuild") == 2
    lapsing.valid_until = date.today() - timedelta(days=1)
    lapsing.latest_decision.valid_until = lapsing.valid_until
    db.session.commit()
    assert run(app, "accelerator.catalogue.rebuild") == 1
    db.session.expire_all()
    ids = set(db.session.scalars(select(CatalogueEntry.solution_id)))
    assert lapsing.solution_id not in ids


def test_accounts_left_unverified_for_a_week_are_purged_by_beat(app):
    from accelerator.accounts.models import User

    stale = make_user(Role.teacher, email="oublie@ac-lyon.fr")
    fresh = make_user(Role.teacher, email="recent@ac-lyon.fr")
    for user, age in ((stale, 8), (fresh, 2)):
        user.email_verified_at = None
        user.created_at = utcnow() - timedelta(days=age)
    db.session.commit()
    assert run(app, "accelerator.accounts.purge_unverified") == 1
    db.session.expire_all()
    assert {u.email for u in db.session.scalars(select(User))} == {"recent@ac-lyon.fr"}


def test_kept_figures_refresh_runs_from_beat(app):
    body = run(app, "accelerator.reporting.refresh_kept_figures")
    assert set(body) == {"refreshed_at", "seconds"}
