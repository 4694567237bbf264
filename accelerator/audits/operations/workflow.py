"""Transitions of an audit, as ``states.TRANSITIONS`` lists them, with their guards.

``apply_transition`` is the one door: it checks, in this order, that the actor's role may
ever take the action (403), that they may see the audit (404), that the audit is in a state
the action leaves from and that the guard holds (409; the reason is the message), then
changes the status, records one history row and queues the emails. A refusal changes
nothing. ``decide_audit``, ``suspend_approval`` and ``reinstate_approval`` are the same door
with named arguments.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from flask_babel import format_date, gettext
from sqlalchemy import Select

from accelerator.accounts.models import Role, User
from accelerator.audits import notifications
from accelerator.audits.models import Audit, Condition, Decision
from accelerator.audits.operations import changes
from accelerator.audits.operations.common import (
    flush_audit,
    lock_audit,
    record_event,
    require_visible,
)
from accelerator.audits.operations.conditions import DEFAULT_CONDITION_MONTHS
from accelerator.audits.operations.review import missing_scores
from accelerator.audits.results import applicable_codes, compute_result
from accelerator.audits.signals import approval_changed
from accelerator.audits.states import (
    APPROVAL_ACTIONS,
    APPROVED_STATES,
    ASSIGNED_EXPERT,
    COMPANY,
    DECISION_OUTCOMES,
    MANAGER,
    OPEN_STATES,
    TRANSITIONS,
    AuditAction,
    AuditStatus,
    Transition,
)
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid
from accelerator.extensions import db

#: an approval lasts this many months unless the committee says otherwise
DEFAULT_VALIDITY_MONTHS = 24
#: a rejection may be appealed within this many months
APPEAL_MONTHS = 2
MIN_EXPERTS = 2

_ACTOR_ROLES = {COMPANY: Role.company, MANAGER: Role.manager, ASSIGNED_EXPERT: Role.expert}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def _transition(action: AuditAction | str) -> Transition:
    transition = TRANSITIONS.get(action)
    if transition is None:
        message = gettext("Unknown action.")
        raise Invalid(message, {"action": [message]})
    return transition


def role_may(actor: User | None, action: AuditAction | str) -> bool:
    """Whether ``actor``'s role appears in the action's row at all."""
    transition = TRANSITIONS.get(action)
    return bool(
        actor is not None
        and transition
        and actor.role in {_ACTOR_ROLES[a] for a in transition.actors}
    )


def _actor_fits(actor: User, audit: Audit, transition: Transition) -> bool:
    for kind in transition.actors:
        if kind == COMPANY and actor.role == Role.company:
            return audit.solution.organization_id == actor.organization_id
        if kind == MANAGER and actor.role == Role.manager:
            return True
        if kind == ASSIGNED_EXPERT and actor.role == Role.expert:
            return audit.is_assigned(actor)
    return False


def available_actions(actor: User, audit: Audit) -> list[AuditAction]:
    """Actions ``actor`` could take on ``audit`` now, before guards (for buttons)."""
    return [
        t.action
        for t in TRANSITIONS.values()
        if audit.status in t.sources and _actor_fits(actor, audit, t)
    ]


# Guards: each raises Conflict with the reason when the transition may not happen.


def _guard_self_assessment_complete(audit: Audit, actor: User | None = None, **_) -> None:
    # Submitting commits the company to an audit: the submitter's address must be proven.
    if actor is not None and not actor.email_verified:
        raise Conflict(
            gettext(
                "Confirm your email address before submitting: follow the link we sent you "
                "(you can ask for a new one on your account page)."
            )
        )
    answered = {a.criterion_code for a in audit.answers}
    missing = [code for code in applicable_codes(audit) if code not in answered]
    if missing:
        raise Conflict(
            gettext(
                "Answer every applicable criterion before submitting; missing: %(codes)s.",
                codes=", ".join(missing),
            )
        )


def _guard_organization_verified_two_experts(audit: Audit, **_) -> None:
    organization = audit.solution.organization
    if not organization.is_verified:
        raise Conflict(
            gettext(
                "%(organization)s is not verified yet: a manager verifies the organization "
                "(SIRENE, Kbis) before its first audit is admitted.",
                organization=organization.name,
            )
        )
    if len(audit.assignments) < MIN_EXPERTS:
        raise Conflict(
            gettext(
                "Assign at least %(count)s experts before admitting the audit.", count=MIN_EXPERTS
            )
        )


def _guard_scoring_complete(audit: Audit, **_) -> None:
    if len(audit.assignments) < MIN_EXPERTS:
        raise Conflict(gettext("The audit needs at least two assigned experts."))
    for assignment in audit.assignments:
        missing = missing_scores(audit, assignment.expert_id)
        if missing:
            raise Conflict(
                gettext(
                    "%(expert)s has not scored every applicable criterion; missing: %(codes)s.",
                    expert=assignment.expert.full_name,
                    codes=", ".join(missing),
                )
            )
    divergences = compute_result(audit).divergences
    if divergences:
        raise Conflict(
            gettext(
                "Settle the divergences between experts first: %(codes)s.",
                codes=", ".join(divergences),
            )
        )


def _guard_decision_allowed(audit: Audit, outcome: AuditStatus | None = None, **_) -> None:
    if outcome in APPROVED_STATES:
        engine = compute_result(audit).engine
        if engine.eliminatory_failures:
            raise Conflict(
                gettext(
                    "An approval is impossible while an eliminatory criterion fails: %(codes)s.",
                    codes=", ".join(engine.eliminatory_failures),
                )
            )
        if engine.domain_floor_failures:
            raise Conflict(
                gettext(
                    "An approval is impossible while a domain is below its floor: %(codes)s.",
                    codes=", ".join(engine.domain_floor_failures),
                )
            )


def _guard_appeal_allowed(audit: Audit, **_) -> None:
    if audit.appeal_count >= 1:
        raise Conflict(gettext("A decision can be appealed only once."))
    decision = audit.latest_decision
    decided = (decision.decided_at if decision else audit.decided_at) or utcnow()
    if utcnow().date() > add_months(decided.date(), APPEAL_MONTHS):
        raise Conflict(gettext("The appeal period (two months after the rejection) is over."))


GUARDS = {
    "self_assessment_complete": _guard_self_assessment_complete,
    "organization_verified_two_experts": _guard_organization_verified_two_experts,
    "scoring_complete": _guard_scoring_complete,
    "decision_allowed": _guard_decision_allowed,
    "appeal_allowed": _guard_appeal_allowed,
}


def _check_decision_values(
    outcome, motivation: str, conditions: list | None, valid_until: date | None
) -> tuple[AuditStatus, list[dict], date | None]:
    errors: dict[str, list[str]] = {}
    if outcome not in DECISION_OUTCOMES:
        errors["outcome"] = [gettext("Choose approved, approved_with_conditions or rejected.")]
    if not (motivation or "").strip():
        errors["motivation"] = [gettext("The committee's motivation is required.")]
    conditions = [
        {"text": c, "due_date": None} if isinstance(c, str) else dict(c) for c in conditions or []
    ]
    # Every condition has a due date: the committee's, else DEFAULT_CONDITION_MONTHS ahead.
    default_due = add_months(utcnow().date(), DEFAULT_CONDITION_MONTHS)
    for condition in conditions:
        condition["due_date"] = condition.get("due_date") or default_due
    if outcome == AuditStatus.approved_with_conditions and not conditions:
        errors["conditions"] = [gettext("An approval with conditions needs its conditions.")]
    if outcome in (AuditStatus.approved, AuditStatus.rejected) and conditions:
        errors["conditions"] = [gettext("Conditions go with an approval with conditions only.")]
    today = utcnow().date()
    if outcome in APPROVED_STATES:
        valid_until = valid_until or add_months(today, DEFAULT_VALIDITY_MONTHS)
        if valid_until <= today:
            errors["valid_until"] = [gettext("The end of validity must be in the future.")]
    elif valid_until is not None:
        errors["valid_until"] = [gettext("Only an approval has an end of validity.")]
    if errors:
        raise Invalid(gettext("Some fields are invalid."), errors)
    return outcome, conditions, valid_until


def _new_verification_code() -> str:
    while True:
        code = secrets.token_urlsafe(12)  # 16 characters, 96 bits
        if db.session.scalar(db.select(Audit.id).where(Audit.verification_code == code)) is None:
            return code


#: at most this many members present are recorded for one committee
MAX_COMMITTEE_MEMBERS = 30


def _check_committee(
    committee_date: date | None, committee_members: list | None
) -> tuple[date, list[str]]:
    """The committee's day (today when not given; never in the future) and the names of its
    members present (trimmed, blanks and repeats left out, 200 characters each at most)."""
    errors: dict[str, list[str]] = {}
    today = utcnow().date()
    committee_date = committee_date or today
    if committee_date > today:
        errors["committee_date"] = [gettext("The committee cannot sit after today.")]
    names: list[str] = []
    for name in committee_members or []:
        name = " ".join(str(name).split())
        if name and name not in names:
            names.append(name)
    if any(len(name) > 200 for name in names):
        errors["committee_members"] = [gettext("A name has 200 characters at most.")]
    elif len(names) > MAX_COMMITTEE_MEMBERS:
        errors["committee_members"] = [
            gettext("%(max)s members at most.", max=MAX_COMMITTEE_MEMBERS)
        ]
    if errors:
        raise Invalid(gettext("Some fields are invalid."), errors)
    return committee_date, names


def apply_transition(
    actor: User,
    audit: Audit,
    action: AuditAction | str,
    comment: str = "",
    *,
    outcome: AuditStatus | str | None = None,
    motivation: str = "",
    conditions: list | None = None,
    valid_until: date | None = None,
    committee_date: date | None = None,
    committee_members: list | None = None,
) -> Audit:
    """Move ``audit`` by ``action`` (a row of ``states.TRANSITIONS``); see the module's
    docstring for the order of the checks. ``outcome``, ``motivation``, ``conditions``,
    ``valid_until``, ``committee_date`` and ``committee_members`` are for ``decide``
    only."""
    transition = _transition(action)
    action = transition.action
    if not role_may(actor, action):
        raise Forbidden(gettext("Your role does not allow this action."))
    require_visible(actor, audit)
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        message = gettext("A comment is required for this action.")
        raise Invalid(message, {"comment": [message]})
    decision_values = None
    if action == AuditAction.decide:
        if isinstance(outcome, str) and outcome in AuditStatus.codes():
            outcome = AuditStatus(outcome)
        decision_values = _check_decision_values(outcome, motivation, conditions, valid_until)
        outcome = decision_values[0]
        committee = _check_committee(committee_date, committee_members)

    audit = lock_audit(audit)
    if not _actor_fits(actor, audit, transition):
        raise Forbidden(gettext("Your role does not allow this action."))
    source = audit.status
    if source not in transition.sources:
        raise Conflict(
            gettext(
                "The action “%(action)s” is not possible while the audit is “%(status)s”.",
                action=action.button or action.label,
                status=audit.effective_status().label,
            )
        )
    if transition.guard:
        GUARDS[transition.guard](audit, outcome=outcome, actor=actor)
    if action == AuditAction.decide and audit.is_partial_reaudit:
        decision_values = _within_reaudited_validity(audit, decision_values, valid_until)

    target = transition.target
    now = utcnow()
    extra: dict = {}
    if action == AuditAction.decide:
        target = _record_decision(audit, actor, *decision_values, motivation=motivation, now=now)
        decision = audit.latest_decision
        decision.committee_date, decision.committee_members = committee
        extra = {
            "decision_round": decision.round,
            "committee_date": committee[0].isoformat(),
            "committee_members": committee[1],
        }
    elif action == AuditAction.reinstate:
        target = audit.status_before_suspension or AuditStatus.approved
        audit.status_before_suspension = None
    elif action == AuditAction.suspend:
        audit.status_before_suspension = source
    elif action == AuditAction.submit:
        audit.submitted_at = now
        extra = {"declarations": changes.freeze_declarations(audit)}
    elif action == AuditAction.appeal:
        audit.appeal_count += 1

    if target in APPROVED_STATES and action == AuditAction.decide:
        changes.accept_approved_texts(audit.solution)
    audit.status = target
    audit.status_changed_at = now
    record_event(audit, actor, action, comment, from_status=source, to_status=target, **extra)
    flush_audit()
    if action in APPROVAL_ACTIONS:
        approval_changed.send(audit)
    notifications.notify_transition(audit, action, source, target, actor, comment)
    if action == AuditAction.decide and audit.is_partial_reaudit and target not in APPROVED_STATES:
        _suspend_reaudited_approval(actor, audit)
    return audit


def _reaudited_approval(audit: Audit) -> Audit | None:
    return db.session.get(Audit, audit.renewed_from_id) if audit.renewed_from_id else None


def _within_reaudited_validity(audit: Audit, values: tuple, asked: date | None) -> tuple:
    """A partial re-audit examines some domains only: its approval ends when the approval
    it re-examines ends (only a full audit, a renewal, grants a new validity)."""
    outcome, conditions, _ = values
    approval = _reaudited_approval(audit)
    if outcome not in APPROVED_STATES or approval is None or approval.valid_until is None:
        return values
    end = approval.valid_until
    if end < utcnow().date():
        message = gettext(
            "The approval this partial re-audit examines ended on %(date)s: a renewal "
            "(a full audit) is needed.",
            date=format_date(end, "long"),
        )
        raise Invalid(message, {"valid_until": [message]})
    if asked is not None and asked > end:
        message = gettext(
            "A partial re-audit keeps the end of validity of the approval it examines "
            "(%(date)s) at the latest.",
            date=format_date(end, "long"),
        )
        raise Invalid(message, {"valid_until": [message]})
    return outcome, conditions, asked or end


def _suspend_reaudited_approval(actor: User, audit: Audit) -> None:
    """The changed solution failed its partial re-audit: the approval, which describes the
    solution as it was, stops being in force (a manager may reinstate it)."""
    approval = _reaudited_approval(audit)
    if approval is None or approval.status not in (
        AuditStatus.approved,
        AuditStatus.approved_with_conditions,
    ):
        return
    apply_transition(
        actor,
        approval,
        AuditAction.suspend,
        gettext(
            "The partial re-audit n° %(id)s of this approval, after a substantial change, "
            "was not approved.",
            id=audit.id,
        ),
    )


def _record_decision(
    audit: Audit,
    actor: User,
    outcome: AuditStatus,
    conditions: list[dict],
    valid_until: date | None,
    *,
    motivation: str,
    now,
) -> AuditStatus:
    result = compute_result(audit)
    decision = Decision(
        audit=audit,
        outcome=outcome,
        motivation=motivation.strip(),
        valid_until=valid_until,
        overall_score=result.engine.overall,
        domain_scores=dict(result.engine.domains),
        recommendation=result.engine.recommendation,
        round=len(audit.decisions) + 1,
        decided_by_id=actor.id,
        decided_at=now,
        conditions=[Condition(text=c["text"], due_date=c.get("due_date")) for c in conditions],
    )
    db.session.add(decision)
    audit.decided_at = now
    if outcome in APPROVED_STATES:
        audit.valid_until = valid_until
        audit.verification_code = audit.verification_code or _new_verification_code()
    else:
        audit.valid_until = None
        audit.verification_code = None
    return outcome


# The actions other code calls by name (the committee page, the catalogue's tests).


def decide_audit(
    actor: User,
    audit: Audit,
    outcome: AuditStatus | str,
    motivation: str,
    conditions: list | None = None,
    valid_until: date | None = None,
    comment: str = "",
    committee_date: date | None = None,
    committee_members: list | None = None,
) -> Audit:
    return apply_transition(
        actor,
        audit,
        AuditAction.decide,
        comment,
        outcome=outcome,
        motivation=motivation,
        conditions=conditions,
        valid_until=valid_until,
        committee_date=committee_date,
        committee_members=committee_members,
    )


def suspend_approval(actor: User, audit: Audit, comment: str) -> Audit:
    return apply_transition(actor, audit, AuditAction.suspend, comment)


def reinstate_approval(actor: User, audit: Audit, comment: str = "") -> Audit:
    return apply_transition(actor, audit, AuditAction.reinstate, comment)


def expiry_reminders_due(today: date | None = None, days: int = 60) -> Select:
    """Approvals expiring within ``days`` whose company has not been reminded yet and
    which no audit in progress renews."""
    today = today or date.today()
    renewing = (
        db.select(Audit.renewed_from_id)
        .where(Audit.renewed_from_id.is_not(None), Audit.status.in_(OPEN_STATES))
        .scalar_subquery()
    )
    return (
        db.select(Audit)
        .where(
            Audit.status.in_(APPROVED_STATES),
            Audit.valid_until >= today,
            Audit.valid_until <= today + timedelta(days=days),
            Audit.reminded_at.is_(None),
            # a renewal in progress makes the reminder pointless
            Audit.id.not_in(renewing),
        )
        .order_by(Audit.valid_until, Audit.id)
    )


def send_expiry_reminders(today: date | None = None, days: int = 60) -> list[Audit]:
    """Email each company whose approval expires within ``days`` (once per audit)."""
    reminded = []
    for audit in db.session.scalars(expiry_reminders_due(today, days)).all():
        audit = lock_audit(audit)
        if audit.reminded_at is not None:
            continue
        audit.reminded_at = utcnow()
        record_event(
            audit, None, AuditAction.expiry_reminder, valid_until=audit.valid_until.isoformat()
        )
        notifications.notify_expiry(audit)
        reminded.append(audit)
    flush_audit()
    return reminded
