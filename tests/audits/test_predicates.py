"""The predicates pages use to show buttons agree with what the operations allow."""

from __future__ import annotations

import pytest

from accelerator.audits import operations
from accelerator.audits.models import Answer
from accelerator.audits.states import AuditStatus
from accelerator.core.errors import DomainError
from accelerator.extensions import db

S = AuditStatus
STATES = [s for s in S if s != S.expired]


def _allowed(call) -> bool:
    try:
        call()
    except DomainError:
        return False
    finally:
        db.session.rollback()
    return True


@pytest.mark.parametrize("state", STATES)
def test_predicates_match_the_operations(people, audit_in, state):
    audit = audit_in(state)
    company, manager, expert = people.company, people.manager, people.experts[0]
    assert audit.can_edit_self_assessment(company) == _allowed(
        lambda: operations.answer_criterion(company, audit, "PEDA-01", Answer.yes)
    )
    assert audit.can_score(expert) == _allowed(
        lambda: operations.record_score(expert, audit, "PEDA-01", 2, "Justification assez longue.")
    )
    assert audit.can_assign(manager) == _allowed(
        lambda: operations.assign_expert(manager, audit, people.other_expert)
    )
    assert audit.can_renew(company) == _allowed(lambda: operations.renew_audit(company, audit))
    assert not audit.can_score(people.other_expert)
    assert not audit.can_edit_self_assessment(people.other_company)
    assert not audit.can_renew(people.other_company)


def test_consolidation_predicate_matches_the_operation(people, audit_in):
    """In review, with two experts three levels apart on PEDA-01, the manager may settle."""
    audit = audit_in(S.in_review, level=0)  # the first expert scored everything at 0
    operations.record_score(people.experts[1], audit, "PEDA-01", 3, "Justification assez longue.")
    db.session.commit()
    manager = people.manager
    assert audit.can_consolidate(manager)
    assert _allowed(
        lambda: operations.consolidate_criterion(
            manager, audit, "PEDA-01", 1, "Niveau arrêté après lecture des deux avis."
        )
    )
    assert not audit.can_consolidate(people.experts[0])
    assert not audit_in(S.submitted).can_consolidate(manager)
