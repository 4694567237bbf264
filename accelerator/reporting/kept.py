"""Kept figures: the training measures stored small, so that reading them does not grow
with the number of enrolments.

- ``KeptTeacher``: one row per teacher who attended (first attended, completed and trained
  days, the first session answered both ways for the reinvestment indicator with its two
  answers, académie, career stage); ``KeptSession``: one row per session (its counts);
  ``KeptPair``: each (solution, teacher) trained on it with the month of the first time;
  ``KeptSolution`` and ``KeptMonthly``: counts per (solution, month) and (month, académie).
- ``refresh()`` rebuilds everything from the source tables (``INSERT ... SELECT`` of the
  subqueries ``measures`` recounts with); ``flask reporting refresh`` and the job queue
  (``tasks.refresh_kept_figures``, on Celery beat) run it.
- Between two refreshes, ``tracking`` records which teachers and sessions a transaction
  touched (attendance on the page, the API or an import, cancellations, ratings, decisions,
  suspensions, profiles) and ``update()`` recomputes their rows before the commit, applying
  the differences to the counts: the kept figures stay equal to a recount (the tests hold
  them equal) at a cost that depends on what changed, not on how many enrolments exist.

The reading functions answer exactly what ``measures`` answers; each is one range scan over
at most one row per teacher or per session, or a few hundred rows for the counter.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date

from sqlalchemy import (
    Date,
    Integer,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite

from accelerator.certification.progress import month_of
from accelerator.core.db import among, utcnow
from accelerator.extensions import db
from accelerator.reporting import measures
from accelerator.reporting.models import (
    KeptDaily,
    KeptMonthly,
    KeptPair,
    KeptSession,
    KeptSolution,
    KeptState,
    KeptTeacher,
)
from accelerator.reporting.periods import Period
from accelerator.reporting.sources import (
    Enrollment,
    EnrollmentStatus,
    Feedback,
    SessionStatus,
    TeacherProfile,
    TrainingSession,
    qualifying_pairs,
)

#: Teachers or sessions recomputed per statement by an incremental update.
CHUNK = 2_000
TEACHER_COLUMNS = [
    "teacher_id",
    "academy",
    "career_stage",
    "first_attended_on",
    "first_completed_on",
    "first_trained_on",
    "first_reinvestment_on",
    "used_before",
    "used_after",
]
SESSION_COLUMNS = [
    "session_id",
    "academy",
    "ends_on",
    "registered",
    "attended",
    "completed",
    "ratings",
    "satisfied",
]


#: The three first days kept per teacher, by the ``kind`` of their daily counts.
FIRST_DAYS = {
    "attended": KeptTeacher.first_attended_on,
    "completed": KeptTeacher.first_completed_on,
    "trained": KeptTeacher.first_trained_on,
}
#: The reinvestment counts kept per teacher's first session answered both ways, by the
#: ``kind`` of their daily counts: every such teacher, and those who answered yes (at
#: enrolment, at follow-up). (flag column, or None for every teacher)
REINVESTMENT = {
    "pairs": None,
    "before": KeptTeacher.used_before,
    "after": KeptTeacher.used_after,
}
#: their codes in ``KeptDaily.kind`` (10 characters at most)
REINVESTMENT_KINDS = {"pairs": "reinvested", "before": "used_pre", "after": "used_post"}
#: The counts maintained from the teachers' rows: (model, key columns, count column).
COUNTS = (
    (KeptDaily, ("kind", "day", "academy", "career_stage"), "teachers"),
    (KeptMonthly, ("month", "academy"), "trained"),
    (KeptSolution, ("solution_id", "month"), "teachers"),
)


def state() -> KeptState | None:
    return db.session.get(KeptState, 1)


def refresh() -> KeptState:
    """Rebuild every kept figure from the source tables (the caller commits)."""
    started = time.perf_counter()
    for model in (KeptTeacher, KeptSession, KeptPair, KeptSolution, KeptMonthly, KeptDaily):
        db.session.execute(delete(model))
    db.session.execute(insert(KeptTeacher).from_select(TEACHER_COLUMNS, _teacher_rows()))
    db.session.execute(insert(KeptSession).from_select(SESSION_COLUMNS, _session_rows()))
    db.session.execute(
        insert(KeptPair).from_select(["solution_id", "teacher_id", "month"], _pair_rows())
    )
    db.session.execute(
        insert(KeptSolution).from_select(
            ["solution_id", "month", "teachers"],
            select(KeptPair.solution_id, KeptPair.month, func.count()).group_by(
                KeptPair.solution_id, KeptPair.month
            ),
        )
    )
    for kind, column in FIRST_DAYS.items():
        stage = func.coalesce(KeptTeacher.career_stage, "")
        db.session.execute(
            insert(KeptDaily).from_select(
                ["kind", "day", "academy", "career_stage", "teachers"],
                select(literal(kind), column, KeptTeacher.academy, stage, func.count())
                .where(column.is_not(None))
                .group_by(column, KeptTeacher.academy, stage),
            )
        )
    for kind, flag in REINVESTMENT.items():
        stage = func.coalesce(KeptTeacher.career_stage, "")
        day = KeptTeacher.first_reinvestment_on
        chosen = select(
            literal(REINVESTMENT_KINDS[kind]), day, KeptTeacher.academy, stage, func.count()
        )
        chosen = chosen.where(day.is_not(None))
        if flag is not None:
            chosen = chosen.where(flag == true())
        db.session.execute(
            insert(KeptDaily).from_select(
                ["kind", "day", "academy", "career_stage", "teachers"],
                chosen.group_by(day, KeptTeacher.academy, stage),
            )
        )
    monthly: Counter = Counter()
    for day, academy, count in db.session.execute(
        select(KeptTeacher.first_trained_on, KeptTeacher.academy, func.count())
        .where(KeptTeacher.first_trained_on.is_not(None))
        .group_by(KeptTeacher.first_trained_on, KeptTeacher.academy)
    ):
        monthly[(f"{measures.as_day(day):%Y-%m}", academy)] += count
    if monthly:
        db.session.execute(
            insert(KeptMonthly),
            [{"month": m, "academy": a, "trained": n} for (m, a), n in monthly.items()],
        )
    kept = state() or KeptState(id=1, refreshed_at=utcnow())
    kept.refreshed_at = utcnow()
    kept.seconds = round(time.perf_counter() - started, 3)
    db.session.add(kept)
    db.session.flush()
    return kept


def _teacher_rows(teacher_ids=None):
    """One row per teacher who attended: one pass over their enrolments (the three first
    days as conditional minimums), the qualifying sessions read once."""
    qualifying = select(qualifying_pairs().subquery().c.session_id)
    ends = measures.day_of(TrainingSession.ends_at)
    held = TrainingSession.status != SessionStatus.cancelled
    attended = or_(Enrollment.attended == true(), Enrollment.completed == true())
    completed = Enrollment.completed == true()
    firsts = (
        select(
            Enrollment.teacher_id.label("teacher_id"),
            func.min(case((held & attended, ends))).label("attended_on"),
            func.min(case((held & completed, ends))).label("completed_on"),
            func.min(case((completed & Enrollment.session_id.in_(qualifying), ends))).label(
                "trained_on"
            ),
        )
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(attended)
        .group_by(Enrollment.teacher_id)
    )
    if teacher_ids is not None:
        firsts = firsts.where(among(Enrollment.teacher_id, teacher_ids))
    firsts = firsts.subquery()
    # Answered both ways implies attended: every such teacher has a row here.
    pair = measures.first_reinvestment(teacher_ids)
    return (
        select(
            TeacherProfile.id,
            func.coalesce(TeacherProfile.academy, measures.UNKNOWN_ACADEMY),
            TeacherProfile.career_stage,
            firsts.c.attended_on,
            firsts.c.completed_on,
            firsts.c.trained_on,
            pair.c.first_on,
            pair.c.before,
            pair.c.after,
        )
        .join(firsts, firsts.c.teacher_id == TeacherProfile.id)
        .outerjoin(pair, pair.c.teacher_id == TeacherProfile.id)
        .where(firsts.c.attended_on.is_not(None))
    )


def _session_rows(session_ids=None):
    attended = or_(Enrollment.attended == true(), Enrollment.completed == true())
    registered = Enrollment.status == EnrollmentStatus.registered
    ratings = select(
        Enrollment.session_id.label("session_id"),
        func.count().label("ratings"),
        func.sum(case((Feedback.rating >= measures.SATISFIED_FROM, 1), else_=0)).label("satisfied"),
    ).join(Feedback, Feedback.enrollment_id == Enrollment.id)
    counts = select(
        Enrollment.session_id.label("session_id"),
        func.sum(case((registered, 1), else_=0)).label("registered"),
        func.sum(case((registered & attended, 1), else_=0)).label("attended"),
        func.sum(case((registered & (Enrollment.completed == true()), 1), else_=0)).label(
            "completed"
        ),
    )
    statement = select(
        TrainingSession.id,
        TrainingSession.academy,
        measures.day_of(TrainingSession.ends_at),
    ).where(TrainingSession.status != SessionStatus.cancelled)
    if session_ids is not None:
        ratings = ratings.where(among(Enrollment.session_id, session_ids))
        counts = counts.where(among(Enrollment.session_id, session_ids))
        statement = statement.where(among(TrainingSession.id, session_ids))
    ratings = ratings.group_by(Enrollment.session_id).subquery()
    counts = counts.group_by(Enrollment.session_id).subquery()
    return (
        statement.add_columns(
            func.coalesce(counts.c.registered, 0),
            func.coalesce(counts.c.attended, 0),
            func.coalesce(counts.c.completed, 0),
            func.coalesce(ratings.c.ratings, 0),
            func.coalesce(ratings.c.satisfied, 0),
        )
        .join(counts, counts.c.session_id == TrainingSession.id)
        .outerjoin(ratings, ratings.c.session_id == TrainingSession.id)
    )


def _pair_rows(teacher_ids=None):
    first = measures.first_per_solution(teacher_ids)
    return select(first.c.solution_id, first.c.teacher_id, month_of(first.c.first_at))


# --- Incremental updates ---------------------------------------------------------------------


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def update(teacher_ids: Iterable[int] = (), session_ids: Iterable[int] = ()) -> None:
    """Recompute the kept rows of these teachers and sessions from the source tables, and
    move the counts by the difference (the caller commits). Nothing is kept before the first
    ``refresh()``, so there is nothing to update then."""
    if state() is None:
        return
    for chunk in _chunks(session_ids):
        db.session.execute(delete(KeptSession).where(among(KeptSession.session_id, chunk)))
        db.session.execute(insert(KeptSession).from_select(SESSION_COLUMNS, _session_rows(chunk)))
    for chunk in _chunks(teacher_ids):
        _update_teachers(chunk)


#: A first enrolment's move of its session's kept row, in one statement: one more registered
#: (when it holds a place), the row created with the session's first enrolment (nothing was
#: attended, completed or rated yet), nothing before the first refresh. The same SQL on
#: SQLite and PostgreSQL; a text, compiled once, because SQLAlchemy compiles its dialects'
#: ON CONFLICT inserts again on every call.
_ADD_ENROLMENT = text(
    "INSERT INTO reporting_kept_session (session_id, academy, ends_on, registered, attended,"
    " completed, ratings, satisfied)"
    " SELECT :session_id, :academy, :ends_on, :added, 0, 0, 0, 0"
    " WHERE EXISTS (SELECT 1 FROM reporting_kept_state)"
    " ON CONFLICT (session_id) DO UPDATE"
    " SET registered = reporting_kept_session.registered + excluded.registered"
).bindparams(
    bindparam("session_id", type_=Integer),
    bindparam("academy", type_=KeptSession.__table__.c.academy.type),
    bindparam("ends_on", type_=Date),
    bindparam("added", type_=Integer),
)


def add_enrolment(session: TrainingSession, registered: bool) -> None:
    """A first enrolment, neither attended nor completed nor rated, changes no teacher's kept
    row and, of its session's, only the registered count (the caller commits)."""
    db.session.execute(
        _ADD_ENROLMENT,
        {
            "session_id": session.id,
            "academy": session.academy,
            "ends_on": session.ends_at.astimezone(UTC).date(),  # the UTC day, as ``day_of``
            "added": int(registered),
        },
    )


