"""A domain below its floor stops an approval exactly like an eliminatory criterion: the
result lists it, the engine recommends reject, and the committee's approval answers 409
naming the domain, while a rejection goes through."""

from __future__ import annotations

import pytest

from accelerator.audits.states import AuditStatus as S
from accelerator.extensions import db
from tests.audits.factories import make_framework_version


@pytest.fixture
def version():
    # PEDA must reach 80/100: level 2 everywhere (66.7) is below it; RGPD has no floor.
    fv = make_framework_version(floors={"PEDA": 80})
    db.session.commit()
    return fv


def _decide(api, people, audit, outcome: str):
    return api.post(
        f"/audits/{audit.id}/transitions",
        user=people.manager,
        json={
            "action": "decide",
            "outcome": outcome,
            "motivation": "Décision motivée du comité.",
            "conditions": ["Renforcer la pédagogie."]
            if outcome == "approved_with_conditions"
            else [],
        },
    )


def test_the_result_lists_the_domain_below_its_floor(api, people, audit_in):
    audit = audit_in(S.committee, level=2)
    result = api.get(f"/audits/{audit.id}/result", user=people.manager).json
    assert result["eliminatory_failures"] == []
    assert result["domain_floor_failures"] == ["PEDA"]
    assert result["recommendation"] == "reject"


@pytest.mark.parametrize("outcome", ["approved", "approved_with_conditions"])
def test_the_committee_cannot_approve_below_a_floor(api, people, audit_in, outcome):
    audit = audit_in(S.committee, level=2)
    response = _decide(api, people, audit, outcome)
    assert response.status_code == 409
    assert "PEDA" in response.json["detail"]
    db.session.expire_all()
    assert audit.status == S.committee


def test_a_rejection_below_a_floor_is_recorded(api, people, audit_in):
    audit = audit_in(S.committee, level=2)
    response = _decide(api, people, audit, "rejected")
    assert response.status_code == 200
    assert response.json["decision"]["recommendation"] == "reject"


def test_a_floor_met_allows_the_approval(api, people, audit_in):
    audit = audit_in(S.committee, level=3)
    assert _decide(api, people, audit, "approved").status_code == 200


def test_uses_ai_is_optional_and_false_by_default(api, people):
    body = {"name": "Quiz", "processes_personal_data": False, "pricing": "free"}
    created = api.post("/solutions", user=people.company, json=body)
    assert created.status_code == 201 and created.json["uses_ai"] is False
    declared = api.post(
        "/solutions", user=people.company, json={**body, "name": "Tuteur", "uses_ai": True}
    )
    assert declared.status_code == 201 and declared.json["uses_ai"] is True
    patched = api.patch(
        f"/solutions/{created.json['id']}", user=people.company, json={"uses_ai": True}
    )
    assert patched.status_code == 200 and patched.json["uses_ai"] is True
