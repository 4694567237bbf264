"""Blind scoring, divergences and their settlement, the result, and decisions."""

from __future__ import annotations

import pytest

from accelerator.audits import operations
from accelerator.audits.results import final_levels
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db

S = AuditStatus
WHY = "Justification suffisamment détaillée."


def _score(api, audit, expert, code, level):
    return api.put(
        f"/audits/{audit.id}/scores/{code}",
        user=expert,
        json={"level": level, "justification": WHY},
    )


def _score_all(audit, expert, levels: dict[str, int]):
    for code, level in levels.items():
        operations.record_score(expert, audit, code, level, WHY)


ALL3 = {"RGPD-01": 3, "RGPD-02": 3, "PEDA-01": 3, "PEDA-02": 3}


def test_scores_are_blind_until_ones_own_pass_is_finished(api, people, audit_in):
    audit = audit_in(S.in_review)  # the first expert has scored everything at 3
    first, second = people.experts
    assert _score(api, audit, second, "RGPD-01", 1).status_code == 200
    seen = api.get(f"/audits/{audit.id}", user=second).json
    assert {s["expert_id"] for s in seen["scores"]} == {second.id}
    assert all(e["action"] != "score" or e["by"]["id"] == second.id for e in seen["history"])
    assert api.get(f"/audits/{audit.id}/result", user=second).status_code == 403
    # Finishing needs every applicable criterion scored.
    response = api.post(f"/audits/{audit.id}/scores/complete", user=second)
    assert response.status_code == 409 and "RGPD-02" in response.json["detail"]
    for code in ("RGPD-02", "PEDA-01", "PEDA-02"):
        _score(api, audit, second, code, 3)
    assert api.post(f"/audits/{audit.id}/scores/complete", user=second).status_code == 200
    assert api.post(f"/audits/{audit.id}/scores/complete", user=second).status_code == 409
    seen = api.get(f"/audits/{audit.id}", user=second).json
    assert {s["expert_id"] for s in seen["scores"]} == {first.id, second.id}
    assert api.get(f"/audits/{audit.id}/result", user=second).status_code == 200
    # The manager sees everything; the company never sees individual scores.
    assert len(api.get(f"/audits/{audit.id}", user=people.manager).json["scores"]) == 8
    company_view = api.get(f"/audits/{audit.id}", user=people.company).json
    assert company_view["scores"] == [] and company_view["final_levels"] is None
    assert all(e["to"] for e in company_view["history"])
    assert api.get(f"/audits/{audit.id}/result", user=people.company).status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"level": 4, "justification": WHY}, "level"),
        ({"level": -1, "justification": WHY}, "level"),
        ({"level": "2", "justification": WHY}, "level"),
        ({"level": 2, "justification": "Trop court."}, "justification"),
        ({"level": 2, "justification": "   " + "x" * 10 + "         "}, "justification"),
        ({"level": 2}, "justification"),
    ],
)
def test_score_values_are_checked(api, people, audit_in, payload, field):
    audit = audit_in(S.in_review)
    response = api.put(f"/audits/{audit.id}/scores/PEDA-01", user=people.experts[1], json=payload)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_score_rules(api, people, audit_in):
    audit = audit_in(S.in_review)
    expert = people.experts[1]
    assert _score(api, audit, expert, "NOPE-01", 2).status_code == 404
    assert _score(api, audit, people.other_expert, "PEDA-01", 2).status_code == 404
    assert _score(api, audit, people.manager, "PEDA-01", 2).status_code == 403
    committee = audit_in(S.committee)
    assert _score(api, committee, expert, "PEDA-01", 2).status_code == 409
    # A criterion that does not apply to the solution cannot be scored.
    no_data = audit_in(S.in_review, processes_personal_data=False)
    response = _score(api, no_data, expert, "RGPD-01", 2)
    assert response.status_code == 422


def test_divergence_blocks_the_committee_until_settled(api, people, audit_in):
    audit = audit_in(S.submitted)
    for expert in people.experts:
        operations.assign_expert(people.manager, audit, expert)
    operations.apply_transition(people.manager, audit, "admit")
    first, second = people.experts
    _score_all(audit, first, ALL3)
    _score_all(audit, second, {**ALL3, "PEDA-01": 1, "PEDA-02": 2})
    db.session.commit()
    result = api.get(f"/audits/{audit.id}/result", user=people.manager).json
    assert result["divergences"] == ["PEDA-01"]  # 3 vs 1; PEDA-02 (3 vs 2) is no divergence
    response = api.post(
        f"/audits/{audit.id}/transitions", user=people.manager, json={"action": "send_to_committee"}
    )
    assert response.status_code == 409 and "PEDA-01" in response.json["detail"]
    settle = {"level": 2, "justification": "Arbitrage après lecture des deux avis."}
    # Only a divergent criterion is settled, by a manager.
    assert (
        api.put(f"/audits/{audit.id}/consolidation/PEDA-02", user=people.manager, json=settle)
    ).status_code == 409
    assert (
        api.put(f"/audits/{audit.id}/consolidation/PEDA-01", user=first, json=settle)
    ).status_code == 403
    response = api.put(
        f"/audits/{audit.id}/consolidation/PEDA-01", user=people.manager, json=settle
    )
    assert response.status_code == 200
    result = api.get(f"/audits/{audit.id}/result", user=people.manager).json
    assert result["divergences"] == []
    db.session.expire_all()
    assert final_levels(audit)["PEDA-01"] == 2  # the settlement
    assert final_levels(audit)["PEDA-02"] == 2  # floor((3 + 2) / 2)
    response = api.post(
        f"/audits/{audit.id}/transitions", user=people.manager, json={"action": "send_to_committee"}
    )
    assert response.status_code == 200
    history = [e["action"] for e in response.json["history"]]
    # Levels saved during the blind first pass are drafts, not history rows.
    assert history.count("consolidation") == 1 and history.count("score") == 0


