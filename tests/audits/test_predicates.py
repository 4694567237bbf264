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
    assert operations.can_edit_self_assessment(company, audit) == _allowed(
        lambda: operations.answer_criterion(company, audit, "PEDA-01", Answer.yes)
    )
    assert operations.can_score(expert, audit) == _allowed(
        lambda: operations.record_score(expert, audit, "PEDA-01", 2, "Justification assez longue.")
    )
    assert operations.can_assign(manager, audit) == _allowed(
        lambda: operations.assign_expert(manager, audit, people.other_expert)
    )
    assert not operations.can_score(people.other_expert, audit)
    assert not operations.can_edit_self_assessment(people.other_company, audit)
