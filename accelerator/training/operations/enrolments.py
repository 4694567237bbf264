"""Operations on enrolments: enrol, find, cancel (the waitlist moves up).

A place is taken with the conditional UPDATE of ``places``, then the row written with
``INSERT ... ON CONFLICT DO NOTHING``: the unique (session, teacher) constraint stops double
enrolment without a savepoint, and a refused row gives its place back (or revives the
teacher's cancelled enrolment with it). Cancellations lock the session row first, then hand
the freed place to the first teacher of the waitlist (or give it back). An enrolment that
found the session full takes the same lock before settling for the waitlist, so it cannot
miss a place freed in the meantime. Rows written by a statement rather than an ORM flush are
announced (``signals``), so that the kept figures follow.
"""

from __future__ import annotations

import re

from flask_babel import gettext
from sqlalchemy import Select, bindparam, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from accelerator.accounts.models import Role, TeacherProfile, User
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid, NotFound
from accelerator.core.mail import queue_mail
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    TrainingSession,
)
from accelerator.training.operations.places import (
    first_waitlisted,
    lock_session,
    move_up,
    release_place,
    take_place,
)
from accelerator.training.signals import enrolled, enrolment_changed

_EMAIL = re.compile(r"^[^@\s,;]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
#: Academic addresses: a rectorat's domain (ac-paris.fr, ac-nancy-metz.fr...) or the ministry's.
_ACADEMIC_DOMAIN = re.compile(r"(^|\.)(ac-[a-z-]+\.fr|education\.gouv\.fr)$")


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


def is_valid_email(email: str) -> bool:
    return len(email) <= 254 and bool(_EMAIL.match(email))


def is_academic_email(email: str) -> bool:
    return is_valid_email(email) and bool(_ACADEMIC_DOMAIN.search(email.rpartition("@")[2]))


def teacher_for_email(email: str, **fields) -> TeacherProfile:
    """The teacher with this email; unknown so far, a profile is created, which needs an
    academic address (the teacher finds this history when registering with it)."""
    email = normalize_email(email)
    teacher = db.session.scalar(select(TeacherProfile).where(TeacherProfile.email == email))
    if teacher is not None:
        return teacher
    if not is_academic_email(email):
        message = gettext(
            "Unknown teacher: give their academic email address (for example "
            "prenom.nom@ac-paris.fr) so that a profile can be created."
        )
        raise Invalid(message, {"teacher_email": [message]})
    teacher = TeacherProfile(email=email, **fields)
    try:
        with db.session.begin_nested():
            db.session.add(teacher)
            db.session.flush()
    except IntegrityError:
        # Created by a concurrent request in the meantime: use that one.
        teacher = db.session.scalar(select(TeacherProfile).where(TeacherProfile.email == email))
    return teacher


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


def record_prior_use(enrollment: Enrollment, already_uses_in_class: bool) -> bool:
    """The teacher's answer to "before this training, were you already using the solution
    in class?", asked in their first questionnaire when nobody asked it at enrolment (a
    trainer, a manager or an import enrolled them). An answer given at enrolment is never
    replaced; True when this one was recorded."""
    if not isinstance(already_uses_in_class, bool):
        raise Invalid(
            gettext("Some fields are invalid."),
            {"already_used": [gettext("Answer yes or no.")]},
        )
    if enrollment.already_uses_in_class is not None:
        return False
    # through the ORM, so that the kept figures of the reinvestment indicator follow (the
    # questionnaire's own unique answer settles two submissions at once)
    enrollment.already_uses_in_class = already_uses_in_class
    db.session.flush()
    return True


def enroll_teacher(
    actor: User | None,
    session: TrainingSession,
    teacher: TeacherProfile,
    already_uses_in_class: bool | None = None,
) -> Enrollment:
    """Enrol ``teacher``: a place when one is left, else a rank on the waitlist.

    A teacher enrols themself; trainers and managers enrol anyone. Enrolling twice is a
    conflict; a teacher who cancelled may enrol again (the same row comes back to life).
    ``already_uses_in_class`` is the teacher's answer to "do you already use this solution
    in class?" (None when not given), kept with the enrolment (a new enrolment, a new answer).
    """
    _check_can_enrol(actor, session, teacher)
    now = utcnow()
    status = _take_place_or_wait(session.id)
    # Most enrolments are a first one: the row is written at once (INSERT ... ON CONFLICT DO
    # NOTHING, no savepoint), and the teacher's earlier enrolment is read only when the
    # unique (session, teacher) pair refuses it.
    enrollment = db.session.scalar(
        _INSERT_ENROLLMENT,
        {
            "session_id": session.id,
            "teacher_id": teacher.id,
            "status": status,
            "created_at": now,
            "waitlisted_at": None if status == EnrollmentStatus.registered else now,
            "already_uses_in_class": already_uses_in_class,
            "attended": False,
            "completed": False,
        },
    )
    if enrollment is None:
        enrollment = _revive(session, teacher.id, status, now, already_uses_in_class)
    else:
        enrolled.send(session, registered=status == EnrollmentStatus.registered)
    db.session.expire(session, ["registered_count"])
    return enrollment


def _take_place_or_wait(session_id: int) -> EnrollmentStatus:
    """A place when one is left, else the waitlist."""
    if take_place(session_id):
        return EnrollmentStatus.registered
    if lock_session(session_id).is_cancelled:
        raise Conflict(gettext("This session is cancelled."))
    # Session row locked: a place freed by a cancellation is now visible.
    if take_place(session_id):
        return EnrollmentStatus.registered
    return EnrollmentStatus.waitlisted


_WRITTEN = (
    "session_id",
    "teacher_id",
    "status",
    "created_at",
    "waitlisted_at",
    "attended",
    "completed",
    "already_uses_in_class",
)
_READ_BACK = ("id", *_WRITTEN, "cancelled_at", "completed_at", "attendance_source")
#: The new row, unless the (session, teacher) pair exists, read back (RETURNING): the same
#: SQL on SQLite and PostgreSQL. A text, because SQLAlchemy does not cache its dialects'
#: ON CONFLICT inserts: compiled again on every call, that costs more than the rest of the
#: enrolment; this one is compiled once. The columns not written stay empty; a column
#: added later and not read back here is loaded when asked for.
_INSERT_ENROLLMENT = select(Enrollment).from_statement(
    text(
        "INSERT INTO enrollment (session_id, teacher_id, status, created_at, waitlisted_at,"
        " attended, completed, already_uses_in_class)"
        " VALUES (:session_id, :teacher_id, :status, :created_at, :waitlisted_at,"
        " :attended, :completed, :already_uses_in_class)"
        " ON CONFLICT (session_id, teacher_id) DO NOTHING"
        " RETURNING id, session_id, teacher_id, status, created_at, waitlisted_at, attended,"
        " completed, already_uses_in_class, cancelled_at, completed_at, attendance_source"
    )
    .bindparams(*(bindparam(name, type_=Enrollment.__table__.c[name].type) for name in _WRITTEN))
    .columns(*(Enrollment.__table__.c[name] for name in _READ_BACK))
)


def _revive(
    session: TrainingSession,
    teacher_id: int,
    status: EnrollmentStatus,
    now,
    already_uses_in_class: bool | None,
) -> Enrollment:
    """The teacher's cancelled enrolment enrolled again, with the place (or the rank) just
    taken; an active one is a conflict, and the place taken goes back."""
    existing = enrollment_of(session.id, teacher_id)
    revived = (
        existing is not None
        and not existing.is_active
        and db.session.execute(
            update(Enrollment)
            .where(
                Enrollment.id == existing.id,
                Enrollment.status == EnrollmentStatus.cancelled,
            )
            .values(
                status=status,
                waitlisted_at=None if status == EnrollmentStatus.registered else now,
                cancelled_at=None,
                already_uses_in_class=already_uses_in_class,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    if not revived:
        if status == EnrollmentStatus.registered:
            release_place(session.id)
        raise Conflict(already_enrolled_message())
    db.session.refresh(existing)
    enrolment_changed.send(session, teacher_id=teacher_id)
    return existing


def already_enrolled_message() -> str:
    return gettext("This teacher is already enrolled in this session.")


def waitlist_rank(enrollment: Enrollment) -> int | None:
    """1 for the first teacher of the waitlist; None when not waiting."""
    if enrollment.status != EnrollmentStatus.waitlisted or enrollment.waitlisted_at is None:
        return None
    ahead = db.session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.session_id == enrollment.session_id,
            Enrollment.status == EnrollmentStatus.waitlisted,
            or_(
                Enrollment.waitlisted_at < enrollment.waitlisted_at,
                (Enrollment.waitlisted_at == enrollment.waitlisted_at)
                & (Enrollment.id < enrollment.id),
            ),
        )
    )
    return ahead + 1


def find_enrollment(user, session: TrainingSession, enrollment_id: int) -> Enrollment:
    """An enrolment of this session that ``user`` may act on (the teacher themself, or the
    staff who run it); anything else is not found."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.session_id != session.id:
        raise NotFound(gettext("This enrolment does not exist."))
    if not enrollment.can_cancel(user):
        raise NotFound(gettext("This enrolment does not exist."))
    return enrollment


def cancel_enrollment(actor: User | None, enrollment: Enrollment) -> Enrollment | None:
    """Cancel an enrolment; a place it held goes to the first teacher of the waitlist, who is
    told by email. The teacher of the cancelled enrolment is emailed too (a confirmation, or
    a notice when staff cancelled it). Returns the promoted teacher's enrolment, if any."""
    if not enrollment.can_cancel(actor):
        raise NotFound(gettext("This enrolment does not exist."))
    session = enrollment.session
    if session.is_cancelled:
        raise Conflict(gettext("This session is cancelled."))
    if session.has_started():
        raise Conflict(gettext("This session has already started: it can no longer be cancelled."))
    if not enrollment.is_active:
        raise Conflict(gettext("This enrolment is already cancelled."))
    lock_session(session.id)
    held_place = enrollment.status == EnrollmentStatus.registered
    cancelled = db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment.id, Enrollment.status == enrollment.status)
        .values(status=EnrollmentStatus.cancelled, cancelled_at=utcnow(), waitlisted_at=None)
        .execution_options(synchronize_session=False)
    )
    if cancelled.rowcount != 1:
        raise Conflict(gettext("This enrolment is already cancelled."))
    db.session.refresh(enrollment)
    enrolment_changed.send(session, teacher_id=enrollment.teacher_id)
    promoted = None
    if held_place:
        promoted = first_waitlisted(session.id)
        if promoted is not None:
            # The place passes from one teacher to the next: the count does not change.
            move_up(promoted, session)
        else:
            release_place(session.id)
    db.session.flush()
    db.session.expire(session, ["registered_count"])
    _tell_of_cancellation(actor, enrollment)
    return promoted


