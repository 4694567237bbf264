"""Emails about audits, in French, sent once the change they announce is committed.

Operations *queue* messages (``queue_mail``) on the database session; they leave when the
session commits and are dropped when it rolls back, so nobody is told of a change that did
not happen. Contexts hold plain values (names, codes), rendered after the commit without
touching the database.

Who is told of a transition (``notify_transition``): the company's members on every
transition of their audit; the assigned experts on ``admit`` and ``respond``; the managers
on ``submit``, ``respond`` and ``appeal``.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.session import Session
from sqlalchemy import event, select

from accelerator.accounts.models import Role, User
from accelerator.core.mail import send_mail
from accelerator.extensions import db

log = logging.getLogger(__name__)

_PENDING = "audits_pending_mail"
MAIL_LOCALE = "fr"

#: transitions the assigned experts hear about
EXPERT_ACTIONS = ("admit", "respond")
#: transitions the managers hear about
MANAGER_ACTIONS = ("submit", "respond", "appeal")

SUBJECTS = {
    "submit": _l("Audit submitted: %(solution)s"),
    "withdraw": _l("Audit withdrawn: %(solution)s"),
    "declare_inadmissible": _l("Audit declared inadmissible: %(solution)s"),
    "admit": _l("Audit admitted for review: %(solution)s"),
    "request_info": _l("Information requested on the audit of %(solution)s"),
    "respond": _l("The company answered on the audit of %(solution)s"),
    "send_to_committee": _l("Audit sent to the committee: %(solution)s"),
    "decide": _l("Committee decision on %(solution)s"),
    "suspend": _l("Approval suspended: %(solution)s"),
    "reinstate": _l("Approval reinstated: %(solution)s"),
    "appeal": _l("Appeal lodged on the audit of %(solution)s"),
    "reopen": _l("Appeal admitted: %(solution)s goes back to the committee"),
}
REMINDER_SUBJECT = _l("Your approval of %(solution)s expires on %(date)s")


def queue_mail(recipients: list[str], subject, template: str, **context) -> None:
    """Send this email after the next commit (``subject`` may be a lazy string)."""
    if recipients:
        db.session.info.setdefault(_PENDING, []).append(
            (sorted(set(recipients)), subject, template, context)
        )


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
    return {
        "audit_id": audit.id,
        "solution": audit.solution.name,
        "url": current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/api/v1/audits/{audit.id}",
    }


def notify_transition(audit, action: str, from_status, to_status, actor, comment: str) -> None:
    """Queue the emails a transition sends (see the module's docstring)."""
    context = {
        **_audit_context(audit),
        "action": action,
        "from_status": from_status.value,
        "to_status": to_status.value,
        # lazy titles, rendered in French when the email leaves
        "from_label": from_status.label,
        "to_label": to_status.label,
        "actor": actor.full_name,
        "comment": comment,
    }
    subject = SUBJECTS[action]
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


def notify_expiry(audit) -> None:
    queue_mail(
        company_emails(audit.solution.organization_id),
        REMINDER_SUBJECT,
        "audit_expiry_reminder",
        valid_until=audit.valid_until.strftime("%d/%m/%Y"),
        **_audit_context(audit),
    )


def _send_pending(session) -> None:
    pending = session.info.pop(_PENDING, [])
    if not pending or not has_app_context():
        return
    with force_locale(MAIL_LOCALE):
        for recipients, subject, template, context in pending:
            # Subjects use %(solution)s and sometimes %(date)s from the context.
            text = str(subject) % {
                "solution": context.get("solution", ""),
                "date": context.get("valid_until", ""),
            }
            for recipient in recipients:
                try:
                    send_mail(recipient, text, template, **context)
                except Exception:
                    # The change is committed; a notification must not turn it into an error.
                    log.exception("Could not send %s to %s", template, recipient)


def _drop_pending(session) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "after_commit", _send_pending)
event.listen(Session, "after_rollback", _drop_pending)
