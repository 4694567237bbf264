"""The experts' and managers' side: conflicts of interest, assignments, blind scoring,
settling divergences."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import delete, func, select

from accelerator.accounts.models import Organization, Role, User
from accelerator.audits import notifications
from accelerator.audits.models import (
    Assignment,
    Audit,
    ConflictOfInterest,
    Consolidation,
    Score,
    Solution,
)
from accelerator.audits.operations.common import (
    carried_over_conflict,
    insert_guarded,
    lock_audit,
    record_event,
    require_role,
    require_visible,
)
from accelerator.audits.results import applicable_codes, expert_levels, is_divergent
from accelerator.audits.states import (
    ASSIGNABLE_STATES,
    CONSOLIDATION_STATES,
    OPEN_STATES,
    AuditAction,
    AuditStatus,
)
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Invalid, NotFound
from accelerator.extensions import db


def declare_conflict(actor: User, organization: Organization, reason: str) -> ConflictOfInterest:
    """An expert declares they cannot audit this organization's solutions."""
    require_role(actor, Role.expert)
    conflict = ConflictOfInterest(
        expert_id=actor.id, organization_id=organization.id, reason=reason
    )
    if not insert_guarded(conflict):
        raise Conflict(
            gettext("You already declared a conflict of interest with this organization.")
        )
    _withdraw_from_audits_of(actor, organization, reason)
    return conflict


def _withdraw_from_audits_of(expert: User, organization: Organization, reason: str) -> None:
    """A conflict declared after an assignment: the expert leaves every open audit of the
    organization (their levels there no longer count), with a history row, and the manager
    who assigned them (every manager when that one is gone) is told by email."""
    assignments = db.session.scalars(
        select(Assignment)
        .join(Audit, Audit.id == Assignment.audit_id)
        .join(Solution, Solution.id == Audit.solution_id)
        .where(
            Assignment.expert_id == expert.id,
            Solution.organization_id == organization.id,
            Audit.status.in_(OPEN_STATES),
        )
    ).all()
    for assignment in assignments:
        audit = lock_audit(assignment.audit)
        manager = (
            db.session.get(User, assignment.assigned_by_id) if assignment.assigned_by_id else None
        )
        db.session.execute(
            delete(Score).where(Score.audit_id == audit.id, Score.expert_id == expert.id)
        )
        db.session.delete(assignment)
        db.session.flush()
        db.session.expire(audit, ["assignments", "scores"])
        record_event(
            audit,
            expert,
            AuditAction.unassignment,
            reason,
            expert_id=expert.id,
            expert=expert.full_name,
            cause="conflict_of_interest",
        )
        notifications.notify_conflict_withdrawal(audit, expert, manager, reason)


def has_conflict(expert: User, organization_id: int) -> bool:
    return (
        db.session.scalar(
            select(ConflictOfInterest.id).where(
                ConflictOfInterest.expert_id == expert.id,
                ConflictOfInterest.organization_id == organization_id,
            )
        )
        is not None
    )


def assign_expert(actor: User, audit: Audit, expert: User | None) -> Assignment:
    """A manager assigns an expert to an audit (not one who declared a conflict)."""
    require_role(actor, Role.manager)
    require_visible(actor, audit)
    if expert is None or expert.role != Role.expert or not expert.active:
        message = gettext("Choose an active expert account.")
        raise Invalid(message, {"expert_id": [message]})
    audit = lock_audit(audit)
    if audit.status not in ASSIGNABLE_STATES:
        raise Conflict(
            gettext("Experts are assigned between the submission and the committee only.")
        )
    if has_conflict(expert, audit.solution.organization_id):
        raise Conflict(
            gettext("This expert declared a conflict of interest with the solution's company.")
        )
    if expert.id in audit.expert_ids():
        raise Conflict(gettext("This expert is already assigned to this audit."))
    # Built from ids: a relationship would cascade it into the session before the insert.
    assignment = Assignment(audit_id=audit.id, expert_id=expert.id, assigned_by_id=actor.id)
    if not insert_guarded(assignment):
        raise Conflict(gettext("This expert is already assigned to this audit."))
    db.session.expire(audit, ["assignments"])
    record_event(audit, actor, AuditAction.assignment, expert_id=expert.id, expert=expert.full_name)
    notifications.notify_assignment(audit, expert)
    return assignment


def expert_workload() -> list[tuple[User, int]]:
    """Every active expert with the number of their assignments on open audits."""
    open_count = (
        select(Assignment.expert_id, func.count(Assignment.id).label("n"))
        .join(Audit, Audit.id == Assignment.audit_id)
        .where(Audit.status.in_(OPEN_STATES))
        .group_by(Assignment.expert_id)
        .subquery()
    )
    rows = db.session.execute(
        select(User, func.coalesce(open_count.c.n, 0))
        .outerjoin(open_count, open_count.c.expert_id == User.id)
        .where(User.role == Role.expert, User.active.is_(True))
        .order_by(User.full_name, User.id)
    )
    return [(user, int(count)) for user, count in rows]


