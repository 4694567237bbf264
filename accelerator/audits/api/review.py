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
    AssignmentOut,
    ConflictIn,
    ConflictOut,
    ConsolidationOut,
    LevelIn,
    ResultOut,
    ScoreOut,
    WorkloadListOut,
    assignment_out,
    conflict_out,
    consolidation_out,
    result_out,
    score_out,
)
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import Forbidden, Invalid
from accelerator.core.openapi import documented
from accelerator.core.permissions import guarded_by, roles_required
from accelerator.extensions import db

workload_out = WorkloadListOut()


@api.post("/conflicts")
@roles_required(Role.expert)
@documented(body=ConflictIn, response=ConflictOut, status=201, errors=(409,))
def declare_conflict():
    """An expert declares they cannot audit an organization's solutions."""
    data = load(ConflictIn(), json_body())
    organization = db.session.get(Organization, data["organization_id"])
    if organization is None:
        message = gettext("Unknown organization.")
        raise Invalid(message, {"organization_id": [message]})
    conflict = operations.declare_conflict(current_user, organization, data["reason"])
    return conflict_out.dump(conflict), 201


@api.get("/conflicts")
@roles_required(Role.expert, Role.manager, Role.admin)
@documented(response=ConflictOut, paginated=True)
def list_conflicts():
    """Conflicts of interest: the caller's declarations (expert), or all of them (manager)."""
    statement = ConflictOfInterest.visible_to(current_user).order_by(ConflictOfInterest.id)
    return paginate(statement, lambda rows: conflict_out.dump(rows, many=True))


@api.post("/audits/<int:audit_id>/assignments")
@roles_required(Role.manager)
@documented(body=AssignmentIn, response=AssignmentOut, status=201, errors=(409,))
def assign_expert(audit_id: int):
    """A manager assigns an expert to an audit.

    409: conflict of interest, already assigned, or not in a state that takes experts."""
    audit = visible_audit(audit_id)
    data = load(AssignmentIn(), json_body())
    expert = db.session.get(User, data["expert_id"])
    return assignment_out.dump(operations.assign_expert(current_user, audit, expert)), 201


@api.get("/experts/workload")
@roles_required(Role.manager, Role.admin)
@documented(response=WorkloadListOut)
def expert_workload():
    """Each active expert with their number of assignments on open audits."""
    rows = operations.expert_workload()
    return workload_out.dump(
        {"items": [{"expert": user, "open_assignments": count} for user, count in rows]}
    )


@api.put("/audits/<int:audit_id>/scores/<criterion_code>")
@roles_required(Role.expert)
@documented(body=LevelIn, response=ScoreOut, errors=(409,))
def record_score(audit_id: int, criterion_code: str):
    """An assigned expert's level (0..3) on a criterion, with a justification of 20
    characters or more (audit in review)."""
    audit = visible_audit(audit_id)
    data = load(LevelIn(), json_body())
    row = operations.record_score(
        current_user, audit, criterion_code, data["level"], data["justification"]
    )
    return score_out.dump(row)


@api.post("/audits/<int:audit_id>/scores/complete")
@roles_required(Role.expert)
@documented(response=AssignmentOut, errors=(409,))
def complete_scoring(audit_id: int):
    """The expert declares their first pass finished: the others' levels open to them."""
    return assignment_out.dump(operations.complete_scoring(current_user, visible_audit(audit_id)))


@api.put("/audits/<int:audit_id>/consolidation/<criterion_code>")
@roles_required(Role.manager)
@documented(body=LevelIn, response=ConsolidationOut, errors=(409,))
def consolidate_criterion(audit_id: int, criterion_code: str):
    """A manager settles the level of a criterion on which the experts diverge."""
    audit = visible_audit(audit_id)
    data = load(LevelIn(), json_body())
    row = operations.consolidate_criterion(
        current_user, audit, criterion_code, data["level"], data["justification"]
    )
    return consolidation_out.dump(row)


@api.get("/audits/<int:audit_id>/result")
@roles_required(*READERS)
@guarded_by("Audit.can_read_results")
@documented(response=ResultOut)
def audit_result(audit_id: int):
    """The audit's result: overall score, domains, eliminatory and domain floor failures,
    divergences, recommendation.

    403 until the committee decided (company) or the expert's own pass is finished."""
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
@guarded_by("Audit.can_download_report")
@documented(response="application/pdf")
def audit_report(audit_id: int):
    """The audit report as PDF, for whoever may read the result (``Audit.can_download_report``)."""
    return report_response(visible_audit(audit_id), current_user)
