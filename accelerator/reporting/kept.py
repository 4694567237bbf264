"""Kept figures: the training measures stored small, so that reading them does not grow
with the number of enrolments.

``refresh()`` rebuilds them from the source tables in one transaction (``INSERT ... SELECT``
of the same subqueries ``measures`` recounts with): one row per teacher who attended (their
first attended, completed and trained days), one per session (its counts), one per solution
and month (teachers first trained on it). ``tasks.refresh_kept_figures`` runs it on the job
queue (Celery beat, every few minutes), and ``flask reporting refresh`` on demand; the pages
say when the figures were last refreshed.

The reading functions answer exactly what ``measures`` answers (the tests hold them equal
after imports, cancellations and suspensions): with the kept rows indexed by day and
académie, each is one range scan over at most one row per teacher or per session.
"""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import case, delete, func, insert, literal, or_, select, true

from accelerator.certification.progress import month_of
from accelerator.core.db import utcnow
from accelerator.extensions import db
from accelerator.reporting import measures
from accelerator.reporting.models import KeptSession, KeptSolution, KeptState, KeptTeacher
from accelerator.reporting.periods import Period
from accelerator.reporting.sources import (
    Enrollment,
    EnrollmentStatus,
    Feedback,
    SessionStatus,
    TeacherProfile,
    TrainingSession,
    day_of,
    qualifying_pairs,
)


def state() -> KeptState | None:
    return db.session.get(KeptState, 1)


def refresh() -> KeptState:
    """Rebuild every kept figure from the source tables (the caller commits)."""
    started = time.perf_counter()
    for model in (KeptTeacher, KeptSession, KeptSolution):
        db.session.execute(delete(model))
    _refresh_teachers()
    _refresh_sessions()
    _refresh_solutions()
    kept = state() or KeptState(id=1, refreshed_at=utcnow())
    kept.refreshed_at = utcnow()
    kept.seconds = round(time.perf_counter() - started, 3)
    db.session.add(kept)
    db.session.flush()
    return kept


def _refresh_teachers() -> None:
    attended = measures.first_in_sessions(completed=False)
    completed = measures.first_in_sessions(completed=True)
    trained = measures.first_trained()
    rows = (
        select(
            TeacherProfile.id,
            func.coalesce(TeacherProfile.academy, measures.UNKNOWN_ACADEMY),
            TeacherProfile.career_stage,
            attended.c.first_on,
            completed.c.first_on,
            trained.c.first_on,
        )
        .join(attended, attended.c.teacher_id == TeacherProfile.id)
        .outerjoin(completed, completed.c.teacher_id == TeacherProfile.id)
        .outerjoin(trained, trained.c.teacher_id == TeacherProfile.id)
    )
    db.session.execute(
        insert(KeptTeacher).from_select(
            [
                "teacher_id",
                "academy",
                "career_stage",
                "first_attended_on",
                "first_completed_on",
                "first_trained_on",
            ],
            rows,
        )
    )


def _refresh_sessions() -> None:
    attended = or_(Enrollment.attended == true(), Enrollment.completed == true())
    registered = Enrollment.status == EnrollmentStatus.registered
    ratings = (
        select(
            Enrollment.session_id.label("session_id"),
            func.count().label("ratings"),
            func.sum(case((Feedback.rating >= measures.SATISFIED_FROM, 1), else_=0)).label(
                "satisfied"
            ),
        )
        .join(Feedback, Feedback.enrollment_id == Enrollment.id)
        .group_by(Enrollment.session_id)
        .subquery()
    )
    counts = (
        select(
            Enrollment.session_id.label("session_id"),
            func.sum(case((registered, 1), else_=0)).label("registered"),
            func.sum(case((registered & attended, 1), else_=0)).label("attended"),
            func.sum(case((registered & (Enrollment.completed == true()), 1), else_=0)).label(
                "completed"
            ),
        )
        .group_by(Enrollment.session_id)
        .subquery()
    )
    rows = (
        select(
            TrainingSession.id,
            TrainingSession.academy,
            day_of(TrainingSession.ends_at),
            func.coalesce(counts.c.registered, 0),
            func.coalesce(counts.c.attended, 0),
            func.coalesce(counts.c.completed, 0),
            func.coalesce(ratings.c.ratings, 0),
            func.coalesce(ratings.c.satisfied, 0),
        )
        .join(counts, counts.c.session_id == TrainingSession.id)
        .outerjoin(ratings, ratings.c.session_id == TrainingSession.id)
        .where(TrainingSession.status != SessionStatus.cancelled)
    )
    db.session.execute(
        insert(KeptSession).from_select(
            [
                "session_id",
                "academy",
                "ends_on",
                "registered",
                "attended",
                "completed",
                "ratings",
                "satisfied",
            ],
            rows,
        )
    )