def _teacher_counts(teacher_ids: list[int]) -> tuple[Counter, Counter, Counter]:
    """What the kept rows of these teachers add to the daily, monthly and per-solution
    counts (negated before an update, added after it)."""
    daily: Counter = Counter()
    monthly: Counter = Counter()
    solutions: Counter = Counter()
    for row in db.session.execute(
        select(
            KeptTeacher.academy,
            KeptTeacher.career_stage,
            KeptTeacher.first_attended_on,
            KeptTeacher.first_completed_on,
            KeptTeacher.first_trained_on,
            KeptTeacher.first_reinvestment_on,
            KeptTeacher.used_before,
            KeptTeacher.used_after,
        ).where(among(KeptTeacher.teacher_id, teacher_ids))
    ):
        academy, stage = row[0], row[1] or ""
        for kind, day in zip(FIRST_DAYS, row[2:5], strict=True):
            if day is not None:
                daily[(kind, measures.as_day(day), academy, stage)] += 1
        paired_on, flags = row[5], {"pairs": True, "before": row[6], "after": row[7]}
        if paired_on is not None:
            for kind, code in REINVESTMENT_KINDS.items():
                if flags[kind]:
                    daily[(code, measures.as_day(paired_on), academy, stage)] += 1
        if row[4] is not None:
            monthly[(f"{measures.as_day(row[4]):%Y-%m}", academy)] += 1
    for solution_id, month in db.session.execute(
        select(KeptPair.solution_id, KeptPair.month).where(among(KeptPair.teacher_id, teacher_ids))
    ):
        solutions[(solution_id, month)] += 1
    return daily, monthly, solutions


