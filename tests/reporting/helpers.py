"""Hand-built training and audit data on fixed days, for the reporting tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

from accelerator.accounts.models import Role
from accelerator.audits.models import AuditEvent, Decision, Score
from accelerator.audits.states import AuditStatus
from accelerator.certification.models import Feedback, FollowUpAnswer
from accelerator.extensions import db
from accelerator.reporting.models import NationalPopulation, Target
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionFormat,
    SessionStatus,
    TrainingSession,
)
from tests.audits.factories import make_approved_audit, make_audit, make_solution
from tests.factories import OrganizationFactory, TeacherProfileFactory, make_user

_numbers = count(1)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def approved_solution(country: str = "FR", decided_on: date = date(2025, 1, 10)):
    """A solution of a company of ``country``, approved on ``decided_on`` until the end of
    2029."""
    solution = make_solution(OrganizationFactory(country=country))
    make_approved_audit(solution, decided_on=decided_on, valid_until=date(2029, 12, 31))
    db.session.commit()
    return solution


def session_on(
    day: date,
    solutions=None,
    academy: str = "paris",
    status: SessionStatus = SessionStatus.scheduled,
    capacity: int = 50,
) -> TrainingSession:
    """A three-hour session on ``day`` (starting 9:00 UTC)."""
    number = next(_numbers)
    session = TrainingSession(
        reference=f"TEST-{number:05d}",
        title="Prendre en main la solution",
        format=SessionFormat.in_person,
        starts_at=at(day, 9),
        ends_at=at(day, 12),
        duration_hours=3,
        capacity=capacity,
        registered_count=0,
        academy=academy,
        status=status,
        solutions=solutions if solutions is not None else [approved_solution()],
    )
    db.session.add(session)
    db.session.commit()
    return session


def teacher(academy: str | None = "paris", career_stage: str = "titulaire"):
    profile = TeacherProfileFactory(academy=academy, career_stage=career_stage)
    db.session.commit()
    return profile


def enrol(
    session: TrainingSession,
    profile=None,
    attended: bool = False,
    completed: bool = False,
    status: EnrollmentStatus = EnrollmentStatus.registered,
    rating: int | None = None,
    before: bool | None = None,
    after: bool | None = None,
) -> Enrollment:
    """An enrolment; ``before`` answers "do you already use it in class?" at enrolment,
    ``after`` the follow-up questionnaire (None: not answered)."""
    profile = profile or teacher()
    enrollment = Enrollment(
        session_id=session.id,
        teacher_id=profile.id,
        status=status,
        attended=attended or completed,
        completed=completed,
        completed_at=session.ends_at if completed else None,
        already_uses_in_class=before,
    )
    db.session.add(enrollment)
    if status == EnrollmentStatus.registered:
        session.registered_count += 1
    db.session.flush()
    if rating is not None:
        db.session.add(Feedback(enrollment_id=enrollment.id, rating=rating, comment=""))
    if after is not None:
        db.session.add(FollowUpAnswer(enrollment_id=enrollment.id, used_in_class=after))
    db.session.commit()
    return enrollment


def set_target(code: str, value: float | None, start: date, end: date) -> Target:
    target = Target(code=code, value=value, horizon_start=start, horizon_end=end)
    db.session.add(target)
    db.session.commit()
    return target


def set_population(year: int, academy: str, teachers: int, new_teachers: int):
    row = NationalPopulation(
        year=year, academy=academy, teachers=teachers, new_teachers=new_teachers
    )
    db.session.add(row)
    db.session.commit()
    return row


def event(audit, action: str, day: date, from_status=None, to_status=None) -> AuditEvent:
    row = AuditEvent(
        audit=audit,
        action=action,
        from_status=from_status,
        to_status=to_status,
        at=at(day, 10),
    )
    db.session.add(row)
    db.session.flush()
    return row


def decided_audit(
    submitted_on: date,
    decided_on: date,
    outcome: AuditStatus = AuditStatus.approved,
    levels: dict[str, tuple[int, ...]] | None = None,
):
    """An audit submitted, admitted and decided on the given days, with the experts' levels
    ``{criterion: (level of expert 1, level of expert 2, ...)}``."""
    audit = make_audit(status=AuditStatus.submitted)
    audit.submitted_at = at(submitted_on, 10)
    event(audit, "submit", submitted_on, "draft", "submitted")
    event(audit, "admit", submitted_on + timedelta(days=1), "submitted", "in_review")
    event(audit, "send_to_committee", decided_on - timedelta(days=1), "in_review", "committee")
    experts = []
    for criterion, criterion_levels in (levels or {}).items():
        while len(experts) < len(criterion_levels):
            experts.append(make_user(Role.expert))
        for expert, level in zip(experts, criterion_levels, strict=False):
            db.session.add(
                Score(
                    audit=audit,
                    expert_id=expert.id,
                    criterion_code=criterion,
                    level=level,
                    justification="Justification suffisamment longue.",
                )
            )
    db.session.add(
        Decision(
            audit=audit,
            outcome=outcome,
            motivation="Motivation.",
            valid_until=decided_on + timedelta(days=730)
            if outcome != AuditStatus.rejected
            else None,
            overall_score=80.0,
            domain_scores={"RGPD": 90.0, "PEDA": 70.0},
            recommendation="approve",
            decided_at=at(decided_on, 15),
        )
    )
    event(audit, "decide", decided_on, "committee", outcome.value)
    audit.status = outcome
    audit.decided_at = at(decided_on, 15)
    if outcome != AuditStatus.rejected:
        audit.valid_until = decided_on + timedelta(days=730)
    db.session.commit()
    return audit, experts