def _refresh_solutions() -> None:
    pairs = qualifying_pairs().subquery()
    first = (
        select(
            pairs.c.solution_id.label("solution_id"),
            func.min(TrainingSession.ends_at).label("first_at"),
        )
        .select_from(Enrollment)
        .join(pairs, pairs.c.session_id == Enrollment.session_id)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(Enrollment.completed == true())
        .group_by(pairs.c.solution_id, Enrollment.teacher_id)
        .subquery()
    )
    month = month_of(first.c.first_at)
    db.session.execute(
        insert(KeptSolution).from_select(
            ["solution_id", "month", "teachers"],
            select(first.c.solution_id, month, func.count()).group_by(first.c.solution_id, month),
        )
    )


# --- Reading ---------------------------------------------------------------------------------


def _teacher_days(column, period: Period, stages: tuple[str, ...] | None) -> dict[date, int]:
    statement = (
        select(column, func.count())
        .where(column >= period.start, column <= period.end)
        .group_by(column)
    )
    if period.academy:
        statement = statement.where(KeptTeacher.academy == period.academy)
    if stages:
        statement = statement.where(KeptTeacher.career_stage.in_(stages))
    return measures._by_day(db.session.execute(statement))


def trained_days(period: Period) -> dict[date, int]:
    return _teacher_days(KeptTeacher.first_trained_on, period, None)


def first_attended_days(period: Period, stages: tuple[str, ...] | None = None) -> dict:
    return _teacher_days(KeptTeacher.first_attended_on, period, stages)


def first_completed_days(period: Period, stages: tuple[str, ...] | None = None) -> dict:
    return _teacher_days(KeptTeacher.first_completed_on, period, stages)


def session_days(period: Period) -> dict[date, dict[str, int]]:
    names = ("registered", "attended", "completed", "ratings", "satisfied")
    statement = (
        select(KeptSession.ends_on, *(func.sum(getattr(KeptSession, n)) for n in names))
        .where(KeptSession.ends_on >= period.start, KeptSession.ends_on <= period.end)
        .group_by(KeptSession.ends_on)
    )
    if period.academy:
        statement = statement.where(KeptSession.academy == period.academy)
    result = {}
    for day, *values in db.session.execute(statement):
        figures = dict(zip(names, (int(v or 0) for v in values), strict=True))
        if figures["registered"] or figures["ratings"]:
            result[measures.as_day(day)] = figures
    return result


def by_solution(period: Period | None = None) -> dict[int, int]:
    """Teachers first trained on each solution (within the period's months when given)."""
    statement = select(KeptSolution.solution_id, func.sum(KeptSolution.teachers)).group_by(
        KeptSolution.solution_id
    )
    if period is not None:
        months = period.months()
        statement = statement.where(
            KeptSolution.month >= literal(months[0]), KeptSolution.month <= literal(months[-1])
        )
    return {solution_id: int(count) for solution_id, count in db.session.execute(statement)}


def _by_academy(column, period: Period) -> dict[str, int]:
    rows = db.session.execute(
        select(KeptTeacher.academy, func.count())
        .where(column >= period.start, column <= period.end)
        .group_by(KeptTeacher.academy)
    )
    return {code: int(count) for code, count in rows}


def trained_by_academy(period: Period) -> dict[str, int]:
    return _by_academy(KeptTeacher.first_trained_on, period)


def attended_by_academy(period: Period) -> dict[str, int]:
    return _by_academy(KeptTeacher.first_attended_on, period)
