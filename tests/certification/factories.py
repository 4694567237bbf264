"""Sessions and enrolments built as rows, independent of the enrolment operations."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from accelerator.accounts.models import Role, TeacherProfile
from accelerator.audits.models import Solution
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionFormat,
    TrainingSession,
)
from tests.audits.factories import make_approved_audit, make_solution
from tests.factories import OrganizationFactory, TeacherProfileFactory, make_user
from tests.statements import statements_sent


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def approved_solution(decided_on: date = date(2026, 1, 5), country: str = "FR", **fields):
    """A solution of a company in ``country`` approved on ``decided_on`` for two years."""
    solution = make_solution(OrganizationFactory(country=country), **fields)
    make_approved_audit(solution, decided_on=decided_on)
    return solution


def make_session(
    solutions: list[Solution] | None = None,
    on: date = date(2026, 3, 10),
    academy: str = "paris",
    title: str = "Prendre en main la solution",
    **fields,
) -> TrainingSession:
    solutions = solutions if solutions is not None else [approved_solution()]
    session = TrainingSession(
        reference=f"TEST-{secrets.token_hex(4)}",
        title=title,
        format=fields.pop("format", SessionFormat.in_person),
        starts_at=at(on, 9),
        ends_at=fields.pop("ends_at", at(on, 12)),
        duration_hours=fields.pop("duration_hours", 3),
        capacity=fields.pop("capacity", 30),
        academy=academy,
        location=fields.pop("location", "Atelier Canopé de Paris"),
        **fields,
    )
    session.solutions = list(solutions)
    db.session.add(session)
    db.session.flush()
    return session


def enroll(
    teacher: TeacherProfile,
    session: TrainingSession,
    attended: bool = True,
    completed: bool = True,
    status: EnrollmentStatus = EnrollmentStatus.registered,
) -> Enrollment:
    enrollment = Enrollment(
        session=session,
        teacher=teacher,
        status=status,
        attended=attended,
        completed=completed,
        completed_at=session.ends_at + timedelta(hours=1) if completed else None,
        attendance_source="page" if attended else None,
    )
    if status == EnrollmentStatus.registered:
        session.registered_count += 1
    db.session.add(enrollment)
    db.session.flush()
    return enrollment


def teacher(**fields) -> TeacherProfile:
    return TeacherProfileFactory(**fields)


def teacher_user(**fields):
    """A teacher account with its profile; returns (user, profile)."""
    user = make_user(Role.teacher, **fields)
    return user, user.teacher


def statements_written():
    """The INSERT, UPDATE and DELETE statements the database receives inside the block."""
    return statements_sent("INSERT", "UPDATE", "DELETE")
