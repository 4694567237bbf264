"""Conditions of an approval on the audit's page: the company submits evidence of
fulfilment, a manager marks each condition met or not (``audits.operations``)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.forms import ConditionEvidenceForm, ConditionJudgementForm
from accelerator.audits.models import Condition
from accelerator.audits.views import bp
from accelerator.audits.views.common import attempt, audit_or_404
from accelerator.core.permissions import roles_required
from accelerator.extensions import db


def condition_forms(audit) -> dict[int, tuple[ConditionEvidenceForm, ConditionJudgementForm]]:
    """One pair of forms per condition, each with its own prefix (distinct field ids)."""
    decision = audit.latest_decision
    if decision is None:
        return {}
    return {
        c.id: (
            ConditionEvidenceForm(prefix=f"condition-{c.id}"),
            ConditionJudgementForm(prefix=f"condition-{c.id}"),
        )
        for c in decision.conditions
    }


def _condition_or_404(condition_id: int) -> Condition:
    condition = db.session.get(Condition, condition_id)
    if condition is None:
        abort(404)
    audit_or_404(condition.decision.audit_id)  # 404 unless the caller sees the audit
    return condition


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(str(message), "error")


@bp.route("/conditions/<int:condition_id>/justificatif", methods=["POST"])
@roles_required(Role.company)
def condition_evidence(condition_id: int):
    condition = _condition_or_404(condition_id)
    form = ConditionEvidenceForm(prefix=f"condition-{condition.id}")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.submit_condition_evidence(current_user, condition, form.note.data)
        if outcome.ok:
            flash(gettext("Your evidence is sent: a manager reviews it."), "success")
    else:
        _flash_errors(form)
    return redirect(url_for("audits.audit", audit_id=condition.decision.audit_id))


@bp.route("/conditions/<int:condition_id>/examen", methods=["POST"])
@roles_required(Role.manager)
def condition_judgement(condition_id: int):
    condition = _condition_or_404(condition_id)
    form = ConditionJudgementForm(prefix=f"condition-{condition.id}")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.judge_condition(
                current_user, condition, form.met.data == "yes", form.comment.data or ""
            )
        if outcome.ok:
            flash(gettext("The condition is marked."), "success")
    else:
        _flash_errors(form)
    return redirect(url_for("audits.audit", audit_id=condition.decision.audit_id))
