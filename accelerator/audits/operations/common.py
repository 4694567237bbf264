"""What every audit operation shares: locking an audit, recording history, role checks."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from accelerator.accounts.models import Role, User
from accelerator.audits.models import Audit, AuditEvent
from accelerator.audits.states import AuditAction, AuditStatus
from accelerator.core.db import is_postgresql
from accelerator.core.errors import Conflict, Forbidden, NotFound
from accelerator.extensions import db


def lock_audit(audit: Audit) -> Audit:
    """Re-read ``audit`` with its row locked until the end of the transaction.

    On PostgreSQL this is ``SELECT ... FOR UPDATE``: a concurrent state change waits, then
    reads the committed state (and is refused if it no longer fits). SQLite serialises
    writers itself; there, as everywhere, the ``lock_version`` column catches what slips by.
    """
    statement = select(Audit).where(Audit.id == audit.id).execution_options(populate_existing=True)
    if is_postgresql():
        statement = statement.with_for_update()
    locked = db.session.scalar(statement)
    if locked is None:
        raise NotFound(gettext("This audit does not exist."))
    return locked


def flush_audit() -> None:
    """Write pending changes now, turning a concurrent update of the audit into a 409."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise stale_conflict() from None


def stale_conflict() -> Conflict:
    return Conflict(
        gettext("This audit was changed by someone else meanwhile; reload it and try again.")
    )


def record_event(
    audit: Audit,
    actor: User | None,
    action: AuditAction,
    comment: str = "",
    from_status: AuditStatus | None = None,
    to_status: AuditStatus | None = None,
    **data,
) -> AuditEvent:
    """Append a row to the audit's history (never updated, never deleted)."""
    event = AuditEvent(
        audit=audit,
        actor=actor,
        action=action,
        comment=comment or "",
        from_status=from_status.value if from_status else None,
        to_status=to_status.value if to_status else None,
        data=data,
    )
    db.session.add(event)
    return event


def carried_over_conflict(audit: Audit) -> Conflict:
    """A partial re-audit reviews its domains only; the other levels are the approval's."""
    return Conflict(
        gettext(
            "This partial re-audit covers the domains %(domains)s only: the other criteria "
            "keep the approval's level.",
            domains=", ".join(audit.reaudit_domains or []),
        )
    )


def require_role(actor: User, *roles: Role, message: str | None = None) -> None:
    """403 when ``actor`` has none of ``roles`` (a rule that does not depend on the object)."""
    if actor is None or actor.role not in roles:
        raise Forbidden(message or gettext("Your role does not allow this action."))


def require_visible(actor: User, audit: Audit) -> None:
    """404 unless ``actor`` may read ``audit`` (the same rule as ``Audit.visible_to``)."""
    if not audit.can_read(actor):
        raise NotFound(gettext("Nothing here, or not visible to you."))


def insert_guarded(row) -> bool:
    """Insert ``row`` now; False when a unique constraint refuses it (a concurrent twin got
    there first), and the caller answers with a Conflict.

    PostgreSQL undoes just this insert (a savepoint). SQLite's Python driver does not nest
    transactions reliably (a savepoint opened before any write commits on release), so there
    the whole transaction is rolled back instead: the request is refused anyway.
    """
    if is_postgresql():
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            return False
        return True
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True
