"""Transitions of an audit (the table of ``states.TRANSITIONS``)."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user

from accelerator.audits import operations
from accelerator.audits.api.common import visible_audit
from accelerator.audits.schemas import AuditDetailOut, TransitionIn, audit_detail
from accelerator.core.api import api, json_body, load
from accelerator.core.errors import Forbidden
from accelerator.core.openapi import documented
from accelerator.core.permissions import login_required


@api.post("/audits/<int:audit_id>/transitions")
@login_required
@documented(body=TransitionIn, response=AuditDetailOut, errors=(409,))
def transition_audit(audit_id: int):
    """Move an audit through its workflow: submit, withdraw, declare_inadmissible, admit,
    request_info, respond, send_to_committee, decide, suspend, reinstate, appeal, reopen.

    403: the caller's role may never take the action; 409: refused in the audit's state
    (the reason is the detail)."""
    data = load(TransitionIn(), json_body())
    # A role that may never take the action learns it before whether the audit exists.
    if not operations.role_may(current_user, data["action"]):
        raise Forbidden(gettext("Your role does not allow this action."))
    audit = operations.apply_transition(
        current_user,
        visible_audit(audit_id),
        data["action"],
        data["comment"],
        outcome=data["outcome"],
        motivation=data["motivation"],
        conditions=data["conditions"],
        valid_until=data["valid_until"],
        committee_date=data["committee_date"],
        committee_members=data["committee_members"],
    )
    return audit_detail(current_user, audit)
