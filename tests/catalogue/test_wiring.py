"""The catalogue follows the audits as they happen: a decision, a suspension, a
reinstatement or an edit of the solution shows at once, without a reindex."""

from __future__ import annotations

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.models import Assignment, Score
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.audits.factories import make_audit, make_solution
from tests.factories import make_user


def scored_audit_in_committee(name: str):
    company = make_user(Role.company)
    solution = make_solution(
        company.organization, name=name, summary="Lecture guidée", processes_personal_data=True
    )
    audit = make_audit(solution, status=AuditStatus.committee)
    for expert in (make_user(Role.expert), make_user(Role.expert)):
        db.session.add(Assignment(audit=audit, expert=expert))
        for criterion in audit.framework_version.criteria():
            db.session.add(
                Score(
                    audit=audit,
                    expert_id=expert.id,
                    level=3,
                    criterion_code=criterion.code,
                    justification="x" * 20,
                )
            )
    db.session.commit()
    return company, audit


def names(api, query: str = "") -> list[str]:
    response = api.get(f"/catalogue?q={query}")
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["items"]]


def test_decision_suspension_and_accepted_edit_show_at_once(api):
    company, audit = scored_audit_in_committee("Lirette")
    manager = make_user(Role.manager)
    assert names(api) == []

    operations.decide_audit(manager, audit, "approved", "Solide.")
    db.session.commit()
    assert names(api, "lirette") == ["Lirette"]

    operations.suspend_approval(manager, audit, "Manquement constaté.")
    db.session.commit()
    assert names(api) == []

    operations.reinstate_approval(manager, audit)
    db.session.commit()
    assert names(api) == ["Lirette"]

    values = {"name": "Lirette Plus", "summary": "Écriture créative"}
    operations.update_solution(company, audit.solution, values)
    db.session.commit()
    # After approval an edit waits for a manager: the approved texts stay public.
    assert names(api, "ecriture") == []
    assert names(api) == ["Lirette"]
    operations.accept_public_texts(manager, audit.solution)
    db.session.commit()
    assert names(api, "ecriture") == ["Lirette Plus"]
    assert names(api, "guidee") == []


def test_a_decision_through_the_api_lists_the_solution(api):
    _, audit = scored_audit_in_committee("Calculo")
    manager = make_user(Role.manager)
    response = api.post(
        f"/audits/{audit.id}/transitions",
        user=manager,
        json={
            "action": "decide",
            "outcome": "approved_with_conditions",
            "motivation": "Bien.",
            "conditions": [{"text": "Publier la déclaration RGAA", "due_date": "2027-06-30"}],
        },
    )
    assert response.status_code == 200, response.json
    item = api.get("/catalogue?q=calculo").json["items"][0]
    assert item["outcome"] == "approved_with_conditions"
    db.session.expire_all()
    assert item["verification_code"] == audit.verification_code
    assert api.get(f"/verify/{item['verification_code']}").json["in_force"] is True
