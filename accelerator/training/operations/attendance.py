"""Attendance: who came to a session and who completed it (page, API; imports in
``training.imports``). A change of completion is announced with ``attendance_changed``, so
that certification issues or withdraws the attestations in the same transaction."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from accelerator.accounts.models import TeacherProfile, User
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid
from accelerator.extensions import db
from accelerator.training.models import Enrollment, EnrollmentStatus, TrainingSession
from accelerator.training.operations.enrolments import normalize_email
from accelerator.training.signals import attendance_changed


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
    attendance_changed.send(
        session, enrollment_ids=[enrollment.id for enrollment in by_email.values()]
    )
    return changed
