"""Conflicts of interest, assignments and the experts' workload."""

from __future__ import annotations

from accelerator.audits.states import AuditStatus
from accelerator.extensions import db

S = AuditStatus


def test_conflicts_are_declared_by_experts(api, people):
    org = people.company.organization
    expert = people.other_expert
    body = {"organization_id": org.id, "reason": "J'ai travaillé chez eux en 2024."}
    response = api.post("/conflicts", user=expert, json=body)
    assert response.status_code == 201
    assert response.json["organization"] == {"id": org.id, "name": org.name}
    assert api.post("/conflicts", user=expert, json=body).status_code == 409
    assert api.post("/conflicts", user=people.manager, json=body).status_code == 403
    assert (
        api.post("/conflicts", user=expert, json={**body, "organization_id": 99999})
    ).status_code == 422
    assert api.post("/conflicts", user=expert, json={**body, "reason": " "}).status_code == 422
    assert api.get("/conflicts", user=expert).json["total"] == 1
    assert api.get("/conflicts", user=people.experts[0]).json["total"] == 0
    assert api.get("/conflicts", user=people.manager).json["total"] == 1
    assert api.get("/conflicts", user=people.company).status_code == 403


def _assign(api, audit, user, expert_id):
    return api.post(f"/audits/{audit.id}/assignments", user=user, json={"expert_id": expert_id})


def test_assignments(api, people, audit_in, outbox):
    audit = audit_in(S.submitted)
    expert = people.other_expert
    response = _assign(api, audit, people.manager, expert.id)
    assert response.status_code == 201
    assert response.json["expert"]["id"] == expert.id
    assert outbox[-1]["To"] == expert.email
    assert _assign(api, audit, people.manager, expert.id).status_code == 409
    assert _assign(api, audit, people.manager, people.company.id).status_code == 422
    assert _assign(api, audit, people.manager, 999999).status_code == 422
    assert _assign(api, audit, people.experts[0], people.experts[1].id).status_code == 403
    assert _assign(api, audit, people.company, expert.id).status_code == 403
    history = api.get(f"/audits/{audit.id}", user=people.manager).json["history"]
    assert history[-1]["action"] == "assignment"
    # The assigned expert now sees the audit.
    assert api.get(f"/audits/{audit.id}", user=expert).status_code == 200


def test_no_assignment_despite_a_conflict_of_interest(api, people, audit_in):
    audit = audit_in(S.submitted)
    expert = people.other_expert
    api.post(
        "/conflicts",
        user=expert,
        json={"organization_id": audit.solution.organization_id, "reason": "Ancien salarié."},
    )
    response = _assign(api, audit, people.manager, expert.id)
    assert response.status_code == 409
    assert "conflit" in response.json["detail"]


def test_assignments_only_between_submission_and_committee(api, people, audit_in):
    for state, status in ((S.draft, 409), (S.committee, 409), (S.in_review, 201)):
        audit = audit_in(state)
        assert _assign(api, audit, people.manager, people.other_expert.id).status_code == status


def test_workload(api, people, audit_in):
    audit_in(S.in_review)
    audit_in(S.committee)
    audit_in(S.approved)  # closed: not counted
    response = api.get("/experts/workload", user=people.manager)
    assert response.status_code == 200
    counts = {item["expert"]["id"]: item["open_assignments"] for item in response.json["items"]}
    assert counts == {people.experts[0].id: 2, people.experts[1].id: 2, people.other_expert.id: 0}
    assert api.get("/experts/workload", user=people.experts[0]).status_code == 403
    db.session.rollback()
