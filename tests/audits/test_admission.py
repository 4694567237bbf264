"""An audit is admitted only once a manager has verified its organization (SIRENE, Kbis…):
before, ``admit`` answers 409 with the reason and the audit stays submitted."""

from __future__ import annotations

from accelerator.audits import operations
from accelerator.audits.states import AuditStatus as S
from accelerator.extensions import db


def _admit(api, people, audit):
    return api.post(
        f"/audits/{audit.id}/transitions", user=people.manager, json={"action": "admit"}
    )


def test_admit_waits_for_the_organization_verification(api, people, audit_in):
    audit = audit_in(S.submitted)
    for expert in people.experts:
        operations.assign_expert(people.manager, audit, expert)
    db.session.commit()
    refused = _admit(api, people, audit)
    assert refused.status_code == 409
    assert "vérifi" in refused.json["detail"]
    db.session.expire_all()
    assert audit.status == S.submitted
    org = audit.solution.organization
    verified = api.post(
        f"/organizations/{org.id}/verification",
        user=people.manager,
        json={"method": "kbis", "comment": "Kbis de moins de trois mois."},
    )
    assert verified.status_code == 200
    assert _admit(api, people, audit).status_code == 200


def test_verification_alone_does_not_admit_without_two_experts(api, people, audit_in):
    audit = audit_in(S.submitted)
    org = audit.solution.organization
    api.post(
        f"/organizations/{org.id}/verification",
        user=people.manager,
        json={"method": "sirene", "comment": ""},
    )
    response = _admit(api, people, audit)
    assert response.status_code == 409 and "expert" in response.json["detail"]
