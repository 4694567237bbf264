"""Solutions and audits API (API.md, "Solutions and audits").

Each route: role gate → lookup through ``visible_to`` (404 otherwise) → schema → operation
→ one commit. Every rule lives in ``operations``.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from accelerator.accounts.models import Organization, Role, User
from accelerator.audits import operations, storage
from accelerator.audits.models import Audit, ConflictOfInterest, Solution
from accelerator.audits.queries import with_effective_status
from accelerator.audits.report import report_response
from accelerator.audits.results import compute_result
from accelerator.audits.schemas import (
    AssignmentIn,
    AuditIn,
    ConflictIn,
    LevelIn,
    SelfAssessmentIn,
    SolutionIn,
    TransitionIn,
    assignment_out,
    audit_detail,
    audit_summary,
    evidence_out,
    solution_out,
)
from accelerator.audits.states import AuditStatus
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import Conflict, Forbidden, Invalid, NotFound
from accelerator.core.permissions import login_required, roles_required
from accelerator.core.problems import problem
from accelerator.extensions import db

#: roles that read solutions and audits at all (others get 403)
READERS = (Role.company, Role.expert, Role.manager, Role.admin)


def _commit() -> None:
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict(
            gettext("This audit was changed by someone else meanwhile; reload it and try again.")
        ) from None


def _not_found() -> NotFound:
    return NotFound(gettext("Nothing here, or not visible to you."))


def _solution(solution_id: int) -> Solution:
    solution = db.session.scalar(
        Solution.visible_to(current_user).where(Solution.id == solution_id)
    )
    if solution is None:
        raise _not_found()
    return solution


def _audit(audit_id: int) -> Audit:
    audit = db.session.scalar(Audit.visible_to(current_user).where(Audit.id == audit_id))
    if audit is None:
        raise _not_found()
    return audit


# Solutions


@api.post("/solutions")
@roles_required(Role.company)
def create_solution():
    """Describe a new solution.
    ---
    post:
      summary: Create a solution of the caller's company
      tags: [audits]
      responses:
        201: {description: The solution, with its slug}
        422: {description: Invalid fields}
    """
    values = load(SolutionIn(), json_body())
    solution = operations.create_solution(current_user, values)
    _commit()
    return solution_out.dump(solution), 201


@api.get("/solutions")
@roles_required(*READERS)
def list_solutions():
    """Solutions the caller may see.
    ---
    get:
      summary: The caller's visible solutions (company its own, experts assigned, managers all)
      tags: [audits]
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200: {description: A page of solutions}
    """
    statement = (
        Solution.visible_to(current_user)
        .options(selectinload(Solution.organization))
        .order_by(Solution.id)
    )
    return paginate(statement, lambda rows: solution_out.dump(rows, many=True))


@api.get("/solutions/<int:solution_id>")
@roles_required(*READERS)
def get_solution(solution_id: int):
    """One solution.
    ---
    get:
      summary: A solution (its company, managers, assigned experts)
      tags: [audits]
      responses:
        200: {description: The solution}
        404: {description: Unknown or not visible}
    """
    return solution_out.dump(_solution(solution_id))


@api.patch("/solutions/<int:solution_id>")
@roles_required(Role.company)
def update_solution(solution_id: int):
    """Change a solution.
    ---
    patch:
      summary: Change what the company says of its solution (the slug stays)
      tags: [audits]
      responses:
        200: {description: The solution}
        404: {description: Unknown or not the caller's}
        422: {description: Invalid fields}
    """
    solution = _solution(solution_id)
    values = load(SolutionIn(), json_body(), partial=True)
    solution = operations.update_solution(current_user, solution, values)
    _commit()
    return solution_out.dump(solution)


# Audits


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
    audit = operations.start_audit(current_user, _solution(data["solution_id"]))
    _commit()
    return audit_summary(audit), 201


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
    return paginate(statement, lambda rows: [audit_summary(a) for a in rows])


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
    return audit_detail(current_user, _audit(audit_id))


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
    audit = _audit(audit_id)
    data = load(SelfAssessmentIn(), json_body())
    row = operations.answer_criterion(
        current_user, audit, criterion_code, data["answer"], data["comment"], data["evidence_ids"]
    )
    _commit()
    return {
        "criterion_code": row.criterion_code,
        "answer": row.answer.value,
        "comment": row.comment,
        "evidence_ids": [e.id for e in row.evidence],
    }


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
    audit = _audit(audit_id)
    upload = request.files.get("file")
    if upload is None:
        message = gettext("Send the file in the multipart field 'file'.")
        raise Invalid(message, {"file": [message]})
    try:
        evidence, created = operations.add_evidence(
            current_user, audit, upload.stream, upload.filename
        )
    except storage.UploadRefused as refused:
        db.session.rollback()
        return problem(refused.status, detail=refused.message, errors={"file": [refused.message]})
    _commit()
    return evidence_out(evidence), 201 if created else 200


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
    return {"items": [evidence_out(e) for e in _audit(audit_id).evidence]}


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
    evidence, path = operations.evidence_file(current_user, _audit(audit_id), evidence_id)
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
    audit = operations.renew_audit(current_user, _audit(audit_id))
    _commit()
    return audit_summary(audit), 201


@api.post("/audits/<int:audit_id>/transitions")
@login_required
def transition_audit(audit_id: int):
    """Move an audit through its workflow.
    ---
    post:
      summary: "Apply an action: submit, withdraw, declare_inadmissible, admit, request_info,
        respond, send_to_committee, decide, suspend, reinstate, appeal, reopen"
      tags: [audits]
      responses:
        200: {description: The audit}
        403: {description: The caller's role may never take this action}
        404: {description: Unknown or not visible}
        409: {description: Refused in the audit's state (the reason is the detail)}
        422: {description: Unknown action or invalid fields}
    """
    data = load(TransitionIn(), json_body())
    if not operations.role_may(current_user, data["action"]):
        raise Forbidden(gettext("Your role does not allow this action."))
    audit = operations.apply_transition(
        current_user,
        _audit(audit_id),
        data["action"],
        data["comment"],
        outcome=data["outcome"],
        motivation=data["motivation"],
        conditions=data["conditions"],
        valid_until=data["valid_until"],
    )
    _commit()
    return audit_detail(current_user, audit)


# Review: conflicts, assignments, scores, settlements, result


def _conflict_out(conflict: ConflictOfInterest) -> dict:
    return {
        "id": conflict.id,
        "expert": {"id": conflict.expert.id, "full_name": conflict.expert.full_name},
        "organization": {"id": conflict.organization.id, "name": conflict.organization.name},
        "reason": conflict.reason,
        "declared_at": conflict.declared_at.isoformat(),
    }


@api.post("/conflicts")
@roles_required(Role.expert)
def declare_conflict():
    """Declare a conflict of interest.
    ---
    post:
      summary: An expert declares they cannot audit an organization's solutions
      tags: [audits]
      responses:
        201: {description: The declaration}
        409: {description: Already declared}
        422: {description: Unknown organization or missing reason}
    """
    data = load(ConflictIn(), json_body())
    organization = db.session.get(Organization, data["organization_id"])
    if organization is None:
        message = gettext("Unknown organization.")
        raise Invalid(message, {"organization_id": [message]})
    conflict = operations.declare_conflict(current_user, organization, data["reason"])
    _commit()
    return _conflict_out(conflict), 201


@api.get("/conflicts")
@roles_required(Role.expert, Role.manager, Role.admin)
def list_conflicts():
    """Conflicts of interest.
    ---
    get:
      summary: The caller's declarations (expert), or all of them (manager)
      tags: [audits]
      responses:
        200: {description: A page of declarations}
    """
    statement = db.select(ConflictOfInterest).order_by(ConflictOfInterest.id)
    if current_user.role == Role.expert:
        statement = statement.where(ConflictOfInterest.expert_id == current_user.id)
    return paginate(statement, lambda rows: [_conflict_out(c) for c in rows])


@api.post("/audits/<int:audit_id>/assignments")
@roles_required(Role.manager)
def assign_expert(audit_id: int):
    """Assign an expert.
    ---
    post:
      summary: A manager assigns an expert to an audit
      tags: [audits]
      responses:
        201: {description: The assignment}
        409: {description: Conflict of interest, already assigned, or wrong state}
        422: {description: Not an expert}
    """
    audit = _audit(audit_id)
    data = load(AssignmentIn(), json_body())
    assignment = operations.assign_expert(
        current_user, audit, db.session.get(User, data["expert_id"])
    )
    _commit()
    return assignment_out(assignment), 201


@api.get("/experts/workload")
@roles_required(Role.manager, Role.admin)
def expert_workload():
    """Experts' workload.
    ---
    get:
      summary: Each active expert with their number of assignments on open audits
      tags: [audits]
      responses:
        200: {description: "{items: [{expert, open_assignments}]}"}
    """
    return {
        "items": [
            {
                "expert": {"id": user.id, "full_name": user.full_name, "email": user.email},
                "open_assignments": count,
            }
            for user, count in operations.expert_workload()
        ]
    }


@api.put("/audits/<int:audit_id>/scores/<criterion_code>")
@roles_required(Role.expert)
def record_score(audit_id: int, criterion_code: str):
    """Score a criterion.
    ---
    put:
      summary: An assigned expert's level (0..3) and justification (20 characters or more)
      tags: [audits]
      responses:
        200: {description: The score}
        404: {description: Unknown or not assigned audit, or unknown criterion}
        409: {description: The audit is not in review}
        422: {description: Invalid level or justification}
    """
    audit = _audit(audit_id)
    data = load(LevelIn(), json_body())
    row = operations.record_score(
        current_user, audit, criterion_code, data["level"], data["justification"]
    )
    _commit()
    return {
        "criterion_code": row.criterion_code,
        "expert_id": row.expert_id,
        "level": row.level,
        "justification": row.justification,
    }


@api.post("/audits/<int:audit_id>/scores/complete")
@roles_required(Role.expert)
def complete_scoring(audit_id: int):
    """Declare one's first pass finished.
    ---
    post:
      summary: The expert scored every applicable criterion; the others' levels open to them
      tags: [audits]
      responses:
        200: {description: The assignment}
        409: {description: Criteria left to score, already declared, or not in review}
    """
    assignment = operations.complete_scoring(current_user, _audit(audit_id))
    _commit()
    return assignment_out(assignment)


@api.put("/audits/<int:audit_id>/consolidation/<criterion_code>")
@roles_required(Role.manager)
def consolidate_criterion(audit_id: int, criterion_code: str):
    """Settle a divergence.
    ---
    put:
      summary: A manager settles the level of a criterion on which experts diverge
      tags: [audits]
      responses:
        200: {description: The settled level}
        409: {description: No divergence on this criterion, or wrong state}
        422: {description: Invalid level or justification}
    """
    audit = _audit(audit_id)
    data = load(LevelIn(), json_body())
    row = operations.consolidate_criterion(
        current_user, audit, criterion_code, data["level"], data["justification"]
    )
    _commit()
    return {
        "criterion_code": row.criterion_code,
        "level": row.level,
        "justification": row.justification,
    }


@api.get("/audits/<int:audit_id>/result")
@roles_required(*READERS)
def audit_result(audit_id: int):
    """The audit's result.
    ---
    get:
      summary: "{overall_score, domains, eliminatory_failures, divergences, recommendation}"
      tags: [audits]
      responses:
        200: {description: The result}
        403: {description: Not yet (company before the decision, expert before their pass)}
        404: {description: Unknown or not visible}
    """
    audit = _audit(audit_id)
    if not audit.can_read_results(current_user):
        raise Forbidden(
            gettext(
                "The result is available to the company once the committee has decided, "
                "and to an expert once their own scoring is finished."
            )
        )
    return compute_result(audit).as_dict()


@api.get("/audits/<int:audit_id>/report.pdf")
@roles_required(*READERS)
def audit_report(audit_id: int):
    """The audit report.
    ---
    get:
      summary: The audit report as PDF (company once decided; assigned experts; managers)
      tags: [audits]
      responses:
        200: {description: application/pdf}
        403: {description: Not yet (company before the decision, expert before their pass)}
        404: {description: Unknown or not visible}
    """
    return report_response(_audit(audit_id), current_user)


@api.put("/solutions/<int:solution_id>/logo")
@roles_required(Role.company)
def upload_logo(solution_id: int):
    """Set a solution's logo.
    ---
    put:
      summary: "Upload the logo (multipart field 'file'): PNG or JPEG, 1 MB at most"
      tags: [audits]
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {file: {type: string, format: binary}}}
      responses:
        200: {description: The solution, with its logo_url}
        413: {description: Larger than 1 MB}
        415: {description: Not a PNG or JPEG image (checked by content)}
    """
    solution = _solution(solution_id)
    upload = request.files.get("file")
    if upload is None:
        message = gettext("Send the file in the multipart field 'file'.")
        raise Invalid(message, {"file": [message]})
    try:
        operations.set_solution_logo(current_user, solution, upload.stream)
    except storage.UploadRefused as refused:
        db.session.rollback()
        return problem(refused.status, detail=refused.message, errors={"file": [refused.message]})
    _commit()
    return solution_out.dump(solution)
