"""A company never reaches another company's solution, audit, evidence or result: every
such route answers 404, as for an object that does not exist."""

from __future__ import annotations

import io

import pytest

from accelerator.audits.states import AuditStatus
from tests.audits.test_evidence import PDF


@pytest.fixture
def foreign(api, people, audit_in):
    """An approved audit of ``people.company``, with one evidence file."""
    audit = audit_in(AuditStatus.draft)
    evidence = api.post(
        f"/audits/{audit.id}/evidence",
        user=people.company,
        data={"file": (io.BytesIO(PDF), "preuve.pdf")},
        content_type="multipart/form-data",
    ).json
    return audit, evidence["id"]


def test_another_company_reaches_nothing(api, people, foreign):
    audit, evidence_id = foreign
    intruder = people.other_company
    base = f"/audits/{audit.id}"
    requests = [
        ("get", f"/solutions/{audit.solution_id}", None),
        ("patch", f"/solutions/{audit.solution_id}", {"summary": "piraté"}),
        ("get", base, None),
        ("get", f"{base}/result", None),
        ("get", f"{base}/evidence", None),
        ("get", f"{base}/evidence/{evidence_id}", None),
        ("put", f"{base}/self-assessment/PEDA-01", {"answer": "yes"}),
        ("post", f"{base}/transitions", {"action": "withdraw"}),
        ("post", f"{base}/renew", None),
        ("post", "/audits", {"solution_id": audit.solution_id}),
    ]
    for method, path, body in requests:
        kwargs = {"json": body} if body is not None else {}
        response = getattr(api, method)(path, user=intruder, **kwargs)
        assert response.status_code == 404, (method, path, response.status_code)
    upload = api.post(
        f"{base}/evidence",
        user=intruder,
        data={"file": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 404
    for path in ("/audits", "/solutions"):
        assert api.get(path, user=intruder).json["total"] == 0


def test_evidence_ids_of_another_audit_are_refused(api, people, audit_in, foreign):
    audit, evidence_id = foreign
    mine = audit_in(AuditStatus.draft)
    response = api.put(
        f"/audits/{mine.id}/self-assessment/PEDA-01",
        user=people.company,
        json={"answer": "yes", "evidence_ids": [evidence_id]},
    )
    assert response.status_code == 422
    assert "evidence_ids" in response.json["errors"]
