"""Read-side questions other domains ask about audits (catalogue, training, reporting)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_, select

from accelerator.audits.models import Audit
from accelerator.audits.states import APPROVED_STATES, AuditStatus


def approvals_in_force(today: date | None = None) -> Select:
    """Audits whose approval is in force on ``today``: approved (with or without conditions),
    not suspended, and not past their validity."""
    today = today or date.today()
    return select(Audit).where(Audit.status.in_(APPROVED_STATES), Audit.valid_until >= today)


def solution_ids_in_force(today: date | None = None) -> Select:
    """Ids of the solutions with an approval in force (the catalogue's solutions)."""
    return approvals_in_force(today).with_only_columns(Audit.solution_id).distinct()


def with_effective_status(
    statement: Select, status: AuditStatus, today: date | None = None
) -> Select:
    """Narrow a select of audits to those that *read* as ``status`` (``expired`` being an
    approval past its validity, and an approval in force no longer expired)."""
    today = today or date.today()
    if status == AuditStatus.expired:
        return statement.where(Audit.status.in_(APPROVED_STATES), Audit.valid_until < today)
    statement = statement.where(Audit.status == status)
    if status in APPROVED_STATES:
        statement = statement.where(or_(Audit.valid_until.is_(None), Audit.valid_until >= today))
    return statement