def _update_teachers(teacher_ids: list[int]) -> None:
    old = _teacher_counts(teacher_ids)
    db.session.execute(delete(KeptTeacher).where(among(KeptTeacher.teacher_id, teacher_ids)))
    db.session.execute(delete(KeptPair).where(among(KeptPair.teacher_id, teacher_ids)))
    db.session.execute(insert(KeptTeacher).from_select(TEACHER_COLUMNS, _teacher_rows(teacher_ids)))
    db.session.execute(
        insert(KeptPair).from_select(
            ["solution_id", "teacher_id", "month"], _pair_rows(teacher_ids)
        )
    )
    new = _teacher_counts(teacher_ids)
    for (model, keys, column), before, after in zip(COUNTS, old, new, strict=True):
        after.subtract(before)
        add_to_counts(model, keys, column, after)


def add_to_counts(model, keys: tuple[str, ...], column: str, deltas: Counter) -> None:
    """Add ``deltas`` {key tuple: difference} to the counts of ``model`` with one upsert
    (``INSERT ... ON CONFLICT DO UPDATE``, which SQLite and PostgreSQL both speak), then
    drop the counts that fell to zero."""
    rows = [
        {**dict(zip(keys, key, strict=True)), column: delta}
        for key, delta in deltas.items()
        if delta
    ]
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={column: getattr(model, column) + getattr(statement.excluded, column)},
    )
    db.session.execute(statement, rows)
    db.session.execute(delete(model).where(getattr(model, column) == 0))