def _tell_of_cancellation(actor: User | None, enrollment: Enrollment) -> None:
    """The teacher gets a confirmation when they cancelled, a notice when a trainer or a
    manager did."""
    session = enrollment.session
    if enrollment.belongs_to(actor):
        subject = gettext("Your enrolment is cancelled: %(title)s", title=session.title)
        template = "training_enrollment_cancelled"
    else:
        subject = gettext(
            "Your enrolment was cancelled by the training team: %(title)s", title=session.title
        )
        template = "training_enrollment_cancelled_by_staff"
    queue_mail(
        enrollment.teacher.email, subject, template, session=session, teacher=enrollment.teacher
    )


#: Built once (a fixed statement keeps its cache key): every enrolment runs it.
_ENROLLMENT_OF = select(Enrollment).where(
    Enrollment.session_id == bindparam("session_id"),
    Enrollment.teacher_id == bindparam("teacher_id"),
)


def enrollment_of(session_id: int, teacher_id: int) -> Enrollment | None:
    """The teacher's enrolment in the session (whatever its status), if any."""
    return db.session.scalar(_ENROLLMENT_OF, {"session_id": session_id, "teacher_id": teacher_id})


def roster(
    session: TrainingSession, status: EnrollmentStatus | None = None, grouped: bool = False
) -> Select:
    """The enrolments of a session with their teachers: every one, or those of ``status``;
    in enrolment order, or ``grouped`` by status then waitlist order (the page's table)."""
    statement = (
        select(Enrollment)
        .where(Enrollment.session_id == session.id)
        .options(selectinload(Enrollment.teacher))
    )
    if status is not None:
        statement = statement.where(Enrollment.status == status)
    if grouped:
        statement = statement.order_by(Enrollment.status, Enrollment.waitlisted_at)
    return statement.order_by(Enrollment.id)
