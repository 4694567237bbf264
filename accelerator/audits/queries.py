"""Read-side questions about audits, asked by the audits pages and API and by the domains
above (catalogue, training, certification, reporting). This module is the one owner of
"approval in force" and of the effective status; nobody else spells them out in SQL.

Rules
-----
- An approval is *in force* on a day when the audit is approved (with or without
  conditions), not suspended, and the day is not past its ``valid_until``.
- The *effective status* is the stored status, except that an approval past its validity
  reads as ``expired`` (``Audit.effective_status`` is the same rule in Python).
- An approval was in force *at a date* (``approved_on``) when a decision approving it had
  been taken on or before that day, its validity ran to that day at least, and no
  suspension was running that day (a suspension runs from the day it was recorded until the
  day a reinstatement after it was recorded).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Exists, Select, and_, case, func, literal, select, type_coerce
from sqlalchemy.orm import aliased

from accelerator.audits.models import Audit, AuditEvent, Decision
from accelerator.audits.states import APPROVED_STATES, AuditAction, AuditStatus
from accelerator.core.db import day_of


def in_force(today: date | None = None, audit=Audit) -> ColumnElement[bool]:
    """SQL condition: ``audit``'s approval is in force on ``today`` (see the rules); ``today``
    may be a bound parameter."""
    today = date.today() if today is None else today
    return and_(audit.status.in_(APPROVED_STATES), audit.valid_until >= today)


def approvals_in_force(today: date | None = None) -> Select:
    """Audits whose approval is in force on ``today``."""
    return select(Audit).where(in_force(today))


def solution_ids_in_force(today: date | None = None) -> Select:
    """Ids of the solutions with an approval in force (the catalogue's solutions)."""
    return select(Audit.solution_id).where(in_force(today)).distinct()


def lapsed_solution_ids(solution_ids: set[int], today: date | None = None) -> set[int]:
    """Those of ``solution_ids`` with no approval in force on ``today``."""
    from accelerator.extensions import db

    if not solution_ids:
        return set()
    current = set(
        db.session.scalars(
            select(Audit.solution_id).where(in_force(today), Audit.solution_id.in_(solution_ids))
        )
    )
    return set(solution_ids) - current


def approval_lapsed(solution_ids: set[int], today: date | None = None) -> bool:
    """None of ``solution_ids`` (at least one) has an approval in force on ``today`` any more
    (a training on them took place, but what it trained on is no longer approved)."""
    return bool(solution_ids) and lapsed_solution_ids(solution_ids, today) == set(solution_ids)


def effective_status(today: date | None = None) -> ColumnElement[AuditStatus]:
    """SQL expression of the effective status (see the rules), typed as the status column
    so rows read back as ``AuditStatus``."""
    today = today or date.today()
    expired = and_(Audit.status.in_(APPROVED_STATES), Audit.valid_until < today)
    return type_coerce(
        case((expired, literal(AuditStatus.expired.value)), else_=Audit.status),
        Audit.status.type,
    )


def with_effective_status(
    statement: Select, status: AuditStatus, today: date | None = None
) -> Select:
    """Narrow a select of audits to those that *read* as ``status``."""
    # The stored states a status can come from keep the status index usable.
    stored = APPROVED_STATES if status == AuditStatus.expired else (status,)
    return statement.where(Audit.status.in_(stored), effective_status(today) == status)


def count_by_effective_status(statement: Select, today: date | None = None) -> Select:
    """(effective status, count) of the audits a select of audits returns."""
    audits = statement.with_only_columns(Audit.id, effective_status(today).label("status"))
    counted = audits.subquery()
    return select(counted.c.status, func.count()).group_by(counted.c.status)


def approved_on(solution_id, day) -> Exists:
    """SQL condition: the solution ``solution_id`` had an approval in force on ``day`` (both
    SQL expressions), from the decisions and the suspension and reinstatement history."""
    decision, audit = aliased(Decision), aliased(Audit)
    suspension, reinstatement = aliased(AuditEvent), aliased(AuditEvent)
    # Explicit correlation: these subqueries are nested two and three levels deep, and must
    # refer to the audit and the caller's row, not to fresh copies.
    lifted = (
        select(reinstatement.id)
        .where(
            reinstatement.audit_id == audit.id,
            reinstatement.action == AuditAction.reinstate,
            reinstatement.at > suspension.at,
            day_of(reinstatement.at) <= day,
        )
        .correlate_except(reinstatement)
        .exists()
    )
    suspended = (
        select(suspension.id)
        .where(
            suspension.audit_id == audit.id,
            suspension.action == AuditAction.suspend,
            day_of(suspension.at) <= day,
            ~lifted,
        )
        .correlate_except(suspension)
        .exists()
    )
    return (
        select(decision.id)
        .join(audit, audit.id == decision.audit_id)
        .where(
            audit.solution_id == solution_id,
            decision.outcome.in_(APPROVED_STATES),
            day_of(decision.decided_at) <= day,
            decision.valid_until >= day,
            ~suspended,
        )
        .correlate_except(decision, audit)
        .exists()
    )
