"""What the audits API handlers share: the readers' roles and lookups through visibility."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.audits.models import Audit, Solution
from accelerator.audits.states import AuditStatus
from accelerator.core.errors import NotFound
from accelerator.extensions import db

#: roles that read solutions and audits at all (others get 403)
READERS = (Role.company, Role.expert, Role.manager, Role.admin)

#: the OpenAPI body of an upload (multipart field ``file``)
FILE_BODY = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        }
    }
}
#: ``?status=``: an effective status (``expired`` being an approval past its validity)
STATUS_PARAMETER = {
    "name": "status",
    "in": "query",
    "schema": {"type": "string", "enum": AuditStatus.codes()},
}


def _not_found() -> NotFound:
    return NotFound(gettext("Nothing here, or not visible to you."))


def visible_solution(solution_id: int) -> Solution:
    """The caller's solution ``solution_id`` (``Solution.visible_to``), else 404."""
    solution = db.session.scalar(
        Solution.visible_to(current_user).where(Solution.id == solution_id)
    )
    if solution is None:
        raise _not_found()
    return solution


def visible_audit(audit_id: int) -> Audit:
    """The caller's audit ``audit_id`` (``Audit.visible_to``), else 404."""
    audit = db.session.scalar(Audit.visible_to(current_user).where(Audit.id == audit_id))
    if audit is None:
        raise _not_found()
    return audit
