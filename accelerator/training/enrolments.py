"""Operations on enrolments: enrol, cancel (the waitlist moves up), take attendance.

Capacity is a database fact. A place is taken with ONE conditional UPDATE
(``registered_count = registered_count + 1 WHERE registered_count < capacity``): the row lock
it takes serializes a crowd enrolling in the same second, and PostgreSQL re-checks the
condition on the row it finally locks, so exactly ``capacity`` enrolments win. The CHECK
constraint on ``registered_count`` is the last line of defence, and the unique
(session, teacher) constraint stops double enrolment.

Cancellations lock the session row first, then hand the freed place to the first teacher of
the waitlist (or give it back). An enrolment that found the session full takes the same lock
before settling for the waitlist, so it cannot miss a place freed in the meantime.
"""

from __future__ import annotations

import re

from flask_babel import gettext
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import Role, TeacherProfile, User
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid, NotFound
from accelerator.core.mail import send_mail
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    TrainingSession,
)
from accelerator.training.records import sync_certificates
from accelerator.training.sessions import lock_session

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


def _take_place(session_id: int) -> bool:
    """One conditional UPDATE: True when a place was taken."""
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


def _release_place(session_id: int) -> None:
    db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session_id, TrainingSession.registered_count > 0)
        .values(registered_count=TrainingSession.registered_count - 1)
        .execution_options(synchronize_session=False)
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


def enroll_teacher(
    actor: User | None, session: TrainingSession, teacher: TeacherProfile
) -> Enrollment:
    """Enrol ``teacher``: a place when one is left, else a rank on the waitlist.

    A teacher enrols themself; trainers and managers enrol anyone. Enrolling twice is a
    conflict; a teacher who cancelled may enrol again (the same row comes back to life).
    """
    _check_can_enrol(actor, session, teacher)
    existing = db.session.scalar(
        select(Enrollment).where(
            Enrollment.session_id == session.id, Enrollment.teacher_id == teacher.id
        )
    )
    if existing is not None and existing.is_active:
        raise Conflict(already_enrolled_message())
    now = utcnow()
    try:
        # One savepoint for the place and the row: a duplicate gives the place back.
        with db.session.begin_nested():
            registered = _take_place(session.id)
            if not registered and lock_session(session.id).is_cancelled:
                raise Conflict(gettext("This session is cancelled."))
            if not registered:
                # Session row locked: a place freed by a cancellation is now visible.
                registered = _take_place(session.id)
            status = EnrollmentStatus.registered if registered else EnrollmentStatus.waitlisted
            if existing is None:
                enrollment = Enrollment(
                    session_id=session.id,
                    teacher_id=teacher.id,
                    status=status,
                    created_at=now,
                    waitlisted_at=None if registered else now,
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
                    )
                    .execution_options(synchronize_session=False)
                )
                if revived.rowcount != 1:
                    raise Conflict(already_enrolled_message())
                db.session.refresh(existing)
                enrollment = existing
    except IntegrityError:
        raise Conflict(already_enrolled_message()) from None
    db.session.expire(session, ["registered_count"])
    return enrollment


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


def _first_waitlisted(session_id: int) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment)
        .where(
            Enrollment.session_id == session_id,
            Enrollment.status == EnrollmentStatus.waitlisted,
        )
        .order_by(Enrollment.waitlisted_at, Enrollment.id)
        .limit(1)
    )


def _move_up(enrollment: Enrollment, session: TrainingSession) -> None:
    enrollment.status = EnrollmentStatus.registered
    enrollment.waitlisted_at = None
    send_mail(
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
    while (first := _first_waitlisted(session.id)) is not None and _take_place(session.id):
        _move_up(first, session)
        promoted.append(first)
    db.session.flush()
    db.session.expire(session, ["registered_count"])
    return promoted


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
    told by email. Returns that teacher's enrolment, if any."""
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
    promoted = None
    if held_place:
        promoted = _first_waitlisted(session.id)
        if promoted is not None:
            # The place passes from one teacher to the next: the count does not change.
            _move_up(promoted, session)
        else:
            _release_place(session.id)
    db.session.flush()
    db.session.expire(session, ["registered_count"])
    return promoted


def apply_attendance(
    enrollment: Enrollment, attended: bool, completed: bool, source: str, now=None
) -> bool:
    """Set attendance and completion on one enrolment; True when something changed."""
    if enrollment.attended == attended and enrollment.completed == completed:
        return False
    enrollment.attended = attended
    if completed and not enrollment.completed:
        enrollment.completed_at = now or utcnow()
    if not completed:
        enrollment.completed_at = None
    enrollment.completed = completed
    enrollment.attendance_source = source
    return True


def record_attendance(
    actor: User | None, session: TrainingSession, items: list[dict], source: str = "api"
) -> int:
    """Attendance for a session: ``items`` of ``{teacher_email, attended, completed}``.

    All or nothing: an unknown email, a teacher without a place in the session, a repeated
    teacher or "completed" without "attended" refuses the whole list (422, by item index).
    Sending the same list again changes nothing. Returns the number of enrolments changed.
    """
    if not session.can_manage(actor):
        raise Forbidden(gettext("Only trainers and managers take attendance."))
    if session.is_cancelled:
        raise Conflict(gettext("This session is cancelled."))
    if not session.has_started():
        raise Conflict(
            gettext("This session has not started yet: attendance is taken once it has.")
        )
    emails = [normalize_email(item["teacher_email"]) for item in items]
    rows = db.session.execute(
        select(TeacherProfile.email, Enrollment)
        .join(Enrollment, Enrollment.teacher_id == TeacherProfile.id)
        .where(Enrollment.session_id == session.id, TeacherProfile.email.in_(set(emails)))
    ).all()
    by_email = {email: enrollment for email, enrollment in rows}
    errors: dict[str, dict] = {}
    seen: set[str] = set()
    for index, (email, item) in enumerate(zip(emails, items, strict=True)):
        enrollment = by_email.get(email)
        if email in seen:
            errors[str(index)] = {"teacher_email": [gettext("This teacher appears twice.")]}
        elif enrollment is None or enrollment.status != EnrollmentStatus.registered:
            errors[str(index)] = {
                "teacher_email": [gettext("This teacher has no place in this session.")]
            }
        elif item["completed"] and not item["attended"]:
            errors[str(index)] = {
                "completed": [gettext("A teacher who completed the session attended it.")]
            }
        seen.add(email)
    if errors:
        raise Invalid(gettext("Some attendance lines are invalid; nothing was recorded."), errors)
    now = utcnow()
    changed = sum(
        apply_attendance(by_email[email], item["attended"], item["completed"], source, now)
        for email, item in zip(emails, items, strict=True)
    )
    db.session.flush()
    sync_certificates(enrollment.id for enrollment in by_email.values())
    return changed
