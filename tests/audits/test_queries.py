""" "Approval in force" (now, at a date, lapsed) and the effective status, as the audits
answer them for the catalogue, training and certification."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import literal, select

from accelerator.audits import queries
from accelerator.audits.models import Audit, AuditEvent
from accelerator.audits.states import AuditAction, AuditStatus
from accelerator.extensions import db
from tests.audits.factories import make_approved_audit, make_framework_version

S = AuditStatus
TODAY = date(2026, 12, 1)
D = TODAY - timedelta(days=100)  # the day the committee decided


@pytest.fixture(autouse=True)
def _version():
    make_framework_version()


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("outcome", "valid_until", "suspended", "in_force", "reads_as"),
    [
        (S.approved, TODAY, False, True, S.approved),  # its last day still counts
        (
            S.approved_with_conditions,
            TODAY + timedelta(days=1),
            False,
            True,
            S.approved_with_conditions,
        ),
        (S.approved, TODAY - timedelta(days=1), False, False, S.expired),
        (S.approved, TODAY + timedelta(days=300), True, False, S.suspended),
        (S.rejected, None, False, False, S.rejected),
    ],
)
def test_in_force_and_effective_status(outcome, valid_until, suspended, in_force, reads_as):
    audit = make_approved_audit(outcome=outcome, valid_until=valid_until, decided_on=D)
    if suspended:
        audit.status = S.suspended
    db.session.commit()
    ids_in_force = set(db.session.scalars(queries.solution_ids_in_force(TODAY)))
    assert (audit.solution_id in ids_in_force) == in_force
    assert queries.lapsed_solution_ids({audit.solution_id}, TODAY) == (
        set() if in_force else {audit.solution_id}
    )
    assert queries.approval_lapsed({audit.solution_id}, TODAY) == (not in_force)
    # the SQL expression and the Python rule read the same status
    stored = db.session.scalar(select(queries.effective_status(TODAY)).where(Audit.id == audit.id))
    assert stored == reads_as == audit.effective_status(TODAY)
    found = db.session.scalars(queries.with_effective_status(select(Audit), reads_as, TODAY)).all()
    assert [a.id for a in found] == [audit.id]


def test_no_solution_is_never_lapsed():
    assert not queries.approval_lapsed(set(), TODAY)


@pytest.mark.parametrize(
    ("day", "approved"),
    [
        (D - timedelta(days=1), False),  # before the decision
        (D, True),  # the day of the decision
        (D + timedelta(days=4), True),
        (D + timedelta(days=5), False),  # suspended that day
        (D + timedelta(days=9), False),
        (D + timedelta(days=10), True),  # reinstated that day
        (D + timedelta(days=40), False),  # past its validity
    ],
)
def test_approved_on_a_date_reads_the_history(day, approved):
    audit = make_approved_audit(valid_until=D + timedelta(days=30), decided_on=D)
    db.session.add_all(
        [
            AuditEvent(audit=audit, action=AuditAction.suspend, at=_at(D + timedelta(days=5))),
            AuditEvent(audit=audit, action=AuditAction.reinstate, at=_at(D + timedelta(days=10))),
        ]
    )
    db.session.commit()
    condition = queries.approved_on(literal(audit.solution_id), literal(day))
    assert db.session.scalar(select(condition)) == approved
