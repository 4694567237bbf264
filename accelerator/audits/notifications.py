"""Emails about audits, in French, sent once the change they announce is committed.

Operations *queue* messages in the outbox (``core.mail.queue_mail``): rows of the same
transaction, which leave once it commits and vanish when it rolls back, so nobody is told
of a change that did not happen.

Who is told of a transition (``notify_transition``): the company's members on every
transition of their audit; the assigned experts on ``admit`` and ``respond``; the managers
on ``submit``, ``respond`` and ``appeal``.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accelerator.accounts.models import Role, User
from accelerator.audits.states import AuditAction
from accelerator.core import mail
from accelerator.core.urls import public_url
from accelerator.extensions import db

MAIL_LOCALE = "fr"

#: transitions the assigned experts hear about
EXPERT_ACTIONS = (AuditAction.admit, AuditAction.respond)
#: transitions the managers hear about
MANAGER_ACTIONS = (AuditAction.submit, AuditAction.respond, AuditAction.appeal)

REMINDER_SUBJECT = _l("Your approval of %(solution)s expires on %(date)s")


def queue_mail(recipients: list[str], subject, template: str, **context) -> None:
    """Queue this email in French for each recipient (``subject`` may be a lazy string with
    ``%(solution)s`` and ``%(date)s`` taken from the context)."""
    with force_locale(MAIL_LOCALE):
        text = str(subject) % {
            "solution": context.get("solution", ""),
            "date": context.get("valid_until", ""),
        }
        mail.queue_mail(recipients, text, template, **context)


def _emails(statement) -> list[str]:
    return list(db.session.scalars(statement))


def company_emails(organization_id: int) -> list[str]:
    return _emails(
        select(User.email).where(User.organization_id == organization_id, User.active.is_(True))
    )


def manager_emails() -> list[str]:
    return _emails(select(User.email).where(User.role == Role.manager, User.active.is_(True)))


def expert_emails(audit) -> list[str]:
    return [a.expert.email for a in audit.assignments if a.expert.active]


def _audit_context(audit) -> dict:
    # People click these links: the audit's page, not its API resource.
    return {
        "audit_id": audit.id,
        "solution": audit.solution.name,
        "url": public_url("audits.audit", audit_id=audit.id),
    }


def notify_transition(
    audit, action: AuditAction, from_status, to_status, actor, comment: str
) -> None:
    """Queue the emails a transition sends (see the module's docstring)."""
    context = {
        **_audit_context(audit),
        "action": action.value,
        "action_label": action.label,
        "from_status": from_status.value,
        "to_status": to_status.value,
        # lazy titles, rendered in French when the email is queued
        "from_label": from_status.label,
        "to_label": to_status.label,
        "actor": actor.full_name,
        "comment": comment,
    }
    subject = action.subject
    queue_mail(
        company_emails(audit.solution.organization_id),
        subject,
        "audit_transition_company",
        **context,
    )
    if action in EXPERT_ACTIONS:
        queue_mail(expert_emails(audit), subject, "audit_transition_staff", **context)
    if action in MANAGER_ACTIONS:
        queue_mail(manager_emails(), subject, "audit_transition_staff", **context)


def notify_assignment(audit, expert) -> None:
    queue_mail(
        [expert.email],
        _l("You are assigned to the audit of %(solution)s"),
        "audit_assignment",
        expert=expert.full_name,
        **_audit_context(audit),
    )


def notify_conflict_withdrawal(audit, expert, manager, reason: str) -> None:
    """An expert declared a conflict of interest after being assigned, and left the audit."""
    recipients = [manager.email] if manager is not None and manager.active else manager_emails()
    queue_mail(
        recipients,
        _l("Conflict of interest: an expert left the audit of %(solution)s"),
        "audit_conflict_withdrawal",
        expert=expert.full_name,
        reason=reason,
        **_audit_context(audit),
    )


def notify_expiry(audit) -> None:
    queue_mail(
        company_emails(audit.solution.organization_id),
        REMINDER_SUBJECT,
        "audit_expiry_reminder",
        valid_until=audit.valid_until.strftime("%d/%m/%Y"),
        **_audit_context(audit),
    )
