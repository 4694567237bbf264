"""Audit pages: companies' solutions and self-assessment, experts' scoring, managers'
steering and committee. Each page calls the operations in ``audits.operations``."""

from flask import Blueprint

bp = Blueprint("audits", __name__)

from accelerator.audits.views import (  # noqa: E402,F401  (routes register on bp)
    audit,
    company,
    review,
    solutions,
)


@bp.context_processor
def audit_labels() -> dict:
    from flask_babel import lazy_gettext as _l

    from accelerator.audits.states import AuditStatus

    return {
        "status_labels": {status.value: status.label for status in AuditStatus},
        "recommendation_labels": {
            "approve": _l("approve"),
            "approve_with_conditions": _l("approve with conditions"),
            "reject": _l("reject"),
        },
        "event_labels": {
            "create": _l("Audit started"),
            "renew": _l("Renewal started"),
            "self_assessment": _l("Self-assessment answer"),
            "evidence": _l("Evidence added"),
            "assignment": _l("Expert assigned"),
            "score": _l("Level recorded"),
            "scoring_complete": _l("First pass finished"),
            "consolidation": _l("Divergence settled"),
            "expiry_reminder": _l("Expiry reminder sent"),
            "submit": _l("Submitted"),
            "withdraw": _l("Withdrawn"),
            "declare_inadmissible": _l("Declared inadmissible"),
            "admit": _l("Admitted"),
            "request_info": _l("Question to the company"),
            "respond": _l("Answer of the company"),
            "send_to_committee": _l("Sent to the committee"),
            "decide": _l("Committee decision"),
            "suspend": _l("Approval suspended"),
            "reinstate": _l("Approval reinstated"),
            "appeal": _l("Appeal lodged"),
            "reopen": _l("Reopened for a second decision"),
        },
    }
