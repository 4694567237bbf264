"""A partial re-audit after a substantial change examines the affected domains only: the
company answers and the experts score those again, every other criterion keeps the level
the approval had, the approval's end of validity does not move, and a re-audit that fails
takes the label down."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accelerator.audits import operations
from accelerator.audits.models import Answer, Audit, SubstantialChange
from accelerator.audits.results import compute_result
from accelerator.audits.states import AuditStatus as S
from accelerator.criteria.models import VersionStatus
from accelerator.extensions import db
from tests.audits.factories import make_framework_version

JUSTIFICATION = "Appréciation fondée sur les pièces fournies."


def _reaudit(api, people, approval, domains, **declarations) -> Audit:
    """The company declares a change; the manager decides a partial re-audit of ``domains``."""
    declared = api.post(
        f"/solutions/{approval.solution_id}/changes",
        user=people.company,
        json={"description": "Nouvelle version.", "declarations": declarations},
    )
    assert declared.status_code == 201, declared.json
    decided = api.post(
        f"/changes/{declared.json['id']}/decision",
        user=people.manager,
        json={"outcome": "partial_reaudit", "comment": "À réexaminer.", "domains": domains},
    )
    assert decided.status_code == 200, decided.json
    return db.session.get(SubstantialChange, declared.json["id"]).reaudit


def _to_committee(reaudit, people, level):
    """Submit, admit and score the re-audit's criteria to review at ``level``."""
    for code in reaudit.codes_to_review():
        operations.answer_criterion(people.company, reaudit, code, Answer.yes, "Mis à jour.")
    operations.apply_transition(people.company, reaudit, "submit")
    for expert in people.experts:
        operations.assign_expert(people.manager, reaudit, expert)
    operations.apply_transition(people.manager, reaudit, "admit")
    for expert in people.experts:
        for code in reaudit.codes_to_review():
            operations.record_score(expert, reaudit, code, level, JUSTIFICATION)
        operations.complete_scoring(expert, reaudit)
    operations.apply_transition(people.manager, reaudit, "send_to_committee")
    db.session.commit()


def test_only_the_reaudited_domains_are_answered_and_scored(api, people, audit_in):
    approval = audit_in(S.approved, level=3)
    reaudit = _reaudit(api, people, approval, ["PEDA"], hosting_provider="Scaleway")
    assert reaudit.status == S.draft
    # The company may not touch a criterion whose level is carried over...
    refused = api.put(
        f"/audits/{reaudit.id}/self-assessment/RGPD-01",
        user=people.company,
        json={"answer": "no", "comment": "Changement."},
    )
    assert refused.status_code == 409
    assert "PEDA" in refused.json["detail"]
    # ...and answers the re-audited domain as in any audit.
    accepted = api.put(
        f"/audits/{reaudit.id}/self-assessment/PEDA-01",
        user=people.company,
        json={"answer": "yes", "comment": "Nouvelle séquence."},
    )
    assert accepted.status_code == 200

    for code in ("PEDA-01", "PEDA-02"):
        operations.answer_criterion(people.company, reaudit, code, Answer.yes, "Mis à jour.")
    operations.apply_transition(people.company, reaudit, "submit")
    for expert in people.experts:
        operations.assign_expert(people.manager, reaudit, expert)
    operations.apply_transition(people.manager, reaudit, "admit")
    db.session.commit()

    expert = people.experts[0]
    carried = api.put(
        f"/audits/{reaudit.id}/scores/RGPD-02",
        user=expert,
        json={"level": 0, "justification": JUSTIFICATION},
    )
    assert carried.status_code == 409
    # Scoring the two re-audited criteria is the whole first pass.
    for code in ("PEDA-01", "PEDA-02"):
        scored = api.put(
            f"/audits/{reaudit.id}/scores/{code}",
            user=expert,
            json={"level": 1, "justification": JUSTIFICATION},
        )
        assert scored.status_code == 200
    assert api.post(f"/audits/{reaudit.id}/scores/complete", user=expert).status_code == 200


def test_the_result_keeps_the_approval_levels_outside_the_reaudited_domains(api, people, audit_in):
    approval = audit_in(S.approved, level=3)
    reaudit = _reaudit(api, people, approval, ["PEDA"], version="2.0")
    _to_committee(reaudit, people, level=1)
    before = compute_result(approval).engine.domains
    after = compute_result(reaudit).engine.domains
    assert after["RGPD"] == before["RGPD"]  # not re-examined: the approval's figure
    assert after["PEDA"] < before["PEDA"]  # re-examined at a lower level
    result = api.get(f"/audits/{reaudit.id}/result", user=people.manager).json
    assert result["missing"] == []


