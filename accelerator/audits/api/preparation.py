"""Audits from the company's side: start, list, read, self-assess, evidence, renew."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from accelerator.accounts.models import Role
from accelerator.audits import operations, storage
from accelerator.audits.api.common import READERS, visible_audit, visible_solution
from accelerator.audits.models import Audit, Solution
from accelerator.audits.queries import with_effective_status
from accelerator.audits.schemas import (
    AuditIn,
    SelfAssessmentIn,
    answer_out,
    audit_detail,
    audit_summary_out,
    evidence_out,
)
from accelerator.audits.states import AuditStatus
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import Invalid
from accelerator.core.permissions import roles_required


@api.post("/audits")
@roles_required(Role.company)
def create_audit():
    """Start an audit.
    ---
    post:
      summary: Start a draft audit of one of the company's solutions, on the version in force
      tags: [audits]
      responses:
        201: {description: "{id, status: draft, framework_version_id, ...}"}
        404: {description: Unknown solution or not the caller's}
        409: {description: An audit of this solution is in progress, or no version is in force}
    """
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
def list_audits():
    """Audits the caller may see.
    ---
    get:
      summary: The caller's visible audits (company its own, experts assigned, managers all)
      tags: [audits]
      parameters:
        - {name: status, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200: {description: A page of audits}
        422: {description: Unknown status or bad paging}
    """
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
def get_audit(audit_id: int):
    """One audit, as the caller may see it.
    ---
    get:
      summary: Status, solution, assignments, history, self-assessment, evidence, decision, scores
      tags: [audits]
      responses:
        200: {description: The audit}
        404: {description: Unknown or not visible}
    """
    return audit_detail(current_user, visible_audit(audit_id))


@api.put("/audits/<int:audit_id>/self-assessment/<criterion_code>")
@roles_required(Role.company)
def answer_criterion(audit_id: int, criterion_code: str):
    """Answer one criterion.
    ---
    put:
      summary: The company's self-assessment on one criterion (draft or info_requested)
      tags: [audits]
      responses:
        200: {description: The answer}
        404: {description: Unknown audit or criterion}
        409: {description: The audit is not editable now}
        422: {description: Invalid fields, or evidence of another audit}
    """
    audit = visible_audit(audit_id)
    data = load(SelfAssessmentIn(), json_body())
    row = operations.answer_criterion(
        current_user, audit, criterion_code, data["answer"], data["comment"], data["evidence_ids"]
    )
    return answer_out.dump(row)


@api.post("/audits/<int:audit_id>/evidence")
@roles_required(Role.company)
def upload_evidence(audit_id: int):
    """Attach an evidence file.
    ---
    post:
      summary: "Upload a file (multipart field 'file'): PDF, PNG, JPEG, ODT, DOCX or CSV, 20 MB"
      tags: [audits]
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {file: {type: string, format: binary}}}
      responses:
        201: {description: "{id, filename, size, sha256}"}
        200: {description: The same file was already attached; the existing evidence}
        413: {description: Larger than 20 MB}
        415: {description: Not an accepted type (checked by content)}
        422: {description: No file or an empty file}
    """
    audit = visible_audit(audit_id)
    upload = request.files.get("file")
    if upload is None:
        message = gettext("Send the file in the multipart field 'file'.")
        raise Invalid(message, {"file": [message]})
    evidence, created = operations.add_evidence(current_user, audit, upload.stream, upload.filename)
    return evidence_out.dump(evidence), 201 if created else 200


@api.get("/audits/<int:audit_id>/evidence")
@roles_required(*READERS)
def list_evidence(audit_id: int):
    """Evidence of an audit.
    ---
    get:
      summary: The audit's evidence files
      tags: [audits]
      responses:
        200: {description: "[{id, filename, size, sha256, content_type}]"}
    """
    return {"items": evidence_out.dump(visible_audit(audit_id).evidence, many=True)}


@api.get("/audits/<int:audit_id>/evidence/<int:evidence_id>")
@roles_required(*READERS)
def download_evidence(audit_id: int, evidence_id: int):
    """Download an evidence file.
    ---
    get:
      summary: The file, as an attachment (those who may see the audit)
      tags: [audits]
      responses:
        200: {description: The file}
        404: {description: Unknown or not visible}
    """
    evidence, path = operations.evidence_file(current_user, visible_audit(audit_id), evidence_id)
    return storage.attachment(evidence, path)


@api.post("/audits/<int:audit_id>/renew")
@roles_required(Role.company)
def renew_audit(audit_id: int):
    """Renew an approval.
    ---
    post:
      summary: A new draft audit on the version in force, prefilled from this one's answers
      tags: [audits]
      responses:
        201: {description: The new audit}
        409: {description: Not an approval, an audit in progress, or no version in force}
    """
    audit = operations.renew_audit(current_user, visible_audit(audit_id))
    return audit_summary_out.dump(audit), 201
