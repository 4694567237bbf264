"""The measures behind the indicators, recounted from the other domains' tables.

Each training measure answers per day (a dict {day: figures}) so that the period's value and
the monthly trend come from one query; ``kept`` answers the same functions from the kept
figures, and the tests hold the two equal. Days are UTC calendar days.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import wraps

from sqlalchemy import case, func, or_, select, true

from accelerator.core.db import among
from accelerator.core.reference import ACADEMIES
from accelerator.extensions import db
from accelerator.reporting.models import (
    NationalPopulation,
    PafAction,
    Partnership,
    Target,
    paf_action_session,
)
from accelerator.reporting.periods import Period
from accelerator.reporting.sources import (
    APPROVED_STATES,
    AuditEvent,
    AuditStatus,
    Decision,
    Enrollment,
    EnrollmentStatus,
    Feedback,
    FollowUpAnswer,
    PathCertificate,
    Score,
    SessionStatus,
    TeacherProfile,
    TrainingSession,
    approvals_in_force,
    day_of,
    qualifying_pairs,
)

UNKNOWN_ACADEMY = "unknown"
#: Audit states counted as "in review" (being examined, before the decision).
REVIEW_STATES = (AuditStatus.in_review, AuditStatus.info_requested, AuditStatus.committee)
SATISFIED_FROM = 4
EXPIRY_DAYS = 90


_MEMO: ContextVar[dict | None] = ContextVar("reporting_memo", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Within this block (one page, one export) a period's audit rows are read once, however
    many indicators and tables use them."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def read_once(function: Callable) -> Callable:
    """Within ``reading()``, answer a period's figures once however many indicators and
    tables ask (callers must not change what they get)."""

    @wraps(function)
    def wrapper(period):
        memo = _MEMO.get()
        if memo is None:
            return function(period)
        key = (function.__module__, function.__qualname__, period)
        if key not in memo:
            memo[key] = function(period)
        return memo[key]

    return wrapper


def as_day(value) -> date:
    """A day from the database: SQLite answers ``date()`` as text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _by_day(rows) -> dict[date, int]:
    result: dict[date, int] = defaultdict(int)
    for day, count in rows:
        result[as_day(day)] += int(count or 0)
    return dict(result)


# --- Training: first days per teacher --------------------------------------------------------


def _of_teachers(statement, teacher_ids):
    """Narrow a statement on enrolments to some teachers (None: all of them)."""
    return (
        statement
        if teacher_ids is None
        else statement.where(among(Enrollment.teacher_id, teacher_ids))
    )


def first_trained(teacher_ids=None) -> object:
    """Each trained teacher with the end day of their first qualifying completion."""
    qualifying = select(qualifying_pairs().subquery().c.session_id)
    statement = (
        select(
            Enrollment.teacher_id.label("teacher_id"),
            func.min(day_of(TrainingSession.ends_at)).label("first_on"),
        )
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(Enrollment.completed == true(), Enrollment.session_id.in_(qualifying))
        .group_by(Enrollment.teacher_id)
    )
    return _of_teachers(statement, teacher_ids).subquery()


def first_in_sessions(completed: bool, teacher_ids=None) -> object:
    """Each teacher with the end day of their first attended (or completed) session, not
    cancelled. Completion implies attendance."""
    condition = (
        Enrollment.completed == true()
        if completed
        else or_(Enrollment.attended == true(), Enrollment.completed == true())
    )
    statement = (
        select(
            Enrollment.teacher_id.label("teacher_id"),
            func.min(day_of(TrainingSession.ends_at)).label("first_on"),
        )
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(condition, TrainingSession.status != SessionStatus.cancelled)
        .group_by(Enrollment.teacher_id)
    )
    return _of_teachers(statement, teacher_ids).subquery()


