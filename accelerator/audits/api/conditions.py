"""Conditions of an approval: the company's evidence of fulfilment and the manager's
judgement (operations/conditions.py)."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.audits import operations
from accelerator.audits.api.common import visible_audit
from accelerator.audits.models import Condition
from accelerator.audits.schemas import (
    ConditionEvidenceIn,
    ConditionJudgementIn,
    DecisionConditionOut,
    condition_out,
)
from accelerator.core.api import api, json_body, load
from accelerator.core.errors import NotFound
from accelerator.core.openapi import documented
from accelerator.core.permissions import roles_required
from accelerator.extensions import db


def _condition(condition_id: int) -> Condition:
    condition = db.session.get(Condition, condition_id)
    if condition is None:
        raise NotFound(gettext("Nothing here, or not visible to you."))
    visible_audit(condition.decision.audit_id)  # 404 unless the caller sees the audit
    return condition


@api.post("/conditions/<int:condition_id>/evidence")
@roles_required(Role.company)
@documented(body=ConditionEvidenceIn, response=DecisionConditionOut, errors=(409,))
def submit_condition_evidence(condition_id: int):
    """Submit evidence of fulfilment."""
    condition = _condition(condition_id)  # another company's condition: 404 before anything
    data = load(ConditionEvidenceIn(), json_body())
    condition = operations.submit_condition_evidence(
        current_user, condition, data["note"], data["evidence_id"]
    )
    return condition_out(condition)


@api.post("/conditions/<int:condition_id>/judgement")
@roles_required(Role.manager)
@documented(body=ConditionJudgementIn, response=DecisionConditionOut, errors=(409,))
def judge_condition(condition_id: int):
    """Mark a condition met or not."""
    data = load(ConditionJudgementIn(), json_body())
    condition = operations.judge_condition(
        current_user, _condition(condition_id), data["met"], data["comment"]
    )
    return condition_out(condition)
