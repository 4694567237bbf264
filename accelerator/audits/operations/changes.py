"""Declarations frozen at submission, and changes after approval.

Rules
-----
- At submission the solution's decisive declarations (``DECLARATION_FIELDS``: personal data,
  GAR, AI use, hosting country and provider, pricing, version) are copied onto the audit
  (``Audit.declarations``, also kept in the ``submit`` history row); scoring, the report and
  the catalogue read that copy.
- While an audit is under review (submitted to committee, or appealed) a change of a
  decisive declaration is refused (409): the company withdraws the audit, or waits.
- Once approved (in force or suspended), a decisive declaration changes only through a
  *changement substantiel* (``declare_change``): the catalogue keeps what was approved and
  says that a change is under review; a manager decides (``decide_change``): no impact (the
  declarations change, on the solution and on the approval's copy), a partial re-audit of
  the affected domains (a renewal audit opens for them; the approval stays until it is
  decided) or the suspension of the approval. Every step is a history row and an email.
- After the first approval, an edit of the public texts (``PUBLIC_TEXT_FIELDS``: name,
  summary, description, website, logo) is kept on the solution but goes live only once a
  manager accepts it (``accept_public_texts``); until then the catalogue shows the texts
  accepted last (``Solution.approved_texts``). A refusal puts the accepted texts back.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accelerator.accounts.models import Role, User
from accelerator.audits import notifications
from accelerator.audits.models import (
    DECLARATION_FIELDS,
    PUBLIC_TEXT_FIELDS,
    Audit,
    ChangeOutcome,
    Pricing,
    Solution,
    SubstantialChange,
)
from accelerator.audits.operations.common import record_event, require_role
from accelerator.audits.signals import solution_changed
from accelerator.audits.states import APPROVED_STATES, AuditAction, AuditStatus
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Invalid, NotFound
from accelerator.core.urls import public_url
from accelerator.extensions import db

#: states in which the audit judges the frozen declarations
REVIEW_STATES = (
    AuditStatus.submitted,
    AuditStatus.in_review,
    AuditStatus.info_requested,
    AuditStatus.committee,
    AuditStatus.appealed,
)
#: states of an approval the declarations of which only a substantial change may alter
APPROVAL_STATES = (*APPROVED_STATES, AuditStatus.suspended)

TEXTS_SUBJECT = _l("Public texts of %(solution)s to review")
CHANGE_SUBJECT = _l("Substantial change declared for %(solution)s")
CHANGE_DECIDED_SUBJECT = _l("Substantial change of %(solution)s: %(outcome)s")
TEXTS_DECIDED_SUBJECT = _l("Public texts of %(solution)s: %(outcome)s")


def _declared(solution: Solution) -> dict:
    return solution.declarations()


def _as_stored(field: str, value) -> object:
    """A declaration value as ``Solution.declarations`` writes it."""
    if field == "pricing":
        return Pricing(value).value
    if field == "product_version":
        return value or ""
    if field == "hosting_provider":
        return value or ""
    return value


def _declaration_key(field: str) -> str:
    return "version" if field == "product_version" else field


def audit_under_review(solution: Solution) -> Audit | None:
    return db.session.scalar(
        select(Audit).where(Audit.solution_id == solution.id, Audit.status.in_(REVIEW_STATES))
    )


def current_approval(solution: Solution) -> Audit | None:
    """The latest approval of the solution (in force or suspended), if any."""
    return db.session.scalar(
        select(Audit)
        .where(Audit.solution_id == solution.id, Audit.status.in_(APPROVAL_STATES))
        .order_by(Audit.decided_at.desc(), Audit.id.desc())
        .limit(1)
    )


def freeze_declarations(audit: Audit) -> dict:
    """Copy the solution's decisive declarations onto the audit (at submission)."""
    audit.declarations = _declared(audit.solution)
    return dict(audit.declarations)


