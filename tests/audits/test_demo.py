"""``flask seed-demo`` adds audits in every state for the demo accounts, once."""

from __future__ import annotations

from sqlalchemy import func, select

from accelerator.audits.demo import DEMO_STATES, seed_audits
from accelerator.audits.models import Audit, AuditEvent
from accelerator.core.demo import run_seeders
from accelerator.extensions import db
from tests.audits.factories import make_framework_version


def test_skipped_without_a_version_in_force(app):
    lines = seed_audits()
    assert any("no framework version in force" in line for line in lines)
    assert db.session.scalar(select(func.count(Audit.id))) == 0


def test_every_state_once(app):
    make_framework_version()
    db.session.commit()
    run_seeders()
    audits = db.session.scalars(select(Audit)).all()
    assert sorted(a.effective_status().value for a in audits) == sorted(
        s.value for s in DEMO_STATES
    )
    draft = next(a for a in audits if a.status.value == "draft")
    applicable = [
        c for c in draft.framework_version.criteria() if c.applies_to(draft.solution.attributes())
    ]
    assert 0 < len(draft.answers) < len(applicable)  # a self-assessment half done
    approved = [a for a in audits if a.latest_decision and a.verification_code]
    assert approved and all(a.valid_until for a in approved)
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    # Idempotent: a second run adds nothing.
    assert seed_audits() == ["Demo audits:"]
    db.session.commit()
    assert db.session.scalar(select(func.count(Audit.id))) == len(DEMO_STATES)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