def test_an_approved_reaudit_keeps_the_approval_end_of_validity(api, people, audit_in):
    approval = audit_in(S.approved, level=3)
    end = approval.valid_until
    reaudit = _reaudit(api, people, approval, ["PEDA"], version="2.0")
    _to_committee(reaudit, people, level=3)
    decide = {"action": "decide", "outcome": "approved", "motivation": "Changement conforme."}
    later = (end + timedelta(days=30)).isoformat()
    refused = api.post(
        f"/audits/{reaudit.id}/transitions",
        user=people.manager,
        json={**decide, "valid_until": later},
    )
    assert refused.status_code == 422
    assert "valid_until" in refused.json["errors"]
    db.session.expire_all()
    assert reaudit.status == S.committee  # the refusal changed nothing
    decided = api.post(f"/audits/{reaudit.id}/transitions", user=people.manager, json=decide)
    assert decided.status_code == 200, decided.json
    db.session.expire_all()
    assert reaudit.status == S.approved and reaudit.valid_until == end
    assert decided.json["reaudit_domains"] == ["PEDA"]


def test_a_rejected_reaudit_suspends_the_approval(api, people, audit_in):
    approval = audit_in(S.approved, level=3)
    reaudit = _reaudit(api, people, approval, ["PEDA"], version="2.0")
    _to_committee(reaudit, people, level=0)
    assert api.get(f"/catalogue/{approval.solution.slug}").status_code == 200
    decided = api.post(
        f"/audits/{reaudit.id}/transitions",
        user=people.manager,
        json={"action": "decide", "outcome": "rejected", "motivation": "Plus de valeur."},
    )
    assert decided.status_code == 200, decided.json
    db.session.expire_all()
    assert approval.status == S.suspended
    assert approval.events[-1].action.value == "suspend"
    assert api.get(f"/catalogue/{approval.solution.slug}").status_code == 404


@pytest.fixture
def ai_version(people, version):
    """A version in force whose AI domain applies only to solutions declaring AI use."""
    version.status = VersionStatus.retired  # one published version per framework
    version = make_framework_version(
        domains={
            "PEDA": [{"code": "PEDA-01"}],
            "SEC": [{"code": "SEC-01"}],
            "IA": [{"code": "IA-01", "applies_if": "uses_ai"}],
        },
        version="2026.9",
    )
    db.session.commit()
    return version


def test_a_domain_that_now_applies_is_reviewed_even_if_not_chosen(
    api, people, audit_in, ai_version
):
    approval = audit_in(S.approved, level=3, uses_ai=False)
    assert approval.framework_version_id == ai_version.id
    reaudit = _reaudit(api, people, approval, ["PEDA"], uses_ai=True)
    # The approval had no level for IA-01 (it did not apply): it cannot be carried over.
    assert reaudit.codes_to_review() == ["PEDA-01", "IA-01"]
    assert reaudit.carried_level("SEC-01") == 3


def test_the_pages_say_what_is_carried_over(client, login_as, api, people, audit_in):
    approval = audit_in(S.approved, level=3)
    reaudit = _reaudit(api, people, approval, ["PEDA"], version="2.0")
    login_as(people.company)
    page = client.get(f"/audits/{reaudit.id}/auto-evaluation/RGPD").get_data(as_text=True)
    assert "Niveaux reportés de l’agrément" in page or "Niveaux reportés de l'agrément" in page
    assert 'name="RGPD-01-answer"' not in page  # nothing to answer there
    detail = client.get(f"/audits/{reaudit.id}").get_data(as_text=True)
    assert f"n° {approval.id}" in detail


def test_a_reaudit_opened_on_an_old_version_stays_on_it(api, people, audit_in, version):
    approval = audit_in(S.approved, level=3)
    version.status = VersionStatus.retired  # one published version per framework
    newer = make_framework_version(version="2027.1")
    db.session.commit()
    reaudit = _reaudit(api, people, approval, ["PEDA"], version="2.0")
    # Carried levels mean what they meant: the re-audit is judged on the approval's version.
    assert reaudit.framework_version_id == approval.framework_version_id != newer.id