def check_declaration_change(solution: Solution, values: dict) -> None:
    """Refuse (409) a change of a decisive declaration while an audit judges it, or after
    an approval (which a substantial change must go through)."""
    current = _declared(solution)
    changed = [
        field
        for field in DECLARATION_FIELDS
        if field in values and _as_stored(field, values[field]) != current[_declaration_key(field)]
    ]
    if not changed:
        return
    under_review = audit_under_review(solution)
    if under_review is not None:
        raise Conflict(
            gettext(
                "The declarations of this solution are frozen while its audit is under review "
                "(%(fields)s): withdraw the audit to change them, or wait for the decision.",
                fields=", ".join(changed),
            )
        )
    if current_approval(solution) is not None:
        raise Conflict(
            gettext(
                "This solution is approved: declare a substantial change (%(fields)s) for a "
                "manager to review.",
                fields=", ".join(changed),
            )
        )


def texts_changed(solution: Solution, values: dict) -> bool:
    published = solution.published_texts()
    return any(
        field in values and values[field] != published.get(field) for field in PUBLIC_TEXT_FIELDS
    )


def keep_approved_texts(solution: Solution) -> None:
    """Before an edit: an approval from before texts were kept (``approved_texts`` None)
    keeps the texts as they stand as the accepted ones."""
    if solution.approved_texts is None and current_approval(solution) is not None:
        accept_approved_texts(solution)


def note_text_edit(actor: User, solution: Solution) -> None:
    """After an approval, an edit of the public texts waits for a manager."""
    approval = current_approval(solution)
    if approval is None or solution.approved_texts is None:
        return
    if solution.public_texts() == solution.approved_texts:
        solution.texts_pending_since = None
        return
    first = solution.texts_pending_since is None
    solution.texts_pending_since = solution.texts_pending_since or utcnow()
    if first:
        record_event(approval, actor, AuditAction.texts_submitted)
        notifications.queue_mail(
            notifications.manager_emails(),
            TEXTS_SUBJECT,
            "solution_texts_pending",
            solution=solution.name,
            url=public_url("audits.solution", solution_id=solution.id),
        )


def accept_approved_texts(solution: Solution) -> None:
    """At an approval: the texts as they stand become the published ones."""
    solution.approved_texts = solution.public_texts()
    solution.texts_pending_since = None


def _require_manager(actor: User) -> None:
    require_role(actor, Role.manager, message=gettext("Only a manager decides this."))


def accept_public_texts(actor: User, solution: Solution) -> Solution:
    _require_manager(actor)
    if solution.texts_pending_since is None:
        raise Conflict(gettext("No edit of the public texts awaits a decision."))
    approval = current_approval(solution)
    accept_approved_texts(solution)
    if approval is not None:
        record_event(approval, actor, AuditAction.texts_accepted)
    db.session.flush()
    solution_changed.send(solution)
    _tell_company(solution, TEXTS_DECIDED_SUBJECT, gettext("accepted"))
    return solution


def refuse_public_texts(actor: User, solution: Solution, comment: str) -> Solution:
    _require_manager(actor)
    if solution.texts_pending_since is None:
        raise Conflict(gettext("No edit of the public texts awaits a decision."))
    if not (comment or "").strip():
        message = gettext("Say why the texts are refused.")
        raise Invalid(message, {"comment": [message]})
    for field, value in (solution.approved_texts or {}).items():
        setattr(solution, field, value)
    solution.texts_pending_since = None
    approval = current_approval(solution)
    if approval is not None:
        record_event(approval, actor, AuditAction.texts_refused, comment.strip())
    db.session.flush()
    _tell_company(solution, TEXTS_DECIDED_SUBJECT, gettext("refused"), comment=comment.strip())
    return solution


def _tell_company(solution: Solution, subject, outcome: str, comment: str = "") -> None:
    notifications.queue_mail(
        notifications.company_emails(solution.organization_id),
        _Subject(subject, solution=solution.name, outcome=outcome),
        "solution_change_decided",
        solution=solution.name,
        outcome=outcome,
        comment=comment,
        url=public_url("audits.solution", solution_id=solution.id),
    )


class _Subject:
    """A lazy subject with its values, rendered in the mail's language after the commit."""

    def __init__(self, template, **values):
        self.template, self.values = template, values

    def __str__(self) -> str:
        return str(self.template) % self.values


