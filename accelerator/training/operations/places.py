"""Places in a session: the row lock, taking and giving back a place, and the waitlist.

Capacity is a database fact. A place is taken with ONE conditional UPDATE
(``registered_count = registered_count + 1 WHERE registered_count < capacity``): the row lock
it takes serializes a crowd enrolling in the same second, and PostgreSQL re-checks the
condition on the row it finally locks, so exactly ``capacity`` enrolments win. The CHECK
constraint on ``registered_count`` is the last line of defence.

Sessions (a capacity raise) and enrolments (a cancellation) both move the waitlist up, so
this sits below both of them.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import bindparam, select, update

from accelerator.core.mail import queue_mail
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    TrainingSession,
)


def lock_session(session_id: int) -> TrainingSession:
    """Re-read the session row locked until the end of the transaction (``FOR UPDATE`` on
    PostgreSQL; SQLite has a single writer, so the clause is left out there)."""
    return db.session.scalars(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


_SESSIONS = TrainingSession.__table__
#: Built once: an enrolment runs it on every call, and a fixed statement keeps its cache key
#: (SQLAlchemy then finds the compiled SQL without walking a new statement each time). On
#: the table, not the class: no ORM objects to keep in step (the caller expires the count).
_TAKE_PLACE = (
    _SESSIONS.update()
    .where(
        _SESSIONS.c.id == bindparam("session_id"),
        _SESSIONS.c.status == SessionStatus.scheduled,
        _SESSIONS.c.registered_count < _SESSIONS.c.capacity,
    )
    .values(registered_count=_SESSIONS.c.registered_count + 1)
)


def take_place(session_id: int) -> bool:
    """One conditional UPDATE: True when a place was taken."""
    return db.session.execute(_TAKE_PLACE, {"session_id": session_id}).rowcount == 1


def release_place(session_id: int) -> None:
    db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session_id, TrainingSession.registered_count > 0)
        .values(registered_count=TrainingSession.registered_count - 1)
        .execution_options(synchronize_session=False)
    )


def first_waitlisted(session_id: int) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment)
        .where(
            Enrollment.session_id == session_id,
            Enrollment.status == EnrollmentStatus.waitlisted,
        )
        .order_by(Enrollment.waitlisted_at, Enrollment.id)
        .limit(1)
    )


def move_up(enrollment: Enrollment, session: TrainingSession) -> None:
    enrollment.status = EnrollmentStatus.registered
    enrollment.waitlisted_at = None
    queue_mail(
        enrollment.teacher.email,
        gettext("A place is yours: %(title)s", title=session.title),
        "training_place_granted",
        session=session,
        teacher=enrollment.teacher,
    )


def promote_waitlisted(session: TrainingSession) -> list[Enrollment]:
    """Give the places left to the first teachers of the waitlist (after a capacity raise)."""
    lock_session(session.id)
    promoted = []
    while (first := first_waitlisted(session.id)) is not None and take_place(session.id):
        move_up(first, session)
        promoted.append(first)
    db.session.flush()
    db.session.expire(session, ["registered_count"])
    return promoted
