"""An audit is admitted only once a manager has verified its organization (SIRENE, Kbis…):
before, ``admit`` answers 409 with the reason and the audit stays submitted."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.demo import drive_audit
from accelerator.audits.states import AuditStatus as S
from accelerator.extensions import db
from tests.audits.factories import make_solution
from tests.factories import make_user


@pytest.fixture
def submitted(people):
    """A submitted audit of a new company whose organization nobody has verified."""
    company = make_user(Role.company)
    audit = operations.start_audit(company, make_solution(company.organization))
    drive_audit(audit, S.submitted, company, people.manager, people.experts)
    db.session.commit()
    return audit


def _admit(api, people, audit):
    return api.post(
        f"/audits/{audit.id}/transitions", user=people.manager, json={"action": "admit"}
    )


def test_admit_waits_for_the_organization_verification(api, people, submitted):
    for expert in people.experts:
        operations.assign_expert(people.manager, submitted, expert)
    db.session.commit()
    refused = _admit(api, people, submitted)
    assert refused.status_code == 409
    assert "vérifi" in refused.json["detail"]
    db.session.expire_all()
    assert submitted.status == S.submitted
    org = submitted.solution.organization
    verified = api.post(
        f"/organizations/{org.id}/verification",
        user=people.manager,
        json={"method": "kbis", "comment": "Kbis de moins de trois mois."},
    )
    assert verified.status_code == 200
    assert _admit(api, people, submitted).status_code == 200


def test_verification_alone_does_not_admit_without_two_experts(api, people, submitted):
    org = submitted.solution.organization
    api.post(
        f"/organizations/{org.id}/verification",
        user=people.manager,
        json={"method": "sirene", "comment": ""},
    )
    response = _admit(api, people, submitted)
    assert response.status_code == 409 and "expert" in response.json["detail"]
