"""The enrol path as issue #17 measured it (``enroll_teacher`` of accelerator/training/
operations/enrolments.py and the ``take_place`` / ``lock_session`` of places.py at a605a8d^),
kept here unchanged so that bench/training_enrolment.py times today's path against it in the
same run. Same checks and writes: the teacher's earlier enrolment read first, a savepoint for
the place and the row (an ORM flush, which the kept figures' tracking sees), the waitlist
under the session lock, a cancelled enrolment revived.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import Role, TeacherProfile, User
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    TrainingSession,
)


def _check_can_enrol(actor: User | None, session: TrainingSession, teacher: TeacherProfile):
    if actor is None or not actor.is_authenticated:
        raise Forbidden(gettext("Sign in to enrol."))
    if actor.role == Role.teacher:
        if actor.teacher is None or actor.teacher.id != teacher.id:
            raise Forbidden(gettext("A teacher enrols only themself."))
    elif not session.can_manage(actor):
        raise Forbidden(gettext("Only teachers, trainers and managers enrol in sessions."))
    if session.is_cancelled:
        raise Conflict(gettext("This session is cancelled."))
    if session.has_started():
        raise Conflict(gettext("This session has already started: enrolment is closed."))


def lock_session(session_id: int) -> TrainingSession:
    return db.session.scalars(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def take_place(session_id: int) -> bool:
    result = db.session.execute(
        update(TrainingSession)
        .where(
            TrainingSession.id == session_id,
            TrainingSession.status == SessionStatus.scheduled,
            TrainingSession.registered_count < TrainingSession.capacity,
        )
        .values(registered_count=TrainingSession.registered_count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def enrollment_of(session_id: int, teacher_id: int) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(
            Enrollment.session_id == session_id, Enrollment.teacher_id == teacher_id
        )
    )


def enroll_teacher(
    actor: User | None,
    session: TrainingSession,
    teacher: TeacherProfile,
    already_uses_in_class: bool | None = None,
) -> Enrollment:
    _check_can_enrol(actor, session, teacher)
    existing = enrollment_of(session.id, teacher.id)
    if existing is not None and existing.is_active:
        raise Conflict(gettext("This teacher is already enrolled in this session."))
    now = utcnow()
    try:
        # One savepoint for the place and the row: a duplicate gives the place back.
        with db.session.begin_nested():
            registered = take_place(session.id)
            if not registered and lock_session(session.id).is_cancelled:
                raise Conflict(gettext("This session is cancelled."))
            if not registered:
                # Session row locked: a place freed by a cancellation is now visible.
                registered = take_place(session.id)
            status = EnrollmentStatus.registered if registered else EnrollmentStatus.waitlisted
            if existing is None:
                enrollment = Enrollment(
                    session_id=session.id,
                    teacher_id=teacher.id,
                    status=status,
                    created_at=now,
                    waitlisted_at=None if registered else now,
                    already_uses_in_class=already_uses_in_class,
                )
                db.session.add(enrollment)
                db.session.flush()
            else:
                revived = db.session.execute(
                    update(Enrollment)
                    .where(
                        Enrollment.id == existing.id,
                        Enrollment.status == EnrollmentStatus.cancelled,
                    )
                    .values(
                        status=status,
                        waitlisted_at=None if registered else now,
                        cancelled_at=None,
                        already_uses_in_class=already_uses_in_class,
                    )
                    .execution_options(synchronize_session=False)
                )
                if revived.rowcount != 1:
                    raise Conflict(gettext("This teacher is already enrolled in this session."))
                db.session.refresh(existing)
                enrollment = existing
    except IntegrityError:
        raise Conflict(gettext("This teacher is already enrolled in this session.")) from None
    db.session.expire(session, ["registered_count"])
    return enrollment