# --- Substantial changes ---------------------------------------------------------------------


def open_change(solution: Solution) -> SubstantialChange | None:
    return db.session.scalar(
        select(SubstantialChange).where(
            SubstantialChange.solution_id == solution.id,
            SubstantialChange.outcome.is_(None),
        )
    )


def declare_change(
    actor: User, solution: Solution, description: str, declarations: dict
) -> SubstantialChange:
    """The company declares what changes in its approved solution (``declarations``: the
    decisive declarations as they will be, among ``DECLARATION_FIELDS``)."""
    require_role(actor, Role.company)
    if solution.organization_id != actor.organization_id:
        raise NotFound(gettext("Nothing here, or not visible to you."))
    approval = current_approval(solution)
    if approval is None:
        raise Conflict(
            gettext("Only an approved solution declares a substantial change: edit it instead.")
        )
    if open_change(solution) is not None:
        raise Conflict(gettext("A substantial change of this solution is already under review."))
    if not (description or "").strip():
        message = gettext("Describe the change.")
        raise Invalid(message, {"description": [message]})
    proposed = _declared(solution)
    for field in DECLARATION_FIELDS:
        if field in declarations:
            proposed[_declaration_key(field)] = _as_stored(field, declarations[field])
    change = SubstantialChange(
        solution=solution,
        audit=approval,
        description=description.strip(),
        declarations=proposed,
        declared_by=actor,
    )
    db.session.add(change)
    record_event(approval, actor, AuditAction.change_declared, description.strip())
    db.session.flush()
    solution_changed.send(solution)
    notifications.queue_mail(
        notifications.manager_emails(),
        _Subject(CHANGE_SUBJECT, solution=solution.name),
        "solution_change_declared",
        solution=solution.name,
        description=description.strip(),
        url=public_url("audits.solution", solution_id=solution.id),
    )
    return change


def decide_change(
    actor: User,
    change: SubstantialChange,
    outcome: ChangeOutcome,
    comment: str,
    domains: list[str] | None = None,
) -> SubstantialChange:
    """A manager decides a substantial change (see the module's rules)."""
    from accelerator.audits.operations.preparation import open_reaudit
    from accelerator.audits.operations.workflow import suspend_approval

    _require_manager(actor)
    if change.outcome is not None:
        raise Conflict(gettext("This change was already decided."))
    comment = (comment or "").strip()
    if not comment:
        message = gettext("The manager's reasons are required.")
        raise Invalid(message, {"comment": [message]})
    approval = change.audit
    solution = change.solution
    domains = list(dict.fromkeys(domains or []))
    if outcome == ChangeOutcome.partial_reaudit:
        known = {d.code for d in approval.framework_version.domains}
        if not domains or not set(domains) <= known:
            message = gettext(
                "Choose the domains to audit again among: %(codes)s.",
                codes=", ".join(sorted(known)),
            )
            raise Invalid(message, {"domains": [message]})
    else:
        domains = []
    if outcome in (ChangeOutcome.no_impact, ChangeOutcome.partial_reaudit):
        # The solution now says what the company declared.
        for field in DECLARATION_FIELDS:
            value = change.declarations[_declaration_key(field)]
            setattr(solution, field, Pricing(value) if field == "pricing" else value)
    if outcome == ChangeOutcome.no_impact:
        approval.declarations = dict(change.declarations)
    change.outcome = outcome
    change.domains = domains
    change.comment = comment
    change.decided_by = actor
    change.decided_at = utcnow()
    record_event(
        approval,
        actor,
        AuditAction.change_decided,
        comment,
        outcome=outcome.value,
        domains=domains,
    )
    db.session.flush()
    if outcome == ChangeOutcome.partial_reaudit:
        change.reaudit = open_reaudit(approval, domains)
    elif outcome == ChangeOutcome.suspension and approval.status in APPROVED_STATES:
        suspend_approval(actor, approval, comment)
    db.session.flush()
    solution_changed.send(solution)
    _tell_company(solution, CHANGE_DECIDED_SUBJECT, str(outcome.label), comment=comment)
    return change