def first_per_solution(teacher_ids=None) -> object:
    """Each (qualifying solution, teacher) with the end of the teacher's first completed
    session on it."""
    pairs = qualifying_pairs().subquery()
    statement = (
        select(
            pairs.c.solution_id.label("solution_id"),
            Enrollment.teacher_id.label("teacher_id"),
            func.min(TrainingSession.ends_at).label("first_at"),
        )
        .select_from(Enrollment)
        .join(pairs, pairs.c.session_id == Enrollment.session_id)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(Enrollment.completed == true())
        .group_by(pairs.c.solution_id, Enrollment.teacher_id)
    )
    return _of_teachers(statement, teacher_ids).subquery()


def _count_first_days(first, period: Period, stages: tuple[str, ...] | None) -> dict[date, int]:
    statement = (
        select(first.c.first_on, func.count())
        .select_from(first)
        .join(TeacherProfile, TeacherProfile.id == first.c.teacher_id)
        .where(first.c.first_on >= period.start, first.c.first_on <= period.end)
        .group_by(first.c.first_on)
    )
    if period.academy:
        statement = statement.where(TeacherProfile.academy == period.academy)
    if stages:
        statement = statement.where(TeacherProfile.career_stage.in_(stages))
    return _by_day(db.session.execute(statement))


def trained_days(period: Period) -> dict[date, int]:
    """Teachers newly trained (counter's rule) per day of the period."""
    return _count_first_days(first_trained(), period, None)


def first_attended_days(period: Period, stages: tuple[str, ...] | None = None) -> dict:
    return _count_first_days(first_in_sessions(completed=False), period, stages)


def first_completed_days(period: Period, stages: tuple[str, ...] | None = None) -> dict:
    return _count_first_days(first_in_sessions(completed=True), period, stages)


def first_certified(teacher_ids=None) -> object:
    """Each teacher holding a path certificate in force (not revoked), with the UTC day the
    first of them was issued."""
    statement = (
        select(
            PathCertificate.teacher_id.label("teacher_id"),
            func.min(day_of(PathCertificate.issued_at)).label("first_on"),
        )
        .where(PathCertificate.revoked_at.is_(None))
        .group_by(PathCertificate.teacher_id)
    )
    if teacher_ids is not None:
        statement = statement.where(among(PathCertificate.teacher_id, teacher_ids))
    return statement.subquery()


def certified_days(period: Period) -> dict[date, int]:
    """Teachers newly certified on a training path per day of the period: a teacher counts
    once, on the day their first path certificate in force was issued, under their own
    académie. Path certificates are few (one per teacher and path), so this reads them
    directly, kept figures or not."""
    return _count_first_days(first_certified(), period, None)


# --- Training: per session -------------------------------------------------------------------


@read_once  # two rates (completion, satisfaction) read the same days
def session_days(period: Period) -> dict[date, dict[str, int]]:
    """Per end day of the sessions (not cancelled) ending within the period: enrolments with
    a place that attended, that completed; ratings and ratings of 4 or 5. Days with neither
    attendance nor rating are left out."""
    ends = day_of(TrainingSession.ends_at)
    attended = or_(Enrollment.attended == true(), Enrollment.completed == true())
    statement = (
        select(
            ends,
            func.sum(case((attended, 1), else_=0)),
            func.sum(case((Enrollment.completed == true(), 1), else_=0)),
        )
        .join(Enrollment, Enrollment.session_id == TrainingSession.id)
        .where(
            TrainingSession.status != SessionStatus.cancelled,
            Enrollment.status == EnrollmentStatus.registered,
            ends >= period.start,
            ends <= period.end,
        )
        .group_by(ends)
    )
    ratings = (
        select(
            ends,
            func.count(),
            func.sum(case((Feedback.rating >= SATISFIED_FROM, 1), else_=0)),
        )
        .join(Enrollment, Enrollment.session_id == TrainingSession.id)
        .join(Feedback, Feedback.enrollment_id == Enrollment.id)
        .where(
            TrainingSession.status != SessionStatus.cancelled,
            ends >= period.start,
            ends <= period.end,
        )
        .group_by(ends)
    )
    if period.academy:
        statement = statement.where(TrainingSession.academy == period.academy)
        ratings = ratings.where(TrainingSession.academy == period.academy)
    result: dict[date, dict[str, int]] = {}

    def figures(day) -> dict[str, int]:
        return result.setdefault(
            as_day(day), {"attended": 0, "completed": 0, "ratings": 0, "satisfied": 0}
        )

    for day, attended_count, completed in db.session.execute(statement):
        row = figures(day)
        row["attended"] += int(attended_count or 0)
        row["completed"] += int(completed or 0)
    for day, count, satisfied in db.session.execute(ratings):
        row = figures(day)
        row["ratings"] += int(count or 0)
        row["satisfied"] += int(satisfied or 0)
    return {day: row for day, row in result.items() if row["attended"] or row["ratings"]}


