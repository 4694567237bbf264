"""Audit pages: companies' solutions and self-assessment, experts' scoring, managers'
steering and committee. Each page calls the operations in ``audits.operations``."""

from flask import Blueprint

bp = Blueprint("audits", __name__)

from accelerator.audits.views import (  # noqa: E402,F401  (routes register on bp)
    audit,
    changes,
    company,
    conditions,
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
    }
