"""The audit's own page, seen by everyone concerned, its transitions and its report."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.forms import (
    AssignmentForm,
    CommentForm,
    ConsolidationForm,
    EvidenceForm,
)
from accelerator.audits.history import event_details
from accelerator.audits.models import AuditEvent
from accelerator.audits.report import report_content, report_response
from accelerator.audits.results import applicable_codes, compute_result, divergent_codes
from accelerator.audits.states import TRANSITIONS, AuditAction, AuditStatus
from accelerator.audits.views import bp
from accelerator.audits.views.common import audit_or_404, run
from accelerator.audits.views.conditions import condition_forms
from accelerator.core.errors import Forbidden
from accelerator.core.forms import select_choices
from accelerator.core.pagination import paginate_page
from accelerator.core.permissions import guarded_by, roles_required
from accelerator.core.redirects import safe_next
from accelerator.extensions import db

READERS = (Role.company, Role.expert, Role.manager, Role.admin)
#: actions taken from the audit page with a comment (decide has the committee page)
PAGE_ACTIONS = tuple(action for action in TRANSITIONS if action.button is not None)
#: history rows per page of the audit's page, newest first
HISTORY_PER_PAGE = 20


#: the steps the company's stepper shows, and the statuses each one covers
STEPS = (
    (_l("Draft"), (AuditStatus.draft,)),
    (_l("Submitted"), (AuditStatus.submitted,)),
    (_l("In review"), (AuditStatus.in_review, AuditStatus.info_requested)),
    (_l("Committee"), (AuditStatus.committee, AuditStatus.appealed)),
    (
        _l("Decision given"),
        (
            AuditStatus.approved,
            AuditStatus.approved_with_conditions,
            AuditStatus.rejected,
            AuditStatus.suspended,
            AuditStatus.expired,
        ),
    ),
)


def irreversible_actions() -> dict:
    """The actions the audit page confirms in a modal before sending: what each does."""
    return {
        AuditAction.submit: {
            "title": gettext("Submit the audit?"),
            "text": gettext(
                "Once submitted, the self-assessment and the evidence are frozen for the "
                "review: you can no longer change them, unless the experts ask for more."
            ),
            "confirm": gettext("Yes, submit the audit"),
        },
        AuditAction.withdraw: {
            "title": gettext("Withdraw the audit?"),
            "text": gettext(
                "A withdrawn audit ends for good: its review stops and cannot be resumed. "
                "To be audited again, the solution starts a new audit."
            ),
            "confirm": gettext("Yes, withdraw the audit"),
        },
    }


def audit_step(status: AuditStatus) -> dict | None:
    """Where the audit stands among ``STEPS`` (a DSFR stepper): the current step's number
    and title and the next one's; None once withdrawn or declared inadmissible (the audit
    left the road)."""
    for number, (title, statuses) in enumerate(STEPS, start=1):
        if status in statuses:
            following = STEPS[number][0] if number < len(STEPS) else None
            return {"number": number, "total": len(STEPS), "title": title, "next": following}
    return None


def self_assessment_progress(audit) -> tuple[int, int]:
    """(answered, applicable) criteria of the self-assessment."""
    applicable = applicable_codes(audit)
    answered = {a.criterion_code for a in audit.answers}
    return len([code for code in applicable if code in answered]), len(applicable)


def open_question(audit) -> AuditEvent | None:
    """The question the company is asked to answer (the ``request_info`` row that put the
    audit in "information requested"), while it waits for the answer."""
    if audit.status != AuditStatus.info_requested:
        return None
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.audit_id == audit.id, AuditEvent.action == AuditAction.request_info)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


@bp.route("/audits/<int:audit_id>")
@roles_required(*READERS)
def audit(audit_id: int):
    item = audit_or_404(audit_id)
    possible = operations.available_actions(current_user, item)
    context = {
        "audit": item,
        "status": item.effective_status(),
        "step": audit_step(item.effective_status()),
        "irreversible": irreversible_actions(),
        "actions": [a for a in possible if a in PAGE_ACTIONS],
        "may_decide": AuditAction.decide in possible,
        "needs_comment": {a: t.needs_comment for a, t in TRANSITIONS.items()},
        "history": paginate_page(
            item.history_of(current_user).order_by(AuditEvent.id.desc()), HISTORY_PER_PAGE
        ),
        "event_details": event_details,
        "progress": self_assessment_progress(item),
        "result": compute_result(item) if item.can_read_results(current_user) else None,
        "form": CommentForm(),
        "question": open_question(item),
        "condition_forms": condition_forms(item),
        "may_remove_evidence": item.can_remove_evidence(current_user),
    }
    if current_user.role == Role.manager:
        workload = operations.expert_workload()
        assignment_form = AssignmentForm()
        assigned = item.expert_ids()
        assignment_form.expert_id.choices = select_choices(
            (expert.id, f"{expert.full_name} — {count}")
            for expert, count in workload
            if expert.id not in assigned
            and not operations.has_conflict(expert, item.solution.organization_id)
        )
        context.update(
            workload=workload,
            assignment_form=assignment_form,
            divergences=divergent_codes(item, include_settled=True),
            assigned_ids=item.expert_ids(),
            consolidation_form=ConsolidationForm(),
            conflicted=[
                expert
                for expert, _ in workload
                if operations.has_conflict(expert, item.solution.organization_id)
            ],
        )
    if current_user.role == Role.expert:
        context["missing_scores"] = operations.missing_scores(item, current_user.id)
        context["my_assignment"] = next(
            (a for a in item.assignments if a.expert_id == current_user.id), None
        )
    context["evidence_limits"] = EvidenceForm.file.kwargs["render_kw"]
    return render_template("audits/audit.html", **context)


@bp.route("/audits/<int:audit_id>/actions/<action>", methods=["POST"])
@roles_required(*READERS)
def transition(audit_id: int, action: str):
    item = audit_or_404(audit_id)
    if action not in PAGE_ACTIONS:
        abort(404)
    form = CommentForm()
    if form.validate_on_submit():
        done = run(operations.apply_transition, current_user, item, action, form.comment.data or "")
        if done:
            flash(
                gettext(
                    "Done: the audit is now “%(status)s”.", status=AuditStatus(done.status).label
                ),
                "success",
            )
    fallback = url_for("audits.audit", audit_id=item.id)
    return redirect(safe_next(request.form.get("next"), fallback))


@bp.route("/audits/<int:audit_id>/rapport.pdf")
@roles_required(*READERS)
@guarded_by("Audit.can_download_report")
def report(audit_id: int):
    item = audit_or_404(audit_id)
    try:
        return report_response(item, current_user)
    except Forbidden:
        abort(403)


@bp.route("/audits/<int:audit_id>/rapport")
@roles_required(*READERS)
@guarded_by("Audit.can_download_report")
def report_page(audit_id: int):
    """The report's accessible equivalent: the same content as the PDF (``report_content``),
    for the same readers (403 where the PDF answers 403, 404 to whoever cannot see the
    audit)."""
    item = audit_or_404(audit_id)
    if not item.can_download_report(current_user):
        abort(403)
    return render_template("audits/report.html", audit=item, report=report_content(item))
