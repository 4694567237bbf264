"""The company removes an evidence file while its audit is in draft: its own audit only
(others answer 404), never once submitted (the evidence is frozen for the review: a clear
refusal, nothing changed), each removal a history row."""

from __future__ import annotations

import io

import pytest

from accelerator.audits.models import AuditEvent, Evidence
from accelerator.audits.states import AuditAction, AuditStatus
from accelerator.extensions import db
from tests.factories import make_user

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _attach(client, audit, name="registre-rgpd.pdf", data=PDF) -> Evidence:
    response = client.post(
        f"/audits/{audit.id}/pieces",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return db.session.scalar(db.select(Evidence).where(Evidence.audit_id == audit.id))


def _evidence_count(audit) -> int:
    db.session.expire_all()
    return db.session.scalar(
        db.select(db.func.count(Evidence.id)).where(Evidence.audit_id == audit.id)
    )


def test_the_company_removes_a_draft_file_from_the_audit_page(client, login_as, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    login_as(people.company)
    evidence = _attach(client, audit)
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    action = f"/audits/{audit.id}/pieces/{evidence.id}/supprimer"
    assert f'action="{action}"' in page
    assert "Supprimer « registre-rgpd.pdf »" in page  # the button names the file
    response = client.post(action)
    assert response.headers["Location"] == f"/audits/{audit.id}#pieces"
    assert _evidence_count(audit) == 0
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "Fichier « registre-rgpd.pdf » supprimé." in page
    client.post("/deconnexion")
    login_as(people.manager)  # the company's history shows transitions; staff read all
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "Pièce supprimée — registre-rgpd.pdf" in page  # the history says which
    rows = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.audit_id == audit.id, AuditEvent.action == AuditAction.evidence_removed
        )
    ).all()
    assert [(r.actor_id, r.data["filename"]) for r in rows] == [
        (people.company.id, "registre-rgpd.pdf")
    ]


def test_answers_citing_the_file_no_longer_do(client, login_as, people, audit_in, api):
    audit = audit_in(AuditStatus.draft)
    login_as(people.company)
    evidence = _attach(client, audit)
    code = audit.framework_version.domains[0].criteria[0].code
    assert (
        api.put(
            f"/audits/{audit.id}/self-assessment/{code}",
            user=people.company,
            json={"answer": "yes", "comment": "", "evidence_ids": [evidence.id]},
        ).status_code
        == 200
    )
    client.post(f"/audits/{audit.id}/pieces/{evidence.id}/supprimer")
    answer = api.get(f"/audits/{audit.id}", user=people.company).json["self_assessment"]
    assert [a["evidence_ids"] for a in answer if a["criterion_code"] == code] == [[]]


@pytest.mark.parametrize(
    "status", [AuditStatus.submitted, AuditStatus.in_review, AuditStatus.info_requested]
)
def test_once_submitted_the_evidence_is_frozen(client, login_as, people, audit_in, status):
    audit = audit_in(AuditStatus.draft)
    login_as(people.company)
    evidence = _attach(client, audit)
    from accelerator.audits.demo import drive_audit

    drive_audit(audit, status, people.company, people.manager, people.experts, None)
    db.session.commit()
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "/supprimer" not in page
    assert "les pièces sont figées pour l'examen" in page
    response = client.post(f"/audits/{audit.id}/pieces/{evidence.id}/supprimer")
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ses pièces sont figées pour l&#39;examen" in shown
    assert _evidence_count(audit) == 1


def test_others_get_404_and_other_roles_403(client, login_as, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    login_as(people.company)
    evidence = _attach(client, audit)
    client.post("/deconnexion")
    path = f"/audits/{audit.id}/pieces/{evidence.id}/supprimer"
    login_as(people.other_company)
    assert client.post(path).status_code == 404
    client.post("/deconnexion")
    login_as(people.manager)
    assert client.post(path).status_code == 403
    client.post("/deconnexion")
    login_as(people.company)
    assert client.post(f"/audits/{audit.id}/pieces/{evidence.id + 99}/supprimer").status_code == (
        404
    )
    other_audit = audit_in(AuditStatus.draft)
    assert client.post(f"/audits/{other_audit.id}/pieces/{evidence.id}/supprimer").status_code == (
        404
    )
    assert _evidence_count(audit) == 1


def test_a_colleague_of_the_company_may_remove_it(client, login_as, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    login_as(people.company)
    evidence = _attach(client, audit)
    client.post("/deconnexion")
    login_as(make_user(organization=people.company.organization))
    client.post(f"/audits/{audit.id}/pieces/{evidence.id}/supprimer")
    assert _evidence_count(audit) == 0


def test_the_api_removes_with_204_and_refuses_with_problems(api, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    upload = api.post(
        f"/audits/{audit.id}/evidence",
        user=people.company,
        data={"file": (io.BytesIO(PDF), "preuve.pdf")},
        content_type="multipart/form-data",
    )
    evidence_id = upload.json["id"]
    path = f"/audits/{audit.id}/evidence/{evidence_id}"
    assert api.delete(path, user=people.other_company).status_code == 404
    assert api.delete(path, user=people.manager).status_code == 403
    assert api.delete(path, user=people.company).status_code == 204
    assert api.delete(path, user=people.company).status_code == 404
    second = api.post(
        f"/audits/{audit.id}/evidence",
        user=people.company,
        data={"file": (io.BytesIO(PDF + b"%2"), "preuve.pdf")},
        content_type="multipart/form-data",
    ).json["id"]
    from accelerator.audits.demo import drive_audit

    drive_audit(audit, AuditStatus.submitted, people.company, people.manager, people.experts)
    db.session.commit()
    refused = api.delete(f"/audits/{audit.id}/evidence/{second}", user=people.company)
    assert refused.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert "figées" in refused.json["detail"]