# --- Training: reinvestment in practice -----------------------------------------------------


def first_reinvestment(teacher_ids=None) -> object:
    """Each teacher with the session of their first enrolment answered both ways (at
    enrolment, "do you already use it in class?"; in the follow-up questionnaire, "have you
    used it since?"), among the sessions (not cancelled) they attended: its end day and the
    two answers. First: the earliest end, then the earliest enrolment."""
    attended = or_(Enrollment.attended == true(), Enrollment.completed == true())
    rank = (
        func.row_number()
        .over(
            partition_by=Enrollment.teacher_id,
            order_by=(TrainingSession.ends_at, Enrollment.id),
        )
        .label("rank")
    )
    statement = (
        select(
            Enrollment.teacher_id.label("teacher_id"),
            day_of(TrainingSession.ends_at).label("first_on"),
            Enrollment.already_uses_in_class.label("before"),
            FollowUpAnswer.used_in_class.label("after"),
            rank,
        )
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .join(FollowUpAnswer, FollowUpAnswer.enrollment_id == Enrollment.id)
        .where(
            attended,
            TrainingSession.status != SessionStatus.cancelled,
            Enrollment.already_uses_in_class.is_not(None),
        )
    )
    ranked = _of_teachers(statement, teacher_ids).subquery()
    return (
        select(ranked.c.teacher_id, ranked.c.first_on, ranked.c.before, ranked.c.after)
        .where(ranked.c.rank == 1)
        .subquery()
    )


def reinvestment_days(period: Period) -> dict[date, dict[str, int]]:
    """Per end day of the teachers' first session answered both ways (``first_reinvestment``)
    within the period: the teachers ("pairs"), those who answered yes at enrolment
    ("before") and those who answered yes at follow-up ("after"), under the teacher's
    académie. Days without a teacher are left out."""
    first = first_reinvestment()
    statement = (
        select(
            first.c.first_on,
            func.count(),
            func.sum(case((first.c.before == true(), 1), else_=0)),
            func.sum(case((first.c.after == true(), 1), else_=0)),
        )
        .join(TeacherProfile, TeacherProfile.id == first.c.teacher_id)
        .where(first.c.first_on >= period.start, first.c.first_on <= period.end)
        .group_by(first.c.first_on)
    )
    if period.academy:
        statement = statement.where(TeacherProfile.academy == period.academy)
    result: dict[date, dict[str, int]] = {}
    for day, pairs, before, after in db.session.execute(statement):
        row = result.setdefault(as_day(day), {"pairs": 0, "before": 0, "after": 0})
        row["pairs"] += int(pairs or 0)
        row["before"] += int(before or 0)
        row["after"] += int(after or 0)
    return result


# --- Settings: targets, populations, partnerships, PAF actions -------------------------------


def targets_in_force() -> dict[str, Target]:
    """The latest target row of each indicator (a None value withdraws the target)."""
    latest = select(func.max(Target.id)).group_by(Target.code)
    rows = db.session.scalars(select(Target).where(Target.id.in_(latest)))
    return {row.code: row for row in rows if row.value is not None}