# --- Reading ---------------------------------------------------------------------------------


def _teacher_days(kind: str, period: Period, stages: tuple[str, ...] | None) -> dict[date, int]:
    statement = (
        select(KeptDaily.day, func.sum(KeptDaily.teachers))
        .where(KeptDaily.kind == kind, KeptDaily.day >= period.start, KeptDaily.day <= period.end)
        .group_by(KeptDaily.day)
    )
    if period.academy:
        statement = statement.where(KeptDaily.academy == period.academy)
    if stages:
        statement = statement.where(KeptDaily.career_stage.in_(stages))
    return measures._by_day(db.session.execute(statement))


def trained_days(period: Period) -> dict[date, int]:
    return _teacher_days("trained", period, None)


def first_attended_days(period: Period, stages: tuple[str, ...] | None = None) -> dict:
    return _teacher_days("attended", period, stages)


def first_completed_days(period: Period, stages: tuple[str, ...] | None = None) -> dict:
    return _teacher_days("completed", period, stages)


@measures.read_once  # two rates (completion, satisfaction) read the same days
def session_days(period: Period) -> dict[date, dict[str, int]]:
    names = ("attended", "completed", "ratings", "satisfied")
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
        if figures["attended"] or figures["ratings"]:
            result[measures.as_day(day)] = figures
    return result


