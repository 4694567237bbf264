"""The demo seeder of training records is idempotent and certifies completed enrolments."""

from __future__ import annotations

from accelerator.certification.demo import seed_certification
from accelerator.certification.models import Certificate, Feedback
from accelerator.extensions import db
from tests.certification.factories import enroll, make_session, teacher


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_seeding_twice_changes_nothing():
    assert "nothing" in seed_certification()[0]
    session = make_session()
    enroll(teacher(), session)
    enroll(teacher(), session, attended=True, completed=False)
    assert seed_certification() == ["Certification: 1 attestations issued, 1 ratings added."]
    assert seed_certification() == ["Certification: 0 attestations issued, 0 ratings added."]
    assert (_count(Certificate), _count(Feedback)) == (1, 1)