def populations_in_force(year: int) -> dict[str, NationalPopulation]:
    """The latest population row of each académie for the school year ``year``."""
    latest = (
        select(func.max(NationalPopulation.id))
        .where(NationalPopulation.year == year)
        .group_by(NationalPopulation.academy)
    )
    rows = db.session.scalars(select(NationalPopulation).where(NationalPopulation.id.in_(latest)))
    return {row.academy: row for row in rows}


def population(year: int, academy: str | None) -> tuple[int, int] | None:
    """(teachers, stagiaires and néotitulaires) of the school year, for one académie or all
    of them; None when no figure was entered (or, for all, when an académie lacks one)."""
    rows = populations_in_force(year)
    if academy:
        row = rows.get(academy)
        return (row.teachers, row.new_teachers) if row else None
    if not rows or set(ACADEMIES) - set(rows):
        return None
    return sum(r.teachers for r in rows.values()), sum(r.new_teachers for r in rows.values())


def academies_covered(days: list[date], academy: str | None) -> list[int]:
    """For each day, the académies (or the one chosen) with an agreement in force on it."""
    statement = select(Partnership.academy, Partnership.starts_on, Partnership.ends_on)
    if academy:
        statement = statement.where(Partnership.academy == academy)
    rows = [
        (a, as_day(start), as_day(end) if end else None)
        for a, start, end in db.session.execute(statement)
    ]
    return [
        len({a for a, start, end in rows if start <= day and (end is None or end >= day)})
        for day in days
    ]


def paf_first_days(period: Period) -> dict[date, int]:
    """PAF actions per start day of their first session (not cancelled) within the period."""
    first = (
        select(
            PafAction.id.label("action_id"),
            PafAction.academy.label("academy"),
            func.min(day_of(TrainingSession.starts_at)).label("first_on"),
        )
        .join(paf_action_session, paf_action_session.c.paf_action_id == PafAction.id)
        .join(TrainingSession, TrainingSession.id == paf_action_session.c.session_id)
        .where(TrainingSession.status != SessionStatus.cancelled)
        .group_by(PafAction.id, PafAction.academy)
        .subquery()
    )
    statement = (
        select(first.c.first_on, func.count())
        .where(first.c.first_on >= period.start, first.c.first_on <= period.end)
        .group_by(first.c.first_on)
    )
    if period.academy:
        statement = statement.where(first.c.academy == period.academy)
    return _by_day(db.session.execute(statement))


# --- Audits ---------------------------------------------------------------------------------


def submitted_days(period: Period) -> dict[date, int]:
    day = day_of(AuditEvent.at)
    return _by_day(
        db.session.execute(
            select(day, func.count())
            .where(AuditEvent.action == "submit", day >= period.start, day <= period.end)
            .group_by(day)
        )
    )


@read_once
def decisions(period: Period) -> list[tuple[date, bool, float | None]]:
    """Each decision of the period: its day, whether it approves, days since submission."""
    from accelerator.reporting.sources import Audit

    day = day_of(Decision.decided_at)
    rows = db.session.execute(
        select(Decision.decided_at, Decision.outcome, Audit.submitted_at)
        .join(Audit, Audit.id == Decision.audit_id)
        .where(day >= period.start, day <= period.end)
    )
    result = []
    for decided_at, outcome, submitted_at in rows:
        # an audit without a submission before its decision (imported history) has no delay
        waited = (
            (decided_at - submitted_at).total_seconds() / 86_400
            if submitted_at is not None and submitted_at <= decided_at
            else None
        )
        result.append((decided_at.date(), outcome in APPROVED_STATES, waited))
    return result


