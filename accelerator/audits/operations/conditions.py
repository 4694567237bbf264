"""Conditions of an approval: due dates, evidence of fulfilment, the manager's judgement,
and the follow-up of overdue conditions.

Rules
-----
- Every condition has a due date (``DEFAULT_CONDITION_MONTHS`` after the decision when the
  committee gives none).
- The company submits evidence of fulfilment (a note, and optionally one of the audit's
  evidence files); the condition then awaits the manager, who marks it met (it is
  fulfilled) or not met (the company may submit again). Each step is a history row of the
  audit and an email.
- ``follow_up_conditions`` (the daily beat, or ``flask audits conditions``): a condition not
  met past its due date earns one reminder to the company; ``ESCALATION_DAYS`` after the
  reminder, if still not met, one proposal to suspend goes to the managers. It never suspends
  by itself: a manager decides. Running it twice a day changes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accelerator.accounts.models import Role, User
from accelerator.audits import notifications
from accelerator.audits.models import Audit, Condition, ConditionStatus, Decision, Evidence
from accelerator.audits.operations.common import record_event, require_role
from accelerator.audits.signals import approval_changed
from accelerator.audits.states import APPROVED_STATES, AuditAction
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Invalid, NotFound
from accelerator.core.urls import public_url
from accelerator.extensions import db

#: a condition without a due date is due this many months after the decision
DEFAULT_CONDITION_MONTHS = 6
#: days after the reminder before a suspension is proposed
ESCALATION_DAYS = 14

EVIDENCE_SUBJECT = _l("Evidence submitted for a condition of %(solution)s")
JUDGED_SUBJECT = _l("Condition of %(solution)s: %(status)s")
REMINDER_SUBJECT = _l("A condition of %(solution)s is overdue")
PROPOSAL_SUBJECT = _l("Suspension proposed for %(solution)s: a condition is overdue")


class _Subject:
    def __init__(self, template, **values):
        self.template, self.values = template, values

    def __str__(self) -> str:
        return str(self.template) % {k: str(v) for k, v in self.values.items()}


def _audit_of(condition: Condition) -> Audit:
    return condition.decision.audit


def submit_condition_evidence(
    actor: User, condition: Condition, note: str, evidence_id: int | None = None
) -> Condition:
    require_role(actor, Role.company)
    audit = _audit_of(condition)
    if audit.solution.organization_id != actor.organization_id:
        raise NotFound(gettext("Nothing here, or not visible to you."))
    if audit.status not in APPROVED_STATES:
        raise Conflict(gettext("The approval is no longer in force."))
    if condition.status == ConditionStatus.met:
        raise Conflict(gettext("This condition is already met."))
    if not (note or "").strip():
        message = gettext("Say how the condition is fulfilled.")
        raise Invalid(message, {"note": [message]})
    if evidence_id is not None:
        evidence = db.session.get(Evidence, evidence_id)
        if evidence is None or evidence.audit_id != audit.id:
            message = gettext("Choose a file of this audit.")
            raise Invalid(message, {"evidence_id": [message]})
    condition.status = ConditionStatus.evidence_submitted
    condition.evidence_note = note.strip()
    condition.evidence_id = evidence_id
    condition.evidence_at = utcnow()
    record_event(audit, actor, AuditAction.condition_evidence, note.strip(), condition=condition.id)
    db.session.flush()
    notifications.queue_mail(
        notifications.manager_emails(),
        _Subject(EVIDENCE_SUBJECT, solution=audit.solution.name),
        "condition_evidence",
        solution=audit.solution.name,
        condition=condition.text,
        note=note.strip(),
        url=public_url("audits.audit", audit_id=audit.id),
    )
    return condition


def judge_condition(actor: User, condition: Condition, met: bool, comment: str = "") -> Condition:
    """A manager marks a condition met, or not met."""
    require_role(actor, Role.manager, message=gettext("Only a manager decides this."))
    audit = _audit_of(condition)
    if condition.status == ConditionStatus.met:
        raise Conflict(gettext("This condition is already met."))
    if not met and not (comment or "").strip():
        message = gettext("Say why the condition is not met.")
        raise Invalid(message, {"comment": [message]})
    condition.status = ConditionStatus.met if met else ConditionStatus.not_met
    condition.fulfilled_at = utcnow() if met else None
    condition.judged_by_id = actor.id
    condition.comment = (comment or "").strip()
    record_event(
        audit,
        actor,
        AuditAction.condition_judged,
        condition.comment,
        condition=condition.id,
        status=condition.status.value,
    )
    db.session.flush()
    approval_changed.send(audit)
    notifications.queue_mail(
        notifications.company_emails(audit.solution.organization_id),
        _Subject(JUDGED_SUBJECT, solution=audit.solution.name, status=condition.status.label),
        "condition_judged",
        solution=audit.solution.name,
        condition=condition.text,
        status=str(condition.status.label),
        comment=condition.comment,
        url=public_url("audits.audit", audit_id=audit.id),
    )
    return condition


@dataclass(frozen=True)
class FollowUp:
    reminded: int
    proposed: int


def overdue_conditions(today: date) -> list[Condition]:
    """Conditions of approvals in force past their due date and not met."""
    return list(
        db.session.scalars(
            select(Condition)
            .join(Decision, Decision.id == Condition.decision_id)
            .join(Audit, Audit.id == Decision.audit_id)
            .where(
                Audit.status.in_(APPROVED_STATES),
                Condition.status != ConditionStatus.met,
                Condition.due_date < today,
            )
            .order_by(Condition.due_date, Condition.id)
        )
    )


def follow_up_conditions(today: date | None = None) -> FollowUp:
    """Remind the company of each overdue condition once, then propose a suspension to the
    managers once (see the module's rules). Idempotent for a given day."""
    today = today or utcnow().date()
    reminded = proposed = 0
    for condition in overdue_conditions(today):
        audit = _audit_of(condition)
        if audit.latest_decision is not condition.decision:
            continue  # a later round decided again: its own conditions count
        context = {
            "solution": audit.solution.name,
            "condition": condition.text,
            "due_date": condition.due_date.isoformat(),
            "url": public_url("audits.audit", audit_id=audit.id),
        }
        if condition.reminded_on is None:
            condition.reminded_on = today
            record_event(audit, None, AuditAction.condition_reminder, condition=condition.id)
            notifications.queue_mail(
                notifications.company_emails(audit.solution.organization_id),
                _Subject(REMINDER_SUBJECT, solution=audit.solution.name),
                "condition_reminder",
                **context,
            )
            reminded += 1
        elif (
            condition.suspension_proposed_on is None
            and condition.reminded_on <= today - timedelta(days=ESCALATION_DAYS)
        ):
            condition.suspension_proposed_on = today
            record_event(
                audit, None, AuditAction.condition_suspension_proposed, condition=condition.id
            )
            notifications.queue_mail(
                notifications.manager_emails(),
                _Subject(PROPOSAL_SUBJECT, solution=audit.solution.name),
                "condition_suspension_proposed",
                **context,
            )
            proposed += 1
    db.session.flush()
    return FollowUp(reminded=reminded, proposed=proposed)
