"""The review: conflicts of interest, assignments, workload, scores, settlements, result and
report."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts.models import Organization, Role, User
from accelerator.audits import operations
from accelerator.audits.api.common import READERS, visible_audit
from accelerator.audits.models import ConflictOfInterest
from accelerator.audits.report import report_response
from accelerator.audits.results import compute_result
from accelerator.audits.schemas import (
    AssignmentIn,
    ConflictIn,
    LevelIn,
    WorkloadListOut,
    assignment_out,
    conflict_out,
    consolidation_out,
    result_out,
    score_out,
)
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import Forbidden, Invalid
from accelerator.core.permissions import roles_required
from accelerator.extensions import db

workload_out = WorkloadListOut()


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
    return conflict_out.dump(conflict), 201


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
    statement = ConflictOfInterest.visible_to(current_user).order_by(ConflictOfInterest.id)
    return paginate(statement, lambda rows: conflict_out.dump(rows, many=True))


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
    audit = visible_audit(audit_id)
    data = load(AssignmentIn(), json_body())
    expert = db.session.get(User, data["expert_id"])
    return assignment_out.dump(operations.assign_expert(current_user, audit, expert)), 201


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
    rows = operations.expert_workload()
    return workload_out.dump(
        {"items": [{"expert": user, "open_assignments": count} for user, count in rows]}
    )


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
    audit = visible_audit(audit_id)
    data = load(LevelIn(), json_body())
    row = operations.record_score(
        current_user, audit, criterion_code, data["level"], data["justification"]
    )
    return score_out.dump(row)


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
    return assignment_out.dump(operations.complete_scoring(current_user, visible_audit(audit_id)))


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
    audit = visible_audit(audit_id)
    data = load(LevelIn(), json_body())
    row = operations.consolidate_criterion(
        current_user, audit, criterion_code, data["level"], data["justification"]
    )
    return consolidation_out.dump(row)


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
    audit = visible_audit(audit_id)
    if not audit.can_read_results(current_user):
        raise Forbidden(
            gettext(
                "The result is available to the company once the committee has decided, "
                "and to an expert once their own scoring is finished."
            )
        )
    return result_out.dump(compute_result(audit).as_dict())


@api.get("/audits/<int:audit_id>/report.pdf")
@roles_required(*READERS)
def audit_report(audit_id: int):
    """The audit report.
    ---
    get:
      summary: The audit report as PDF (company once decided; experts after their pass; managers)
      tags: [audits]
      responses:
        200: {description: application/pdf}
        403: {description: Not yet (company before the decision, expert before their pass)}
        404: {description: Unknown or not visible}
    """
    return report_response(visible_audit(audit_id), current_user)
