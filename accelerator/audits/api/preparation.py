"""Audits from the company's side: start, list, read, self-assess, evidence, renew."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from accelerator.accounts.models import Role
from accelerator.audits import operations, storage
from accelerator.audits.api.common import (
    FILE_BODY,
    READERS,
    STATUS_PARAMETER,
    visible_audit,
    visible_solution,
)
from accelerator.audits.models import Audit, Solution
from accelerator.audits.queries import with_effective_status
from accelerator.audits.schemas import (
    AnswerOut,
    AuditDetailOut,
    AuditIn,
    AuditSummaryOut,
    EvidenceListOut,
    EvidenceOut,
    SelfAssessmentIn,
    answer_out,
    audit_detail,
    audit_summary_out,
    evidence_out,
)
from accelerator.audits.states import AuditStatus
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import Invalid
from accelerator.core.openapi import documented
from accelerator.core.permissions import roles_required


@api.post("/audits")
@roles_required(Role.company)
@documented(body=AuditIn, response=AuditSummaryOut, status=201, errors=(409,))
def create_audit():
    """Start a draft audit of one of the company's solutions, on the version in force.

    409: an audit of this solution is in progress, or no version is in force."""
    data = load(AuditIn(), json_body())
    audit = operations.start_audit(current_user, visible_solution(data["solution_id"]))
    return audit_summary_out.dump(audit), 201


def _status_filter(statement, raw: str):
    if raw not in AuditStatus.codes():
        message = gettext("Unknown status.")
        raise Invalid(message, {"status": [message]})
    return with_effective_status(statement, AuditStatus(raw))


@api.get("/audits")
@roles_required(*READERS)
@documented(response=AuditSummaryOut, paginated=True, parameters=[STATUS_PARAMETER])
def list_audits():
    """The caller's visible audits (company its own, experts assigned, managers all),
    optionally of one effective status."""
    # One query per page for the solutions and their companies, not one per row.
    statement = (
        Audit.visible_to(current_user)
        .options(selectinload(Audit.solution).selectinload(Solution.organization))
        .order_by(Audit.id.desc())
    )
    if request.args.get("status"):
        statement = _status_filter(statement, request.args["status"])
    return paginate(statement, lambda rows: audit_summary_out.dump(rows, many=True))


@api.get("/audits/<int:audit_id>")
@roles_required(*READERS)
@documented(response=AuditDetailOut)
def get_audit(audit_id: int):
    """One audit as the caller may see it: status, solution, assignments, history,
    self-assessment, evidence, decisions, and the scores blind scoring lets them read."""
    return audit_detail(current_user, visible_audit(audit_id))


@api.put("/audits/<int:audit_id>/self-assessment/<criterion_code>")
@roles_required(Role.company)
@documented(body=SelfAssessmentIn, response=AnswerOut, errors=(409,))
def answer_criterion(audit_id: int, criterion_code: str):
    """The company's self-assessment on one criterion (draft or info_requested)."""
    audit = visible_audit(audit_id)
    data = load(SelfAssessmentIn(), json_body())
    row = operations.answer_criterion(
        current_user, audit, criterion_code, data["answer"], data["comment"], data["evidence_ids"]
    )
    return answer_out.dump(row)


@api.post("/audits/<int:audit_id>/evidence")
@roles_required(Role.company)
@documented(
    body=FILE_BODY,
    response=EvidenceOut,
    status=201,
    errors=(409, 413, 415),
    responses={200: "The same file was already attached: the existing evidence"},
)
def upload_evidence(audit_id: int):
    """Attach an evidence file (multipart field ``file``): PDF, PNG, JPEG, ODT, DOCX or CSV,
    checked by content, 20 MB at most."""
    audit = visible_audit(audit_id)
    upload = request.files.get("file")
    if upload is None:
        message = gettext("Send the file in the multipart field 'file'.")
        raise Invalid(message, {"file": [message]})
    evidence, created = operations.add_evidence(current_user, audit, upload.stream, upload.filename)
    return evidence_out.dump(evidence), 201 if created else 200


@api.get("/audits/<int:audit_id>/evidence")
@roles_required(*READERS)
@documented(response=EvidenceListOut)
def list_evidence(audit_id: int):
    """The audit's evidence files."""
    return {"items": evidence_out.dump(visible_audit(audit_id).evidence, many=True)}


@api.get("/audits/<int:audit_id>/evidence/<int:evidence_id>")
@roles_required(*READERS)
@documented(response="application/octet-stream")
def download_evidence(audit_id: int, evidence_id: int):
    """An evidence file, as an attachment (whoever may see the audit)."""
    evidence, path = operations.evidence_file(current_user, visible_audit(audit_id), evidence_id)
    return storage.attachment(evidence, path)


@api.delete("/audits/<int:audit_id>/evidence/<int:evidence_id>")
@roles_required(Role.company)
@documented(status=204, errors=(409,))
def remove_evidence(audit_id: int, evidence_id: int):
    """Remove an evidence file while the audit is in draft (its company).

    409 once the audit is submitted: the evidence is frozen for the review."""
    operations.remove_evidence(current_user, visible_audit(audit_id), evidence_id)
    return "", 204


@api.post("/audits/<int:audit_id>/renew")
@roles_required(Role.company)
@documented(response=AuditSummaryOut, status=201, errors=(409,))
def renew_audit(audit_id: int):
    """Renew an approval: a new draft on the version in force, prefilled from this one.

    409: not an approval, an audit in progress, or no version in force."""
    audit = operations.renew_audit(current_user, visible_audit(audit_id))
    return audit_summary_out.dump(audit), 201
