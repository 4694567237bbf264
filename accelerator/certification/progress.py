"""The counter of the contract: teachers trained toward the target of 100,000.

A *trained teacher* is a distinct teacher profile with at least one completed enrolment in a
session (not cancelled) that covers at least one *qualifying solution*: a solution whose
company is French (``organization.country == "FR"`` and the organization verified by a
manager, ``OrganizationVerification``: a country the company declares alone proves nothing)
and which was approved on the day the session started, that is:

- a committee ``Decision`` on one of its audits with outcome ``approved`` or
  ``approved_with_conditions``, decided on or before that day, valid until that day or later;
- and that audit was not suspended on that day: its last ``suspend`` event on or before the
  day is followed by a ``reinstate`` event on or before the day (``AuditEvent`` history).

That is ``audits.queries.approved_on``, the audits' own answer to "approved on that day".

Days are UTC calendar days. Each figure is one SQL statement; the breakdowns are GROUP BY
variants of the same subqueries, so they agree with the total:

- ``by_academy``: the teacher's académie (profile), ``"unknown"`` when the profile has none;
  the values sum to the total.
- ``by_month``: the month (``YYYY-MM``) in which the teacher's *first* qualifying session
  ended; the values sum to the total.
- ``by_solution``: teachers trained on each qualifying solution (by slug); a teacher trained
  on two solutions counts in both, so these do not sum to the total.
- ``projected_date``: the pace is the mean number of newly trained teachers per month over
  the last six whole calendar months (the current month is left out, being incomplete);
  the projection adds (target - total) / pace months to today. ``None`` when the pace is
  zero (or so low that the date would pass the year 9999); the day the target was
  reached when it already is. ``pace`` and ``pace_months`` say which months were read, so
  that the page explains a missing projection beside a month in progress.
- ``as_of``: when the figures were computed (UTC). The kept figures are kept equal to a
  recount by each transaction, so they are those of that moment; the shared cache then
  serves them for ``PROGRESS_CACHE_SECONDS``, and the page states the time.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import (
    Select,
    String,
    and_,
    distinct,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from accelerator.accounts.models import Organization, OrganizationVerification, TeacherProfile
from accelerator.audits.models import Solution
from accelerator.audits.queries import approved_on
from accelerator.core.caching import kept
from accelerator.core.db import day_of, utcnow
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    SessionStatus,
    TrainingSession,
    session_solution,
)

#: The contract's target of trained teachers.
TARGET = 100_000
#: Whole months over which the pace is measured for the projection.
PACE_MONTHS = 6
UNKNOWN_ACADEMY = "unknown"
DAYS_PER_MONTH = 365.25 / 12


class month_of(FunctionElement):
    """``YYYY-MM`` of a ``UTCDateTime`` expression (UTC), on SQLite and PostgreSQL."""

    type = String()
    inherit_cache = True


@compiles(month_of)
def _month_of_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_of_postgresql(element, compiler, **kw):
    return f"to_char(timezone('UTC', {compiler.process(element.clauses, **kw)}), 'YYYY-MM')"


def qualifying_pairs() -> Select:
    """(session_id, solution_id) of the sessions' solutions that count: French company,
    approved on the session's first day; cancelled sessions are left out."""
    link = session_solution
    return (
        select(link.c.session_id, link.c.solution_id)
        .join(TrainingSession, TrainingSession.id == link.c.session_id)
        .join(Solution, Solution.id == link.c.solution_id)
        .join(Organization, Organization.id == Solution.organization_id)
        .join(OrganizationVerification, OrganizationVerification.organization_id == Organization.id)
        .where(
            Organization.country == "FR",
            TrainingSession.status != SessionStatus.cancelled,
            approved_on(link.c.solution_id, day_of(TrainingSession.starts_at)),
        )
    )


def qualifying_session_ids() -> Select:
    return select(qualifying_pairs().subquery().c.session_id)


def _completed_in_qualifying():
    return and_(
        Enrollment.completed == true(),
        Enrollment.session_id.in_(qualifying_session_ids()),
    )


def trained_teachers_query() -> Select:
    """The counter as one SQL statement (used by the benchmark too)."""
    return select(func.count(distinct(Enrollment.teacher_id))).where(_completed_in_qualifying())


def trained_teachers() -> int:
    return db.session.scalar(trained_teachers_query()) or 0


def by_academy() -> dict[str, int]:
    trained = select(Enrollment.teacher_id).where(_completed_in_qualifying())
    academy = func.coalesce(TeacherProfile.academy, UNKNOWN_ACADEMY)
    rows = db.session.execute(
        select(academy, func.count())
        .where(TeacherProfile.id.in_(trained))
        .group_by(academy)
        .order_by(academy)
    )
    return {code: count for code, count in rows}


