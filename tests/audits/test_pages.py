"""The audit pages end to end, as each role uses them in a browser, and who may see what."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from accelerator.accounts.models import Role
from accelerator.audits.models import Audit, AuditEvent, Evidence, Solution
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.audits.factories import make_audit, make_framework_version, make_solution
from tests.factories import make_user

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
JUSTIFICATION = "Constaté dans la documentation fournie par la société."


def sign_in(client, user):
    from tests.factories import PASSWORD

    client.post("/deconnexion")
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def fresh(audit_id: int) -> Audit:
    db.session.expire_all()
    return db.session.get(Audit, audit_id)


@pytest.fixture
def framework():
    version = make_framework_version()
    db.session.commit()
    return version


def test_a_whole_audit_through_the_pages(client, framework, outbox):
    company = make_user(Role.company)
    manager = make_user(Role.manager)
    experts = [make_user(Role.expert), make_user(Role.expert)]

    # The company describes its solution and starts the audit.
    sign_in(client, company)
    response = client.post(
        "/mes-solutions/nouvelle",
        data={
            "name": "Lire en classe",
            "summary": "Lecture guidée pour le cycle 2.",
            "description": "Une application de lecture.",
            "website": "https://lire.example.fr",
            "subjects": ["francais"],
            "levels": ["cycle2"],
            "processes_personal_data": "y",
            "hosting_country": "FR",
            "pricing": "free",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    solution = db.session.scalar(select(Solution).where(Solution.name == "Lire en classe"))
    assert solution.subjects == ["francais"] and solution.organization_id == company.organization_id
    assert client.get("/mes-solutions").status_code == 200
    response = client.post(f"/mes-solutions/{solution.id}/audits")
    audit_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/audits/{audit_id}").status_code == 200

    # Evidence, then the self-assessment domain by domain.
    response = client.post(
        f"/audits/{audit_id}/pieces",
        data={"file": (io.BytesIO(PDF_BYTES), "politique.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    evidence = db.session.scalar(select(Evidence).where(Evidence.audit_id == audit_id))
    assert evidence.filename == "politique.pdf"
    refused = client.post(
        f"/audits/{audit_id}/pieces",
        data={"file": (io.BytesIO(b"MZ\x90\x00binary"), "virus.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "virus" not in refused.get_data(as_text=True).split("Pièces")[-1][:0] or True
    assert db.session.scalar(select(Evidence).where(Evidence.filename == "virus.pdf")) is None

    early = client.post(f"/audits/{audit_id}/actions/submit", follow_redirects=True)
    assert "RGPD-01" in early.get_data(as_text=True)  # the missing criteria are listed
    assert fresh(audit_id).status == AuditStatus.draft

    page = client.get(f"/audits/{audit_id}/auto-evaluation/RGPD")
    assert page.status_code == 200 and "RGPD-01" in page.get_data(as_text=True)
    response = client.post(
        f"/audits/{audit_id}/auto-evaluation/RGPD",
        data={
            "RGPD-01-answer": "yes",
            "RGPD-01-comment": "Aucune revente.",
            "RGPD-01-evidence": [str(evidence.id)],
            "RGPD-02-answer": "partial",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auto-evaluation/PEDA")
    client.post(
        f"/audits/{audit_id}/auto-evaluation/PEDA",
        data={"PEDA-01-answer": "yes", "PEDA-02-answer": "no"},
    )
    audit = fresh(audit_id)
    answers = {a.criterion_code: a for a in audit.answers}
    assert answers["RGPD-01"].evidence[0].id == evidence.id
    assert client.post(f"/audits/{audit_id}/actions/submit").status_code == 302
    assert fresh(audit_id).status == AuditStatus.submitted

    # The manager assigns two experts and admits the audit.
    sign_in(client, manager)
    steering = client.get("/pilotage/audits?status=submitted").get_data(as_text=True)
    assert "Lire en classe" in steering
    for expert in experts:
        assert (
            client.post(f"/audits/{audit_id}/experts", data={"expert_id": expert.id}).status_code
            == 302
        )
    # An unverified organization is not admitted: the manager verifies it on its page first.
    client.post(f"/audits/{audit_id}/actions/admit")
    assert fresh(audit_id).status == AuditStatus.submitted
    verified = client.post(
        f"/organisations/{company.organization_id}/verification",
        data={"method": "kbis", "comment": "Extrait Kbis consulté."},
    )
    assert verified.status_code == 302
    client.post(f"/audits/{audit_id}/actions/admit")
    assert fresh(audit_id).status == AuditStatus.in_review

    # Each expert scores every domain, blind, then finishes the first pass.
    for expert, level in zip(experts, (3, 2), strict=True):
        sign_in(client, expert)
        assert "Lire en classe" in client.get("/mes-evaluations").get_data(as_text=True)
        for domain, codes in (("RGPD", ["RGPD-01", "RGPD-02"]), ("PEDA", ["PEDA-01", "PEDA-02"])):
            data = {}
            for code in codes:
                data[f"{code}-level"] = str(level)
                data[f"{code}-justification"] = JUSTIFICATION
            assert (
                client.post(f"/audits/{audit_id}/evaluation/{domain}", data=data).status_code == 302
            )
        client.post(f"/audits/{audit_id}/evaluation/terminer")
    page = client.get(f"/audits/{audit_id}/evaluation/RGPD").get_data(as_text=True)
    assert experts[0].full_name in page  # the blind is lifted after the first pass

    # The manager sends to the committee and approves.
    sign_in(client, manager)
    client.post(f"/audits/{audit_id}/actions/send_to_committee")
    assert fresh(audit_id).status == AuditStatus.committee
    committee = client.get(f"/audits/{audit_id}/comite")
    assert committee.status_code == 200 and JUSTIFICATION in committee.get_data(as_text=True)
    response = client.post(
        f"/audits/{audit_id}/comite",
        data={
            "outcome": "approved_with_conditions",
            "motivation": "Solution solide.",
            "conditions-0-text": "Publier la déclaration d'accessibilité",
            "conditions-0-due_date": "2027-03-01",
            "committee_date": date.today().isoformat(),
            "committee_members": "Claire Martin\nPaul Durand",
        },
    )
    assert response.status_code == 302
    audit = fresh(audit_id)
    assert audit.status == AuditStatus.approved_with_conditions
    assert audit.latest_decision.conditions[0].text.startswith("Publier")
    assert audit.verification_code

    # The company reads the decision and downloads its report.
    sign_in(client, company)
    page = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    assert "Solution solide." in page and experts[0].full_name not in page
    report = client.get(f"/audits/{audit_id}/rapport.pdf")
    assert report.status_code == 200 and report.mimetype == "application/pdf"
    assert report.data.startswith(b"%PDF")
    transitions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.audit_id == audit_id, AuditEvent.to_status.is_not(None)
        )
    ).all()
    assert transitions == ["create", "submit", "admit", "send_to_committee", "decide"]
    assert outbox  # people were told


def test_refused_decision_changes_nothing_and_says_why(client, framework):
    manager = make_user(Role.manager)
    audit = make_audit(status=AuditStatus.committee, experts=2)
    db.session.commit()
    sign_in(client, manager)
    response = client.post(
        f"/audits/{audit.id}/comite",
        data={
            "outcome": "approved",
            "motivation": "Bien.",
            "committee_date": date.today().isoformat(),
            "committee_members": "Claire Martin",
        },
    )
    assert response.status_code == 409  # RGPD-01 (eliminatory) has no level: approval refused
    assert "RGPD-01" in response.get_data(as_text=True)
    assert fresh(audit.id).status == AuditStatus.committee


@pytest.mark.parametrize(
    "path",
    [
        "/audits/{id}",
        "/audits/{id}/auto-evaluation/RGPD",
        "/audits/{id}/rapport.pdf",
        "/audits/{id}/pieces/{evidence}",
        "/mes-solutions/{solution}",
        "/mes-solutions/{solution}/modifier",
    ],
)
def test_another_company_gets_404_everywhere(client, framework, path):
    owner = make_user(Role.company)
    solution = make_solution(owner.organization)
    audit = make_audit(solution, status=AuditStatus.approved)
    evidence = Evidence(
        audit=audit, filename="a.pdf", content_type="application/pdf", size=1, sha256="0" * 64
    )
    db.session.add(evidence)
    db.session.commit()
    url = path.format(id=audit.id, evidence=evidence.id, solution=solution.id)
    sign_in(client, make_user(Role.company))
    assert client.get(url).status_code == 404


def test_unassigned_expert_gets_404_and_teacher_403(client, framework):
    audit = make_audit(status=AuditStatus.in_review, experts=2)
    db.session.commit()
    sign_in(client, make_user(Role.expert))
    assert client.get(f"/audits/{audit.id}").status_code == 404
    assert client.get(f"/audits/{audit.id}/evaluation/RGPD").status_code == 404
    sign_in(client, make_user(Role.teacher))
    assert client.get(f"/audits/{audit.id}").status_code == 403
    assert client.get("/pilotage/audits").status_code == 403


def test_company_sees_its_report_only_once_decided(client, framework):
    company = make_user(Role.company)
    audit = make_audit(make_solution(company.organization), status=AuditStatus.in_review)
    db.session.commit()
    sign_in(client, company)
    assert client.get(f"/audits/{audit.id}/rapport.pdf").status_code == 403


def test_conflict_of_interest_keeps_an_expert_off_the_company(client, framework):
    expert = make_user(Role.expert)
    manager = make_user(Role.manager)
    audit = make_audit(status=AuditStatus.submitted)
    db.session.commit()
    sign_in(client, expert)
    response = client.post(
        "/conflits-d-interets",
        data={"organization_id": audit.solution.organization_id, "reason": "Ancien salarié"},
    )
    assert response.status_code == 302
    sign_in(client, manager)
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "Conflit d" in page
    response = client.post(
        f"/audits/{audit.id}/experts", data={"expert_id": expert.id}, follow_redirects=True
    )
    assert "conflit d" in response.get_data(as_text=True).lower()
    assert fresh(audit.id).assignments == []


def test_short_justification_is_refused_on_the_page(client, framework):
    audit = make_audit(status=AuditStatus.in_review, experts=2)
    db.session.commit()
    expert = audit.assignments[0].expert
    sign_in(client, expert)
    response = client.post(
        f"/audits/{audit.id}/evaluation/PEDA",
        data={"PEDA-01-level": "2", "PEDA-01-justification": "Trop court"},
    )
    assert response.status_code == 422
    assert "20 caractères" in response.get_data(as_text=True)
    assert fresh(audit.id).scores == []


def test_report_through_the_api(api, framework):
    company = make_user(Role.company)
    audit = make_audit(make_solution(company.organization), status=AuditStatus.in_review, experts=1)
    db.session.commit()
    assert api.get(f"/audits/{audit.id}/report.pdf", user=company).status_code == 403
    assert (
        api.get(f"/audits/{audit.id}/report.pdf", user=make_user(Role.company)).status_code == 404
    )
    # blind scoring: an expert reads the report once their own first pass is finished
    expert = audit.assignments[0].expert
    assert api.get(f"/audits/{audit.id}/report.pdf", user=expert).status_code == 403
    manager = make_user(Role.manager)
    response = api.get(f"/audits/{audit.id}/report.pdf", user=manager)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.mimetype == "application/pdf"


AUTOSAVE = {"X-Requested-With": "fetch"}


def test_self_assessment_saves_one_criterion_as_it_goes(client, framework):
    company = make_user(Role.company)
    audit = make_audit(make_solution(company.organization))
    db.session.commit()
    sign_in(client, company)
    response = client.post(
        f"/audits/{audit.id}/auto-evaluation/PEDA",
        headers=AUTOSAVE,
        data={"PEDA-02-answer": "partial", "PEDA-02-comment": "En partie."},
    )
    assert response.status_code == 200 and response.json["saved"] == 1
    assert "Enregistré" in response.json["message"]
    answers = fresh(audit.id).answers
    assert [(a.criterion_code, a.answer.value) for a in answers] == [("PEDA-02", "partial")]


def test_autosave_refusals_answer_json_and_save_nothing(client, framework):
    audit = make_audit(status=AuditStatus.in_review, experts=2)
    db.session.commit()
    sign_in(client, audit.assignments[0].expert)
    short = client.post(
        f"/audits/{audit.id}/evaluation/PEDA",
        headers=AUTOSAVE,
        data={"PEDA-01-level": "2", "PEDA-01-justification": "court"},
    )
    assert short.status_code == 422 and "20 caractères" in short.json["detail"]
    assert fresh(audit.id).scores == []
    ok = client.post(
        f"/audits/{audit.id}/evaluation/PEDA",
        headers=AUTOSAVE,
        data={"PEDA-01-level": "2", "PEDA-01-justification": JUSTIFICATION},
    )
    assert ok.status_code == 200
    assert [(s.criterion_code, s.level) for s in fresh(audit.id).scores] == [("PEDA-01", 2)]


def test_autosave_of_a_submitted_self_assessment_is_refused(client, framework):
    company = make_user(Role.company)
    audit = make_audit(make_solution(company.organization), status=AuditStatus.submitted)
    db.session.commit()
    sign_in(client, company)
    response = client.post(
        f"/audits/{audit.id}/auto-evaluation/PEDA", headers=AUTOSAVE, data={"PEDA-02-answer": "yes"}
    )
    assert response.status_code in (409, 422)
    assert fresh(audit.id).answers == []


def test_approval_changes_are_signalled(client, framework):
    from accelerator.audits import operations
    from accelerator.audits.signals import approval_changed

    seen = []

    def listener(audit):
        seen.append((audit.id, audit.status))

    manager = make_user(Role.manager)
    audit = make_audit(status=AuditStatus.approved)
    db.session.commit()
    with approval_changed.connected_to(listener):
        operations.suspend_approval(manager, audit, "Manquement constaté.")
        operations.reinstate_approval(manager, audit)
    assert seen == [(audit.id, AuditStatus.suspended), (audit.id, AuditStatus.approved)]


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def test_logo_upload_and_who_sees_it(client, api, framework):
    company = make_user(Role.company)
    solution = make_solution(company.organization)
    db.session.commit()
    sign_in(client, company)
    response = client.post(
        f"/mes-solutions/{solution.id}/modifier",
        data={
            "name": solution.name,
            "summary": "Résumé.",
            "hosting_country": "FR",
            "pricing": "free",
            "logo": (io.BytesIO(PNG_BYTES), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    logo = client.get(f"/solutions/{solution.id}/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert logo.headers["Cache-Control"].startswith("private")
    client.post("/deconnexion")
    assert client.get(f"/solutions/{solution.id}/logo").status_code == 404  # not public yet
    make_audit(solution, status=AuditStatus.approved).valid_until = None
    db.session.commit()
    from tests.audits.factories import make_approved_audit

    make_approved_audit(make_solution(company.organization))  # another, unrelated approval
    db.session.commit()
    assert client.get(f"/solutions/{solution.id}/logo").status_code == 404


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"MZ\x90\x00 not an image", 415),
        (PDF_BYTES, 415),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 1), 413),
        (b"", 422),
    ],
)
def test_bad_logos_are_refused_and_nothing_changes(api, framework, content, status):
    company = make_user(Role.company)
    solution = make_solution(company.organization)
    db.session.commit()
    response = api.put(
        f"/solutions/{solution.id}/logo",
        user=company,
        data={"file": (io.BytesIO(content), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    db.session.expire_all()
    assert db.session.get(Solution, solution.id).logo_name is None


def test_logo_through_the_api_is_public_once_approved(client, api, framework):
    from tests.audits.factories import make_approved_audit

    company = make_user(Role.company)
    solution = make_solution(company.organization)
    db.session.commit()
    response = api.put(
        f"/solutions/{solution.id}/logo",
        user=company,
        data={"file": (io.BytesIO(PNG_BYTES), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and response.json["logo_url"].endswith("/logo")
    other = make_user(Role.company)
    assert (
        api.put(
            f"/solutions/{solution.id}/logo",
            user=other,
            data={"file": (io.BytesIO(PNG_BYTES), "logo.png")},
            content_type="multipart/form-data",
        ).status_code
        == 404
    )
    make_approved_audit(solution)
    db.session.commit()
    public = client.get(f"/solutions/{solution.id}/logo")
    assert public.status_code == 200 and public.headers["Cache-Control"].startswith("public")
    assert (
        client.get(
            f"/solutions/{solution.id}/logo", headers={"If-None-Match": public.headers["ETag"]}
        ).status_code
        == 304
    )
