"""Sessions on catalogue solutions, and enrolments, for the training tests."""

from __future__ import annotations

from datetime import timedelta

from accelerator.accounts.models import Role, TeacherProfile
from accelerator.audits.models import Solution
from accelerator.core.db import utcnow
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionFormat,
    SessionStatus,
    TrainingSession,
)
from accelerator.training.operations import reference_for
from tests.audits.factories import make_approved_audit, make_solution
from tests.factories import TeacherProfileFactory, make_user


def make_catalogue_solution(**fields) -> Solution:
    """A solution with an approval in force (so it is in the catalogue)."""
    solution = make_solution(**fields)
    make_approved_audit(solution)
    db.session.commit()
    return solution


def make_session(
    solutions: list[Solution] | None = None,
    capacity: int = 10,
    starts_in: timedelta = timedelta(days=10),
    hours: float = 3,
    **fields,
) -> TrainingSession:
    """A scheduled session (in the future by default; a negative ``starts_in`` for a past one)."""
    starts_at = utcnow() + starts_in
    session = TrainingSession(
        reference=f"TMP-{utcnow().timestamp()}-{id(fields)}",
        title=fields.pop("title", "Prendre en main la solution"),
        format=fields.pop("format", SessionFormat.in_person),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        duration_hours=hours,
        capacity=capacity,
        registered_count=0,
        academy=fields.pop("academy", "paris"),
        location=fields.pop("location", "Atelier Canopé 75"),
        in_paf=fields.pop("in_paf", False),
        status=fields.pop("status", SessionStatus.scheduled),
        solutions=solutions if solutions is not None else [make_catalogue_solution()],
        **fields,
    )
    db.session.add(session)
    db.session.flush()
    session.reference = reference_for(session)
    db.session.commit()
    return session


def make_teacher_user(**fields):
    return make_user(Role.teacher, **fields)


def make_teacher(**fields) -> TeacherProfile:
    teacher = TeacherProfileFactory(**fields)
    db.session.commit()
    return teacher


def add_enrollment(
    session: TrainingSession,
    teacher: TeacherProfile | None = None,
    status: EnrollmentStatus = EnrollmentStatus.registered,
    **fields,
) -> Enrollment:
    """An enrolment written directly (keeping ``registered_count`` right), for set-ups."""
    teacher = teacher or make_teacher()
    enrollment = Enrollment(
        session_id=session.id,
        teacher_id=teacher.id,
        status=status,
        waitlisted_at=utcnow() if status == EnrollmentStatus.waitlisted else None,
        **fields,
    )
    db.session.add(enrollment)
    if status == EnrollmentStatus.registered:
        session.registered_count += 1
    db.session.commit()
    return enrollment