def _first_completions():
    """Each trained teacher with the end of their first qualifying session."""
    return (
        select(
            Enrollment.teacher_id.label("teacher_id"),
            func.min(TrainingSession.ends_at).label("first_at"),
        )
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(_completed_in_qualifying())
        .group_by(Enrollment.teacher_id)
        .subquery()
    )


def by_month() -> dict[str, int]:
    first = _first_completions()
    month = month_of(first.c.first_at)
    rows = db.session.execute(select(month, func.count()).group_by(month).order_by(month))
    return {key: count for key, count in rows}


def by_solution() -> dict[str, int]:
    pairs = qualifying_pairs().subquery()
    rows = db.session.execute(
        select(Solution.slug, func.count(distinct(Enrollment.teacher_id)))
        .select_from(Enrollment)
        .join(pairs, pairs.c.session_id == Enrollment.session_id)
        .join(Solution, Solution.id == pairs.c.solution_id)
        .where(Enrollment.completed == true())
        .group_by(Solution.slug)
        .order_by(Solution.slug)
    )
    return {slug: count for slug, count in rows}


def _previous_months(today: date, count: int) -> list[str]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(f"{year:04d}-{month:02d}")
    return months


def _day_target_reached(target: int) -> date | None:
    first = _first_completions()
    reached = db.session.scalar(
        select(day_of(first.c.first_at))
        .order_by(first.c.first_at, literal_column("teacher_id"))
        .offset(target - 1)
        .limit(1)
    )
    if isinstance(reached, str):  # SQLite answers text
        return date.fromisoformat(reached)
    return reached


def projected_date(
    total: int,
    months: dict[str, int],
    today: date | None = None,
    target: int = TARGET,
    reached_on: Callable[[int], date | None] | None = None,
) -> date | None:
    """The day the current pace reaches ``target`` (rules in the module docstring);
    ``reached_on`` finds the day a reached target was reached (default: a recount)."""
    today = today or date.today()
    if total >= target:
        return (reached_on or _day_target_reached)(target)
    pace = pace_per_month(months, today)
    if pace <= 0:
        return None
    days = math.ceil((target - total) / pace * DAYS_PER_MONTH)
    if days > (date.max - today).days:  # a trickle: no meaningful date
        return None
    return today + timedelta(days=days)


def pace_per_month(months: dict[str, int], today: date) -> float:
    """Newly trained teachers per month over the ``PACE_MONTHS`` whole months before
    ``today``'s month."""
    return sum(months.get(key, 0) for key in _previous_months(today, PACE_MONTHS)) / PACE_MONTHS


#: A faster source of the same figures than a recount: reporting registers its kept figures
#: (``use_kept_figures``); it answers None while it has nothing kept.
_kept_source: Callable[[], tuple[dict, dict, dict, Callable] | None] | None = None


def use_kept_figures(source: Callable[[], tuple[dict, dict, dict, Callable] | None]) -> None:
    """Read (by_month, by_academy, by_solution, the day a target was reached) from
    ``source`` instead of recounting."""
    global _kept_source
    _kept_source = source


def summary(today: date | None = None, recount: bool = False) -> dict:
    """Everything the public page and the API show: the total is the sum of ``by_month``
    (each teacher counted in the month of their first qualifying completion), which saves
    running the count itself. The breakdowns come from the kept figures when some are kept
    (their cost does not grow with the enrolments), else from a recount."""
    today = today or date.today()
    as_of = utcnow()
    kept = None if recount or _kept_source is None else _kept_source()
    if kept is not None:
        months, academies, solutions, reached_on = kept
    else:
        months, academies, solutions = by_month(), by_academy(), by_solution()
        reached_on = None
    total = sum(months.values())
    return {
        "trained_teachers": total,
        "target": TARGET,
        "percent": round(100 * total / TARGET, 1),
        "by_academy": academies,
        "by_month": months,
        "by_solution": solutions,
        "projected_date": projected_date(total, months, today, reached_on=reached_on),
        "pace": pace_per_month(months, today),
        # oldest first: the months the pace is measured over
        "pace_months": list(reversed(_previous_months(today, PACE_MONTHS))),
        "current_month": f"{today.year:04d}-{today.month:02d}",
        "as_of": as_of,
    }


#: The key of the figures in the shared cache (Flask-Caching: Redis when configured).
CACHE_KEY = "certification:progress"


def cached_summary() -> dict:
    """``summary()``, kept ``PROGRESS_CACHE_SECONDS`` in the application's cache, shared by
    every worker: the figures move slowly and the public page should not run the counter at
    every visit. 0 turns the cache off."""
    return kept(CACHE_KEY, summary, current_app.config.get("PROGRESS_CACHE_SECONDS", 0))
