"""Starting audits and the company's self-assessment."""

from __future__ import annotations

import io

import pytest
from sqlalchemy.exc import IntegrityError

from accelerator.audits.models import Audit
from accelerator.audits.states import AuditStatus
from accelerator.criteria.models import FrameworkVersion, VersionStatus
from accelerator.extensions import db
from tests.audits.factories import make_solution
from tests.audits.test_evidence import PDF


def test_start_an_audit_on_the_version_in_force(api, people, version):
    solution = make_solution(people.company.organization)
    db.session.commit()
    response = api.post("/audits", user=people.company, json={"solution_id": solution.id})
    assert response.status_code == 201
    assert response.json["status"] == "draft"
    assert response.json["framework_version_id"] == version.id
    again = api.post("/audits", user=people.company, json={"solution_id": solution.id})
    assert again.status_code == 409
    assert api.post("/audits", user=people.company, json={"solution_id": "x"}).status_code == 422
    assert api.post("/audits", user=people.manager, json={"solution_id": 1}).status_code == 403
    assert api.post("/audits", user=people.company, json={"solution_id": 999}).status_code == 404


def test_the_database_keeps_one_open_audit_per_solution(people, version):
    solution = make_solution(people.company.organization)
    db.session.add(Audit(solution=solution, framework_version=version))
    db.session.flush()
    db.session.add(Audit(solution=solution, framework_version=version))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_closed_audit_lets_a_new_one_start(api, people, audit_in):
    audit = audit_in(AuditStatus.withdrawn)
    response = api.post("/audits", user=people.company, json={"solution_id": audit.solution_id})
    assert response.status_code == 201


def test_no_version_in_force(api, people, version):
    version.status = VersionStatus.retired
    solution = make_solution(people.company.organization)
    db.session.commit()
    assert FrameworkVersion.in_force() is None
    response = api.post("/audits", user=people.company, json={"solution_id": solution.id})
    assert response.status_code == 409
    assert "cadre de confiance" in response.json["detail"]


def test_list_filters_by_status(api, people, audit_in):
    audit_in(AuditStatus.draft)
    submitted = audit_in(AuditStatus.submitted)
    listed = api.get("/audits?status=submitted", user=people.company).json
    assert [a["id"] for a in listed["items"]] == [submitted.id]
    assert api.get("/audits", user=people.company).json["total"] == 2
    response = api.get("/audits?status=lost", user=people.company)
    assert response.status_code == 422 and "status" in response.json["errors"]
    assert api.get("/audits", user=people.teacher).status_code == 403
    assert api.get("/audits", user=people.experts[0]).json["total"] == 0


def _answer(api, audit, user, code="PEDA-01", **body):
    return api.put(
        f"/audits/{audit.id}/self-assessment/{code}",
        user=user,
        json={"answer": "partial", "comment": "En cours.", **body},
    )


def test_self_assessment(api, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    evidence_id = api.post(
        f"/audits/{audit.id}/evidence",
        user=people.company,
        data={"file": (io.BytesIO(PDF), "charte.pdf")},
        content_type="multipart/form-data",
    ).json["id"]
    response = _answer(api, audit, people.company, evidence_ids=[evidence_id])
    assert response.status_code == 200
    assert response.json == {
        "criterion_code": "PEDA-01",
        "answer": "partial",
        "comment": "En cours.",
        "evidence_ids": [evidence_id],
    }
    # Changing the answer replaces it.
    response = _answer(api, audit, people.company, answer="yes", evidence_ids=[])
    assert response.json["answer"] == "yes" and response.json["evidence_ids"] == []
    detail = api.get(f"/audits/{audit.id}", user=people.company).json
    assert [a["criterion_code"] for a in detail["self_assessment"]] == ["PEDA-01"]
    assert _answer(api, audit, people.company, code="XX-99").status_code == 404
    assert _answer(api, audit, people.company, answer="maybe").status_code == 422
    response = _answer(api, audit, people.company, evidence_ids=[123456])
    assert response.status_code == 422 and "evidence_ids" in response.json["errors"]
    assert _answer(api, audit, people.manager).status_code == 403


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (AuditStatus.draft, 200),
        (AuditStatus.info_requested, 200),
        (AuditStatus.submitted, 409),
        (AuditStatus.in_review, 409),
        (AuditStatus.approved, 409),
    ],
)
def test_self_assessment_only_while_editable(api, people, audit_in, state, status):
    audit = audit_in(state)
    assert _answer(api, audit, people.company).status_code == status


def test_submit_needs_every_applicable_criterion(api, people, audit_in):
    # Without personal data the RGPD criteria do not apply: two answers are enough.
    audit = audit_in(AuditStatus.draft, processes_personal_data=False)
    _answer(api, audit, people.company, code="PEDA-01")
    response = api.post(
        f"/audits/{audit.id}/transitions", user=people.company, json={"action": "submit"}
    )
    assert response.status_code == 409 and "PEDA-02" in response.json["detail"]
    _answer(api, audit, people.company, code="PEDA-02")
    response = api.post(
        f"/audits/{audit.id}/transitions", user=people.company, json={"action": "submit"}
    )
    assert response.status_code == 200 and response.json["submitted_at"]