def in_review_on(days: list[date]) -> list[int]:
    """For each day, the audits whose last transition on or before it left them in a review
    state (from the history, read once)."""
    review = {state.value for state in REVIEW_STATES}
    rows = db.session.execute(
        select(AuditEvent.audit_id, AuditEvent.at, AuditEvent.to_status)
        .where(AuditEvent.to_status.is_not(None), day_of(AuditEvent.at) <= max(days))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    result = []
    for day in days:
        last: dict[int, str] = {}
        for audit_id, at, to_status in rows:
            if at.date() > day:
                break
            last[audit_id] = to_status
        result.append(sum(1 for status in last.values() if status in review))
    return result


def expiring_on(days: list[date]) -> list[int]:
    """For each day, the approvals in force on it whose validity ends within EXPIRY_DAYS
    after it. An approval in force on a later day is in force on an earlier one (the
    audits' rule: approved, not suspended, valid until that day), so one query serves all."""
    in_force = approvals_in_force(min(days)).subquery()
    ends = sorted(as_day(v) for v in db.session.scalars(select(in_force.c.valid_until)))
    # sorted once: each day's count is two binary searches, not a pass over every approval
    return [
        bisect_right(ends, day + timedelta(days=EXPIRY_DAYS)) - bisect_left(ends, day)
        for day in days
    ]


def first_decision_days(period: Period):
    """Subquery: each audit whose first decision fell within the period, with its day."""
    first = (
        select(Decision.audit_id.label("audit_id"), func.min(Decision.decided_at).label("at"))
        .group_by(Decision.audit_id)
        .subquery()
    )
    day = day_of(first.c.at)
    return (
        select(first.c.audit_id, day.label("day"))
        .where(day >= period.start, day <= period.end)
        .subquery()
    )


@read_once
def expert_levels(period: Period) -> list[tuple[date, int, str, int, int]]:
    """(decision day, audit, criterion, expert, level) of the scores of the audits whose
    first decision fell within the period."""
    decided = first_decision_days(period)
    rows = db.session.execute(
        select(decided.c.day, Score.audit_id, Score.criterion_code, Score.expert_id, Score.level)
        .join(decided, decided.c.audit_id == Score.audit_id)
        .order_by(Score.audit_id, Score.criterion_code, Score.expert_id)
    )
    return [(as_day(day), a, c, e, lvl) for day, a, c, e, lvl in rows]


def by_solution(period: Period) -> dict[int, int]:
    """Teachers trained on each solution for the first time within the period's months (a
    teacher trained on two solutions counts under each)."""
    from accelerator.certification.progress import month_of

    first = first_per_solution()
    month = month_of(first.c.first_at)
    months = period.months()
    rows = db.session.execute(
        select(first.c.solution_id, func.count())
        .where(month >= months[0], month <= months[-1])
        .group_by(first.c.solution_id)
    )
    return {solution_id: int(count) for solution_id, count in rows}


def funnel(period: Period) -> dict[str, int]:
    """Audit transitions of the period by action, and the decisions and approvals."""
    day = day_of(AuditEvent.at)
    rows = dict(
        db.session.execute(
            select(AuditEvent.action, func.count())
            .where(
                AuditEvent.action.in_(("submit", "admit", "send_to_committee")),
                day >= period.start,
                day <= period.end,
            )
            .group_by(AuditEvent.action)
        ).all()
    )
    decided = decisions(period)
    return {
        "submit": int(rows.get("submit", 0)),
        "admit": int(rows.get("admit", 0)),
        "send_to_committee": int(rows.get("send_to_committee", 0)),
        "decided": len(decided),
        "approved": sum(1 for _, approved, _ in decided if approved),
    }


def _count_by_academy(first, period: Period) -> dict[str, int]:
    academy = func.coalesce(TeacherProfile.academy, UNKNOWN_ACADEMY)
    rows = db.session.execute(
        select(academy, func.count())
        .select_from(first)
        .join(TeacherProfile, TeacherProfile.id == first.c.teacher_id)
        .where(first.c.first_on >= period.start, first.c.first_on <= period.end)
        .group_by(academy)
    )
    return {code: int(count) for code, count in rows}


def trained_by_academy(period: Period) -> dict[str, int]:
    return _count_by_academy(first_trained(), period)


def attended_by_academy(period: Period) -> dict[str, int]:
    return _count_by_academy(first_in_sessions(completed=False), period)