def reinvestment_days(period: Period) -> dict[date, dict[str, int]]:
    """``measures.reinvestment_days`` from the daily counts kept per teacher's first session
    answered both ways."""
    kinds = {code: kind for kind, code in REINVESTMENT_KINDS.items()}
    statement = (
        select(KeptDaily.day, KeptDaily.kind, func.sum(KeptDaily.teachers))
        .where(
            KeptDaily.kind.in_(list(kinds)),
            KeptDaily.day >= period.start,
            KeptDaily.day <= period.end,
        )
        .group_by(KeptDaily.day, KeptDaily.kind)
    )
    if period.academy:
        statement = statement.where(KeptDaily.academy == period.academy)
    result: dict[date, dict[str, int]] = {}
    for day, kind, teachers in db.session.execute(statement):
        row = result.setdefault(measures.as_day(day), {"pairs": 0, "before": 0, "after": 0})
        row[kinds[kind]] += int(teachers or 0)
    return {day: row for day, row in result.items() if row["pairs"]}


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


def _by_academy(kind: str, period: Period) -> dict[str, int]:
    rows = db.session.execute(
        select(KeptDaily.academy, func.sum(KeptDaily.teachers))
        .where(KeptDaily.kind == kind, KeptDaily.day >= period.start, KeptDaily.day <= period.end)
        .group_by(KeptDaily.academy)
    )
    return {code: int(count) for code, count in rows}


def trained_by_academy(period: Period) -> dict[str, int]:
    return _by_academy("trained", period)


def attended_by_academy(period: Period) -> dict[str, int]:
    return _by_academy("attended", period)


def day_target_reached(target: int) -> date | None:
    """The day the ``target``-th teacher was trained (first qualifying completion), from the
    kept daily counts."""
    total = 0
    for day, teachers in db.session.execute(
        select(KeptDaily.day, func.sum(KeptDaily.teachers))
        .where(KeptDaily.kind == "trained")
        .group_by(KeptDaily.day)
        .order_by(KeptDaily.day)
    ):
        total += int(teachers)
        if total >= target:
            return measures.as_day(day)
    return None


def counter_source():
    """The counter's (by_month, by_academy, by_solution by slug, the day a target was
    reached) from the kept counts; None before the first refresh (the counter recounts)."""
    if state() is None:
        return None
    from accelerator.reporting.sources import Solution

    months: Counter = Counter()
    academies: Counter = Counter()
    for month, academy, trained in db.session.execute(
        select(KeptMonthly.month, KeptMonthly.academy, KeptMonthly.trained)
    ):
        months[month] += trained
        academies[academy] += trained
    # one statement joining the slugs (not a list of thousands of ids sent back)
    by_slug = {
        slug: int(count)
        for slug, count in db.session.execute(
            select(Solution.slug, func.sum(KeptSolution.teachers))
            .join(Solution, Solution.id == KeptSolution.solution_id)
            .group_by(Solution.slug)
        )
        if count
    }
    return (
        dict(sorted(months.items())),
        dict(sorted(academies.items())),
        dict(sorted(by_slug.items())),
        day_target_reached,
    )