def test_result_figures(api, people, audit_in):
    audit = audit_in(S.committee, level=3)
    result = api.get(f"/audits/{audit.id}/result", user=people.manager).json
    assert result == {
        "scored": True,
        "overall_score": 100.0,
        "domains": [{"code": "RGPD", "score": 100.0}, {"code": "PEDA", "score": 100.0}],
        "eliminatory_failures": [],
        "domain_floor_failures": [],
        "divergences": [],
        "recommendation": "approve",
        "missing": [],
    }


def test_decide_refuses_an_approval_while_an_eliminatory_criterion_fails(api, people, audit_in):
    audit = audit_in(S.committee, level=1)  # RGPD-01 needs 2
    for outcome in ("approved", "approved_with_conditions"):
        response = api.post(
            f"/audits/{audit.id}/transitions",
            user=people.manager,
            json={
                "action": "decide",
                "outcome": outcome,
                "motivation": "Le comité souhaite approuver.",
                "conditions": ["Corriger le RGPD."] if outcome != "approved" else [],
            },
        )
        assert response.status_code == 409
        assert "RGPD-01" in response.json["detail"]
    response = api.post(
        f"/audits/{audit.id}/transitions",
        user=people.manager,
        json={"action": "decide", "outcome": "rejected", "motivation": "Critère RGPD-01 manqué."},
    )
    assert response.status_code == 200
    decision = response.json["decision"]
    assert decision["outcome"] == "rejected" and decision["recommendation"] == "reject"
    assert response.json["verification_code"] is None and response.json["valid_until"] is None


def test_decide_records_the_decision(api, people, audit_in):
    from datetime import date

    from accelerator.audits.operations import add_months

    audit = audit_in(S.committee, level=2)
    response = api.post(
        f"/audits/{audit.id}/transitions",
        user=people.manager,
        json={
            "action": "decide",
            "outcome": "approved_with_conditions",
            "motivation": "Solution solide, accessibilité à compléter.",
            "conditions": [
                "Publier la déclaration d'accessibilité.",
                {"text": "Audit RGAA externe.", "due_date": "2027-06-30"},
            ],
        },
    )
    assert response.status_code == 200, response.json
    body = response.json
    decision = body["decision"]
    assert decision["round"] == 1
    assert decision["overall_score"] == pytest.approx(66.7)
    # A condition without a due date is due six months after the decision.
    default_due = add_months(date.today(), 6).isoformat()
    assert [c["due_date"] for c in decision["conditions"]] == [default_due, "2027-06-30"]
    assert body["valid_until"] == add_months(date.today(), 24).isoformat()
    assert len(body["verification_code"]) >= 16
    company_view = api.get(f"/audits/{audit.id}", user=people.company).json
    assert company_view["final_levels"] == {"RGPD-01": 2, "RGPD-02": 2, "PEDA-01": 2, "PEDA-02": 2}
    assert api.get(f"/audits/{audit.id}/result", user=people.company).status_code == 200


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"outcome": "approved"}, "motivation"),
        ({"outcome": "withdrawn", "motivation": "x"}, "outcome"),
        ({"motivation": "Motif."}, "outcome"),
        ({"outcome": "approved_with_conditions", "motivation": "Motif."}, "conditions"),
        ({"outcome": "approved", "motivation": "Motif.", "conditions": ["c"]}, "conditions"),
        (
            {"outcome": "approved", "motivation": "Motif.", "valid_until": "2020-01-01"},
            "valid_until",
        ),
        (
            {"outcome": "rejected", "motivation": "Motif.", "valid_until": "2030-01-01"},
            "valid_until",
        ),
        ({"outcome": "approved", "motivation": "Motif.", "conditions": [3]}, "conditions"),
    ],
)
def test_decision_values_are_checked(api, people, audit_in, extra, field):
    audit = audit_in(S.committee, level=3)
    response = api.post(
        f"/audits/{audit.id}/transitions", user=people.manager, json={"action": "decide", **extra}
    )
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    db.session.expire_all()
    assert audit.status == S.committee and audit.decisions == []


def test_custom_validity(api, people, audit_in):
    audit = audit_in(S.committee, level=3)
    response = api.post(
        f"/audits/{audit.id}/transitions",
        user=people.manager,
        json={
            "action": "decide",
            "outcome": "approved",
            "motivation": "Approuvée pour un an.",
            "valid_until": "2030-01-31",
        },
    )
    assert response.json["valid_until"] == "2030-01-31"