def _assignment_of(actor: User, audit: Audit) -> Assignment:
    require_role(actor, Role.expert)
    require_visible(actor, audit)
    assignment = next((a for a in audit.assignments if a.expert_id == actor.id), None)
    if assignment is None:  # unreachable through visibility; kept as the rule's statement
        raise NotFound(gettext("Nothing here, or not visible to you."))
    return assignment


def _applicable_criterion(audit: Audit, criterion_code: str) -> None:
    if audit.framework_version.criterion(criterion_code) is None:
        raise NotFound(gettext("This criterion is not part of the audit's framework version."))
    if criterion_code not in applicable_codes(audit):
        message = gettext("This criterion does not apply to this solution.")
        raise Invalid(message, {"criterion_code": [message]})
    if criterion_code not in audit.codes_to_review():
        raise carried_over_conflict(audit)


def record_score(
    actor: User, audit: Audit, criterion_code: str, level: int, justification: str
) -> Score:
    """An assigned expert's level on one criterion (audit in review), with its reason.

    Saving is not history: during the blind first pass the levels are drafts (the pages
    save them as the expert goes), and ``complete_scoring`` records them all in one row.
    After that pass, a level that changes is a row with its old and new values; a reworded
    justification alone is not.
    """
    assignment = _assignment_of(actor, audit)
    audit = lock_audit(audit)
    _applicable_criterion(audit, criterion_code)
    if audit.status != AuditStatus.in_review:
        raise Conflict(gettext("Scores are recorded while the audit is in review only."))
    row = db.session.scalar(
        select(Score).where(
            Score.audit_id == audit.id,
            Score.expert_id == actor.id,
            Score.criterion_code == criterion_code,
        )
    )
    previous = None if row is None else row.level
    if row is None:
        row = Score(audit=audit, expert_id=actor.id, criterion_code=criterion_code, level=level)
        db.session.add(row)
    row.level = level
    row.justification = justification
    if assignment.completed_at is not None and previous != level:
        record_event(
            audit,
            actor,
            AuditAction.score,
            criterion=criterion_code,
            level=level,
            previous_level=previous,
        )
    db.session.flush()
    return row


def missing_scores(audit: Audit, expert_id: int) -> list[str]:
    """Criteria to review the expert has not scored yet, in framework order."""
    scored = {s.criterion_code for s in audit.scores if s.expert_id == expert_id}
    return [code for code in audit.codes_to_review() if code not in scored]


def complete_scoring(actor: User, audit: Audit) -> Assignment:
    """The expert declares their first pass finished: every applicable criterion scored.

    From then on they see the other experts' levels (the blind is lifted for them).
    """
    assignment = _assignment_of(actor, audit)
    audit = lock_audit(audit)
    if audit.status != AuditStatus.in_review:
        raise Conflict(gettext("Scores are recorded while the audit is in review only."))
    if assignment.completed_at is not None:
        raise Conflict(gettext("You already declared your scoring finished."))
    missing = missing_scores(audit, actor.id)
    if missing:
        raise Conflict(
            gettext(
                "Score every applicable criterion first; missing: %(codes)s.",
                codes=", ".join(missing),
            )
        )
    assignment.completed_at = utcnow()
    levels = {s.criterion_code: s.level for s in audit.scores if s.expert_id == actor.id}
    record_event(
        audit,
        actor,
        AuditAction.scoring_complete,
        levels={code: levels[code] for code in applicable_codes(audit) if code in levels},
    )
    db.session.flush()
    return assignment


def consolidate_criterion(
    actor: User, audit: Audit, criterion_code: str, level: int, justification: str
) -> Consolidation:
    """A manager settles the level of a criterion on which the experts diverge."""
    require_role(actor, Role.manager)
    require_visible(actor, audit)
    audit = lock_audit(audit)
    if audit.framework_version.criterion(criterion_code) is None:
        raise NotFound(gettext("This criterion is not part of the audit's framework version."))
    if audit.status not in CONSOLIDATION_STATES:
        raise Conflict(gettext("Divergences are settled in review or before the committee only."))
    if criterion_code not in applicable_codes(audit) or not is_divergent(
        expert_levels(audit).get(criterion_code, {})
    ):
        raise Conflict(
            gettext("The experts do not diverge on this criterion: there is nothing to settle.")
        )
    row = db.session.scalar(
        select(Consolidation).where(
            Consolidation.audit_id == audit.id, Consolidation.criterion_code == criterion_code
        )
    )
    previous = None if row is None else row.level
    if row is None:
        row = Consolidation(audit=audit, criterion_code=criterion_code, level=level)
        db.session.add(row)
    row.level = level
    row.justification = justification
    row.settled_by_id = actor.id
    record_event(
        audit,
        actor,
        AuditAction.consolidation,
        criterion=criterion_code,
        level=level,
        previous_level=previous,
    )
    db.session.flush()
    return row
